// SPDX-License-Identifier: GPL-2.0

//! Nagle on `SOCK_STREAM`: small sends are gathered into connection messages of at most
//! 1500 bytes and held while an acknowledgement is awaited (`tsk_set_nagle`,
//! `tipc_msg_append`, `tipc_sk_push_backlog`).
//!
//! A connection starts sending at once; after [`NAGLE_START_INIT`] sends with nothing
//! received in between, sends that fit a bundle go to the backlog. The last bundle of a
//! flush asks the reader for an acknowledgement; the next sends are held until it comes
//! (or until [`NAGLE_MAX_BLOCKS`] blocks wait). When acknowledged bundles carried fewer
//! than two sends each, bundling backs off: it starts only after twice as many one-way
//! sends, up to [`NAGLE_START_MAX`].

use crate::kalloc::{Flags, KVec};
use crate::proto::wire::consts::SHORT_H_SIZE;
use crate::proto::wire::header::Packet;

use super::ctrl::set_ack_required;
use super::effects::Backlog;
use super::flow::{blocks, NAGLE_MAX_BLOCKS};
use crate::proto::errno::Errno;

/// `NAGLE_START_INIT`: one-way sends before bundling starts.
pub(crate) const NAGLE_START_INIT: u32 = 4;
/// `NAGLE_START_MAX`: the most one-way sends bundling waits for after backing off.
pub(crate) const NAGLE_START_MAX: u32 = 1024;
/// The largest bundle to a peer on this node (`maxnagle` when the path's packet size is
/// `MAX_MSG_SIZE`), header included, so a local receive queue is not flooded.
pub(crate) const MAX_NAGLE_LOCAL: usize = 1500;

/// What became of bytes given to [`Nagle::append`].
#[derive(Debug)]
pub(crate) enum Appended {
    /// Held in the backlog until an acknowledgement comes; the send is complete.
    Held,
    /// Transmit these now; they count `blocks` against the window.
    Flush {
        /// The bundles, in order.
        msgs: Backlog,
        /// The blocks they count (the backlog's and the new ones).
        blocks: u16,
    },
}

/// A connection's Nagle state and backlog.
#[derive(Debug)]
pub(crate) struct Nagle {
    /// The largest bundle, header included; 0 when Nagle is off.
    max: usize,
    /// Sends without anything received before bundling starts (`nagle_start`).
    start: u32,
    /// Sends since something was last received (`oneway`).
    oneway: u32,
    /// Sends bundled since the last acknowledgement asked for (`msg_acc`).
    msg_acc: u16,
    /// Bundles sent since then (`pkt_cnt`).
    pkt_cnt: u16,
    /// Whether a bundle asked for an acknowledgement that has not come (`expect_ack`).
    expect_ack: bool,
    /// Blocks in the backlog, not yet counted as sent (`snd_backlog`).
    held_blocks: u16,
    /// The backlog: whole connection messages, the last one possibly still growing.
    queue: Backlog,
}

impl Default for Nagle {
    /// Off, nothing held.
    fn default() -> Self {
        Self {
            max: 0,
            start: NAGLE_START_INIT,
            oneway: 0,
            msg_acc: 0,
            pkt_cnt: 0,
            expect_ack: false,
            held_blocks: 0,
            queue: KVec::new(),
        }
    }
}

impl Nagle {
    /// Turns Nagle on for a stream socket without `TIPC_NODELAY` (the peer, on this node,
    /// supports it), off otherwise.
    pub(crate) fn configure(&mut self, stream: bool, nodelay: bool) {
        self.max = if stream && !nodelay {
            MAX_NAGLE_LOCAL
        } else {
            0
        };
    }

    /// The largest bundle, 0 when off.
    #[cfg(test)]
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Something arrived from the peer: the one-way count restarts.
    pub(crate) fn received(&mut self) {
        self.oneway = 0;
    }

    /// Decides whether the next `send` bytes go to a bundle, counting the send as one-way.
    pub(crate) fn bundles(&mut self, send: usize) -> bool {
        let due = self.oneway >= self.start;
        self.oneway = self.oneway.wrapping_add(1);
        due && self.max != 0 && send <= self.max
    }

    /// How many bundles are held.
    pub(crate) fn held(&self) -> usize {
        self.queue.len()
    }

