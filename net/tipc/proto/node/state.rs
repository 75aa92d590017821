// SPDX-License-Identifier: GPL-2.0

//! The node state machine (`tipc_node_fsm_evt`): whether this node and the peer each see
//! the other as up. A new peer starts as "leaving" and must show it has reset (its `RESET`,
//! or an `ACTIVATE` without a working parallel link) before its link messages are taken.
//! Failover and synchronisation states, which need two links and the tunnel, are not here.

/// What this node knows of the contact with a peer.
#[expect(clippy::enum_variant_names, reason = "the C module's state names")]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum NodeState {
    /// No contact either way.
    SelfDownPeerDown,
    /// Both sides up.
    SelfUpPeerUp,
    /// This side lost contact; the peer has yet to show it did too.
    SelfDownPeerLeaving,
    /// This side is up; the peer's link has yet to show it is up.
    SelfUpPeerComing,
    /// The peer lost contact; this side has yet to.
    SelfLeavingPeerDown,
}

/// What happens to the contact.
#[expect(clippy::enum_variant_names, reason = "the C module's event names")]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum NodeEvent {
    /// This node's first link to the peer came up.
    SelfEstablContact,
    /// A message shows the peer's link is up.
    PeerEstablContact,
    /// This node's last link to the peer went down.
    SelfLostContact,
    /// The peer reset, or shows it has no contact.
    PeerLostContact,
}

impl NodeState {
    /// The state after `evt`; events a state does not expect leave it.
    pub(crate) const fn on(self, evt: NodeEvent) -> Self {
        use NodeEvent as E;
        use NodeState as S;
        match (self, evt) {
            (S::SelfDownPeerDown, E::SelfEstablContact) => S::SelfUpPeerComing,
            (S::SelfUpPeerUp, E::SelfLostContact) => S::SelfDownPeerLeaving,
            (S::SelfUpPeerUp, E::PeerLostContact) => S::SelfLeavingPeerDown,
            (S::SelfDownPeerLeaving, E::PeerLostContact) => S::SelfDownPeerDown,
            (S::SelfUpPeerComing, E::PeerEstablContact) => S::SelfUpPeerUp,
            (S::SelfUpPeerComing, E::SelfLostContact) => S::SelfDownPeerDown,
            (S::SelfLeavingPeerDown, E::SelfLostContact) => S::SelfDownPeerDown,
            (s, _) => s,
        }
    }
}
