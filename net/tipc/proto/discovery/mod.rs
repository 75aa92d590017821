// SPDX-License-Identifier: GPL-2.0

//! Neighbour discovery (`discover.c`): each bearer broadcasts `LINK_CONFIG` requests, on a
//! timer that backs off, and judges the discovery messages it receives. What passes is a
//! peer for the node layer, which decides whether a link is made and a response sent.

pub(crate) mod discoverer;
pub(crate) mod message;
pub(crate) mod receive;

#[cfg(test)]
mod tests;
