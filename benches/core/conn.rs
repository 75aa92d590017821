// SPDX-License-Identifier: GPL-2.0

//! The connection's receive path.

use divan::Bencher;
use tipc_proto::bench::conn::Fixture;

#[divan::bench]
fn receive(bencher: Bencher) {
    let mut f = Fixture::new();
    bencher.bench_local(|| f.receive());
}
