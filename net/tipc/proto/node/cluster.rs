// SPDX-License-Identifier: GPL-2.0

//! The cluster engine of one namespace: this node, the media and bearers, each bearer's
//! discoverer and every peer with its links.
//!
//! The glue drives it with configuration calls, [`Cluster::handle_packet`] for every packet
//! a bearer receives, [`Cluster::send`] for every message to another node and
//! [`Cluster::handle_timeout`] when [`Cluster::poll_timeout`]'s time has come; after each
//! call it drains [`Cluster::poll_transmit`] (packets to emit, or data packets to send as
//! they are, on a bearer), [`Cluster::poll_deliver`] (messages the links took for this
//! node) and [`Cluster::poll_event`] (address, node and link changes, wakeups), and re-arms
//! its one timer. Time is in milliseconds. `B` is the glue's packet buffer.

use super::bclink::{rcv_link_name, BcLink};
use super::drops::Drops;
use super::event::Event;
use super::identity::NodeId;
use super::outbox::Outbox;
use super::own::{NetSet, OwnNode};
use super::peer::Peer;
use super::peer_links::Ctx;
use super::receive::Arrival;
use super::state::NodeState;
use super::transmit::{Delivery, Dest, Message, Transmit};
use crate::kalloc::{Flags, KVec};
use crate::proto::bearer::media::{Media, MediaProps};
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::props::PropRequest;
use crate::proto::bearer::rejection::Rejection;
use crate::proto::bearer::table::{media_failed, Admission, Attachment, Bearer, Bearers};
use crate::proto::bearer::{BearerId, MAX_BEARERS};
use crate::proto::discovery::discoverer::{Discoverer, Tick};
use crate::proto::discovery::message::request;
use crate::proto::errno::Errno;
use crate::proto::link::buf::PacketBuf;
use crate::proto::wire::consts::{User, SHORT_H_SIZE};
use crate::proto::wire::discovery::DiscoveryRepr;
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::LinkProtoRepr;

/// The cluster as one namespace sees it.
#[derive(Debug)]
pub(crate) struct Cluster<B> {
    pub(super) own: OwnNode,
    pub(super) bearers: Bearers,
    pub(super) discs: [Option<Discoverer>; MAX_BEARERS],
    pub(super) peers: KVec<Peer<B>>,
    pub(super) out: Outbox<B>,
    pub(super) drops: Drops,
    pub(super) bclink: BcLink,
    rng: u64,
}

impl<B: PacketBuf> Cluster<B> {
    /// A namespace's cluster state: no identity, no bearer. `random` is the namespace's
    /// random value (its low 16 bits the discovery signature), `net_hash` the network hash
    /// discovery announces, `seed` seeds the link sessions.
    pub(crate) fn new(random: u32, net_hash: u32, seed: u64) -> Self {
        Self {
            own: OwnNode::new(random, net_hash),
            bearers: Bearers::default(),
            discs: [None; MAX_BEARERS],
            peers: KVec::new(),
            out: Outbox::default(),
            drops: Drops::default(),
            bclink: BcLink::new(),
            rng: seed | 1,
        }
    }

    /// This node.
    pub(crate) const fn own(&self) -> &OwnNode {
        &self.own
    }

    /// `TIPC_NL_NET_SET`; an address set now is also an [`Event::AddressSet`].
    pub(crate) fn net_set(&mut self, req: &NetSet, now: u64, flags: Flags) -> Result<(), Errno> {
        if let Some(a) = self.own.net_set(req, now)? {
            self.out.event(Event::AddressSet(a), flags);
        }
        Ok(())
    }

    /// The enabled bearers.
    pub(crate) const fn bearers(&self) -> &Bearers {
        &self.bearers
    }

