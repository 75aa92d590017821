// SPDX-License-Identifier: GPL-2.0

//! What a link does with its peer's protocol messages (`tipc_link_validate_msg`,
//! `tipc_link_proto_rcv`).

use super::buf::PacketBuf;
use super::endpoint::{Change, Link};
use super::proto_msg::{ProtoMsg, StateOpts};
use super::send::LinkOut;
use super::state::{LinkEvent, LinkState};
use super::stats::bump;
use crate::proto::bearer::props::{MAX_LINK_PRI, MAX_LINK_TOL, MIN_LINK_TOL};
use crate::proto::seqno::Seqno;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::gap_ack::GapAck;
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// The outcome of a protocol message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Outcome {
    /// Whether the message was taken (not refused by the session rules or the state).
    pub(crate) accepted: bool,
    /// The link may go up, or went down.
    pub(crate) change: Option<Change>,
    /// The `STATE` sent back (a probe's reply, or a NACK), already given to the sink's
    /// [`LinkOut::control`]; kept here for inspection.
    pub(crate) reply: Option<ProtoMsg>,
}

impl<B: PacketBuf> Link<B> {
    /// `tipc_link_validate_msg`: a `RESET` of a new session, an `ACTIVATE` of this session
    /// or a newer one, a `STATE` of this session (and, while down, acknowledging nothing;
    /// with `LINK_PROTO_SEQNO`, not older than the last). Outside a session any `RESET` or
    /// `ACTIVATE` goes and no `STATE`.
    pub(crate) fn validate(&self, m: &LinkProtoRepr<'_>) -> bool {
        match m.msg_type {
            LinkMsgType::Reset => {
                !self.in_session || Seqno(m.session).more(Seqno(self.peer_session))
            }
            LinkMsgType::Activate => {
                !self.in_session || !Seqno(m.session).less(Seqno(self.peer_session))
            }
            LinkMsgType::State => {
                self.in_session
                    && m.session == self.peer_session
                    && (self.is_up() || m.common.ack == 0)
                    && (!self.peer_caps.has(Caps::LINK_PROTO_SEQNO)
                        || !Seqno(m.common.seqno).less(Seqno(self.rcv_nxt_state)))
            }
        }
    }

    /// `tipc_link_proto_rcv`: a protocol message from the peer. The plane follows the lower
    /// addressed node's. `RESET` and `ACTIVATE` name the peer's interface, may raise the
    /// tolerance and priority, start the session and lower the MTU; `STATE` keeps the link
    /// alive, answers probes, releases what the peer acknowledges and retransmits what it
    /// names missing.
    pub(crate) fn receive(&mut self, m: &LinkProtoRepr<'_>, sink: &mut impl LinkOut<B>) -> Outcome {
        let mut out = Outcome::default();
        if self.state.is_blocked() {
            return out;
        }
        if self.own_addr > m.common.prevnode {
            self.net_plane = m.net_plane;
        }
        if !self.validate(m) {
            return out;
        }
        out.accepted = true;
        let peers_tol = u32::from(m.tolerance);
        let tol_ok = (MIN_LINK_TOL..=MAX_LINK_TOL).contains(&peers_tol);
        let peers_prio = u32::from(m.priority);
        match (m.msg_type, m.payload) {
            (LinkMsgType::State, _) => {
                self.rcv_nxt_state = m.common.seqno.wrapping_add(1);
                if tol_ok {
                    self.tolerance = peers_tol;
                }
                if peers_prio != self.priority && (1..=MAX_LINK_PRI).contains(&peers_prio) {
                    self.priority = peers_prio;
                    out.change = self.fsm(LinkEvent::Failure);
                }
                self.silent_intv_cnt = 0;
                bump(&mut self.stats.recv_states);
                if m.probe {
                    bump(&mut self.stats.recv_probes);
                }
                if !self.is_up() {
                    if self.state == LinkState::Establishing {
                        out.change = Some(Change::Up);
                    }
                    return out;
                }
                let rcvgap = if (m.probe || m.common.flags.dest_droppable)
                    && Seqno(m.next_sent).more(Seqno(self.rcv_nxt))
                    && self.deferdq.is_empty()
                {
                    m.next_sent.wrapping_sub(self.rcv_nxt)
                } else {
                    0
                };
                if rcvgap != 0 || m.probe {
                    out.reply = self.build_proto(
                        LinkMsgType::State,
                        StateOpts {
                            probe_reply: m.probe,
                            rcvgap,
                            ..StateOpts::default()
                        },
                    );
                    // Ahead of any retransmission, as C queues it.
                    if let Some(r) = out.reply {
                        sink.control(r);
                    }
                }
                let mut blocks = [GapAck { ack: 0, gap: 0 }; 128];
                let mut n = 0;
                if let LinkPayload::State {
                    gap_acks: Some(g), ..
                } = m.payload
                {
                    for (slot, b) in blocks.iter_mut().zip(g.unicast()) {
                        *slot = b;
                        n += 1;
                    }
                }
                let gap = m.seq_gap;
                let adv =
                    self.advance_transmq(m.common.ack, gap, blocks.get(..n).unwrap_or(&[]), sink);
                if gap != 0 {
                    bump(&mut self.stats.recv_nacks);
                }
                if adv.change.is_some() {
                    out.change = adv.change;
                    return out;
                }
                self.after_ack(&adv, sink);
            }
            (ty, LinkPayload::IfName(if_name)) => {
                if m.max_pkt < self.min_mtu {
                    return out;
                }
                self.name.set_peer_if(&if_name);
                if tol_ok {
                    self.tolerance = peers_tol;
                }
                if peers_prio > self.priority && peers_prio <= MAX_LINK_PRI {
                    self.priority = peers_prio;
                }
                if m.peer_stopping {
                    out.change = self.fsm(LinkEvent::Failure);
                    return out;
                }
                if let Some(dest) = m.dest_session.filter(|&d| d != self.session) {
                    if Seqno(self.session).less(Seqno(dest)) {
                        self.session = dest.wrapping_add(1);
                    }
                    return out;
                }
                if ty == LinkMsgType::Reset || !self.is_up() {
                    out.change = self.fsm(LinkEvent::PeerReset);
                }
                if ty == LinkMsgType::Activate && self.state == LinkState::Establishing {
                    out.change = Some(Change::Up);
                }
                self.peer_session = m.session;
                self.in_session = true;
                self.peer_bearer = m.bearer_id;
                self.mtu = self.mtu.min(m.max_pkt);
            }
            (_, LinkPayload::State { .. }) => out.accepted = false,
        }
        out
    }

    /// Any other packet from the peer arrived (`tipc_link_rcv`): the peer is alive, and a
    /// link establishing may go up.
    pub(crate) fn traffic(&mut self) -> Option<Change> {
        self.silent_intv_cnt = 0;
        (self.state == LinkState::Establishing).then_some(Change::Up)
    }
}
