// SPDX-License-Identifier: GPL-2.0

//! A link endpoint (`link.c`) up to `ESTABLISHED`: the state machine, the `RESET`,
//! `ACTIVATE` and `STATE` exchange with sessions, MTU negotiation, the peer's tolerance and
//! priority, and supervision by probes. Sequence numbers, windows and retransmission
//! (the reliable link) come later and fit in [`endpoint::Link`]'s counters.

pub(crate) mod endpoint;
pub(crate) mod name;
pub(crate) mod proto_msg;
pub(crate) mod receive;
pub(crate) mod state;
pub(crate) mod supervision;

#[cfg(test)]
mod tests;
