// SPDX-License-Identifier: GPL-2.0

//! Packets received ahead of the next one expected (`deferdq`), in sequence and each number
//! once: a unicast link's, and a peer's broadcast receive link's.

use super::buf::PacketBuf;
use crate::kalloc::{Flags, KVec};
use crate::proto::seqno::Seqno;
use crate::proto::wire::gap_ack::GapAck;
use crate::proto::wire::header::Packet;

fn seqno_of<B: PacketBuf>(b: &B) -> u16 {
    Packet::new_unchecked(b.bytes()).seqno()
}

/// The deferred queue. Its packets are checked packets whose sequence numbers lie within
/// `TIPC_MAX_LINK_WIN` after the next expected one, so it holds at most that many.
#[derive(Debug)]
pub(crate) struct Deferred<B> {
    q: KVec<B>,
}

impl<B> Default for Deferred<B> {
    fn default() -> Self {
        Self { q: KVec::new() }
    }
}

impl<B: PacketBuf> Deferred<B> {
    /// Packets held.
    pub(crate) fn len(&self) -> usize {
        self.q.len()
    }

    /// Nothing held.
    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Drops everything (link reset).
    pub(crate) fn clear(&mut self) {
        self.q.clear();
    }

    /// The first packet's sequence number.
    pub(crate) fn first_seqno(&self) -> Option<u16> {
        self.q.first().map(seqno_of)
    }

    /// Keeps `buf` in sequence; false if that number is held already, or there is no
    /// memory (the sender retransmits it).
    pub(crate) fn insert(&mut self, buf: B, flags: Flags) -> bool {
        let seqno = Seqno(seqno_of(&buf));
        let at = self
            .q
            .iter()
            .position(|b| !Seqno(seqno_of(b)).less(seqno))
            .unwrap_or(self.q.len());
        if self.q.get(at).is_some_and(|b| Seqno(seqno_of(b)) == seqno) {
            return false;
        }
        if self.q.reserve(1, flags).is_err() {
            return false;
        }
        self.q.insert_within_capacity(at, buf).is_ok()
    }

    /// The first packet, if its number is `seqno`.
    pub(crate) fn pop(&mut self, seqno: u16) -> Option<B> {
        if self.first_seqno() != Some(seqno) {
            return None;
        }
        self.q.remove(0).ok()
    }

    /// `__tipc_build_gap_ack_blks`: a block for each run of packets held, naming the last
    /// of the run before a gap and the gap's length; at most `N`, the last one without a
    /// gap if they all fit. Returns the blocks and how many there are.
    pub(crate) fn gap_ack_blocks<const N: usize>(&self) -> ([GapAck; N], u8) {
        let mut blocks = [GapAck { ack: 0, gap: 0 }; N];
        let mut n = 0;
        let mut it = self.q.iter().map(seqno_of);
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
                if n >= N {
                    return (blocks, n as u8);
                }
            }
            expect = seqno.wrapping_add(1);
        }
        if let Some(b) = blocks.get_mut(n) {
            *b = GapAck { ack: last, gap: 0 };
            n += 1;
        }
        (blocks, n as u8)
    }
}
