// SPDX-License-Identifier: GPL-2.0

//! The simulated network: nodes running [`Cluster`], each with one Ethernet bearer per
//! segment; the segments lose, duplicate, delay and reorder frames as configured, and each
//! can be cut.

extern crate std;

use core::cmp::Reverse;
use std::collections::BinaryHeap;
use std::vec::Vec;

use super::names::Names;
use super::rng::Rng;
use crate::kalloc::GFP_KERNEL;
use crate::proto::bearer::media::{Media, MediaProps};
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::props::MEDIA_LINK_PRI;
use crate::proto::bearer::table::Attachment;
use crate::proto::bearer::BearerId;
use crate::proto::node::cluster::Cluster;
use crate::proto::node::event::Event;
use crate::proto::node::state::NodeState;
use crate::proto::node::transmit::{Dest, Message, MAX_PACKET};
use crate::proto::wire::bundle::Unbundler;
use crate::proto::wire::consts::User;
use crate::proto::wire::header::Packet;

/// How the segment misbehaves.
#[derive(Clone, Copy, Debug)]
pub(super) struct Impairment {
    /// Frames lost, per mille.
    pub(super) loss: u32,
    /// Frames delivered twice, per mille.
    pub(super) dup: u32,
    /// The smallest delay (ms).
    pub(super) delay: u64,
    /// Extra random delay up to this (ms): frames overtake each other.
    pub(super) jitter: u64,
}

impl Impairment {
    /// A perfect segment with 1 ms of delay.
    pub(super) const CLEAN: Self = Self {
        loss: 0,
        dup: 0,
        delay: 1,
        jitter: 0,
    };
}

/// A frame on its way, ordered by arrival.
#[derive(PartialEq, Eq)]
struct Frame {
    at: u64,
    order: u64,
    segment: usize,
    from: usize,
    to: usize,
    bytes: Vec<u8>,
}

impl Ord for Frame {
    fn cmp(&self, o: &Self) -> core::cmp::Ordering {
        (self.at, self.order).cmp(&(o.at, o.order))
    }
}

