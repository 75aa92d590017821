// SPDX-License-Identifier: GPL-2.0

//! What the cluster tells the rest of the module, in the order the C module acts on it
//! (`tipc_node_write_unlock`): a node down before a node up, then link up, then link down.

use crate::proto::bearer::BearerId;

/// A change the glue must act on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Event {
    /// The address trial ended: this is the node's address now (`tipc_net_finalize`:
    /// publish `{TIPC_NODE_STATE, addr}`, re-stamp the sockets).
    AddressSet(u32),
    /// The last link to `peer` went down: withdraw its bindings, abort connections to it.
    NodeDown {
        /// The peer's address.
        peer: u32,
    },
    /// The first link to `peer` came up: send it this node's bindings.
    NodeUp {
        /// The peer's address.
        peer: u32,
        /// Its capabilities.
        caps: u16,
    },
    /// A link came up: publish `{TIPC_LINK_STATE, peer}` with port `link_id`.
    LinkUp {
        /// The peer's address.
        peer: u32,
        /// The bearer.
        bearer: BearerId,
        /// `tipc_link_id`: the peer's bearer above this one's.
        link_id: u32,
    },
    /// A socket that was told `ELINKCONG` by [`Cluster::send`](super::cluster::Cluster::send)
    /// may send to `peer` again (C's `SOCK_WAKEUP` message), or the link it waited for
    /// was reset.
    Wakeup {
        /// The peer.
        peer: u32,
        /// The socket's port.
        port: u32,
    },
    /// A link went down: withdraw that binding.
    LinkDown {
        /// The peer's address.
        peer: u32,
        /// The bearer.
        bearer: BearerId,
        /// `tipc_link_id`.
        link_id: u32,
    },
}
