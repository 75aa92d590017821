// SPDX-License-Identifier: GPL-2.0

//! A socket's bind and unbind rules and their errnos.

use std::vec::Vec;

use proptest::prelude::*;

use super::{sk, sr, OWN};
use crate::{
    kalloc::GFP_KERNEL,
    proto::{
        errno::Errno,
        name_table::{
            addr::{Scope, ServiceRange, TIPC_MAX_PUBL},
            bind::Binding,
            lookup::Anycast,
            sock_bindings::SockBindings,
            table::NameTable,
        },
    },
};

/// The binding of `{ty, lower, upper}` with `scope`.
fn b(ty: u32, lower: u32, upper: u32, scope: Scope) -> Binding {
    Binding {
        range: sr(ty, lower, upper),
        scope,
    }
}

/// Cluster scope, for short.
const C: Scope = Scope::Cluster;
/// Node scope, for short.
const N: Scope = Scope::Node;
/// The port of the socket under test.
const PORT: u32 = 4000;

#[test]
fn keys_follow_the_port() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    let p = s
        .bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL)
        .unwrap();
    assert_eq!(
        (p.publication.key, p.publication.sk),
        (PORT + 1, sk(PORT, OWN))
    );
    // The same range again is a new publication with the next key: no duplicate.
    let p = s
        .bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL)
        .unwrap();
    assert_eq!(p.publication.key, PORT + 2);
    assert!(!p.first);
    assert_eq!((s.len(), t.len()), (2, 2));
    assert!(s.is_published());
}

#[test]
fn connected_socket_cannot_bind() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    assert_eq!(
        s.bind(&mut t, PORT, &b(100, 1, 1, C), true, GFP_KERNEL),
        Err(Errno::EINVAL)
    );
    assert!(t.is_empty());
    assert!(!s.is_published());
}

#[test]
fn key_wrap_is_eaddrinuse() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    s.set_made(u32::MAX);
    assert_eq!(
        s.bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL),
        Err(Errno::EADDRINUSE)
    );
    s.set_made(u32::MAX - 1);
    let p = s
        .bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL)
        .unwrap();
    assert_eq!(p.publication.key, PORT.wrapping_sub(1));
}

#[test]
fn table_refusals_are_einval() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    // A key another socket's binding already uses on this range (keys only clash after
    // wrapping): duplicate.
    s.bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL)
        .unwrap();
    let mut other = SockBindings::new();
    other.set_made(u32::MAX - 1);
    t.publish(
        sr(100, 1, 1),
        sk(PORT, OWN),
        C,
        PORT.wrapping_sub(1),
        GFP_KERNEL,
    )
    .unwrap();
    assert_eq!(
        other.bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL),
        Err(Errno::EINVAL)
    );
    assert_eq!(other.len(), 0);
    // The node's limit.
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    for i in 0..TIPC_MAX_PUBL - 1 {
        s.bind(&mut t, PORT, &b(100, i, i, N), false, GFP_KERNEL)
            .unwrap();
    }
    assert_eq!(
        s.bind(&mut t, PORT, &b(100, 0, 0, N), false, GFP_KERNEL),
        Err(Errno::EINVAL)
    );
    assert_eq!(s.len(), usize::try_from(TIPC_MAX_PUBL - 1).unwrap());
}

