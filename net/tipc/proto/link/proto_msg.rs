// SPDX-License-Identifier: GPL-2.0

//! The link protocol messages a link builds (`tipc_link_build_proto_msg`).
//!
//! No broadcast link yet: every message says its broadcast acknowledge is not valid, the
//! broadcast fields are 0 and `redundant_link` is clear, as the C module sends them before
//! its broadcast link to the peer is up. `STATE` carries an empty Gap ACK record when the
//! peer reads them and no domain record (the monitor is inactive below 32 peers).

use super::endpoint::Link;
use super::state::LinkState;
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::gap_ack::GapAckBlocks;
use crate::proto::wire::header::Flags;
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// A Gap ACK record without blocks.
const NO_GAP_ACKS: [u8; 4] = [0, 4, 0, 0];

/// What a `STATE` message is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct StateOpts {
    /// Ask for a reply.
    pub(crate) probe: bool,
    /// Answer a probe.
    pub(crate) probe_reply: bool,
    /// Packets missing after the acknowledged one.
    pub(crate) rcvgap: u16,
    /// A tolerance to announce, or 0.
    pub(crate) tolerance: u16,
    /// A priority to announce, or 0.
    pub(crate) priority: u8,
}

impl Link {
    /// A message of `ty`, if the link sends one in its state: none while blocked, no
    /// `STATE` while down. A `STATE` counts in the protocol sequence.
    pub(crate) fn build_proto(
        &mut self,
        ty: LinkMsgType,
        opts: StateOpts,
    ) -> Option<LinkProtoRepr<'static>> {
        if self.state.is_blocked() || (ty == LinkMsgType::State && !self.is_up()) {
            return None;
        }
        let mut m = LinkProtoRepr {
            msg_type: ty,
            common: Common {
                flags: Flags::default(),
                bcast_ack: 0,
                ack: self.rcv_nxt.wrapping_sub(1),
                seqno: self.snd_nxt.wrapping_add(u16::MAX / 2),
                prevnode: self.own_addr,
            },
            seq_gap: 0,
            dest_session: None,
            last_bcast: 0,
            next_sent: self.snd_nxt,
            session: self.session,
            bc_ack_invalid: true,
            peer_stopping: false,
            redundant_link: false,
            bearer_id: self.bearer.index() as u8,
            priority: opts.priority,
            net_plane: self.net_plane,
            probe: false,
            orignode: self.own_addr,
            destnode: self.addr,
            bc_gap: 0,
            max_pkt: 0,
            tolerance: opts.tolerance,
            payload: LinkPayload::IfName(self.if_name),
        };
        match ty {
            LinkMsgType::State => {
                self.rcv_unacked = 0;
                if self.peer_caps.has(Caps::LINK_PROTO_SEQNO) {
                    m.common.seqno = self.snd_nxt_state;
                    self.snd_nxt_state = self.snd_nxt_state.wrapping_add(1);
                }
                m.seq_gap = opts.rcvgap;
                m.probe = opts.probe;
                m.common.flags.dest_droppable = opts.probe || opts.probe_reply;
                let gap_acks = if self.peer_caps.has(Caps::GAP_ACK_BLOCK) {
                    GapAckBlocks::parse(&NO_GAP_ACKS).ok()
                } else {
                    None
                };
                m.payload = LinkPayload::State {
                    gap_acks,
                    domain: None,
                };
            }
            LinkMsgType::Activate => {
                m.dest_session = Some(self.peer_session);
                m.max_pkt = self.max_pkt();
            }
            LinkMsgType::Reset => m.max_pkt = self.max_pkt(),
        }
        Some(m)
    }

    /// The advertised MTU as `max_pkt` carries it: in 4-byte units, 16 bits.
    fn max_pkt(&self) -> u32 {
        (self.advertised_mtu & !3).min(0xffff * 4)
    }

    /// `tipc_link_build_reset_msg`: `RESET`, or `ACTIVATE` while establishing; a `RESET`
    /// sent right after the link went down says this end is stopping.
    pub(crate) fn build_reset_msg(&mut self) -> Option<LinkProtoRepr<'static>> {
        let ty = if self.state == LinkState::Establishing {
            LinkMsgType::Activate
        } else {
            LinkMsgType::Reset
        };
        let mut m = self.build_proto(ty, StateOpts::default())?;
        m.peer_stopping = self.state == LinkState::Reset;
        Some(m)
    }
}
