// SPDX-License-Identifier: GPL-2.0

//! UDP tunnel sockets: kernel sockets that carry a protocol's packets in UDP datagrams.
//!
//! A [`UdpTunnel`] is a kernel UDP socket of one namespace, bound to a local IPv4 or IPv6 address
//! and port (`udp_sock_create`), whose datagrams are not queued but handed to a [`Receiver`] in
//! softirq context (`setup_udp_tunnel_sock`), with the per-namespace data of the namespace, the
//! sender's address and port, and the payload behind the UDP header. [`UdpTunnel::send`] sends
//! a buffer as one datagram from the tunnel's address and port to a remote one, over a route kept
//! in a [`DstCache`] (`udp_tunnel_xmit_skb`, `udp_tunnel6_xmit_skb`);
//! [`UdpTunnel::join_multicast`] makes the tunnel's interface receive a multicast group.
//!
//! A [`UdpTunnel`] must be dropped before its namespace is dismantled, which its constructor leaves
//! to the caller; a [`scoped::ScopedTunnel`] is let go of by the namespace itself.
//!
//! C header: [`include/net/udp_tunnel.h`](srctree/include/net/udp_tunnel.h).

pub mod scoped;

use super::{
    dst_cache::DstCache,
    pernet::{self, Net, NetData},
    skb::OwnedSkBuff,
};
use crate::{
    alloc::Flags,
    bindings,
    error::{from_err_ptr, to_result},
    ffi::c_int,
    prelude::*,
    sync::{rcu, Arc},
    types::NotThreadSafe,
};
use core::{
    mem::size_of,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6},
    ptr::{self, NonNull},
};

/// The length of a UDP header.
const UDP_HEADER_LEN: usize = size_of::<bindings::udphdr>();

/// The length of an IPv4 header without options, as a tunnel sends it.
const IPV4_HEADER_LEN: usize = size_of::<bindings::iphdr>();

/// The length of an IPv6 header without extension headers, as a tunnel sends it.
const IPV6_HEADER_LEN: usize = size_of::<bindings::ipv6hdr>();

/// The receive handler of a [`UdpTunnel`].
pub trait Receiver: Send + Sync + 'static {
    /// The per-namespace data the handler is given.
    type NetData: NetData;

    /// Called for every datagram the tunnel receives, with `net`, the data of the tunnel's
    /// namespace, the sender's address and port, and the datagram in `skb`, its data at the
    /// payload (the IP and UDP headers pulled). The UDP checksum, if the sender set one, has
    /// been verified.
    ///
    /// Softirq context (or process context with bottom halves disabled), under the RCU read
    /// lock: it must not sleep, and allocates with `GFP_ATOMIC`. It runs on several CPUs at once.
    fn receive(&self, net: &Self::NetData, source: SocketAddr, skb: OwnedSkBuff);
}

/// What a [`UdpTunnel`] is created for: its local address and port, and how it binds them.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    local: SocketAddr,
    wildcard: bool,
    udp4_checksums: bool,
    ipv6_only: bool,
}

impl Config {
    /// A tunnel on `local`: it receives the datagrams sent to that address and port, and sends
    /// its own from them. Port 0 binds a port the kernel picks ([`UdpTunnel::local`] says which).
    ///
    /// The address must be one of an interface of the namespace, the tunnel's interface (see
    /// [`UdpTunnel::ifindex`]), or the unspecified address (`0.0.0.0` or `::`), for a tunnel with
    /// no interface whose datagrams leave from the address the route to their destination gives.
    /// An IPv6 tunnel takes IPv6 datagrams only, not IPv4 ones mapped to IPv6.
    pub const fn new(local: SocketAddr) -> Self {
        Self {
            local,
            wildcard: false,
            udp4_checksums: true,
            ipv6_only: true,
        }
    }

    /// Whether the socket binds the unspecified address instead of the local one, with the
    /// local port: it then receives the datagrams sent to any address of the namespace on that
    /// port, multicast groups it joined included, and still sends from the local address.
    pub const fn wildcard(mut self, wildcard: bool) -> Self {
        self.wildcard = wildcard;
        self
    }

