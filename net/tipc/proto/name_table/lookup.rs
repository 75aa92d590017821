// SPDX-License-Identifier: GPL-2.0

//! Translations from service addresses to sockets and nodes, with the C module's choice of
//! range, round-robin order and scope rules.

use core::ops::ControlFlow;

use super::{
    addr::{in_scope, Scope, SocketAddr},
    publication::Publication,
    range::{Range, RangeKey},
    table::NameTable,
};
use crate::kalloc::{AllocError, Flags, KVec};

/// What an anycast lookup found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Anycast {
    /// The socket to send to.
    Found(SocketAddr),
    /// The lookup domain is another node: send there and let it look up.
    Deferred,
    /// No socket is bound to the instance (`EHOSTUNREACH` for a sender).
    NotFound,
}

/// Which local publications a multicast delivery matches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum McastScope {
    /// Publications of exactly this scope: another node's multicast, or a group's.
    Exact(Scope),
    /// Publications of any scope (`TIPC_ANY_SCOPE`): a message this node sent itself.
    Any,
}

impl McastScope {
    /// Whether a publication with scope `scope` matches.
    fn admits(self, scope: Scope) -> bool {
        match self {
            Self::Exact(s) => s == scope,
            Self::Any => true,
        }
    }
}

/// The nodes a cluster multicast must reach (`struct tipc_nlist`).
#[derive(Debug, Default)]
pub(crate) struct NodeList {
    /// Whether this node has a matching socket.
    pub(crate) local: bool,
    /// Other nodes with a matching socket, ascending, each once.
    pub(crate) remote: KVec<u32>,
}

/// Sorts `v` and drops repeated items.
fn sort_dedup<T: Ord + Copy>(v: &mut KVec<T>) {
    v.sort_unstable();
    let mut kept = 0usize;
    for i in 0..v.len() {
        let Some(&item) = v.get(i) else {
            continue;
        };
        let repeat = kept > 0 && v.get(kept - 1) == Some(&item);
        if !repeat {
            if let Some(slot) = v.get_mut(kept) {
                *slot = item;
            }
            kept += 1;
        }
    }
    v.truncate(kept);
}

/// The bounds of the ranges of type `ty` overlapping `lower..=upper`: key bounds and the
/// smallest upper bound.
fn overlap(ty: u32, lower: u32, upper: u32) -> (RangeKey, RangeKey, u32) {
    (RangeKey::first(ty, 0), RangeKey::last(ty, upper), lower)
}

impl NameTable {
    /// The socket an anycast to instance `instance` of type `ty` goes to, looked up in
    /// `domain` (`tipc_nametbl_lookup_anycast`).
    ///
    /// A domain outside this node is [`Anycast::Deferred`]. Otherwise the first range, in
    /// table order, containing the instance is used, and within it the next publication in
    /// round-robin order: among this node's publications when the domain is this node (a
    /// range with none is passed over), or with legacy addressing and domain 0 when the range
    /// has any; among all publications otherwise. Scope does not matter.
    pub(crate) fn lookup_anycast(&mut self, ty: u32, instance: u32, domain: u32) -> Anycast {
        if !in_scope(self.legacy, domain, self.own_node) {
            return Anycast::Deferred;
        }
        let local_only = domain == self.own_node;
        let (from, to, min_upper) = overlap(ty, instance, instance);
        let legacy = self.legacy;
        let found = self
            .ranges
            .first_match_mut(from, to, min_upper, |r: &Range| {
                !local_only || r.has_local()
            });
        let Some(r) = found else {
            return Anycast::NotFound;
        };
        let closest_first = local_only || (legacy && domain == 0 && r.has_local());
        match r.take_turn(closest_first) {
            Some(p) => Anycast::Found(p.sk),
            None => Anycast::NotFound,
        }
    }