    /// First step of enabling a bearer: the name and priority rules (see
    /// [`Bearers::admit`]), with `media` giving each media's properties (which every
    /// namespace shares, as in C, so they live outside the cluster).
    pub(crate) fn admit_bearer(
        &self,
        name: &[u8],
        priority: u32,
        media: impl Fn(Media) -> MediaProps,
    ) -> Result<Admission, Rejection> {
        self.bearers.admit(name, priority, media)
    }

    /// Second step, once the glue attached the bearer to its device or socket: a node
    /// without an identity takes one from the hardware address (Ethernet) or the local IP
    /// address (UDP), else the bearer fails ("Failed to enable media", `EINVAL`); a node
    /// without an address starts its address trial; discovery starts with a request now.
    pub(crate) fn enable_bearer(
        &mut self,
        adm: &Admission,
        domain: u32,
        att: &Attachment,
        now: u64,
        flags: Flags,
    ) -> Result<BearerId, Rejection> {
        self.adopt_identity(&att.addr)?;
        let b = self.bearers.attach(adm, domain, att);
        if self.own.addr() == 0 {
            self.own.start_trial(now);
        }
        if let Some(d) = self.discs.get_mut(b.id.index()) {
            *d = Some(Discoverer::new(domain, now));
        }
        let msg = Message::Discovery(request(&self.own, &b));
        self.out.send(b.id, Dest::Broadcast, msg, flags);
        Ok(b.id)
    }

    /// A node without an identity takes one from a bearer's address: the hardware address
    /// (Ethernet) or the local IP address (UDP); if that makes none, "Failed to enable media"
    /// (`EINVAL`). The UDP media does this before it looks for the address's interface, so a
    /// bearer that then fails leaves the identity set, as in C.
    pub(crate) fn adopt_identity(&mut self, addr: &MediaAddr) -> Result<(), Rejection> {
        if self.own.id().is_none() {
            let id = match (addr.eth_mac(), addr.udp_addr()) {
                (Some(mac), _) => NodeId::from_bytes(&mac),
                (_, Some(udp)) => NodeId::from_bytes(&udp.ip),
                _ => None,
            };
            if let Some(id) = id {
                let _ = self.own.set_id(id);
            }
        }
        if self.own.id().is_none() {
            return Err(media_failed(Errno::EINVAL));
        }
        Ok(())
    }

    /// Disables a bearer: its links are deleted (going down first), its discovery stops.
    pub(crate) fn disable_bearer(
        &mut self,
        id: BearerId,
        now: u64,
        flags: Flags,
    ) -> Option<Bearer> {
        let (peers, _, mut cx) = self.split(now, flags);
        for p in peers.iter_mut() {
            p.link_down(id, true, &mut cx);
        }
        if let Some(d) = self.discs.get_mut(id.index()) {
            *d = None;
        }
        self.bearers.remove(id)
    }

    /// The bearer's device changed (`tipc_reset_bearer`): its links are deleted, going down
    /// first, and discovery starts again from its first interval, with the device's MTU and
    /// address as they are now.
    pub(crate) fn reset_bearer(
        &mut self,
        id: BearerId,
        mtu: u32,
        addr: MediaAddr,
        now: u64,
        flags: Flags,
    ) {
        let Some(b) = self.bearers.get_mut(id) else {
            return;
        };
        if b.addr.udp_addr().is_none() {
            b.props.mtu = mtu;
            b.addr = addr;
        }
        let domain = b.domain;
        let (peers, _, mut cx) = self.split(now, flags);
        for p in peers.iter_mut() {
            p.link_down(id, true, &mut cx);
        }
        if let Some(d) = self.discs.get_mut(id.index()) {
            *d = Some(Discoverer::new(domain, now));
        }
    }

