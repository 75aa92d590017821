// SPDX-License-Identifier: GPL-2.0

//! Removal: take the entry out of its leaf, then on the way up drop empty nodes and merge a
//! node that fell below a quarter full into a neighbour, when the two fit in three quarters
//! of a node. The gap between the split point (full) and the merge point keeps a node that
//! just split from merging right back. Nothing is allocated.

use super::{Child, Entry, Node, Path, Tree};
use crate::kalloc::KVec;

impl<E: Entry> Tree<E> {
    /// Removes and returns the entry with key `key`.
    pub(crate) fn remove(&mut self, key: &E::Key) -> Option<E> {
        let path = self.path_of(key)?;
        self.remove_at(&path)
    }

    /// Removes and returns the entry at `path`.
    pub(crate) fn remove_at(&mut self, path: &Path) -> Option<E> {
        let e = remove_from(&mut self.root, &path.0)?;
        self.len -= 1;
        // A root with one child gives way to the child; an empty one to an empty leaf.
        while let Node::Inner(children) = &mut self.root {
            if children.len() > 1 {
                break;
            }
            self.root = match children.pop() {
                Some(only) => only.node,
                None => Node::Leaf(KVec::new()),
            };
            self.height = self.height.saturating_sub(1);
        }
        if self.len == 0 {
            self.root = Node::Leaf(KVec::new());
            self.height = 0;
        }
        Some(e)
    }
}

/// Removes the entry below `node` that `path` leads to.
fn remove_from<E: Entry>(node: &mut Node<E>, path: &[u8]) -> Option<E> {
    let (&step, rest) = path.split_first()?;
    let idx = usize::from(step);
    match node {
        Node::Leaf(v) => v.remove(idx).ok(),
        Node::Inner(v) => {
            let e = remove_from(&mut v.get_mut(idx)?.node, rest)?;
            rebalance(v, idx, e.upper());
            Some(e)
        }
    }
}

/// After the child at `idx` lost an entry whose upper bound was `upper`: update its
/// summary, drop it if empty, merge it with a neighbour if it is small.
fn rebalance<E: Entry>(children: &mut KVec<Child<E>>, idx: usize, upper: u32) {
    let Some(child) = children.get_mut(idx) else {
        return;
    };
    if !child.exclude(upper) {
        let _ = children.remove(idx);
        return;
    }
    let cap = child.node.cap();
    if child.node.len() >= cap / 4 {
        return;
    }
    let left = if idx > 0 { idx - 1 } else { idx };
    let fits = match (children.get(left), children.get(left + 1)) {
        (Some(a), Some(b)) => a.node.len() + b.node.len() <= cap * 3 / 4 && has_room(a, b),
        _ => false,
    };
    if !fits {
        return;
    }
    let Ok(mut right) = children.remove(left + 1) else {
        return;
    };
    if let Some(target) = children.get_mut(left) {
        match (&mut target.node, &mut right.node) {
            (Node::Leaf(a), Node::Leaf(b)) => append(a, b),
            (Node::Inner(a), Node::Inner(b)) => append(a, b),
            _ => {}
        }
        target.refresh();
    }
}

/// Whether `b`'s items fit in `a`'s spare capacity and both are the same kind of node.
fn has_room<E: Entry>(a: &Child<E>, b: &Child<E>) -> bool {
    match (&a.node, &b.node) {
        (Node::Leaf(x), Node::Leaf(y)) => x.capacity() - x.len() >= y.len(),
        (Node::Inner(x), Node::Inner(y)) => x.capacity() - x.len() >= y.len(),
        _ => false,
    }
}

/// Moves every item of `b` to the end of `a`, which has room for them, keeping their order.
fn append<T>(a: &mut KVec<T>, b: &mut KVec<T>) {
    let start = a.len();
    while let Some(item) = b.pop() {
        if a.insert_within_capacity(a.len(), item).is_err() {
            break;
        }
    }
    if let Some(tail) = a.get_mut(start..) {
        tail.reverse();
    }
}
