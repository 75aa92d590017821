// SPDX-License-Identifier: GPL-2.0

//! One socket's bindings (`tsk->publications`), and the rules for publishing and
//! withdrawing them (`tipc_sk_publish`, `tipc_sk_withdraw`).

use super::{
    addr::{Scope, ServiceRange, SocketAddr},
    bind::Binding,
    table::{NameTable, Published, Withdrawn},
};
use crate::{
    kalloc::{Flags, KVec},
    proto::errno::Errno,
};

/// A binding the socket holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Held {
    /// The range bound.
    range: ServiceRange,
    /// Its scope.
    scope: Scope,
    /// The key it was published with.
    key: u32,
}

/// The type and lower bound of a range as one number, which an unbind searches for.
fn name_of(range: &ServiceRange) -> u64 {
    u64::from(range.ty) << 32 | u64::from(range.lower)
}

/// The index of the last `name` in `names`. Compares four at a time, without branching
/// within the four (the comparisons are or-ed as numbers), so that the compiler may
/// compare them at once.
fn rfind(names: &[u64], name: u64) -> Option<usize> {
    let mut chunks = names.rchunks_exact(4);
    let mut end = names.len();
    for c in chunks.by_ref() {
        end -= 4;
        if let [a, b, c2, d] = *c {
            let hits = u8::from(a == name)
                | u8::from(b == name)
                | u8::from(c2 == name)
                | u8::from(d == name);
            if hits != 0 {
                return c.iter().rposition(|&n| n == name).map(|i| end + i);
            }
        }
    }
    chunks.remainder().iter().rposition(|&n| n == name)
}

/// What `names` holds where a binding was withdrawn (a binding may have this name too:
/// `held` tells them apart).
const HOLE: u64 = u64::MAX;

/// The bindings of one socket, oldest first.
///
/// An unbind leaves a hole (`None`) where its binding was rather than moving the newer
/// ones down: holes at the newest end are dropped at once, and the others are squeezed
/// out once they are as many as the bindings held, so that removal costs O(1) amortised.
/// The search of an unbind scans `names`, a compact copy of each binding's type and lower
/// bound.
#[derive(Debug)]
pub(crate) struct SockBindings {
    /// Bindings in the order they were made, with holes.
    held: KVec<Option<Held>>,
    /// [`name_of`] each entry of `held`, [`HOLE`] for a hole.
    names: KVec<u64>,
    /// Bindings held: the entries of `held` that are not holes.
    count: usize,
    /// Bindings ever made: the next key is `port + made + 1`.
    made: u32,
}

impl Default for SockBindings {
    fn default() -> Self {
        Self::new()
    }
}

