// SPDX-License-Identifier: GPL-2.0

//! The send half of the reliable link (`tipc_link_xmit`, `tipc_link_advance_backlog`,
//! `tipc_link_advance_transmq`, `link_retransmit_failure`, `tipc_link_update_cwin`).
//!
//! A packet entering the transmit queue gets the next sequence number and the current
//! acknowledgements in its header; a duplicate goes to the bearer and the original stays
//! until the peer acknowledges it. The transmit queue holds at most the window, which
//! starts at the bearer's minimum, grows in slow start up to the threshold, then by one per
//! window of acknowledgements up to the maximum, halves (to at least 300) on retransmission
//! and falls back to the minimum when a tick finds nothing sent. Beyond the window packets
//! wait in the backlog, each importance up to its limit; a message that finds its
//! importance's backlog full is still queued but the sender is told `ELINKCONG` and woken
//! when there is room again (one message over the limit per sender, as C allows); a system
//! message that finds it full is refused with `ENOBUFS`, which takes the link down.
//!
//! Acknowledgements (in every packet from the peer) release the transmit queue; a `STATE`
//! naming a gap, and its Gap ACK blocks, make the link retransmit what the peer lacks, each
//! packet at most once a millisecond. When the first missing packet has been retransmitted
//! for ten times the tolerance without being acknowledged, the link fails.
//!
//! An acknowledgement of a packet not sent yet, or Gap ACK blocks out of order or beyond what
//! was sent, are counted ([`Link::bogus_acks`]) and ignored; C would release its whole queue.

use super::buf::PacketBuf;
use super::endpoint::{Change, Link, TxPkt, Waiter, IMPORTANCES};
use super::proto_msg::ProtoMsg;
use super::state::LinkEvent;
use super::stats::bump;
use crate::kalloc::{Flags, KVec, GFP_ATOMIC};
use crate::proto::errno::Errno;
use crate::proto::seqno::Seqno;
use crate::proto::wire::bundle::BundleRepr;
use crate::proto::wire::common::{BcastWord, Common};
use crate::proto::wire::consts::{Importance, User, INT_H_SIZE};
use crate::proto::wire::fragment::{FragType, FragmentRepr, Fragmenter};
use crate::proto::wire::gap_ack::GapAck;
use crate::proto::wire::header::Packet;

/// `TIPC_UC_RETR_TIME`: a packet is retransmitted at most once in this long (ms).
const RETR_TIME: u64 = 1;
/// The slow start threshold never drops below this.
const MIN_SSTHRESH: u32 = 300;

/// Where a link's outputs go.
pub(crate) trait LinkOut<B> {
    /// A data packet to send to the peer on the link's bearer.
    fn transmit(&mut self, buf: B);
    /// A message for this node (a data or connection message, a bundle, a reassembled
    /// message), of `user`.
    fn deliver(&mut self, user: User, buf: B);
    /// A socket waiting for the link may send again.
    fn wakeup(&mut self, port: u32);
    /// A link protocol message to send to the peer (an acknowledgement or a NACK).
    fn control(&mut self, msg: ProtoMsg);
    /// The last broadcast packet taken from the peer, which every sequenced packet
    /// carries (`bcast_ack`).
    fn bcast_ack(&self) -> u16;
    /// The time now (ms).
    fn now(&self) -> u64;
    /// Allocation flags of the caller's context.
    fn flags(&self) -> Flags;
}

/// `msg_importance`: a data message's user unless it is returned, a fragment's or bundle's
/// word 9, else system.
pub(crate) fn importance<T: AsRef<[u8]>>(p: &Packet<T>) -> usize {
    match p.user() {
        Some(u @ (User::Low | User::Medium | User::High | User::Critical)) if p.errcode() == 0 => {
            u as usize
        }
        Some(User::MsgFragmenter | User::MsgBundler) => {
            (p.bits(9, 0, 7) as usize).min(IMPORTANCES - 1)
        }
        _ => Importance::System as usize,
    }
}

/// `BUF_ALIGN`: messages in a bundle start at multiples of 4.
const fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// What became of a message for the backlog.
enum Bundled<B> {
    /// It joined a bundle.
    Joined,
    /// It goes to the backlog, and the next message of its importance may join it.
    Target(B),
    /// It goes to the backlog as it is.
    No(B),
}

