// SPDX-License-Identifier: GPL-2.0

//! Name distribution, the receiving half (`tipc_named_rcv`, `tipc_named_dequeue`,
//! `tipc_update_nametbl`) and the purge of a lost peer's bindings (`tipc_publ_notify`).
//!
//! A peer sends its cluster-scope bindings in `NAME_DISTRIBUTOR` messages: its whole table
//! in bulk when the link comes up, then one `PUBLICATION` or `WITHDRAWAL` per later change,
//! numbered by `named_seqno`. As in C 7.2, bulk messages and messages of legacy peers are
//! applied at once; the last bulk message gives the number the next update must carry and
//! opens the sequence; an update is applied when it carries that number, dropped when it is
//! older, and held otherwise until the updates before it have come. Each item is then
//! applied alone: a publication is inserted with the peer's address, cluster scope and no
//! limit; a withdrawal removes the publication it names; an item that does not apply (a
//! range with lower above upper, a duplicate, a withdrawal of nothing, an unknown message
//! type, no memory) is counted and skipped, as C skips it with a warning.
//!
//! Unlike C, a message whose originating node is not the peer whose link brought it, or
//! whose payload is not whole items, is dropped whole and counted, and a peer may have at
//! most [`MAX_HELD`] updates held.

use super::{
    addr::{Scope, ServiceRange, SocketAddr},
    publication::Publication,
    table::{Binding, NameTable, Published, Withdrawn},
};
use crate::kalloc::{Flags, KVec};
use crate::proto::seqno::Seqno;
use crate::proto::wire::{
    bundle::Unbundler,
    common::BcastWord,
    consts::{User, INT_H_SIZE},
    header::{start, Packet},
    name_distr::{NameItem, ITEM_SIZE},
};
use core::ops::ControlFlow;

/// The most updates held for one peer, waiting for those before them.
pub(crate) const MAX_HELD: usize = 1024;

/// `PUBLICATION`.
const PUBLICATION: u32 = 0;
/// `WITHDRAWAL`.
const WITHDRAWAL: u32 = 1;

/// A change the name table made, for the topology server.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Change {
    /// A peer's publication was inserted.
    Published(ServiceRange, Published),
    /// A peer's publication was removed.
    Withdrawn(Withdrawn),
}

/// What name distribution did with what it received.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "read by the tests until netlink reports them")
)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct DistrStats {
    /// Items applied.
    pub(crate) applied: u64,
    /// Items that did not apply: lower above upper, duplicate publications, withdrawals of
    /// nothing, unknown message types, no memory.
    pub(crate) refused: u64,
    /// Messages unreadable: not name distribution, not whole items, or from another node
    /// than the peer whose link brought them.
    pub(crate) malformed: u64,
    /// Updates older than the next one expected (C drops them).
    pub(crate) stale: u64,
    /// Updates dropped because the peer had [`MAX_HELD`] held, or without memory to hold.
    pub(crate) overflow: u64,
    /// Updates held at some point.
    pub(crate) held: u64,
}

/// An update waiting for those before it.
#[derive(Debug)]
struct Held {
    seqno: Seqno,
    msg_type: u32,
    items: KVec<NameItem>,
}

/// One peer's receive sequence (`named_rcv_nxt`, `named_open`, `namedq`).
#[derive(Debug)]
struct PeerSeq {
    node: u32,
    rcv_nxt: Seqno,
    open: bool,
    held: KVec<Held>,
}

/// Name distribution of one namespace, kept beside its name table under the same lock.
#[derive(Debug)]
pub(crate) struct Distributor {
    peers: KVec<PeerSeq>,
    /// The number of this node's next update (`nt->snd_nxt`).
    pub(crate) snd_nxt: u16,
    stats: DistrStats,
}

impl Default for Distributor {
    fn default() -> Self {
        Self::new()
    }
}

