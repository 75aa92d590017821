// SPDX-License-Identifier: GPL-2.0

//! Whole groups: members on one or more nodes join, send in every mode and leave while a
//! seeded generator interleaves messages, topology events, reads and sends. Every message
//! is read once by exactly the members it was for, in each sender's order; no window is
//! overdrawn, no receive buffer overflows, and membership events frame each member's
//! messages.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

/// Message sizes: one block, a few, a fragment's worth, the largest.
const SIZES: [usize; 5] = [1, 100, 1500, 10_000, 66_000];

/// A group of `per_node` members on each of `nodes` nodes, instances 0 to 2, every third
/// with loopback, all with member events, joined in a random interleaving.
fn joined(nodes: u32, per_node: u32, seed: u64) -> (Net, Vec<Addr>) {
    let mut n = Net::new(nodes, seed);
    let mut all = Vec::new();
    for node in 1..=nodes {
        for k in 0..per_node {
            all.push((node, 1000 + k));
        }
    }
    for (i, &a) in all.iter().enumerate() {
        let req = join_req(i as u32 % 3, Scope::Cluster, i % 3 == 0, true);
        n.join(a, req);
        for _ in 0..n.rng.below(20) {
            n.step(1);
        }
    }
    assert!(n.run(1));
    for &a in &all {
        let g = n.group(a);
        check(g);
        let expect = if g.loopback { all.len() } else { all.len() - 1 };
        assert_eq!(g.member_count(), expect);
        assert!(g
            .members
            .iter()
            .all(|m| m.state == super::super::member::MbrState::Joined
                || m.state == super::super::member::MbrState::Active));
        let joins = n
            .got(a)
            .iter()
            .filter(|g| {
                matches!(
                    g,
                    Got::Event {
                        kind: EventKind::Published,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(joins, expect, "one join event per member");
    }
    (n, all)
}

/// Plans `msgs` random sends for every member.
fn plan_traffic(n: &mut Net, all: &[Addr], msgs: usize) {
    for &a in all {
        for _ in 0..msgs {
            let others: Vec<Addr> = all.iter().copied().filter(|&b| b != a).collect();
            let other = others[n.rng.below(others.len())];
            let inst = n.socks[&other].req.instance;
            let op = match n.rng.below(4) {
                0 => Op::Ucast(other),
                1 => Op::Anycast(inst, None, 0),
                2 => Op::Mcast(inst),
                _ => Op::Bcast,
            };
            let size = SIZES[n.rng.below(SIZES.len())];
            n.plan(a, op, size);
        }
    }
}

/// Checks that every message was read once by exactly its readers, in each sender's order.
fn check_delivery(n: &Net) {
    let mut readers: BTreeMap<u64, Vec<Addr>> = BTreeMap::new();
    for (&a, s) in &n.socks {
        let mut last: BTreeMap<Addr, u64> = BTreeMap::new();
        for g in &s.got {
            if let Got::Data { from, id, member } = *g {
                readers.entry(id).or_default().push(a);
                if let Some(&prev) = last.get(&from) {
                    assert!(id > prev, "{a:?} read {id} from {from:?} after {prev}");
                }
                last.insert(from, id);
                assert_eq!(member, n.socks[&from].req.instance);
            }
        }
    }
    for (id, rec) in n.sent.iter().enumerate() {
        let mut got = readers.remove(&(id as u64)).unwrap_or_default();
        got.sort();
        match rec.op {
            Op::Anycast(inst, ..) => {
                assert_eq!(got.len(), 1, "anycast {id} read by {got:?}");
                assert_eq!(n.socks[&got[0]].req.instance, inst);
            }
            _ => assert_eq!(
                got, rec.to,
                "message {id} ({:?}) from {:?}",
                rec.op, rec.from
            ),
        }
    }
    assert!(readers.is_empty(), "read but never sent");
}

/// Checks that each member's join event comes before its messages and its leave event
/// after them, for every reader with events.
fn check_events(n: &Net, left: &[Addr]) {
    for (&a, s) in &n.socks {
        let mut joined: BTreeMap<Addr, bool> = BTreeMap::new();
        let mut gone: Vec<Addr> = Vec::new();
        for g in &s.got {
            match *g {
                Got::Event {
                    kind: EventKind::Published,
                    of,
                    ..
                } => {
                    assert!(
                        joined.insert(of, true).is_none(),
                        "{a:?}: {of:?} joined twice"
                    );
                }
                Got::Event {
                    kind: EventKind::Withdrawn,
                    of,
                    ..
                } => {
                    assert!(
                        joined.contains_key(&of),
                        "{a:?}: {of:?} left before it joined"
                    );
                    assert!(!gone.contains(&of), "{a:?}: {of:?} left twice");
                    gone.push(of);
                }
                Got::Data { from, .. } => {
                    assert!(
                        joined.contains_key(&from),
                        "{a:?}: data from {from:?} before its join"
                    );
                    assert!(
                        !gone.contains(&from),
                        "{a:?}: data from {from:?} after its leave"
                    );
                }
            }
        }
        if s.group.is_some() {
            for l in left {
                if *l != a && (s.req.scope == Scope::Cluster || l.0 == a.0) {
                    assert!(gone.contains(l), "{a:?} missed {l:?} leaving");
                }
            }
        }
    }
}

/// Joins, traffic, then half the members leave while the rest keep sending; returns the
/// network.
fn scenario(nodes: u32, per_node: u32, msgs: usize, seed: u64) -> Net {
    let (mut n, all) = joined(nodes, per_node, seed);
    plan_traffic(&mut n, &all, msgs);
    let bias = n.rng.below(6);
    assert!(n.run(bias), "blocked for good");
    assert_eq!(n.clamped(), 0);
    assert_eq!(n.overloads, 0);
    for &a in &all {
        assert_eq!(n.socks[&a].unreachable, 0);
        check(n.group(a));
    }
    check_delivery(&n);
    let left: Vec<Addr> = all.iter().copied().filter(|_| n.rng.one_in(2)).collect();
    let stay: Vec<Addr> = all.iter().copied().filter(|a| !left.contains(a)).collect();
    for &a in &stay {
        for _ in 0..msgs {
            n.plan(a, Op::Bcast, 100);
        }
    }
    for &a in &left {
        n.leave(a);
        for _ in 0..n.rng.below(30) {
            n.step(1);
        }
    }
    assert!(n.run(1), "blocked for good after leaves");
    assert_eq!(n.clamped(), 0);
    for &a in &stay {
        let g = n.group(a);
        check(g);
        let expect = if g.loopback {
            stay.len()
        } else {
            stay.len() - 1
        };
        assert_eq!(g.member_count(), expect);
    }
    check_events(&n, &left);
    n
}

#[test]
fn five_members_on_one_node() {
    let n = scenario(1, 5, 40, 7);
    assert!(n.blocked > 0, "flow control was exercised");
}

#[test]
fn three_nodes_of_three() {
    let n = scenario(3, 3, 30, 11);
    assert!(n.blocked > 0 && n.held > 0, "{} {}", n.blocked, n.held);
}

#[test]
fn twenty_members_exceed_the_active_places() {
    // More senders than max_active (16): pending members, reclaims and remits.
    let (mut n, all) = joined(2, 10, 5);
    for &a in &all {
        for _ in 0..20 {
            let to = all[0];
            if a != to {
                n.plan(a, Op::Ucast(to), 10_000);
            }
        }
    }
    assert!(n.run(0));
    assert_eq!(n.clamped(), 0);
    assert_eq!(n.overloads, 0);
    check_delivery(&n);
    check(n.group(all[0]));
}

#[test]
fn a_node_going_down_mid_traffic() {
    let (mut n, all) = joined(3, 2, 3);
    plan_traffic(&mut n, &all, 20);
    for _ in 0..2000 {
        n.step(2);
    }
    n.crash(3);
    assert!(n.run(2), "blocked for good after the node went down");
    assert_eq!(n.clamped(), 0);
    for a in all.iter().filter(|a| a.0 != 3) {
        let g = n.group(*a);
        check(g);
        assert!(
            g.members.iter().all(|m| m.node != 3),
            "{a:?} kept a member of the lost node"
        );
        let gone = n
            .got(*a)
            .iter()
            .filter(|g| {
                matches!(
                    g,
                    Got::Event {
                        kind: EventKind::Withdrawn,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(gone, 2);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::proto::sim::cases(24)))]

    /// Any interleaving, any shape of cluster.
    #[test]
    fn any_interleaving(seed in any::<u64>(), nodes in 1u32..4, per_node in 2u32..5, msgs in 1usize..20) {
        scenario(nodes, per_node, msgs, seed);
    }
}
