// SPDX-License-Identifier: GPL-2.0

//! The cluster engine's glue: each namespace's [`Cluster`] under one lock, driven by netlink,
//! by the frames its bearers receive, by device events and by one timer.
//!
//! Every call into the engine goes through [`drive`], which then does what the engine asked:
//! it builds the frames to send while it holds the lock and transmits them once it let go
//! (in the order they were built: `TipcNet::tx_order`),
//! acts on the engine's events (in order, under the lock, so that a link's up and down reach
//! the name table in the order they happened), and arms the timer at the engine's next
//! deadline.

use crate::{
    conn_lost, eth, input,
    kalloc::Flags,
    netns::{NetSlot, TipcNet},
    proto::{
        bearer::{
            media::{Media, MediaProps},
            media_addr::{MediaAddr, UdpAddr},
            rejection::Rejection,
            table::{media_failed, mtu_bad, Attachment},
            BearerId, MAX_BEARERS,
        },
        errno::Errno,
        name_table::{
            addr::{Scope, ServiceRange, SocketAddr},
            distr::{self, Change, Distributor},
            table::NameTable,
            update::Update,
        },
        node::{
            cluster::Cluster,
            event::Event,
            named,
            peer::Peer,
            transmit::{Message, MAX_PACKET},
        },
        topology::server::{Context, TopSrv},
        wire::consts::User,
    },
    skb_buf, topsrv,
    udp::{self, UdpBearer},
};
use kernel::{
    net::{
        netdev_notifier,
        netdevice::{NetDevice, ARPHRD_LOOPBACK},
        pernet::{self, Net},
        skb::OwnedSkBuff,
    },
    prelude::*,
    random,
    str::BStr,
    sync::{aref::ARef, Arc},
    time::msecs_to_jiffies,
    workqueue,
    workqueue_cancel::cancel_delayed,
};

/// The work item of the cluster's timer, beside the topology server's and the sockets'.
pub(crate) const CLUSTER_TIMER: u64 = 3;

/// The service type whose bindings track nodes (`TIPC_NODE_STATE`).
const TIPC_NODE_STATE: u32 = 0;
/// The service type whose bindings track links (`TIPC_LINK_STATE`).
const TIPC_LINK_STATE: u32 = 2;

/// The engine, holding socket buffers.
pub(crate) type Core = Cluster<OwnedSkBuff>;
/// A peer of the engine.
pub(crate) type CorePeer = Peer<OwnedSkBuff>;

/// What a bearer is attached to. It is dropped once the cluster's lock is released, in
/// process context: a UDP socket is released then.
pub(crate) enum Attached {
    /// An Ethernet device, held until the bearer is disabled, and whether it is up (`b->up`):
    /// a bearer whose device is down neither sends nor receives.
    Eth { dev: ARef<NetDevice>, up: bool },
    /// A UDP socket, always up.
    Udp(UdpBearer),
}

/// A packet built under the cluster's lock, transmitted once it is released.
enum Frame {
    Eth(eth::Frame),
    Udp(udp::Frame),
}

impl Frame {
    fn transmit(self) {
        match self {
            Self::Eth(f) => f.transmit(),
            Self::Udp(f) => f.transmit(),
        }
    }
}

/// A UDP bearer's addresses as `TIPC_NL_BEARER_GET` shows them.
pub(crate) struct UdpView {
    pub(crate) local: UdpAddr,
    pub(crate) remote: UdpAddr,
    /// It has replicast peers (`TIPC_NLA_UDP_MULTI_REMOTEIP`).
    pub(crate) replicast: bool,
}

/// What enabling a UDP bearer needs beside its name: the options, parsed (an error is
/// reported only once the name and priority passed), and the registrations its socket is
/// made with.
pub(crate) struct UdpEnable<'a> {
    pub(crate) opts: Result<udp::Options, Errno>,
    pub(crate) tunnels: &'a udp::Tunnels,
    pub(crate) nets: &'a Arc<pernet::Registration<NetSlot>>,
}

