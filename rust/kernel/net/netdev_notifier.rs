// SPDX-License-Identifier: GPL-2.0

//! Netdevice notifiers: being told when network devices appear, change and go.
//!
//! A [`Registration`] registers a [`Notifier`] with `register_netdevice_notifier`. Its callback
//! runs for the devices of every namespace, in process context with the RTNL lock held (so it
//! may sleep, and the device's properties do not change while it runs), and is given the
//! device, the [`Event`] and the notifier's data of the device's namespace.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).

use super::{
    netdevice::NetDevice,
    pernet::{self, Net, NetData},
};
use crate::{
    alloc::Flags,
    bindings,
    error::to_result,
    ffi::{c_int, c_ulong, c_void},
    prelude::*,
    sync::Arc,
    types::Opaque,
};

/// What happened to a device, as a netdevice notifier reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The device was registered (`NETDEV_REGISTER`); also reported, at registration of the
    /// notifier, for every device that exists.
    Register,
    /// The device came up (`NETDEV_UP`); also reported, at registration of the notifier, for
    /// every device that is up.
    Up,
    /// The device is about to go down (`NETDEV_GOING_DOWN`).
    GoingDown,
    /// The device went down (`NETDEV_DOWN`).
    Down,
    /// The device's state changed: its carrier, say (`NETDEV_CHANGE`).
    Change,
    /// The device's MTU changed (`NETDEV_CHANGEMTU`).
    ChangeMtu,
    /// The device's hardware address changed (`NETDEV_CHANGEADDR`).
    ChangeAddr,
    /// The device was renamed (`NETDEV_CHANGENAME`).
    ChangeName,
    /// The device is being unregistered (`NETDEV_UNREGISTER`): references to it must go. Also
    /// reported, when the notifier is unregistered, for every device that exists.
    Unregister,
}

impl Event {
    /// The event for `NETDEV_*` value `event`, if it is one of those above.
    fn from_raw(event: c_ulong) -> Option<Self> {
        let event = bindings::netdev_cmd::try_from(event).ok()?;
        Some(match event {
            bindings::netdev_cmd_NETDEV_REGISTER => Self::Register,
            bindings::netdev_cmd_NETDEV_UP => Self::Up,
            bindings::netdev_cmd_NETDEV_GOING_DOWN => Self::GoingDown,
            bindings::netdev_cmd_NETDEV_DOWN => Self::Down,
            bindings::netdev_cmd_NETDEV_CHANGE => Self::Change,
            bindings::netdev_cmd_NETDEV_CHANGEMTU => Self::ChangeMtu,
            bindings::netdev_cmd_NETDEV_CHANGEADDR => Self::ChangeAddr,
            bindings::netdev_cmd_NETDEV_CHANGENAME => Self::ChangeName,
            bindings::netdev_cmd_NETDEV_UNREGISTER => Self::Unregister,
            _ => return None,
        })
    }
}

/// A netdevice notifier: what a subsystem does when devices change.
pub trait Notifier: Send + Sync + 'static {
    /// The per-namespace data the callback is given.
    type NetData: NetData;

    /// Called when `event` happens to `dev`, with `net`, the data of the namespace `dev` is in.
    ///
    /// Process context, with the RTNL lock held: it may sleep, but must not take the RTNL lock
    /// or wait for anything that does.
    fn notify(&self, net: &Self::NetData, dev: &NetDevice, event: Event);
}

/// The notifier block and what its callback needs, in one allocation that does not move while
/// registered.
#[repr(C)]
struct Inner<N: Notifier> {
    nb: Opaque<bindings::notifier_block>,
    notifier: N,
    net: Arc<pernet::Registration<N::NetData>>,
}

