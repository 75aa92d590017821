// SPDX-License-Identifier: GPL-2.0

//! A deterministic simulator of the cluster core (host tests only): several nodes on one
//! Ethernet segment with loss, duplication, reordering and delay, a virtual clock and a
//! seeded random generator, so that one seed reproduces one run.

mod bcast;
mod bounds;
mod churn;
mod data;
mod hostile;
mod names;
mod net;
mod rng;
mod tests;

/// The cases a simulator property runs: `default`, or `TIPC_RS_SIM_CASES` when it is set (a
/// long run over thousands of seeds).
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("TIPC_RS_SIM_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
