// SPDX-License-Identifier: GPL-2.0

//! The counting mode: `TIPC_CORE_COUNT=N` runs each operation a fixed number of times, the
//! name table's with N bindings, each operation inside a `measured_*` function that is never
//! inlined, and prints how many times it ran each. `tools/bench/core-instr.sh` runs this
//! under callgrind, collecting only inside those functions, and divides.

use std::hint::black_box;
use tipc_proto::bench::{conn, header, name_table};

/// The environment variable that selects this mode; its value is the table size.
pub(crate) const ENV: &str = "TIPC_CORE_COUNT";
/// Batches of binds and unbinds.
const BATCHES: usize = 20;
/// Look-ups, header operations and messages received.
const OPS: usize = 2000;

/// Runs every operation, printing `NAME COUNT` for each.
pub(crate) fn run() {
    let n = std::env::var(ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(name_table::SIZES[0]);
    let mut h = header::Fixture::new();
    measured_header_emit(&mut h);
    measured_header_parse(&h);
    println!("header_emit {OPS}\nheader_parse {OPS}");
    let mut c = conn::Fixture::new();
    measured_conn_receive(&mut c);
    println!("conn_receive {OPS}");
    let mut f = name_table::Fixture::new(n);
    for _ in 0..BATCHES {
        let (bind, unbind) = f.churn();
        measured_bind(&mut f, &bind);
        measured_unbind(&mut f, &unbind);
    }
    let binds = BATCHES * name_table::CHURN;
    println!("bind {binds}\nunbind {binds}");
    let hits: Vec<_> = (0..OPS).map(|_| f.target(true)).collect();
    let misses: Vec<_> = (0..OPS).map(|_| f.target(false)).collect();
    measured_lookup_hit(&mut f, &hits);
    measured_lookup_miss(&mut f, &misses);
    println!("lookup_hit {OPS}\nlookup_miss {OPS}");
}

#[inline(never)]
fn measured_header_emit(h: &mut header::Fixture) {
    for _ in 0..OPS {
        black_box(h.emit());
    }
}

#[inline(never)]
fn measured_header_parse(h: &header::Fixture) {
    for _ in 0..OPS {
        black_box(black_box(h).parse());
    }
}

#[inline(never)]
fn measured_conn_receive(c: &mut conn::Fixture) {
    for _ in 0..OPS {
        black_box(c.receive());
    }
}

// The two bodies differ by the constant they pass through `black_box`, so that the linker
// does not fold them into one function.
#[inline(never)]
fn measured_bind(f: &mut name_table::Fixture, batch: &name_table::Batch) {
    black_box(1u8);
    f.apply_all(batch);
}

#[inline(never)]
fn measured_unbind(f: &mut name_table::Fixture, batch: &name_table::Batch) {
    black_box(2u8);
    f.apply_all(batch);
}

#[inline(never)]
fn measured_lookup_hit(f: &mut name_table::Fixture, targets: &[[u8; 16]]) {
    for a in targets {
        assert!(f.lookup(a), "a bound instance");
    }
}

#[inline(never)]
fn measured_lookup_miss(f: &mut name_table::Fixture, targets: &[[u8; 16]]) {
    for a in targets {
        assert!(!f.lookup(a), "a free instance");
    }
}
