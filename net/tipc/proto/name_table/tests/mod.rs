// SPDX-License-Identifier: GPL-2.0

//! Host tests of the name table: unit tests of each rule, a model-based property test, and
//! the million-binding measurement.

mod bind;
mod btree;
mod distr;
mod dump;
mod lookup;
mod million;
mod model;
mod ring;
mod sock_bindings;
mod table;

use super::addr::{ServiceRange, SocketAddr};

/// This node's address in the tests.
const OWN: u32 = 0x0100_1001;
/// A peer's address.
const PEER: u32 = 0x0100_1002;
/// Another peer's address.
const PEER2: u32 = 0x0100_1003;

/// The range `{ty, lower, upper}`.
fn sr(ty: u32, lower: u32, upper: u32) -> ServiceRange {
    ServiceRange { ty, lower, upper }
}

/// The socket `<node:port>`.
fn sk(port: u32, node: u32) -> SocketAddr {
    SocketAddr { port, node }
}
