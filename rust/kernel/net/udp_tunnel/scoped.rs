// SPDX-License-Identifier: GPL-2.0

//! UDP tunnels that never outlive their namespace.
//!
//! A kernel socket holds no reference to its namespace, so a [`UdpTunnel`] must be dropped
//! before its namespace is dismantled, which [`UdpTunnel::new`] leaves to its (unsafe) caller.
//! A [`ScopedTunnel`] is a tunnel that the namespace itself lets go of: every tunnel created
//! through a [`pernet::Registration`] of [`NetTunnels`] is listed in the data that registration
//! keeps for the tunnel's namespace, and when that data is dropped (the namespace is being
//! dismantled, or the registration dropped) each listed tunnel is revoked: its socket is
//! released, its receiver is called no more, and [`ScopedTunnel::send`] fails with `ENODEV`.
//! Dropping the handle earlier releases the socket then.
//!
//! This is what protocols written in C do by hand (their per-namespace `exit` disables the
//! bearers or devices that own tunnel sockets); here the pernet registration does it, so that
//! creating a tunnel needs no `unsafe` and keeps no reference that would hold the namespace
//! alive.

use super::{Config, Receiver, UdpTunnel};
use crate::{
    alloc::Flags,
    net::{
        dst_cache::DstCache,
        pernet::{self, Net, NetData, NewNet, Pernet},
        skb::OwnedSkBuff,
    },
    prelude::*,
    revocable::Revocable,
    static_lock_class,
    sync::{Arc, LockClassKey, Mutex},
};
use core::net::{IpAddr, SocketAddr};

/// A [`Receiver`] whose tunnels are [`ScopedTunnel`]s: it names the static storage of the
/// per-namespace lists of its tunnels, as [`NetData::pernet`] does for other data.
pub trait Scoped: Receiver + Sized {
    /// The storage of the registration of [`NetTunnels<Self>`].
    fn tunnels() -> &'static Pernet<NetTunnels<Self>>;
}

/// A namespace's tunnels, and whether the namespace let go of them.
struct TunnelList<R: Receiver> {
    /// Set when the namespace's data was dropped: no tunnel may be added any more.
    dead: bool,
    tunnels: KVec<Arc<Revocable<UdpTunnel<R>>>>,
}

/// The list of tunnels of one namespace, shared by the namespace's data and the tunnels' handles.
///
/// A tunnel is revoked only under this lock, so a thread holding it sees a tunnel that is not
/// revoked stay so. Process context only: revoking sleeps.
type SharedList<R> = Arc<Mutex<TunnelList<R>>>;

/// The name and lockdep class of every tunnel list's lock.
///
/// Defined here, outside the generic code: `new_mutex!` there would put the name in each
/// crate that instantiates it (a module), under the one class key of this crate, and lockdep
/// warns about one key with two names.
fn list_lock_class() -> (&'static CStr, Pin<&'static LockClassKey>) {
    static NAME: &CStr = c"udp_tunnel_list";
    (NAME, static_lock_class!())
}

/// The per-namespace data of a registration of tunnels with receiver `R`: the tunnels of the
/// namespace, each revoked when this data is dropped.
///
/// Register it (a [`pernet::Registration<NetTunnels<R>>`]) after the data the receiver is given,
/// so that it is unregistered, and its tunnels revoked, first.
pub struct NetTunnels<R: Receiver> {
    list: SharedList<R>,
}

impl<R: Scoped> NetData for NetTunnels<R> {
    fn pernet() -> &'static Pernet<Self> {
        R::tunnels()
    }

    fn init(_net: &NewNet) -> impl PinInit<Self, Error> {
        let (name, class) = list_lock_class();
        let list = Arc::pin_init(
            Mutex::new(
                TunnelList {
                    dead: false,
                    tunnels: KVec::new(),
                },
                name,
                class,
            ),
            GFP_KERNEL,
        );
        list.map(|list| Self { list })
    }
}

impl<R: Receiver> Drop for NetTunnels<R> {
    fn drop(&mut self) {
        let mut list = self.list.lock();
        list.dead = true;
        for tunnel in list.tunnels.drain_all() {
            tunnel.revoke();
        }
    }
}

