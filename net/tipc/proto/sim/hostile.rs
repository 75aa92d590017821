// SPDX-License-Identifier: GPL-2.0

//! Hostile input: random bytes and mutated valid discovery, link protocol, data and
//! fragment packets fed to a node with a live link (so forged acknowledgements, gaps and
//! Gap ACK blocks too). Nothing panics; what is not a valid message is counted.

#![cfg(test)]

extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use super::cases;
use super::net::{eth0, Impairment, Net};
use crate::kalloc::GFP_KERNEL;
use crate::proto::link::testing::data_msg;
use crate::proto::wire::consts::Importance;
use crate::proto::wire::header::Packet;

/// Two linked nodes and what node 1 sent node 0 on the way (discovery, `RESET`,
/// `ACTIVATE`, `STATE`, data, fragments), one of each kind.
fn linked_pair(seed: u64) -> (Net, Vec<Vec<u8>>) {
    let mut net = Net::new(2, Impairment::CLEAN, seed);
    let t = net.run_until_linked(10_000).expect("linked");
    net.run_until(t + 2_000);
    let (a0, a1) = (
        net.nodes[0].cluster.own().addr(),
        net.nodes[1].cluster.own().addr(),
    );
    for len in [100, 3_000] {
        let m = data_msg(a1, a0, Importance::Low, 7, &std::vec![0x5a; len]);
        let now = net.now;
        net.nodes[1]
            .cluster
            .send(a0, 0, m, now, GFP_KERNEL)
            .expect("send");
        net.drain(1);
    }
    net.run_until(net.now + 1_000);
    let mut samples: Vec<Vec<u8>> = Vec::new();
    for (_, from, to, bytes) in &net.log {
        let kind = (bytes[0] >> 1 & 0xf, bytes[4] >> 5);
        if (*from, *to) == (1, 0) && !samples.iter().any(|s| (s[0] >> 1 & 0xf, s[4] >> 5) == kind) {
            samples.push(bytes.clone());
        }
    }
    assert!(samples.len() >= 7, "{} kinds", samples.len());
    (net, samples)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_counted(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let (mut net, _) = linked_pair(9);
        let now = net.now;
        let c = &mut net.nodes[0].cluster;
        let before = c.drops().total();
        c.handle_packet(eth0(), bytes.clone(), now, GFP_KERNEL);
        // What is not counted as dropped passed the header checks and was judged as a
        // message.
        prop_assert!(c.drops().total() > before || Packet::new_checked(&bytes[..]).is_ok());
    }

    #[test]
    fn mutated_messages_do_not_break_the_node(
        seed in any::<u64>(),
        pick in any::<usize>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let (mut net, samples) = linked_pair(seed);
        let mut m = samples[pick % samples.len()].clone();
        for (at, x) in flips {
            let k = at % m.len();
            m[k] ^= x;
        }
        let now = net.now;
        for _ in 0..3 {
            net.nodes[0].cluster.handle_packet(eth0(), m.clone(), now, GFP_KERNEL);
        }
        // Whatever a forged message did, supervision brings the pair together again.
        let back = net.run_until_linked(now + 60_000);
        prop_assert!(back.is_some());
    }
}
