// SPDX-License-Identifier: GPL-2.0

//! Arbitrary bytes never panic any parser, and whatever parses emits and parses back the same.

use std::vec;

use proptest::prelude::*;

use super::super::bundle::Unbundler;
use super::super::consts::{Caps, MAX_MSG_SIZE};
use super::super::ehdr::{EhdrRepr, EncPacket};
use super::super::gap_ack::GapAckBlocks;
use super::super::header::Packet;
use super::super::message::{Frame, Message};
use super::super::monitor::DomainRecord;
use super::super::name_distr::NameItems;
use super::super::reassembly::Reassembler;
use super::super::topsrv::{Event, Subscription};
use super::samples;

/// Runs every parser over `b`.
pub(crate) fn parse_everything(b: &[u8]) {
    let _ = Packet::new_checked(b);
    for caps in [Caps::ALL, Caps(0)] {
        if let Ok(m) = Message::parse(b, caps) {
            let mut out = vec![0u8; MAX_MSG_SIZE + 64];
            let n = m.emit(&mut out).expect("a parsed message emits");
            let again = Message::parse(&out[..n], caps).expect("an emitted message parses");
            assert_eq!(again, m);
        }
    }
    if let Ok(r) = EhdrRepr::parse(b) {
        let mut out = vec![0u8; b.len()];
        assert_eq!(r.emit(&mut out), Ok(b.len()));
        assert_eq!(&out[..], b, "an encrypted frame re-emits byte for byte");
    }
    let p = EncPacket::new_unchecked(b);
    let _ = (
        p.ciphertext().len(),
        p.tag(),
        p.node_id(),
        p.seqno(),
        p.addr(),
    );
    let _ = Frame::parse(b, Caps::ALL);
    let _ = GapAckBlocks::parse(b).map(|g| (g.bcast().count(), g.unicast().count()));
    let _ = DomainRecord::parse(b).map(|d| d.members().count());
    let _ = NameItems::parse(b).map(|i| i.iter().count());
    let _ = Subscription::parse(b);
    let _ = Event::parse(b);
    for m in Unbundler::new(b).take(1000) {
        let _ = m.map(|p| p.total_len());
    }
    let mut buf = vec![0u8; 4096];
    let mut r = Reassembler::new(&mut buf);
    if let Ok(p) = Packet::new_checked(b) {
        let _ = r.push(&p);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        parse_everything(&b);
    }

    #[test]
    fn mutated_samples_never_panic(
        i in 0usize..64,
        flips in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..8),
        cut in any::<u16>(),
    ) {
        let all = samples::all();
        let mut m = all[i % all.len()].clone();
        if i % 8 == 7 {
            m = samples::encrypted(i);
        }
        for (at, x) in flips {
            let at = at as usize % m.len();
            m[at] ^= x;
        }
        let cut = cut as usize % (m.len() + 1);
        parse_everything(&m[..cut]);
        parse_everything(&m);
    }
}
