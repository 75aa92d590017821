// SPDX-License-Identifier: GPL-2.0

//! Link-layer protocols: receiving and transmitting the frames of one ethertype.
//!
//! A [`Registration`] registers a `struct packet_type` (`dev_add_pack`) for an ethertype, on
//! one device or on all; its [`Receiver`] gets every such frame in softirq context, with the
//! per-namespace data of the device's namespace. [`alloc`] and [`transmit`] build and send a
//! frame on a device, behind its link-layer header.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).

use super::{
    netdevice::NetDevice,
    pernet::{self, Net, NetData},
    skb::OwnedSkBuff,
};
use crate::{
    alloc::Flags,
    bindings,
    ffi::c_int,
    prelude::*,
    sync::{aref::ARef, Arc},
    types::Opaque,
};
use core::ptr::{self, NonNull};

/// The ethertype of TIPC (`ETH_P_TIPC`).
pub const ETH_P_TIPC: u16 = bindings::ETH_P_TIPC as u16;

/// A link-layer protocol's receive handler.
pub trait Receiver: Send + Sync + 'static {
    /// The per-namespace data the handler is given.
    type NetData: NetData;

    /// Called for every frame of the registered ethertype received on `dev` (data at the
    /// network header, the link-layer header pulled), with `net`, the data of the namespace
    /// `dev` is in.
    ///
    /// Softirq context (or process context with bottom halves disabled), under the RCU read
    /// lock: it must not sleep, and allocates with `GFP_ATOMIC`. It runs on several CPUs at once
    /// for frames received on different queues or devices.
    fn receive(&self, net: &Self::NetData, dev: &NetDevice, skb: OwnedSkBuff);
}

/// The `packet_type` and what its callback needs, in one allocation that does not move while
/// registered.
#[repr(C)]
struct Inner<R: Receiver> {
    pt: Opaque<bindings::packet_type>,
    receiver: R,
    net: Arc<pernet::Registration<R::NetData>>,
    dev: Option<ARef<NetDevice>>,
}

/// A registration of a link-layer protocol's [`Receiver`] for one ethertype; dropping it
/// unregisters the handler and waits until no call of it is running.
///
/// It holds the registration of the namespace data, so the data outlives every call; if it is
/// for one device, it holds a reference to the device, so it must be dropped when the device is
/// unregistered (a netdevice notifier reports that).
///
/// # Examples
///
/// A frame sent on the loopback device to its own address comes back to the handler:
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::netdevice::NetDevice;
/// use kernel::net::packet::{self, Receiver, Registration};
/// use kernel::net::pernet::{self, Net, NetData, NewNet, Pernet};
/// use kernel::net::skb::OwnedSkBuff;
/// use kernel::prelude::*;
/// use kernel::sync::Arc;
/// use kernel::time::{delay::fsleep, Delta};
///
/// /// An ethertype for local experiments (IEEE 802 Local Experimental Ethertype 1).
/// const ETH_P_EXAMPLE: u16 = 0x88b5;
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
/// struct Example;
///
/// impl Receiver for Example {
///     type NetData = Counts;
///
///     fn receive(&self, net: &Counts, dev: &NetDevice, skb: OwnedSkBuff) {
///         if dev.name().as_bytes() == b"lo" && skb.data() == b"hello" {
///             net.received.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
///
/// let lo = NetDevice::get_by_name(Net::init_ns(), c"lo")?;
/// let net = Arc::new(pernet::Registration::<Counts>::new()?, GFP_KERNEL)?;
/// let reg = Registration::new(ETH_P_EXAMPLE, Some(&lo), net.clone(), Example, GFP_KERNEL)?;
///
/// let mut skb = packet::alloc(&lo, 5, GFP_KERNEL)?;
/// assert!(skb.headroom() >= usize::from(lo.hard_header_len()));
/// skb.put(5)?.copy_from_slice(b"hello");
/// let received = &net.get(Net::init_ns()).received;
/// // A device that is down drops what it is given (and says so only by congestion, which
/// // counts as success): until user space brings `lo` up, nothing comes back.
/// let up = lo.is_running();
/// packet::transmit(skb, &lo, ETH_P_EXAMPLE, lo.addr().as_bytes())?;
/// if up {
///     // Loopback hands the frame to the receive softirq; wait for it.
///     for _ in 0..100 {
///         if received.load(Ordering::Relaxed) != 0 {
///             break;
///         }
///         fsleep(Delta::from_millis(10));
///     }
///     assert_eq!(received.load(Ordering::Relaxed), 1);
/// }
///
/// // A destination address must have the device's address length.
/// let skb = packet::alloc(&lo, 0, GFP_KERNEL)?;
/// assert_eq!(packet::transmit(skb, &lo, ETH_P_EXAMPLE, &[0; 2]), Err(EINVAL));
/// drop(reg);
/// # Ok::<(), Error>(())
/// ```
pub struct Registration<R: Receiver> {
    inner: Pin<KBox<Inner<R>>>,
}

