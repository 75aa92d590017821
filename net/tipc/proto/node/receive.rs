// SPDX-License-Identifier: GPL-2.0

//! A unicast packet from a peer (`tipc_rcv` after the lookup): straight to the link when
//! both sides are up, else through the node state check (`tipc_node_check_state`) first.

use super::drops::Drops;
use super::peer::Peer;
use super::peer_links::Ctx;
use super::state::{NodeEvent, NodeState};
use crate::proto::bearer::BearerId;
use crate::proto::wire::link_proto::{LinkMsgType, LinkProtoRepr};

/// A packet for a peer's link: a parsed protocol message, or any other packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Arrival<'a> {
    /// `LINK_PROTOCOL`.
    Proto(&'a LinkProtoRepr<'a>),
    /// Any other user: a packet in the link's sequence.
    Seq(u16),
}

impl Arrival<'_> {
    /// `msg_peer_link_is_up`: anything but `RESET` and `ACTIVATE`.
    fn peer_link_is_up(&self) -> bool {
        match self {
            Self::Proto(m) => m.msg_type == LinkMsgType::State,
            Self::Seq(_) => true,
        }
    }

    /// `msg_peer_node_is_up`: the link is up, or the sender has another working link.
    fn peer_node_is_up(&self) -> bool {
        match self {
            Self::Proto(m) => self.peer_link_is_up() || m.redundant_link,
            Self::Seq(_) => true,
        }
    }
}

impl Peer {
    /// Takes `arrival` on the link on `b`, and acts on what it changed. Returns whether the
    /// packet is the link's next in sequence, to be delivered.
    pub(crate) fn receive(
        &mut self,
        b: BearerId,
        arrival: Arrival<'_>,
        drops: &mut Drops,
        cx: &mut Ctx<'_>,
    ) -> bool {
        if self.entry(b).is_none() {
            Drops::count(&mut drops.unknown_peer);
            return false;
        }
        if self.state != NodeState::SelfUpPeerUp && !self.check_state(b, &arrival) {
            Drops::count(&mut drops.refused);
            return false;
        }
        let Some(e) = self.entry(b) else {
            return false;
        };
        let mut take = false;
        let change = match arrival {
            Arrival::Proto(m) => {
                let out = e.link.receive(m);
                if !out.accepted {
                    Drops::count(&mut drops.refused);
                }
                self.send(b, out.reply, cx);
                out.change
            }
            Arrival::Seq(seqno) => {
                let out = e.link.receive_seq(seqno);
                if out.duplicate {
                    Drops::count(&mut drops.duplicates);
                } else if !out.take {
                    Drops::count(&mut drops.out_of_order);
                }
                take = out.take;
                self.send(b, out.reply, cx);
                out.change
            }
        };
        self.on_change(b, change, cx);
        take
    }

    /// `tipc_node_check_state` without failover and synchronisation.
    fn check_state(&mut self, b: BearerId, arrival: &Arrival<'_>) -> bool {
        let Some(e) = self.entry(b) else { return false };
        let up = e.link.is_up();
        if let Arrival::Proto(m) = arrival {
            if !e.link.validate(m) {
                return false;
            }
        }
        match self.state {
            NodeState::SelfUpPeerComing if up && arrival.peer_link_is_up() => {
                self.fsm(NodeEvent::PeerEstablContact);
            }
            NodeState::SelfDownPeerLeaving => {
                if arrival.peer_node_is_up() {
                    return false;
                }
                self.fsm(NodeEvent::PeerLostContact);
                return true;
            }
            NodeState::SelfLeavingPeerDown => return false,
            _ => {}
        }
        true
    }
}
