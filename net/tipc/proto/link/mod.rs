// SPDX-License-Identifier: GPL-2.0

//! A link endpoint (`link.c`) up to `ESTABLISHED`: the state machine, the `RESET`,
//! `ACTIVATE` and `STATE` exchange with sessions, MTU negotiation, the peer's tolerance and
//! priority, supervision by probes, and the in-order receive of sequenced packets with its
//! acknowledgements, and the reliable link: the send half with its window and backlog,
//! retransmission, the deferred queue, fragmentation and reassembly, and the counters.
//! A link holds the glue's buffers through [`buf::PacketBuf`].

pub(crate) mod buf;
pub(crate) mod deferred;
pub(crate) mod endpoint;
pub(crate) mod name;
pub(crate) mod proto_msg;
pub(crate) mod reasm;
pub(crate) mod receive;
pub(crate) mod send;
pub(crate) mod sequence;
pub(crate) mod state;
pub(crate) mod stats;
pub(crate) mod supervision;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
