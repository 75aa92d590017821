// SPDX-License-Identifier: GPL-2.0

//! The broadcast receive link: nodes meet and synchronise their broadcast links; a
//! broadcaster, standing in for a C node, sends numbered packets to every other node on a
//! segment that loses, duplicates and reorders frames, and retransmits what their `STATE`s
//! name missing. Every receiver takes each message once, in order, and acknowledges them
//! all.

#![cfg(test)]

extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use super::cases;
use super::net::{Impairment, Net};
use crate::proto::discovery::message::NODE_CAPABILITIES;
use crate::proto::link::testing::data_msg;
use crate::proto::seqno::Seqno;
use crate::proto::wire::consts::{Importance, User};
use crate::proto::wire::header::{Flags, Packet};
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// The C module's send link, as far as receivers see it: node 0 broadcasts packets
/// numbered from 1 (its synchronisation said its last was 0) and retransmits, to every
/// receiver, the packets a receiver's `STATE` names missing: after its acknowledgement, the
/// gap, and between its Gap ACK blocks. The last number it sent reaches receivers in C's
/// `STATE`s, which node 0 (this core, which sends no broadcasts) does not write: in its
/// place the broadcaster resends what some receiver has not acknowledged every 500 ms.
struct Broadcaster {
    sent: Vec<Vec<u8>>,
    /// Each node's acknowledgement, as its unicast packets to node 0 carry it.
    acked: Vec<u16>,
    /// `STATE`s naming a gap.
    nacks: u32,
    /// How far the segment's log was read.
    seen: usize,
    last_resend: u64,
}

impl Broadcaster {
    fn new(n: usize) -> Self {
        Self {
            sent: Vec::new(),
            acked: std::vec![0; n],
            nacks: 0,
            seen: 0,
            last_resend: 0,
        }
    }

    /// Broadcasts message `id`.
    fn send(&mut self, net: &mut Net, id: u32) {
        let a0 = net.nodes[0].cluster.own().addr();
        let net_id = net.nodes[0].cluster.own().net_id();
        let mut b = data_msg(a0, 0, Importance::Low, 77, &id.to_be_bytes());
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_flags(Flags {
            non_seq: true,
            ..p.flags()
        });
        p.set_seqno(self.sent.len() as u16 + 1);
        p.set_word(5, net_id);
        net.broadcast(0, &b);
        self.sent.push(b);
    }

    fn resend(&self, net: &mut Net, from: u16, to: u16) {
        let mut s = Seqno(from);
        while s.less_eq(Seqno(to)) {
            if let Some(b) = self.sent.get(usize::from(s.get()).wrapping_sub(1)) {
                net.broadcast(0, b);
            }
            s = s.add(1);
        }
    }

    /// Reads what the receivers sent node 0 since the last call, and retransmits.
    fn serve(&mut self, net: &mut Net) {
        let mut todo = Vec::new();
        for (_, from, to, bytes) in net.log.iter().skip(self.seen) {
            if *to != 0 {
                continue;
            }
            let Ok(p) = Packet::new_checked(&bytes[..]) else {
                continue;
            };
            if p.user() == Some(User::LinkProtocol) {
                let Ok(m) = LinkProtoRepr::parse(&p, NODE_CAPABILITIES) else {
                    continue;
                };
                if m.msg_type != LinkMsgType::State || m.bc_ack_invalid {
                    continue;
                }
                let ack = m.common.bcast_ack;
                if m.bc_gap != 0 {
                    self.nacks += 1;
                    todo.push((ack.wrapping_add(1), ack.wrapping_add(m.bc_gap)));
                }
                if let LinkPayload::State {
                    gap_acks: Some(g), ..
                } = m.payload
                {
                    for b in g.bcast().filter(|b| b.gap != 0) {
                        todo.push((b.ack.wrapping_add(1), b.ack.wrapping_add(b.gap)));
                    }
                }
                self.ack(*from, ack);
            } else if !p.flags().non_seq {
                self.ack(*from, p.bcast_ack());
            }
        }
        self.seen = net.log.len();
        for (from, to) in todo {
            self.resend(net, from, to);
        }
        if net.now >= self.last_resend + 500 {
            self.last_resend = net.now;
            let last = self.sent.len() as u16;
            if let Some(low) = self.acked.iter().skip(1).min().copied() {
                if Seqno(low).less(Seqno(last)) {
                    self.resend(net, low.wrapping_add(1), last);
                }
            }
        }
    }

    fn ack(&mut self, node: usize, ack: u16) {
        if let Some(a) = self.acked.get_mut(node) {
            if Seqno(*a).less(Seqno(ack)) && usize::from(ack) <= self.sent.len() {
                *a = ack;
            }
        }
    }
}

