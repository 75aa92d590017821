// SPDX-License-Identifier: GPL-2.0

//! Connectionless messaging on one node: the rules `SOCK_RDM` and `SOCK_DGRAM` sockets
//! follow from `sendmsg(2)` to `recvmsg(2)`, as the C module applies them.
//!
//! A send goes [`dest`] (the user's address, or the default peer of [`peer`]) → [`route`]
//! (the name table's answer) → [`header`] (one data header per message or multicast copy).
//! A message reaching this node goes to its socket's [`filter`] (with the limits of
//! [`rcvbuf`]), or, when its socket is gone, to [`reroute`]; a rejected one may go back to
//! its sender as [`reverse`] builds it. `recvmsg(2)` reads it through [`recv`], [`srcaddr`]
//! and [`ancillary`]. [`port`] picks a new socket's port number; [`error`] holds the errors
//! the user sees. Communication groups take other paths and are not modelled here.

pub(crate) mod ancillary;
pub(crate) mod dest;
pub(crate) mod error;
pub(crate) mod filter;
pub(crate) mod header;
pub(crate) mod mcast_rcv;
pub(crate) mod peer;
pub(crate) mod port;
pub(crate) mod rcvbuf;
pub(crate) mod recv;
pub(crate) mod reroute;
pub(crate) mod reverse;
pub(crate) mod route;
pub(crate) mod srcaddr;

#[cfg(test)]
mod tests;
