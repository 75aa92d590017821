// SPDX-License-Identifier: GPL-2.0

//! Name distribution received: bulk and updates in sequence, held and stale updates,
//! hostile messages, and a lost peer's bindings withdrawn.

use super::{sk, sr, OWN, PEER, PEER2};
use crate::{
    kalloc::GFP_KERNEL,
    proto::{
        name_table::{
            addr::Scope,
            distr::{Change, Distributor, MAX_HELD},
            lookup::Anycast,
            table::{Binding, NameTable},
        },
        wire::{
            common::{BcastWord, Common},
            header::Packet,
            name_distr::{emit_items, NameDistrRepr, NameItem, NameItems, NameMsgType},
        },
    },
};
use core::ops::ControlFlow;
use std::{vec, vec::Vec};

/// How a message is flagged.
#[derive(Clone, Copy)]
enum Kind {
    /// A bulk message, not the last.
    Bulk,
    /// The last bulk message.
    LastBulk,
    /// A later update.
    Update,
    /// From a legacy peer: no sequence.
    Legacy,
}

fn item(ty: u32, lower: u32, upper: u32, port: u32, key: u32) -> NameItem {
    NameItem {
        service: ty,
        lower,
        upper,
        port,
        key,
    }
}

/// A message from `orig` with `items`; `lower > upper` items are written as they are.
fn msg(withdraw: bool, kind: Kind, seqno: u16, orig: u32, items: &[NameItem]) -> Vec<u8> {
    let mut ib = vec![0u8; items.len() * 20];
    emit_items(&mut ib, items).unwrap();
    // Written with valid ranges, then patched: the codec refuses lower > upper.
    let valid: Vec<NameItem> = items
        .iter()
        .map(|i| NameItem {
            lower: 0,
            upper: 0,
            ..*i
        })
        .collect();
    let mut vb = vec![0u8; items.len() * 20];
    emit_items(&mut vb, &valid).unwrap();
    let r = NameDistrRepr {
        msg_type: if withdraw {
            NameMsgType::Withdrawal
        } else {
            NameMsgType::Publication
        },
        common: Common::default(),
        bulk: matches!(kind, Kind::Bulk | Kind::LastBulk),
        last_bulk: matches!(kind, Kind::LastBulk),
        non_legacy: !matches!(kind, Kind::Legacy),
        named_seqno: seqno,
        word5: BcastWord::default(),
        orignode: orig,
        destnode: OWN,
        items: NameItems::parse(&vb).unwrap(),
    };
    let mut b = vec![0u8; 40 + ib.len()];
    r.emit(&mut b).unwrap();
    b[40..].copy_from_slice(&ib);
    b
}

fn publ(kind: Kind, seqno: u16, items: &[NameItem]) -> Vec<u8> {
    msg(false, kind, seqno, PEER, items)
}

fn wdrw(kind: Kind, seqno: u16, items: &[NameItem]) -> Vec<u8> {
    msg(true, kind, seqno, PEER, items)
}

struct Fixture {
    t: NameTable,
    d: Distributor,
    changes: Vec<Change>,
}

impl Fixture {
    fn new() -> Self {
        Self {
            t: NameTable::new(OWN, false),
            d: Distributor::new(),
            changes: Vec::new(),
        }
    }

    fn rx_from(&mut self, peer: u32, m: &[u8]) {
        let c = &mut self.changes;
        self.d
            .receive(&mut self.t, peer, m, GFP_KERNEL, |x| c.push(x));
    }

    fn rx(&mut self, m: &[u8]) {
        self.rx_from(PEER, m);
    }

    /// Every binding in the table, in table order.
    fn bindings(&self) -> Vec<Binding> {
        let mut v = Vec::new();
        let _ = self.t.visit_bindings(
            |_| true,
            |b| {
                v.push(b);
                ControlFlow::<()>::Continue(())
            },
        );
        v
    }

