// SPDX-License-Identifier: GPL-2.0

//! The receive half of the reliable link (`tipc_link_rcv`): sequence numbers in, in order,
//! and acknowledgements out.
//!
//! A packet with the next sequence number is taken; every sixteenth one taken
//! (`TIPC_MIN_LINK_WIN`) is acknowledged at once in a `STATE`, the rest at the next
//! supervision tick or in any other `STATE`. An old or far-ahead number is a duplicate.
//!
//! Gap: there is no deferred queue yet. A packet ahead of the next one is dropped and
//! answered with a `STATE` naming the gap, which makes the peer retransmit from the next
//! one; the peer's probes get the same answer while the gap lasts. The deferred queue,
//! Gap ACK blocks and the send half come with issue 10.

use super::endpoint::{Change, Link};
use super::proto_msg::StateOpts;
use crate::proto::seqno::Seqno;
use crate::proto::wire::link_proto::{LinkMsgType, LinkProtoRepr};

/// `TIPC_MIN_LINK_WIN`: packets taken before an acknowledgement is sent at once.
pub(crate) const ACK_EVERY: u16 = 16;

/// `TIPC_MAX_LINK_WIN`: how far ahead of the next number a packet may be.
const MAX_AHEAD: u16 = 8191;

/// What became of a sequenced packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct SeqOutcome {
    /// The packet is the next one: deliver it.
    pub(crate) take: bool,
    /// The packet was old, or too far ahead.
    pub(crate) duplicate: bool,
    /// A link establishing went up with it (the packet itself is dropped, as in C).
    pub(crate) change: Option<Change>,
    /// A `STATE` to send: an acknowledgement, or a request to retransmit.
    pub(crate) reply: Option<LinkProtoRepr<'static>>,
}

impl Link {
    /// A packet with sequence number `seqno` arrived (any user but `LINK_PROTOCOL`).
    pub(crate) fn receive_seq(&mut self, seqno: u16) -> SeqOutcome {
        let mut out = SeqOutcome {
            change: self.traffic(),
            ..SeqOutcome::default()
        };
        if !self.is_up() {
            return out;
        }
        let next = Seqno(self.rcv_nxt);
        let seq = Seqno(seqno);
        if seq.less(next) || seq.more(Seqno(self.rcv_nxt.wrapping_add(MAX_AHEAD))) {
            out.duplicate = true;
            return out;
        }
        if seqno != self.rcv_nxt {
            out.reply = self.build_proto(
                LinkMsgType::State,
                StateOpts {
                    rcvgap: seqno.wrapping_sub(self.rcv_nxt),
                    ..StateOpts::default()
                },
            );
            return out;
        }
        self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
        self.rcv_unacked = self.rcv_unacked.saturating_add(1);
        if self.rcv_unacked >= ACK_EVERY {
            out.reply = self.build_proto(LinkMsgType::State, StateOpts::default());
        }
        out.take = true;
        out
    }

    /// The next sequence number expected from the peer.
    pub(crate) const fn rcv_nxt(&self) -> u16 {
        self.rcv_nxt
    }
}
