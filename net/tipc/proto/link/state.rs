// SPDX-License-Identifier: GPL-2.0

//! The link state machine (`tipc_link_fsm_evt`), less failover and synchronisation, which
//! need a second link to the same peer (the tunnel of the reliable link's issue).
//!
//! ```text
//!  RESETTING --RESET--> RESET --PEER_RESET--> ESTABLISHING --ESTABLISH--> ESTABLISHED
//!      |                  ^                        ^   |                    |  |  |
//!      +--PEER_RESET--> PEER_RESET --RESET---------+   +--RESET--> RESET    |  |  |
//!  ESTABLISHED: PEER_RESET -> PEER_RESET (down), FAILURE -> RESETTING (down),
//!               RESET -> RESET
//! ```

/// A link endpoint's state.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum LinkState {
    /// Just failed: waiting for the node layer to reset it.
    Resetting,
    /// Reset: sending `RESET` until the peer answers.
    Reset,
    /// The peer reset while this end was up: waiting for the node layer to reset it.
    PeerReset,
    /// Both ends reset: sending `ACTIVATE` until the peer's `ACTIVATE` or first `STATE`.
    Establishing,
    /// Up.
    Established,
}

/// What happens to a link.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum LinkEvent {
    /// The peer reset its end (its `RESET`, or `ACTIVATE` while this end is down).
    PeerReset,
    /// This end was reset.
    Reset,
    /// Supervision failed, or the peer is going down or changed the priority.
    Failure,
    /// The node layer takes the link up.
    Establish,
}

impl LinkState {
    /// The state after `evt`, and whether the link went down. Events a state does not
    /// expect leave it as it is (C logs them as illegal).
    pub(crate) const fn on(self, evt: LinkEvent) -> (Self, bool) {
        use LinkEvent as E;
        use LinkState as S;
        match (self, evt) {
            (S::Resetting, E::PeerReset) => (S::PeerReset, false),
            (S::Resetting, E::Reset) => (S::Reset, false),
            (S::Reset, E::PeerReset) => (S::Establishing, false),
            (S::PeerReset, E::Reset) => (S::Establishing, false),
            (S::Establishing, E::Establish) => (S::Established, false),
            (S::Establishing, E::Reset) => (S::Reset, false),
            (S::Established, E::PeerReset) => (S::PeerReset, true),
            (S::Established, E::Failure) => (S::Resetting, true),
            (S::Established, E::Reset) => (S::Reset, false),
            (s, _) => (s, false),
        }
    }

    /// `tipc_link_is_up`.
    pub(crate) const fn is_up(self) -> bool {
        matches!(self, Self::Established)
    }

    /// `tipc_link_is_reset`.
    pub(crate) const fn is_reset(self) -> bool {
        matches!(self, Self::Reset | Self::Establishing)
    }

    /// `tipc_link_is_blocked`: it sends and takes no protocol messages.
    pub(crate) const fn is_blocked(self) -> bool {
        matches!(self, Self::Resetting | Self::PeerReset)
    }
}