impl SockBindings {
    /// No bindings; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            held: KVec::new(),
            names: KVec::new(),
            count: 0,
            made: 0,
        }
    }

    /// Whether the socket holds any binding (`tsk->published`): a published socket cannot
    /// `connect(2)`.
    pub(crate) fn is_published(&self) -> bool {
        self.count > 0
    }

    /// Pretends `made` bindings were made, to test key wrap-around.
    #[cfg(test)]
    pub(crate) fn set_made(&mut self, made: u32) {
        self.made = made;
    }

    /// How many bindings the socket holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The bindings as the C module lists a socket's publications (newest first), each with
    /// its key, starting at the one with key `from` (`None`: the newest); nothing when no
    /// binding has that key any more.
    pub(crate) fn newest_first(
        &self,
        from: Option<u32>,
    ) -> impl Iterator<Item = (ServiceRange, u32)> + '_ {
        let newest = self.held.iter().rev().flatten();
        let skip = match from {
            None => 0,
            Some(key) => newest
                .clone()
                .position(|h| h.key == key)
                .unwrap_or(self.count),
        };
        newest.skip(skip).map(|h| (h.range, h.key))
    }

    /// Publishes `b` for the socket `port` on this node.
    ///
    /// A connected socket is refused with `EINVAL`; when the keys wrap around to `port`
    /// (after 2^32 bindings) with `EADDRINUSE`; a duplicate binding, the node's publication
    /// limit or lack of memory with `EINVAL`, as the C module reports them all.
    pub(crate) fn bind(
        &mut self,
        table: &mut NameTable,
        port: u32,
        b: &Binding,
        connected: bool,
        flags: Flags,
    ) -> Result<Published, Errno> {
        if connected {
            return Err(Errno::EINVAL);
        }
        let key = port.wrapping_add(self.made).wrapping_add(1);
        if key == port {
            return Err(Errno::EADDRINUSE);
        }
        self.held.reserve(1, flags).map_err(|_| Errno::EINVAL)?;
        self.names.reserve(1, flags).map_err(|_| Errno::EINVAL)?;
        let sk = SocketAddr {
            port,
            node: table.own_node(),
        };
        let published = table
            .publish(b.range, sk, b.scope, key, flags)
            .map_err(|_| Errno::EINVAL)?;
        let held = Held {
            range: b.range,
            scope: b.scope,
            key,
        };
        // Room was reserved above, so this cannot fail.
        let end = self.held.len();
        let _ = self.held.insert_within_capacity(end, Some(held));
        let _ = self.names.insert_within_capacity(end, name_of(&b.range));
        self.count += 1;
        self.made = self.made.wrapping_add(1);
        Ok(published)
    }

    /// Withdraws the socket's binding `b` (an unbind: `bind(2)` with a negative scope).
    ///
    /// As in the C module, the bindings are searched newest first for one with the same
    /// scope, type and lower bound; the search stops at the first such, and only withdraws it
    /// if its upper bound matches too. Finding none is `EINVAL`, except that a socket left
    /// with no bindings at all always succeeds.
    pub(crate) fn unbind(
        &mut self,
        table: &mut NameTable,
        port: u32,
        b: &Binding,
    ) -> Result<Option<Withdrawn>, Errno> {
        if let Some((i, h)) = self.newest_named(b) {
            if h.range.upper == b.range.upper {
                self.remove_at(i);
                return Ok(table.withdraw(h.range, Self::sk(table, port), h.key));
            }
        }
        if self.count == 0 {
            Ok(None)
        } else {
            Err(Errno::EINVAL)
        }
    }

    /// Withdraws every binding of the socket (an empty `bind(2)`, or the socket closing),
    /// newest first, telling `on_withdrawn` about each.
    pub(crate) fn unbind_all(
        &mut self,
        table: &mut NameTable,
        port: u32,
        mut on_withdrawn: impl FnMut(&Withdrawn),
    ) {
        self.names.clear();
        while let Some(slot) = self.held.pop() {
            let Some(h) = slot else {
                continue;
            };
            if let Some(w) = table.withdraw(h.range, Self::sk(table, port), h.key) {
                on_withdrawn(&w);
            }
        }
        self.count = 0;
    }

    /// The newest binding with the scope, type and lower bound of `b`, and its index.
    fn newest_named(&self, b: &Binding) -> Option<(usize, Held)> {
        let name = name_of(&b.range);
        let mut end = self.names.len();
        loop {
            let i = rfind(self.names.get(..end)?, name)?;
            match self.held.get(i) {
                Some(Some(h)) if h.scope == b.scope => return Some((i, *h)),
                _ => end = i,
            }
        }
    }

    /// Leaves a hole where the binding at `i` was; drops the holes at the newest end, and
    /// squeezes out all of them once they are as many as the bindings left.
    fn remove_at(&mut self, i: usize) {
        if let (Some(h), Some(n)) = (self.held.get_mut(i), self.names.get_mut(i)) {
            *h = None;
            *n = HOLE;
            self.count -= 1;
        }
        while let Some(None) = self.held.last() {
            self.held.pop();
            self.names.pop();
        }
        if self.held.len() >= 2 * self.count {
            self.squeeze();
        }
    }

    /// Removes every hole.
    fn squeeze(&mut self) {
        let mut kept = 0;
        for i in 0..self.held.len() {
            let Some(&Some(h)) = self.held.get(i) else {
                continue;
            };
            if let (Some(slot), Some(n)) = (self.held.get_mut(kept), self.names.get_mut(kept)) {
                *slot = Some(h);
                *n = name_of(&h.range);
            }
            kept += 1;
        }
        self.held.truncate(kept);
        self.names.truncate(kept);
    }

    /// The socket's address as the table holds its publications: a table that has learned
    /// its node address since rewrote them with it.
    fn sk(table: &NameTable, port: u32) -> SocketAddr {
        SocketAddr {
            port,
            node: table.own_node(),
        }
    }
}