/// A namespace's cluster engine and what the glue keeps beside it.
pub(crate) struct ClusterState {
    /// The engine.
    pub(crate) core: Core,
    /// What each bearer slot is attached to.
    attached: [Option<Attached>; MAX_BEARERS],
    /// When the timer is armed to fire (ms), if it is.
    timer_at: Option<u64>,
    /// Frames lost before they reached a device: no memory for the buffer, or a message the
    /// engine could not write.
    pub(crate) lost_frames: u64,
    /// Wakeups of congested sockets lost to a failed allocation: such a socket waits for
    /// the link's next wakeup.
    pub(crate) lost_wakeups: u64,
    /// Lost nodes whose connections were not ended for want of memory: those connections
    /// end when their probes go unanswered.
    pub(crate) lost_aborts: u64,
}

impl ClusterState {
    /// A namespace's engine, with no identity and no bearer.
    pub(crate) fn new() -> Self {
        let seed = u64::from(random::get_u32()) << 32 | u64::from(random::get_u32());
        Self {
            // C mixes the namespace into the network hash so that a peer in the same kernel
            // recognises it; a random value is never such a peer, which only costs that
            // shortcut.
            core: Cluster::new(random::get_u32(), random::get_u32(), seed),
            attached: [const { None }; MAX_BEARERS],
            timer_at: None,
            lost_frames: 0,
            lost_wakeups: 0,
            lost_aborts: 0,
        }
    }

    /// The Ethernet bearer attached to `dev`, if it is up.
    fn bearer_on(&self, dev: &NetDevice) -> Option<BearerId> {
        let ifindex = dev.ifindex();
        BearerId::all().find(|b| {
            matches!(
                self.attached.get(b.index()),
                Some(Some(Attached::Eth { dev: d, up: true })) if d.ifindex() == ifindex
            )
        })
    }

    /// The Ethernet bearer attached to `dev`, up or not.
    fn bearer_of(&self, dev: &NetDevice) -> Option<BearerId> {
        let ifindex = dev.ifindex();
        BearerId::all().find(|b| {
            matches!(
                self.attached.get(b.index()),
                Some(Some(Attached::Eth { dev: d, .. })) if d.ifindex() == ifindex
            )
        })
    }

    /// The bearer named `name`: "Bearer not found" (`EINVAL`) if there is none.
    fn bearer_named(&self, name: &[u8]) -> Result<BearerId, Rejection> {
        self.core
            .bearers()
            .find(name)
            .map(|b| b.id)
            .ok_or(Rejection::invalid(c"Bearer not found"))
    }

    /// The UDP bearer in slot `id`, if it is one.
    pub(crate) fn udp(&self, id: BearerId) -> Option<&UdpBearer> {
        match self.attached.get(id.index()) {
            Some(Some(Attached::Udp(u))) => Some(u),
            _ => None,
        }
    }

    /// The UDP bearer in slot `id` as `TIPC_NL_BEARER_GET` shows it.
    pub(crate) fn udp_view(&self, id: BearerId) -> Option<UdpView> {
        self.udp(id).map(|u| UdpView {
            local: u.local,
            remote: u.remote,
            replicast: !u.remotes.is_empty(),
        })
    }

    /// Builds the frames the engine asks to send; a bearer that is down sends nothing.
    fn collect_frames(&mut self, frames: &mut KVec<Frame>) {
        while let Some(t) = self.core.poll_transmit() {
            let Some(att) = self
                .attached
                .get_mut(t.bearer.index())
                .and_then(Option::as_mut)
            else {
                continue;
            };
            if let Attached::Eth { up: false, .. } = att {
                if let Message::Data(skb) = t.msg {
                    skb.consume();
                }
                continue;
            }
            // A data packet is the link's copy, made with room for the bearer's headers; a
            // message the engine built is written into a buffer of its own.
            let skb = match t.msg {
                Message::Data(skb) => Some(skb),
                msg => {
                    let mut buf = [0u8; MAX_PACKET];
                    let len = msg.emit(&mut buf).ok();
                    len.and_then(|len| buf.get(..len))
                        .and_then(skb_buf::frame_of)
                }
            };
            let lost = match (att, skb) {
                (Attached::Eth { dev, .. }, Some(skb)) => {
                    let f = eth::Frame::new(dev, t.dest, skb);
                    u64::from(frames.push(Frame::Eth(f), GFP_ATOMIC).is_err())
                }
                (Attached::Udp(u), Some(skb)) => {
                    let mut built = KVec::new();
                    let lost = u.frames(t.dest, skb, &mut built);
                    let mut dropped = 0;
                    for f in built {
                        if frames.push(Frame::Udp(f), GFP_ATOMIC).is_err() {
                            dropped += 1;
                        }
                    }
                    lost + dropped
                }
                (_, None) => 1,
            };
            self.lost_frames = self.lost_frames.saturating_add(lost);
        }
    }
}

