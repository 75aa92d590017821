// SPDX-License-Identifier: GPL-2.0

//! Interval searches: entries whose key lies in `from..=to` and whose `upper` is at least
//! `min_upper`. Subtrees whose largest `upper` is below `min_upper`, or whose keys start past
//! `to`, are skipped whole.

use core::ops::ControlFlow;

use super::{child_for, Entry, Node, Tree, MAX_HEIGHT};

/// The bounds of a search.
struct Bounds<K> {
    /// The smallest key wanted.
    from: K,
    /// The largest key wanted.
    to: K,
    /// The smallest `upper` wanted.
    min_upper: u32,
}

impl<E: Entry> Tree<E> {
    /// Calls `f` on each entry with key in `from..=to` and `upper >= min_upper`, in key
    /// order, until `f` breaks.
    pub(crate) fn visit<B>(
        &self,
        from: E::Key,
        to: E::Key,
        min_upper: u32,
        mut f: impl FnMut(&E) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let bounds = Bounds {
            from,
            to,
            min_upper,
        };
        visit_node(&self.root, &bounds, &mut f)
    }

    /// The first entry, in key order, with key in `from..=to`, `upper >= min_upper`, and
    /// accepted by `pred`, to change anything but its key and `upper`. One search finds
    /// where it is, then the way there is taken again without searching.
    pub(crate) fn first_match_mut(
        &mut self,
        from: E::Key,
        to: E::Key,
        min_upper: u32,
        mut pred: impl FnMut(&E) -> bool,
    ) -> Option<&mut E> {
        let bounds = Bounds {
            from,
            to,
            min_upper,
        };
        let mut path = [0u8; MAX_HEIGHT + 1];
        if !find_node(&self.root, &bounds, &mut pred, &mut path, 0) {
            return None;
        }
        let mut node = &mut self.root;
        for &step in path.iter() {
            match node {
                Node::Leaf(v) => return v.get_mut(usize::from(step)),
                Node::Inner(v) => node = &mut v.get_mut(usize::from(step))?.node,
            }
        }
        None
    }

    /// Calls `f` on every entry, in key order, to change anything but keys and uppers.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut E)) {
        for_each_mut_node(&mut self.root, &mut f);
    }
}

/// [`Tree::visit`] below `node`.
fn visit_node<E: Entry, B>(
    node: &Node<E>,
    b: &Bounds<E::Key>,
    f: &mut impl FnMut(&E) -> ControlFlow<B>,
) -> ControlFlow<B> {
    match node {
        Node::Leaf(v) => {
            let start = v.partition_point(|e| e.key() < b.from);
            for e in v.iter().skip(start) {
                if e.key() > b.to {
                    break;
                }
                if e.upper() >= b.min_upper {
                    f(e)?;
                }
            }
        }
        Node::Inner(v) => {
            for c in v.iter().skip(child_for(v, &b.from)) {
                if c.min > b.to {
                    break;
                }
                if c.max_upper >= b.min_upper {
                    visit_node(&c.node, b, f)?;
                }
            }
        }
    }
    ControlFlow::Continue(())
}

/// The search of [`Tree::first_match_mut`] below `node`, at `depth`: whether it found an
/// entry, whose index at each level from `depth` down it then wrote to `path`.
fn find_node<E: Entry>(
    node: &Node<E>,
    b: &Bounds<E::Key>,
    pred: &mut impl FnMut(&E) -> bool,
    path: &mut [u8; MAX_HEIGHT + 1],
    depth: usize,
) -> bool {
    let found = match node {
        Node::Leaf(v) => {
            let start = v.partition_point(|e| e.key() < b.from);
            v.iter()
                .enumerate()
                .skip(start)
                .take_while(|(_, e)| e.key() <= b.to)
                .find(|(_, e)| e.upper() >= b.min_upper && pred(e))
                .map(|(i, _)| i)
        }
        Node::Inner(v) => v
            .iter()
            .enumerate()
            .skip(child_for(v, &b.from))
            .take_while(|(_, c)| c.min <= b.to)
            .find(|(_, c)| {
                c.max_upper >= b.min_upper && find_node(&c.node, b, pred, path, depth + 1)
            })
            .map(|(i, _)| i),
    };
    // Nodes hold at most 64 items, so an index fits a byte.
    match (
        found.and_then(|i| u8::try_from(i).ok()),
        path.get_mut(depth),
    ) {
        (Some(i), Some(slot)) => {
            *slot = i;
            true
        }
        _ => false,
    }
}

/// [`Tree::for_each_mut`] below `node`.
fn for_each_mut_node<E: Entry>(node: &mut Node<E>, f: &mut impl FnMut(&mut E)) {
    match node {
        Node::Leaf(v) => v.iter_mut().for_each(f),
        Node::Inner(v) => {
            for c in v.iter_mut() {
                for_each_mut_node(&mut c.node, f);
            }
        }
    }
}