impl Distributor {
    /// No peer known; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            peers: KVec::new(),
            snd_nxt: 0,
            stats: DistrStats {
                applied: 0,
                refused: 0,
                malformed: 0,
                stale: 0,
                overflow: 0,
                held: 0,
            },
        }
    }

    /// The counters.
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "read by the tests until netlink reports them")
    )]
    pub(crate) fn stats(&self) -> DistrStats {
        self.stats
    }

    /// Updates held for `peer`.
    #[cfg(test)]
    pub(crate) fn held(&self, peer: u32) -> usize {
        self.peers
            .iter()
            .find(|p| p.node == peer)
            .map_or(0, |p| p.held.len())
    }

    /// A `NAME_DISTRIBUTOR` message `msg` the link to `peer` took: applies what it may to
    /// `table`, telling `f` of each change, and holds an update that comes early.
    pub(crate) fn receive(
        &mut self,
        table: &mut NameTable,
        peer: u32,
        msg: &[u8],
        flags: Flags,
        mut f: impl FnMut(Change),
    ) {
        let Some(p) = Packet::new_checked(msg)
            .ok()
            .filter(|p| p.user() == Some(User::NameDistributor))
            .filter(|p| p.orignode() == peer && peer != 0)
        else {
            self.stats.malformed += 1;
            return;
        };
        let data = p.payload_ref();
        if data.len() % ITEM_SIZE != 0 {
            self.stats.malformed += 1;
            return;
        }
        let msg_type = p.msg_type();
        let bulk = p.bits(1, 28, 1) != 0;
        let last_bulk = p.bits(1, 27, 1) != 0;
        let legacy = p.bits(1, 26, 1) == 0;
        let seqno = Seqno(p.bits(4, 0, 0xffff) as u16);
        let items = (0..data.len() / ITEM_SIZE).filter_map(|i| NameItem::read(data, i * ITEM_SIZE));

        let idx = match self.peers.iter().position(|s| s.node == peer) {
            Some(i) => i,
            None => {
                let new = PeerSeq {
                    node: peer,
                    rcv_nxt: Seqno(0),
                    open: false,
                    held: KVec::new(),
                };
                if self.peers.push(new, flags).is_err() {
                    self.stats.overflow += 1;
                    return;
                }
                self.peers.len() - 1
            }
        };
        let Some(seq) = self.peers.get_mut(idx) else {
            return;
        };
        if last_bulk {
            seq.rcv_nxt = seqno;
            seq.open = true;
        }
        if bulk || legacy {
            apply(table, &mut self.stats, peer, msg_type, items, flags, &mut f);
        } else if seq.open && seq.rcv_nxt == seqno {
            seq.rcv_nxt = seq.rcv_nxt.add(1);
            apply(table, &mut self.stats, peer, msg_type, items, flags, &mut f);
        } else if seqno.less(seq.rcv_nxt) {
            self.stats.stale += 1;
            return;
        } else {
            if seq.held.len() >= MAX_HELD {
                self.stats.overflow += 1;
                return;
            }
            let mut v = KVec::new();
            if v.reserve(data.len() / ITEM_SIZE, flags).is_err() {
                self.stats.overflow += 1;
                return;
            }
            for it in items {
                // Reserved above.
                let _ = v.push(it, flags);
            }
            let h = Held {
                seqno,
                msg_type,
                items: v,
            };
            if seq.held.push(h, flags).is_err() {
                self.stats.overflow += 1;
            } else {
                self.stats.held += 1;
            }
            return;
        }
        // What was held may follow now, in order.
        while let Some(h) = take_next(seq, &mut self.stats) {
            let items = h.items.iter().copied();
            apply(
                table,
                &mut self.stats,
                peer,
                h.msg_type,
                items,
                flags,
                &mut f,
            );
        }
    }

    /// `peer` is lost (`tipc_publ_notify`, `node_lost_contact`): its held updates are
    /// dropped and every publication it made is withdrawn, each told to `f`. Its sequence
    /// stays as it was, as C keeps it on the node.
    pub(crate) fn node_down(
        &mut self,
        table: &mut NameTable,
        peer: u32,
        flags: Flags,
        mut f: impl FnMut(Change),
    ) {
        if let Some(seq) = self.peers.iter_mut().find(|s| s.node == peer) {
            seq.held.clear();
        }
        table.remove_node(peer, flags, |w| f(Change::Withdrawn(w)));
    }
}

