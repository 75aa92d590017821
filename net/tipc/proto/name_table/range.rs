// SPDX-License-Identifier: GPL-2.0

//! A service range and the publications bound to exactly that range.

use super::{
    addr::{ServiceRange, SocketAddr},
    btree::Entry,
    publication::Publication,
    ring::{ordered, Ordered, Ring},
};
use crate::kalloc::{AllocError, Flags, KBox};
use core::slice;

/// Where a range sits in the table: by type, then lower bound, then newest range first.
///
/// `order` falls as ranges are created, so among ranges with the same lower bound the newest
/// comes first, as in the C module's tree (which descends left on equal lower bounds). Type
/// and lower bound are kept as one number, so that a comparison, the table's most frequent
/// operation, compares two words.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) struct RangeKey {
    /// The service type (high half) and the lowest instance of the range (low half).
    name: u64,
    /// Creation order, falling: a newer range has a smaller value.
    pub(crate) order: u64,
}

impl RangeKey {
    /// The key of type `ty`, lower bound `lower` and creation order `order`.
    pub(crate) const fn new(ty: u32, lower: u32, order: u64) -> Self {
        Self {
            name: (ty as u64) << 32 | lower as u64,
            order,
        }
    }

    /// The smallest key of type `ty` with lower bound `lower`.
    pub(crate) const fn first(ty: u32, lower: u32) -> Self {
        Self::new(ty, lower, 0)
    }

    /// The largest key of type `ty` with lower bound `lower`.
    pub(crate) const fn last(ty: u32, lower: u32) -> Self {
        Self::new(ty, lower, u64::MAX)
    }

    /// The service type.
    pub(crate) const fn ty(&self) -> u32 {
        (self.name >> 32) as u32
    }

    /// The lowest instance of the range.
    pub(crate) const fn lower(&self) -> u32 {
        self.name as u32
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
/// The publications are kept in two round-robin orders, as the C module keeps two lists:
/// all of them, and those of this node. Most ranges only ever hold one publication, which
/// is kept inline; a second one moves them to a pair of rings of their own. A range in the
/// table is never empty.
#[derive(Debug)]
pub(crate) struct Range {
    /// Type, lower bound and creation order.
    pub(crate) key: RangeKey,
    /// The highest instance.
    pub(crate) upper: u32,
    /// The publications.
    pubs: Pubs,
}

/// A range's publications.
#[derive(Debug)]
enum Pubs {
    /// None: the range is about to leave the table.
    Empty,
    /// One publication, and whether it is this node's.
    One(Publication, bool),
    /// Two or more (or one left after removals), in their two round-robin orders.
    Many(KBox<Rings>),
}

/// The round-robin orders of a range with several publications.
#[derive(Debug)]
struct Rings {
    /// Every publication.
    all: Ring<Publication>,
    /// The publications made on this node.
    local: Ring<Publication>,
}

impl Range {
    /// A range holding only `p`, this node's if `is_local`; allocates nothing.
    pub(crate) const fn new(key: RangeKey, upper: u32, p: Publication, is_local: bool) -> Self {
        Self {
            key,
            upper,
            pubs: Pubs::One(p, is_local),
        }
    }

    /// The range as the user names it.
    pub(crate) fn service_range(&self) -> ServiceRange {
        ServiceRange {
            ty: self.key.ty(),
            lower: self.key.lower(),
            upper: self.upper,
        }
    }

    /// Every publication, in round-robin order.
    pub(crate) fn all(&self) -> Ordered<'_, Publication> {
        match &self.pubs {
            Pubs::Empty => ordered(&[], 0),
            Pubs::One(p, _) => ordered(slice::from_ref(p), 0),
            Pubs::Many(r) => r.all.iter(),
        }
    }

    /// This node's publications, in their round-robin order.
    pub(crate) fn local(&self) -> Ordered<'_, Publication> {
        match &self.pubs {
            Pubs::One(p, true) => ordered(slice::from_ref(p), 0),
            Pubs::Empty | Pubs::One(_, false) => ordered(&[], 0),
            Pubs::Many(r) => r.local.iter(),
        }
    }