    /// `TIPC_NL_BEARER_SET` ("Bearer not found", then the property rules); a new tolerance
    /// goes to the bearer's links and is announced to their peers.
    pub(crate) fn set_bearer(
        &mut self,
        name: &[u8],
        req: &PropRequest,
        now: u64,
        flags: Flags,
    ) -> Result<(), Rejection> {
        let id = self
            .bearers
            .find(name)
            .map(|b| b.id)
            .ok_or(Rejection::invalid(c"Bearer not found"))?;
        let b = self
            .bearers
            .get_mut(id)
            .ok_or(Rejection::invalid(c"Bearer not found"))?;
        b.apply(req)?;
        let Some(tol) = req.tolerance else {
            return Ok(());
        };
        let (peers, _, mut cx) = self.split(now, flags);
        for p in peers.iter_mut() {
            p.set_tolerance(id, tol, &mut cx);
        }
        Ok(())
    }

    /// `TIPC_NL_LINK_SET` for the link named `name` (`EINVAL` if there is none, or for a
    /// bad property): a tolerance or priority goes to the link and, in a `STATE`, to its
    /// peer, which takes a new priority by resetting the link; a window becomes the link's
    /// largest (`tipc_link_set_queue_limits` from its smallest, which restarts the window
    /// there); the broadcast link's name is not a link here.
    pub(crate) fn set_link(
        &mut self,
        name: &[u8],
        req: &PropRequest,
        now: u64,
        flags: Flags,
    ) -> Result<(), Errno> {
        let (peers, _, mut cx) = self.split(now, flags);
        let (peer, b) = peers
            .iter_mut()
            .find_map(|p| {
                let b = BearerId::all()
                    .find(|&b| p.link(b).is_some_and(|l| l.name().as_bytes() == name))?;
                Some((p, b))
            })
            .ok_or(Errno::EINVAL)?;
        req.validate()?;
        if let Some(tol) = req.tolerance {
            peer.set_tolerance(b, tol, &mut cx);
        }
        if let Some(prio) = req.priority {
            peer.set_priority(b, prio, &mut cx);
        }
        if let Some(win) = req.window {
            peer.set_window(b, win);
        }
        Ok(())
    }

    /// `TIPC_NL_LINK_RESET_STATS` for the link named `name` (`EINVAL` if there is none).
    pub(crate) fn reset_link_stats(&mut self, name: &[u8]) -> Result<(), Errno> {
        self.peers
            .iter_mut()
            .find_map(|p| p.link_named_mut(name))
            .map(|l| l.reset_stats())
            .ok_or(Errno::EINVAL)
    }

    /// Zeroes the counters of the peer's broadcast receive link named `name` (`EINVAL` if
    /// there is none).
    pub(crate) fn reset_bc_rcv_stats(&mut self, name: &[u8]) -> Result<(), Errno> {
        self.peers
            .iter_mut()
            .find(|p| {
                let (buf, len) = rcv_link_name(p.id(), p.addr());
                buf.get(..len) == Some(name)
            })
            .map(|p| p.bc_mut().reset_stats())
            .ok_or(Errno::EINVAL)
    }

    /// The peers.
    pub(crate) fn peers(&self) -> &[Peer<B>] {
        &self.peers
    }

    /// `TIPC_NL_PEER_REMOVE` (`tipc_nl_peer_rm`): forgets peer `addr` and its links, as
    /// `tipc peer remove` asks, without waiting for `NODE_CLEANUP_AFTER`. `ENOTSUPP` for this
    /// node (or address 0), `ENXIO` for a node it does not know, `EBUSY` for one it is in
    /// contact with (or coming into contact with).
    pub(crate) fn remove_peer(&mut self, addr: u32) -> Result<(), Errno> {
        if addr == 0 || addr == self.own.addr() {
            return Err(Errno::ENOTSUPP);
        }
        let (at, peer) = self
            .peers
            .iter()
            .enumerate()
            .find(|(_, p)| p.addr == addr)
            .ok_or(Errno::ENXIO)?;
        if !matches!(
            peer.state,
            NodeState::SelfDownPeerDown | NodeState::SelfDownPeerLeaving
        ) {
            return Err(Errno::EBUSY);
        }
        self.peers.remove(at).map(drop).map_err(|_| Errno::ENXIO)
    }

