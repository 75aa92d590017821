// SPDX-License-Identifier: GPL-2.0

//! The UDP media (`udp`): a bearer is a UDP tunnel socket on a local IPv4 or IPv6 address
//! and port. Its broadcast (discovery) goes to a multicast group the socket joined, or, when
//! the remote address is not a multicast one, to each configured remote peer (replicast);
//! messages for one peer go to the address and port its discovery messages carry. Datagrams
//! the socket receives go to the bearer in softirq.
//!
//! The tunnels of a namespace are released by the namespace's exit at the latest
//! ([`ScopedTunnel`]), as C's `tipc_net_stop` disables its bearers.

use crate::{
    cluster,
    netns::NetSlot,
    proto::{
        bearer::{
            media_addr::{UdpAddr, ETH_P_IP},
            udp_opts::{OptAddr, Remotes},
            BearerId,
        },
        errno::Errno,
        node::transmit::Dest,
    },
};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use kernel::{
    alloc::Flags,
    net::{
        dst_cache::DstCache,
        pernet::{self, Net, Pernet},
        skb::OwnedSkBuff,
        udp_tunnel::{
            self,
            scoped::{NetTunnels, Scoped, ScopedTunnel, TunnelSender},
            Config,
        },
    },
    prelude::*,
    random,
    sync::Arc,
};

/// Route caches kept per bearer for peers' addresses; past this the oldest is replaced.
const MAX_PEER_ROUTES: usize = 16;

/// The registration that releases each namespace's tunnels when the namespace goes.
pub(crate) type Tunnels = pernet::Registration<NetTunnels<Receiver>>;

/// Where the kernel keeps each namespace's list of tunnels.
static TUNNELS: Pernet<NetTunnels<Receiver>> = Pernet::new();

/// A bearer's tunnel receiver: datagrams go to bearer `bearer` if it is still the one this
/// tunnel was opened for (`token`).
pub(crate) struct Receiver {
    bearer: BearerId,
    token: u32,
}

impl udp_tunnel::Receiver for Receiver {
    type NetData = NetSlot;

    fn receive(&self, net: &NetSlot, _source: SocketAddr, mut skb: OwnedSkBuff) {
        if skb.linearize().is_err() {
            return;
        }
        cluster::receive_udp(net, self.bearer, self.token, skb);
    }
}

impl Scoped for Receiver {
    fn tunnels() -> &'static Pernet<NetTunnels<Self>> {
        &TUNNELS
    }
}

/// The socket address of a UDP media address.
fn socket_addr(a: &UdpAddr, scope_id: u32) -> SocketAddr {
    if a.proto == ETH_P_IP {
        let [b0, b1, b2, b3, ..] = a.ip;
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b0, b1, b2, b3), a.port))
    } else {
        SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(a.ip), a.port, 0, scope_id))
    }
}

/// A UDP bearer's socket, and where its packets go with the routes to them.
///
/// It lives in the cluster state ([`cluster::ClusterState`]), under the cluster's lock, taken
/// in process context and softirq. It is dropped in process context only, once that lock is
/// released: dropping the tunnel releases its socket, which sleeps.
pub(crate) struct UdpBearer {
    tunnel: ScopedTunnel<Receiver>,
    /// Tells this bearer's datagrams from those of an earlier tunnel of its slot.
    token: u32,
    /// The local address and port, as configured.
    pub(crate) local: UdpAddr,
    /// The remote address as configured: the multicast group, or the first replicast peer.
    pub(crate) remote: UdpAddr,
    /// The route to the group (C's `ub->rcast.dst_cache`).
    group_route: Arc<DstCache>,
    /// The replicast peers, each with its route, newest first.
    pub(crate) remotes: Remotes<Arc<DstCache>>,
    /// Routes to the peers' addresses that messages for one peer go to.
    peer_routes: KVec<(UdpAddr, Arc<DstCache>)>,
    /// The entry of `peer_routes` to replace next when it is full.
    next_replaced: usize,
}

/// What `TIPC_NLA_BEARER_UDP_OPTS` asks for.
pub(crate) struct Options {
    pub(crate) local: OptAddr,
    pub(crate) remote: OptAddr,
}

/// The errno of a kernel error.
fn errno(e: Error) -> Errno {
    Errno::from_positive(-e.to_errno()).unwrap_or(Errno::EINVAL)
}

impl UdpBearer {
    /// Opens bearer `bearer` as `opts` say in namespace `ns` (`tipc_udp_enable` once the node
    /// has an identity): `ENODEV` if no interface has the local address, the socket's errors
    /// (`EADDRINUSE`, ...), then joins the group or adds the remote as the first replicast peer.
    /// Process context.
    pub(crate) fn open(
        tunnels: &Tunnels,
        ns: &Net,
        nets: Arc<pernet::Registration<NetSlot>>,
        bearer: BearerId,
        opts: &Options,
    ) -> Result<Self, Errno> {
        let local = socket_addr(&opts.local.addr, opts.local.scope_id);
        // C finds no interface for these; the tunnel would take the unspecified address.
        if local.ip().is_unspecified() || local.ip().is_multicast() {
            return Err(Errno::ENODEV);
        }
        let group = opts.remote.addr.is_multicast();
        // Bound to the unspecified address to receive the group's datagrams; no UDP checksum
        // over IPv4, and an IPv6 socket that also holds its port for IPv4, as C's.
        let config = Config::new(local)
            .wildcard(group)
            .udp4_checksums(false)
            .ipv6_only(false);
        let token = random::get_u32();
        let receiver = Receiver { bearer, token };
        let tunnel =
            ScopedTunnel::new(tunnels, ns, &config, nets, receiver, GFP_KERNEL).map_err(errno)?;
        let group_route = Arc::new(DstCache::new(GFP_KERNEL).map_err(errno)?, GFP_KERNEL)
            .map_err(|_| Errno::ENOMEM)?;
        let mut b = Self {
            tunnel,
            token,
            local: opts.local.addr,
            remote: opts.remote.addr,
            group_route,
            remotes: Remotes::new(),
            peer_routes: KVec::new(),
            next_replaced: 0,
        };
        if group {
            b.tunnel
                .join_multicast(socket_addr(&b.remote, 0).ip())
                .map_err(errno)?;
        } else {
            let route = new_route(GFP_KERNEL)?;
            b.add_remote(b.remote, route)?;
        }
        Ok(b)
    }