/// What releasing the transmit queue did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Advance {
    /// Packets released.
    pub(crate) released: u32,
    /// Whether anything was retransmitted.
    pub(crate) retransmitted: bool,
    /// The link failed: retransmission did not get through.
    pub(crate) change: Option<Change>,
}

impl<B: PacketBuf> Link<B> {
    /// Sends `buf`, a message for the peer whose header is complete but for the link fields
    /// (`tipc_node_xmit` for the link chosen): cut into fragments of [`Link::mss`] bytes if it
    /// is longer (as C's socket layer cuts at `tipc_node_get_mtu`), then queued. `Err(ELINKCONG)` means the message was queued but the sender must
    /// wait for [`LinkOut::wakeup`]; `EMSGSIZE`, `ENOBUFS` and `ENOMEM` that it was not.
    pub(crate) fn send(&mut self, buf: B, out: &mut impl LinkOut<B>) -> Result<(), Errno> {
        let flags = out.flags();
        let mut list = KVec::new();
        let (len, port) = {
            let p = Packet::new_checked(buf.bytes()).map_err(|_| Errno::EINVAL)?;
            (p.total_len(), p.origport())
        };
        let mss = self.mss() as usize;
        if len <= mss {
            list.push(buf, flags).map_err(|_| Errno::ENOMEM)?;
            return self.xmit(list, port, out);
        }
        let frags = {
            let p = Packet::new_checked(buf.bytes()).map_err(|_| Errno::EINVAL)?;
            let repr = FragmentRepr {
                msg_type: FragType::First,
                common: Common {
                    prevnode: p.prevnode(),
                    ..Common::default()
                },
                fragm_no: 1,
                nof_fragms: 0,
                word5: BcastWord::default(),
                orignode: p.prevnode(),
                // The link's peer: a connection message's short header names no node.
                destnode: self.addr,
                importance: Importance::from_bits(importance(&p) as u32)
                    .unwrap_or(Importance::System),
            };
            Fragmenter::new(p.message(), mss, repr).map_err(|_| Errno::EMSGSIZE)?
        };
        list.reserve(frags.fragments(), flags)
            .map_err(|_| Errno::ENOMEM)?;
        for f in frags {
            let Some(pkt) = buf.fragment(&f.header, f.data, flags) else {
                return Err(Errno::ENOMEM);
            };
            list.push(pkt, flags).map_err(|_| Errno::ENOMEM)?;
        }
        self.xmit(list, port, out)
    }

    /// `tipc_link_xmit`: queues `list`, the packets of one message sent by `port`, in the
    /// transmit queue while the window has room, the rest in the backlog. (C takes the port
    /// to wake from the first packet's header, which for a fragmented message is the
    /// fragment number; the sender's port is what is meant.)
    pub(crate) fn xmit(
        &mut self,
        list: KVec<B>,
        port: u32,
        out: &mut impl LinkOut<B>,
    ) -> Result<(), Errno> {
        let Some(first) = list.first() else {
            return Ok(());
        };
        let p = Packet::new_checked(first.bytes()).map_err(|_| Errno::EINVAL)?;
        if p.total_len() > self.mtu as usize {
            return Err(Errno::EMSGSIZE);
        }
        let imp = importance(&p);
        let n = list.len();
        let flags = out.flags();
        // Room first, so that no packet given a sequence number can be lost.
        if self.transmq.reserve(n, flags).is_err() || self.backlogq.reserve(n, flags).is_err() {
            return Err(Errno::ENOBUFS);
        }
        let mut rc = Ok(());
        let full = self.backlog_len.get(imp) >= self.backlog_limit.get(imp);
        if full {
            if imp == Importance::System as usize {
                return Err(Errno::ENOBUFS);
            }
            if self.wakeupq.push(Waiter { port, imp }, flags).is_err() {
                return Err(Errno::ENOBUFS);
            }
            bump(&mut self.stats.link_congs);
            rc = Err(Errno::ELINKCONG);
        }
        if n > 1 {
            bump(&mut self.stats.sent_fragmented);
            self.stats.sent_fragments = self.stats.sent_fragments.wrapping_add(n as u32);
        }
        let mut rest = list.into_iter();
        while let Some(buf) = rest.next() {
            if self.transmq.len() < self.window as usize {
                self.enqueue(buf, out);
                continue;
            }
            let buf = match self.try_bundle(imp, buf, flags) {
                Bundled::Joined => continue,
                Bundled::Target(buf) => {
                    self.bundle_target[imp] = Some(self.backlog_base + self.backlogq.len() as u64);
                    self.push_backlog(imp, buf);
                    continue;
                }
                Bundled::No(buf) => buf,
            };
            self.bundle_target[imp] = None;
            self.push_backlog(imp, buf);
            for buf in rest.by_ref() {
                self.push_backlog(imp, buf);
            }
        }
        rc
    }