// SAFETY: The C structure is only written before registration; after that the kernel reads it,
// and the callback reads the rest, from any thread. Dropping the registration from any thread
// is fine: unregistering may be done from any process context.
unsafe impl<R: Receiver> Send for Registration<R> {}
// SAFETY: A shared reference to the registration gives access to nothing.
unsafe impl<R: Receiver> Sync for Registration<R> {}

impl<R: Receiver> Registration<R> {
    /// Registers `receiver` for frames of `ethertype` received on `dev`, or on every device if
    /// `dev` is `None`; it is given the data of the device's namespace in `net`.
    pub fn new(
        ethertype: u16,
        dev: Option<&NetDevice>,
        net: Arc<pernet::Registration<R::NetData>>,
        receiver: R,
        flags: Flags,
    ) -> Result<Self> {
        let dev: Option<ARef<NetDevice>> = dev.map(Into::into);
        let dev_ptr = dev.as_ref().map_or(ptr::null_mut(), |dev| dev.as_raw());
        let inner = KBox::pin(
            Inner {
                pt: Opaque::new(bindings::packet_type {
                    type_: ethertype.to_be(),
                    dev: dev_ptr,
                    func: Some(receive::<R>),
                    ..Default::default()
                }),
                receiver,
                net,
                dev,
            },
            flags,
        )?;
        // SAFETY: The `packet_type` is initialised and pinned in the allocation, which lives
        // until `drop` removes it; `receive::<R>` finds the rest of `Inner` beside it. The device
        // it names, if any, is held by `inner.dev` for as long.
        unsafe { bindings::dev_add_pack(inner.pt.get()) };
        Ok(Self { inner })
    }
}

impl<R: Receiver> Drop for Registration<R> {
    fn drop(&mut self) {
        // SAFETY: Added by `new`. `dev_remove_pack` waits (`synchronize_net`) until no call of
        // `receive::<R>` that could see it is running, so the allocation may go.
        unsafe { bindings::dev_remove_pack(self.inner.pt.get()) };
    }
}