/// The ids node `i` took from node 0, in order.
fn taken(net: &Net, i: usize) -> Vec<u32> {
    let a0 = net.nodes[0].cluster.own().addr();
    net.nodes[i]
        .inbox
        .iter()
        .filter(|(_, peer, _)| *peer == a0)
        .map(|(_, _, m)| {
            let p = Packet::new_checked(&m[..]).expect("message");
            let d = p.payload();
            u32::from_be_bytes([d[0], d[1], d[2], d[3]])
        })
        .collect()
}

/// Runs `count` broadcasts, `burst` at a time every 10 ms, then until every receiver
/// acknowledged the last; returns the broadcaster.
fn run(net: &mut Net, count: u32, burst: u32) -> Broadcaster {
    net.keep_log = true;
    let mut bc = Broadcaster::new(net.nodes.len());
    bc.seen = net.log.len();
    let mut id = 0;
    let deadline = net.now + 60_000;
    while net.now < deadline {
        for _ in 0..burst {
            if id < count {
                bc.send(net, id);
                id += 1;
            }
        }
        net.run_until(net.now + 10);
        bc.serve(net);
        let done = bc
            .acked
            .iter()
            .skip(1)
            .all(|&a| usize::from(a) == bc.sent.len());
        if id == count && done {
            break;
        }
    }
    bc
}

#[test]
fn linked_nodes_synchronise_their_broadcast_links_and_start_over_when_lost() {
    let mut net = Net::new(3, Impairment::CLEAN, 3);
    let t = net.run_until_linked(20_000).expect("linked");
    net.run_until(t + 1_000);
    let addr = |net: &Net, i: usize| net.nodes[i].cluster.own().addr();
    for i in 0..3 {
        for j in (0..3).filter(|&j| j != i) {
            let p = net.nodes[i].cluster.peer(addr(&net, j)).expect("peer");
            assert!(p.bc().is_up(), "{i} from {j}");
            assert_eq!(p.bc().ack(), 0);
        }
    }
    // The STATEs now say so.
    net.keep_log = true;
    net.log.clear();
    net.run_until(net.now + 1_000);
    let states: Vec<LinkProtoRepr<'_>> = net
        .log
        .iter()
        .filter_map(|(_, _, _, b)| {
            let p = Packet::new_checked(&b[..]).ok()?;
            (p.user() == Some(User::LinkProtocol)).then_some(())?;
            let m = LinkProtoRepr::parse(&p, NODE_CAPABILITIES).ok()?;
            Some(LinkProtoRepr {
                payload: LinkPayload::IfName([0; 16]),
                ..m
            })
        })
        .collect();
    assert!(!states.is_empty());
    assert!(states.iter().all(|m| !m.bc_ack_invalid && m.redundant_link));
    // Node 2 is lost to node 0: its receive link starts over, and comes up again with the
    // link.
    let t0 = net.now;
    net.power_off(2);
    net.run_until(t0 + 5_000);
    assert!(net.link_down_at(0, 2, t0).is_some());
    let a2 = addr(&net, 2);
    assert!(!net.nodes[0].cluster.peer(a2).expect("peer").bc().is_up());
    net.reboot(2);
    net.run_until_linked(net.now + 20_000).expect("back");
    net.run_until(net.now + 1_000);
    assert!(net.nodes[0].cluster.peer(a2).expect("peer").bc().is_up());
    assert!(net.nodes[2]
        .cluster
        .peer(addr(&net, 0))
        .expect("peer")
        .bc()
        .is_up());
}

#[test]
fn lost_broadcasts_are_named_and_every_message_arrives_once_in_order() {
    let imp = Impairment {
        loss: 100,
        dup: 30,
        delay: 1,
        jitter: 5,
    };
    let mut net = Net::new(3, imp, 11);
    let t = net.run_until_linked(30_000).expect("linked");
    net.run_until(t + 1_000);
    let bc = run(&mut net, 400, 8);
    let want: Vec<u32> = (0..400).collect();
    for i in 1..3 {
        assert_eq!(taken(&net, i), want, "node {i}");
    }
    assert_eq!(bc.acked[1..], [400, 400]);
    assert!(bc.nacks > 0, "no STATE named a gap");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    #[test]
    fn every_seed_takes_each_broadcast_once_in_order(
        seed in any::<u64>(),
        n in 2usize..=4,
        loss in 0u32..150,
        dup in 0u32..100,
        jitter in 0u64..30,
        count in 1u32..300,
        burst in 1u32..20,
    ) {
        let imp = Impairment { loss, dup, delay: 1, jitter };
        let mut net = Net::new(n, imp, seed);
        let t = net.run_until_linked(60_000);
        prop_assert!(t.is_some(), "not linked");
        net.run_until(net.now + 2_000);
        let bc = run(&mut net, count, burst);
        let want: Vec<u32> = (0..count).collect();
        for i in 1..n {
            prop_assert_eq!(taken(&net, i), want.clone(), "node {}", i);
            prop_assert_eq!(usize::from(bc.acked[i]), count as usize, "node {}'s ack", i);
        }
    }
}