impl PartialOrd for Frame {
    fn partial_cmp(&self, o: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// One simulated node.
pub(super) struct Node {
    /// Its cluster core.
    pub(super) cluster: Cluster<Vec<u8>>,
    /// Messages its links took, with the time and the peer they came from.
    pub(super) inbox: Vec<(u64, u32, Vec<u8>)>,
    /// Its MAC address on each segment.
    pub(super) macs: Vec<[u8; 6]>,
    /// Whether it runs and its frames reach the segment.
    pub(super) on: bool,
    /// Its events, with their times.
    pub(super) events: Vec<(u64, Event)>,
    /// When it last received a frame from each node.
    pub(super) last_rx: Vec<Option<u64>>,
    /// Its name table, if the scenario keeps them ([`Net::with_names`]).
    pub(super) names: Option<Names>,
    /// The side of a partition it is on: frames between sides are lost.
    pub(super) side: usize,
    /// Its frames are lost, while it still hears the others (a one-way partition).
    pub(super) mute: bool,
}

/// The simulated network.
pub(super) struct Net {
    /// The time now (ms).
    pub(super) now: u64,
    /// The nodes.
    pub(super) nodes: Vec<Node>,
    /// The segments' behaviour.
    pub(super) imp: Impairment,
    /// The priority of each segment's bearers (`MEDIA_LINK_PRI`: the media's).
    prios: Vec<u32>,
    /// Segments that carry nothing.
    pub(super) cut: Vec<bool>,
    /// Every frame delivered: time, sender, receiver and bytes (if `keep_log`).
    pub(super) log: Vec<(u64, usize, usize, Vec<u8>)>,
    /// Whether to keep the log (the data scenarios do not).
    pub(super) keep_log: bool,
    /// Sequenced (non-protocol) frames from the first node to the second are all lost.
    pub(super) drop_data: Option<(usize, usize)>,
    rng: Rng,
    frames: BinaryHeap<Reverse<Frame>>,
    order: u64,
}

/// The bearer on segment `i`.
pub(super) fn eth(i: usize) -> BearerId {
    BearerId::new(i).unwrap_or_else(|| unreachable!())
}

/// The bearer on the first segment.
pub(super) fn eth0() -> BearerId {
    eth(0)
}

/// Node `i`'s MAC address on segment `s`.
fn mac(s: usize, i: usize) -> [u8; 6] {
    [0x52, 0x54, 0, s as u8, (i >> 8) as u8, i as u8 + 1]
}

impl Net {
    /// `n` nodes with Ethernet bearers enabled at time 0 and no address (each tries the one
    /// its MAC address makes), on a segment behaving as `imp`, random as `seed` says.
    pub(super) fn new(n: usize, imp: Impairment, seed: u64) -> Self {
        let macs: Vec<_> = (0..n).map(|i| std::vec![mac(0, i)]).collect();
        Self::build(&macs, &[MEDIA_LINK_PRI], imp, seed)
    }

    /// Nodes with these MAC addresses on one segment.
    pub(super) fn with_macs(macs: &[[u8; 6]], imp: Impairment, seed: u64) -> Self {
        let macs: Vec<_> = macs.iter().map(|&m| std::vec![m]).collect();
        Self::build(&macs, &[MEDIA_LINK_PRI], imp, seed)
    }

    /// `n` nodes on one segment per entry of `prios`, their bearers there of that priority.
    pub(super) fn with_segments(n: usize, prios: &[u32], imp: Impairment, seed: u64) -> Self {
        let macs: Vec<Vec<_>> = (0..n)
            .map(|i| (0..prios.len()).map(|s| mac(s, i)).collect())
            .collect();
        Self::build(&macs, prios, imp, seed)
    }

    fn build(macs: &[Vec<[u8; 6]>], prios: &[u32], imp: Impairment, seed: u64) -> Self {
        let mut net = Self {
            now: 0,
            nodes: Vec::new(),
            imp,
            prios: prios.to_vec(),
            cut: std::vec![false; prios.len()],
            log: Vec::new(),
            keep_log: true,
            drop_data: None,
            rng: Rng::new(seed),
            frames: BinaryHeap::new(),
            order: 0,
        };
        for m in macs {
            let cluster = net.boot(m);
            net.nodes.push(Node {
                cluster,
                macs: m.clone(),
                on: true,
                inbox: Vec::new(),
                events: Vec::new(),
                last_rx: std::vec![None; macs.len()],
                names: None,
                side: 0,
                mute: false,
            });
        }
        for i in 0..net.nodes.len() {
            net.drain(i);
        }
        net
    }

    /// A fresh core with its bearers enabled now.
    fn boot(&mut self, macs: &[[u8; 6]]) -> Cluster<Vec<u8>> {
        let r = self.rng.next();
        let mut c = Cluster::<Vec<u8>>::new(r as u32, (r >> 32) as u32, self.rng.next());
        for (s, &mac) in macs.iter().enumerate() {
            let name = std::format!("eth:eth{s}");
            let adm = c
                .admit_bearer(name.as_bytes(), self.prios[s], MediaProps::default_for)
                .unwrap_or_else(|e| panic!("admit: {e:?}"));
            assert_eq!((adm.media, adm.id), (Media::Eth, eth(s)));
            let att = Attachment {
                addr: MediaAddr::eth(mac),
                dev_mtu: 1500,
            };
            c.enable_bearer(&adm, 0, &att, self.now, GFP_KERNEL)
                .unwrap_or_else(|e| panic!("enable: {e:?}"));
        }
        c
    }

    /// Node `i` stops: its frames are lost and its timers do not run.
    pub(super) fn power_off(&mut self, i: usize) {
        self.nodes[i].on = false;
    }

    /// Node `i` comes back as it was (a healed partition).
    pub(super) fn resume(&mut self, i: usize) {
        self.nodes[i].on = true;
    }

    /// Node `i` boots again: a new core with a new signature and sessions, and an empty name
    /// table if it kept one.
    pub(super) fn reboot(&mut self, i: usize) {
        let macs = self.nodes[i].macs.clone();
        self.nodes[i].cluster = self.boot(&macs);
        self.nodes[i].on = true;
        if self.nodes[i].names.is_some() {
            self.nodes[i].names = Some(Names::new());
        }
        self.drain(i);
    }

    /// Takes node `i`'s messages into its inbox or name table, then its events into its log
    /// (in the glue's order), and its packets onto the segment (after a call a test makes on
    /// its core).
    pub(super) fn drain(&mut self, i: usize) {
        let now = self.now;
        let node = &mut self.nodes[i];
        while let Some(d) = node.cluster.poll_deliver() {
            if let Some(names) = node.names.as_mut() {
                names.deliver(d.peer, d.user, &d.buf);
            }
            match d.user {
                User::NameDistributor => {}
                User::MsgBundler => {
                    // Each other message of a bundle, as the glue delivers them.
                    let p = Packet::new_checked(&d.buf[..]).expect("bundle");
                    for m in Unbundler::new(p.payload()) {
                        let m = m.expect("bundled message");
                        if m.user() != Some(User::NameDistributor) {
                            node.inbox.push((now, d.peer, m.into_inner().to_vec()));
                        }
                    }
                }
                _ => node.inbox.push((now, d.peer, d.buf)),
            }
        }
        while let Some(e) = node.cluster.poll_event() {
            node.events.push((now, e));
            if let Some(names) = node.names.as_mut() {
                names.on_event(&mut node.cluster, e, now);
            }
        }
        while let Some(t) = self.nodes[i].cluster.poll_transmit() {
            let mut buf = [0u8; MAX_PACKET];
            let bytes: Vec<u8> = match &t.msg {
                Message::Data(b) => b.clone(),
                m => {
                    let n = m.emit(&mut buf).unwrap_or_else(|e| panic!("emit: {e:?}"));
                    buf[..n].to_vec()
                }
            };
            if !self.nodes[i].on {
                continue;
            }
            let s = t.bearer.index();
            let targets: Vec<usize> = match t.dest {
                Dest::Broadcast => (0..self.nodes.len()).filter(|&j| j != i).collect(),
                Dest::Peer(m) => (0..self.nodes.len())
                    .filter(|&j| MediaAddr::eth(self.nodes[j].macs[s]) == m)
                    .collect(),
            };
            for to in targets {
                self.put(s, i, to, &bytes);
            }
        }
    }

    /// A broadcast frame from node `from` onto the first segment, to every other node, as
    /// the impairment has it.
    pub(super) fn broadcast(&mut self, from: usize, bytes: &[u8]) {
        if !self.nodes[from].on {
            return;
        }
        for to in (0..self.nodes.len()).filter(|&j| j != from) {
            self.put(0, from, to, bytes);
        }
    }

    /// One frame onto the segment, as the impairment has it.
    fn put(&mut self, segment: usize, from: usize, to: usize, bytes: &[u8]) {
        let apart = self.nodes[from].side != self.nodes[to].side || self.nodes[from].mute;
        if self.cut[segment] || apart || self.rng.chance(self.imp.loss) {
            return;
        }
        let user = bytes.first().map(|b| b >> 1 & 0xf);
        let seq = !matches!(user, Some(7 | 13)) && bytes.get(1).is_some_and(|b| b & 0x10 == 0);
        if self.drop_data == Some((from, to)) && seq {
            return;
        }
        let copies = if self.rng.chance(self.imp.dup) { 2 } else { 1 };
        for _ in 0..copies {
            let at = self.now + self.imp.delay + self.rng.below(self.imp.jitter + 1);
            self.order += 1;
            self.frames.push(Reverse(Frame {
                at,
                order: self.order,
                segment,
                from,
                to,
                bytes: bytes.to_vec(),
            }));
        }
    }

    /// Runs until `until` (ms): frames arrive and timers fire in time order.
    pub(super) fn run_until(&mut self, until: u64) {
        loop {
            let frame = self.frames.peek().map(|f| (f.0.at, f.0.order));
            let timer = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].on)
                .filter_map(|i| self.nodes[i].cluster.poll_timeout())
                .min();
            let next = match (frame, timer) {
                (Some((f, _)), Some(t)) => f.min(t),
                (Some((f, _)), None) => f,
                (None, Some(t)) => t,
                (None, None) => break,
            };
            if next > until {
                break;
            }
            self.now = self.now.max(next);
            if frame.is_some_and(|(at, _)| at <= self.now) {
                let Some(Reverse(f)) = self.frames.pop() else {
                    unreachable!()
                };
                if self.nodes[f.to].on {
                    self.nodes[f.to].last_rx[f.from] = Some(self.now);
                    if self.keep_log {
                        self.log.push((self.now, f.from, f.to, f.bytes.clone()));
                    }
                    let now = self.now;
                    self.nodes[f.to].cluster.handle_packet(
                        eth(f.segment),
                        f.bytes,
                        now,
                        GFP_KERNEL,
                    );
                    self.drain(f.to);
                    self.check_bounds();
                }
                continue;
            }
            for i in 0..self.nodes.len() {
                let due = self.nodes[i].cluster.poll_timeout();
                if self.nodes[i].on && due.is_some_and(|t| t <= self.now) {
                    let now = self.now;
                    self.nodes[i].cluster.handle_timeout(now, GFP_KERNEL);
                    self.drain(i);
                    self.check_bounds();
                }
            }
        }
        self.now = self.now.max(until);
    }

