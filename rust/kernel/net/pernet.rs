// SPDX-License-Identifier: GPL-2.0

//! Network namespaces and per-namespace data.
//!
//! A subsystem that keeps data for every network namespace registers a `pernet_operations`:
//! the kernel then allocates room for that data in each namespace, calls `init` when a
//! namespace is created (and for every existing one at registration), and `exit` when it is
//! dismantled (and for every one at unregistration).
//!
//! A type of per-namespace data implements [`NetData`], which names its static [`Pernet`]
//! storage and initialises it for each namespace; a [`Registration`] registers it. Other
//! registrations that need the data in their callbacks (a socket family, a packet type, a
//! netdevice notifier) hold the registration through an [`Arc`]: they are registered after it and
//! dropped before it, so the data outlives every callback they get.
//!
//! [`Arc`]: crate::sync::Arc
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).

use crate::{
    bindings,
    error::from_result,
    ffi::{c_int, c_uint},
    prelude::*,
    types::Opaque,
};
use core::{
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, Ordering},
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

    /// The initial namespace, the one the system booted with; it is never dismantled.
    pub fn init_ns() -> &'static Net {
        // SAFETY: `init_net` is a static that lives as long as the kernel.
        unsafe { Net::from_raw(&raw mut bindings::init_net) }
    }
}

/// A network namespace whose per-namespace data is being initialised (see [`NetData::init`]).
///
/// Other subsystems' data of the namespace may not be initialised yet, so this lends no [`Net`]
/// (through which that data could be reached): only what is safe to know at that point.
///
/// # Invariants
///
/// The wrapped `struct net` is alive for as long as a reference to this value exists.
#[repr(transparent)]
pub struct NewNet(Opaque<bindings::net>);

impl NewNet {
    /// Borrows the namespace at `net`.
    ///
    /// # Safety
    ///
    /// `net` must be alive for `'a`.
    unsafe fn from_raw<'a>(net: *mut bindings::net) -> &'a Self {
        // SAFETY: `NewNet` is a transparent wrapper of `struct net`; the caller guarantees the
        // rest.
        unsafe { &*net.cast() }
    }

    /// Whether this is the initial namespace, the one the system booted with.
    pub fn is_init(&self) -> bool {
        // Only the address of `init_net` is taken, which needs no `unsafe`.
        core::ptr::eq(self.0.get(), &raw mut bindings::init_net)
    }
}

