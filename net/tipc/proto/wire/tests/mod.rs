// SPDX-License-Identifier: GPL-2.0

//! Host tests that span the wire module: captured traffic, property tests, arbitrary bytes,
//! and the pcap of every kind our emitter makes, for tshark.

mod capture;
mod fuzz;
mod pcap;
mod props;
mod samples;
mod tshark;