    /// Whether an IPv6 tunnel takes IPv6 datagrams only (the default), or also IPv4 ones mapped
    /// to IPv6 (as a socket without `IPV6_V6ONLY`): a tunnel bound to `::` then also holds its
    /// port for IPv4.
    pub const fn ipv6_only(mut self, only: bool) -> Self {
        self.ipv6_only = only;
        self
    }

    /// Whether an IPv4 tunnel sets the UDP checksum of the datagrams it sends (the default), or
    /// leaves it zero, as UDP over IPv4 allows. IPv6 datagrams always carry one.
    pub const fn udp4_checksums(mut self, checksums: bool) -> Self {
        self.udp4_checksums = checksums;
        self
    }
}

/// The receiver and what its callback needs, at an address that does not change while the
/// socket points at it.
struct Inner<R: Receiver> {
    receiver: R,
    net: Arc<pernet::Registration<R::NetData>>,
}

/// A UDP tunnel socket; dropping it (in process context: it may sleep) closes the socket and
/// waits until no call of its receiver is running.
///
/// It holds the registration of the namespace data, so the data outlives every call of the
/// receiver. It does not hold its namespace, as kernel sockets do not: it must be dropped before
/// the namespace is dismantled (in the `exit` of per-namespace data at the latest, which is why
/// [`UdpTunnel::new`] is unsafe).
///
/// # Examples
///
/// A tunnel on the loopback address receives what it sends to itself:
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::dst_cache::DstCache;
/// use kernel::net::netdevice::NetDevice;
/// use kernel::net::pernet::{self, Net, NetData, NewNet, Pernet};
/// use kernel::net::skb::OwnedSkBuff;
/// use kernel::net::udp_tunnel::{Config, Receiver, UdpTunnel};
/// use kernel::prelude::*;
/// use kernel::sync::Arc;
/// use kernel::time::{delay::fsleep, Delta};
///
/// struct Counts {
///     received: AtomicU32,
/// }
///
/// static COUNTS: Pernet<Counts> = Pernet::new();
///
/// impl NetData for Counts {
///     fn pernet() -> &'static Pernet<Self> {
///         &COUNTS
///     }
///
///     fn init(_net: &NewNet) -> impl PinInit<Self, Error> {
///         Ok::<_, Error>(Counts { received: AtomicU32::new(0) })
///     }
/// }
///
/// /// Counts the datagrams that say "hello" and come from the address it expects.
/// struct Example {
///     from: SocketAddr,
/// }
///
/// impl Receiver for Example {
///     type NetData = Counts;
///
///     fn receive(&self, net: &Counts, source: SocketAddr, skb: OwnedSkBuff) {
///         if source == self.from && skb.data() == b"hello" {
///             net.received.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
///
/// /// Sends "hello" from `tunnel` to its own address and waits until `received` counts it.
/// fn hello<R: Receiver>(tunnel: &UdpTunnel<R>, received: &AtomicU32) -> Result {
///     let cache = DstCache::new(GFP_KERNEL)?;
///     let mut skb = OwnedSkBuff::alloc(tunnel.headroom() + 5, GFP_KERNEL)?;
///     skb.reserve(tunnel.headroom())?;
///     skb.put(5)?.copy_from_slice(b"hello");
///     tunnel.send(skb, tunnel.local(), &cache)?;
///     // Loopback hands the datagram to the receive softirq; wait for it.
///     for _ in 0..100 {
///         if received.load(Ordering::Relaxed) != 0 {
///             break;
///         }
///         fsleep(Delta::from_millis(10));
///     }
///     assert_eq!(received.load(Ordering::Relaxed), 1);
///     Ok(())
/// }
///
/// let net = Arc::new(pernet::Registration::<Counts>::new()?, GFP_KERNEL)?;
/// let received = &net.get(Net::init_ns()).received;
/// let lo = NetDevice::get_by_name(Net::init_ns(), c"lo")?;
/// // Until user space brings `lo` up, it has no address: no tunnel can use one.
/// let up = lo.is_running();
///
/// let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
/// // SAFETY: The initial namespace is never dismantled.
/// let tunnel = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(v4), net.clone(), Example { from: v4 }, GFP_KERNEL)
/// };
/// if up {
///     let tunnel = tunnel?;
///     assert_eq!(tunnel.ifindex(), lo.ifindex());
///     assert_ne!(tunnel.local().port(), 0);
///     assert_eq!(tunnel.encap_len(), 28);
///     drop(tunnel);
///     // The receiver checks the source: the tunnel's own address and port.
///     let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50618);
///     // SAFETY: The initial namespace is never dismantled.
///     let tunnel = unsafe {
///         UdpTunnel::new(Net::init_ns(), &Config::new(local), net.clone(),
///                        Example { from: local }, GFP_KERNEL)?
///     };
///     hello(&tunnel, received)?;
///     tunnel.join_multicast(IpAddr::V4(Ipv4Addr::new(239, 0, 0, 18)))?;
///     assert_eq!(
///         tunnel.join_multicast(IpAddr::V4(Ipv4Addr::new(239, 0, 0, 18))),
///         Err(EADDRINUSE)
///     );
/// } else {
///     assert_eq!(tunnel.err(), Some(ENODEV));
/// }
///
/// // A tunnel on the unspecified address needs no interface.
/// let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 50619);
/// // SAFETY: The initial namespace is never dismantled.
/// let tunnel = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(any), net.clone(), Example { from: any },
///                    GFP_KERNEL)?
/// };
/// assert_eq!(tunnel.ifindex(), 0);
/// assert_eq!(tunnel.local(), any);
/// // Its port is taken.
/// // SAFETY: The initial namespace is never dismantled.
/// let again = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(any), net.clone(), Example { from: any },
///                    GFP_KERNEL)
/// };
/// assert_eq!(again.err(), Some(EADDRINUSE));
/// // A group must be a multicast address of the tunnel's family.
/// assert_eq!(tunnel.join_multicast(IpAddr::V4(Ipv4Addr::LOCALHOST)), Err(EINVAL));
/// assert_eq!(tunnel.join_multicast(IpAddr::V6(Ipv6Addr::LOCALHOST)), Err(EAFNOSUPPORT));
/// // So must a destination.
/// let skb = OwnedSkBuff::alloc(0, GFP_KERNEL)?;
/// let cache = DstCache::new(GFP_KERNEL)?;
/// let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 50619);
/// assert_eq!(tunnel.send(skb, v6, &cache), Err(EAFNOSUPPORT));
/// drop(tunnel);
///
/// // A tunnel's address may not be a multicast one.
/// let group = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(239, 0, 0, 18)), 50619);
/// // SAFETY: The initial namespace is never dismantled.
/// let bad = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(group), net.clone(), Example { from: group },
///                    GFP_KERNEL)
/// };
/// assert_eq!(bad.err(), Some(EINVAL));
///
/// // IPv6, likewise.
/// received.store(0, Ordering::Relaxed);
/// let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 50620);
/// // SAFETY: The initial namespace is never dismantled.
/// let tunnel = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(v6), net.clone(), Example { from: v6 },
///                    GFP_KERNEL)
/// };
/// if up {
///     let tunnel = tunnel?;
///     assert_eq!(tunnel.encap_len(), 48);
///     hello(&tunnel, received)?;
///     let group = IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x18));
///     tunnel.join_multicast(group)?;
///     assert_eq!(tunnel.join_multicast(group), Err(EADDRINUSE));
/// } else {
///     assert_eq!(tunnel.err(), Some(ENODEV));
/// }
/// let any = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 50620);
/// // SAFETY: The initial namespace is never dismantled.
/// let tunnel = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(any).wildcard(true), net.clone(),
///                    Example { from: any }, GFP_KERNEL)?
/// };
/// assert_eq!(tunnel.join_multicast(IpAddr::V6(Ipv6Addr::LOCALHOST)), Err(EINVAL));
/// assert_eq!(tunnel.join_multicast(IpAddr::V4(Ipv4Addr::LOCALHOST)), Err(EAFNOSUPPORT));
/// drop(tunnel);
/// // Without `ipv6_only`, a tunnel on `::` holds its port for IPv4 too.
/// // SAFETY: The initial namespace is never dismantled.
/// let dual = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(any).ipv6_only(false), net.clone(),
///                    Example { from: any }, GFP_KERNEL)?
/// };
/// let v4_any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 50620);
/// // SAFETY: The initial namespace is never dismantled.
/// let v4 = unsafe {
///     UdpTunnel::new(Net::init_ns(), &Config::new(v4_any), net.clone(),
///                    Example { from: v4_any }, GFP_KERNEL)
/// };
/// assert_eq!(v4.err(), Some(EADDRINUSE));
/// drop(dual);
/// drop(net);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `sock` is a kernel UDP socket of the family of `local`, set up as a tunnel whose user data
/// points at `_inner`; it is released only when this value is dropped. `ifindex` is the index
/// of the interface that has the local address, or 0 for the unspecified address.
pub struct UdpTunnel<R: Receiver> {
    sock: NonNull<bindings::socket>,
    /// What the socket's user data points at; read only through that.
    _inner: KBox<Inner<R>>,
    local: SocketAddr,
    ifindex: i32,
    udp4_checksums: bool,
}

