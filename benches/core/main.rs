// SPDX-License-Identifier: GPL-2.0

//! Host micro-benchmarks of the sans-IO core's hot paths (issue 11): `cargo bench` times
//! them with divan. With `TIPC_CORE_COUNT` set in the environment, each operation instead
//! runs a fixed number of times in a function of its own, for `tools/bench/core-instr.sh`
//! to count its instructions under callgrind. The operations themselves, set up as the glue
//! runs them, are the library's `bench` module (`net/tipc/proto/host_bench/`).
//! Documentation/benchmarks.md has the figures.

#![forbid(unsafe_code)]

mod conn;
mod count;
mod header;
mod name_table;

fn main() {
    if std::env::var_os(count::ENV).is_some() {
        count::run();
    } else {
        divan::main();
    }
}
