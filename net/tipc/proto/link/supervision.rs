// SPDX-License-Identifier: GPL-2.0

//! Supervision (`tipc_link_timeout`), run at each of the node's timer ticks, and the
//! tolerance and priority changes a link announces to its peer.
//!
//! An established link counts the ticks since it last heard from its peer (below 32 peers
//! every peer is monitored, so each tick counts) and probes when the count is not 0 or it
//! sent nothing new since the last tick. At the first tick that finds the count above the
//! abort limit (tolerance / tick interval) the link fails: with the default 1500 ms and
//! 375 ms ticks, at the sixth tick after the peer's last message, 1875 to 2250 ms after it.
//! A tick also acknowledges what was taken since the last acknowledgement.
//! A reset link sends `RESET` at its first five ticks, then every sixteenth; an establishing
//! one sends `ACTIVATE` at every tick.

use super::buf::PacketBuf;
use super::endpoint::{Change, Link};
use super::proto_msg::{ProtoMsg, StateOpts};
use super::state::{LinkEvent, LinkState};
use crate::proto::wire::consts::{User, INT_H_SIZE};
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::LinkMsgType;

/// What a tick did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Tick {
    /// The link failed.
    pub(crate) change: Option<Change>,
    /// The message to send.
    pub(crate) msg: Option<ProtoMsg>,
}

impl<B: PacketBuf> Link<B> {
    /// One tick of the node's timer; `bc_unacked`: broadcast packets from the peer were
    /// taken and not yet acknowledged, which a `STATE` does.
    pub(crate) fn timeout(&mut self, bc_unacked: bool) -> Tick {
        let (ty, send, probe) = match self.state {
            LinkState::Established => {
                if self.silent_intv_cnt > self.abort_limit {
                    return Tick {
                        change: self.fsm(LinkEvent::Failure),
                        msg: None,
                    };
                }
                self.profile_stats();
                let state = bc_unacked || self.rcv_unacked != 0 || !self.transmq.is_empty();
                let mut probe = self.silent_intv_cnt != 0;
                self.silent_intv_cnt += 1;
                probe |= !self.deferdq.is_empty();
                if self.snd_nxt == self.checkpoint {
                    self.update_cwin(0, false);
                    probe = true;
                }
                self.checkpoint = self.snd_nxt;
                (LinkMsgType::State, probe || state, probe)
            }
            LinkState::Reset => {
                let early = self.rst_cnt <= 4;
                self.rst_cnt = self.rst_cnt.wrapping_add(1);
                (LinkMsgType::Reset, early || self.rst_cnt % 16 == 0, false)
            }
            LinkState::Establishing => (LinkMsgType::Activate, true, false),
            LinkState::Resetting | LinkState::PeerReset => return Tick::default(),
        };
        let opts = StateOpts {
            probe,
            ..StateOpts::default()
        };
        Tick {
            change: None,
            msg: if send {
                self.build_proto(ty, opts)
            } else {
                None
            },
        }
    }

    /// `tipc_link_set_tolerance`: a new tolerance, announced in a `STATE` if the link is up.
    pub(crate) fn set_tolerance(&mut self, tol: u32) -> Option<ProtoMsg> {
        self.tolerance = tol;
        let tolerance = u16::try_from(tol).unwrap_or(u16::MAX);
        self.announce(StateOpts {
            tolerance,
            ..StateOpts::default()
        })
    }

    /// `tipc_link_set_prio`: a new priority, announced in a `STATE` if the link is up (the
    /// peer takes it and resets its end).
    pub(crate) fn set_priority(&mut self, prio: u32) -> Option<ProtoMsg> {
        self.priority = prio;
        let priority = u8::try_from(prio).unwrap_or(u8::MAX);
        self.announce(StateOpts {
            priority,
            ..StateOpts::default()
        })
    }

    fn announce(&mut self, opts: StateOpts) -> Option<ProtoMsg> {
        self.build_proto(LinkMsgType::State, opts)
    }

    /// `link_profile_stats`: the transmit queue's length, and the length of the message at
    /// its head (a fragmented message's, at its first fragment).
    fn profile_stats(&mut self) {
        let s = &mut self.stats;
        s.accu_queue_sz = s.accu_queue_sz.wrapping_add(self.transmq.len() as u32);
        s.queue_sz_counts = s.queue_sz_counts.wrapping_add(1);
        let Some(head) = self.transmq.first() else {
            return;
        };
        let p = Packet::new_unchecked(head.buf.bytes());
        let mut length = p.total_len() as u32;
        if p.user() == Some(User::MsgFragmenter) {
            if p.msg_type() != 0 {
                return;
            }
            let inner = p.buffer().get(INT_H_SIZE..).unwrap_or(&[]);
            if inner.len() < 4 {
                return;
            }
            length = Packet::new_unchecked(inner).total_len() as u32;
        }
        s.profile_length(length);
    }
}