// SAFETY: The socket may be used and released from any process context, and the receiver and
// namespace data are `Send`.
unsafe impl<R: Receiver> Send for UdpTunnel<R> {}
// SAFETY: Sending and joining a group from several threads at once is what the kernel's own
// tunnels do: the socket state they change is under the socket's locks or per CPU.
unsafe impl<R: Receiver> Sync for UdpTunnel<R> {}

impl<R: Receiver> UdpTunnel<R> {
    /// Creates a tunnel in `net` as `config` says, whose datagrams go to `receiver`, with the
    /// data of `net` in `net_data`. Process context; it may sleep.
    ///
    /// `EINVAL` for a multicast local address, `ENODEV` if no interface of the namespace has
    /// the local address, `EADDRINUSE` if its port is taken, `ENOMEM` if memory is short.
    ///
    /// # Safety
    ///
    /// The tunnel must be dropped before `net` is dismantled: kernel sockets hold no reference
    /// to their namespace.
    pub unsafe fn new(
        net: &Net,
        config: &Config,
        net_data: Arc<pernet::Registration<R::NetData>>,
        receiver: R,
        flags: Flags,
    ) -> Result<Self> {
        let local = config.local;
        if local.ip().is_multicast() {
            return Err(EINVAL);
        }
        let ifindex = interface_of(net, local.ip())?;
        let inner = KBox::new(
            Inner {
                receiver,
                net: net_data,
            },
            flags,
        )?;

        let mut cfg = bindings::udp_port_cfg {
            local_udp_port: local.port().to_be(),
            ..Default::default()
        };
        let mut sock = ptr::null_mut();
        match local {
            SocketAddr::V4(addr) => {
                cfg.family = bindings::AF_INET as u8;
                if !config.wildcard {
                    cfg.__bindgen_anon_1.local_ip = in_addr(*addr.ip());
                }
                cfg.set_use_udp_checksums(config.udp4_checksums.into());
                // SAFETY: `net` is alive and `cfg` initialised; `sock` receives the socket.
                to_result(unsafe {
                    bindings::udp_sock_create4(net.as_raw(), &mut cfg, &mut sock)
                })?;
            }
            SocketAddr::V6(addr) => {
                cfg.family = bindings::AF_INET6 as u8;
                if !config.wildcard {
                    cfg.__bindgen_anon_1.local_ip6 = in6_addr(addr.ip());
                    // A link-local address is bound on its interface.
                    if is_link_local(addr.ip()) {
                        cfg.bind_ifindex = ifindex;
                    }
                }
                cfg.set_use_udp6_tx_checksums(1);
                cfg.set_use_udp6_rx_checksums(1);
                cfg.set_ipv6_v6only(config.ipv6_only.into());
                // SAFETY: `net` is alive and `cfg` initialised; `sock` receives the socket.
                to_result(unsafe {
                    bindings::udp_sock_create6(net.as_raw(), &mut cfg, &mut sock)
                })?;
            }
        }
        // `udp_sock_create*` returns a socket whenever it succeeds.
        let sock = NonNull::new(sock).ok_or(EINVAL)?;
        // SAFETY: `sock` is a socket just created, bound and not yet set up, with its `sk`.
        let sk = unsafe { (*sock.as_ptr()).sk };
        let mut tunnel_cfg = bindings::udp_tunnel_sock_cfg {
            sk_user_data: ptr::from_ref::<Inner<R>>(&inner).cast_mut().cast(),
            // Any type but 0 (no encapsulation) hands datagrams to `encap_rcv`.
            encap_type: 1,
            encap_rcv: Some(encap_rcv::<R>),
            ..Default::default()
        };
        // SAFETY: `sk` is a UDP socket of `net`. Its user data is the heap allocation of `inner`,
        // which the tunnel owns and drops only after `udp_tunnel_sock_release` cleared it and
        // `synchronize_net` waited for the readers; `encap_rcv::<R>` finds it there.
        unsafe { bindings::setup_udp_tunnel_sock(net.as_raw(), sk, &mut tunnel_cfg) };

        // INVARIANT: `sock` is set up above as the invariant says; `ifindex` is from
        // `interface_of`.
        let mut tunnel = Self {
            sock,
            _inner: inner,
            local,
            ifindex,
            udp4_checksums: config.udp4_checksums,
        };
        if local.port() == 0 {
            tunnel.local.set_port(bound_port(sock)?);
        }
        Ok(tunnel)
    }