#[test]
fn unbind_rules() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    // Nothing bound at all: success.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 1, 5, C)), Ok(None));
    s.bind(&mut t, PORT, &b(100, 1, 5, C), false, GFP_KERNEL)
        .unwrap();
    s.bind(&mut t, PORT, &b(100, 1, 9, C), false, GFP_KERNEL)
        .unwrap();
    s.bind(&mut t, PORT, &b(100, 1, 5, N), false, GFP_KERNEL)
        .unwrap();
    // Not bound: wrong scope, type or lower bound.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 2, 5, C)), Err(Errno::EINVAL));
    assert_eq!(s.unbind(&mut t, PORT, &b(101, 1, 5, C)), Err(Errno::EINVAL));
    // The newest binding of {100, 1, *} in cluster scope is {100, 1, 9}: the search stops
    // there, so {100, 1, 5} cannot be unbound yet, though it is bound.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 1, 5, C)), Err(Errno::EINVAL));
    let w = s.unbind(&mut t, PORT, &b(100, 1, 9, C)).unwrap().unwrap();
    assert_eq!((w.range, w.publication.key), (sr(100, 1, 9), PORT + 2));
    let w = s.unbind(&mut t, PORT, &b(100, 1, 5, C)).unwrap().unwrap();
    assert_eq!((w.range, w.publication.key), (sr(100, 1, 5), PORT + 1));
    assert_eq!(t.lookup_anycast(100, 3, 0), Anycast::Found(sk(PORT, OWN)));
    let w = s.unbind(&mut t, PORT, &b(100, 1, 5, N)).unwrap().unwrap();
    assert_eq!(w.publication.scope, N);
    assert!(t.is_empty());
    assert_eq!(t.local_count(), 0);
    // With nothing left, an unbind of anything succeeds again.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 1, 5, C)), Ok(None));
}

#[test]
fn unbind_all_withdraws_newest_first() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    for l in 1..=3 {
        s.bind(&mut t, PORT, &b(100, l, l, C), false, GFP_KERNEL)
            .unwrap();
    }
    t.insert(sr(100, 1, 1), sk(PORT, 0x7777), C, PORT + 1, GFP_KERNEL)
        .unwrap();
    let mut gone = Vec::new();
    s.unbind_all(&mut t, PORT, |w| gone.push(w.range.lower));
    assert_eq!(gone, [3, 2, 1]);
    assert!(!s.is_published());
    // A peer's publication with the same port and key stays.
    assert_eq!(t.len(), 1);
    assert_eq!(
        t.lookup_anycast(100, 1, 0),
        Anycast::Found(sk(PORT, 0x7777))
    );
}

#[test]
fn unbind_after_the_node_got_its_address() {
    let mut t = NameTable::new(0, false);
    let mut s = SockBindings::new();
    s.bind(&mut t, PORT, &b(100, 1, 1, C), false, GFP_KERNEL)
        .unwrap();
    t.set_own_node(OWN, false);
    assert!(s.unbind(&mut t, PORT, &b(100, 1, 1, C)).unwrap().is_some());
    assert!(t.is_empty());
}

#[test]
fn publications_are_listed_newest_first_from_a_key() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    for lower in [10, 20, 30, 40] {
        s.bind(&mut t, PORT, &b(100, lower, lower, C), false, GFP_KERNEL)
            .unwrap();
    }
    let listed = |from| -> Vec<(u32, u32)> {
        s.newest_first(from)
            .map(|(r, key)| (r.lower, key))
            .collect()
    };
    let all = [
        (40, PORT + 4),
        (30, PORT + 3),
        (20, PORT + 2),
        (10, PORT + 1),
    ];
    assert_eq!(listed(None), all);
    assert_eq!(listed(Some(PORT + 2)), all[2..]);
    // A key no binding has (withdrawn since) ends the list.
    assert_eq!(listed(Some(PORT + 9)), []);
}

