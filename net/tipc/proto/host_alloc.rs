// SPDX-License-Identifier: GPL-2.0

//! Host stand-ins for the kernel allocation API the protocol core uses (`kernel::alloc`'s
//! `KVec`, `KBox`, `Flags` and errors), with the same signatures, so the core compiles
//! unchanged on the host. Allocation failure is reported, not fatal, as in the kernel:
//! growth goes through `try_reserve`.

extern crate alloc;

use alloc::{boxed::Box, vec::Vec};
use core::ops::{Deref, DerefMut};

/// Allocation flags; the host ignores them, but the core must still choose them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Flags(u32);

/// Allocation that may sleep (process context).
pub(crate) const GFP_KERNEL: Flags = Flags(0);
/// Allocation that must not sleep (softirq, under a spinlock).
pub(crate) const GFP_ATOMIC: Flags = Flags(1);

/// An allocation failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct AllocError;

/// `KVec::remove` was given an index past the end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RemoveError;

/// Why `KVec::insert_within_capacity` gave the element back.
#[derive(PartialEq, Eq, Debug)]
pub(crate) enum InsertError<T> {
    /// The index was past the end.
    IndexOutOfBounds(T),
    /// The vector had no spare capacity.
    OutOfCapacity(T),
}

/// A growable array whose growth can fail, like the kernel's `KVec`.
#[derive(PartialEq, Eq, Debug)]
pub(crate) struct KVec<T>(Vec<T>);

impl<T> Default for KVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> KVec<T> {
    /// An empty vector; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self(Vec::new())
    }

    /// An empty vector with room for `capacity` elements.
    pub(crate) fn with_capacity(capacity: usize, flags: Flags) -> Result<Self, AllocError> {
        let mut v = Self::new();
        v.reserve(capacity, flags)?;
        Ok(v)
    }

    /// Makes room for `additional` more elements.
    pub(crate) fn reserve(&mut self, additional: usize, _flags: Flags) -> Result<(), AllocError> {
        self.0.try_reserve(additional).map_err(|_| AllocError)
    }

    /// Appends `v`, growing if needed.
    pub(crate) fn push(&mut self, v: T, flags: Flags) -> Result<(), AllocError> {
        self.reserve(1, flags)?;
        self.0.push(v);
        Ok(())
    }

    /// Inserts `element` at `index` without growing.
    pub(crate) fn insert_within_capacity(
        &mut self,
        index: usize,
        element: T,
    ) -> Result<(), InsertError<T>> {
        if index > self.0.len() {
            return Err(InsertError::IndexOutOfBounds(element));
        }
        if self.0.len() >= self.0.capacity() {
            return Err(InsertError::OutOfCapacity(element));
        }
        self.0.insert(index, element);
        Ok(())
    }

    /// Removes and returns the element at `i`, shifting the rest down.
    pub(crate) fn remove(&mut self, i: usize) -> Result<T, RemoveError> {
        if i >= self.0.len() {
            return Err(RemoveError);
        }
        Ok(self.0.remove(i))
    }

    /// Removes and returns the last element.
    pub(crate) fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    /// Keeps only the elements for which `f` returns true.
    pub(crate) fn retain(&mut self, f: impl FnMut(&mut T) -> bool) {
        self.0.retain_mut(f)
    }

    /// Shortens the vector to `len` elements.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len)
    }

    /// Removes every element.
    pub(crate) fn clear(&mut self) {
        self.0.clear()
    }

    /// The number of elements the vector can hold without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

impl<T: Clone> KVec<T> {
    /// Appends clones of the elements of `other`.
    pub(crate) fn extend_from_slice(
        &mut self,
        other: &[T],
        flags: Flags,
    ) -> Result<(), AllocError> {
        self.reserve(other.len(), flags)?;
        self.0.extend_from_slice(other);
        Ok(())
    }

    /// Grows or shrinks the vector to `new_len` elements, filling with `value`.
    pub(crate) fn resize(
        &mut self,
        new_len: usize,
        value: T,
        flags: Flags,
    ) -> Result<(), AllocError> {
        self.reserve(new_len.saturating_sub(self.0.len()), flags)?;
        self.0.resize(new_len, value);
        Ok(())
    }
}

impl<T> Deref for KVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for KVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

/// Consumes the vector front to back, as the kernel's `IntoIterator for KVec` does.
impl<T> IntoIterator for KVec<T> {
    type Item = T;
    type IntoIter = alloc::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A heap allocation whose creation can fail, like the kernel's `KBox`.
#[derive(PartialEq, Eq, Debug)]
pub(crate) struct KBox<T>(Box<T>);

impl<T> KBox<T> {
    /// Moves `x` to the heap.
    pub(crate) fn new(x: T, _flags: Flags) -> Result<Self, AllocError> {
        Ok(Self(Box::new(x)))
    }

    /// Moves the value back out of the heap.
    pub(crate) fn into_inner(this: Self) -> T {
        *this.0
    }
}

impl<T> Deref for KBox<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for KBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