    /// The local address and port: what the datagrams are received on and sent from.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The index of the interface that has the local address, 0 for the unspecified address.
    pub fn ifindex(&self) -> i32 {
        self.ifindex
    }

    /// The bytes the tunnel adds in front of a payload: an IP header without options and the
    /// UDP header.
    pub fn encap_len(&self) -> usize {
        match self.local {
            SocketAddr::V4(_) => IPV4_HEADER_LEN + UDP_HEADER_LEN,
            SocketAddr::V6(_) => IPV6_HEADER_LEN + UDP_HEADER_LEN,
        }
    }

    /// The headroom a buffer given to [`UdpTunnel::send`] should have: the tunnel's headers and
    /// room for a link-layer header (`LL_MAX_HEADER`). A buffer with less is reallocated.
    pub fn headroom(&self) -> usize {
        bindings::LL_MAX_HEADER as usize + self.encap_len()
    }

    /// The tunnel's socket.
    fn sk(&self) -> *mut bindings::sock {
        // SAFETY: The socket is alive while `self` is (type invariant), with its `sk`.
        unsafe { (*self.sock.as_ptr()).sk }
    }

    /// Sends `skb` as one datagram from the tunnel's address and port to `remote`, over the
    /// route `cache` keeps for `remote` (looked up and stored there if it keeps none).
    ///
    /// `cache` must be used for `remote` only. The buffer is consumed whatever the outcome:
    /// `EAFNOSUPPORT` if `remote` is not of the tunnel's family, the route lookup's error
    /// (`ENETUNREACH`, `EHOSTUNREACH`, ...), `ENOMEM` if the buffer lacked headroom and memory
    /// for more is short. Once routed, a datagram that is dropped (by a full queue, a
    /// firewall) is counted in the statistics, not reported. Process or softirq context.
    pub fn send(&self, mut skb: OwnedSkBuff, remote: SocketAddr, cache: &DstCache) -> Result {
        if self.local.is_ipv4() != remote.is_ipv4() {
            return Err(EAFNOSUPPORT);
        }
        skb.ensure_headroom(self.headroom())?;
        let sk = self.sk();
        // SAFETY: The socket is alive (type invariant), and with it its namespace.
        let net = unsafe { bindings::sock_net(sk) };
        let sport = self.local.port().to_be();
        let dport = remote.port().to_be();
        // The cache's per-CPU slots, and the transmit path, want bottom halves disabled.
        let _bh = BhDisabled::new();
        match (self.local, remote) {
            (SocketAddr::V4(local), SocketAddr::V4(remote)) => {
                let mut saddr = 0;
                // SAFETY: `cache` is initialised and bottom halves are disabled.
                let mut rt = unsafe { bindings::dst_cache_get_ip4(cache.as_raw(), &mut saddr) };
                if rt.is_null() {
                    let mut fl = bindings::flowi4 {
                        saddr: in_addr(*local.ip()).s_addr,
                        daddr: in_addr(*remote.ip()).s_addr,
                        ..Default::default()
                    };
                    fl.__fl_common.flowic_proto = bindings::IPPROTO_UDP as u8;
                    // SAFETY: `net` is alive and `fl` initialised.
                    rt = from_err_ptr(unsafe {
                        bindings::ip_route_output_flow(net, &mut fl, ptr::null())
                    })?;
                    saddr = fl.saddr;
                    // SAFETY: `rt` is a route we hold a reference to; the cache takes its own.
                    // Bottom halves are disabled.
                    unsafe {
                        bindings::dst_cache_set_ip4(cache.as_raw(), &raw mut (*rt).dst, saddr)
                    };
                }
                // SAFETY: We hold a reference to the route `rt`, from the cache or the lookup;
                // `udp_tunnel_xmit_skb` takes it, and the buffer, which is ours, has the
                // headroom for the IP and UDP headers. A stale route left on a buffer that was
                // sent before is dropped first, as the checksum code looks at the buffer's route.
                unsafe {
                    let ttl = bindings::ip4_dst_hoplimit(&raw const (*rt).dst);
                    let skb = skb.into_raw();
                    bindings::skb_dst_drop(skb);
                    bindings::udp_tunnel_xmit_skb(
                        rt,
                        sk,
                        skb,
                        saddr,
                        in_addr(*remote.ip()).s_addr,
                        0,
                        ttl as u8,
                        0,
                        sport,
                        dport,
                        false,
                        !self.udp4_checksums,
                        0,
                    )
                };
                Ok(())
            }
            (SocketAddr::V6(local), SocketAddr::V6(remote)) => {
                let mut saddr = bindings::in6_addr::default();
                // SAFETY: `cache` is initialised and bottom halves are disabled.
                let mut dst = unsafe { bindings::dst_cache_get_ip6(cache.as_raw(), &mut saddr) };
                if dst.is_null() {
                    let mut fl6 = bindings::flowi6 {
                        saddr: in6_addr(local.ip()),
                        daddr: in6_addr(remote.ip()),
                        ..Default::default()
                    };
                    fl6.__fl_common.flowic_oif = self.ifindex;
                    fl6.__fl_common.flowic_proto = bindings::IPPROTO_UDP as u8;
                    // SAFETY: `net` and `sk` are alive and `fl6` initialised.
                    dst = from_err_ptr(unsafe {
                        bindings::ip6_dst_lookup_flow(net, sk, &mut fl6, ptr::null())
                    })?;
                    saddr = fl6.saddr;
                    // SAFETY: `dst` is a route we hold a reference to; the cache takes its own.
                    // Bottom halves are disabled.
                    unsafe { bindings::dst_cache_set_ip6(cache.as_raw(), dst, &saddr) };
                }
                let daddr = in6_addr(remote.ip());
                // SAFETY: As for IPv4: we hold a reference to `dst`, which
                // `udp_tunnel6_xmit_skb` takes with the buffer, which has the headroom for the
                // headers; the buffer's stale route, if any, is dropped first, as
                // `udp_tunnel6_xmit_skb` sets its own without.
                unsafe {
                    let ttl = bindings::ip6_dst_hoplimit(dst);
                    let skb = skb.into_raw();
                    bindings::skb_dst_drop(skb);
                    bindings::udp_tunnel6_xmit_skb(
                        dst,
                        sk,
                        skb,
                        ptr::null_mut(),
                        &saddr,
                        &daddr,
                        0,
                        ttl as u8,
                        0,
                        sport,
                        dport,
                        false,
                        0,
                    )
                };
                Ok(())
            }
            _ => Err(EAFNOSUPPORT),
        }
    }

