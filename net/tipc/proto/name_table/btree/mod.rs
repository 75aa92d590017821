// SPDX-License-Identifier: GPL-2.0

//! An ordered map from keys to entries that each cover an interval ending at `upper`: a
//! B+tree over fixed-capacity `KVec` nodes, augmented with the largest `upper` of every
//! subtree, so "every entry overlapping this interval" skips the subtrees that cannot hold
//! one (the C module uses an augmented red-black tree for the same query).
//!
//! Entries live in leaves; an inner node keeps, for each child, its smallest key and its
//! largest `upper`. All leaves are at the same depth. Inserting allocates every node it may
//! need before changing anything, so a failed allocation leaves the tree as it was; removing
//! never allocates.

mod insert;
mod remove;
mod search;

use crate::kalloc::KVec;

/// What the tree stores: an entry with a unique key, covering instances up to `upper`.
pub(crate) trait Entry {
    /// The order of entries; unique within a tree.
    type Key: Ord + Copy + core::fmt::Debug;

    /// The entry's key.
    fn key(&self) -> Self::Key;

    /// The highest instance the entry covers.
    fn upper(&self) -> u32;
}

/// Entries per leaf at most.
const LEAF_CAP: usize = 32;
/// Children per inner node at most.
const INNER_CAP: usize = 64;
/// The tallest tree allowed; far more than memory can fill (64 children a level).
const MAX_HEIGHT: usize = 16;

/// A node: entries at the bottom, children above.
#[derive(Debug)]
enum Node<E: Entry> {
    /// Entries in key order.
    Leaf(KVec<E>),
    /// Children in key order.
    Inner(KVec<Child<E>>),
}

/// A child of an inner node, with the summary the parent searches by.
#[derive(Debug)]
struct Child<E: Entry> {
    /// The smallest key in the subtree.
    min: E::Key,
    /// The largest `upper` in the subtree.
    max_upper: u32,
    /// The subtree.
    node: Node<E>,
}

impl<E: Entry> Node<E> {
    /// Entries or children held.
    fn len(&self) -> usize {
        match self {
            Self::Leaf(v) => v.len(),
            Self::Inner(v) => v.len(),
        }
    }

    /// The most entries or children the node may hold.
    fn cap(&self) -> usize {
        match self {
            Self::Leaf(_) => LEAF_CAP,
            Self::Inner(_) => INNER_CAP,
        }
    }

    /// The smallest key in the subtree, or `None` if it is empty.
    fn first_key(&self) -> Option<E::Key> {
        match self {
            Self::Leaf(v) => v.first().map(Entry::key),
            Self::Inner(v) => v.first().map(|c| c.min),
        }
    }

    /// The largest `upper` in the subtree, or `None` if it is empty.
    fn max_upper(&self) -> Option<u32> {
        match self {
            Self::Leaf(v) => v.iter().map(Entry::upper).max(),
            Self::Inner(v) => v.iter().map(|c| c.max_upper).max(),
        }
    }

    /// The smallest key and largest `upper` in the subtree, or `None` if it is empty.
    fn summary(&self) -> Option<(E::Key, u32)> {
        Some((self.first_key()?, self.max_upper()?))
    }
}

impl<E: Entry> Child<E> {
    /// The child for a subtree, or `None` if it is empty.
    fn new(node: Node<E>) -> Option<Self> {
        let (min, max_upper) = node.summary()?;
        Some(Self {
            min,
            max_upper,
            node,
        })
    }

    /// Updates the summary after an entry with `key` and `upper` was added to the subtree
    /// (which did not split).
    fn include(&mut self, key: E::Key, upper: u32) {
        if key < self.min {
            self.min = key;
        }
        if upper > self.max_upper {
            self.max_upper = upper;
        }
    }

    /// Updates the summary after an entry with `upper` was removed from the subtree (and
    /// nothing else changed); false if it is now empty. Only the loss of the largest upper
    /// bound makes it look at every child.
    fn exclude(&mut self, upper: u32) -> bool {
        let Some(min) = self.node.first_key() else {
            return false;
        };
        self.min = min;
        if upper >= self.max_upper {
            self.max_upper = self.node.max_upper().unwrap_or(0);
        }
        true
    }

    /// Recomputes the summary after the subtree changed; false if it is now empty.
    fn refresh(&mut self) -> bool {
        match self.node.summary() {
            Some((min, max)) => {
                self.min = min;
                self.max_upper = max;
                true
            }
            None => false,
        }
    }
}

