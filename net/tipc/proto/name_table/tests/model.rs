// SPDX-License-Identifier: GPL-2.0

//! The table against a plain model: a list of ranges, each with its publications in two
//! `VecDeque`s, searched by brute force, written straight from the C module's rules.

use std::{cmp::Reverse, collections::VecDeque, vec, vec::Vec};

use proptest::prelude::*;

use super::{OWN, PEER, PEER2};
use crate::{
    kalloc::{KVec, GFP_ATOMIC},
    proto::name_table::{
        addr::{in_scope, Scope, ServiceRange, SocketAddr},
        lookup::{Anycast, McastScope, NodeList},
        publication::Publication,
        table::{NameTable, PublishError},
    },
};

/// A model range.
#[derive(Debug)]
struct MRange {
    /// The range.
    sr: ServiceRange,
    /// Creation count, to order equal lower bounds newest first.
    created: u64,
    /// Every publication, round-robin order.
    all: VecDeque<Publication>,
    /// This node's publications, round-robin order.
    local: VecDeque<Publication>,
}

/// The model table.
#[derive(Debug)]
struct Model {
    /// Ranges, unordered.
    ranges: Vec<MRange>,
    /// Own node.
    own: u32,
    /// Legacy addressing.
    legacy: bool,
    /// Ranges created.
    created: u64,
    /// Next publication id.
    next_id: u32,
}

