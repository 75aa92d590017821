// SPDX-License-Identifier: GPL-2.0

//! What an event on a connection asks of the glue besides its direct answer.

use crate::kalloc::KVec;
use crate::proto::sockopt::Importance as SockImportance;

use super::ctrl::CtrlMsg;

/// Messages to transmit to the peer, in order: whole connection messages (Nagle bundles)
/// the core built and kept until now.
pub(crate) type Backlog = KVec<KVec<u8>>;

/// The side effects of an event, in the order the glue carries them out.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Option changes first: the importance the socket takes from its connection setup
    /// (`TIPC_IMPORTANCE`).
    pub(crate) importance: Option<SockImportance>,
    /// Raise `TIPC_CONN_TIMEOUT` to 4 ms: the C module does so when a timeout below 4 ms
    /// meets a setup retry.
    pub(crate) conn_timeout_floor: bool,
    /// Then transmit these to the peer.
    pub(crate) flush: Backlog,
    /// Then this (an acknowledgement or a probe reply).
    pub(crate) reply: Option<CtrlMsg>,
    /// Arm the socket's timer to fire at this time (ms), replacing any earlier one.
    pub(crate) timer: Option<u64>,
    /// Wake everyone waiting on the socket (`sk_state_change`): its state or pending error
    /// changed.
    pub(crate) state_change: bool,
    /// Wake writers (`sk_write_space`): the send window opened.
    pub(crate) write_space: bool,
}