    fn take(&mut self) -> Vec<Change> {
        core::mem::take(&mut self.changes)
    }
}

fn bnd(ty: u32, lower: u32, upper: u32, port: u32, node: u32, key: u32) -> Binding {
    Binding {
        range: sr(ty, lower, upper),
        sk: sk(port, node),
        key,
        scope: Scope::Cluster,
    }
}

#[test]
fn bulk_then_updates_in_sequence() {
    let mut f = Fixture::new();
    f.rx(&publ(
        Kind::Bulk,
        0,
        &[item(0, PEER, PEER, 0, PEER), item(1000, 1, 5, 7, 8)],
    ));
    f.rx(&publ(Kind::LastBulk, 10, &[item(1000, 1, 5, 9, 10)]));
    assert_eq!(
        f.bindings(),
        [
            bnd(0, PEER, PEER, 0, PEER, PEER),
            bnd(1000, 1, 5, 9, PEER, 10),
            bnd(1000, 1, 5, 7, PEER, 8)
        ]
    );
    let ch = f.take();
    assert_eq!(ch.len(), 3);
    assert!(matches!(ch[1], Change::Published(r, p) if r == sr(1000, 1, 5) && p.first));
    assert!(
        matches!(ch[2], Change::Published(_, p) if !p.first && p.publication.sk == sk(9, PEER))
    );

    // 10 is next: 11 and 12 wait for it; 9 is stale.
    f.rx(&publ(Kind::Update, 12, &[item(2000, 3, 3, 12, 13)]));
    f.rx(&wdrw(Kind::Update, 11, &[item(1000, 1, 5, 7, 8)]));
    assert_eq!(f.d.held(PEER), 2);
    assert!(f.take().is_empty());
    f.rx(&publ(Kind::Update, 9, &[item(3000, 1, 1, 1, 1)]));
    assert_eq!(f.d.stats().stale, 1);
    f.rx(&publ(Kind::Update, 10, &[item(2000, 1, 1, 10, 11)]));
    assert_eq!(f.d.held(PEER), 0);
    let ch = f.take();
    assert_eq!(ch.len(), 3);
    assert!(matches!(ch[0], Change::Published(r, _) if r == sr(2000, 1, 1)));
    assert!(matches!(ch[1], Change::Withdrawn(w) if w.range == sr(1000, 1, 5) && !w.last));
    assert!(matches!(ch[2], Change::Published(r, _) if r == sr(2000, 3, 3)));
    assert_eq!(f.bindings().len(), 4);
    assert_eq!(f.d.stats().applied, 6);
    assert_eq!(f.d.stats().refused, 0);

    // Withdrawing the last publication of a range says so.
    f.rx(&wdrw(Kind::Update, 13, &[item(1000, 1, 5, 9, 10)]));
    assert!(matches!(f.take()[..], [Change::Withdrawn(w)] if w.last));
}

#[test]
fn updates_before_the_bulk_wait_and_legacy_goes_at_once() {
    let mut f = Fixture::new();
    // Not open yet: a withdrawal ahead of its publication waits.
    f.rx(&wdrw(Kind::Update, 3, &[item(100, 1, 1, 5, 6)]));
    f.rx(&publ(Kind::Update, 2, &[item(100, 1, 1, 5, 6)]));
    assert_eq!(f.d.held(PEER), 2);
    f.rx(&publ(Kind::LastBulk, 2, &[item(100, 7, 7, 5, 7)]));
    assert_eq!(f.d.held(PEER), 0);
    assert_eq!(f.bindings(), [bnd(100, 7, 7, 5, PEER, 7)]);
    assert_eq!(f.take().len(), 3);

    // A legacy peer's messages go as they come, without sequence.
    let mut g = Fixture::new();
    g.rx(&publ(Kind::Legacy, 40000, &[item(100, 1, 1, 5, 6)]));
    g.rx(&wdrw(Kind::Legacy, 7, &[item(100, 1, 1, 5, 6)]));
    assert!(g.bindings().is_empty());
    assert_eq!(g.d.stats().applied, 2);
}

