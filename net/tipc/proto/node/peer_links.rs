// SPDX-License-Identifier: GPL-2.0

//! What the node layer does with a peer's links: takes one up (`__tipc_node_link_up`),
//! takes one down (`__tipc_node_link_down`), and runs the node's timer over them
//! (`tipc_node_timeout`, `tipc_node_calculate_timer`).
//!
//! The first link up makes the node up and active on both slots; a later one of higher
//! priority takes both slots, one of equal priority the second, a lower one stands by.
//! When a link goes down the best remaining ones take the slots; with none left the node
//! goes down and the link is reset, its `RESET` saying the endpoint stopped.

use super::event::Event;
use super::outbox::Outbox;
use super::peer::{Peer, NODE_CLEANUP_AFTER, SLOW_TIMER};
use super::state::NodeEvent;
use super::transmit::{Dest, Message};
use crate::kalloc::Flags;
use crate::proto::bearer::{BearerId, MAX_BEARERS};
use crate::proto::discovery::discoverer::Discoverer;
use crate::proto::link::endpoint::Change;
use crate::proto::link::proto_msg::StateOpts;
use crate::proto::link::state::{LinkEvent, LinkState};
use crate::proto::wire::link_proto::{LinkMsgType, LinkProtoRepr};

/// The longest node timer interval a link asks for (ms).
const MAX_KEEPALIVE: u64 = 500;

/// Where the node layer's outputs go.
pub(crate) struct Ctx<'a> {
    /// Packets and events.
    pub(crate) out: &'a mut Outbox,
    /// The bearers' discoverers, told of links up and down.
    pub(crate) discs: &'a mut [Option<Discoverer>; MAX_BEARERS],
    /// The time now (ms).
    pub(crate) now: u64,
    /// Allocation flags of the caller's context.
    pub(crate) flags: Flags,
}

impl Ctx<'_> {
    fn disc(&mut self, b: BearerId) -> Option<&mut Discoverer> {
        self.discs.get_mut(b.index())?.as_mut()
    }
}

impl Peer {
    /// Sends `msg` over the link on `b`, to the peer's address there.
    pub(super) fn send(&self, b: BearerId, msg: Option<LinkProtoRepr<'static>>, cx: &mut Ctx<'_>) {
        let maddr = self
            .links
            .get(b.index())
            .and_then(|e| e.as_ref())
            .map(|e| e.maddr);
        if let (Some(m), Some(maddr)) = (msg, maddr) {
            cx.out
                .send(b, Dest::Peer(maddr), Message::Link(m), cx.flags);
        }
    }

    /// Acts on a link's change.
    pub(super) fn on_change(&mut self, b: BearerId, change: Option<Change>, cx: &mut Ctx<'_>) {
        match change {
            Some(Change::Up) => self.link_up(b, cx),
            Some(Change::Down) => self.link_down(b, false, cx),
            None => {}
        }
    }

    /// `__tipc_node_link_up`.
    pub(super) fn link_up(&mut self, b: BearerId, cx: &mut Ctx<'_>) {
        let old = self.active[0]
            .and_then(|a| self.link(a))
            .map(|l| l.priority());
        let Some(e) = self.entry(b) else { return };
        if e.link.is_up() {
            return;
        }
        e.link.fsm(LinkEvent::Establish);
        if !e.link.is_up() {
            return;
        }
        let prio = e.link.priority();
        let link_id = e.link.id();
        let state = e.link.build_proto(LinkMsgType::State, StateOpts::default());
        self.working_links += 1;
        if let Some(d) = cx.disc(b) {
            d.add_dest();
        }
        self.send(b, state, cx);
        match old {
            None => {
                self.active = [Some(b), Some(b)];
                self.fsm(NodeEvent::SelfEstablContact);
                let caps = self.caps.0;
                cx.out.event(
                    Event::NodeUp {
                        peer: self.addr,
                        caps,
                    },
                    cx.flags,
                );
            }
            Some(o) if prio > o => self.active = [Some(b), Some(b)],
            Some(o) if prio == o => self.active[1] = Some(b),
            Some(_) => {}
        }
        let e = Event::LinkUp {
            peer: self.addr,
            bearer: b,
            link_id,
        };
        cx.out.event(e, cx.flags);
    }

