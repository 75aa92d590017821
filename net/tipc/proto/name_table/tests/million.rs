// SPDX-License-Identifier: GPL-2.0

//! A million bindings: insertion, lookups and removal, with many types and with one, in a
//! shallow tree. Prints its timings; run with `--nocapture` to see them.

use core::ops::ControlFlow;
use std::{eprintln, time::Instant, vec::Vec};

use super::{sk, sr, OWN, PEER};
use crate::{
    kalloc::{KVec, GFP_KERNEL},
    proto::name_table::{
        addr::{Scope, ServiceRange},
        lookup::{Anycast, McastScope},
        range::{Range, RangeKey},
        table::NameTable,
    },
};

/// A permutation of `0..n` for `n` prime to 7919, so bindings arrive out of order.
fn scramble(i: u32, n: u32) -> u32 {
    u32::try_from(u64::from(i) * 7919 % u64::from(n)).unwrap()
}

/// Microseconds per operation.
fn per_op(start: Instant, ops: u32) -> f64 {
    start.elapsed().as_secs_f64() * 1e6 / f64::from(ops)
}

/// Inserts `n` bindings, `range(i)` bound by socket `i` of a peer, looks up, removes, and
/// checks the per-operation times against generous bounds.
fn million(label: &str, n: u32, range: impl Fn(u32) -> ServiceRange) {
    let mut t = NameTable::new(OWN, false);
    let start = Instant::now();
    for i in 0..n {
        let j = scramble(i, n);
        t.insert(range(j), sk(j, PEER), Scope::Cluster, 1, GFP_KERNEL)
            .unwrap();
    }
    let insert = per_op(start, n);
    assert_eq!(t.len(), usize::try_from(n).unwrap());
    t.ranges.check_invariants().unwrap();

    let lookups = n / 5;
    let start = Instant::now();
    for i in 0..lookups {
        let j = scramble(i.wrapping_mul(31) % n, n);
        let r = range(j);
        assert_eq!(
            t.lookup_anycast(r.ty, r.lower + 1, 0),
            Anycast::Found(sk(j, PEER))
        );
    }
    let hit = per_op(start, lookups);
    let start = Instant::now();
    for i in 0..lookups {
        let r = range(scramble(i, n));
        assert_eq!(t.lookup_anycast(r.ty, r.upper + 1, 0), Anycast::NotFound);
    }
    let miss = per_op(start, lookups);
    let start = Instant::now();
    let mut out = KVec::new();
    for i in 0..lookups / 10 {
        let r = range(scramble(i, n));
        out.clear();
        t.lookup_mcast_sockets(
            r.ty,
            r.lower,
            r.upper + 10,
            McastScope::Any,
            &mut out,
            GFP_KERNEL,
        )
        .unwrap();
    }
    let mcast = per_op(start, lookups / 10);

    let mut pubs = 0;
    let _ = t.ranges.visit(
        RangeKey::first(0, 0),
        RangeKey::last(u32::MAX, u32::MAX),
        0,
        |r| {
            pubs += r.heap_bytes();
            ControlFlow::<()>::Continue(())
        },
    );
    let mib = (t.ranges.node_bytes() + pubs) as f64 / (1 << 20) as f64;
    let height = t.ranges.height();

    let start = Instant::now();
    for i in 0..n {
        let j = scramble(i.wrapping_mul(13) % n, n);
        assert!(t.remove(range(j), sk(j, 0), 1).is_some());
    }
    let remove = per_op(start, n);
    assert!(t.is_empty());
    eprintln!(
        "name table, {label}: insert {insert:.2} us, anycast hit {hit:.2} us, miss {miss:.2} us, \
         mcast {mcast:.2} us, remove {remove:.2} us; height {height}, {mib:.0} MiB \
         ({} B a range in a leaf)",
        core::mem::size_of::<Range>(),
    );
    // The times are figures, not checks (a loaded machine stretches them); what keeps
    // every operation logarithmic is the tree's shape.
    assert!(height <= 5, "a B+tree of {n} ranges {height} levels deep");
}

/// Bindings of many types: 1000 ranges of each type.
fn many_types(i: u32) -> ServiceRange {
    sr(1000 + i / 1000, (i % 1000) * 10, (i % 1000) * 10 + 4)
}

/// Bindings of one type.
fn one_type(i: u32) -> ServiceRange {
    sr(1000, i * 4, i * 4 + 2)
}

/// A million bindings take about a minute in a debug build, so this is ignored by default:
/// `cargo test --release million -- --ignored --nocapture`.
#[test]
#[ignore]
fn million_bindings_many_types() {
    million("1M, 1000 types", 1_000_000, many_types);
}

/// See [`million_bindings_many_types`].
#[test]
#[ignore]
fn million_bindings_one_type() {
    million("1M, one type", 1_000_000, one_type);
}

/// The same at a size a debug build runs in a few seconds.
#[test]
fn fifty_thousand_bindings() {
    million("50k, 50 types", 50_000, many_types);
    million("50k, one type", 50_000, one_type);
}

#[test]
fn many_sockets_on_one_range() {
    // Many sockets on one range is the C module's linear case too (its duplicate check
    // walks the range's list); keep it to 5000 here and check the round-robin.
    let mut t = NameTable::new(OWN, false);
    let start = Instant::now();
    for port in 0..5000 {
        t.insert(
            sr(1000, 0, 9),
            sk(port, PEER),
            Scope::Cluster,
            1,
            GFP_KERNEL,
        )
        .unwrap();
    }
    let insert = per_op(start, 5000);
    let picks: Vec<_> = (0..3).map(|_| t.lookup_anycast(1000, 5, 0)).collect();
    assert_eq!(
        picks,
        [4999, 4998, 4997].map(|p| Anycast::Found(sk(p, PEER)))
    );
    eprintln!("name table, 5000 sockets on one range: insert {insert:.2} us");
}