/// A UDP tunnel of a namespace, released when the namespace is dismantled if it was not
/// dropped before.
///
/// Dropping it (process context: it may sleep) releases the socket, as dropping a [`UdpTunnel`]
/// does. The tunnel's address, interface and lengths stay readable once it is revoked.
///
/// # Examples
///
/// The tunnels go with their registration, as with their namespace:
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr, SocketAddr};
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::dst_cache::DstCache;
/// use kernel::net::netdevice::NetDevice;
/// use kernel::net::pernet::{self, Net, NetData, NewNet, Pernet};
/// use kernel::net::skb::OwnedSkBuff;
/// use kernel::net::udp_tunnel::scoped::{NetTunnels, Scoped, ScopedTunnel};
/// use kernel::net::udp_tunnel::{Config, Receiver};
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
/// /// Counts what it receives.
/// struct Counter;
///
/// impl Receiver for Counter {
///     type NetData = Counts;
///
///     fn receive(&self, net: &Counts, _source: SocketAddr, _skb: OwnedSkBuff) {
///         net.received.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// static TUNNELS: Pernet<NetTunnels<Counter>> = Pernet::new();
///
/// impl Scoped for Counter {
///     fn tunnels() -> &'static Pernet<NetTunnels<Self>> {
///         &TUNNELS
///     }
/// }
///
/// fn hello(tunnel: &ScopedTunnel<Counter>, to: SocketAddr, cache: &DstCache) -> Result {
///     let mut skb = OwnedSkBuff::alloc(tunnel.headroom() + 5, GFP_KERNEL)?;
///     skb.reserve(tunnel.headroom())?;
///     skb.put(5)?.copy_from_slice(b"hello");
///     tunnel.send(skb, to, cache)
/// }
///
/// let counts = Arc::new(pernet::Registration::<Counts>::new()?, GFP_KERNEL)?;
/// let tunnels = pernet::Registration::<NetTunnels<Counter>>::new()?;
/// let ns = Net::init_ns();
/// let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 50630);
/// let tunnel = ScopedTunnel::new(&tunnels, ns, &Config::new(any), counts.clone(), Counter,
///                                GFP_KERNEL)?;
/// assert_eq!(tunnel.local(), any);
/// assert_eq!(tunnel.encap_len(), 28);
/// // Its port is taken while it lives.
/// let again = ScopedTunnel::new(&tunnels, ns, &Config::new(any), counts.clone(), Counter,
///                               GFP_KERNEL);
/// assert_eq!(again.err(), Some(EADDRINUSE));
/// assert_eq!(tunnel.join_multicast(IpAddr::V4(Ipv4Addr::LOCALHOST)), Err(EINVAL));
///
/// let cache = DstCache::new(GFP_KERNEL)?;
/// let lo = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50630);
/// if NetDevice::get_by_name(ns, c"lo")?.is_running() {
///     hello(&tunnel, lo, &cache)?;
///     let received = &counts.get(ns).received;
///     for _ in 0..100 {
///         if received.load(Ordering::Relaxed) != 0 {
///             break;
///         }
///         fsleep(Delta::from_millis(10));
///     }
///     assert_eq!(received.load(Ordering::Relaxed), 1);
/// }
///
/// // Dropping the registration (as dismantling the namespace) revokes the tunnel: its port is
/// // free, and sending fails.
/// let sender = tunnel.sender();
/// drop(tunnels);
/// assert!(tunnel.is_revoked());
/// assert_eq!(hello(&tunnel, lo, &cache), Err(ENODEV));
/// assert_eq!(sender.send(OwnedSkBuff::alloc(0, GFP_KERNEL)?, lo, &cache), Err(ENODEV));
/// assert_eq!(tunnel.join_multicast(IpAddr::V4(Ipv4Addr::new(239, 0, 0, 18))), Err(ENODEV));
/// let tunnels = pernet::Registration::<NetTunnels<Counter>>::new()?;
/// let other = ScopedTunnel::new(&tunnels, ns, &Config::new(any), counts.clone(), Counter,
///                               GFP_KERNEL)?;
/// // A handle dropped first releases its socket at once.
/// drop(other);
/// let last = ScopedTunnel::new(&tunnels, ns, &Config::new(any), counts.clone(), Counter,
///                              GFP_KERNEL)?;
/// drop(tunnel);
/// drop(tunnels);
/// drop(last);
/// drop(counts);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `tunnel` is listed in `list` until it is revoked, which happens under `list`'s lock only;
/// `list` is the list of the data of the tunnel's namespace in a registration of
/// [`NetTunnels<R>`], which revokes every listed tunnel before the namespace is dismantled.
pub struct ScopedTunnel<R: Receiver> {
    tunnel: Arc<Revocable<UdpTunnel<R>>>,
    list: SharedList<R>,
    local: SocketAddr,
    ifindex: i32,
    encap_len: usize,
    headroom: usize,
}

