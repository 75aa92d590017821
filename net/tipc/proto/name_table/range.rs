// SPDX-License-Identifier: GPL-2.0

//! A service range and the publications bound to exactly that range.

use super::{
    addr::{ServiceRange, SocketAddr},
    btree::Entry,
    publication::Publication,
    ring::Ring,
};
use crate::kalloc::{AllocError, Flags};

/// Where a range sits in the table: by type, then lower bound, then newest range first.
///
/// `order` falls as ranges are created, so among ranges with the same lower bound the newest
/// comes first, as in the C module's tree (which descends left on equal lower bounds).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) struct RangeKey {
    /// The service type.
    pub(crate) ty: u32,
    /// The lowest instance of the range.
    pub(crate) lower: u32,
    /// Creation order, falling: a newer range has a smaller value.
    pub(crate) order: u64,
}

impl RangeKey {
    /// The smallest key of type `ty` with lower bound `lower`.
    pub(crate) const fn first(ty: u32, lower: u32) -> Self {
        Self {
            ty,
            lower,
            order: 0,
        }
    }

    /// The largest key of type `ty` with lower bound `lower`.
    pub(crate) const fn last(ty: u32, lower: u32) -> Self {
        Self {
            ty,
            lower,
            order: u64::MAX,
        }
    }
}

/// Why a publication was not added to a range.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AddError {
    /// The range already holds this publication.
    Duplicate,
    /// No memory.
    NoMemory,
}

impl From<AllocError> for AddError {
    fn from(_: AllocError) -> Self {
        Self::NoMemory
    }
}

/// One service range and every publication of exactly that range.
///
/// `all` holds every publication, `local` those of this node, each in its own round-robin
/// order, as the C module keeps two lists. A range in the table is never empty.
#[derive(Debug)]
pub(crate) struct Range {
    /// Type, lower bound and creation order.
    pub(crate) key: RangeKey,
    /// The highest instance.
    pub(crate) upper: u32,
    /// Every publication, in round-robin order.
    pub(crate) all: Ring<Publication>,
    /// The publications made on this node, in their own round-robin order.
    pub(crate) local: Ring<Publication>,
}

impl Range {
    /// An empty range; allocates nothing.
    pub(crate) const fn new(key: RangeKey, upper: u32) -> Self {
        Self {
            key,
            upper,
            all: Ring::new(),
            local: Ring::new(),
        }
    }

    /// The range as the user names it.
    pub(crate) fn service_range(&self) -> ServiceRange {
        ServiceRange {
            ty: self.key.ty,
            lower: self.key.lower,
            upper: self.upper,
        }
    }

    /// Adds `p` at the front of both round-robin orders (`local` only if `is_local`), unless
    /// it duplicates a publication already here. Either both orders change or neither does.
    pub(crate) fn add(
        &mut self,
        p: Publication,
        is_local: bool,
        flags: Flags,
    ) -> Result<(), AddError> {
        if self.all.iter().any(|q| q.blocks(p.sk, p.key)) {
            return Err(AddError::Duplicate);
        }
        self.all.reserve_one(flags)?;
        if is_local {
            self.local.reserve_one(flags)?;
            self.local.push_front(p, flags)?;
        }
        self.all.push_front(p, flags)?;
        Ok(())
    }

    /// Removes the first publication, in round-robin order, that a withdrawal by `sk` with
    /// `key` names.
    pub(crate) fn remove(&mut self, sk: SocketAddr, key: u32) -> Option<Publication> {
        let pos = self.all.position(|q| q.named_by(sk, key))?;
        let p = self.all.remove(pos)?;
        if let Some(lpos) = self.local.position(|q| q.sk == p.sk && q.key == p.key) {
            self.local.remove(lpos);
        }
        Some(p)
    }
}

impl Entry for Range {
    type Key = RangeKey;

    fn key(&self) -> RangeKey {
        self.key
    }

    fn upper(&self) -> u32 {
        self.upper
    }
}
