// SPDX-License-Identifier: GPL-2.0

//! A packet from a peer (`tipc_rcv` after the lookup). A unicast one goes straight to the
//! link when both sides are up, else through the node state check
//! (`tipc_node_check_state`) first; a link protocol message first shows the peer's
//! broadcast state to its broadcast receive link (`tipc_node_bc_sync_rcv`). A broadcast one
//! goes to the broadcast receive link (`tipc_node_bc_rcv`). An acknowledgement or NACK
//! either asks for goes on the link of the bearer the packet came on.

use super::drops::Drops;
use super::peer::Peer;
use super::peer_links::{Ctx, Sink};
use super::state::{NodeEvent, NodeState};
use crate::proto::bearer::BearerId;
use crate::proto::errno::Errno;
use crate::proto::link::buf::PacketBuf;
use crate::proto::wire::link_proto::{LinkMsgType, LinkProtoRepr};

/// A packet for a peer's link: a parsed protocol message, or any other packet.
#[derive(Debug)]
pub(crate) enum Arrival<'a, B> {
    /// `LINK_PROTOCOL`.
    Proto(&'a LinkProtoRepr<'a>),
    /// Any other user: a checked packet in the link's sequence.
    Seq(B),
}

impl<B> Arrival<'_, B> {
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

impl<B: PacketBuf> Peer<B> {
    /// Takes `arrival` on the link on `b`, and acts on what it changed; what the link takes
    /// in sequence goes to the outbox's deliveries.
    pub(crate) fn receive(
        &mut self,
        b: BearerId,
        arrival: Arrival<'_, B>,
        drops: &mut Drops,
        cx: &mut Ctx<'_, B>,
    ) {
        if self.entry(b).is_none() {
            Drops::count(&mut drops.unknown_peer);
            return;
        }
        if self.state != NodeState::SelfUpPeerUp && !self.check_state(b, &arrival) {
            Drops::count(&mut drops.refused);
            return;
        }
        let addr = self.addr;
        let Some(e) = self.links.get_mut(b.index()).and_then(|e| e.as_mut()) else {
            return;
        };
        let mut sink = Sink {
            cx: &mut *cx,
            bc: &mut self.bc,
            bearer: b,
            maddr: e.maddr,
            peer: addr,
            unhandled: 0,
        };
        let change = match arrival {
            Arrival::Proto(m) => {
                let out = e.link.receive(m, &mut sink);
                if !out.accepted {
                    Drops::count(&mut drops.refused);
                }
                out.change
            }
            Arrival::Seq(buf) => {
                let out = e.link.receive_data(buf, &mut sink);
                if out.bogus {
                    Drops::count(&mut drops.refused);
                } else if out.duplicate {
                    Drops::count(&mut drops.duplicates);
                } else if out.deferred {
                    Drops::count(&mut drops.out_of_order);
                }
                out.change
            }
        };
        drops.unhandled = drops.unhandled.saturating_add(sink.unhandled);
        self.on_change(b, change, cx);
    }

    /// A link protocol message from the peer on `b`, before its link takes it: a `RESET` or
    /// `ACTIVATE` may synchronise the broadcast receive link (peers without
    /// `BCAST_SYNCH`), a `STATE` whose broadcast fields are valid moves the peer's last
    /// broadcast; missing broadcast packets are named in a `STATE` at once, unless the
    /// message is a probe, whose reply names them.
    pub(crate) fn bc_sync(&mut self, b: BearerId, m: &LinkProtoRepr<'_>, cx: &mut Ctx<'_, B>) {
        if m.msg_type != LinkMsgType::State {
            self.bc.legacy_init(m, self.caps);
        } else if !m.bc_ack_invalid && self.bc.sync(m) && !m.probe {
            self.send_state(b, cx);
        }
    }

    /// A broadcast packet from the peer on bearer `b` (checked, of this node's network).
    pub(crate) fn receive_bcast(
        &mut self,
        b: BearerId,
        buf: B,
        own_addr: u32,
        drops: &mut Drops,
        cx: &mut Ctx<'_, B>,
    ) {
        let out = self.bc.receive(buf, own_addr, self.addr, cx.out, cx.flags);
        if out.refused {
            Drops::count(&mut drops.broadcast);
        } else if out.duplicate {
            Drops::count(&mut drops.duplicates);
        } else if out.deferred {
            Drops::count(&mut drops.out_of_order);
        }
        if out.send_state {
            self.send_state(b, cx);
        }
    }

    /// Sends `buf` on the link on `b` (`tipc_link_xmit` under the node's lock).
    pub(crate) fn send_data(
        &mut self,
        b: BearerId,
        buf: B,
        cx: &mut Ctx<'_, B>,
    ) -> Result<(), Errno> {
        let addr = self.addr;
        let Some(e) = self.links.get_mut(b.index()).and_then(|e| e.as_mut()) else {
            return Err(Errno::EHOSTUNREACH);
        };
        let mut sink = Sink {
            cx: &mut *cx,
            bc: &mut self.bc,
            bearer: b,
            maddr: e.maddr,
            peer: addr,
            unhandled: 0,
        };
        e.link.send(buf, &mut sink)
    }

    /// `tipc_node_check_state` without failover and synchronisation.
    fn check_state(&mut self, b: BearerId, arrival: &Arrival<'_, B>) -> bool {
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
