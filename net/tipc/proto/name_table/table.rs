// SPDX-License-Identifier: GPL-2.0

//! The name table of one network namespace: inserting and removing publications, with the
//! C module's duplicate rule and per-node limit.

use super::{
    addr::{is_protocol_type, Scope, ServiceRange, SocketAddr, TIPC_MAX_PUBL},
    btree::{Path, Tree},
    publication::Publication,
    range::{AddError, Range, RangeKey},
};
use crate::kalloc::{Flags, KVec};
use core::ops::ControlFlow;

/// Why a publication was refused. The socket layer reports each as `EINVAL`, as the C
/// module does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PublishError {
    /// The same socket already published this range with this key.
    Duplicate,
    /// This node already holds `TIPC_MAX_PUBL - 1` user publications.
    Limit,
    /// No memory.
    NoMemory,
}

impl From<AddError> for PublishError {
    fn from(e: AddError) -> Self {
        match e {
            AddError::Duplicate => Self::Duplicate,
            AddError::NoMemory => Self::NoMemory,
        }
    }
}

/// A publication the table accepted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Published {
    /// The publication as stored.
    pub(crate) publication: Publication,
    /// Whether it is the first publication of its exact range (for subscription events).
    pub(crate) first: bool,
}

/// A publication the table removed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Withdrawn {
    /// The range it bound.
    pub(crate) range: ServiceRange,
    /// The publication as it was stored.
    pub(crate) publication: Publication,
    /// Whether it was the last publication of its exact range (for subscription events).
    pub(crate) last: bool,
}

/// Every publication known to this node, its own and its peers'.
#[derive(Debug)]
pub(crate) struct NameTable {
    /// Ranges by type, lower bound, newest first.
    pub(super) ranges: Tree<Range>,
    /// This node's address; 0 until it has one.
    pub(super) own_node: u32,
    /// Whether the node uses legacy `<Z.C.N>` addressing (closest-first lookups).
    pub(super) legacy: bool,
    /// Ranges created so far; orders ranges with equal lower bounds.
    pub(super) ranges_created: u64,
    /// The next publication id.
    pub(super) next_id: u32,
    /// This node's own publications of user types, against `TIPC_MAX_PUBL`.
    pub(super) local_count: u32,
    /// Publications held.
    pub(super) count: usize,
}

impl NameTable {
    /// An empty table for a node with address `own_node` (0 if none yet); allocates nothing.
    pub(crate) const fn new(own_node: u32, legacy: bool) -> Self {
        Self {
            ranges: Tree::new(),
            own_node,
            legacy,
            ranges_created: 0,
            next_id: 0,
            local_count: 0,
            count: 0,
        }
    }

    /// This node's address, 0 if none yet.
    pub(crate) fn own_node(&self) -> u32 {
        self.own_node
    }

    /// Publications held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Whether the table is empty.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Distinct ranges held.
    #[cfg(test)]
    pub(crate) fn range_count(&self) -> usize {
        self.ranges.len()
    }

    /// This node's publications of user types, as counted against `TIPC_MAX_PUBL`.
    #[cfg(test)]
    pub(crate) fn local_count(&self) -> u32 {
        self.local_count
    }

    /// Whether `node` is this node: its address, or 0.
    pub(crate) fn is_own(&self, node: u32) -> bool {
        node == self.own_node || node == 0
    }

    /// Gives the node its address (`tipc_named_reinit`): publications made before it had
    /// one, with node 0, now carry `node`.
    pub(crate) fn set_own_node(&mut self, node: u32, legacy: bool) {
        self.own_node = node;
        self.legacy = legacy;
        self.ranges.for_each_mut(|r| {
            r.for_each_mut(|p| {
                if p.sk.node == 0 {
                    p.sk.node = node;
                }
            })
        });
    }

    /// Where the range exactly `range` is, if the table holds it.
    pub(super) fn find_exact(&self, range: &ServiceRange) -> Option<Path> {
        self.ranges.first_match(
            RangeKey::first(range.ty, range.lower),
            RangeKey::last(range.ty, range.lower),
            range.upper,
            |r| r.upper == range.upper,
        )
    }

    /// Adds a publication from any node (`tipc_nametbl_insert_publ`), with no limit: the
    /// name distributor uses this for peers' publications.
    pub(crate) fn insert(
        &mut self,
        range: ServiceRange,
        sk: SocketAddr,
        scope: Scope,
        key: u32,
        flags: Flags,
    ) -> Result<Published, PublishError> {
        let publication = Publication {
            sk,
            scope,
            key,
            id: self.next_id,
        };
        let is_local = self.is_own(sk.node);
        let first = match self.find_exact(&range) {
            Some(path) => {
                let r = self.ranges.at_mut(&path).ok_or(PublishError::NoMemory)?;
                r.add(publication, is_local, flags)?;
                false
            }
            None => {
                let key = RangeKey::new(range.ty, range.lower, u64::MAX - self.ranges_created);
                self.ranges
                    .insert(Range::new(key, range.upper, publication, is_local), flags)
                    .map_err(|_| PublishError::NoMemory)?;
                self.ranges_created += 1;
                true
            }
        };
        self.next_id = self.next_id.wrapping_add(1);
        self.count += 1;
        Ok(Published { publication, first })
    }