    /// Bytes the range allocated for its publications, for measurements.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.pubs {
            Pubs::Many(r) => {
                core::mem::size_of::<Rings>()
                    + (r.all.capacity() + r.local.capacity()) * core::mem::size_of::<Publication>()
            }
            Pubs::Empty | Pubs::One(..) => 0,
        }
    }

    /// Whether the range has no publication left.
    pub(crate) fn is_empty(&self) -> bool {
        match &self.pubs {
            Pubs::Empty => true,
            Pubs::One(..) => false,
            Pubs::Many(r) => r.all.is_empty(),
        }
    }

    /// Whether this node has a publication in the range.
    pub(crate) fn has_local(&self) -> bool {
        match &self.pubs {
            Pubs::Empty => false,
            Pubs::One(_, local) => *local,
            Pubs::Many(r) => !r.local.is_empty(),
        }
    }

    /// The next publication in round robin, of this node's if `local`, else of all; it
    /// moves to the back of its order.
    pub(crate) fn take_turn(&mut self, local: bool) -> Option<&Publication> {
        match &mut self.pubs {
            Pubs::Empty => None,
            Pubs::One(p, is_local) => (!local || *is_local).then_some(&*p),
            Pubs::Many(r) => {
                let ring = if local { &mut r.local } else { &mut r.all };
                ring.take_turn()
            }
        }
    }

    /// Moves the publication at position `pos` of the order of all to its back.
    pub(crate) fn move_to_back(&mut self, pos: usize) {
        if let Pubs::Many(r) = &mut self.pubs {
            r.all.move_to_back(pos);
        }
    }

    /// Calls `f` on every publication, to change it in place, in both orders.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut Publication)) {
        match &mut self.pubs {
            Pubs::Empty => {}
            Pubs::One(p, _) => f(p),
            Pubs::Many(r) => {
                let Rings { all, local } = &mut **r;
                all.iter_mut().chain(local.iter_mut()).for_each(f);
            }
        }
    }

    /// Adds `p` at the front of both round-robin orders (of this node's only if
    /// `is_local`), unless it duplicates a publication already here. Either both orders
    /// change or neither does.
    pub(crate) fn add(
        &mut self,
        p: Publication,
        is_local: bool,
        flags: Flags,
    ) -> Result<(), AddError> {
        if self.all().any(|q| q.blocks(p.sk, p.key)) {
            return Err(AddError::Duplicate);
        }
        match &mut self.pubs {
            Pubs::Empty => self.pubs = Pubs::One(p, is_local),
            Pubs::One(q, q_local) => {
                let (q, q_local) = (*q, *q_local);
                let locals = usize::from(q_local) + usize::from(is_local);
                let mut rings = Rings {
                    all: Ring::with_capacity(2, flags)?,
                    local: Ring::with_capacity(locals, flags)?,
                };
                rings.all.push_front(q, flags)?;
                rings.all.push_front(p, flags)?;
                if q_local {
                    rings.local.push_front(q, flags)?;
                }
                if is_local {
                    rings.local.push_front(p, flags)?;
                }
                self.pubs = Pubs::Many(KBox::new(rings, flags)?);
            }
            Pubs::Many(r) => {
                r.all.reserve_one(flags)?;
                if is_local {
                    r.local.reserve_one(flags)?;
                    r.local.push_front(p, flags)?;
                }
                r.all.push_front(p, flags)?;
            }
        }
        Ok(())
    }

    /// Removes the first publication, in round-robin order, that a withdrawal by `sk` with
    /// `key` names. A range left with one publication keeps it inline again.
    pub(crate) fn remove(&mut self, sk: SocketAddr, key: u32) -> Option<Publication> {
        match &mut self.pubs {
            Pubs::Empty => None,
            Pubs::One(p, _) => {
                let p = *p;
                if !p.named_by(sk, key) {
                    return None;
                }
                self.pubs = Pubs::Empty;
                Some(p)
            }
            Pubs::Many(r) => {
                let pos = r.all.position(|q| q.named_by(sk, key))?;
                let p = r.all.remove(pos)?;
                if let Some(lpos) = r.local.position(|q| q.sk == p.sk && q.key == p.key) {
                    r.local.remove(lpos);
                }
                if r.all.len() <= 1 {
                    let local = !r.local.is_empty();
                    self.pubs = match r.all.remove(0) {
                        Some(q) => Pubs::One(q, local),
                        None => Pubs::Empty,
                    };
                }
                Some(p)
            }
        }
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