impl Model {
    /// Indices of the ranges in table order.
    fn order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.ranges.len()).collect();
        idx.sort_by_key(|&i| {
            let r = &self.ranges[i];
            (r.sr.ty, r.sr.lower, Reverse(r.created))
        });
        idx
    }

    /// Indices, in table order, of the ranges of `ty` overlapping `lower..=upper`.
    fn overlapping(&self, ty: u32, lower: u32, upper: u32) -> Vec<usize> {
        self.order()
            .into_iter()
            .filter(|&i| {
                let r = &self.ranges[i].sr;
                r.ty == ty && r.lower <= upper && r.upper >= lower
            })
            .collect()
    }

    /// `tipc_nametbl_insert_publ`.
    fn insert(
        &mut self,
        sr: ServiceRange,
        sk: SocketAddr,
        scope: Scope,
        key: u32,
    ) -> Result<bool, PublishError> {
        let p = Publication {
            sk,
            scope,
            key,
            id: self.next_id,
        };
        let local = sk.node == self.own || sk.node == 0;
        let first = match self.ranges.iter_mut().find(|r| r.sr == sr) {
            Some(r) => {
                if r.all.iter().any(|q| {
                    q.key == key && q.sk.port == sk.port && (q.sk.node == 0 || q.sk.node == sk.node)
                }) {
                    return Err(PublishError::Duplicate);
                }
                r.all.push_front(p);
                if local {
                    r.local.push_front(p);
                }
                false
            }
            None => {
                let mut r = MRange {
                    sr,
                    created: self.created,
                    all: VecDeque::new(),
                    local: VecDeque::new(),
                };
                self.created += 1;
                r.all.push_front(p);
                if local {
                    r.local.push_front(p);
                }
                self.ranges.push(r);
                true
            }
        };
        self.next_id += 1;
        Ok(first)
    }

    /// `tipc_nametbl_remove_publ`.
    fn remove(
        &mut self,
        sr: ServiceRange,
        sk: SocketAddr,
        key: u32,
    ) -> Option<(Publication, bool)> {
        let ri = self.ranges.iter().position(|r| r.sr == sr)?;
        let r = &mut self.ranges[ri];
        let pos = r.all.iter().position(|q| {
            q.key == key && q.sk.port == sk.port && (sk.node == 0 || sk.node == q.sk.node)
        })?;
        let p = r.all.remove(pos)?;
        if let Some(lp) = r.local.iter().position(|q| q.sk == p.sk && q.key == p.key) {
            r.local.remove(lp);
        }
        let last = r.all.is_empty();
        if last {
            self.ranges.remove(ri);
        }
        Some((p, last))
    }

    /// `tipc_nametbl_lookup_anycast`.
    fn anycast(&mut self, ty: u32, inst: u32, domain: u32) -> Anycast {
        if !in_scope(self.legacy, domain, self.own) {
            return Anycast::Deferred;
        }
        for i in self.overlapping(ty, inst, inst) {
            let r = &mut self.ranges[i];
            let list = if domain == self.own {
                if r.local.is_empty() {
                    continue;
                }
                &mut r.local
            } else if self.legacy && domain == 0 && !r.local.is_empty() {
                &mut r.local
            } else {
                &mut r.all
            };
            let p = list.pop_front().unwrap();
            list.push_back(p);
            return Anycast::Found(p.sk);
        }
        Anycast::NotFound
    }

    /// `tipc_nametbl_lookup_mcast_sockets`, sorted.
    fn mcast_sockets(&self, ty: u32, lower: u32, upper: u32, scope: McastScope) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .overlapping(ty, lower, upper)
            .into_iter()
            .flat_map(|i| self.ranges[i].local.iter())
            .filter(|p| match scope {
                McastScope::Any => true,
                McastScope::Exact(s) => p.scope == s,
            })
            .map(|p| p.sk.port)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// `tipc_nametbl_lookup_mcast_nodes`: local flag and sorted remote nodes.
    fn mcast_nodes(&self, ty: u32, lower: u32, upper: u32) -> (bool, Vec<u32>) {
        let nodes: Vec<u32> = self
            .overlapping(ty, lower, upper)
            .into_iter()
            .flat_map(|i| self.ranges[i].all.iter().map(|p| p.sk.node))
            .collect();
        let local = nodes.contains(&self.own);
        let mut remote: Vec<u32> = nodes.into_iter().filter(|&n| n != self.own).collect();
        remote.sort();
        remote.dedup();
        (local, remote)
    }

    /// `tipc_nametbl_lookup_group`: count and sorted destinations.
    fn group(
        &mut self,
        ty: u32,
        inst: u32,
        scope: Scope,
        exclude: u32,
        mcast: bool,
    ) -> (usize, Vec<SocketAddr>) {
        let own = self.own;
        let Some(&i) = self.overlapping(ty, inst, inst).first() else {
            return (0, Vec::new());
        };
        let r = &mut self.ranges[i];
        let wanted =
            |p: &Publication| p.scope == scope && !(p.sk.port == exclude && p.sk.node == own);
        if !mcast {
            let Some(pos) = r.all.iter().position(wanted) else {
                return (0, Vec::new());
            };
            let p = r.all.remove(pos).unwrap();
            r.all.push_back(p);
            return (1, vec![p.sk]);
        }
        let hits: Vec<SocketAddr> = r.all.iter().filter(|p| wanted(p)).map(|p| p.sk).collect();
        let count = hits.len();
        let mut dsts = hits;
        dsts.sort();
        dsts.dedup();
        (count, dsts)
    }

    /// The dump: every publication in table order.
    fn dump(&self) -> Vec<(ServiceRange, Publication)> {
        self.order()
            .into_iter()
            .flat_map(|i| {
                let r = &self.ranges[i];
                r.all.iter().map(move |p| (r.sr, *p))
            })
            .collect()
    }
}

/// One step of a test.
#[derive(Clone, Debug)]
enum Op {
    /// Insert a publication.
    Insert(ServiceRange, SocketAddr, Scope, u32),
    /// Remove a publication.
    Remove(ServiceRange, SocketAddr, u32),
    /// Anycast lookup: type, instance, domain.
    Anycast(u32, u32, u32),
    /// Multicast socket lookup.
    McastSockets(ServiceRange, McastScope),
    /// Multicast node lookup.
    McastNodes(ServiceRange),
    /// Group lookup: type, instance, scope, excluded port, multicast.
    Group(u32, u32, Scope, u32, bool),
    /// Dump in chunks of this many.
    Dump(usize),
}

/// A small service range, so ranges overlap and repeat.
fn range() -> impl Strategy<Value = ServiceRange> {
    (100u32..103, 0u32..12, 0u32..4).prop_map(|(ty, lower, w)| ServiceRange {
        ty,
        lower,
        upper: lower + w,
    })
}

/// A node: none yet, this one, or a peer.
fn node() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![0, OWN, PEER, PEER2])
}

