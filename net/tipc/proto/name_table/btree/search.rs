// SPDX-License-Identifier: GPL-2.0

//! Interval searches: entries whose key lies in `from..=to` and whose `upper` is at least
//! `min_upper`. Subtrees whose largest `upper` is below `min_upper`, or whose keys start past
//! `to`, are skipped whole.

use core::ops::ControlFlow;

use super::{child_for, Child, Entry, Node, Path, Tree, MAX_HEIGHT};

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

    /// Where the first entry is, in key order, with key in `from..=to`, `upper >=
    /// min_upper`, and accepted by `pred`.
    pub(crate) fn first_match(
        &self,
        from: E::Key,
        to: E::Key,
        min_upper: u32,
        mut pred: impl FnMut(&E) -> bool,
    ) -> Option<Path> {
        let bounds = Bounds {
            from,
            to,
            min_upper,
        };
        let mut path = Path([0; MAX_HEIGHT + 1]);
        find_node(&self.root, &bounds, &mut pred, &mut path.0, 0).then_some(path)
    }

    /// The entry [`Tree::first_match`] finds, to change anything but its key and `upper`.
    pub(crate) fn first_match_mut(
        &mut self,
        from: E::Key,
        to: E::Key,
        min_upper: u32,
        pred: impl FnMut(&E) -> bool,
    ) -> Option<&mut E> {
        let path = self.first_match(from, to, min_upper, pred)?;
        self.at_mut(&path)
    }

    /// The entry at `path`, to change anything but its key and `upper`; the way there is
    /// taken without searching.
    pub(crate) fn at_mut(&mut self, path: &Path) -> Option<&mut E> {
        let mut node = &mut self.root;
        for &step in path.0.iter() {
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

/// The entries of leaf `v` from the first with a key in the bounds (found by binary search)
/// to the last, and the index of the first. Leaves are short: the end is found by the scan.
fn leaf_span<'a, E: Entry>(v: &'a [E], b: &Bounds<E::Key>) -> (usize, impl Iterator<Item = &'a E>) {
    let start = v.partition_point(|e| e.key() < b.from);
    let to = b.to;
    let rest = v.get(start..).unwrap_or(&[]);
    (start, rest.iter().take_while(move |e| e.key() <= to))
}

/// The children of `v` whose subtrees may hold a key in the bounds, and the index of the
/// first. Both ends are found by binary search (the second unless the bounds end within
/// the first child, as an exact search's do), so that a scan of the children looks at
/// their largest upper bounds only.
fn inner_span<'a, E: Entry>(v: &'a [Child<E>], b: &Bounds<E::Key>) -> (usize, &'a [Child<E>]) {
    let start = child_for(v, &b.from);
    let within = |c: &Child<E>| c.min <= b.to;
    let end = match (v.get(start), v.get(start + 1..)) {
        (Some(first), _) if !within(first) => start,
        (Some(_), Some(rest)) if rest.first().is_some_and(within) => {
            start + 1 + rest.partition_point(within)
        }
        _ => start + 1,
    };
    (start, v.get(start..end).unwrap_or(&[]))
}

/// [`Tree::visit`] below `node`.
fn visit_node<E: Entry, B>(
    node: &Node<E>,
    b: &Bounds<E::Key>,
    f: &mut impl FnMut(&E) -> ControlFlow<B>,
) -> ControlFlow<B> {
    match node {
        Node::Leaf(v) => {
            for e in leaf_span(v, b).1 {
                if e.upper() >= b.min_upper {
                    f(e)?;
                }
            }
        }
        Node::Inner(v) => {
            for c in inner_span(v, b).1 {
                if c.max_upper >= b.min_upper {
                    visit_node(&c.node, b, f)?;
                }
            }
        }
    }
    ControlFlow::Continue(())
}

/// The search of [`Tree::first_match`] below `node`, at `depth`: whether it found an
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
            let (start, mut span) = leaf_span(v, b);
            span.position(|e| e.upper() >= b.min_upper && pred(e))
                .map(|i| start + i)
        }
        Node::Inner(v) => {
            let (start, span) = inner_span(v, b);
            span.iter()
                .position(|c| {
                    c.max_upper >= b.min_upper && find_node(&c.node, b, pred, path, depth + 1)
                })
                .map(|i| start + i)
        }
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