/// Runs `f` on the namespace's engine at the time now, then sends what it asked to send,
/// acts on its events and arms the timer. `flags` are the caller's context's, for what is
/// done once the lock is released; under the lock everything allocates with `GFP_ATOMIC`.
pub(crate) fn drive<R>(
    net: &Arc<TipcNet>,
    flags: Flags,
    f: impl FnOnce(&mut ClusterState, u64) -> R,
) -> R {
    let mut frames = KVec::new();
    let mut wakeups = KVec::new();
    let mut lost_nodes = KVec::new();
    let (r, names_changed, order) = {
        let mut st = net.cluster.lock();
        let now = net.now_ms();
        let r = f(&mut st, now);
        // What the links took, in their order: name distribution to the name table at once
        // (so that a peer's updates are applied before its loss is), the rest to the input
        // queue.
        let mut names_changed = false;
        while let Some(d) = st.core.poll_deliver() {
            match d.user {
                User::NameDistributor => {
                    names_changed |= named_receive(net, d.peer, d.buf.data());
                    d.buf.consume();
                }
                User::MsgBundler => {
                    names_changed |= named_in_bundle(net, d.peer, d.buf.data());
                    net.input.enqueue(d.buf);
                }
                _ => net.input.enqueue(d.buf),
            }
        }
        while let Some(ev) = st.core.poll_event() {
            if let Event::Wakeup { peer, port } = ev {
                // Sockets are woken once the lock is released: a socket's locks are never
                // taken inside the cluster's.
                if wakeups.push((peer, port), GFP_ATOMIC).is_err() {
                    st.lost_wakeups = st.lost_wakeups.saturating_add(1);
                }
                continue;
            }
            if let Event::NodeDown { peer } = ev {
                // Its connections are ended once the lock is released.
                if lost_nodes.push(peer, GFP_ATOMIC).is_err() {
                    st.lost_aborts = st.lost_aborts.saturating_add(1);
                }
            }
            names_changed |= on_event(net, &mut st.core, ev, now);
        }
        // After the events, whose handling may send (a bulk of bindings to a new peer).
        st.collect_frames(&mut frames);
        if let Some(at) = st.core.poll_timeout() {
            if st.timer_at.is_none_or(|armed| at < armed) {
                st.timer_at = Some(at);
                arm_timer(net, at);
            }
        }
        // Taken before the cluster's lock is let go: another call's frames, built after
        // these, wait until these are on their devices.
        let order = (!frames.is_empty()).then(|| net.tx_order.lock());
        (r, names_changed, order)
    };
    for frame in frames {
        frame.transmit();
    }
    drop(order);
    for (peer, port) in wakeups {
        wake(net, peer, port);
    }
    for peer in lost_nodes {
        conn_lost::node_lost(net, peer, flags);
    }
    if names_changed {
        topsrv::flush(net, flags);
    }
    if !net.input.is_empty() {
        input::drain(net, flags);
    }
    r
}

/// The link to `peer` has room again for the socket at `port` (`SOCK_WAKEUP`).
fn wake(net: &TipcNet, peer: u32, port: u32) {
    if let Some(sk) = net.socket(port) {
        let mut inner = sk.state().inner.lock();
        inner.cong.remove(peer);
        if let Some(conn) = inner.conn.as_mut().filter(|c| c.peer_node() == peer) {
            conn.set_link_congested(false);
        }
        drop(inner);
        sk.wake_writers();
    }
}