/// The `NAME_DISTRIBUTOR` messages of `bundle`, a `MSG_BUNDLER` packet a link took (its
/// other messages go to the sockets), up to the first unreadable one.
pub(crate) fn in_bundle(bundle: &[u8]) -> impl Iterator<Item = &[u8]> {
    let payload = Packet::new_checked(bundle).map_or(&[][..], |p| p.payload_ref());
    Unbundler::new(payload)
        .map_while(|m| m.ok())
        .filter(|m| m.user() == Some(User::NameDistributor))
        .map(|m| m.message_ref())
}

/// The next held update that is due (`tipc_named_dequeue` over the held ones), dropping
/// those that are older than the next expected.
fn take_next(seq: &mut PeerSeq, stats: &mut DistrStats) -> Option<Held> {
    let mut i = 0;
    while let Some(h) = seq.held.get(i) {
        if seq.open && h.seqno == seq.rcv_nxt {
            seq.rcv_nxt = seq.rcv_nxt.add(1);
            return seq.held.remove(i).ok();
        }
        if h.seqno.less(seq.rcv_nxt) {
            let _ = seq.held.remove(i);
            stats.stale += 1;
            continue;
        }
        i += 1;
    }
    None
}

/// Applies each item of an update from `peer` (`tipc_update_nametbl`).
fn apply(
    table: &mut NameTable,
    stats: &mut DistrStats,
    peer: u32,
    msg_type: u32,
    items: impl Iterator<Item = NameItem>,
    flags: Flags,
    f: &mut impl FnMut(Change),
) {
    for it in items {
        let done = it.lower <= it.upper && {
            let range = ServiceRange {
                ty: it.service,
                lower: it.lower,
                upper: it.upper,
            };
            let sk = SocketAddr {
                port: it.port,
                node: peer,
            };
            match msg_type {
                PUBLICATION => table
                    .insert(range, sk, Scope::Cluster, it.key, flags)
                    .map(|p| f(Change::Published(range, p)))
                    .is_ok(),
                WITHDRAWAL => table
                    .remove(range, sk, it.key)
                    .map(|w| f(Change::Withdrawn(w)))
                    .is_some(),
                _ => false,
            }
        };
        if done {
            stats.applied += 1;
        } else {
            stats.refused += 1;
        }
    }
}

/// A `NAME_DISTRIBUTOR` message from `own` to `dest` in a new buffer, with room for `count`
/// items (written by [`put_item`]), flagged as `bulk`, `last_bulk`, with `seqno`, as
/// `named_prepare_buf` and its callers make them (non-legacy; a bulk message's broadcast
/// acknowledgement invalid).
#[allow(clippy::too_many_arguments)]
fn build(
    own: u32,
    dest: u32,
    withdraw: bool,
    bulk: bool,
    last_bulk: bool,
    seqno: u16,
    count: usize,
    flags: Flags,
) -> Option<KVec<u8>> {
    let len = INT_H_SIZE + count * ITEM_SIZE;
    let mut buf = KVec::new();
    buf.reserve(len, flags).ok()?;
    for _ in 0..len {
        buf.push(0, flags).ok()?;
    }
    let msg_type = if withdraw { WITHDRAWAL } else { PUBLICATION };
    let n = start(
        &mut buf,
        User::NameDistributor,
        msg_type,
        INT_H_SIZE,
        len - INT_H_SIZE,
    )
    .ok()?;
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.set_bits(1, 28, 1, bulk.into());
    p.set_bits(1, 27, 1, last_bulk.into());
    p.set_bits(1, 26, 1, 1);
    p.set_bits(4, 0, 0xffff, seqno.into());
    BcastWord::Unicast {
        bc_ack_invalid: bulk,
    }
    .emit(&mut p);
    p.set_prevnode(own);
    p.set_orignode(own);
    p.set_destnode(dest);
    (n == len).then_some(buf)
}

