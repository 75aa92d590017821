// SPDX-License-Identifier: GPL-2.0

//! Inserting and removing publications: duplicates, overlaps, limits.

use super::{sk, sr, OWN, PEER, PEER2};
use crate::{
    kalloc::GFP_KERNEL,
    proto::name_table::{
        addr::{Scope, TIPC_LINK_STATE, TIPC_MAX_PUBL, TIPC_NODE_STATE, TIPC_TOP_SRV},
        lookup::Anycast,
        table::{NameTable, PublishError},
    },
};

/// An empty table for node [`OWN`].
fn table() -> NameTable {
    NameTable::new(OWN, false)
}

#[test]
fn first_publication_of_a_range_is_first() {
    let mut t = table();
    let a = t
        .insert(sr(100, 1, 5), sk(7, OWN), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    assert!(a.first);
    let b = t
        .insert(sr(100, 1, 5), sk(8, OWN), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    assert!(!b.first);
    assert_eq!(b.publication.id, a.publication.id + 1);
    assert_eq!((t.len(), t.range_count()), (2, 1));
}

#[test]
fn duplicate_is_same_key_port_and_node() {
    let mut t = table();
    let ins = |t: &mut NameTable, port, node, key| {
        t.insert(
            sr(100, 1, 5),
            sk(port, node),
            Scope::Cluster,
            key,
            GFP_KERNEL,
        )
        .map(|_| ())
    };
    ins(&mut t, 7, PEER, 1).unwrap();
    assert_eq!(ins(&mut t, 7, PEER, 1), Err(PublishError::Duplicate));
    // Another key, port or node is another publication.
    ins(&mut t, 7, PEER, 2).unwrap();
    ins(&mut t, 8, PEER, 1).unwrap();
    ins(&mut t, 7, PEER2, 1).unwrap();
    // A new publication with node 0 does not clash with one that has a node...
    ins(&mut t, 7, 0, 1).unwrap();
    // ...but one with node 0 clashes with every node.
    assert_eq!(ins(&mut t, 7, OWN, 1), Err(PublishError::Duplicate));
    // The same socket and key on another range is no duplicate.
    t.insert(sr(100, 1, 6), sk(7, PEER), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    assert_eq!(t.len(), 6);
}

#[test]
fn overlapping_ranges_coexist() {
    let mut t = table();
    for (port, (l, u)) in (1..).zip([(1, 10), (5, 15), (1, 10), (10, 10), (0, u32::MAX)]) {
        t.insert(sr(100, l, u), sk(port, PEER), Scope::Cluster, 1, GFP_KERNEL)
            .unwrap();
    }
    assert_eq!((t.len(), t.range_count()), (5, 4));
}

#[test]
fn remove_needs_exact_range_port_and_key() {
    let mut t = table();
    t.insert(sr(100, 1, 5), sk(7, PEER), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    t.insert(sr(100, 1, 5), sk(8, PEER), Scope::Node, 2, GFP_KERNEL)
        .unwrap();
    assert!(t.remove(sr(100, 1, 4), sk(7, PEER), 1).is_none());
    assert!(t.remove(sr(100, 1, 5), sk(7, PEER), 2).is_none());
    assert!(t.remove(sr(100, 1, 5), sk(9, PEER), 1).is_none());
    assert!(t.remove(sr(100, 1, 5), sk(7, PEER2), 1).is_none());
    assert!(t.remove(sr(101, 1, 5), sk(7, PEER), 1).is_none());
    let w = t.remove(sr(100, 1, 5), sk(7, PEER), 1).unwrap();
    assert!(!w.last);
    assert_eq!(w.publication.sk, sk(7, PEER));
    // Node 0 in a withdrawal matches any node.
    let w = t.remove(sr(100, 1, 5), sk(8, 0), 2).unwrap();
    assert!(w.last);
    assert_eq!(w.publication.scope, Scope::Node);
    assert_eq!(w.range, sr(100, 1, 5));
    assert!(t.is_empty());
    assert_eq!(t.range_count(), 0);
}

#[test]
fn local_limit_counts_user_types_only() {
    let mut t = table();
    for i in 0..TIPC_MAX_PUBL - 1 {
        t.publish(sr(100, i, i), sk(1, OWN), Scope::Node, i + 1, GFP_KERNEL)
            .unwrap();
    }
    assert_eq!(t.local_count(), TIPC_MAX_PUBL - 1);
    assert_eq!(
        t.publish(sr(100, 0, 0), sk(2, OWN), Scope::Node, 1, GFP_KERNEL),
        Err(PublishError::Limit)
    );
    for ty in [TIPC_NODE_STATE, TIPC_TOP_SRV, TIPC_LINK_STATE] {
        t.publish(sr(ty, 0, 0), sk(3, OWN), Scope::Node, 1, GFP_KERNEL)
            .unwrap();
    }
    // Peers' publications have no limit.
    t.insert(sr(100, 0, 0), sk(2, PEER), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    assert!(t.withdraw(sr(100, 5, 5), sk(1, OWN), 6).is_some());
    assert!(t.withdraw(sr(TIPC_TOP_SRV, 0, 0), sk(3, OWN), 1).is_some());
    assert_eq!(t.local_count(), TIPC_MAX_PUBL - 2);
    t.publish(sr(100, 0, 0), sk(2, OWN), Scope::Node, 1, GFP_KERNEL)
        .unwrap();
    // A failed withdrawal changes no count.
    assert!(t.withdraw(sr(100, 5, 5), sk(1, OWN), 6).is_none());
    assert_eq!(t.local_count(), TIPC_MAX_PUBL - 1);
}

#[test]
fn node_address_assigned_later() {
    let mut t = NameTable::new(0, false);
    t.publish(sr(100, 1, 1), sk(7, 0), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    t.insert(sr(100, 1, 1), sk(9, PEER), Scope::Cluster, 1, GFP_KERNEL)
        .unwrap();
    assert_eq!(t.lookup_anycast(100, 1, 0), Anycast::Found(sk(7, 0)));
    t.set_own_node(OWN, false);
    assert_eq!(t.own_node(), OWN);
    assert_eq!(t.lookup_anycast(100, 1, OWN), Anycast::Found(sk(7, OWN)));
    assert!(t.withdraw(sr(100, 1, 1), sk(7, OWN), 1).is_some());
    assert_eq!(t.lookup_anycast(100, 1, OWN), Anycast::NotFound);
    assert_eq!(t.lookup_anycast(100, 1, 0), Anycast::Found(sk(9, PEER)));
}
