// SPDX-License-Identifier: GPL-2.0

//! Interval searches: entries whose key lies in `from..=to` and whose `upper` is at least
//! `min_upper`. Subtrees whose largest `upper` is below `min_upper`, or whose keys start past
//! `to`, are skipped whole.

use core::ops::ControlFlow;

use super::{child_for, Entry, Node, Tree};

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

    /// The key of the first entry, in key order, with key in `from..=to`, `upper >=
    /// min_upper`, and accepted by `pred`.
    pub(crate) fn first_match(
        &self,
        from: E::Key,
        to: E::Key,
        min_upper: u32,
        mut pred: impl FnMut(&E) -> bool,
    ) -> Option<E::Key> {
        let found = self.visit(from, to, min_upper, |e| {
            if pred(e) {
                ControlFlow::Break(e.key())
            } else {
                ControlFlow::Continue(())
            }
        });
        match found {
            ControlFlow::Break(key) => Some(key),
            ControlFlow::Continue(()) => None,
        }
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
