// SPDX-License-Identifier: GPL-2.0

//! Lookups: range choice, round-robin, scope and domain rules, multicast and groups.

use std::vec::Vec;

use super::{sk, sr, OWN, PEER, PEER2};
use crate::{
    kalloc::{KVec, GFP_ATOMIC, GFP_KERNEL},
    proto::name_table::{
        addr::{Scope, SocketAddr},
        lookup::{Anycast, McastScope, NodeList},
        table::NameTable,
    },
};

/// A table for node [`OWN`] holding `binds`: (type, lower, upper, port, node, scope).
fn table_with(legacy: bool, binds: &[(u32, u32, u32, u32, u32, Scope)]) -> NameTable {
    let mut t = NameTable::new(OWN, legacy);
    for (i, &(ty, l, u, port, node, scope)) in binds.iter().enumerate() {
        let key = u32::try_from(i).unwrap() + 1;
        t.insert(sr(ty, l, u), sk(port, node), scope, key, GFP_KERNEL)
            .unwrap();
    }
    t
}

/// `n` anycast lookups of `(ty, inst)` in `domain`.
fn anycasts(t: &mut NameTable, ty: u32, inst: u32, domain: u32, n: usize) -> Vec<Anycast> {
    (0..n).map(|_| t.lookup_anycast(ty, inst, domain)).collect()
}

/// Found sockets.
fn found(socks: &[SocketAddr]) -> Vec<Anycast> {
    socks.iter().map(|&s| Anycast::Found(s)).collect()
}

/// Cluster scope, for short.
const C: Scope = Scope::Cluster;
/// Node scope, for short.
const N: Scope = Scope::Node;

#[test]
fn anycast_round_robin_newest_first() {
    let mut t = table_with(
        false,
        &[
            (100, 0, 9, 1, OWN, C),
            (100, 0, 9, 2, PEER, C),
            (100, 0, 9, 3, OWN, N),
        ],
    );
    let want = found(&[sk(3, OWN), sk(2, PEER), sk(1, OWN), sk(3, OWN)]);
    assert_eq!(anycasts(&mut t, 100, 5, 0, 4), want);
    assert_eq!(t.lookup_anycast(100, 10, 0), Anycast::NotFound);
    assert_eq!(t.lookup_anycast(101, 5, 0), Anycast::NotFound);
}

#[test]
fn anycast_in_own_domain_uses_local_order() {
    let mut t = table_with(
        false,
        &[
            (100, 0, 9, 1, OWN, C),
            (100, 0, 9, 2, PEER, C),
            (100, 0, 9, 3, OWN, C),
        ],
    );
    // The local order turns on its own, apart from the order of all publications.
    assert_eq!(
        anycasts(&mut t, 100, 5, OWN, 3),
        found(&[sk(3, OWN), sk(1, OWN), sk(3, OWN)])
    );
    assert_eq!(
        anycasts(&mut t, 100, 5, 0, 3),
        found(&[sk(3, OWN), sk(2, PEER), sk(1, OWN)])
    );
}

#[test]
fn anycast_own_domain_passes_ranges_without_local() {
    let mut t = table_with(false, &[(100, 0, 9, 2, PEER, C), (100, 5, 5, 4, OWN, C)]);
    assert_eq!(t.lookup_anycast(100, 5, 0), Anycast::Found(sk(2, PEER)));
    assert_eq!(t.lookup_anycast(100, 5, OWN), Anycast::Found(sk(4, OWN)));
    assert_eq!(t.lookup_anycast(100, 6, OWN), Anycast::NotFound);
}

#[test]
fn anycast_other_domain_is_deferred() {
    let mut t = table_with(false, &[(100, 0, 9, 2, PEER, C)]);
    assert_eq!(t.lookup_anycast(100, 5, PEER), Anycast::Deferred);
    // Without legacy addressing, a cluster domain is just another node.
    assert_eq!(
        t.lookup_anycast(100, 5, OWN & 0xffff_f000),
        Anycast::Deferred
    );
    let mut t = table_with(true, &[(100, 0, 9, 2, PEER, C)]);
    assert_eq!(
        t.lookup_anycast(100, 5, OWN & 0xffff_f000),
        Anycast::Found(sk(2, PEER))
    );
    assert_eq!(
        t.lookup_anycast(100, 5, OWN & 0xff00_0000),
        Anycast::Found(sk(2, PEER))
    );
    assert_eq!(t.lookup_anycast(100, 5, PEER), Anycast::Deferred);
}

#[test]
fn legacy_prefers_local_when_domain_is_zero() {
    let binds = [
        (100, 0, 9, 1, OWN, C),
        (100, 0, 9, 2, PEER, C),
        (100, 0, 9, 3, PEER2, C),
    ];
    let mut t = table_with(true, &binds);
    assert_eq!(
        anycasts(&mut t, 100, 5, 0, 2),
        found(&[sk(1, OWN), sk(1, OWN)])
    );
    let mut t = table_with(true, &binds[1..]);
    assert_eq!(
        anycasts(&mut t, 100, 5, 0, 2),
        found(&[sk(3, PEER2), sk(2, PEER)])
    );
}

