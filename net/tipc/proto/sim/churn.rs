// SPDX-License-Identifier: GPL-2.0

//! Name tables converge after churn: nodes on an impaired segment bind and unbind service
//! ranges of cluster scope at random, one at a time or in bursts (which the links bundle),
//! while one of them is cut off and healed, muted, powered off and resumed, or rebooted;
//! once the victim has been parted for longer than the others take to notice, none of them
//! holds its bindings; once the churn stops and the network settles (every node linked to
//! every other, every link's queues empty), every node's table holds exactly the union of
//! every node's own bindings, and no update is left held.

#![cfg(test)]

extern crate std;

use std::collections::BTreeSet;
use std::vec::Vec;

use proptest::prelude::*;

use super::cases;
use super::names::Entry;
use super::net::{Impairment, Net};
use super::rng::Rng;
use super::tests::DOWN_BOUND;
use crate::proto::name_table::addr::ServiceRange;

/// How the victim is parted from the others.
#[derive(Clone, Copy, Debug)]
enum Partition {
    /// Running on its own side: frames to and from the others are lost.
    Isolated,
    /// Its frames are lost, while it hears the others.
    Mute,
    /// Powered off and resumed as it was.
    PoweredOff,
    /// Powered off and booted again: its bindings are gone.
    Rebooted,
}

/// A node's own bindings: range, port and key.
type Own = BTreeSet<(ServiceRange, u32, u32)>;

/// The churn: random binds and unbinds on running nodes, each (or one in twenty, a burst of
/// up to 1500 on one node: the links bundle them, and more than the system backlog holds
/// takes a link down) followed by up to 100 ms.
struct Churn {
    rng: Rng,
    own: Vec<Own>,
    key: u32,
}

impl Churn {
    /// `changes` binds or unbinds.
    fn run(&mut self, net: &mut Net, changes: usize) {
        for _ in 0..changes {
            let i = self.rng.below(net.nodes.len() as u64) as usize;
            let burst = if self.rng.chance(50) {
                1 + self.rng.below(1500)
            } else {
                1
            };
            for _ in 0..burst {
                if net.nodes[i].on {
                    self.change(net, i);
                }
            }
            let t = net.now + 1 + self.rng.below(100);
            net.run_until(t);
        }
    }

    /// Runs for `ms` with changes as [`Churn::run`].
    fn run_for(&mut self, net: &mut Net, ms: u64) {
        let end = net.now + ms;
        while net.now < end {
            self.run(net, 1);
        }
    }

    fn change(&mut self, net: &mut Net, i: usize) {
        let unbind = !self.own[i].is_empty() && self.rng.chance(400);
        if unbind {
            let k = self.rng.below(self.own[i].len() as u64) as usize;
            let Some(&(range, port, key)) = self.own[i].iter().nth(k) else {
                return;
            };
            assert!(net.unbind(i, range, port, key), "unbind {range:?}");
            self.own[i].remove(&(range, port, key));
            return;
        }
        let lower = self.rng.below(50) as u32;
        let range = ServiceRange {
            ty: 1000 + self.rng.below(3) as u32,
            lower,
            upper: lower + self.rng.below(5) as u32,
        };
        let port = 1 + self.rng.below(4) as u32;
        self.key += 1;
        assert!(net.bind(i, range, port, self.key), "bind {range:?}");
        self.own[i].insert((range, port, self.key));
    }

    /// Every node's own bindings as the tables should show them.
    fn expected(&self, net: &Net) -> BTreeSet<Entry> {
        let mut all = BTreeSet::new();
        for (n, own) in net.nodes.iter().zip(&self.own) {
            let a = n.cluster.own().addr();
            for &(r, port, key) in own {
                all.insert((a, r.ty, r.lower, r.upper, port, key));
            }
        }
        all
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// 3 to 5 nodes with up to 30 % loss, 30 % duplication and 200 ms of jitter (links fail
    /// and come back on their own); a partition of 0.5 to 6 s in the middle of the churn.
    #[test]
    fn name_tables_converge_after_churn(
        seed in any::<u64>(),
        n in 3usize..=5,
        loss in 0u32..300,
        dup in 0u32..300,
        jitter in 0u64..200,
        kind in prop_oneof![
            Just(Partition::Isolated),
            Just(Partition::Mute),
            Just(Partition::PoweredOff),
            Just(Partition::Rebooted),
        ],
        parted_ms in 500u64..6_000,
    ) {
        let imp = Impairment { loss, dup, delay: 1, jitter };
        let mut net = Net::new(n, imp, seed).with_names();
        prop_assert!(net.run_until_linked(60_000).is_some(), "not linked");
        let mut churn = Churn {
            rng: Rng::new(seed ^ 0x6e61_6d65),
            own: std::vec![Own::new(); n],
            key: 0,
        };
        churn.run(&mut net, 30);
        let victim = churn.rng.below(n as u64) as usize;
        match kind {
            Partition::Isolated => net.nodes[victim].side = 1,
            Partition::Mute => net.nodes[victim].mute = true,
            Partition::PoweredOff | Partition::Rebooted => net.power_off(victim),
        }
        churn.run_for(&mut net, parted_ms);
        // Parted for longer than the others take to notice (after its last frame in flight
        // arrived): none of them holds a binding of the victim.
        if parted_ms > jitter + DOWN_BOUND {
            let gone = net.nodes[victim].cluster.own().addr();
            for (i, node) in net.nodes.iter().enumerate().filter(|&(i, n)| i != victim && n.on) {
                let names = node.names.as_ref().expect("names");
                let kept = names.entries().iter().filter(|e| e.0 == gone).count();
                prop_assert_eq!(kept, 0, "node {} kept bindings of node {}", i, victim);
            }
        }
        match kind {
            Partition::Isolated => net.nodes[victim].side = 0,
            Partition::Mute => net.nodes[victim].mute = false,
            Partition::PoweredOff => net.resume(victim),
            Partition::Rebooted => {
                net.reboot(victim);
                churn.own[victim].clear();
            }
        }
        churn.run(&mut net, 30);
        // Settled: all linked and every link's queues empty. (Under loss a link may fail
        // and come back meanwhile; its peers then exchange their bulks again.)
        let deadline = net.now + 120_000;
        prop_assert!(net.run_until_quiet(deadline).is_some(), "not settled");
        let want = churn.expected(&net);
        let addrs: Vec<u32> = net.nodes.iter().map(|n| n.cluster.own().addr()).collect();
        for (i, node) in net.nodes.iter().enumerate() {
            let names = node.names.as_ref().expect("names");
            let have = names.entries();
            prop_assert_eq!(
                have.symmetric_difference(&want).collect::<Vec<_>>(),
                Vec::<&Entry>::new(),
                "node {} ({:?}): {:?}",
                i,
                kind,
                names.distr.stats()
            );
            for &a in &addrs {
                prop_assert_eq!(names.distr.held(a), 0, "node {} holds updates of {:x}", i, a);
            }
        }
    }
}
