// SPDX-License-Identifier: GPL-2.0

//! A deterministic simulator of the cluster core (host tests only): several nodes on one
//! Ethernet segment with loss, duplication, reordering and delay, a virtual clock and a
//! seeded random generator, so that one seed reproduces one run.

mod data;
mod hostile;
mod net;
mod rng;
mod tests;
