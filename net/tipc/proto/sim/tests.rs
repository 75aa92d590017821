// SPDX-License-Identifier: GPL-2.0

//! Scenarios: nodes meet, links come up, a silent peer is declared down within the C
//! module's bound, links come back; over many seeds.

#![cfg(test)]

extern crate std;

use proptest::prelude::*;

use super::cases;
use super::net::{eth, eth0, Impairment, Net};
use crate::kalloc::GFP_KERNEL;
use crate::proto::bearer::media::MediaProps;
use crate::proto::bearer::props::{PropRequest, DEF_LINK_TOL};
use crate::proto::bearer::BearerId;
use crate::proto::errno::Errno;
use crate::proto::node::event::Event;

/// The node timer's interval with the default tolerance: a quarter of it.
const TICK: u64 = DEF_LINK_TOL as u64 / 4;
/// The latest a silent peer is declared down after its last packet: the link fails at the
/// first tick that finds more than tolerance / tick silent ticks, the sixth with 1500 ms.
pub(super) const DOWN_BOUND: u64 = DEF_LINK_TOL as u64 + 2 * TICK;

const LOSSY: Impairment = Impairment {
    loss: 100,
    dup: 50,
    delay: 1,
    jitter: 20,
};

#[test]
fn two_nodes_meet() {
    let mut net = Net::new(2, Impairment::CLEAN, 1);
    let t = net.run_until_linked(5_000).expect("linked");
    // One second of address trial, then a request, a response and the link handshake.
    assert!((1_000..2_500).contains(&t), "linked at {t}");
    let a0 = net.nodes[0].cluster.own().addr();
    let a1 = net.nodes[1].cluster.own().addr();
    // The identities are the MAC addresses; the addresses their hashes.
    assert_eq!(a0, 0x5254_0000 ^ 0x0001_0000);
    assert_eq!(a1, 0x5254_0000 ^ 0x0002_0000);
    let l = net.nodes[0].cluster.peer(a1).and_then(|p| p.link(eth0()));
    let l = l.expect("link");
    assert_eq!(l.name().as_bytes(), b"525400000001:eth0-525400000002:eth0");
    assert_eq!((l.mtu(), l.tolerance(), l.priority()), (1500, 1500, 10));
    let p = net.nodes[0].cluster.peer(a1).expect("peer");
    assert_eq!((p.active(), p.working_links()), ([Some(eth0()); 2], 1));
    net.run_until(t + 60_000);
    assert!(net.all_linked());
    for n in &net.nodes {
        let kinds: std::vec::Vec<_> = n.events.iter().map(|(_, e)| *e).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(matches!(kinds[0], Event::AddressSet(_)));
        assert!(matches!(kinds[1], Event::NodeUp { .. }));
        assert!(matches!(kinds[2], Event::LinkUp { link_id: 0, .. }));
    }
    assert_eq!(net.nodes[0].cluster.drops().total(), 0);
}

#[test]
fn five_nodes_meet_on_a_bad_segment() {
    let mut net = Net::new(5, LOSSY, 7);
    let t = net.run_until_linked(30_000).expect("linked");
    net.run_until(t + 10_000);
    assert!(net.all_linked());
}

#[test]
fn a_peer_is_removed_on_request_only_once_down() {
    let mut net = Net::new(2, Impairment::CLEAN, 1);
    let t = net.run_until_linked(5_000).expect("linked");
    let a0 = net.nodes[0].cluster.own().addr();
    let a1 = net.nodes[1].cluster.own().addr();
    let c = &mut net.nodes[0].cluster;
    assert_eq!(c.remove_peer(a1), Err(Errno::EBUSY), "in contact");
    assert_eq!(c.remove_peer(a0), Err(Errno::ENOTSUPP), "this node");
    assert_eq!(c.remove_peer(0), Err(Errno::ENOTSUPP), "address 0");
    assert_eq!(c.remove_peer(a1 ^ 1), Err(Errno::ENXIO), "unknown");
    net.power_off(1);
    net.run_until(t + 10_000);
    assert!(net.link_down_at(0, 1, t).is_some(), "declared down");
    let c = &mut net.nodes[0].cluster;
    assert_eq!(c.remove_peer(a1), Ok(()));
    assert!(c.peer(a1).is_none(), "forgotten with its links");
    assert_eq!(c.remove_peer(a1), Err(Errno::ENXIO), "already gone");
    net.resume(1);
    let deadline = net.now + 30_000;
    assert!(net.run_until_linked(deadline).is_some(), "met again");
}

