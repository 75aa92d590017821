// SPDX-License-Identifier: GPL-2.0

//! The receive half of the reliable link (`tipc_link_rcv`, `tipc_link_input`,
//! `tipc_data_input`): sequence numbers in, in order, and acknowledgements out.
//!
//! A packet with the next sequence number is taken, and after it those the deferred queue
//! holds in sequence; every sixteenth one taken (`TIPC_MIN_LINK_WIN`) is acknowledged at
//! once in a `STATE`, the rest at the next supervision tick or in any other `STATE`. A
//! packet ahead of the next one (at most `TIPC_MAX_LINK_WIN` ahead, so the deferred queue
//! holds at most that many) is kept in the deferred queue, in sequence; the third packet
//! deferred and every sixteenth after it ask the peer for the gap in a `STATE`
//! (`tipc_link_build_nack_msg`), as do the replies to its probes while the gap lasts. An
//! old or far-ahead number is a duplicate. The acknowledgement every packet carries
//! releases the transmit queue.
//!
//! Taken packets go up by user: data, connection and bundles as they are (the glue
//! unbundles), fragments through reassembly as one message; the rest is delivered too, for
//! the node layer to sort out.

use super::buf::PacketBuf;
use super::endpoint::{Change, Link};
use super::proto_msg::{ProtoMsg, StateOpts};
use super::send::{Advance, LinkOut};
use super::state::LinkEvent;
use super::stats::bump;
use crate::proto::seqno::Seqno;
use crate::proto::wire::consts::User;
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::LinkMsgType;

/// `TIPC_MIN_LINK_WIN`: packets taken before an acknowledgement is sent at once.
pub(crate) const ACK_EVERY: u16 = 16;

/// `TIPC_MAX_LINK_WIN`: how far ahead of the next number a packet may be.
pub(crate) const MAX_AHEAD: u16 = 8191;

/// What became of a sequenced packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct SeqOutcome {
    /// Packets taken in sequence (this one and any deferred it released).
    pub(crate) taken: u32,
    /// The packet was deferred.
    pub(crate) deferred: bool,
    /// The packet was old, too far ahead, or deferred already.
    pub(crate) duplicate: bool,
    /// The packet acknowledged more than this end sent: it is not of this session (a
    /// packet of the link's previous session that arrived after the link came back, or a
    /// forgery), so it was dropped.
    pub(crate) bogus: bool,
    /// The link went up with it (the packet itself is dropped, as in C), or failed.
    pub(crate) change: Option<Change>,
}

impl<B: PacketBuf> Link<B> {
    /// A packet in the link's sequence arrived (any user but `LINK_PROTOCOL`): `buf`, a
    /// checked packet.
    pub(crate) fn receive_data(&mut self, buf: B, out: &mut impl LinkOut<B>) -> SeqOutcome {
        let mut res = SeqOutcome {
            change: self.traffic(),
            ..SeqOutcome::default()
        };
        if !self.is_up() {
            return res;
        }
        let (seqno, ack) = {
            let p = Packet::new_unchecked(buf.bytes());
            (p.seqno(), p.ack())
        };
        let next = Seqno(self.rcv_nxt);
        let seq = Seqno(seqno);
        if seq.less(next) || seq.more(Seqno(self.rcv_nxt.wrapping_add(MAX_AHEAD))) {
            bump(&mut self.stats.duplicates);
            res.duplicate = true;
            return res;
        }
        // Unlike C, which takes such a packet and releases its whole transmit queue.
        if !self.ack_valid(ack) {
            self.bogus_acks = self.bogus_acks.saturating_add(1);
            res.bogus = true;
            return res;
        }
        let adv = self.advance_transmq(ack, 0, &[], out);
        if seqno != self.rcv_nxt {
            res.deferred = true;
            if !self.deferdq.insert(buf, out.flags()) {
                bump(&mut self.stats.duplicates);
                res.duplicate = true;
            }
            if let Some(m) = self.build_nack() {
                out.control(m);
            }
        } else {
            let mut next = Some(buf);
            while let Some(b) = next.take() {
                self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
                bump(&mut self.stats.recv_pkts);
                res.taken += 1;
                if let Some(c) = self.input(b, out) {
                    res.change = Some(c);
                }
                self.rcv_unacked = self.rcv_unacked.saturating_add(1);
                if self.rcv_unacked >= ACK_EVERY {
                    if let Some(m) = self.build_state_msg() {
                        out.control(m);
                    }
                }
                if res.change.is_some() {
                    break;
                }
                next = self.deferdq.pop(self.rcv_nxt);
            }
        }
        if adv.released != 0 && res.change.is_none() {
            let adv = Advance {
                retransmitted: false,
                ..adv
            };
            self.after_ack(&adv, out);
        }
        res
    }

    /// `tipc_link_build_nack_msg`: counts the deferred packet; with 3, 19, 35, ... packets
    /// deferred asks for the gap before the first.
    fn build_nack(&mut self) -> Option<ProtoMsg> {
        bump(&mut self.stats.deferred_recv);
        let len = self.deferdq.len();
        if len < 3 || (len - 3) % 16 != 0 {
            return None;
        }
        let head = self.deferdq.first_seqno()?;
        let rcvgap = head.wrapping_sub(self.rcv_nxt);
        self.build_proto(
            LinkMsgType::State,
            StateOpts {
                rcvgap,
                ..StateOpts::default()
            },
        )
    }

    /// `tipc_data_input` and `tipc_link_input`: a packet taken in sequence goes up; a
    /// fragment through reassembly, whose failure fails the link.
    fn input(&mut self, buf: B, out: &mut impl LinkOut<B>) -> Option<Change> {
        let p = Packet::new_unchecked(buf.bytes());
        let user = p.user()?;
        match user {
            User::MsgBundler => {
                bump(&mut self.stats.recv_bundles);
                let cnt = p.bits(9, 16, 0xffff);
                self.stats.recv_bundled = self.stats.recv_bundled.wrapping_add(cnt);
                out.deliver(user, buf);
            }
            User::MsgFragmenter => {
                bump(&mut self.stats.recv_fragments);
                match self.reasm.push(buf, out.flags()) {
                    Ok(Some(msg)) => {
                        bump(&mut self.stats.recv_fragmented);
                        let inner = Packet::new_unchecked(msg.bytes()).user();
                        match inner {
                            Some(u) => out.deliver(u, msg),
                            None => return None,
                        }
                    }
                    Ok(None) => {}
                    Err(_) => return self.fsm(LinkEvent::Failure),
                }
            }
            u => out.deliver(u, buf),
        }
        None
    }

    /// The next sequence number expected from the peer.
    pub(crate) const fn rcv_nxt(&self) -> u16 {
        self.rcv_nxt
    }
}