    /// Makes the tunnel receive the datagrams sent to multicast `group` on its interface (or,
    /// for a tunnel with none, the interface the route to the group gives). The socket must be
    /// bound to the unspecified address to receive them (see [`Config::wildcard`]). Leaving the
    /// group is dropping the tunnel.
    ///
    /// `EAFNOSUPPORT` if `group` is not of the tunnel's family, `EINVAL` if it is not a multicast
    /// address, `EADDRINUSE` if the tunnel already joined it, `ENODEV` if there is no interface,
    /// `ENOBUFS` past the namespace's limit of groups per socket. Process context; it may sleep.
    pub fn join_multicast(&self, group: IpAddr) -> Result {
        let sk = self.sk();
        match (self.local, group) {
            (SocketAddr::V4(_), IpAddr::V4(group)) => {
                let mut mreqn = bindings::ip_mreqn {
                    imr_multiaddr: in_addr(group),
                    imr_ifindex: self.ifindex,
                    ..Default::default()
                };
                // SAFETY: The socket is alive (type invariant); IPv4 group membership changes
                // under RTNL.
                to_result(unsafe {
                    bindings::rtnl_lock();
                    let ret = bindings::ip_mc_join_group(sk, &mut mreqn);
                    bindings::rtnl_unlock();
                    ret
                })
            }
            (SocketAddr::V6(_), IpAddr::V6(group)) => {
                let group = in6_addr(&group);
                // SAFETY: The socket is alive (type invariant); its IPv6 group list changes
                // under the socket lock.
                to_result(unsafe {
                    bindings::lock_sock(sk);
                    let ret = bindings::ipv6_sock_mc_join(sk, self.ifindex, &group);
                    bindings::release_sock(sk);
                    ret
                })
            }
            _ => Err(EAFNOSUPPORT),
        }
    }
}