/// `tipc_node_xmit` to another node: `EHOSTUNREACH` without a working link to it,
/// [`Errno::ELINKCONG`] if the message was queued beyond its link's backlog limit (the
/// sender waits for the link to wake it before it sends there again).
pub(crate) fn send(
    net: &Arc<TipcNet>,
    dnode: u32,
    selector: u32,
    skb: OwnedSkBuff,
    flags: Flags,
) -> Result<(), Errno> {
    drive(net, flags, |st, now| {
        st.core.send(dnode, selector, skb, now, GFP_ATOMIC)
    })
}

/// Whether node `dnode` is a peer with a working link.
pub(crate) fn reaches(net: &TipcNet, dnode: u32) -> bool {
    net.cluster
        .lock()
        .core
        .peer(dnode)
        .is_some_and(|p| p.is_up())
}

/// Queues the timer's work item to run at `at` (ms), replacing an earlier arming; sleeps
/// not, so the caller may hold the cluster's lock.
fn arm_timer(net: &Arc<TipcNet>, at: u64) {
    cancel_delayed::<TipcNet, CLUSTER_TIMER>(net);
    let ms = at.saturating_sub(net.now_ms());
    let delay = msecs_to_jiffies(u32::try_from(ms).unwrap_or(u32::MAX));
    // Cancelled just above, so not pending: queueing succeeds.
    let _ = workqueue::system().enqueue_delayed::<_, CLUSTER_TIMER>(net.clone(), delay);
}

/// The timer fired: discovery, the address trial and link supervision run.
pub(crate) fn on_timer(net: &Arc<TipcNet>) {
    drive(net, GFP_KERNEL, |st, now| {
        st.timer_at = None;
        st.core.handle_timeout(now, GFP_ATOMIC);
    });
}

/// Applies a `NAME_DISTRIBUTOR` message the link to `peer` took to the name table, telling
/// the topology server of each change (`tipc_named_rcv`), under the cluster's lock. Returns
/// whether the table changed.
fn named_receive(net: &TipcNet, peer: u32, msg: &[u8]) -> bool {
    named_step(net, |distr, table, tell| {
        distr.receive(table, peer, msg, GFP_ATOMIC, tell)
    })
}

/// Runs `step` of name distribution on the name table under its lock, telling the
/// topology server of each change it makes. Returns whether the table changed.
fn named_step(
    net: &TipcNet,
    step: impl FnOnce(&mut Distributor, &mut NameTable, &mut dyn FnMut(Change)),
) -> bool {
    let mut names = net.names.lock();
    let ctx = topsrv::change_context(net, &names, GFP_ATOMIC);
    let crate::netns::Names {
        table,
        topsrv,
        distr,
        ..
    } = &mut *names;
    let mut changed = false;
    step(distr, table, &mut |c| {
        changed = true;
        tell_topsrv(topsrv, c, &ctx);
    });
    changed
}

/// Tells the topology server of a change name distribution made.
fn tell_topsrv(topsrv: &mut TopSrv, c: Change, ctx: &Context) {
    match c {
        Change::Published(range, p) => topsrv.published(&range, &p, ctx),
        Change::Withdrawn(w) => topsrv.withdrawn(&w, ctx),
    }
}

/// Applies the `NAME_DISTRIBUTOR` messages of a bundle from `peer`; the input queue passes
/// them over.
fn named_in_bundle(net: &TipcNet, peer: u32, bundle: &[u8]) -> bool {
    let mut changed = false;
    for msg in distr::in_bundle(bundle) {
        changed |= named_receive(net, peer, msg);
    }
    changed
}

