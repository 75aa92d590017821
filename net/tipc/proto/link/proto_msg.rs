// SPDX-License-Identifier: GPL-2.0

//! The link protocol messages a link builds (`tipc_link_build_proto_msg`).
//!
//! A link builds its messages with the broadcast fields as they are before the peer's
//! broadcast link is up (acknowledge not valid, 0, `redundant_link` clear); the node layer
//! writes them from the peer's broadcast receive link as the message leaves
//! (`node::bc_rcv`). `STATE` carries a Gap ACK record when the peer reads them (the
//! broadcast blocks the node layer adds, then blocks for what the unicast deferred queue
//! holds when it names a gap) and no domain record (the monitor is inactive below 32 peers).

use core::ops::{Deref, DerefMut};

use super::buf::PacketBuf;
use super::endpoint::Link;
use super::state::LinkState;
use super::stats::bump;
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::consts::INT_H_SIZE;
use crate::proto::wire::error::Result;
use crate::proto::wire::gap_ack::{self, GapAck, GapAckBlocks, MAX_GAP_ACK_BLKS};
use crate::proto::wire::header::Flags;
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// A Gap ACK record without blocks.
const NO_GAP_ACKS: [u8; 4] = [0, 4, 0, 0];

/// Unicast Gap ACK blocks a `STATE` carries at most (`MAX_GAP_ACK_BLKS / 2`).
pub(crate) const MAX_UC_GAP_ACKS: usize = MAX_GAP_ACK_BLKS / 2;

/// Broadcast Gap ACK blocks a `STATE` carries at most (the other half).
pub(crate) const MAX_BC_GAP_ACKS: usize = MAX_GAP_ACK_BLKS - MAX_UC_GAP_ACKS;

/// The longest protocol message a link sends: a `STATE` with every Gap ACK block.
pub(crate) const MAX_PROTO_MSG: usize = INT_H_SIZE + 4 + 4 * MAX_GAP_ACK_BLKS;

/// A link protocol message to send, with the Gap ACK blocks of a `STATE` (which its
/// representation cannot borrow from the link).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ProtoMsg {
    /// The message; a `STATE`'s Gap ACK record is written from `gacks` when emitted.
    pub(crate) repr: LinkProtoRepr<'static>,
    gacks: [GapAck; MAX_UC_GAP_ACKS],
    n_gacks: u8,
    bc_gacks: [GapAck; MAX_BC_GAP_ACKS],
    n_bc_gacks: u8,
}

impl ProtoMsg {
    pub(crate) fn new(repr: LinkProtoRepr<'static>) -> Self {
        Self {
            repr,
            gacks: [GapAck { ack: 0, gap: 0 }; MAX_UC_GAP_ACKS],
            n_gacks: 0,
            bc_gacks: [GapAck { ack: 0, gap: 0 }; MAX_BC_GAP_ACKS],
            n_bc_gacks: 0,
        }
    }

    /// The unicast Gap ACK blocks.
    pub(crate) fn gap_acks(&self) -> &[GapAck] {
        self.gacks.get(..usize::from(self.n_gacks)).unwrap_or(&[])
    }

    /// The broadcast Gap ACK blocks.
    pub(crate) fn bc_gap_acks(&self) -> &[GapAck] {
        self.bc_gacks
            .get(..usize::from(self.n_bc_gacks))
            .unwrap_or(&[])
    }

    /// Sets the broadcast Gap ACK blocks (as [`Deferred::gap_ack_blocks`] makes them); a
    /// message without a Gap ACK record keeps none.
    ///
    /// [`Deferred::gap_ack_blocks`]: super::deferred::Deferred::gap_ack_blocks
    pub(crate) fn set_bc_gap_acks(&mut self, (blocks, n): ([GapAck; MAX_BC_GAP_ACKS], u8)) {
        if matches!(
            self.repr.payload,
            LinkPayload::State {
                gap_acks: Some(_),
                ..
            }
        ) {
            self.bc_gacks = blocks;
            self.n_bc_gacks = n;
        }
    }

    /// Writes the message into `buf` (at least [`MAX_PROTO_MSG`] bytes); returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let mut m = self.repr;
        let mut rec = [0u8; 4 + 4 * MAX_GAP_ACK_BLKS];
        if let LinkPayload::State {
            gap_acks: Some(_),
            domain,
        } = m.payload
        {
            let n = gap_ack::emit(&mut rec, self.bc_gap_acks(), self.gap_acks())?;
            let g = GapAckBlocks::parse(rec.get(..n).unwrap_or(&[]))?;
            m.payload = LinkPayload::State {
                gap_acks: Some(g),
                domain,
            };
        }
        m.emit(buf)
    }
}

impl Deref for ProtoMsg {
    type Target = LinkProtoRepr<'static>;

    fn deref(&self) -> &Self::Target {
        &self.repr
    }
}

impl DerefMut for ProtoMsg {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.repr
    }
}

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

impl<B: PacketBuf> Link<B> {
    /// A message of `ty`, if the link sends one in its state: none while blocked, no
    /// `STATE` while down. A `STATE` counts in the protocol sequence; a probe or a probe's
    /// reply names the gap before the deferred queue.
    pub(crate) fn build_proto(&mut self, ty: LinkMsgType, mut opts: StateOpts) -> Option<ProtoMsg> {
        if self.state.is_blocked() || (ty == LinkMsgType::State && !self.is_up()) {
            return None;
        }
        if opts.probe || opts.probe_reply {
            if let Some(seqno) = self.deferdq.first_seqno() {
                opts.rcvgap = seqno.wrapping_sub(self.rcv_nxt);
            }
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
        let mut gacks = None;
        match ty {
            LinkMsgType::State => {
                self.rcv_unacked = 0;
                bump(&mut self.stats.sent_states);
                if self.peer_caps.has(Caps::LINK_PROTO_SEQNO) {
                    m.common.seqno = self.snd_nxt_state;
                    self.snd_nxt_state = self.snd_nxt_state.wrapping_add(1);
                }
                m.seq_gap = opts.rcvgap;
                m.probe = opts.probe;
                m.common.flags.dest_droppable = opts.probe || opts.probe_reply;
                let gap_acks = if self.peer_caps.has(Caps::GAP_ACK_BLOCK) {
                    if opts.rcvgap != 0 {
                        gacks = Some(self.deferdq.gap_ack_blocks());
                    }
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
        if opts.probe {
            bump(&mut self.stats.sent_probes);
        }
        if opts.rcvgap != 0 {
            bump(&mut self.stats.sent_nacks);
        }
        let mut msg = ProtoMsg::new(m);
        if let Some((blocks, n)) = gacks {
            msg.gacks = blocks;
            msg.n_gacks = n;
        }
        Some(msg)
    }

    /// `tipc_link_build_state_msg`: an acknowledgement sent at once.
    pub(crate) fn build_state_msg(&mut self) -> Option<ProtoMsg> {
        bump(&mut self.stats.sent_acks);
        self.build_proto(LinkMsgType::State, StateOpts::default())
    }

    /// The advertised MTU as `max_pkt` carries it: in 4-byte units, 16 bits.
    fn max_pkt(&self) -> u32 {
        (self.advertised_mtu & !3).min(0xffff * 4)
    }

    /// `tipc_link_build_reset_msg`: `RESET`, or `ACTIVATE` while establishing; a `RESET`
    /// sent right after the link went down says this end is stopping.
    pub(crate) fn build_reset_msg(&mut self) -> Option<ProtoMsg> {
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
