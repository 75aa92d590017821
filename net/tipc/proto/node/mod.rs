// SPDX-License-Identifier: GPL-2.0

//! The node layer (`node.c`, `net.c`, `addr.c`): this node's identity and address, one
//! [`peer::Peer`] per neighbour with its links (at most one per bearer), the node state
//! machine, and [`cluster::Cluster`], the engine that ties bearers, discovery, links and
//! peers together for the glue: events and time in, packets and events out.

pub(crate) mod bc_rcv;
pub(crate) mod bclink;
pub(crate) mod cluster;
pub(crate) mod discovered;
pub(crate) mod drops;
pub(crate) mod event;
pub(crate) mod fifo;
pub(crate) mod identity;
pub(crate) mod named;
pub(crate) mod outbox;
pub(crate) mod own;
pub(crate) mod peer;
pub(crate) mod peer_links;
pub(crate) mod receive;
pub(crate) mod state;
pub(crate) mod transmit;

#[cfg(test)]
mod tests;