    /// The peer of address `addr`.
    pub(crate) fn peer(&self, addr: u32) -> Option<&Peer<B>> {
        self.peers.iter().find(|p| p.addr() == addr)
    }

    /// Drop counters.
    pub(crate) fn drops(&self) -> Drops {
        let mut d = self.drops.clone();
        d.nomem = d.nomem.saturating_add(self.out.lost);
        d
    }

    /// The next packet to send.
    pub(crate) fn poll_transmit(&mut self) -> Option<Transmit<B>> {
        self.out.pop_transmit()
    }

    /// The next message a link took for this node, in each link's order.
    pub(crate) fn poll_deliver(&mut self) -> Option<Delivery<B>> {
        self.out.pop_delivery()
    }

    /// `tipc_node_xmit` to another node: `buf` is a complete message (its header names the
    /// destination; the link writes the sequence number and acknowledgements), sent on the
    /// active link `selector` picks (its low bit), in fragments if it is longer than the
    /// link's MTU. `EHOSTUNREACH` if `dnode` is not a peer with a working link;
    /// `ELINKCONG` (`EAGAIN`) if the message was queued beyond the backlog's limit, so the
    /// sender must wait for [`Event::Wakeup`]; `EMSGSIZE`, `ENOMEM`; `ENOBUFS` if the
    /// link's system backlog overflowed, which takes the link down, as in C.
    pub(crate) fn send(
        &mut self,
        dnode: u32,
        selector: u32,
        buf: B,
        now: u64,
        flags: Flags,
    ) -> Result<(), Errno> {
        let (peers, _, mut cx) = self.split(now, flags);
        let Some(peer) = peers.iter_mut().find(|p| p.addr() == dnode) else {
            return Err(Errno::EHOSTUNREACH);
        };
        let slot = usize::from(selector & 1 != 0);
        let Some(b) = peer.active().get(slot).copied().flatten() else {
            return Err(Errno::EHOSTUNREACH);
        };
        let rc = peer.send_data(b, buf, &mut cx);
        if rc == Err(Errno::ENOBUFS) {
            peer.link_down(b, false, &mut cx);
        }
        rc
    }