impl<R: Receiver> Drop for UdpTunnel<R> {
    fn drop(&mut self) {
        // SAFETY: The socket is ours (type invariant) and released only here;
        // `udp_tunnel_sock_release` clears its user data before closing it, and `synchronize_net`
        // waits until every `encap_rcv::<R>` that could have read the old value has returned,
        // so `_inner` may be dropped after this.
        unsafe {
            bindings::udp_tunnel_sock_release(self.sk());
            bindings::synchronize_net();
        }
    }
}

/// Bottom halves disabled on this CPU while it exists.
struct BhDisabled(NotThreadSafe);

impl BhDisabled {
    fn new() -> Self {
        // SAFETY: Process or softirq context, by the callers' requirements; re-enabled on drop.
        unsafe { bindings::local_bh_disable() };
        Self(NotThreadSafe)
    }
}

impl Drop for BhDisabled {
    fn drop(&mut self) {
        // SAFETY: Disabled by `new`, on this CPU: the guard does not leave its thread.
        unsafe { bindings::local_bh_enable() };
    }
}

/// The index of the interface of `net` that has `addr`, 0 for the unspecified address;
/// `ENODEV` if none has it.
fn interface_of(net: &Net, addr: IpAddr) -> Result<i32> {
    if addr.is_unspecified() {
        return Ok(0);
    }
    let _rcu = rcu::read_lock();
    let dev = match addr {
        // SAFETY: `net` is alive; without a reference asked for, the device is valid under the
        // RCU read lock, which is held.
        IpAddr::V4(addr) => unsafe {
            bindings::__ip_dev_find(net.as_raw(), in_addr(addr).s_addr, false)
        },
        IpAddr::V6(addr) => {
            let addr = in6_addr(&addr);
            // SAFETY: `net` is alive; the device is valid under the RCU read lock, which is held.
            unsafe { bindings::ipv6_dev_find(net.as_raw(), &addr, ptr::null_mut()) }
        }
    };
    if dev.is_null() {
        return Err(ENODEV);
    }
    // SAFETY: `dev` is valid under the RCU read lock, which is held.
    Ok(unsafe { bindings::netdev_ifindex(dev) })
}

