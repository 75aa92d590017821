// SPDX-License-Identifier: GPL-2.0

//! Network devices (`struct net_device`), as a protocol sees them.
//!
//! A protocol that sends and receives link-layer frames holds references to the devices it uses
//! ([`ARef<NetDevice>`]), reads their properties (name, index, MTU, state, addresses, the room
//! their link-layer header needs) and transmits on them (see [`super::skb`]).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).

use super::pernet::Net;
use crate::{
    bindings,
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};
use core::ptr::NonNull;

/// The longest hardware address a device may have (`MAX_ADDR_LEN`).
pub const MAX_ADDR_LEN: usize = bindings::MAX_ADDR_LEN as usize;

/// The size of a device name buffer, its terminating NUL included (`IFNAMSIZ`).
pub const IFNAMSIZ: usize = bindings::IFNAMSIZ as usize;

/// The room the longest link-layer header of any device this kernel supports takes in front
/// of a packet (`LL_MAX_HEADER`): a protocol that leaves it before its packets spares the
/// device a reallocation.
pub const LL_MAX_HEADER: usize = bindings::LL_MAX_HEADER as usize;

/// The device type of Ethernet devices (`ARPHRD_ETHER`), as [`NetDevice::dev_type`] reports it.
pub const ARPHRD_ETHER: u16 = bindings::ARPHRD_ETHER as u16;

/// The device type of loopback devices (`ARPHRD_LOOPBACK`).
pub const ARPHRD_LOOPBACK: u16 = bindings::ARPHRD_LOOPBACK as u16;

/// A network device.
///
/// Values of this type are only ever borrowed (in callbacks, which get the device for their
/// duration) or reference counted ([`ARef<NetDevice>`], `dev_hold`/`dev_put`). A counted
/// reference keeps the `struct net_device` alive, but not registered: a device that is being
/// unregistered waits, complaining in the kernel log, until every reference is put, so holders
/// must let go when a netdevice notifier reports `NETDEV_UNREGISTER` for it.
///
/// The properties may change at any time (a device is renamed, its MTU or address changed, it
/// goes down); what the methods return is a snapshot. Netdevice notifier callbacks run under the
/// RTNL lock, which serialises such changes, so there they are stable.
///
/// # Examples
///
/// Every namespace has a loopback device, `lo`:
///
/// ```
/// use kernel::net::netdevice::{NetDevice, ARPHRD_LOOPBACK};
/// use kernel::net::pernet::Net;
///
/// let lo = NetDevice::get_by_name(Net::init_ns(), c"lo")?;
/// assert_eq!(lo.name().as_bytes(), b"lo");
/// assert_eq!(lo.ifindex(), 1);
/// assert_eq!(lo.dev_type(), ARPHRD_LOOPBACK);
/// assert!(lo.mtu() >= 1500);
/// assert!(lo.in_net(Net::init_ns()));
/// // Loopback has an all-zero Ethernet address and an Ethernet header.
/// assert_eq!(lo.addr().as_bytes(), &[0u8; 6]);
/// assert_eq!(lo.hard_header_len(), 14);
/// assert!(lo.ll_reserved_space() >= 14);
/// let same = NetDevice::get_by_index(Net::init_ns(), lo.ifindex())?;
/// assert_eq!(same.name().as_bytes(), b"lo");
/// assert_eq!(NetDevice::get_by_name(Net::init_ns(), c"no-such-dev").err(), Some(ENODEV));
/// # Ok::<(), Error>(())
/// ```
#[repr(transparent)]
pub struct NetDevice(Opaque<bindings::net_device>);

// SAFETY: A `struct net_device` may be used, and its references put, from any thread.
unsafe impl Send for NetDevice {}
// SAFETY: The methods of `NetDevice` that take `&self` only read, or call C functions that may be
// called concurrently.
unsafe impl Sync for NetDevice {}

// SAFETY: `dev_hold` and `dev_put` count references to the device and keep it alive while one
// exists.
unsafe impl AlwaysRefCounted for NetDevice {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the device is alive.
        unsafe { bindings::dev_hold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller hands over a reference it holds.
        unsafe { bindings::dev_put(obj.cast().as_ptr()) };
    }
}

impl NetDevice {
    /// Borrows the device at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a `struct net_device` that stays alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `NetDevice` is a transparent wrapper of `struct net_device`; the caller
        // guarantees the rest.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer to the device.
    pub(crate) fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// Takes over the reference that `ptr` comes with; `ENODEV` if it is null.
    ///
    /// # Safety
    ///
    /// `ptr` must be null or point to a device on which the caller holds a reference, which it
    /// hands over.
    unsafe fn from_counted(ptr: *mut bindings::net_device) -> Result<ARef<Self>> {
        let ptr = NonNull::new(ptr.cast::<Self>()).ok_or(ENODEV)?;
        // SAFETY: The caller hands over its reference.
        Ok(unsafe { ARef::from_raw(ptr) })
    }

    /// The device called `name` in namespace `net`; `ENODEV` if there is none.
    pub fn get_by_name(net: &Net, name: &CStr) -> Result<ARef<Self>> {
        // SAFETY: `net` is alive and `name` NUL-terminated; `dev_get_by_name` returns the
        // device with a reference taken for us, or null.
        unsafe { Self::from_counted(bindings::dev_get_by_name(net.as_raw(), name.as_char_ptr())) }
    }

