// SPDX-License-Identifier: GPL-2.0

//! What the node layer does with a peer's links: takes one up (`__tipc_node_link_up`),
//! takes one down (`__tipc_node_link_down`), and runs the node's timer over them
//! (`tipc_node_timeout`, `tipc_node_calculate_timer`).
//!
//! The first link up makes the node up and active on both slots; a later one of higher
//! priority takes both slots, one of equal priority the second, a lower one stands by.
//! When a link goes down the best remaining ones take the slots; with none left the node
//! goes down and the link is reset, its `RESET` saying the endpoint stopped.

use super::bc_rcv::BcRcv;
use super::event::Event;
use super::outbox::Outbox;
use super::peer::{Peer, NODE_CLEANUP_AFTER, SLOW_TIMER};
use super::state::NodeEvent;
use super::transmit::{Delivery, Dest, Message};
use crate::kalloc::{Flags, KVec};
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::{BearerId, MAX_BEARERS};
use crate::proto::discovery::discoverer::Discoverer;
use crate::proto::link::buf::PacketBuf;
use crate::proto::link::endpoint::Change;
use crate::proto::link::endpoint::Waiter;
use crate::proto::link::proto_msg::ProtoMsg;
use crate::proto::link::proto_msg::StateOpts;
use crate::proto::link::send::LinkOut;
use crate::proto::link::state::{LinkEvent, LinkState};
use crate::proto::name_table::distr;
use crate::proto::wire::bcast_proto::BcastProtoRepr;
use crate::proto::wire::consts::{User, INT_H_SIZE};
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::LinkMsgType;

/// The longest node timer interval a link asks for (ms).
const MAX_KEEPALIVE: u64 = 500;

/// Where the node layer's outputs go.
pub(crate) struct Ctx<'a, B> {
    /// Packets and events.
    pub(crate) out: &'a mut Outbox<B>,
    /// The bearers' discoverers, told of links up and down.
    pub(crate) discs: &'a mut [Option<Discoverer>; MAX_BEARERS],
    /// The time now (ms).
    pub(crate) now: u64,
    /// Allocation flags of the caller's context.
    pub(crate) flags: Flags,
}

impl<B> Ctx<'_, B> {
    fn disc(&mut self, b: BearerId) -> Option<&mut Discoverer> {
        self.discs.get_mut(b.index())?.as_mut()
    }
}

/// A link's outputs, as the node layer takes them: packets to the peer's media address on
/// the link's bearer, with the broadcast state of the peer's receive link written in;
/// messages for this node tagged with the peer (the peer's broadcast synchronisation for
/// its receive link, those of users the glue does not deliver yet counted as unhandled),
/// wakeups as events.
pub(crate) struct Sink<'c, 'a, B> {
    pub(crate) cx: &'c mut Ctx<'a, B>,
    /// The peer's broadcast receive link.
    pub(crate) bc: &'c mut BcRcv<B>,
    pub(crate) bearer: BearerId,
    pub(crate) maddr: MediaAddr,
    pub(crate) peer: u32,
    /// Messages of users nothing handles yet.
    pub(crate) unhandled: u64,
}

impl<B: PacketBuf> LinkOut<B> for Sink<'_, '_, B> {
    fn transmit(&mut self, buf: B) {
        let flags = self.cx.flags;
        self.cx.out.send(
            self.bearer,
            Dest::Peer(self.maddr),
            Message::Data(buf),
            flags,
        );
    }

    fn deliver(&mut self, user: User, buf: B) {
        match user {
            User::BcastProtocol => {
                match BcastProtoRepr::parse(&Packet::new_unchecked(buf.bytes())) {
                    Ok(m) => self.bc.init(&m),
                    Err(_) => self.unhandled += 1,
                }
                return;
            }
            User::NameDistributor => self.bc.establish(),
            User::MsgBundler
                if !self.bc.is_up() && distr::in_bundle(buf.bytes()).next().is_some() =>
            {
                self.bc.establish();
            }
            _ => {}
        }
        if !(user.is_for_sockets() || matches!(user, User::MsgBundler | User::NameDistributor)) {
            self.unhandled += 1;
            return;
        }
        let d = Delivery {
            peer: self.peer,
            user,
            buf,
        };
        self.cx.out.deliver(d, self.cx.flags);
    }

    fn wakeup(&mut self, port: u32) {
        let e = Event::Wakeup {
            peer: self.peer,
            port,
        };
        self.cx.out.event(e, self.cx.flags);
    }

    fn control(&mut self, mut msg: ProtoMsg) {
        self.bc.stamp(&mut msg);
        let flags = self.cx.flags;
        self.cx.out.send(
            self.bearer,
            Dest::Peer(self.maddr),
            Message::Link(msg),
            flags,
        );
    }

    fn now(&self) -> u64 {
        self.cx.now
    }

    fn bcast_ack(&self) -> u16 {
        self.bc.ack()
    }

    fn flags(&self) -> Flags {
        self.cx.flags
    }
}

