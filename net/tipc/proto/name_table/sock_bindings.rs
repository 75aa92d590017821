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

/// The bindings of one socket, oldest first.
#[derive(Debug)]
pub(crate) struct SockBindings {
    /// Bindings in the order they were made.
    held: KVec<Held>,
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
            made: 0,
        }
    }

    /// Whether the socket holds any binding (`tsk->published`): a published socket cannot
    /// `connect(2)`.
    pub(crate) fn is_published(&self) -> bool {
        !self.held.is_empty()
    }

    /// Pretends `made` bindings were made, to test key wrap-around.
    #[cfg(test)]
    pub(crate) fn set_made(&mut self, made: u32) {
        self.made = made;
    }

    /// How many bindings the socket holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.held.len()
    }

    /// The bindings as the C module lists a socket's publications (newest first), each with
    /// its key, starting at the one with key `from` (`None`: the newest); nothing when no
    /// binding has that key any more.
    pub(crate) fn newest_first(
        &self,
        from: Option<u32>,
    ) -> impl Iterator<Item = (ServiceRange, u32)> + '_ {
        let newest = self.held.iter().rev();
        let skip = match from {
            None => 0,
            Some(key) => newest
                .clone()
                .position(|h| h.key == key)
                .unwrap_or(self.held.len()),
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
        let _ = self.held.insert_within_capacity(end, held);
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
        let candidate = self.held.iter().rposition(|h| {
            h.scope == b.scope && h.range.ty == b.range.ty && h.range.lower == b.range.lower
        });
        let mut withdrawn = None;
        if let Some(i) = candidate {
            if self.held.get(i).map(|h| h.range.upper) == Some(b.range.upper) {
                if let Ok(h) = self.held.remove(i) {
                    withdrawn = table.withdraw(h.range, Self::sk(table, port), h.key);
                }
                return Ok(withdrawn);
            }
        }
        if self.held.is_empty() {
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
        while let Some(h) = self.held.pop() {
            if let Some(w) = table.withdraw(h.range, Self::sk(table, port), h.key) {
                on_withdrawn(&w);
            }
        }
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