#[test]
fn colliding_trial_addresses_part() {
    // Both identities hash to 0x02010000.
    let macs = [[2, 0, 0, 0, 0, 1], [2, 1, 0, 0, 0, 0]];
    let mut net = Net::with_macs(&macs, Impairment::CLEAN, 3);
    net.run_until_linked(10_000).expect("linked");
    let a0 = net.nodes[0].cluster.own().addr();
    let a1 = net.nodes[1].cluster.own().addr();
    assert_ne!(a0, a1);
}

/// Silences node 1 once all are linked; checks that node 0 declares it down within the
/// bound, and returns when.
///
/// Only a message the link accepts restarts its count of silent ticks, and with jitter an
/// older message (a `STATE` of an earlier protocol sequence number, refused) may arrive
/// after the last accepted one, by up to the jitter: the lower bound allows for that.
fn silence_and_check(net: &mut Net) -> u64 {
    let t0 = net.now;
    net.power_off(1);
    net.run_until(t0 + 10_000);
    let last = net.nodes[0].last_rx[1].expect("heard from node 1");
    let down = net.link_down_at(0, 1, t0).expect("declared down");
    let silent = down - last;
    assert!(
        (DEF_LINK_TOL as u64 - net.imp.jitter..=DOWN_BOUND).contains(&silent),
        "down {silent} ms after the last packet"
    );
    let a1 = net.nodes[1].cluster.own().addr();
    assert!(!net.nodes[0].cluster.peer(a1).is_some_and(|p| p.is_up()));
    down
}

#[test]
fn a_peer_down_for_five_minutes_is_forgotten() {
    let mut net = Net::new(2, Impairment::CLEAN, 12);
    net.run_until_linked(10_000).expect("linked");
    let down = silence_and_check(&mut net);
    let a1 = net.nodes[1].cluster.own().addr();
    net.run_until(down + 299_000);
    assert!(net.nodes[0].cluster.peer(a1).is_some());
    net.run_until(down + 301_000);
    assert!(net.nodes[0].cluster.peer(a1).is_none());
}

#[test]
fn a_silent_peer_goes_down_within_its_tolerance_and_comes_back() {
    let mut net = Net::new(3, Impairment::CLEAN, 11);
    let t = net.run_until_linked(10_000).expect("linked");
    net.run_until(t + 5_000);
    silence_and_check(&mut net);
    assert!(net.linked(0, 2));
    net.resume(1);
    let back = net.now;
    let t = net.run_until_linked(back + 20_000).expect("back");
    assert!(t - back < 10_000, "back after {} ms", t - back);
}

#[test]
fn a_rebooted_peer_links_again() {
    let mut net = Net::new(2, Impairment::CLEAN, 5);
    let t = net.run_until_linked(10_000).expect("linked");
    net.run_until(t + 3_000);
    net.power_off(1);
    net.run_until(t + 3_500);
    net.reboot(1);
    let back = net.now;
    net.run_until_linked(back + 20_000).expect("back");
}