/// Writes binding `b` as item `i` of a message [`build`] made (`publ_to_item`).
fn put_item(buf: &mut [u8], i: usize, b: &Binding) -> bool {
    let it = NameItem {
        service: b.range.ty,
        lower: b.range.lower,
        upper: b.range.upper,
        port: b.sk.port,
        key: b.key,
    };
    it.write(buf, INT_H_SIZE + i * ITEM_SIZE)
}

impl Distributor {
    /// This node's cluster-scope binding `b` was made or withdrawn
    /// (`tipc_named_publish`, `tipc_named_withdraw`): the update's number, taken from
    /// `snd_nxt`; `None` for a node-scope binding, which is not distributed.
    pub(crate) fn local_change(&mut self, b: &Binding) -> Option<u16> {
        if b.scope != Scope::Cluster {
            return None;
        }
        let seqno = self.snd_nxt;
        self.snd_nxt = self.snd_nxt.wrapping_add(1);
        Some(seqno)
    }

    /// The update message for a binding [`Distributor::local_change`] numbered `seqno`,
    /// from `own` to `dest`.
    pub(crate) fn update_msg(
        own: u32,
        dest: u32,
        withdraw: bool,
        seqno: u16,
        b: &Binding,
        flags: Flags,
    ) -> Option<KVec<u8>> {
        let mut m = build(own, dest, withdraw, false, false, seqno, 1, flags)?;
        put_item(&mut m, 0, b).then_some(m)
    }

    /// `tipc_named_node_up`: this node's cluster-scope bindings for the new peer `dest`, in
    /// bulk messages of as many whole items as fit in `mss` less a header
    /// (`named_distribute`); the last one says so and carries the number of this node's
    /// next update. Each message goes to `send`; false if memory ran out before all were
    /// built. Without any binding, one empty last bulk message opens the peer's sequence.
    pub(crate) fn bulk(
        &self,
        table: &NameTable,
        dest: u32,
        mss: u32,
        flags: Flags,
        mut send: impl FnMut(KVec<u8>),
    ) -> bool {
        let own = table.own_node();
        let per_msg = ((mss as usize).saturating_sub(INT_H_SIZE) / ITEM_SIZE).max(1);
        let mine = |p: &Publication| p.scope == Scope::Cluster && table.is_own(p.sk.node);
        let mut total = 0usize;
        let _ = table.visit_bindings(mine, |_| {
            total += 1;
            ControlFlow::<()>::Continue(())
        });
        let seqno = self.snd_nxt;
        if total == 0 {
            return match build(own, dest, false, true, true, seqno, 0, flags) {
                Some(m) => {
                    send(m);
                    true
                }
                None => false,
            };
        }
        let mut done = 0usize;
        let mut cur: Option<(KVec<u8>, usize, usize)> = None;
        let r = table.visit_bindings(mine, |b| {
            let (msg, i, k) = match cur.take() {
                Some(c) => c,
                None => {
                    let k = per_msg.min(total - done);
                    let last = done + k == total;
                    let s = if last { seqno } else { 0 };
                    let Some(m) = build(own, dest, false, true, last, s, k, flags) else {
                        return ControlFlow::Break(());
                    };
                    (m, 0, k)
                }
            };
            let mut msg = msg;
            put_item(&mut msg, i, &b);
            if i + 1 == k {
                done += k;
                send(msg);
            } else {
                cur = Some((msg, i + 1, k));
            }
            ControlFlow::Continue(())
        });
        r.is_continue() && done == total
    }
}
