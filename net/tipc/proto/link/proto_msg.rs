// SPDX-License-Identifier: GPL-2.0

//! The link protocol messages a link builds (`tipc_link_build_proto_msg`).
//!
//! No broadcast link yet: every message says its broadcast acknowledge is not valid, the
//! broadcast fields are 0 and `redundant_link` is clear, as the C module sends them before
//! its broadcast link to the peer is up. `STATE` carries a Gap ACK record when the peer
//! reads them (blocks for what the deferred queue holds when it names a gap, else none) and
//! no domain record (the monitor is inactive below 32 peers).

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
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// A Gap ACK record without blocks.
const NO_GAP_ACKS: [u8; 4] = [0, 4, 0, 0];

/// Unicast Gap ACK blocks a `STATE` carries at most (`MAX_GAP_ACK_BLKS / 2`).
pub(crate) const MAX_UC_GAP_ACKS: usize = MAX_GAP_ACK_BLKS / 2;

/// The longest protocol message a link sends: a `STATE` with every Gap ACK block.
pub(crate) const MAX_PROTO_MSG: usize = INT_H_SIZE + 4 + 4 * MAX_UC_GAP_ACKS;

/// A link protocol message to send, with the Gap ACK blocks of a `STATE` (which its
/// representation cannot borrow from the link).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ProtoMsg {
    /// The message; a `STATE`'s Gap ACK record is written from `gacks` when emitted.
    pub(crate) repr: LinkProtoRepr<'static>,
    gacks: [GapAck; MAX_UC_GAP_ACKS],
    n_gacks: u8,
}

impl ProtoMsg {
    fn new(repr: LinkProtoRepr<'static>) -> Self {
        Self {
            repr,
            gacks: [GapAck { ack: 0, gap: 0 }; MAX_UC_GAP_ACKS],
            n_gacks: 0,
        }
    }

    /// The unicast Gap ACK blocks.
    pub(crate) fn gap_acks(&self) -> &[GapAck] {
        self.gacks.get(..usize::from(self.n_gacks)).unwrap_or(&[])
    }

    /// Writes the message into `buf` (at least [`MAX_PROTO_MSG`] bytes); returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let mut m = self.repr;
        let mut rec = [0u8; 4 + 4 * MAX_UC_GAP_ACKS];
        if let LinkPayload::State {
            gap_acks: Some(_),
            domain,
        } = m.payload
        {
            let n = gap_ack::emit(&mut rec, &[], self.gap_acks())?;
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
            if let Some(head) = self.deferdq.first() {
                let seqno = Packet::new_unchecked(head.bytes()).seqno();
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
                        gacks = Some(self.gap_ack_blocks());
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

    /// `__tipc_build_gap_ack_blks` over the deferred queue: a block for each run of
    /// packets held, naming the last of the run before a gap and the gap's length; at most
    /// [`MAX_UC_GAP_ACKS`], the last one without a gap if they all fit.
    fn gap_ack_blocks(&self) -> ([GapAck; MAX_UC_GAP_ACKS], u8) {
        let mut blocks = [GapAck { ack: 0, gap: 0 }; MAX_UC_GAP_ACKS];
        let mut n = 0;
        let mut it = self
            .deferdq
            .iter()
            .map(|b| Packet::new_unchecked(b.bytes()).seqno());
        let Some(first) = it.next() else {
            return (blocks, 0);
        };
        let mut expect = first.wrapping_add(1);
        let mut last = first;
        for seqno in it {
            last = seqno;
            if seqno != expect {
                if let Some(b) = blocks.get_mut(n) {
                    *b = GapAck {
                        ack: expect.wrapping_sub(1),
                        gap: seqno.wrapping_sub(expect),
                    };
                }
                n += 1;
                if n >= MAX_UC_GAP_ACKS {
                    return (blocks, n as u8);
                }
            }
            expect = seqno.wrapping_add(1);
        }
        if let Some(b) = blocks.get_mut(n) {
            *b = GapAck { ack: last, gap: 0 };
        }
        (blocks, n as u8 + 1)
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