#[test]
fn unbinds_in_any_order_keep_the_newest_first_order() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    for i in 0..10 {
        s.bind(&mut t, PORT, &b(100, i, i, N), false, GFP_KERNEL)
            .unwrap();
    }
    let lowers =
        |s: &SockBindings| -> Vec<u32> { s.newest_first(None).map(|(r, _)| r.lower).collect() };
    // Oldest first, then from the middle, then the newest: holes left behind, dropped at
    // the newest end, squeezed out once they are half.
    for i in [0, 1, 2, 5, 9, 4] {
        assert!(s.unbind(&mut t, PORT, &b(100, i, i, N)).unwrap().is_some());
    }
    assert_eq!(lowers(&s), [8, 7, 6, 3]);
    assert_eq!((s.len(), t.len()), (4, 4));
    let from_7: Vec<u32> = s
        .newest_first(Some(PORT + 8))
        .map(|(r, _)| r.lower)
        .collect();
    assert_eq!(from_7, [7, 6, 3]);
    // A binding withdrawn is gone for unbind; the same name bound again is found again.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 5, 5, N)), Err(Errno::EINVAL));
    s.bind(&mut t, PORT, &b(100, 5, 5, N), false, GFP_KERNEL)
        .unwrap();
    assert_eq!(lowers(&s), [5, 8, 7, 6, 3]);
    let mut withdrawn = Vec::new();
    s.unbind_all(&mut t, PORT, |w| withdrawn.push(w.range.lower));
    assert_eq!(withdrawn, [5, 8, 7, 6, 3]);
    assert!(!s.is_published());
    assert!(t.is_empty());
}

#[test]
fn unbind_takes_the_newest_of_the_same_name_and_scope() {
    let mut t = NameTable::new(OWN, false);
    let mut s = SockBindings::new();
    s.bind(&mut t, PORT, &b(100, 1, 1, N), false, GFP_KERNEL)
        .unwrap();
    s.bind(&mut t, PORT, &b(100, 1, 5, C), false, GFP_KERNEL)
        .unwrap();
    s.bind(&mut t, PORT, &b(100, 1, 3, N), false, GFP_KERNEL)
        .unwrap();
    // Node scope: the newest such is {100, 1, 3}; its upper bound decides.
    assert_eq!(s.unbind(&mut t, PORT, &b(100, 1, 1, N)), Err(Errno::EINVAL));
    let w = s.unbind(&mut t, PORT, &b(100, 1, 3, N)).unwrap().unwrap();
    assert_eq!(w.range, sr(100, 1, 3));
    // Now {100, 1, 1}; the cluster-scope binding in between does not count.
    let w = s.unbind(&mut t, PORT, &b(100, 1, 1, N)).unwrap().unwrap();
    assert_eq!(w.range, sr(100, 1, 1));
    assert_eq!(s.newest_first(None).count(), 1);
}

proptest! {
    /// Binds and unbinds agree with a plain list searched newest first, as the C module
    /// keeps a socket's publications, whatever holes the unbinds leave.
    #[test]
    fn agrees_with_a_list_searched_newest_first(
        ops in prop::collection::vec((any::<bool>(), 0u32..6, 0u32..2, any::<bool>()), 1..200)
    ) {
        let mut t = NameTable::new(OWN, false);
        let mut s = SockBindings::new();
        let mut model: Vec<(ServiceRange, Scope)> = Vec::new();
        for (bind, lower, extra, node) in ops {
            let scope = if node { N } else { C };
            let x = b(100, lower, lower + extra, scope);
            if bind {
                prop_assert!(s.bind(&mut t, PORT, &x, false, GFP_KERNEL).is_ok());
                model.push((x.range, scope));
            } else {
                let newest = model
                    .iter()
                    .rposition(|(r, sc)| *sc == scope && r.lower == lower);
                let want = match newest {
                    Some(i) if model[i].0 == x.range => {
                        model.remove(i);
                        Ok(true)
                    }
                    _ if model.is_empty() => Ok(false),
                    _ => Err(Errno::EINVAL),
                };
                prop_assert_eq!(s.unbind(&mut t, PORT, &x).map(|w| w.is_some()), want);
            }
            let held: Vec<ServiceRange> = s.newest_first(None).map(|(r, _)| r).collect();
            let want: Vec<ServiceRange> = model.iter().rev().map(|(r, _)| *r).collect();
            prop_assert_eq!(held, want);
            prop_assert_eq!(t.len(), model.len());
        }
    }
}