#[test]
fn each_item_alone() {
    let mut f = Fixture::new();
    f.rx(&publ(
        Kind::LastBulk,
        0,
        &[
            item(100, 5, 1, 1, 1),        // lower above upper
            item(100, 1, 5, 1, 1),        // fine
            item(100, 1, 5, 1, 1),        // duplicate
            item(100, 0, u32::MAX, 2, 2), // overlapping, fine
            item(100, 3, 3, 3, 3),        // nested, fine
        ],
    ));
    assert_eq!(f.bindings().len(), 3);
    assert_eq!(f.d.stats().applied, 3);
    assert_eq!(f.d.stats().refused, 2);
    // A withdrawal of nothing, of another node's, of another key.
    f.rx(&wdrw(
        Kind::Update,
        0,
        &[
            item(100, 1, 5, 9, 1),
            item(100, 1, 5, 1, 2),
            item(100, 1, 4, 1, 1),
        ],
    ));
    assert_eq!(f.d.stats().refused, 5);
    assert_eq!(f.bindings().len(), 3);
    // Another peer cannot withdraw this one's.
    f.rx_from(
        PEER2,
        &msg(true, Kind::Legacy, 0, PEER2, &[item(100, 1, 5, 1, 1)]),
    );
    assert_eq!(f.bindings().len(), 3);
    // An unknown message type: every item refused, the sequence goes on.
    let mut m = publ(Kind::Update, 1, &[item(200, 1, 1, 1, 1)]);
    Packet::new_unchecked(&mut m[..]).set_bits(1, 29, 7, 5);
    f.rx(&m);
    assert_eq!(f.d.stats().refused, 7);
    f.rx(&publ(Kind::Update, 2, &[item(200, 1, 1, 1, 1)]));
    assert_eq!(f.bindings().len(), 4);
    assert!(f.t.lookup_anycast(200, 1, 0) == Anycast::Found(sk(1, PEER)));
}

#[test]
fn hostile_messages_are_counted_and_dropped() {
    let mut f = Fixture::new();
    let good = publ(Kind::LastBulk, 0, &[item(100, 1, 1, 1, 1)]);
    // From a node other than the link's peer, or claiming to be this node or none.
    f.rx_from(PEER2, &good);
    f.rx_from(
        0,
        &msg(false, Kind::LastBulk, 0, 0, &[item(100, 1, 1, 1, 1)]),
    );
    f.rx(&msg(
        false,
        Kind::LastBulk,
        0,
        OWN,
        &[item(100, 1, 1, 1, 1)],
    ));
    // Not whole items.
    let mut part = good.clone();
    part.push(0);
    Packet::new_unchecked(&mut part[..]).set_total_len(61);
    f.rx(&part);
    // Truncated below its header, another user, garbage.
    f.rx(&good[..39]);
    let mut other = good.clone();
    other[0] = (other[0] & 0xe1) | (7 << 1);
    f.rx(&other);
    f.rx(&[]);
    assert_eq!(f.d.stats().malformed, 7);
    assert!(f.bindings().is_empty());
    assert!(f.take().is_empty());

    // Many items in one message.
    let many: Vec<NameItem> = (0..3000).map(|i| item(100, i, i, 1, i)).collect();
    f.rx(&publ(Kind::LastBulk, 0, &many));
    assert_eq!(f.bindings().len(), 3000);

    // Updates far ahead are held up to the limit.
    for s in 0..MAX_HELD as u16 + 10 {
        f.rx(&publ(
            Kind::Update,
            100 + s,
            &[item(300, 1, 1, 1, u32::from(s))],
        ));
    }
    assert_eq!(f.d.held(PEER), MAX_HELD);
    assert_eq!(f.d.stats().overflow, 10);

    // Random bytes and mutations of a good message: no panic.
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..2000 {
        let mut m = publ(
            Kind::Update,
            next() as u16,
            &[item(400, 1, 9, 2, 3), item(401, 0, 0, 2, 4)],
        );
        for _ in 0..(next() % 4) {
            let at = (next() as usize) % m.len();
            m[at] ^= next() as u8;
        }
        let cut = (next() as usize) % (m.len() + 1);
        if next() % 4 == 0 {
            m.truncate(cut);
        }
        f.rx(&m);
    }
}