impl<R: Scoped> ScopedTunnel<R> {
    /// Creates a tunnel in `net` as [`UdpTunnel::new`] does, listed in the data of `net` in
    /// `tunnels`, which revokes it when the namespace is dismantled or `tunnels` is dropped.
    /// Process context; it may sleep.
    ///
    /// The errors of [`UdpTunnel::new`]; `ENODEV` if the namespace already let go of its
    /// tunnels.
    pub fn new(
        tunnels: &pernet::Registration<NetTunnels<R>>,
        net: &Net,
        config: &Config,
        net_data: Arc<pernet::Registration<R::NetData>>,
        receiver: R,
        flags: Flags,
    ) -> Result<Self> {
        let list = tunnels.get(net).list.clone();
        // SAFETY: `net` is alive for this call. Before the call returns, the tunnel is either
        // dropped or listed in `net`'s data in `tunnels`, which revokes (drops) it when that data
        // is dropped: when `net` is dismantled (its data is dropped before the namespace's
        // sockets go, as `tunnels` is registered after UDP's own per-namespace operations), or
        // when `tunnels` is unregistered.
        let tunnel = unsafe { UdpTunnel::new(net, config, net_data, receiver, flags)? };
        let local = tunnel.local();
        let ifindex = tunnel.ifindex();
        let encap_len = tunnel.encap_len();
        let headroom = tunnel.headroom();
        let tunnel = Arc::pin_init(Revocable::new(tunnel), flags)?;
        let mut guard = list.lock();
        let listed = if guard.dead {
            Err(ENODEV)
        } else {
            guard
                .tunnels
                .push(tunnel.clone(), flags)
                .map_err(Error::from)
        };
        drop(guard);
        if let Err(e) = listed {
            tunnel.revoke();
            return Err(e);
        }
        // INVARIANT: Listed above in `net`'s list, which was not dead.
        Ok(Self {
            tunnel,
            list,
            local,
            ifindex,
            encap_len,
            headroom,
        })
    }
}

impl<R: Receiver> ScopedTunnel<R> {
    /// The local address and port: what the datagrams are received on and sent from.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The index of the interface that has the local address, 0 for the unspecified address.
    pub fn ifindex(&self) -> i32 {
        self.ifindex
    }

    /// The bytes the tunnel adds in front of a payload (see [`UdpTunnel::encap_len`]).
    pub fn encap_len(&self) -> usize {
        self.encap_len
    }

    /// The headroom a buffer to send should have (see [`UdpTunnel::headroom`]).
    pub fn headroom(&self) -> usize {
        self.headroom
    }

    /// Whether the namespace let go of the tunnel: its socket is released.
    pub fn is_revoked(&self) -> bool {
        self.tunnel.try_access().is_none()
    }

    /// Sends `skb` to `remote` as [`UdpTunnel::send`] does; `ENODEV` once the tunnel is revoked.
    /// The buffer is consumed whatever the outcome. Process or softirq context.
    pub fn send(&self, skb: OwnedSkBuff, remote: SocketAddr, cache: &DstCache) -> Result {
        send(&self.tunnel, skb, remote, cache)
    }

    /// A handle that sends on this tunnel, for a sender that may hold it longer than the
    /// tunnel lives (a packet queued while the tunnel is dropped).
    pub fn sender(&self) -> TunnelSender<R> {
        TunnelSender(self.tunnel.clone())
    }

    /// Joins multicast `group` as [`UdpTunnel::join_multicast`] does; `ENODEV` once the tunnel
    /// is revoked. Process context; it may sleep.
    pub fn join_multicast(&self, group: IpAddr) -> Result {
        let _list = self.list.lock();
        if self.is_revoked() {
            return Err(ENODEV);
        }
        // SAFETY: The tunnel was not revoked just now, and is revoked only under the list's
        // lock (type invariant), which is held until the reference is no longer used.
        let tunnel = unsafe { self.tunnel.access() };
        tunnel.join_multicast(group)
    }
}

/// Sends on a [`ScopedTunnel`] (see [`ScopedTunnel::sender`]); once the tunnel is dropped or
/// revoked, sending fails with `ENODEV`.
///
/// It never holds the tunnel's socket alone, so dropping it never sleeps: a tunnel's socket is
/// released by its [`ScopedTunnel`] or by its namespace, both of which hold the tunnel until
/// they revoke it.
pub struct TunnelSender<R: Receiver>(Arc<Revocable<UdpTunnel<R>>>);

impl<R: Receiver> Clone for TunnelSender<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<R: Receiver> TunnelSender<R> {
    /// Sends as [`ScopedTunnel::send`] does. Process or softirq context.
    pub fn send(&self, skb: OwnedSkBuff, remote: SocketAddr, cache: &DstCache) -> Result {
        send(&self.0, skb, remote, cache)
    }
}

/// Sends `skb` on `tunnel` if it is not revoked, else consumes it and fails with `ENODEV`.
fn send<R: Receiver>(
    tunnel: &Revocable<UdpTunnel<R>>,
    skb: OwnedSkBuff,
    remote: SocketAddr,
    cache: &DstCache,
) -> Result {
    match tunnel.try_access() {
        Some(tunnel) => tunnel.send(skb, remote, cache),
        None => {
            skb.consume();
            Err(ENODEV)
        }
    }
}

impl<R: Receiver> Drop for ScopedTunnel<R> {
    fn drop(&mut self) {
        let mut list = self.list.lock();
        list.tunnels.retain(|t| !Arc::ptr_eq(t, &self.tunnel));
        // Under the lock, so that a namespace letting go of its tunnels at the same time returns
        // only once the socket is released.
        self.tunnel.revoke();
    }
}