    /// `tipc_node_link_down`: the link on `b` failed, or its bearer goes (`delete`). A link
    /// still establishing is only reset.
    pub(super) fn link_down(&mut self, b: BearerId, delete: bool, cx: &mut Ctx<'_>) {
        let Some(e) = self.entry(b) else { return };
        if e.link.state() == LinkState::Establishing {
            e.link.reset();
            e.link.fsm(LinkEvent::Reset);
        } else if !e.link.state().is_reset() {
            self.lose_link(b, cx);
        }
        if delete {
            if let Some(slot) = self.links.get_mut(b.index()) {
                *slot = None;
            }
        }
    }

    fn lose_link(&mut self, b: BearerId, cx: &mut Ctx<'_>) {
        let Some(e) = self.entry(b) else { return };
        let link_id = e.link.id();
        let peer_was_down = e.link.state() == LinkState::PeerReset;
        self.working_links = self.working_links.saturating_sub(1);
        let now = cx.now;
        if let Some(d) = cx.disc(b) {
            d.remove_dest(now);
        }
        self.active = [None, None];
        let mut highest = 0;
        for (i, other) in self.links.iter().enumerate() {
            let Some(l) = other.as_ref().map(|o| &o.link) else {
                continue;
            };
            if i == b.index() || !l.is_up() || l.priority() < highest {
                continue;
            }
            let id = BearerId::new(i);
            if l.priority() > highest {
                highest = l.priority();
                self.active = [id, id];
            } else {
                self.active[1] = id;
            }
        }
        let mut reset_msg = None;
        let lost_node = !self.is_up();
        if let Some(e) = self.entry(b) {
            if lost_node {
                e.link.fsm(LinkEvent::Reset);
                e.link.reset();
                reset_msg = e.link.build_reset_msg();
            } else {
                e.link.reset();
                e.link.fsm(LinkEvent::Reset);
            }
        }
        if lost_node {
            if peer_was_down {
                self.fsm(NodeEvent::PeerLostContact);
            }
            self.fsm(NodeEvent::SelfLostContact);
            self.send(b, reset_msg, cx);
            self.delete_at = cx.now + NODE_CLEANUP_AFTER;
            cx.out.event(Event::NodeDown { peer: self.addr }, cx.flags);
        }
        let e = Event::LinkDown {
            peer: self.addr,
            bearer: b,
            link_id,
        };
        cx.out.event(e, cx.flags);
    }

    /// `tipc_node_calculate_timer` for the link on `b`: the node's interval is a quarter of
    /// the smallest tolerance, at most 500 ms, and each link's abort limit its tolerance
    /// over that interval.
    pub(super) fn calculate_timer(&mut self, b: BearerId) {
        let mut intv = self.keepalive_intv;
        if let Some(e) = self.entry(b) {
            let tol = u64::from(e.link.tolerance());
            intv = intv.min((tol / 4).min(MAX_KEEPALIVE)).max(1);
            e.link
                .set_abort_limit(u32::try_from(tol / intv).unwrap_or(u32::MAX));
        }
        self.keepalive_intv = intv;
    }

    /// `tipc_node_timeout` at `cx.now`: supervises every link, sends what they ask, takes
    /// down those that failed, and sets the next tick. Returns false if the peer, down for
    /// `NODE_CLEANUP_AFTER`, is to be forgotten.
    pub(super) fn timeout(&mut self, cx: &mut Ctx<'_>) -> bool {
        if !self.is_up() && cx.now > self.delete_at {
            return false;
        }
        self.keepalive_intv = SLOW_TIMER;
        for b in BearerId::all() {
            if self.entry(b).is_none() {
                continue;
            }
            self.calculate_timer(b);
            let Some(e) = self.entry(b) else { continue };
            let tick = e.link.timeout();
            self.send(b, tick.msg, cx);
            if tick.change == Some(Change::Down) {
                self.link_down(b, false, cx);
            }
        }
        self.timer = cx.now + self.keepalive_intv;
        true
    }

    /// `tipc_node_apply_property` for a tolerance: the link on `b` takes it and tells its
    /// peer, and the node's timer follows.
    pub(super) fn set_tolerance(&mut self, b: BearerId, tol: u32, cx: &mut Ctx<'_>) {
        let Some(e) = self.entry(b) else { return };
        let msg = e.link.set_tolerance(tol);
        self.send(b, msg, cx);
        self.calculate_timer(b);
    }

    /// `tipc_link_set_prio` on the link on `b`.
    pub(super) fn set_priority(&mut self, b: BearerId, prio: u32, cx: &mut Ctx<'_>) {
        let Some(e) = self.entry(b) else { return };
        let msg = e.link.set_priority(prio);
        self.send(b, msg, cx);
    }
}