#[test]
fn lost_peer_withdrawn() {
    let mut f = Fixture::new();
    f.t.publish(sr(100, 1, 1), sk(1, OWN), Scope::Cluster, 2, GFP_KERNEL)
        .unwrap();
    f.rx(&publ(
        Kind::LastBulk,
        0,
        &[item(100, 1, 1, 5, 6), item(100, 2, 9, 5, 7)],
    ));
    f.rx_from(
        PEER2,
        &msg(false, Kind::LastBulk, 0, PEER2, &[item(100, 1, 1, 8, 9)]),
    );
    f.rx(&publ(Kind::Update, 5, &[item(100, 3, 3, 5, 8)]));
    assert_eq!(f.d.held(PEER), 1);
    f.take();
    let c = &mut f.changes;
    f.d.node_down(&mut f.t, PEER, GFP_KERNEL, |x| c.push(x));
    let ch = f.take();
    assert_eq!(ch.len(), 2);
    assert!(matches!(ch[0], Change::Withdrawn(w) if w.range == sr(100, 1, 1) && !w.last));
    assert!(matches!(ch[1], Change::Withdrawn(w) if w.range == sr(100, 2, 9) && w.last));
    assert_eq!(f.d.held(PEER), 0);
    assert_eq!(
        f.bindings(),
        [bnd(100, 1, 1, 8, PEER2, 9), bnd(100, 1, 1, 1, OWN, 2)]
    );
    // This node's own are never purged so.
    f.d.node_down(&mut f.t, OWN, GFP_KERNEL, |_| panic!());
    f.d.node_down(&mut f.t, 0, GFP_KERNEL, |_| panic!());
    // The sequence stays: the next update is still 0 (the last bulk's number).
    f.rx(&publ(Kind::Update, 0, &[item(100, 4, 4, 5, 9)]));
    assert_eq!(f.bindings().len(), 3);
}

#[test]
fn lost_peer_with_many_bindings() {
    let mut f = Fixture::new();
    let many: Vec<NameItem> = (0..500)
        .map(|i| item(100 + i % 7, i, i + 3, i, i))
        .collect();
    f.rx(&publ(Kind::LastBulk, 0, &many));
    f.rx_from(PEER2, &msg(false, Kind::LastBulk, 0, PEER2, &many));
    assert_eq!(f.bindings().len(), 1000);
    let mut n = 0;
    f.d.node_down(&mut f.t, PEER2, GFP_KERNEL, |_| n += 1);
    assert_eq!(n, 500);
    assert!(f.bindings().iter().all(|b| b.sk.node == PEER));
}

#[test]
fn c_bulk_from_the_capture() {
    // Frame 53 of `c-two-nodes.pcap`: the C node 0x5255_0000's bulk, its node state binding.
    let hex = "5740003c1c00000000000002525500000000000300004000525500005256000000000000000000000000000052550000525500000000000052550000";
    let bulk: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut t = NameTable::new(0x5256_0000, false);
    let mut d = Distributor::new();
    let mut ch = Vec::new();
    d.receive(&mut t, 0x5255_0000, &bulk, GFP_KERNEL, |c| ch.push(c));
    assert!(
        matches!(ch[..], [Change::Published(r, p)] if r == sr(0, 0x5255_0000, 0x5255_0000)
        && p.first && p.publication.sk == sk(0, 0x5255_0000) && p.publication.key == 0x5255_0000
        && p.publication.scope == Scope::Cluster)
    );
    // The sequence is open at 3, the bulk's number (C's `snd_nxt` then).
    d.receive(
        &mut t,
        0x5255_0000,
        &msg(
            false,
            Kind::Update,
            3,
            0x5255_0000,
            &[item(1000, 1, 1, 7, 8)],
        ),
        GFP_KERNEL,
        |c| ch.push(c),
    );
    assert_eq!(ch.len(), 2);
    assert_eq!(
        t.lookup_anycast(1000, 1, 0),
        Anycast::Found(sk(7, 0x5255_0000))
    );
}

