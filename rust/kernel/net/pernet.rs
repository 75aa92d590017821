// SPDX-License-Identifier: GPL-2.0

//! Network namespaces and per-namespace data.
//!
//! A subsystem that keeps data for every network namespace registers a `pernet_operations`:
//! the kernel then allocates room for that data in each namespace, calls `init` when a
//! namespace is created (and for every existing one at registration), and `exit` when it is
//! dismantled (and for every one at unregistration). [`Pernet`] is the static storage for such a
//! registration; socket families use it through [`super::socket::Family::NetState`].
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).

use crate::{bindings, ffi::c_uint, prelude::*, types::Opaque};
use core::{
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr::NonNull,
};

/// A network namespace (`struct net`).
///
/// # Invariants
///
/// The wrapped `struct net` is alive for as long as a reference to this value exists.
#[repr(transparent)]
pub struct Net(Opaque<bindings::net>);

// SAFETY: A namespace may be referred to from any thread.
unsafe impl Send for Net {}
// SAFETY: The methods of `Net` only read what the kernel lets any thread read.
unsafe impl Sync for Net {}

impl Net {
    /// Borrows the namespace at `net`.
    ///
    /// # Safety
    ///
    /// `net` must be alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(net: *mut bindings::net) -> &'a Self {
        // SAFETY: `Net` is a transparent wrapper of `struct net`; the caller guarantees the
        // rest.
        unsafe { &*net.cast() }
    }

    /// The raw pointer to the namespace.
    pub(crate) fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// Whether this is the initial namespace, the one the system booted with.
    pub fn is_init(&self) -> bool {
        // Only the address of `init_net` is taken, which needs no `unsafe`.
        core::ptr::eq(self.as_raw(), &raw mut bindings::init_net)
    }
}

/// Static storage for a per-namespace data registration: the `pernet_operations` and the id
/// the kernel assigns, for data of type `T`.
///
/// # Invariants
///
/// The `pernet_operations` is written only while unregistered, by the one registration that
/// owns this storage; while registered, every namespace's generic slot `id` holds an
/// initialised `T`.
pub struct Pernet<T> {
    ops: Opaque<bindings::pernet_operations>,
    id: Opaque<c_uint>,
    _data: PhantomData<T>,
}

// SAFETY: The operations are written before registration only, by their one owner; after that
// the kernel reads them and writes `id` once, under its pernet lock, before any `init` runs.
unsafe impl<T: Send + Sync> Sync for Pernet<T> {}

impl<T: Send + Sync> Pernet<T> {
    /// Creates empty storage, for a `static`.
    pub const fn new() -> Self {
        Self {
            ops: Opaque::zeroed(),
            id: Opaque::zeroed(),
            _data: PhantomData,
        }
    }

    /// Registers the operations: `init` fills a new namespace's `T` (see [`Pernet::slot`]),
    /// `exit` drops it. The kernel calls `init` for every existing namespace before this
    /// returns.
    ///
    /// # Safety
    ///
    /// `self` must not be registered, and no other thread may register it at the same time.
    /// `init` must initialise the slot of the namespace it is given, or fail leaving it
    /// uninitialised; `exit` must drop it.
    pub(crate) unsafe fn register(
        &'static self,
        init: unsafe extern "C" fn(*mut bindings::net) -> i32,
        exit: unsafe extern "C" fn(*mut bindings::net),
    ) -> Result {
        const {
            assert!(
                align_of::<T>() <= bindings::ARCH_KMALLOC_MINALIGN,
                "per-namespace data needs more alignment than kmalloc guarantees"
            )
        };
        let ops = self.ops.get();
        // SAFETY: Unregistered, so the kernel does not read `ops`; the caller rules out other
        // writers. `id` lives in the same static, so as long as the registration.
        unsafe {
            (*ops).init = Some(init);
            (*ops).exit = Some(exit);
            if size_of::<T>() != 0 {
                (*ops).id = self.id.get();
                (*ops).size = size_of::<T>();
            }
            crate::error::to_result(bindings::register_pernet_subsys(ops))
        }
    }

    /// Unregisters the operations; the kernel calls `exit` for every namespace first.
    ///
    /// # Safety
    ///
    /// `self` must be registered, and no one may use a namespace's data afterwards.
    pub(crate) unsafe fn unregister(&'static self) {
        // SAFETY: Registered, by the caller's guarantee.
        unsafe { bindings::unregister_pernet_subsys(self.ops.get()) };
    }

    /// Where namespace `net` keeps its `T`.
    ///
    /// # Safety
    ///
    /// `self` must be registered (or be registering, with `net` the namespace `init` is called
    /// for) and `net` alive.
    pub(crate) unsafe fn slot(&self, net: *mut bindings::net) -> *mut T {
        if size_of::<T>() == 0 {
            return NonNull::dangling().as_ptr();
        }
        // SAFETY: Registered with `id` and a size of `size_of::<T>()`, so the kernel assigned
        // `id` and gave every live namespace that much memory at that id.
        unsafe { bindings::net_generic(net, *self.id.get()).cast() }
    }
}

impl<T: Send + Sync> Default for Pernet<T> {
    fn default() -> Self {
        Self::new()
    }
}
