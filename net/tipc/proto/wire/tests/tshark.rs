// SPDX-License-Identifier: GPL-2.0

//! Writes a pcap of every kind our emitter makes, for tools/testing/wire/tshark-check.sh.
//! Ignored by default: the script runs it with `--ignored` and the output path in
//! `TIPC_WIRE_PCAP`.
//!
//! Left out: `GROUP_PROTOCOL`. tshark 4.0's dissector still reads user 9 as the routing
//! table updates of TIPC 1.x, finds an "item size" in word 9 and reports any group message as
//! malformed, whatever it holds.

use super::super::consts::{Caps, User};
use super::super::message::Message;
use super::{pcap, samples};

#[test]
#[ignore]
fn write_pcap_of_every_kind() {
    let path =
        std::env::var("TIPC_WIRE_PCAP").unwrap_or_else(|_| "/tmp/tipc-wire-kinds.pcap".into());
    let msgs: std::vec::Vec<_> = samples::all()
        .into_iter()
        .filter(|m| Message::parse(m, Caps::ALL).unwrap().user() != User::GroupProtocol)
        .collect();
    std::fs::write(&path, pcap::write(&msgs)).unwrap();
    std::println!("wrote {} messages to {path}", msgs.len());
}

#[test]
fn every_sample_parses_and_round_trips() {
    for (i, m) in samples::all().iter().enumerate() {
        let parsed = Message::parse(m, Caps::ALL).unwrap_or_else(|e| panic!("sample {i}: {e:?}"));
        let mut out = std::vec![0u8; m.len()];
        assert_eq!(parsed.emit(&mut out), Ok(m.len()), "sample {i}");
        assert_eq!(&out, m, "sample {i}");
    }
}