/// A registration of a netdevice [`Notifier`]; dropping it unregisters the notifier, after which
/// its callback no longer runs.
///
/// It holds the registration of the namespace data, so the data outlives every call.
///
/// # Examples
///
/// Registering replays `Register` for every existing device, loopback included, and
/// unregistering replays `Unregister`:
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::netdev_notifier::{Event, Notifier, Registration};
/// use kernel::net::netdevice::NetDevice;
/// use kernel::net::pernet::{self, Net, NetData, NewNet, Pernet};
/// use kernel::prelude::*;
/// use kernel::sync::Arc;
///
/// struct Devices {
///     registered: AtomicU32,
/// }
///
/// static DEVICES: Pernet<Devices> = Pernet::new();
///
/// impl NetData for Devices {
///     fn pernet() -> &'static Pernet<Self> {
///         &DEVICES
///     }
///
///     fn init(_net: &NewNet) -> impl PinInit<Self, Error> {
///         Ok::<_, Error>(Devices { registered: AtomicU32::new(0) })
///     }
/// }
///
/// /// Counts the loopback devices that come and go, in every namespace.
/// struct Watcher {
///     gone: Arc<AtomicU32>,
/// }
///
/// impl Notifier for Watcher {
///     type NetData = Devices;
///
///     fn notify(&self, net: &Devices, dev: &NetDevice, event: Event) {
///         if dev.name().as_bytes() != b"lo" {
///             return;
///         }
///         match event {
///             Event::Register => {
///                 net.registered.fetch_add(1, Ordering::Relaxed);
///             }
///             Event::Unregister => {
///                 self.gone.fetch_add(1, Ordering::Relaxed);
///             }
///             _ => {}
///         }
///     }
/// }
///
/// let net = Arc::new(pernet::Registration::<Devices>::new()?, GFP_KERNEL)?;
/// let gone = Arc::new(AtomicU32::new(0), GFP_KERNEL)?;
/// let watcher = Watcher { gone: gone.clone() };
/// let reg = Registration::new(net.clone(), watcher, GFP_KERNEL)?;
/// assert_eq!(net.get(Net::init_ns()).registered.load(Ordering::Relaxed), 1);
/// drop(reg);
/// assert!(gone.load(Ordering::Relaxed) >= 1);
/// # Ok::<(), Error>(())
/// ```
pub struct Registration<N: Notifier> {
    inner: Pin<KBox<Inner<N>>>,
}

// SAFETY: The C structure is only written before registration; after that the kernel reads it,
// and the callback reads the rest, from any thread. Dropping the registration from any thread
// is fine: unregistering may be done from any process context.
unsafe impl<N: Notifier> Send for Registration<N> {}
// SAFETY: A shared reference to the registration gives access to nothing.
unsafe impl<N: Notifier> Sync for Registration<N> {}

impl<N: Notifier> Registration<N> {
    /// Registers `notifier`, whose callback is given the data of the device's namespace in
    /// `net`. Before this returns, the callback sees `Register` (and `Up` for devices that are
    /// up) for every existing device. Process context; it takes the RTNL lock.
    pub fn new(
        net: Arc<pernet::Registration<N::NetData>>,
        notifier: N,
        flags: Flags,
    ) -> Result<Self> {
        let inner = KBox::pin(
            Inner {
                nb: Opaque::new(bindings::notifier_block {
                    notifier_call: Some(notifier_call::<N>),
                    ..Default::default()
                }),
                notifier,
                net,
            },
            flags,
        )?;
        // SAFETY: The notifier block is initialised and pinned in the allocation, which lives
        // until `drop` unregisters it; `notifier_call::<N>` finds the rest of `Inner` beside it.
        to_result(unsafe { bindings::register_netdevice_notifier(inner.nb.get()) })?;
        Ok(Self { inner })
    }
}

impl<N: Notifier> Drop for Registration<N> {
    fn drop(&mut self) {
        // SAFETY: Registered by `new`. Once this returns (it takes the RTNL lock, under which
        // callbacks run) the callback no longer runs, so the allocation may go.
        unsafe { bindings::unregister_netdevice_notifier(self.inner.nb.get()) };
    }
}

/// `notifier_block::notifier_call` of notifier `N`.
///
/// # Safety
///
/// Called by the netdevice notifier chain, with the RTNL lock held, for the `nb` of an
/// `Inner<N>` that [`Registration::new`] registered, and `ptr` the event's
/// `struct netdev_notifier_info`.
unsafe extern "C" fn notifier_call<N: Notifier>(
    nb: *mut bindings::notifier_block,
    event: c_ulong,
    ptr: *mut c_void,
) -> c_int {
    let Some(event) = Event::from_raw(event) else {
        return bindings::NOTIFY_DONE as c_int;
    };
    // SAFETY: `nb` is the `nb` field of a registered `Inner<N>`, which lives while registered.
    let inner = unsafe { &*crate::container_of!(nb.cast::<Opaque<_>>(), Inner<N>, nb) };
    // SAFETY: Every netdevice event comes with a `struct netdev_notifier_info` at `ptr`, whose
    // device is alive during the call.
    let dev = unsafe { bindings::netdev_notifier_info_to_dev(ptr.cast()) };
    // SAFETY: As above, the device is alive during the call.
    let dev = unsafe { NetDevice::from_raw(dev) };
    // SAFETY: With the RTNL lock held the device does not change namespace, and a namespace
    // lives as long as it has devices; so does its data (registered by `inner.net`), which is
    // created before the namespace's devices and dropped after they are gone.
    let net = unsafe { Net::from_raw(bindings::dev_net(dev.as_raw())) };
    inner.notifier.notify(inner.net.get(net), dev, event);
    bindings::NOTIFY_DONE as c_int
}