/// A scope.
fn scope() -> impl Strategy<Value = Scope> {
    prop::sample::select(vec![Scope::Cluster, Scope::Node])
}

/// A step.
fn op() -> impl Strategy<Value = Op> {
    let sock = || (1u32..5, node()).prop_map(|(port, node)| SocketAddr { port, node });
    prop_oneof![
        4 => (range(), sock(), scope(), 1u32..3).prop_map(|(r, s, sc, k)| Op::Insert(r, s, sc, k)),
        2 => (range(), sock(), 1u32..3).prop_map(|(r, s, k)| Op::Remove(r, s, k)),
        3 => (100u32..103, 0u32..16, node()).prop_map(|(t, i, d)| Op::Anycast(t, i, d)),
        1 => (range(), prop_oneof![Just(McastScope::Any), scope().prop_map(McastScope::Exact)])
            .prop_map(|(r, s)| Op::McastSockets(r, s)),
        1 => range().prop_map(Op::McastNodes),
        1 => (100u32..103, 0u32..16, scope(), 1u32..5, any::<bool>())
            .prop_map(|(t, i, s, x, m)| Op::Group(t, i, s, x, m)),
        1 => (1usize..8).prop_map(Op::Dump),
    ]
}

/// The table's dump, taken `chunk` entries at a time.
fn dump_table(t: &NameTable, chunk: usize) -> Vec<(ServiceRange, Publication)> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let mut n = 0;
        cursor = t.dump(cursor.as_ref(), |e| {
            n += 1;
            if n > chunk {
                return false;
            }
            all.push((e.range, e.publication));
            true
        });
        if cursor.is_none() {
            return all;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn table_matches_model(legacy in any::<bool>(), own_known in any::<bool>(), ops in prop::collection::vec(op(), 1..400)) {
        let own = if own_known { OWN } else { 0 };
        let mut t = NameTable::new(own, legacy);
        let mut m = Model { ranges: Vec::new(), own, legacy, created: 0, next_id: 0 };
        for op in ops {
            match op {
                Op::Insert(sr, sk, scope, key) => {
                    let got = t.insert(sr, sk, scope, key, GFP_ATOMIC).map(|p| p.first);
                    prop_assert_eq!(got, m.insert(sr, sk, scope, key));
                }
                Op::Remove(sr, sk, key) => {
                    let got = t.remove(sr, sk, key).map(|w| (w.publication, w.last));
                    prop_assert_eq!(got, m.remove(sr, sk, key));
                }
                Op::Anycast(ty, inst, domain) => {
                    prop_assert_eq!(t.lookup_anycast(ty, inst, domain), m.anycast(ty, inst, domain));
                }
                Op::McastSockets(sr, scope) => {
                    let mut out = KVec::new();
                    t.lookup_mcast_sockets(sr.ty, sr.lower, sr.upper, scope, &mut out, GFP_ATOMIC).unwrap();
                    prop_assert_eq!(out.to_vec(), m.mcast_sockets(sr.ty, sr.lower, sr.upper, scope));
                }
                Op::McastNodes(sr) => {
                    let mut out = NodeList::default();
                    t.lookup_mcast_nodes(sr.ty, sr.lower, sr.upper, &mut out, GFP_ATOMIC).unwrap();
                    prop_assert_eq!((out.local, out.remote.to_vec()), m.mcast_nodes(sr.ty, sr.lower, sr.upper));
                }
                Op::Group(ty, inst, scope, exclude, mcast) => {
                    let mut out = KVec::new();
                    let n = t.lookup_group(ty, inst, scope, exclude, mcast, &mut out, GFP_ATOMIC).unwrap();
                    let mut got = out.to_vec();
                    got.sort();
                    prop_assert_eq!((n, got), m.group(ty, inst, scope, exclude, mcast));
                }
                Op::Dump(chunk) => {
                    prop_assert_eq!(dump_table(&t, chunk), m.dump());
                }
            }
            prop_assert_eq!(t.len(), m.ranges.iter().map(|r| r.all.len()).sum::<usize>());
            prop_assert_eq!(t.range_count(), m.ranges.len());
        }
        prop_assert_eq!(t.ranges.check_invariants(), Ok(()));
        prop_assert_eq!(dump_table(&t, usize::MAX), m.dump());
    }
}