    /// Whether datagrams from a tunnel opened with `token` are this bearer's.
    pub(crate) fn is_opened_with(&self, token: u32) -> bool {
        self.token == token
    }

    /// `tipc_udp_rcast_add`: a new replicast peer, in front; one known already is left as it
    /// is.
    pub(crate) fn add_remote(&mut self, addr: UdpAddr, route: Arc<DstCache>) -> Result<(), Errno> {
        if self.remotes.contains(&addr) {
            return Ok(());
        }
        self.remotes.add(addr, route, GFP_ATOMIC)?;
        match socket_addr(&addr, 0).ip() {
            IpAddr::V4(ip) => pr_info!("New replicast peer: {:?}\n", ip),
            // `%pI6`: eight groups of four hex digits.
            IpAddr::V6(ip) => {
                let [a, b, c, d, e, f, g, h] = ip.segments();
                pr_info!(
                    "New replicast peer: {:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}\n",
                    a,
                    b,
                    c,
                    d,
                    e,
                    f,
                    g,
                    h
                );
            }
        }
        Ok(())
    }

    /// Builds the datagrams carrying the message in `skb` to `dest` (`tipc_udp_send_msg`):
    /// the group, every replicast peer, or one peer's address. The last datagram takes `skb`,
    /// the others a copy allocated with `GFP_ATOMIC` (the caller holds the cluster's lock).
    /// Returns how many were lost for want of memory.
    pub(crate) fn frames(&mut self, dest: Dest, skb: OwnedSkBuff, out: &mut KVec<Frame>) -> u64 {
        let sender = self.tunnel.sender();
        let mut emit = |skb: OwnedSkBuff, to: SocketAddr, route: &Arc<DstCache>| {
            let f = Frame {
                sender: sender.clone(),
                to,
                route: route.clone(),
                skb,
            };
            u64::from(out.push(f, GFP_ATOMIC).is_err())
        };
        match dest {
            Dest::Broadcast if self.remote.is_multicast() => {
                emit(skb, socket_addr(&self.remote, 0), &self.group_route)
            }
            Dest::Broadcast => {
                let mut lost = 0;
                let mut peers = self.remotes.iter().peekable();
                while let Some((addr, route)) = peers.next() {
                    if peers.peek().is_none() {
                        return lost + emit(skb, socket_addr(addr, 0), route);
                    }
                    lost += match skb.copy_with_headroom(self.tunnel.headroom(), GFP_ATOMIC) {
                        Ok(copy) => emit(copy, socket_addr(addr, 0), route),
                        Err(_) => 1,
                    };
                }
                lost
            }
            Dest::Peer(m) => {
                let route = m.udp_addr().and_then(|addr| {
                    peer_route(&mut self.peer_routes, &mut self.next_replaced, addr)
                        .map(|route| (addr, route))
                });
                match route {
                    Some((addr, route)) => emit(skb, socket_addr(&addr, 0), &route),
                    None => 1,
                }
            }
        }
    }
}

/// A new, empty route cache.
pub(crate) fn new_route(flags: Flags) -> Result<Arc<DstCache>, Errno> {
    let cache = DstCache::new(flags).map_err(errno)?;
    Arc::new(cache, flags).map_err(|_| Errno::ENOMEM)
}

/// The route cache of peer address `addr`, made (with `GFP_ATOMIC`) if there is none; when
/// `MAX_PEER_ROUTES` are kept, the one at `next` is replaced. `None` without memory.
fn peer_route(
    routes: &mut KVec<(UdpAddr, Arc<DstCache>)>,
    next: &mut usize,
    addr: UdpAddr,
) -> Option<Arc<DstCache>> {
    if let Some((_, r)) = routes.iter().find(|(a, _)| *a == addr) {
        return Some(r.clone());
    }
    let route = new_route(GFP_ATOMIC).ok()?;
    if routes.len() < MAX_PEER_ROUTES {
        routes.push((addr, route.clone()), GFP_ATOMIC).ok()?;
    } else if let Some(slot) = routes.get_mut(*next) {
        *slot = (addr, route.clone());
        *next = (*next + 1) % MAX_PEER_ROUTES;
    }
    Some(route)
}

/// A datagram built under the cluster's lock, sent once it is released.
pub(crate) struct Frame {
    sender: TunnelSender<Receiver>,
    to: SocketAddr,
    route: Arc<DstCache>,
    skb: OwnedSkBuff,
}

impl Frame {
    /// Sends the datagram. One that cannot be routed, or whose bearer went, is lost, as on
    /// the wire; the link protocol recovers.
    pub(crate) fn transmit(self) {
        let _ = self.sender.send(self.skb, self.to, &self.route);
    }
}