    /// Removes the publication of exactly `range` by `sk` with `key`
    /// (`tipc_nametbl_remove_publ`). A node of 0 in `sk` matches any node.
    pub(crate) fn remove(
        &mut self,
        range: ServiceRange,
        sk: SocketAddr,
        key: u32,
    ) -> Option<Withdrawn> {
        let path = self.find_exact(&range)?;
        let r = self.ranges.at_mut(&path)?;
        let publication = r.remove(sk, key)?;
        let last = r.is_empty();
        if last {
            self.ranges.remove_at(&path);
        }
        self.count -= 1;
        Some(Withdrawn {
            range,
            publication,
            last,
        })
    }

    /// Publishes a binding made on this node (`tipc_nametbl_publish`): like
    /// [`NameTable::insert`], but user types count against `TIPC_MAX_PUBL - 1`.
    pub(crate) fn publish(
        &mut self,
        range: ServiceRange,
        sk: SocketAddr,
        scope: Scope,
        key: u32,
        flags: Flags,
    ) -> Result<Published, PublishError> {
        let counted = !is_protocol_type(range.ty);
        if counted && self.local_count >= TIPC_MAX_PUBL - 1 {
            return Err(PublishError::Limit);
        }
        let published = self.insert(range, sk, scope, key, flags)?;
        if counted {
            self.local_count += 1;
        }
        Ok(published)
    }

    /// Withdraws a binding made on this node (`tipc_nametbl_withdraw`).
    pub(crate) fn withdraw(
        &mut self,
        range: ServiceRange,
        sk: SocketAddr,
        key: u32,
    ) -> Option<Withdrawn> {
        let withdrawn = self.remove(range, sk, key)?;
        if !is_protocol_type(range.ty) {
            self.local_count = self.local_count.saturating_sub(1);
        }
        Some(withdrawn)
    }
}

/// A publication named by where it is: its range, socket and key.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Binding {
    /// The range it binds.
    pub(crate) range: ServiceRange,
    /// The bound socket.
    pub(crate) sk: SocketAddr,
    /// Its key.
    pub(crate) key: u32,
    /// Its scope.
    pub(crate) scope: Scope,
}

impl Binding {
    /// The binding a publication of `range` made.
    pub(crate) fn of(range: ServiceRange, p: &Publication) -> Self {
        Self {
            range,
            sk: p.sk,
            key: p.key,
            scope: p.scope,
        }
    }
}

impl NameTable {
    /// Calls `f` on each publication accepted by `pred`, in table order (type, lower bound,
    /// newest range first, then each range's round-robin order), until `f` breaks.
    pub(crate) fn visit_bindings<B>(
        &self,
        mut pred: impl FnMut(&Publication) -> bool,
        mut f: impl FnMut(Binding) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        self.ranges.visit(
            RangeKey::first(0, 0),
            RangeKey::last(u32::MAX, u32::MAX),
            0,
            |r| {
                let range = r.service_range();
                for p in r.all().filter(|p| pred(p)) {
                    f(Binding {
                        range,
                        sk: p.sk,
                        key: p.key,
                        scope: p.scope,
                    })?;
                }
                ControlFlow::Continue(())
            },
        )
    }

    /// Removes every publication of node `node` (`tipc_publ_notify`, when a peer is lost),
    /// telling `f` of each; this node's own are never removed so. The bindings are gathered
    /// first, into one allocation in `flags` or, without memory, a few at a time.
    pub(crate) fn remove_node(&mut self, node: u32, flags: Flags, mut f: impl FnMut(Withdrawn)) {
        if self.is_own(node) {
            return;
        }
        let of_node = |p: &Publication| p.sk.node == node;
        let mut count = 0usize;
        let _ = self.visit_bindings(of_node, |_| {
            count += 1;
            ControlFlow::<()>::Continue(())
        });
        if count == 0 {
            return;
        }
        if let Ok(mut all) = KVec::with_capacity(count, flags) {
            let _ = self.visit_bindings(of_node, |b| match all.push(b, flags) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            });
            for b in all.iter() {
                if let Some(w) = self.remove(b.range, b.sk, b.key) {
                    f(w);
                }
            }
            return;
        }
        loop {
            let mut batch = [Binding::default(); 16];
            let mut n = 0;
            let _ = self.visit_bindings(of_node, |b| {
                if let Some(slot) = batch.get_mut(n) {
                    *slot = b;
                    n += 1;
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            });
            if n == 0 {
                return;
            }
            for b in batch.iter().take(n) {
                if let Some(w) = self.remove(b.range, b.sk, b.key) {
                    f(w);
                }
            }
        }
    }
}