/// `packet_type::func` of receiver `R`.
///
/// # Safety
///
/// Called by the receive path under the RCU read lock, for the `pt` of an `Inner<R>` that
/// [`Registration::new`] added, with `skb` a received buffer whose reference is handed over and
/// `dev` the device it arrived on.
unsafe extern "C" fn receive<R: Receiver>(
    skb: *mut bindings::sk_buff,
    dev: *mut bindings::net_device,
    pt: *mut bindings::packet_type,
    _orig_dev: *mut bindings::net_device,
) -> c_int {
    // SAFETY: `pt` is the `pt` field of an added `Inner<R>`, which lives while added.
    let inner = unsafe { &*crate::container_of!(pt.cast::<Opaque<_>>(), Inner<R>, pt) };
    let Some(skb) = NonNull::new(skb) else {
        return bindings::NET_RX_DROP as c_int;
    };
    // SAFETY: The receive path hands over a reference to a buffer on no list.
    let Some(skb) = (unsafe { OwnedSkBuff::from_received(skb) }) else {
        return bindings::NET_RX_DROP as c_int;
    };
    // SAFETY: The device a frame arrived on is alive during the call.
    let dev = unsafe { NetDevice::from_raw(dev) };
    // SAFETY: The device is in its namespace during the call (a device leaves a namespace only
    // after `synchronize_net`), and a namespace lives as long as it has devices; so does its
    // data (registered by `inner.net`), which is created before the namespace's devices and
    // dropped after they are gone.
    let net = unsafe { Net::from_raw(bindings::dev_net(dev.as_raw())) };
    inner.receiver.receive(inner.net.get(net), dev, skb);
    bindings::NET_RX_SUCCESS as c_int
}

/// A buffer for a frame of `len` bytes to be transmitted on `dev`: empty, with headroom for the
/// device's link-layer header (`LL_RESERVED_SPACE`) and the tailroom the device needs.
pub fn alloc(dev: &NetDevice, len: usize, flags: Flags) -> Result<OwnedSkBuff> {
    let headroom = dev.ll_reserved_space() as usize;
    let size = headroom
        .checked_add(len)
        .and_then(|size| size.checked_add(usize::from(dev.needed_tailroom())))
        .ok_or(EMSGSIZE)?;
    let mut skb = OwnedSkBuff::alloc(size, flags)?;
    skb.reserve(headroom)?;
    Ok(skb)
}

/// Transmits `skb` on `dev` as a frame of `ethertype` to hardware address `dest`, behind the
/// device's link-layer header (`dev_hard_header`, then `dev_queue_xmit`).
///
/// The buffer is consumed whatever the outcome. `EINVAL` if `dest` is not as long as the device's
/// addresses or the header could not be built, `ENOMEM` if the buffer lacked headroom and memory
/// for more is short, `ENOBUFS` if the device's queue dropped the frame, `ENETDOWN` if a device
/// without a queue is down. A device with a queue that is down drops the frame and reports
/// congestion (`NET_XMIT_CN`), which counts as success, as C's `net_xmit_errno` has it: check
/// [`NetDevice::is_running`] first where it matters. Process or softirq context, not with
/// hardirqs disabled.
pub fn transmit(mut skb: OwnedSkBuff, dev: &NetDevice, ethertype: u16, dest: &[u8]) -> Result {
    if dest.len() != dev.addr().as_bytes().len() {
        return Err(EINVAL);
    }
    let len = u32::try_from(skb.len()).map_err(|_| EINVAL)?;
    skb.ensure_headroom(dev.ll_reserved_space() as usize)?;
    let raw = skb.as_raw();
    // SAFETY: The buffer is ours with a header of its own and enough headroom for the
    // device's header, and the device is alive; `dest` has the device's address length, which
    // is what `header_ops->create` reads (a null source means the device's own address).
    let ret = unsafe {
        bindings::skb_prepare_xmit(raw, dev.as_raw(), ethertype);
        bindings::dev_hard_header(
            raw,
            dev.as_raw(),
            ethertype,
            dest.as_ptr().cast(),
            ptr::null(),
            len,
        )
    };
    if ret < 0 {
        return Err(EINVAL);
    }
    // SAFETY: The buffer is ready for the device, which is alive; `dev_queue_xmit` takes our
    // reference whatever it returns.
    let ret = unsafe { bindings::dev_queue_xmit(skb.into_raw()) };
    match ret {
        0 => Ok(()),
        r if r == bindings::NET_XMIT_CN as c_int => Ok(()),
        r if r < 0 => Err(Error::from_errno(r)),
        // `NET_XMIT_DROP`: the queue dropped the frame.
        _ => Err(Error::from_errno(-(bindings::ENOBUFS as c_int))),
    }
}