    /// Whether bundles are held.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Appends `data` to the backlog behind `header` (the connection's 24-byte header),
    /// filling the last bundle up to the maximum before starting new ones, then decides
    /// whether to hold or send the backlog. Allocation failure is `ENOMEM`, with the bytes
    /// that fitted kept (as in C).
    pub(crate) fn append(
        &mut self,
        data: &[u8],
        header: &[u8; SHORT_H_SIZE],
        flags: Flags,
    ) -> Result<Appended, Errno> {
        let added = self.fill(data, header, flags)?;
        let total = self.held_blocks.wrapping_add(added);
        self.msg_acc = self.msg_acc.wrapping_add(1);
        if total <= NAGLE_MAX_BLOCKS && self.expect_ack {
            self.held_blocks = total;
            return Ok(Appended::Held);
        }
        if total > NAGLE_MAX_BLOCKS {
            self.pkt_cnt = self.pkt_cnt.wrapping_add(self.queue.len() as u16);
        } else {
            self.ask_ack();
            self.msg_acc = 0;
            self.pkt_cnt = 0;
        }
        self.held_blocks = 0;
        Ok(Appended::Flush {
            msgs: core::mem::take(&mut self.queue),
            blocks: total,
        })
    }

    /// Copies `data` into the backlog; returns the blocks it added.
    fn fill(
        &mut self,
        data: &[u8],
        header: &[u8; SHORT_H_SIZE],
        flags: Flags,
    ) -> Result<u16, Errno> {
        let mss = self.max.max(SHORT_H_SIZE + 1);
        let mut added: u16 = 0;
        let mut rest = data;
        loop {
            let tail_full = self.queue.last().is_none_or(|m| m.len() >= mss);
            if tail_full {
                let mut m = KVec::with_capacity(mss, flags).map_err(|_| Errno::ENOMEM)?;
                m.extend_from_slice(header, flags)
                    .map_err(|_| Errno::ENOMEM)?;
                set_len(&mut m);
                self.queue.push(m, flags).map_err(|_| Errno::ENOMEM)?;
                added = added.wrapping_add(1);
            }
            let Some(tail) = self.queue.last_mut() else {
                return Err(Errno::ENOMEM);
            };
            let before = blocks(tail.len());
            let n = rest.len().min(mss.saturating_sub(tail.len()));
            let (now, later) = rest.split_at(n);
            tail.extend_from_slice(now, flags)
                .map_err(|_| Errno::ENOMEM)?;
            set_len(tail);
            added = added.wrapping_add(blocks(tail.len()).wrapping_sub(before));
            rest = later;
            if rest.is_empty() {
                return Ok(added);
            }
        }
    }

    /// Marks the last bundle as asking for an acknowledgement, and expects one if there is
    /// a bundle.
    fn ask_ack(&mut self) {
        match self.queue.last_mut() {
            Some(tail) => {
                set_ack_required(tail);
                self.expect_ack = true;
            }
            None => self.expect_ack = false,
        }
    }

    /// Sends what is held (`tipc_sk_push_backlog`): after an acknowledgement that answered
    /// a bundle (`nagle_ack`), first judge how well bundling went. Returns the bundles to
    /// transmit and the blocks they count, or `None` when nothing is held.
    pub(crate) fn push(&mut self, nagle_ack: bool) -> Option<(Backlog, u16)> {
        if nagle_ack {
            self.pkt_cnt = self.pkt_cnt.wrapping_add(self.queue.len() as u16);
            if self.pkt_cnt == 0 || self.msg_acc / self.pkt_cnt < 2 {
                self.oneway = 0;
                if self.start < NAGLE_START_MAX {
                    self.start *= 2;
                }
                self.expect_ack = false;
            } else {
                self.start = NAGLE_START_INIT;
                self.ask_ack();
            }
            self.msg_acc = 0;
            self.pkt_cnt = 0;
        }
        if self.queue.is_empty() {
            return None;
        }
        if self.msg_acc != 0 {
            self.pkt_cnt = self.pkt_cnt.wrapping_add(self.queue.len() as u16);
        }
        let blocks = core::mem::take(&mut self.held_blocks);
        Some((core::mem::take(&mut self.queue), blocks))
    }

    /// Takes everything held, as a new message sent behind it does; returns the bundles and
    /// the blocks they count.
    pub(crate) fn take(&mut self) -> (Backlog, u16) {
        let blocks = core::mem::take(&mut self.held_blocks);
        (core::mem::take(&mut self.queue), blocks)
    }
}