#[test]
fn bulk_and_updates_sent() {
    // This node's cluster bindings go; node-scope ones and peers' stay.
    let mut f = Fixture::new();
    for i in 0..150 {
        f.t.publish(sr(100, i, i), sk(7, OWN), Scope::Cluster, i, GFP_KERNEL)
            .unwrap();
    }
    f.t.publish(sr(100, 1, 1), sk(8, OWN), Scope::Node, 1, GFP_KERNEL)
        .unwrap();
    f.rx_from(
        PEER2,
        &msg(false, Kind::LastBulk, 0, PEER2, &[item(100, 1, 1, 8, 9)]),
    );
    f.d.snd_nxt = 77;
    let mut out: Vec<Vec<u8>> = Vec::new();
    // C's Ethernet mss: 69 items a message.
    assert!(f
        .d
        .bulk(&f.t, PEER, 1428, GFP_KERNEL, |m| out.push(m.to_vec())));
    let sizes: Vec<usize> = out.iter().map(Vec::len).collect();
    assert_eq!(sizes, [40 + 69 * 20, 40 + 69 * 20, 40 + 12 * 20]);
    for (i, m) in out.iter().enumerate() {
        let p = Packet::new_checked(&m[..]).unwrap();
        let r = NameDistrRepr::parse(&p).unwrap();
        assert!(r.bulk && r.non_legacy && r.msg_type == NameMsgType::Publication);
        assert_eq!(r.last_bulk, i == 2);
        assert_eq!(r.named_seqno, if i == 2 { 77 } else { 0 });
        assert_eq!(
            (r.orignode, r.destnode, r.common.prevnode),
            (OWN, PEER, OWN)
        );
        assert_eq!(
            r.word5,
            BcastWord::Unicast {
                bc_ack_invalid: true
            }
        );
    }
    // The peer takes them all, then this node's next update.
    let mut g = Fixture::new();
    g.t = NameTable::new(PEER, false);
    for m in &out {
        g.rx_from(OWN, m);
    }
    assert_eq!(g.bindings().len(), 150);
    let b = bnd(100, 3, 3, 7, OWN, 3);
    assert_eq!(f.d.local_change(&b), Some(77));
    let node_scope = Binding {
        scope: Scope::Node,
        ..b
    };
    assert_eq!(f.d.local_change(&node_scope), None);
    let w = Distributor::update_msg(OWN, PEER, true, 77, &b, GFP_KERNEL).unwrap();
    let p = Packet::new_checked(&w[..]).unwrap();
    let r = NameDistrRepr::parse(&p).unwrap();
    assert!(!r.bulk && !r.last_bulk && r.non_legacy && r.msg_type == NameMsgType::Withdrawal);
    g.rx_from(OWN, &w);
    assert_eq!(g.bindings().len(), 149);
    assert_eq!(g.d.stats().applied, 151);

    // Nothing to send: one empty last bulk message still opens the sequence.
    let e = Fixture::new();
    let mut out = Vec::new();
    assert!(e
        .d
        .bulk(&e.t, PEER, 1428, GFP_KERNEL, |m| out.push(m.to_vec())));
    assert_eq!(out.len(), 1);
    let p = Packet::new_checked(&out[0][..]).unwrap();
    let r = NameDistrRepr::parse(&p).unwrap();
    assert!(r.last_bulk && r.items.is_empty());
}
