// SPDX-License-Identifier: GPL-2.0

//! A link endpoint (`link.c`) up to `ESTABLISHED`: the state machine, the `RESET`,
//! `ACTIVATE` and `STATE` exchange with sessions, MTU negotiation, the peer's tolerance and
//! priority, supervision by probes, and the in-order receive of sequenced packets with its
//! acknowledgements. The send half (windows, retransmission) and the deferred queue come
//! later and fit in [`endpoint::Link`]'s counters.

pub(crate) mod endpoint;
pub(crate) mod name;
pub(crate) mod proto_msg;
pub(crate) mod receive;
pub(crate) mod sequence;
pub(crate) mod state;
pub(crate) mod supervision;

#[cfg(test)]
mod tests;