    /// Appends `buf` to the backlog, whose room was reserved.
    fn push_backlog(&mut self, imp: usize, buf: B) {
        if let Some(c) = self.backlog_len.get_mut(imp) {
            *c += 1;
        }
        // Reserved by `xmit`: does not allocate.
        let _ = self.backlogq.push(buf, GFP_ATOMIC);
    }

    /// `tipc_msg_try_bundle`: a message for the backlog joins the last backlogged packet of
    /// its importance if both fit in [`Link::mss`] (that packet becoming a bundle if it was
    /// not one), or becomes the packet the next one may join; fragments, tunnelled and
    /// broadcast protocol packets, and messages too large to share a packet, are not
    /// bundled.
    fn try_bundle(&mut self, imp: usize, buf: B, flags: Flags) -> Bundled<B> {
        let mss = self.mss() as usize;
        let msz = {
            let p = Packet::new_unchecked(buf.bytes());
            if matches!(
                p.user(),
                Some(User::MsgFragmenter | User::TunnelProtocol | User::BcastProtocol)
            ) {
                return Bundled::No(buf);
            }
            p.total_len()
        };
        if mss <= INT_H_SIZE + msz {
            return Bundled::No(buf);
        }
        let Some(at) = self.bundle_target.get(imp).copied().flatten() else {
            return Bundled::Target(buf);
        };
        let Some(i) = at.checked_sub(self.backlog_base).map(|i| i as usize) else {
            return Bundled::Target(buf);
        };
        let Some(target) = self.backlogq.get_mut(i) else {
            return Bundled::Target(buf);
        };
        let (tuser, tsz, tprev, timp) = {
            let t = Packet::new_unchecked(target.bytes());
            (t.user(), t.total_len(), t.prevnode(), importance(&t))
        };
        let mut new_bundle = false;
        if tuser != Some(User::MsgBundler) {
            if mss < align(INT_H_SIZE + tsz) + msz {
                return Bundled::Target(buf);
            }
            let repr = BundleRepr {
                common: Common {
                    prevnode: tprev,
                    ..Common::default()
                },
                word5: BcastWord::default(),
                orignode: tprev,
                destnode: self.addr,
                msgcnt: 1,
                importance: Importance::from_bits(timp as u32).unwrap_or(Importance::System),
            };
            let mut hdr = [0u8; INT_H_SIZE];
            if repr.emit(&mut hdr, &[]).is_err() {
                return Bundled::Target(buf);
            }
            Packet::new_unchecked(&mut hdr[..]).set_total_len(INT_H_SIZE + tsz);
            let Some(mut bundle) = target.fragment(&hdr, 0..tsz, flags) else {
                return Bundled::Target(buf);
            };
            if !bundle.reserve_tail(mss.saturating_sub(bundle.len()), flags) {
                return Bundled::Target(buf);
            }
            *target = bundle;
            new_bundle = true;
        }
        let bsz = Packet::new_unchecked(target.bytes()).total_len();
        let offset = align(bsz);
        if mss < offset + msz {
            return Bundled::Target(buf);
        }
        if let Err(buf) = target.append(buf, 0, offset - bsz, flags) {
            return Bundled::Target(buf);
        }
        let mut p = Packet::new_unchecked(target.bytes_mut());
        p.set_total_len(offset + msz);
        let cnt = p.bits(9, 16, 0xffff);
        p.set_bits(9, 16, 0xffff, cnt + 1);
        if new_bundle {
            bump(&mut self.stats.sent_bundles);
            bump(&mut self.stats.sent_bundled);
        }
        bump(&mut self.stats.sent_bundled);
        Bundled::Joined
    }