    /// The device with index `ifindex` in namespace `net`; `ENODEV` if there is none.
    pub fn get_by_index(net: &Net, ifindex: i32) -> Result<ARef<Self>> {
        // SAFETY: `net` is alive; `dev_get_by_index` returns the device with a reference taken
        // for us, or null.
        unsafe { Self::from_counted(bindings::dev_get_by_index(net.as_raw(), ifindex)) }
    }

    /// The device's name (a consistent copy, even while it is being renamed).
    pub fn name(&self) -> IfName {
        let mut name = IfName([0; IFNAMSIZ]);
        // SAFETY: The device is alive and `name` has room for `IFNAMSIZ` bytes, which
        // `netdev_copy_name` fills with a NUL-terminated name.
        unsafe { bindings::netdev_copy_name(self.as_raw(), name.0.as_mut_ptr().cast()) };
        name
    }

    /// The device's index in its namespace (`ifindex`).
    pub fn ifindex(&self) -> i32 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_ifindex(self.as_raw()) }
    }

    /// The device's MTU: the largest payload its link-layer frames carry.
    pub fn mtu(&self) -> u32 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_mtu(self.as_raw()) }
    }

    /// The device's interface flags (`IFF_*`, as `ip link` shows them).
    pub fn flags(&self) -> u32 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_flags(self.as_raw()) }
    }

    /// Whether the device is administratively up (`IFF_UP`).
    pub fn is_up(&self) -> bool {
        self.flags() & bindings::net_device_flags_IFF_UP != 0
    }

    /// Whether the device is open and running (`netif_running`).
    pub fn is_running(&self) -> bool {
        // SAFETY: The device is alive.
        unsafe { bindings::netif_running(self.as_raw()) }
    }

    /// Whether the device has carrier (`netif_carrier_ok`).
    pub fn has_carrier(&self) -> bool {
        // SAFETY: The device is alive.
        unsafe { bindings::netif_carrier_ok(self.as_raw()) }
    }

    /// Whether the device is operationally up (`netif_oper_up`).
    pub fn is_oper_up(&self) -> bool {
        // SAFETY: The device is alive.
        unsafe { bindings::netif_oper_up(self.as_raw()) }
    }

    /// The device's hardware type (`ARPHRD_*`), such as [`ARPHRD_ETHER`].
    pub fn dev_type(&self) -> u16 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_type(self.as_raw()) }
    }

    /// The device's hardware address.
    pub fn addr(&self) -> HwAddr {
        // SAFETY: The device is alive; `dev_addr` points to its address buffer.
        unsafe { self.copy_addr(bindings::netdev_dev_addr(self.as_raw())) }
    }

    /// The device's broadcast address.
    pub fn broadcast(&self) -> HwAddr {
        // SAFETY: The device is alive; `broadcast` is an array of `MAX_ADDR_LEN` bytes in it.
        unsafe { self.copy_addr(bindings::netdev_broadcast(self.as_raw())) }
    }

    /// Copies `addr_len` bytes from `src`.
    ///
    /// # Safety
    ///
    /// `src` must point to `MAX_ADDR_LEN` readable bytes, or as many as the device's address
    /// length, whichever is less.
    unsafe fn copy_addr(&self, src: *const u8) -> HwAddr {
        // SAFETY: The device is alive.
        let len = unsafe { bindings::netdev_addr_len(self.as_raw()) };
        let len = usize::from(len).min(MAX_ADDR_LEN);
        let mut addr = HwAddr {
            len,
            bytes: [0; MAX_ADDR_LEN],
        };
        if !src.is_null() {
            // SAFETY: `src` has `len` readable bytes (see the safety requirements), and `addr`
            // has room for `MAX_ADDR_LEN`.
            unsafe { core::ptr::copy_nonoverlapping(src, addr.bytes.as_mut_ptr(), len) };
        }
        addr
    }

    /// The length of the device's link-layer header (`hard_header_len`).
    pub fn hard_header_len(&self) -> u16 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_hard_header_len(self.as_raw()) }
    }

    /// The headroom a buffer needs for the device's link-layer header, aligned
    /// (`LL_RESERVED_SPACE`).
    pub fn ll_reserved_space(&self) -> u32 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_ll_reserved_space(self.as_raw()) }
    }

    /// The tailroom the device needs after the data (`needed_tailroom`).
    pub fn needed_tailroom(&self) -> u16 {
        // SAFETY: The device is alive.
        unsafe { bindings::netdev_needed_tailroom(self.as_raw()) }
    }

    /// Whether the device is in namespace `net`.
    ///
    /// A device may move between namespaces, so there is no method that lends its namespace;
    /// callbacks that run while it cannot move are given the namespace's data instead.
    pub fn in_net(&self, net: &Net) -> bool {
        // SAFETY: The device is alive.
        core::ptr::eq(unsafe { bindings::dev_net(self.as_raw()) }, net.as_raw())
    }
}

/// A device name, as [`NetDevice::name`] copies it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IfName([u8; IFNAMSIZ]);

impl IfName {
    /// The name's bytes, without the terminating NUL.
    pub fn as_bytes(&self) -> &[u8] {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(IFNAMSIZ);
        &self.0[..len]
    }
}

/// A hardware address, as [`NetDevice::addr`] and [`NetDevice::broadcast`] copy it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HwAddr {
    len: usize,
    bytes: [u8; MAX_ADDR_LEN],
}

impl HwAddr {
    /// The address's bytes: as many as the device's address length.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}