/// The port `sock` is bound to.
fn bound_port(sock: NonNull<bindings::socket>) -> Result<u16> {
    // Large enough for either family; both keep the port right after the family.
    let mut addr = bindings::sockaddr_in6::default();
    // SAFETY: `sock` is a bound socket; `getname` writes at most a `sockaddr_in6`.
    let ret = unsafe { bindings::kernel_getsockname(sock.as_ptr(), (&raw mut addr).cast()) };
    if ret < 0 {
        return Err(Error::from_errno(ret));
    }
    Ok(u16::from_be(addr.sin6_port))
}

fn in_addr(addr: Ipv4Addr) -> bindings::in_addr {
    bindings::in_addr {
        s_addr: u32::from_ne_bytes(addr.octets()),
    }
}

fn in6_addr(addr: &Ipv6Addr) -> bindings::in6_addr {
    bindings::in6_addr {
        in6_u: bindings::in6_addr__bindgen_ty_1 {
            u6_addr8: addr.octets(),
        },
    }
}

fn is_link_local(addr: &Ipv6Addr) -> bool {
    addr.segments()[0] & 0xffc0 == 0xfe80
}

/// The sender of the received datagram `skb`: the source of its IP header and of its UDP
/// header, at `skb->data`.
///
/// # Safety
///
/// `skb` must be a datagram the UDP receive path hands to `encap_rcv`: its network header and
/// UDP header linear, the latter at its data.
unsafe fn source_of(skb: *mut bindings::sk_buff) -> Option<SocketAddr> {
    // SAFETY: The caller guarantees the layout; the IP layer checked that the header is as
    // long as its version says, and the UDP layer that its header is there.
    unsafe {
        let udp = bindings::skb_data(skb);
        let port = u16::from_be_bytes([*udp, *udp.add(1)]);
        let ip = bindings::skb_network_header(skb);
        match *ip >> 4 {
            4 => {
                let mut addr = [0; 4];
                ptr::copy_nonoverlapping(ip.add(12), addr.as_mut_ptr(), addr.len());
                Some(SocketAddr::V4(SocketAddrV4::new(addr.into(), port)))
            }
            6 => {
                let mut addr = [0; 16];
                ptr::copy_nonoverlapping(ip.add(8), addr.as_mut_ptr(), addr.len());
                Some(SocketAddr::V6(SocketAddrV6::new(addr.into(), port, 0, 0)))
            }
            _ => None,
        }
    }
}