/// Static storage for a per-namespace data registration: the `pernet_operations` and the id
/// the kernel assigns, for data of type `T`.
///
/// # Invariants
///
/// The `pernet_operations` is written only while unregistered, by the one registration that
/// claimed this storage (set `claimed`); while registered, every namespace's generic slot `id`
/// holds an initialised `T`.
pub struct Pernet<T> {
    ops: Opaque<bindings::pernet_operations>,
    id: Opaque<c_uint>,
    claimed: AtomicBool,
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
            claimed: AtomicBool::new(false),
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
    unsafe fn register(
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
    unsafe fn unregister(&'static self) {
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

/// Data that a subsystem keeps in every network namespace.
///
/// The data of a namespace is created when the namespace is (or, for namespaces that already
/// exist, when the [`Registration`] is created), and dropped when the namespace is dismantled
/// (or the registration dropped). It is dropped after every network device left the
/// namespace, so callbacks that reach it through a device (packet receive, netdevice notifiers)
/// always find it.
pub trait NetData: Send + Sync + Sized + 'static {
    /// The static storage that holds this data's registration.
    fn pernet() -> &'static Pernet<Self>;

    /// Initialises the data of namespace `net`: for every namespace that exists when the
    /// registration is created, and for each one created later. Process context; it may sleep.
    ///
    /// `net` is being set up (or, at registration, may be in use): other subsystems' data of it
    /// may not be initialised yet, so it is lent as a [`NewNet`], through which that data
    /// cannot be reached.
    fn init(net: &NewNet) -> impl PinInit<Self, Error>;
}

/// A registration of per-namespace data `T`; dropping it drops the data of every namespace.
///
/// Registrations whose callbacks need the data hold this one through an [`Arc`], so that it is
/// unregistered only after them.
///
/// [`Arc`]: crate::sync::Arc
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::pernet::{Net, NetData, NewNet, Pernet, Registration};
/// use kernel::prelude::*;
/// use kernel::sync::Arc;
///
/// /// What an example protocol keeps in each namespace.
/// struct ExampleNet {
///     initial: bool,
///     packets: AtomicU32,
/// }
///
/// static EXAMPLE_NET: Pernet<ExampleNet> = Pernet::new();
///
/// impl NetData for ExampleNet {
///     fn pernet() -> &'static Pernet<Self> {
///         &EXAMPLE_NET
///     }
///
///     fn init(net: &NewNet) -> impl PinInit<Self, Error> {
///         Ok::<_, Error>(ExampleNet {
///             initial: net.is_init(),
///             packets: AtomicU32::new(0),
///         })
///     }
/// }
///
/// let reg = Arc::new(Registration::<ExampleNet>::new()?, GFP_KERNEL)?;
/// let data = reg.get(Net::init_ns());
/// assert!(data.initial);
/// data.packets.fetch_add(1, Ordering::Relaxed);
/// assert_eq!(reg.get(Net::init_ns()).packets.load(Ordering::Relaxed), 1);
///
/// // The storage is registered once at a time.
/// assert_eq!(Registration::<ExampleNet>::new().err(), Some(EBUSY));
/// drop(reg);
/// let again = Registration::<ExampleNet>::new()?;
/// assert_eq!(again.get(Net::init_ns()).packets.load(Ordering::Relaxed), 0);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// While this value exists, `T::pernet()` is registered, by this value.
pub struct Registration<T: NetData> {
    _data: PhantomData<T>,
}

impl<T: NetData> Registration<T> {
    /// Registers `T`: initialises it in every namespace and in each one created from now on.
    ///
    /// Fails with `EBUSY` if `T` is already registered, or with the error of the first
    /// [`NetData::init`] that failed.
    pub fn new() -> Result<Self> {
        let pernet = T::pernet();
        if pernet.claimed.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        // SAFETY: `claimed` makes us the only one registering `pernet`, which is unregistered.
        // `net_init::<T>` initialises the namespace's data or fails leaving it uninitialised,
        // and `net_exit::<T>` drops it.
        let registered = unsafe { pernet.register(net_init::<T>, net_exit::<T>) };
        if let Err(e) = registered {
            pernet.claimed.store(false, Ordering::Release);
            return Err(e);
        }
        // INVARIANT: Registered above, by us.
        Ok(Self { _data: PhantomData })
    }

    /// The data of namespace `net`.
    pub fn get<'a>(&'a self, net: &'a Net) -> &'a T {
        // SAFETY: While `self` exists `T` is registered (type invariant), so initialised in
        // every live namespace, and `net` is alive for `'a`.
        unsafe { &*T::pernet().slot(net.as_raw()) }
    }
}

impl<T: NetData> Drop for Registration<T> {
    fn drop(&mut self) {
        let pernet = T::pernet();
        // SAFETY: Registered by `new` (type invariant). Every registration whose callbacks reach
        // the data holds `self` through an `Arc`, so none is left.
        unsafe { pernet.unregister() };
        pernet.claimed.store(false, Ordering::Release);
    }
}

/// `pernet_operations::init` of `T`: initialises the data of a new namespace.
///
/// # Safety
///
/// Called by the kernel with a live `net`, while `T::pernet()` is registered, once per
/// namespace and before any other use of that namespace's data.
unsafe extern "C" fn net_init<T: NetData>(net: *mut bindings::net) -> c_int {
    from_result(|| {
        // SAFETY: `net` is alive for the call, by the function's safety requirements.
        let init = T::init(unsafe { NewNet::from_raw(net) });
        // SAFETY: The storage is registered, so the kernel gave `net` room for the data at its
        // id, uninitialised until now, freed (not moved) after `net_exit`.
        unsafe { init.__pinned_init(T::pernet().slot(net)) }?;
        Ok(0)
    })
}

/// `pernet_operations::exit` of `T`: drops the data of a dying namespace.
///
/// # Safety
///
/// Called by the kernel once per namespace whose `net_init::<T>` succeeded, when nothing uses
/// the data any more.
unsafe extern "C" fn net_exit<T: NetData>(net: *mut bindings::net) {
    // SAFETY: The data was initialised by `net_init::<T>` and this is its last use.
    unsafe { ptr::drop_in_place(T::pernet().slot(net)) };
}