#[test]
fn anycast_takes_first_range_newest_first_on_equal_lower() {
    // Ranges with the same lower bound: the one created last comes first.
    let mut t = table_with(
        false,
        &[
            (100, 1, 10, 1, PEER, C),
            (100, 1, 5, 2, PEER, C),
            (100, 0, 3, 3, PEER, C),
        ],
    );
    assert_eq!(t.lookup_anycast(100, 3, 0), Anycast::Found(sk(3, PEER)));
    assert_eq!(t.lookup_anycast(100, 4, 0), Anycast::Found(sk(2, PEER)));
    assert_eq!(t.lookup_anycast(100, 4, 0), Anycast::Found(sk(2, PEER)));
    assert_eq!(t.lookup_anycast(100, 7, 0), Anycast::Found(sk(1, PEER)));
    let mut t = table_with(false, &[(100, 1, 5, 2, PEER, C), (100, 1, 10, 1, PEER, C)]);
    assert_eq!(t.lookup_anycast(100, 4, 0), Anycast::Found(sk(1, PEER)));
}

#[test]
fn mcast_sockets_local_scope_and_dedup() {
    let t = table_with(
        false,
        &[
            (100, 0, 9, 5, OWN, C),
            (100, 5, 20, 5, OWN, C),
            (100, 8, 8, 3, OWN, N),
            (100, 30, 40, 9, OWN, C),
            (100, 0, 9, 2, PEER, C),
            (101, 0, 9, 7, OWN, C),
        ],
    );
    let look = |lower, upper, scope| {
        let mut out = KVec::new();
        t.lookup_mcast_sockets(100, lower, upper, scope, &mut out, GFP_ATOMIC)
            .unwrap();
        out.to_vec()
    };
    assert_eq!(look(0, 10, McastScope::Any), [3, 5]);
    assert_eq!(look(0, 10, McastScope::Exact(C)), [5]);
    assert_eq!(look(0, 10, McastScope::Exact(N)), [3]);
    assert_eq!(look(10, 35, McastScope::Any), [5, 9]);
    assert_eq!(look(41, 100, McastScope::Any), Vec::<u32>::new());
}

#[test]
fn mcast_nodes_any_scope() {
    let t = table_with(
        false,
        &[
            (100, 0, 9, 5, OWN, N),
            (100, 5, 20, 6, PEER2, C),
            (100, 7, 7, 7, PEER, N),
            (100, 8, 8, 8, PEER2, C),
        ],
    );
    let mut nodes = NodeList::default();
    t.lookup_mcast_nodes(100, 7, 8, &mut nodes, GFP_ATOMIC)
        .unwrap();
    assert!(nodes.local);
    assert_eq!(&nodes.remote[..], [PEER, PEER2]);
    let mut nodes = NodeList::default();
    t.lookup_mcast_nodes(100, 10, 30, &mut nodes, GFP_ATOMIC)
        .unwrap();
    assert!(!nodes.local);
    assert_eq!(&nodes.remote[..], [PEER2]);
}

#[test]
fn group_anycast_rotates_and_excludes_self() {
    let mut t = table_with(
        false,
        &[
            (100, 0, 9, 1, OWN, C),
            (100, 0, 9, 2, PEER, C),
            (100, 0, 9, 3, PEER, N),
            (100, 0, 9, 4, PEER2, C),
        ],
    );
    let mut picks = Vec::new();
    for _ in 0..4 {
        let mut out = KVec::new();
        let n = t
            .lookup_group(100, 5, C, 1, false, &mut out, GFP_ATOMIC)
            .unwrap();
        assert_eq!(n, 1);
        picks.extend_from_slice(&out);
    }
    assert_eq!(
        picks,
        [sk(4, PEER2), sk(2, PEER), sk(4, PEER2), sk(2, PEER)]
    );
    let mut out = KVec::new();
    let n = t
        .lookup_group(100, 5, N, 1, false, &mut out, GFP_ATOMIC)
        .unwrap();
    assert_eq!((n, &out[..]), (1, &[sk(3, PEER)][..]));
    let mut out = KVec::new();
    assert_eq!(
        t.lookup_group(100, 50, C, 1, false, &mut out, GFP_ATOMIC),
        Ok(0)
    );
}

#[test]
fn group_mcast_counts_repeats() {
    let mut t = table_with(
        false,
        &[
            (100, 0, 9, 2, PEER, C),
            (100, 0, 9, 2, PEER, C),
            (100, 0, 9, 4, PEER2, C),
            (100, 0, 9, 1, OWN, C),
            (100, 0, 9, 5, OWN, N),
        ],
    );
    let mut out = KVec::new();
    let n = t
        .lookup_group(100, 5, C, 1, true, &mut out, GFP_ATOMIC)
        .unwrap();
    assert_eq!(n, 3);
    let mut got = out.to_vec();
    got.sort();
    assert_eq!(got, [sk(2, PEER), sk(4, PEER2)]);
}

#[test]
fn group_members_in_table_order() {
    let t = table_with(
        false,
        &[
            (100, 7, 7, 1, OWN, C),
            (100, 3, 3, 2, PEER, C),
            (100, 5, 5, 3, PEER, N),
            (101, 1, 1, 4, PEER, C),
        ],
    );
    let mut members = Vec::new();
    t.for_each_group_member(100, C, |s, inst| {
        members.push((s, inst));
        Ok::<(), ()>(())
    })
    .unwrap();
    assert_eq!(members, [(sk(2, PEER), 3), (sk(1, OWN), 7)]);
    let stopped = t.for_each_group_member(100, C, |_, _| Err(7));
    assert_eq!(stopped, Err(7));
}
