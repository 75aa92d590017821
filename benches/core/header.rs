// SPDX-License-Identifier: GPL-2.0

//! A data message header, emitted and parsed.

use divan::Bencher;
use tipc_proto::bench::header::Fixture;

#[divan::bench]
fn emit(bencher: Bencher) {
    let mut f = Fixture::new();
    bencher.bench_local(|| f.emit());
}

#[divan::bench]
fn parse(bencher: Bencher) {
    let f = Fixture::new();
    bencher.bench_local(|| f.parse());
}