/// The index of the child whose subtree would hold `key`: the last child whose smallest key
/// is at most `key`, or the first child.
fn child_for<E: Entry>(children: &[Child<E>], key: &E::Key) -> usize {
    children
        .partition_point(|c| c.min <= *key)
        .saturating_sub(1)
}

/// Where an entry is: its child's index at each inner level, top first, then its index in
/// its leaf. Valid until the tree changes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path([u8; MAX_HEIGHT + 1]);

/// The tree.
#[derive(Debug)]
pub(crate) struct Tree<E: Entry> {
    /// The root: a leaf while the tree is small.
    root: Node<E>,
    /// Inner levels above the leaves.
    height: usize,
    /// Entries held.
    len: usize,
}

impl<E: Entry> Default for Tree<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Entry> Tree<E> {
    /// An empty tree; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            root: Node::Leaf(KVec::new()),
            height: 0,
            len: 0,
        }
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree is empty.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inner levels above the leaves.
    #[cfg(test)]
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Where the entry with key `key` is.
    pub(crate) fn path_of(&self, key: &E::Key) -> Option<Path> {
        let mut path = Path([0; MAX_HEIGHT + 1]);
        let mut node = &self.root;
        for step in path.0.iter_mut() {
            let i = match node {
                Node::Leaf(v) => v.binary_search_by(|e| e.key().cmp(key)).ok()?,
                Node::Inner(v) => child_for(v, key),
            };
            *step = u8::try_from(i).ok()?;
            match node {
                Node::Leaf(_) => return Some(path),
                Node::Inner(v) => node = &v.get(i)?.node,
            }
        }
        None
    }

    /// The entry with key `key`.
    pub(crate) fn get(&self, key: &E::Key) -> Option<&E> {
        let mut node = &self.root;
        loop {
            match node {
                Node::Leaf(v) => {
                    let i = v.binary_search_by(|e| e.key().cmp(key)).ok()?;
                    return v.get(i);
                }
                Node::Inner(v) => node = &v.get(child_for(v, key))?.node,
            }
        }
    }

    /// The entry with key `key`, to change anything but its key and `upper`.
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self, key: &E::Key) -> Option<&mut E> {
        let mut node = &mut self.root;
        loop {
            match node {
                Node::Leaf(v) => {
                    let i = v.binary_search_by(|e| e.key().cmp(key)).ok()?;
                    return v.get_mut(i);
                }
                Node::Inner(v) => {
                    let i = child_for(v, key);
                    node = &mut v.get_mut(i)?.node;
                }
            }
        }
    }

    /// Bytes of node storage allocated, for measurements (entries' own allocations are not
    /// counted).
    #[cfg(test)]
    pub(crate) fn node_bytes(&self) -> usize {
        fn walk<E: Entry>(node: &Node<E>) -> usize {
            match node {
                Node::Leaf(v) => v.capacity() * core::mem::size_of::<E>(),
                Node::Inner(v) => {
                    v.capacity() * core::mem::size_of::<Child<E>>()
                        + v.iter().map(|c| walk(&c.node)).sum::<usize>()
                }
            }
        }
        walk(&self.root)
    }

    /// Checks order, depth, summaries and length, for tests.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) -> Result<(), &'static str> {
        fn walk<E: Entry>(
            node: &Node<E>,
            depth: usize,
            height: usize,
        ) -> Result<usize, &'static str> {
            match node {
                Node::Leaf(v) => {
                    if depth != height {
                        return Err("leaf at wrong depth");
                    }
                    if v.windows(2)
                        .any(|w| matches!(w, [a, b] if a.key() >= b.key()))
                    {
                        return Err("leaf out of order");
                    }
                    Ok(v.len())
                }
                Node::Inner(v) => {
                    let mut n = 0;
                    for c in v.iter() {
                        if c.node.summary() != Some((c.min, c.max_upper)) {
                            return Err("stale child summary");
                        }
                        n += walk(&c.node, depth + 1, height)?;
                    }
                    if v.windows(2).any(|w| matches!(w, [a, b] if a.min >= b.min)) {
                        return Err("children out of order");
                    }
                    Ok(n)
                }
            }
        }
        if walk(&self.root, 0, self.height)? != self.len {
            return Err("wrong length");
        }
        Ok(())
    }
}