    /// Whether running nodes `i` and `j` each see the other up, over an established link.
    pub(super) fn linked(&self, i: usize, j: usize) -> bool {
        let ci = &self.nodes[i].cluster;
        let aj = self.nodes[j].cluster.own().addr();
        ci.own().addr() != 0
            && ci.peer(aj).is_some_and(|p| {
                p.state() == NodeState::SelfUpPeerUp && p.link(eth0()).is_some_and(|l| l.is_up())
            })
    }

    /// Whether every pair of running nodes is linked.
    pub(super) fn all_linked(&self) -> bool {
        let on: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].on)
            .collect();
        on.iter()
            .all(|&i| on.iter().all(|&j| i == j || self.linked(i, j)))
    }

    /// Runs until every pair of running nodes is linked, at most until `deadline`; returns
    /// the time it happened.
    pub(super) fn run_until_linked(&mut self, deadline: u64) -> Option<u64> {
        self.run_until_true(deadline, Self::all_linked)
    }

    /// Whether every pair of running nodes is linked and no link holds a packet: all that
    /// was sent has been taken and acknowledged.
    pub(super) fn quiet(&self) -> bool {
        self.all_linked()
            && self.nodes.iter().filter(|n| n.on).all(|n| {
                n.cluster.peers().iter().all(|p| {
                    BearerId::all()
                        .filter_map(|b| p.link(b))
                        .all(|l| l.queue_lens() == (0, 0, 0))
                })
            })
    }

    /// Runs until [`Net::quiet`], at most until `deadline`; returns the time it happened.
    pub(super) fn run_until_quiet(&mut self, deadline: u64) -> Option<u64> {
        self.run_until_true(deadline, Self::quiet)
    }

    /// Runs in steps of 10 ms until `done`, at most until `deadline`; returns the time it
    /// was.
    fn run_until_true(&mut self, deadline: u64, done: fn(&Self) -> bool) -> Option<u64> {
        while self.now < deadline {
            if done(self) {
                return Some(self.now);
            }
            let step = self.now + 10;
            self.run_until(step);
        }
        done(self).then_some(self.now)
    }

    /// When node `i` reported its link to node `j` down, after time `since`.
    pub(super) fn link_down_at(&self, i: usize, j: usize, since: u64) -> Option<u64> {
        let aj = self.nodes[j].cluster.own().addr();
        self.nodes[i].events.iter().find_map(|&(t, e)| match e {
            Event::LinkDown { peer, .. } if peer == aj && t >= since => Some(t),
            _ => None,
        })
    }
}