    /// Gives `buf` the next sequence number and the acknowledgements, sends a duplicate and
    /// keeps it in the transmit queue (whose room was reserved). Without memory for the
    /// duplicate the packet is sent later, by retransmission.
    fn enqueue(&mut self, mut buf: B, out: &mut impl LinkOut<B>) {
        let seqno = self.snd_nxt;
        {
            let mut p = Packet::new_unchecked(buf.bytes_mut());
            p.set_seqno(seqno);
            p.set_ack(self.rcv_nxt.wrapping_sub(1));
            p.set_bcast_ack(out.bcast_ack());
        }
        if let Some(d) = buf.dup(out.flags()) {
            out.transmit(d);
        }
        let pkt = TxPkt {
            buf,
            seqno,
            nxt_retr: out.now() + RETR_TIME,
            retr_cnt: 0,
            retr_stamp: 0,
            acked: false,
        };
        if self.transmq.push(pkt, out.flags()).is_err() {
            // Not reached: room was reserved. The number is not used then.
            return;
        }
        self.rcv_unacked = 0;
        bump(&mut self.stats.sent_pkts);
        self.snd_nxt = seqno.wrapping_add(1);
    }

    /// `tipc_link_advance_backlog`: moves backlogged packets into the window.
    pub(crate) fn advance_backlog(&mut self, out: &mut impl LinkOut<B>) {
        while self.transmq.len() < self.window as usize && !self.backlogq.is_empty() {
            if self.transmq.reserve(1, out.flags()).is_err() {
                break;
            }
            let Ok(buf) = self.backlogq.remove(0) else {
                break;
            };
            let imp = importance(&Packet::new_unchecked(buf.bytes()));
            if let Some(t) = self.bundle_target.get_mut(imp) {
                if *t == Some(self.backlog_base) {
                    *t = None;
                }
            }
            self.backlog_base += 1;
            if let Some(c) = self.backlog_len.get_mut(imp) {
                *c = c.saturating_sub(1);
            }
            self.enqueue(buf, out);
        }
    }

    /// Whether `acked` (the peer's acknowledgement) names a packet sent.
    pub(super) fn ack_valid(&self, acked: u16) -> bool {
        !Seqno(acked).more(Seqno(self.snd_nxt.wrapping_sub(1)))
    }

    /// Gap ACK blocks in order and within what was sent, after `acked`.
    fn blocks_valid(&self, acked: u16, blocks: &[GapAck]) -> bool {
        let last = Seqno(self.snd_nxt.wrapping_sub(1));
        let mut prev = Seqno(acked);
        for (i, b) in blocks.iter().enumerate() {
            let ack = Seqno(b.ack);
            // Each block acknowledges up to `ack`; only the last may have no gap after it.
            if ack.less(prev) || ack.more(last) || (b.gap == 0 && i + 1 != blocks.len()) {
                return false;
            }
            let next = ack.add(b.gap);
            if next.more(last) {
                return false;
            }
            prev = next;
        }
        true
    }

