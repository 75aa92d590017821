// SPDX-License-Identifier: GPL-2.0

//! Traffic captured between two nodes running the kernel's C module (see
//! tools/testing/wire/capture.sh): every TIPC frame parses, and emitting what was parsed gives
//! back the same bytes; the inner messages of bundles and tunnels too, and the fragments
//! reassemble into valid messages. Encrypted frames parse and re-emit as an encryption header
//! around opaque ciphertext.

use std::collections::{BTreeMap, BTreeSet};
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use super::super::bundle::Unbundler;
use super::super::consts::{Caps, ErrorCode, MAX_MSG_SIZE};
use super::super::ehdr::{is_encrypted, EhdrRepr, Sender};
use super::super::header::Packet;
use super::super::message::Message;
use super::super::reassembly::Reassembler;
use super::pcap;

/// The capture files, relative to the repository.
const CAPTURES: &[&str] = &[
    "tools/testing/wire/c-two-nodes.pcap",
    "tools/testing/wire/c-sockets.pcap",
    "tools/testing/wire/c-encrypted.pcap",
    "tools/testing/wire/c-decrypted.pcap",
];

/// Parses an encrypted frame, emits it again and compares; returns what it holds for the
/// tally.
fn round_trip_encrypted(frame: &[u8], what: &str) -> String {
    let r = EhdrRepr::parse(frame).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let mut out = vec![0u8; frame.len()];
    assert_eq!(r.emit(&mut out), Ok(frame.len()), "{what}");
    assert_eq!(&out[..], frame, "{what}: {r:?}");
    match r.sender {
        Sender::Addr(_) => "encrypted message".into(),
        Sender::LinkState { keepalive, .. } => {
            format!("encrypted link state, keepalive {keepalive}")
        }
        Sender::Identity(_) => "encrypted discovery".into(),
    }
}

/// What a message is, for the tally.
fn kind_of(m: &Message<'_>) -> String {
    match m {
        Message::Data(r, _) if r.errcode != ErrorCode::Ok => {
            format!("data {:?} returned {:?}", r.msg_type, r.errcode)
        }
        Message::Data(r, _) => format!("data {:?}", r.msg_type),
        Message::ConnManager(r) => format!("conn manager {:?}", r.msg_type),
        Message::NameDistributor(r) => format!("name distributor {:?}", r.msg_type),
        Message::KeyDistr(_) => "key exchange".into(),
        Message::LinkProtocol(r) => format!("link {:?}", r.msg_type),
        Message::Discovery(r) => format!("discovery {:?}", r.msg_type),
        Message::Fragment(r, _) => format!("fragment {:?}", r.msg_type),
        Message::Tunnel(r, _) => format!("tunnel {:?}", r.msg_type),
        other => format!("{:?}", other.user()),
    }
}

/// Parses `msg`, emits it again and compares; recurses into bundles and tunnels, counting
/// every message by kind (`how` says where it was found). Returns the number of messages
/// checked.
fn round_trip(msg: &[u8], what: &str, how: &str, kinds: &mut BTreeMap<String, usize>) -> usize {
    let m = Message::parse(msg, Caps::ALL).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    *kinds.entry(format!("{}{how}", kind_of(&m))).or_default() += 1;
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
                checked += round_trip(
                    inner.message(),
                    &format!("{what} inner {i}"),
                    " (bundled)",
                    kinds,
                );
            }
        }
        Message::Tunnel(r, payload) if r.nof_fragms == 0 && !payload.is_empty() => {
            checked += round_trip(payload, &format!("{what} tunnelled"), " (tunnelled)", kinds);
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
    let mut encrypted = 0;
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for name in CAPTURES {
        let file = std::fs::read(format!("{root}/{name}")).unwrap();
        // The nodes that sent fragments: each has one stream of them.
        let mut senders: Vec<u32> = Vec::new();
        for (i, frame) in pcap::frames(&file).into_iter().enumerate() {
            let Some(msg) = pcap::tipc_payload(frame) else {
                continue;
            };
            let what = format!("{name} frame {}", i + 1);
            total += 1;
            *per_file.entry(name).or_default() += 1;
            if is_encrypted(msg) {
                *kinds.entry(round_trip_encrypted(msg, &what)).or_default() += 1;
                encrypted += 1;
                continue;
            }
            messages += round_trip(msg, &what, "", &mut kinds);
            let m = Message::parse(msg, Caps::ALL).unwrap();
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
            .filter(|m| !is_encrypted(m))
            .collect();
        for node in senders {
            let mut buf = vec![0u8; MAX_MSG_SIZE];
            let mut r = Reassembler::new(&mut buf);
            // A link delivers each sequence number once: retransmissions are left out.
            let mut delivered = BTreeSet::new();
            for msg in &frames {
                if let Ok(Message::Fragment(..)) = Message::parse(msg, Caps::ALL) {
                    let p = Packet::new_checked(*msg).unwrap();
                    if p.prevnode() != node || !delivered.insert(p.seqno()) {
                        continue;
                    }
                    let pushed = r.push(&p);
                    let pushed = pushed.unwrap_or_else(|e| panic!("{name}: {node:#x} {e:?}"));
                    if let Some(n) = pushed {
                        let whole = Message::parse(r.message(n), Caps::ALL).unwrap();
                        assert!(matches!(whole, Message::Data(..)));
                        *kinds
                            .entry(format!("{} (reassembled)", kind_of(&whole)))
                            .or_default() += 1;
                        reassembled += 1;
                    }
                }
            }
        }
    }
    std::println!(
        "{total} TIPC frames, {encrypted} of them encrypted, {messages} messages round-tripped, \
         {reassembled} reassembled"
    );
    for (f, n) in &per_file {
        std::println!("  {n:5} frames in {f}");
    }
    for (k, n) in &kinds {
        std::println!("  {n:5} {k}");
    }
    assert!(total > 100);
    // What the captures were made to hold (see Documentation/wire.md).
    for k in [
        "data Named",
        "data Direct",
        "data Mcast",
        "data Conn",
        "data Direct returned NoPort",
        "data Conn returned ConnShutdown",
        "conn manager Ack",
        "MsgBundler",
        "fragment First",
        "name distributor Publication",
        "name distributor Withdrawal",
        "link Reset",
        "link Activate",
        "discovery Request",
        "discovery Response",
        "BcastProtocol",
        "key exchange",
        "encrypted message",
        "encrypted discovery",
        "encrypted link state, keepalive true",
    ] {
        assert!(kinds.contains_key(k), "no {k} in the captures");
    }
    assert!(reassembled >= 3);
}
