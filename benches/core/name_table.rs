// SPDX-License-Identifier: GPL-2.0

//! The name table: bind and unbind, [`CHURN`] at a time on one socket, and anycast look-ups
//! that hit and miss, at each table size. The batches bind and unbind through `bind(2)`'s
//! path; the time reported per item is the batch's divided by its size.

use divan::{counter::ItemsCount, Bencher};
use std::cell::RefCell;
use tipc_proto::bench::name_table::{Batch, Fixture, CHURN, SIZES};

#[divan::bench(args = SIZES, sample_size = 1, sample_count = 500)]
fn bind(bencher: Bencher, n: u32) {
    let f = RefCell::new(Fixture::new(n));
    let mut last: Option<Batch> = None;
    bencher
        .counter(ItemsCount::new(CHURN))
        .with_inputs(|| {
            let mut f = f.borrow_mut();
            if let Some(unbind) = last.take() {
                f.apply_all(&unbind);
            }
            let (bind, unbind) = f.churn();
            last = Some(unbind);
            bind
        })
        .bench_local_refs(|batch| f.borrow_mut().apply_all(batch));
}

#[divan::bench(args = SIZES, sample_size = 1, sample_count = 500)]
fn unbind(bencher: Bencher, n: u32) {
    let f = RefCell::new(Fixture::new(n));
    bencher
        .counter(ItemsCount::new(CHURN))
        .with_inputs(|| {
            let mut f = f.borrow_mut();
            let (bind, unbind) = f.churn();
            f.apply_all(&bind);
            unbind
        })
        .bench_local_refs(|batch| f.borrow_mut().apply_all(batch));
}

#[divan::bench(args = SIZES)]
fn lookup_hit(bencher: Bencher, n: u32) {
    let mut f = Fixture::new(n);
    bencher.bench_local(|| {
        let a = f.target(true);
        f.lookup(&a)
    });
}

#[divan::bench(args = SIZES)]
fn lookup_miss(bencher: Bencher, n: u32) {
    let mut f = Fixture::new(n);
    bencher.bench_local(|| {
        let a = f.target(false);
        !f.lookup(&a)
    });
}