/// Acts on an engine event (`tipc_net_finalize`, `tipc_node_write_unlock`), under the
/// cluster's lock; takes the name table's. Returns whether the name table changed, so that
/// the topology server has events to send.
fn on_event(net: &TipcNet, core: &mut Core, ev: Event, now: u64) -> bool {
    let (ty, peer, sk, scope, key, up) = match ev {
        Event::AddressSet(addr) => {
            let mut names = net.names.lock();
            names.table.set_own_node(addr, core.own().legacy());
            net.set_own_node(addr);
            drop(names);
            let sk = SocketAddr {
                port: 0,
                node: addr,
            };
            (TIPC_NODE_STATE, addr, sk, Scope::Cluster, addr, true)
        }
        Event::LinkUp { peer, link_id, .. } | Event::LinkDown { peer, link_id, .. } => {
            let sk = SocketAddr {
                port: link_id,
                node: net.own_node(),
            };
            let up = matches!(ev, Event::LinkUp { .. });
            (TIPC_LINK_STATE, peer, sk, Scope::Node, link_id, up)
        }
        // The peer's bindings are withdrawn (`tipc_publ_notify`); `drive` ends the
        // connections to it.
        Event::NodeDown { peer } => {
            return named_step(net, |distr, table, tell| {
                distr.node_down(table, peer, GFP_ATOMIC, tell)
            });
        }
        Event::NodeUp { peer, .. } => {
            node_up(net, core, peer, now);
            return false;
        }
        // Handled by `drive`, once the lock is released.
        Event::Wakeup { .. } => return false,
    };
    let range = ServiceRange {
        ty,
        lower: peer,
        upper: peer,
    };
    let mut names = net.names.lock();
    let ctx = topsrv::change_context(net, &names, GFP_ATOMIC);
    let crate::netns::Names {
        table,
        topsrv,
        distr,
        ..
    } = &mut *names;
    let update = if up {
        // Without memory for it the binding is missing, as in C, whose publish fails alike.
        match table.publish(range, sk, scope, key, GFP_ATOMIC) {
            Ok(p) => {
                topsrv.published(&range, &p, &ctx);
                Update::published(distr, &range, &p.publication)
            }
            Err(_) => return false,
        }
    } else if let Some(w) = table.withdraw(range, sk, key) {
        topsrv.withdrawn(&w, &ctx);
        Update::withdrawn(distr, &w)
    } else {
        None
    };
    drop(names);
    // The node state binding is cluster scope: told to the peers up, if any.
    if let Some(u) = update {
        named::distribute(core, &[u], now, GFP_ATOMIC);
    }
    true
}

/// Sends this node's binding changes to every peer up, as C's replicast does
/// (`tipc_node_broadcast` without the broadcast link); called once the name table's lock
/// is released.
pub(crate) fn distribute(net: &Arc<TipcNet>, updates: &[Update]) {
    if updates.is_empty() {
        return;
    }
    drive(net, GFP_KERNEL, |st, now| {
        named::distribute(&mut st.core, updates, now, GFP_ATOMIC);
    });
}

/// A peer came up (`tipc_named_node_up`): this node's cluster-scope bindings go to it in
/// bulk.
fn node_up(net: &TipcNet, core: &mut Core, peer: u32, now: u64) {
    let names = net.names.lock();
    named::node_up(core, &names.table, &names.distr, peer, now, GFP_ATOMIC);
}

/// `TIPC_NL_BEARER_ENABLE` (`tipc_enable_bearer`): the name and priority rules, then the
/// media's: an Ethernet device (`ENODEV` if there is none, `EINVAL` for a loopback device or
/// an MTU too small), or a UDP socket ([`enable_udp`]); all "Failed to enable media". Then
/// the identity and discovery. `media` gives each media's properties; `ns` is the namespace
/// the device or address is looked up in.
pub(crate) fn enable_bearer(
    net: &Arc<TipcNet>,
    ns: &Net,
    media: impl Fn(Media) -> MediaProps + Copy,
    name: &[u8],
    domain: u32,
    priority: u32,
    udp: UdpEnable<'_>,
) -> Result<(), Rejection> {
    let adm = net
        .cluster
        .lock()
        .core
        .admit_bearer(name, priority, media)?;
    let id = adm.id;
    let (att, attached) = if adm.media == Media::Udp {
        enable_udp(net, ns, id, udp)?
    } else {
        let dev = eth::device(ns, &adm.name).ok_or(media_failed(Errno::ENODEV))?;
        if mtu_bad(dev.mtu()) || dev.dev_type() == ARPHRD_LOOPBACK {
            return Err(media_failed(Errno::EINVAL));
        }
        let att = Attachment {
            addr: eth::media_addr(&dev),
            dev_mtu: dev.mtu(),
        };
        let up = dev.is_running();
        (att, Attached::Eth { dev, up })
    };
    // Left here on failure, to be dropped once the lock is released.
    let mut pending = Some(attached);
    let enabled = drive(net, GFP_KERNEL, |st, now| {
        // Netlink requests are serialised, so the admission still holds; it is made again
        // against the table as it is now all the same.
        let adm = st.core.admit_bearer(name, priority, media)?;
        if adm.id != id {
            return Err(media_failed(Errno::EINVAL));
        }
        st.core.enable_bearer(&adm, domain, &att, now, GFP_ATOMIC)?;
        if let Some(slot) = st.attached.get_mut(id.index()) {
            *slot = pending.take();
        }
        Ok(())
    });
    drop(pending);
    enabled?;
    pr_info!(
        "Enabled bearer <{}>, priority {}\n",
        BStr::from_bytes(adm.name.as_bytes()),
        adm.priority
    );
    Ok(())
}