/// Sets the size field of message `m` to its length.
fn set_len(m: &mut [u8]) {
    let len = m.len();
    Packet::new_unchecked(m).set_total_len(len);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;

    /// A connection header with no payload.
    const HDR: [u8; SHORT_H_SIZE] = [
        0x40, 0xc0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
    ];

    /// A Nagle state past its start, on.
    fn on() -> Nagle {
        let mut n = Nagle::default();
        n.configure(true, false);
        for _ in 0..NAGLE_START_INIT {
            assert!(!n.bundles(10));
        }
        n
    }

    #[test]
    fn off_for_seqpacket_and_nodelay() {
        let mut n = Nagle::default();
        n.configure(false, false);
        assert_eq!(n.max(), 0);
        n.configure(true, true);
        assert_eq!(n.max(), 0);
        for _ in 0..10 {
            assert!(!n.bundles(1));
        }
        n.configure(true, false);
        assert_eq!(n.max(), 1500);
        assert!(n.bundles(1500), "ten one-way sends already");
        assert!(!n.bundles(1501), "too big for a bundle");
        n.received();
        assert!(!n.bundles(1));
    }

    #[test]
    fn first_bundle_goes_out_asking_for_an_ack_then_sends_are_held() {
        let mut n = on();
        assert!(n.bundles(100));
        let Ok(Appended::Flush { msgs, blocks }) = n.append(&[7; 100], &HDR, GFP_KERNEL) else {
            panic!("not flushed");
        };
        assert_eq!((msgs.len(), blocks), (1, 1));
        let p = Packet::new_checked(&msgs[0][..]).unwrap();
        assert_eq!(p.total_len(), 124);
        assert!(p.flags().src_droppable, "ack required");
        assert!(matches!(
            n.append(&[1; 1000], &HDR, GFP_KERNEL),
            Ok(Appended::Held)
        ));
        assert!(matches!(
            n.append(&[2; 1000], &HDR, GFP_KERNEL),
            Ok(Appended::Held)
        ));
        let (msgs, blocks) = n.push(false).unwrap();
        assert_eq!(msgs.len(), 2, "1500 bytes each at most");
        assert_eq!(msgs[0].len(), 1500);
        assert_eq!(msgs[1].len(), 24 + 2000 - 1476);
        assert_eq!(&msgs[0][24..1024], &[1; 1000][..]);
        assert_eq!(blocks, 2 + 1);
        assert!(n.push(false).is_none());
    }

    #[test]
    fn backlog_over_64_blocks_is_sent() {
        let mut n = on();
        assert!(matches!(
            n.append(&[0; 10], &HDR, GFP_KERNEL),
            Ok(Appended::Flush { .. })
        ));
        let mut held = 0;
        loop {
            match n.append(&[0; 1400], &HDR, GFP_KERNEL).unwrap() {
                Appended::Held => held += 1,
                Appended::Flush { msgs, blocks } => {
                    assert!(blocks > 64);
                    let data: usize = msgs.iter().map(|m| m.len() - 24).sum();
                    assert_eq!(data, (held + 1) * 1400);
                    assert!(msgs.iter().all(|m| m.len() <= 1500));
                    break;
                }
            }
        }
        assert_eq!(held, 33, "about 2 blocks per send");
    }

    #[test]
    fn nagle_ack_judges_the_bundling() {
        let mut n = on();
        let _ = n.append(&[0; 10], &HDR, GFP_KERNEL);
        for _ in 0..4 {
            let _ = n.append(&[0; 10], &HDR, GFP_KERNEL);
        }
        let (msgs, _) = n.push(true).unwrap();
        assert_eq!(msgs.len(), 1);
        assert!(
            Packet::new_unchecked(&msgs[0][..]).flags().src_droppable,
            "well bundled: the flushed bundle asks again"
        );
        let mut poor = on();
        let _ = poor.append(&[0; 10], &HDR, GFP_KERNEL);
        assert!(poor.push(true).is_none());
        assert_eq!(poor.start, 2 * NAGLE_START_INIT);
        assert!(!poor.bundles(10), "one-way count restarted");
        poor.start = NAGLE_START_MAX;
        let _ = poor.push(true);
        assert_eq!(poor.start, NAGLE_START_MAX);
    }
}
