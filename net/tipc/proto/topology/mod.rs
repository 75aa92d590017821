// SPDX-License-Identifier: GPL-2.0

//! The topology server: subscriptions to the name table, and the events they earn, served
//! over connections to service `{TIPC_TOP_SRV, TIPC_TOP_SRV}` (`topsrv.c`, `subscr.c`).
//!
//! [`subscription`] holds one subscription and the rule that decides whether a publication
//! earns it an event; [`registry`] every subscription of a namespace, indexed by service
//! type, with their deadlines; [`subscriber`] the server's end of one connection, with the
//! events the connection's window holds back; [`server`] ties them to the listener and the
//! name table, and is polled for what to transmit, which ports to free and when its timer
//! must fire; [`group_watch`] holds the group sockets' own watches of their group's type.
//! Nothing here allocates a port, sends a message or arms a timer: the glue does,
//! as the server's outputs say. Documentation/topology.md describes the whole.

pub(crate) mod group_watch;
pub(crate) mod registry;
pub(crate) mod server;
pub(crate) mod subscriber;
pub(crate) mod subscription;
pub(crate) mod transmit;

#[cfg(test)]
mod tests;
