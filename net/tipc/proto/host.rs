// SPDX-License-Identifier: GPL-2.0

//! The protocol core built as a host crate, so `cargo test` runs its tests outside the kernel.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

#[path = "host_alloc.rs"]
#[expect(
    dead_code,
    reason = "the host crate exports nothing: what only the kernel glue calls is unused here"
)]
mod kalloc;

#[path = "mod.rs"]
#[expect(
    dead_code,
    reason = "the host crate exports nothing: what only the kernel glue calls is unused here"
)]
mod proto;

#[path = "host_bench/mod.rs"]
pub mod bench;
