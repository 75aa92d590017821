// SPDX-License-Identifier: GPL-2.0

//! A small rotating list: new items go to the front, a lookup takes the front item and moves
//! it to the back. This is how the C module keeps a range's publications (`list_add` and
//! `list_move_tail`), so round-robin picks the same socket it would.

use crate::kalloc::{AllocError, Flags, KVec};
use core::{
    iter::{Chain, Rev},
    slice,
};

/// Items in a ring's logical order, front first.
pub(crate) type Ordered<'a, T> = Chain<Rev<slice::Iter<'a, T>>, Rev<slice::Iter<'a, T>>>;

/// The logical order of `items` stored back to front and rotated at `start`.
pub(crate) fn ordered<T>(items: &[T], start: usize) -> Ordered<'_, T> {
    let (a, b) = items.split_at(start.min(items.len()));
    a.iter().rev().chain(b.iter().rev())
}

/// Items stored back to front, rotated: the logical order, front first, is the reverse of
/// `items[start..]` then `items[..start]`. So adding to the front of a ring that has not
/// rotated appends to the storage, and rotating only moves `start`.
///
/// Invariant: `start < items.len()`, or `start == 0`.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    items: KVec<T>,
    start: usize,
}

impl<T> Ring<T> {
    /// An empty ring; allocates nothing.
    #[cfg(test)]
    pub(crate) const fn new() -> Self {
        Self {
            items: KVec::new(),
            start: 0,
        }
    }

    /// An empty ring with room for `capacity` items.
    pub(crate) fn with_capacity(capacity: usize, flags: Flags) -> Result<Self, AllocError> {
        Ok(Self {
            items: KVec::with_capacity(capacity, flags)?,
            start: 0,
        })
    }

    /// How many items the ring has room for.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }

    /// How many items the ring holds.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the ring is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Makes room for one more item, so the next [`Ring::push_front`] cannot fail. An empty
    /// ring gets room for exactly one: most ranges only ever hold one publication.
    pub(crate) fn reserve_one(&mut self, flags: Flags) -> Result<(), AllocError> {
        if self.items.capacity() == 0 {
            self.items = KVec::with_capacity(1, flags)?;
            return Ok(());
        }
        self.items.reserve(1, flags)
    }

    /// Puts `item` at the logical front.
    pub(crate) fn push_front(&mut self, item: T, flags: Flags) -> Result<(), AllocError> {
        self.reserve_one(flags)?;
        // The front is the last item of storage order: just before `start`, or at the end.
        let at = if self.start == 0 {
            self.items.len()
        } else {
            self.start
        };
        self.items
            .insert_within_capacity(at, item)
            .map_err(|_| AllocError)?;
        if self.start != 0 {
            self.start += 1;
        }
        Ok(())
    }

    /// The storage index of logical position `pos`.
    fn physical(&self, pos: usize) -> Option<usize> {
        let len = self.items.len();
        (pos < len).then(|| (self.start + len - 1 - pos) % len)
    }

    /// The front item, the one round-robin picks next.
    #[cfg(test)]
    pub(crate) fn front(&self) -> Option<&T> {
        self.items.get(self.physical(0)?)
    }

    /// Moves the front item to the back and returns it.
    pub(crate) fn take_turn(&mut self) -> Option<&T> {
        let picked = self.physical(0)?;
        self.start = picked;
        self.items.get(picked)
    }

    /// The items in logical order, front first.
    pub(crate) fn iter(&self) -> Ordered<'_, T> {
        ordered(&self.items, self.start)
    }

    /// The items in logical order, front first, for changing them in place.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        let mid = self.start.min(self.items.len());
        let (a, b) = self.items.split_at_mut(mid);
        a.iter_mut().rev().chain(b.iter_mut().rev())
    }

    /// The logical position of the first item `pred` accepts.
    pub(crate) fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<usize> {
        self.iter().position(pred)
    }

    /// Removes the item at logical position `pos`.
    pub(crate) fn remove(&mut self, pos: usize) -> Option<T> {
        let i = self.physical(pos)?;
        let item = self.items.remove(i).ok()?;
        if i < self.start {
            self.start -= 1;
        }
        if self.start >= self.items.len() {
            self.start = 0;
        }
        Some(item)
    }

    /// Moves the item at logical position `pos` to the back (`list_move_tail`).
    pub(crate) fn move_to_back(&mut self, pos: usize) {
        if pos == 0 {
            self.take_turn();
            return;
        }
        let Some(item) = self.remove(pos) else {
            return;
        };
        // The back is the first item of storage order, at `start`. Removing the item made
        // room for it, so this insertion cannot fail.
        let _ = self.items.insert_within_capacity(self.start, item);
    }
}
