// SPDX-License-Identifier: GPL-2.0

//! Insertion: count the full nodes on the way down, allocate their replacements, then
//! insert and split without any further allocation that could fail half-way.

use super::{child_for, Child, Entry, Node, Path, Tree, INNER_CAP, LEAF_CAP, MAX_HEIGHT};
use crate::kalloc::{AllocError, Flags, KVec};

/// Nodes allocated ahead for the splits one insertion makes. Most insertions split
/// nothing: then nothing is allocated.
struct Spares<E: Entry> {
    /// The new right half of the leaf, if the leaf splits.
    leaf: Option<KVec<E>>,
    /// The new right halves of inner nodes, the lowest last.
    inner: KVec<KVec<Child<E>>>,
}

impl<E: Entry> Spares<E> {
    /// Allocates a leaf if `splits > 0` and an inner node for each further split.
    fn alloc(splits: usize, flags: Flags) -> Result<Self, AllocError> {
        let mut spares = Self {
            leaf: None,
            inner: KVec::new(),
        };
        if splits == 0 {
            return Ok(spares);
        }
        spares.leaf = Some(KVec::with_capacity(LEAF_CAP, flags)?);
        let inner = splits - 1;
        if inner > 0 {
            spares.inner = KVec::with_capacity(inner, flags)?;
            for _ in 0..inner {
                spares
                    .inner
                    .push(KVec::with_capacity(INNER_CAP, flags)?, flags)?;
            }
        }
        Ok(spares)
    }

    /// The next inner node, bottom first.
    fn take_inner(&mut self) -> Result<KVec<Child<E>>, AllocError> {
        self.inner.pop().ok_or(AllocError)
    }
}

/// Moves `from[keep..]` to the empty `to`, keeping their order, without allocating.
fn move_tail<T>(from: &mut KVec<T>, to: &mut KVec<T>, keep: usize) -> Result<(), AllocError> {
    while from.len() > keep {
        let item = from.pop().ok_or(AllocError)?;
        to.insert_within_capacity(to.len(), item)
            .map_err(|_| AllocError)?;
    }
    to.reverse();
    Ok(())
}

/// Inserts `item` at `pos` of `v`, which has room.
fn put<T>(v: &mut KVec<T>, pos: usize, item: T) -> Result<(), AllocError> {
    v.insert_within_capacity(pos, item).map_err(|_| AllocError)
}

impl<E: Entry> Tree<E> {
    /// Inserts `e`. On failure (no memory) the tree is unchanged and `e` is dropped.
    pub(crate) fn insert(&mut self, e: E, flags: Flags) -> Result<(), AllocError> {
        let (path, splits) = self.descend(&e.key());
        let grows = splits > self.height;
        if grows && self.height + 1 >= MAX_HEIGHT {
            return Err(AllocError);
        }
        let new_root = if grows {
            Some(KVec::with_capacity(INNER_CAP, flags)?)
        } else {
            None
        };
        let mut spares = Spares::alloc(splits.min(self.height + 1), flags)?;
        let split = insert_into(&mut self.root, e, &path.0, &mut spares, flags)?;
        self.len += 1;
        if let (Some(right), Some(mut children)) = (split, new_root) {
            let old = core::mem::replace(&mut self.root, Node::Leaf(KVec::new()));
            if let Some(left) = Child::new(old) {
                put(&mut children, 0, left)?;
            }
            let end = children.len();
            put(&mut children, end, right)?;
            self.root = Node::Inner(children);
            self.height += 1;
        }
        Ok(())
    }

    /// Where `key` goes, and how many nodes inserting it splits: the full nodes on its
    /// way, counted upward from the leaf until one has room.
    fn descend(&self, key: &E::Key) -> (Path, usize) {
        let mut path = Path([0; MAX_HEIGHT + 1]);
        let mut full = [false; MAX_HEIGHT + 1];
        let mut depth = 0;
        let mut node = &self.root;
        loop {
            if let Some(f) = full.get_mut(depth) {
                *f = node.len() >= node.cap();
            }
            let (i, next) = match node {
                Node::Leaf(v) => (v.partition_point(|x| x.key() < *key), None),
                Node::Inner(v) => {
                    let i = child_for(v, key);
                    (i, v.get(i).map(|c| &c.node))
                }
            };
            // Nodes hold at most 64 items, so an index fits a byte.
            if let Some(step) = path.0.get_mut(depth) {
                *step = u8::try_from(i).unwrap_or(u8::MAX);
            }
            match next {
                Some(n) if depth < MAX_HEIGHT => node = n,
                _ => break,
            }
            depth += 1;
        }
        let splits = full
            .iter()
            .take(depth + 1)
            .rev()
            .take_while(|&&f| f)
            .count();
        (path, splits)
    }
}

/// Inserts `e` below `node`, where `path` (from [`Tree::descend`]) leads; returns the new
/// right sibling if `node` split.
fn insert_into<E: Entry>(
    node: &mut Node<E>,
    e: E,
    path: &[u8],
    spares: &mut Spares<E>,
    flags: Flags,
) -> Result<Option<Child<E>>, AllocError> {
    let key = e.key();
    let (&step, rest) = path.split_first().ok_or(AllocError)?;
    let at = usize::from(step);
    match node {
        Node::Leaf(v) => {
            let pos = at;
            if v.len() < LEAF_CAP {
                v.reserve(1, flags)?;
                put(v, pos, e)?;
                return Ok(None);
            }
            let mut right = spares.leaf.take().ok_or(AllocError)?;
            let mid = LEAF_CAP / 2;
            move_tail(v, &mut right, mid)?;
            if pos <= mid {
                put(v, pos, e)?;
            } else {
                put(&mut right, pos - mid, e)?;
            }
            Ok(Child::new(Node::Leaf(right)))
        }
        Node::Inner(v) => {
            let idx = at;
            let child = v.get_mut(idx).ok_or(AllocError)?;
            let upper = e.upper();
            let split = insert_into(&mut child.node, e, rest, spares, flags)?;
            let Some(new) = split else {
                child.include(key, upper);
                return Ok(None);
            };
            child.refresh();
            let pos = idx + 1;
            if v.len() < INNER_CAP {
                put(v, pos, new)?;
                return Ok(None);
            }
            let mut right = spares.take_inner()?;
            let mid = INNER_CAP / 2;
            move_tail(v, &mut right, mid)?;
            if pos <= mid {
                put(v, pos, new)?;
            } else {
                put(&mut right, pos - mid, new)?;
            }
            Ok(Child::new(Node::Inner(right)))
        }
    }
}