    /// `tipc_link_advance_transmq` for a unicast link: releases what `acked` and the Gap
    /// ACK `blocks` acknowledge, and retransmits the `gap` packets after `acked` and those
    /// between the blocks. Bogus acknowledgements are counted and ignored.
    pub(crate) fn advance_transmq(
        &mut self,
        acked: u16,
        gap: u16,
        blocks: &[GapAck],
        out: &mut impl LinkOut<B>,
    ) -> Advance {
        let mut adv = Advance::default();
        if !self.ack_valid(acked) {
            self.bogus_acks = self.bogus_acks.saturating_add(1);
            return adv;
        }
        let blocks = if self.blocks_valid(acked, blocks) {
            blocks
        } else {
            self.bogus_acks = self.bogus_acks.saturating_add(1);
            &[]
        };
        let now = out.now();
        let flags = out.flags();
        let ack = self.rcv_nxt.wrapping_sub(1);
        let bcast_ack = out.bcast_ack();
        let fail_after = u64::from(self.tolerance) * 10;
        let (mut nacked, mut ngap, mut n) = (acked, gap, 0);
        let mut failed = false;
        'walk: for pkt in self.transmq.iter_mut() {
            let seq = Seqno(pkt.seqno);
            loop {
                if seq.less_eq(Seqno(nacked)) {
                    pkt.acked = true;
                } else if seq.less_eq(Seqno(nacked).add(ngap)) {
                    // The first missing packet: has it been retransmitted for too long?
                    if pkt.seqno == acked.wrapping_add(1)
                        && pkt.retr_cnt != 0
                        && now > pkt.retr_stamp + fail_after
                    {
                        failed = true;
                        break 'walk;
                    }
                    if now < pkt.nxt_retr {
                        break;
                    }
                    pkt.nxt_retr = now + RETR_TIME;
                    let Some(mut d) = pkt.buf.dup(flags) else {
                        break;
                    };
                    {
                        let mut p = Packet::new_unchecked(d.bytes_mut());
                        p.set_ack(ack);
                        p.set_bcast_ack(bcast_ack);
                    }
                    out.transmit(d);
                    bump(&mut self.stats.retransmitted);
                    adv.retransmitted = true;
                    if pkt.retr_cnt == 0 {
                        pkt.retr_stamp = now;
                    }
                    pkt.retr_cnt += 1;
                } else {
                    let Some(b) = blocks.get(n) else {
                        break 'walk;
                    };
                    nacked = b.ack;
                    ngap = b.gap;
                    n += 1;
                    continue;
                }
                break;
            }
        }
        let before = self.transmq.len();
        self.transmq.retain(|p| !p.acked);
        adv.released = (before - self.transmq.len()) as u32;
        if failed {
            adv.change = self.fsm(LinkEvent::Failure);
        }
        adv
    }

    /// `tipc_link_update_cwin`.
    pub(crate) fn update_cwin(&mut self, released: u32, retransmitted: bool) {
        let cwin = self.window;
        if retransmitted {
            self.ssthresh = (cwin / 2).max(MIN_SSTHRESH);
            self.window = self.ssthresh.min(cwin);
            return;
        }
        if released == 0 {
            self.ssthresh = (cwin / 2).max(MIN_SSTHRESH);
            self.window = self.min_win;
            return;
        }
        let txq = self.transmq.len() as u32;
        if txq + (self.backlogq.len() as u32) < cwin {
            return;
        }
        if let Some(head) = self.transmq.first() {
            if u32::from(self.snd_nxt.wrapping_sub(head.seqno)) != txq {
                return;
            }
        }
        self.cong_acks += released;
        if cwin <= self.ssthresh {
            self.window = (cwin + released).min(self.max_win);
            return;
        }
        if self.cong_acks < cwin {
            return;
        }
        self.window = (cwin + 1).min(self.max_win);
        self.cong_acks = 0;
    }

    /// `link_prepare_wakeup`: wakes as many waiting senders of each importance as its
    /// backlog has room for.
    pub(crate) fn prepare_wakeup(&mut self, out: &mut impl LinkOut<B>) {
        let mut avail = [0i64; IMPORTANCES];
        for (i, a) in avail.iter_mut().enumerate() {
            let lim = self.backlog_limit.get(i).copied().unwrap_or(0);
            let len = self.backlog_len.get(i).copied().unwrap_or(0);
            *a = i64::from(lim) - i64::from(len);
        }
        self.wakeupq.retain(|w| match avail.get_mut(w.imp) {
            Some(a) if *a > 0 => {
                *a -= 1;
                out.wakeup(w.port);
                false
            }
            _ => true,
        });
    }

    /// After an acknowledgement released `adv.released` packets (and maybe retransmitted):
    /// the window, the backlog and the waiting senders follow.
    pub(crate) fn after_ack(&mut self, adv: &Advance, out: &mut impl LinkOut<B>) {
        if adv.released != 0 || adv.retransmitted {
            self.update_cwin(adv.released, adv.retransmitted);
        }
        if adv.released != 0 {
            self.advance_backlog(out);
        }
        if !self.wakeupq.is_empty() {
            self.prepare_wakeup(out);
        }
    }
}