#[test]
fn disabling_the_bearer_takes_the_links_down() {
    let mut net = Net::new(3, Impairment::CLEAN, 2);
    let t = net.run_until_linked(10_000).expect("linked");
    let before = net.nodes[0].events.len();
    let c = &mut net.nodes[0].cluster;
    c.disable_bearer(eth0(), t, GFP_KERNEL);
    let mut downs = std::vec::Vec::new();
    while let Some(e) = c.poll_event() {
        downs.push(e);
    }
    assert_eq!(downs.len(), 4, "{downs:?}");
    assert!(matches!(downs[0], Event::NodeDown { .. }));
    assert!(matches!(downs[1], Event::LinkDown { .. }));
    assert!(c
        .peers()
        .iter()
        .all(|p| p.link(eth0()).is_none() && !p.is_up()));
    assert_eq!(net.nodes[0].events.len(), before);
    // The others see it go silent.
    net.run_until(t + 5_000);
    assert!(net.link_down_at(1, 0, t).is_some());
    assert!(net.linked(1, 2));
}

#[test]
fn a_new_tolerance_reaches_the_peer() {
    let mut net = Net::new(2, Impairment::CLEAN, 4);
    let t = net.run_until_linked(10_000).expect("linked");
    let req = PropRequest {
        tolerance: Some(3_000),
        ..PropRequest::default()
    };
    net.nodes[0]
        .cluster
        .set_bearer(b"eth:eth0", &req, t, GFP_KERNEL)
        .expect("set");
    net.run_until(t + 1_000);
    let tol = |net: &Net, i: usize, j: usize| {
        let a = net.nodes[j].cluster.own().addr();
        net.nodes[i]
            .cluster
            .peer(a)
            .and_then(|p| p.link(eth0()))
            .map(|l| l.tolerance())
    };
    assert_eq!(
        (tol(&net, 0, 1), tol(&net, 1, 0)),
        (Some(3_000), Some(3_000))
    );
    assert_eq!(
        net.nodes[1]
            .cluster
            .peer(net.nodes[0].cluster.own().addr())
            .map(|p| p.keepalive_intv()),
        Some(500)
    );
    // Now silence takes longer to notice: 3000 ms over 500 ms ticks, the eighth tick.
    let t0 = net.now;
    net.power_off(1);
    net.run_until(t0 + 10_000);
    let silent = net.link_down_at(0, 1, t0).expect("down") - net.nodes[0].last_rx[1].expect("rx");
    assert!((3_000..=3_000 + 2 * 500).contains(&silent), "{silent}");
}

#[test]
fn a_link_priority_set_by_name_reaches_the_peer() {
    let mut net = Net::new(2, Impairment::CLEAN, 8);
    let t = net.run_until_linked(10_000).expect("linked");
    let a1 = net.nodes[1].cluster.own().addr();
    let name = net.nodes[0]
        .cluster
        .peer(a1)
        .and_then(|p| p.link(eth0()))
        .map(|l| *l.name());
    let name = name.expect("link");
    let req = PropRequest {
        priority: Some(12),
        ..PropRequest::default()
    };
    let c = &mut net.nodes[0].cluster;
    assert_eq!(
        c.set_link(b"no:such-link:x", &req, t, GFP_KERNEL),
        Err(crate::proto::errno::Errno::EINVAL)
    );
    c.set_link(name.as_bytes(), &req, t, GFP_KERNEL)
        .expect("set");
    net.drain(0);
    // The peer takes the priority by resetting the link, which comes back.
    net.run_until(t + 100);
    assert!(net.link_down_at(1, 0, t).is_some());
    let back = net.run_until_linked(t + 10_000).expect("back");
    net.run_until(back + 1_000);
    let prio = |net: &Net, i: usize, j: usize| {
        let a = net.nodes[j].cluster.own().addr();
        net.nodes[i]
            .cluster
            .peer(a)
            .and_then(|p| p.link(eth0()))
            .map(|l| l.priority())
    };
    assert_eq!((prio(&net, 0, 1), prio(&net, 1, 0)), (Some(12), Some(12)));
}