/// The UDP media's part of enabling bearer `id` (`tipc_udp_enable`): the options (`EINVAL`
/// without them or for local and remote addresses of two families, `EADDRNOTAVAIL` for
/// another family), the identity taken from the local address if the node has none, then
/// the socket (see [`UdpBearer::open`]). Process context.
fn enable_udp(
    net: &Arc<TipcNet>,
    ns: &Net,
    id: BearerId,
    udp: UdpEnable<'_>,
) -> Result<(Attachment, Attached), Rejection> {
    let opts = udp.opts.map_err(media_failed)?;
    if opts.local.addr.proto != opts.remote.addr.proto {
        return Err(media_failed(Errno::EINVAL));
    }
    let addr = MediaAddr::udp(opts.local.addr);
    drive(net, GFP_KERNEL, |st, _| st.core.adopt_identity(&addr))?;
    let ub = UdpBearer::open(udp.tunnels, ns, udp.nets.clone(), id, &opts).map_err(media_failed)?;
    let att = Attachment { addr, dev_mtu: 0 };
    Ok((att, Attached::Udp(ub)))
}

/// `TIPC_NL_BEARER_ADD` with a remote address (`tipc_udp_nl_bearer_add`) for the UDP bearer
/// named `name`: `EINVAL` if its remote address is a multicast group; a peer known already
/// is left as it is.
pub(crate) fn add_udp_remote(
    net: &Arc<TipcNet>,
    name: &[u8],
    addr: UdpAddr,
) -> Result<(), Rejection> {
    let route = udp::new_route(GFP_KERNEL).map_err(Rejection::bare)?;
    drive(net, GFP_KERNEL, |st, _| {
        let id = st.bearer_named(name)?;
        let Some(Some(Attached::Udp(ub))) = st.attached.get_mut(id.index()) else {
            return Err(Rejection::bare(Errno::ENODEV));
        };
        if ub.remote.is_multicast() {
            pr_err!("Can't add remote ip to TIPC UDP multicast bearer\n");
            return Err(Rejection::bare(Errno::EINVAL));
        }
        ub.add_remote(addr, route).map_err(Rejection::bare)
    })
}

/// The replicast peers of the UDP bearer named `name`, newest first, from the `from`th on,
/// as many as `out` has room for; `None` if there is no such UDP bearer.
pub(crate) fn udp_remotes(
    net: &TipcNet,
    name: &[u8],
    from: usize,
    out: &mut KVec<UdpAddr>,
) -> Option<()> {
    let st = net.cluster.lock();
    let id = st.core.bearers().find(name)?.id;
    let ub = st.udp(id)?;
    for (addr, _) in ub.remotes.iter().skip(from) {
        if out.len() == out.capacity() || out.push(*addr, GFP_ATOMIC).is_err() {
            break;
        }
    }
    Some(())
}

