// SPDX-License-Identifier: GPL-2.0

//! Traffic captured between two nodes running the kernel's C module (see
//! tools/testing/wire/capture.sh): every TIPC frame parses, and emitting what was parsed gives
//! back the same bytes; the inner messages of bundles and tunnels too, and the fragments
//! reassemble into valid messages.

use std::collections::BTreeMap;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use super::super::bundle::Unbundler;
use super::super::consts::{Caps, MAX_MSG_SIZE};
use super::super::header::Packet;
use super::super::message::Message;
use super::super::reassembly::Reassembler;
use super::pcap;

/// The capture files, relative to the repository.
const CAPTURES: &[&str] = &["tools/testing/wire/c-two-nodes.pcap"];

/// Parses `msg`, emits it again and compares; recurses into bundles and tunnels. Returns the
/// number of messages checked.
fn round_trip(msg: &[u8], what: &str) -> usize {
    let m = Message::parse(msg, Caps::ALL).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let size = Packet::new_unchecked(msg).total_len();
    let mut out = vec![0u8; MAX_MSG_SIZE + 64];
    let n = m
        .emit(&mut out)
        .unwrap_or_else(|e| panic!("{what}: emit {e:?}"));
    assert_eq!(&out[..n], &msg[..size], "{what}: {m:?}");
    let mut checked = 1;
    match m {
        Message::Bundle(_, payload) => {
            for (i, inner) in Unbundler::new(payload).enumerate() {
                let inner = inner.unwrap();
                checked += round_trip(inner.message(), &format!("{what} inner {i}"));
            }
        }
        Message::Tunnel(r, payload) if r.nof_fragms == 0 && !payload.is_empty() => {
            checked += round_trip(payload, &format!("{what} tunnelled"));
        }
        _ => {}
    }
    checked
}

#[test]
fn captured_frames_round_trip() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    let mut messages = 0;
    let mut reassembled = 0;
    for name in CAPTURES {
        let file = std::fs::read(format!("{root}/{name}")).unwrap();
        // The nodes that sent fragments: each has one stream of them.
        let mut senders: Vec<u32> = Vec::new();
        for (i, frame) in pcap::frames(&file).into_iter().enumerate() {
            let Some(msg) = pcap::tipc_payload(frame) else {
                continue;
            };
            let what = format!("{name} frame {}", i + 1);
            messages += round_trip(msg, &what);
            total += 1;
            let m = Message::parse(msg, Caps::ALL).unwrap();
            let kind = match &m {
                Message::Data(r, _) => format!("data {:?}", r.msg_type),
                Message::LinkProtocol(r) => format!("link {:?}", r.msg_type),
                Message::Discovery(r) => format!("discovery {:?}", r.msg_type),
                Message::Fragment(r, _) => format!("fragment {:?}", r.msg_type),
                other => format!("{:?}", other.user()),
            };
            *kinds.entry(kind).or_default() += 1;
            if let Message::Fragment(r, _) = m {
                if !senders.contains(&r.common.prevnode) {
                    senders.push(r.common.prevnode);
                }
            }
        }
        // Reassemble each node's fragments in order.
        let frames: Vec<&[u8]> = pcap::frames(&file)
            .into_iter()
            .filter_map(pcap::tipc_payload)
            .collect();
        for node in senders {
            let mut buf = vec![0u8; MAX_MSG_SIZE];
            let mut r = Reassembler::new(&mut buf);
            for msg in &frames {
                if let Ok(Message::Fragment(..)) = Message::parse(msg, Caps::ALL) {
                    let p = Packet::new_checked(*msg).unwrap();
                    if p.prevnode() != node {
                        continue;
                    }
                    if let Some(n) = r.push(&p).unwrap() {
                        let whole = Message::parse(r.message(n), Caps::ALL).unwrap();
                        assert!(matches!(whole, Message::Data(..)));
                        reassembled += 1;
                    }
                }
            }
        }
    }
    std::println!(
        "{total} TIPC frames, {messages} messages round-tripped, {reassembled} reassembled"
    );
    for (k, n) in &kinds {
        std::println!("  {n:5} {k}");
    }
    assert!(total > 100);
}