#[test]
fn a_second_node_with_a_known_address_is_a_duplicate() {
    let mut net = Net::new(2, Impairment::CLEAN, 6);
    let t = net.run_until_linked(10_000).expect("linked");
    // A third node that claims node 1's address (a configured address, no trial).
    let mut imposter = crate::proto::node::cluster::Cluster::<std::vec::Vec<u8>>::new(99, 99, 99);
    let set = crate::proto::node::own::NetSet {
        addr: Some(net.nodes[1].cluster.own().addr()),
        ..Default::default()
    };
    imposter.net_set(&set, t, GFP_KERNEL).expect("set");
    let adm = imposter
        .admit_bearer(b"eth:eth0", 32, MediaProps::default_for)
        .expect("admit");
    let att = crate::proto::bearer::table::Attachment {
        addr: crate::proto::bearer::media_addr::MediaAddr::eth([2, 0, 0, 0, 0, 9]),
        dev_mtu: 1500,
    };
    imposter
        .enable_bearer(&adm, 0, &att, t, GFP_KERNEL)
        .expect("enable");
    let req = imposter.poll_transmit().expect("request");
    let mut b = [0u8; crate::proto::node::transmit::MAX_PACKET];
    let n = req.msg.emit(&mut b).expect("emit");
    let c = &mut net.nodes[0].cluster;
    let before = c.drops().duplicate_address;
    c.handle_packet(eth0(), b[..n].to_vec(), t, GFP_KERNEL);
    assert_eq!(c.drops().duplicate_address, before + 1);
    assert!(c.poll_transmit().is_none(), "no response to a duplicate");
    assert!(net.linked(0, 1));
}

/// The bearers of node 0's active links to node 1, and how many of its links are up.
fn active(net: &Net) -> ([Option<BearerId>; 2], u32) {
    let a1 = net.nodes[1].cluster.own().addr();
    let p = net.nodes[0].cluster.peer(a1).expect("peer");
    (p.active(), p.working_links())
}

#[test]
fn links_of_equal_priority_share_the_traffic() {
    let mut net = Net::with_segments(2, &[10, 10], Impairment::CLEAN, 21);
    let t = net.run_until_linked(10_000).expect("linked");
    net.run_until(t + 3_000);
    assert_eq!(active(&net), ([Some(eth(0)), Some(eth(1))], 2));
}