    /// The next event.
    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        let ev = self.out.pop_event();
        if matches!(ev, Some(Event::LinkUp { .. })) {
            self.bclink.link_came_up();
        }
        ev
    }

    /// The broadcast link's configuration.
    pub(crate) const fn bclink(&self) -> &BcLink {
        &self.bclink
    }

    /// The broadcast link's configuration, to change (`TIPC_NL_LINK_SET`).
    pub(crate) fn bclink_mut(&mut self) -> &mut BcLink {
        &mut self.bclink
    }

    /// When [`Cluster::handle_timeout`] is next due.
    pub(crate) fn poll_timeout(&self) -> Option<u64> {
        let discs = self.discs.iter().flatten().filter_map(|d| d.deadline());
        let peers = self.peers.iter().map(|p| p.deadline());
        discs.chain(peers).min()
    }

    /// Runs every timer due at `now`: discovery requests, the end of the address trial,
    /// link supervision, and forgetting peers long down.
    pub(crate) fn handle_timeout(&mut self, now: u64, flags: Flags) {
        for b in BearerId::all() {
            let Some(d) = self.discs.get_mut(b.index()).and_then(|d| d.as_mut()) else {
                continue;
            };
            if d.deadline().is_none_or(|t| t > now) {
                continue;
            }
            match d.on_timeout(&self.own, now) {
                Tick::Send => {
                    if let Some(bearer) = self.bearers.get(b) {
                        let msg = Message::Discovery(request(&self.own, bearer));
                        self.out.send(b, Dest::Broadcast, msg, flags);
                    }
                }
                Tick::Finalize => {
                    if let Some(a) = self.own.finalize(now) {
                        self.out.event(Event::AddressSet(a), flags);
                    }
                }
                Tick::Stop => {}
            }
        }
        let (peers, _, mut cx) = self.split(now, flags);
        peers.retain(|p| p.deadline() > now || p.timeout(&mut cx));
    }

    /// A packet bearer `b` received at `now` (`tipc_rcv`), linear: discovery goes to the
    /// discoverer's checks, a unicast packet for this node to its sender's link. Anything
    /// malformed, unexpected or refused is counted in [`Cluster::drops`]. What its link
    /// takes in sequence comes out of [`Cluster::poll_deliver`] if its user is one the glue
    /// delivers; other users are counted as unhandled for now.
    pub(crate) fn handle_packet(&mut self, b: BearerId, buf: B, now: u64, flags: Flags) {
        let Some(bearer) = self.bearers.get(b).copied() else {
            Drops::count(&mut self.drops.no_bearer);
            return;
        };
        let p = match Packet::new_checked(buf.bytes()) {
            Ok(p) => p,
            Err(e) => {
                self.drops.malformed(e);
                return;
            }
        };
        if p.flags().non_seq {
            match p.user() {
                Some(User::LinkConfig) => match DiscoveryRepr::parse(&p) {
                    Ok(d) => self.on_discovery(&bearer, &d, now, flags),
                    Err(e) => self.drops.malformed(e),
                },
                // Broadcast NACKs of the older kind, for a sender this node is not, and
                // link protocol messages, which no link sends by broadcast.
                Some(User::BcastProtocol | User::LinkProtocol) => {
                    Drops::count(&mut self.drops.broadcast);
                }
                _ => self.on_broadcast(b, buf, now, flags),
            }
            return;
        }
        if p.header_len() != SHORT_H_SIZE && p.destnode() != self.own.addr() {
            Drops::count(&mut self.drops.not_for_us);
            return;
        }
        let prevnode = p.prevnode();
        let user = p.user();
        let (peers, drops, mut cx) = self.split(now, flags);
        let Some(peer) = peers.iter_mut().find(|n| n.addr() == prevnode) else {
            Drops::count(&mut drops.unknown_peer);
            return;
        };
        if user != Some(User::LinkProtocol) {
            peer.receive(b, Arrival::Seq(buf), drops, &mut cx);
            return;
        }
        let p = Packet::new_unchecked(buf.bytes());
        match LinkProtoRepr::parse(&p, peer.caps()) {
            Ok(m) => {
                peer.bc_sync(b, &m, &mut cx);
                peer.receive(b, Arrival::Proto(&m), drops, &mut cx);
            }
            Err(e) => drops.malformed(e),
        }
    }

    /// A broadcast packet (`tipc_node_bc_rcv`, `tipc_bcast_rcv`): of this node's network,
    /// from a known peer, to its broadcast receive link.
    fn on_broadcast(&mut self, b: BearerId, buf: B, now: u64, flags: Flags) {
        let p = Packet::new_unchecked(buf.bytes());
        if p.word(5) != self.own.net_id() {
            Drops::count(&mut self.drops.net_id);
            return;
        }
        let prevnode = p.prevnode();
        let own_addr = self.own.addr();
        let (peers, drops, mut cx) = self.split(now, flags);
        match peers.iter_mut().find(|n| n.addr() == prevnode) {
            Some(peer) => peer.receive_bcast(b, buf, own_addr, drops, &mut cx),
            None => Drops::count(&mut drops.unknown_peer),
        }
    }

    /// The peers, the drop counters and the context the peers' calls need, borrowed apart.
    pub(super) fn split(
        &mut self,
        now: u64,
        flags: Flags,
    ) -> (&mut KVec<Peer<B>>, &mut Drops, Ctx<'_, B>) {
        let cx = Ctx {
            out: &mut self.out,
            discs: &mut self.discs,
            now,
            flags,
        };
        (&mut self.peers, &mut self.drops, cx)
    }

    /// A fresh link session.
    pub(super) fn session(&mut self) -> u16 {
        // xorshift64*: sessions need only differ from the last one the peer saw.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 48) as u16
    }
}