/// `TIPC_NL_BEARER_DISABLE`: "Bearer not found" (`EINVAL`) for a name no bearer has.
pub(crate) fn disable_bearer(net: &Arc<TipcNet>, name: &[u8]) -> Result<(), Rejection> {
    let attached = drive(net, GFP_KERNEL, |st, now| {
        let id = st.bearer_named(name)?;
        Ok(disable(st, id, now))
    })?;
    drop(attached);
    Ok(())
}

/// Disables bearer `id`: its links go; what it was attached to is returned, for the caller
/// to drop once the lock is released.
#[must_use]
fn disable(st: &mut ClusterState, id: BearerId, now: u64) -> Option<Attached> {
    if let Some(b) = st.core.disable_bearer(id, now, GFP_ATOMIC) {
        pr_info!(
            "Disabling bearer <{}>\n",
            BStr::from_bytes(b.name.as_bytes())
        );
    }
    st.attached.get_mut(id.index()).and_then(Option::take)
}

/// Disables every bearer: the namespace is going away. Process context.
pub(crate) fn disable_all(net: &Arc<TipcNet>) {
    let gone = drive(net, GFP_KERNEL, |st, now| {
        let mut gone: [Option<Attached>; MAX_BEARERS] = [const { None }; MAX_BEARERS];
        for id in BearerId::all() {
            if st.attached.get(id.index()).is_some_and(Option::is_some) {
                if let Some(slot) = gone.get_mut(id.index()) {
                    *slot = disable(st, id, now);
                }
            }
        }
        gone
    });
    drop(gone);
}

/// A frame arrived on `dev` (softirq): it goes to the bearer attached to the device, if one
/// is and is up. A packet its link takes in sequence joins the input queue, under the
/// cluster's lock so that the queue keeps the link's order, and is delivered from there.
pub(crate) fn receive(net: &Arc<TipcNet>, dev: &NetDevice, skb: OwnedSkBuff) {
    drive(net, GFP_ATOMIC, |st, now| {
        let Some(b) = st.bearer_on(dev) else {
            return skb.consume();
        };
        // What the link takes goes to the input queue, and is delivered, in `drive`.
        st.core.handle_packet(b, skb, now, GFP_ATOMIC);
    });
}

/// A datagram arrived on the socket of UDP bearer `id` opened with `token` (softirq): it
/// goes to the bearer if it is still that one, as [`receive`] does.
pub(crate) fn receive_udp(net: &Arc<TipcNet>, id: BearerId, token: u32, skb: OwnedSkBuff) {
    drive(net, GFP_ATOMIC, |st, now| {
        if !st.udp(id).is_some_and(|u| u.is_opened_with(token)) {
            return skb.consume();
        }
        st.core.handle_packet(id, skb, now, GFP_ATOMIC);
    });
}

/// A device changed (`tipc_l2_device_event`, process context under the RTNL lock): a device
/// going away or renamed takes its bearer with it; one going down or losing its carrier
/// stops its bearer and its links, and the bearer sends again once the device is up; a new
/// MTU or address resets the bearer's links (or disables it, for an MTU too small).
pub(crate) fn device_event(net: &Arc<TipcNet>, dev: &NetDevice, event: netdev_notifier::Event) {
    use netdev_notifier::Event as E;
    let gone = drive(net, GFP_KERNEL, |st, now| {
        let id = st.bearer_of(dev)?;
        let up = match event {
            E::Unregister | E::ChangeName => return disable(st, id, now),
            E::ChangeMtu if mtu_bad(dev.mtu()) => return disable(st, id, now),
            E::Change if dev.has_carrier() && dev.is_oper_up() => Some(true),
            E::Change | E::GoingDown => Some(false),
            E::Up => Some(true),
            E::ChangeMtu | E::ChangeAddr => None,
            _ => return None,
        };
        if let Some(Some(Attached::Eth { up: a_up, .. })) = st.attached.get_mut(id.index()) {
            if up == Some(true) {
                *a_up = true;
                return None;
            }
            *a_up = up.unwrap_or(*a_up);
        }
        st.core
            .reset_bearer(id, dev.mtu(), eth::media_addr(dev), now, GFP_ATOMIC);
        None
    });
    drop(gone);
}