#[test]
fn a_better_link_takes_over_and_a_lost_one_leaves_the_node_up() {
    let mut net = Net::with_segments(2, &[5, 20], Impairment::CLEAN, 22);
    let t = net.run_until_linked(10_000).expect("linked");
    net.run_until(t + 3_000);
    assert_eq!(active(&net), ([Some(eth(1)); 2], 2));
    let nodes_down = |net: &Net| {
        net.nodes[0]
            .events
            .iter()
            .filter(|(_, e)| matches!(e, Event::NodeDown { .. }))
            .count()
    };
    // The better segment fails: the other link takes both slots, the node stays up.
    let t0 = net.now;
    net.cut[1] = true;
    net.run_until(t0 + 5_000);
    assert_eq!(active(&net), ([Some(eth(0)); 2], 1));
    assert_eq!(nodes_down(&net), 0);
    assert!(net.linked(0, 1));
    // It comes back and takes over again.
    net.cut[1] = false;
    net.run_until(net.now + 10_000);
    assert_eq!(active(&net), ([Some(eth(1)); 2], 2));
    // Both fail: the node goes down once.
    net.cut = std::vec![true, true];
    net.run_until(net.now + 5_000);
    assert_eq!((active(&net), nodes_down(&net)), (([None; 2], 0), 1));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn every_seed_meets_fails_and_recovers(
        seed in any::<u64>(),
        n in 2usize..=4,
        loss in 0u32..150,
        dup in 0u32..100,
        jitter in 0u64..30,
    ) {
        let imp = Impairment { loss, dup, delay: 1, jitter };
        let mut net = Net::new(n, imp, seed);
        let t = net.run_until_linked(60_000);
        prop_assert!(t.is_some(), "not linked");
        net.run_until(net.now + 3_000);
        // Loss may delay a link's handshake but not break one that is up.
        prop_assert!(net.all_linked());
        // A silence must be measured on a link whose every packet counts: no loss.
        net.imp = Impairment { loss: 0, dup, delay: 1, jitter };
        silence_and_check(&mut net);
        net.imp = imp;
        net.resume(1);
        let back = net.run_until_linked(net.now + 60_000);
        prop_assert!(back.is_some(), "not back");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// 3 to 5 nodes cut into two sides: each node declares every node of the other side
    /// down within the bound of its last packet from it, keeps its links within its side,
    /// and links with all again once the cut heals.
    #[test]
    fn every_seed_detects_a_partition_between_two_sides(
        seed in any::<u64>(),
        n in 3usize..=5,
        sides in any::<u32>(),
        dup in 0u32..100,
        jitter in 0u64..30,
    ) {
        // Side 1 takes a non-empty set of the nodes but node 0.
        let others = sides % ((1 << (n - 1)) - 1) + 1;
        let side: std::vec::Vec<usize> = (0..n)
            .map(|i| usize::from(i > 0 && others >> (i - 1) & 1 == 1))
            .collect();
        let imp = Impairment { loss: 0, dup, delay: 1, jitter };
        let mut net = Net::new(n, imp, seed);
        prop_assert!(net.run_until_linked(60_000).is_some(), "not linked");
        net.run_until(net.now + 3_000);
        let t0 = net.now;
        for (node, &s) in net.nodes.iter_mut().zip(&side) {
            node.side = s;
        }
        net.run_until(t0 + 10_000);
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                if side[i] == side[j] {
                    prop_assert!(net.linked(i, j), "{} and {} parted", i, j);
                    continue;
                }
                let last = net.nodes[i].last_rx[j].expect("heard");
                let down = net.link_down_at(i, j, t0);
                prop_assert!(down.is_some(), "{} kept {} up", i, j);
                let silent = down.unwrap_or(0) - last;
                prop_assert!(
                    (DEF_LINK_TOL as u64 - jitter..=DOWN_BOUND).contains(&silent),
                    "{} declared {} down {} ms after its last packet", i, j, silent
                );
            }
        }
        for node in &mut net.nodes {
            node.side = 0;
        }
        let back = net.run_until_linked(net.now + 60_000);
        prop_assert!(back.is_some(), "not back");
    }
}

#[test]
fn link_setup_goes_as_in_c() {
    let mut net = Net::new(2, Impairment::CLEAN, 1);
    net.run_until(4_000);
    let word = |b: &[u8], i: usize| {
        u32::from_be_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]])
    };
    // Node 0's link protocol messages: (time, type, size, probe, keepalive).
    let sent: std::vec::Vec<_> = net
        .log
        .iter()
        .filter(|(_, from, _, b)| *from == 0 && word(b, 0) >> 25 & 15 == 7)
        .map(|(t, _, _, b)| {
            (
                *t,
                word(b, 1) >> 29,
                word(b, 0) & 0x1ffff,
                word(b, 5) & 1,
                word(b, 0) >> 19 & 1,
            )
        })
        .collect();
    // A tick after the link is made (the first request after the trial, 1125 ms), RESET;
    // the next tick ACTIVATE, which takes the peer up; its STATE takes this end up at once.
    let kinds: std::vec::Vec<_> = sent.iter().map(|&(_, ty, size, ..)| (ty, size)).collect();
    assert_eq!(&kinds[..3], &[(1, 56), (2, 56), (0, 44)]);
    assert_eq!(sent[1].0 - sent[0].0, TICK);
    // Then probes (probe and keepalive) and the peer's replies every tick.
    let probes: std::vec::Vec<_> = sent.iter().filter(|s| s.3 == 1 && s.4 == 1).collect();
    assert!(probes.len() >= 3);
    for w in probes.windows(2) {
        assert_eq!(w[1].0 - w[0].0, TICK);
    }
}