/// `udp_sock::encap_rcv` of tunnels with receiver `R`: takes every datagram (returns 0).
///
/// # Safety
///
/// Called by the UDP receive path under the RCU read lock, for the socket `sk` of a
/// [`UdpTunnel<R>`], whose user data is that tunnel's `Inner<R>` or, once released, null, with
/// `skb` a datagram whose reference is handed over, its data at the UDP header.
unsafe extern "C" fn encap_rcv<R: Receiver>(
    sk: *mut bindings::sock,
    skb: *mut bindings::sk_buff,
) -> c_int {
    let Some(skb) = NonNull::new(skb) else {
        return 0;
    };
    // SAFETY: `sk` is alive during the call, and we are under the RCU read lock.
    let inner = unsafe { bindings::rcu_dereference_sk_user_data(sk) }.cast::<Inner<R>>();
    // SAFETY: The datagram is as the receive path hands it over.
    let source = unsafe { source_of(skb.as_ptr()) };
    // SAFETY: The receive path hands over a reference to a buffer on no list.
    let Some(mut skb) = (unsafe { OwnedSkBuff::from_received(skb) }) else {
        return 0;
    };
    let Some(source) = source else {
        return 0;
    };
    if inner.is_null() || skb.pull(UDP_HEADER_LEN).is_err() {
        return 0;
    }
    // SAFETY: A non-null user data is the `Inner<R>` of a live tunnel, which is dropped only
    // after an RCU grace period that follows clearing it.
    let inner = unsafe { &*inner };
    // SAFETY: The socket's namespace is alive while the socket is (the tunnel is dropped before
    // it, by `UdpTunnel::new`'s safety requirement); its data, registered by `inner.net`, lives
    // as long.
    let net = unsafe { Net::from_raw(bindings::sock_net(sk)) };
    inner.receiver.receive(inner.net.get(net), source, skb);
    0
}
