// SPDX-License-Identifier: GPL-2.0

//! One binding of a socket to a service range, as the name table keeps it.

use super::addr::{Scope, SocketAddr};

/// A publication: the socket bound, its scope and its key. The range it binds is the
/// [`super::range::Range`] holding it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Publication {
    /// The bound socket.
    pub(crate) sk: SocketAddr,
    /// Node or cluster scope.
    pub(crate) scope: Scope,
    /// The key the publishing socket chose; with the socket it identifies the publication
    /// cluster-wide.
    pub(crate) key: u32,
    /// The order in which the table accepted publications (wrapping), so the topology
    /// server can report them oldest first.
    pub(crate) id: u32,
}

impl Publication {
    /// Whether `self`, already in the table, makes a new publication by `sk` with `key` a
    /// duplicate: same key and port, and the same node unless `self` has none yet.
    pub(crate) fn blocks(&self, sk: SocketAddr, key: u32) -> bool {
        self.key == key && self.sk.port == sk.port && (self.sk.node == 0 || self.sk.node == sk.node)
    }

    /// Whether a withdrawal by `sk` with `key` names `self`: same key and port, and the same
    /// node unless the withdrawal names none.
    pub(crate) fn named_by(&self, sk: SocketAddr, key: u32) -> bool {
        self.key == key && self.sk.port == sk.port && (sk.node == 0 || sk.node == self.sk.node)
    }
}