    /// This node's sockets bound to any instance of `lower..=upper` of type `ty` with a
    /// scope `scope` admits, appended to `out` as ports, ascending, each once
    /// (`tipc_nametbl_lookup_mcast_sockets`).
    ///
    /// On `Err`, `out` holds the ports found before memory ran out.
    pub(crate) fn lookup_mcast_sockets(
        &self,
        ty: u32,
        lower: u32,
        upper: u32,
        scope: McastScope,
        out: &mut KVec<u32>,
        flags: Flags,
    ) -> Result<(), AllocError> {
        let (from, to, min_upper) = overlap(ty, lower, upper);
        let res = self.ranges.visit(from, to, min_upper, |r| {
            for p in r.local().filter(|p| scope.admits(p.scope)) {
                if let Err(e) = out.push(p.sk.port, flags) {
                    return ControlFlow::Break(e);
                }
            }
            ControlFlow::Continue(())
        });
        sort_dedup(out);
        match res {
            ControlFlow::Break(e) => Err(e),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// The nodes with a socket bound to any instance of `lower..=upper` of type `ty`, whatever
    /// its scope, added to `out` (`tipc_nametbl_lookup_mcast_nodes`).
    pub(crate) fn lookup_mcast_nodes(
        &self,
        ty: u32,
        lower: u32,
        upper: u32,
        out: &mut NodeList,
        flags: Flags,
    ) -> Result<(), AllocError> {
        let (from, to, min_upper) = overlap(ty, lower, upper);
        let own = self.own_node;
        let res = self.ranges.visit(from, to, min_upper, |r| {
            for p in r.all() {
                if p.sk.node == own {
                    out.local = true;
                } else if out.remote.last() != Some(&p.sk.node) {
                    if let Err(e) = out.remote.push(p.sk.node, flags) {
                        return ControlFlow::Break(e);
                    }
                }
            }
            ControlFlow::Continue(())
        });
        sort_dedup(&mut out.remote);
        match res {
            ControlFlow::Break(e) => Err(e),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// Group members of type `ty` for instance `instance`, appended to `out`
    /// (`tipc_nametbl_lookup_group`); returns how many publications matched.
    ///
    /// Only the first range containing the instance is searched. Publications of another
    /// scope, and this node's socket `exclude`, are skipped. For a group anycast
    /// (`mcast` false) the first match is taken and moved to the back of the round-robin
    /// order; for a multicast every match is added, each socket once, though the count
    /// includes repeats, as in the C module.
    #[expect(
        clippy::too_many_arguments,
        reason = "the C lookup's parameters, each a rule of the group look-up"
    )]
    pub(crate) fn lookup_group(
        &mut self,
        ty: u32,
        instance: u32,
        scope: Scope,
        exclude: u32,
        mcast: bool,
        out: &mut KVec<SocketAddr>,
        flags: Flags,
    ) -> Result<usize, AllocError> {
        let own = self.own_node;
        let (from, to, min_upper) = overlap(ty, instance, instance);
        let Some(r) = self.ranges.first_match_mut(from, to, min_upper, |_| true) else {
            return Ok(0);
        };
        let wanted =
            |p: &Publication| p.scope == scope && !(p.sk.port == exclude && p.sk.node == own);
        if !mcast {
            let Some(pos) = r.all().position(wanted) else {
                return Ok(0);
            };
            if let Some(p) = r.all().nth(pos) {
                out.push(p.sk, flags)?;
            }
            r.move_to_back(pos);
            return Ok(1);
        }
        let mut count = 0;
        for p in r.all().filter(|p| wanted(p)) {
            count += 1;
            if !out.contains(&p.sk) {
                out.push(p.sk, flags)?;
            }
        }
        Ok(count)
    }

    /// Calls `f` with the socket and lower bound of every publication of type `ty` with
    /// scope `scope`, in table order (`tipc_nametbl_build_group`), until `f` fails.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "communication groups come with issue 8")
    )]
    pub(crate) fn for_each_group_member<E>(
        &self,
        ty: u32,
        scope: Scope,
        mut f: impl FnMut(SocketAddr, u32) -> Result<(), E>,
    ) -> Result<(), E> {
        let res = self.ranges.visit(
            RangeKey::first(ty, 0),
            RangeKey::last(ty, u32::MAX),
            0,
            |r| {
                for p in r.all().filter(|p| p.scope == scope) {
                    if let Err(e) = f(p.sk, r.key.lower()) {
                        return ControlFlow::Break(e);
                    }
                }
                ControlFlow::Continue(())
            },
        );
        match res {
            ControlFlow::Break(e) => Err(e),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// Calls `f` with every range of type `ty` overlapping `lower..=upper`, in table order,
    /// until `f` fails: the topology server reports what exists to a new subscription.
    pub(crate) fn for_each_overlapping<E>(
        &self,
        ty: u32,
        lower: u32,
        upper: u32,
        mut f: impl FnMut(&Range) -> Result<(), E>,
    ) -> Result<(), E> {
        let (from, to, min_upper) = overlap(ty, lower, upper);
        let res = self.ranges.visit(from, to, min_upper, |r| match f(r) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        });
        match res {
            ControlFlow::Break(e) => Err(e),
            ControlFlow::Continue(()) => Ok(()),
        }
    }
}
