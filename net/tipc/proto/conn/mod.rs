// SPDX-License-Identifier: GPL-2.0

//! Connections on one node: the rules `SOCK_SEQPACKET` and `SOCK_STREAM` sockets follow from
//! `connect(2)` or `listen(2)`/`accept(2)` to `close(2)`, as the C module applies them.
//!
//! A [`machine::Conn`] is one socket's connection state, driven by events that return what
//! the glue must do. Setup is in [`setup`] (connect, listen, accept, socketpair), arriving
//! messages in [`arrive`], sending in [`send`] (segments and [`nagle`] bundles, windows of
//! [`flow`]), reading in [`recv`], closing in [`close`], probing in [`timer`], and poll's
//! events in [`poll`]. [`state`] holds the states, [`ctrl`] the messages the connection
//! itself makes, [`effects`] the side effects of an event.

pub(crate) mod arrive;
pub(crate) mod close;
pub(crate) mod ctrl;
pub(crate) mod effects;
pub(crate) mod flow;
pub(crate) mod machine;
pub(crate) mod nagle;
pub(crate) mod poll;
pub(crate) mod recv;
pub(crate) mod send;
pub(crate) mod setup;
pub(crate) mod state;
pub(crate) mod timer;

#[cfg(test)]
mod tests;
