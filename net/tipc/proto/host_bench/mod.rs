// SPDX-License-Identifier: GPL-2.0

//! The core's hot paths, set up and run as the glue runs them, for the host benchmarks in
//! `benches/core` (`cargo bench`). Host only: `host.rs` declares this module, the kernel
//! module never does.

pub mod conn;
pub mod header;
pub mod name_table;
mod rng;