impl<B: PacketBuf> Peer<B> {
    /// Sends `msg` over the link on `b`, to the peer's address there, with the broadcast
    /// receive link's state written in.
    pub(super) fn send(&mut self, b: BearerId, msg: Option<ProtoMsg>, cx: &mut Ctx<'_, B>) {
        let maddr = self
            .links
            .get(b.index())
            .and_then(|e| e.as_ref())
            .map(|e| e.maddr);
        if let (Some(mut m), Some(maddr)) = (msg, maddr) {
            self.bc.stamp(&mut m);
            cx.out
                .send(b, Dest::Peer(maddr), Message::Link(m), cx.flags);
        }
    }

    /// Sends an acknowledgement at once on the link on `b` (`tipc_link_build_state_msg`),
    /// for the broadcast receive link.
    pub(super) fn send_state(&mut self, b: BearerId, cx: &mut Ctx<'_, B>) {
        let msg = self.entry(b).and_then(|e| e.link.build_state_msg());
        self.send(b, msg, cx);
    }

    /// Acts on a link's change.
    pub(super) fn on_change(&mut self, b: BearerId, change: Option<Change>, cx: &mut Ctx<'_, B>) {
        match change {
            Some(Change::Up) => self.link_up(b, cx),
            Some(Change::Down) => self.link_down(b, false, cx),
            None => {}
        }
    }

    /// `__tipc_node_link_up`.
    pub(super) fn link_up(&mut self, b: BearerId, cx: &mut Ctx<'_, B>) {
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
                self.send_bc_init(b, cx);
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

    /// `tipc_bcast_add_peer`'s synchronisation: the initial broadcast message goes to the
    /// peer first on its first link, telling it where this node's broadcasts start. Without
    /// memory it is lost, as in C (the peer's receive link then comes up with this node's
    /// first name distribution message).
    fn send_bc_init(&mut self, b: BearerId, cx: &mut Ctx<'_, B>) {
        let Some(own) = self.link(b).map(|l| l.own_addr()) else {
            return;
        };
        let mut bytes = [0u8; INT_H_SIZE];
        let Ok(n) = self.bc.init_msg(own, self.addr).emit(&mut bytes) else {
            return;
        };
        let Some(buf) = bytes.get(..n).and_then(|m| B::from_bytes(m, cx.flags)) else {
            cx.out.lost = cx.out.lost.saturating_add(1);
            return;
        };
        // C ignores what sending it returns too.
        let _ = self.send_data(b, buf, cx);
    }

    /// `tipc_node_link_down`: the link on `b` failed, or its bearer goes (`delete`). A link
    /// still establishing is only reset.
    pub(super) fn link_down(&mut self, b: BearerId, delete: bool, cx: &mut Ctx<'_, B>) {
        let Some(e) = self.entry(b) else { return };
        if e.link.state() == LinkState::Establishing {
            let w = e.link.reset();
            e.link.fsm(LinkEvent::Reset);
            self.wake(w, cx);
        } else if !e.link.state().is_reset() {
            self.lose_link(b, cx);
        }
        if delete {
            if let Some(slot) = self.links.get_mut(b.index()) {
                *slot = None;
            }
        }
    }

    fn lose_link(&mut self, b: BearerId, cx: &mut Ctx<'_, B>) {
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
        let mut waiters = KVec::new();
        if let Some(e) = self.entry(b) {
            if lost_node {
                e.link.fsm(LinkEvent::Reset);
                waiters = e.link.reset();
                reset_msg = e.link.build_reset_msg();
            } else {
                waiters = e.link.reset();
                e.link.fsm(LinkEvent::Reset);
            }
        }
        self.wake(waiters, cx);
        if lost_node {
            if peer_was_down {
                self.fsm(NodeEvent::PeerLostContact);
            }
            self.fsm(NodeEvent::SelfLostContact);
            // Written with the broadcast state as it was, as C builds it before
            // `node_lost_contact`.
            self.send(b, reset_msg, cx);
            self.bc.reset();
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

    /// The sockets that waited for a link just reset may send again (C moves its wakeup
    /// queue to the input queue in `tipc_link_reset`).
    fn wake(&self, waiters: KVec<Waiter>, cx: &mut Ctx<'_, B>) {
        for w in waiters.iter() {
            let e = Event::Wakeup {
                peer: self.addr,
                port: w.port,
            };
            cx.out.event(e, cx.flags);
        }
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
    pub(super) fn timeout(&mut self, cx: &mut Ctx<'_, B>) -> bool {
        if !self.is_up() && cx.now > self.delete_at {
            return false;
        }
        self.keepalive_intv = SLOW_TIMER;
        let bc_unacked = self.bc.unacked();
        for b in BearerId::all() {
            if self.entry(b).is_none() {
                continue;
            }
            self.calculate_timer(b);
            let Some(e) = self.entry(b) else { continue };
            let tick = e.link.timeout(bc_unacked);
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
    pub(super) fn set_tolerance(&mut self, b: BearerId, tol: u32, cx: &mut Ctx<'_, B>) {
        let Some(e) = self.entry(b) else { return };
        let msg = e.link.set_tolerance(tol);
        self.send(b, msg, cx);
        self.calculate_timer(b);
    }

    /// `tipc_link_set_prio` on the link on `b`.
    pub(super) fn set_priority(&mut self, b: BearerId, prio: u32, cx: &mut Ctx<'_, B>) {
        let Some(e) = self.entry(b) else { return };
        let msg = e.link.set_priority(prio);
        self.send(b, msg, cx);
    }
}
