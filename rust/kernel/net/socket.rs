// SPDX-License-Identifier: GPL-2.0

//! Socket families: `socket(2)` for a protocol family written in Rust.
//!
//! A protocol family registers a [`Family`] implementation with a [`Registration`]. From then on,
//! `socket(AF_<family>, type, protocol)` calls [`Family::create`], which checks the arguments and
//! returns the per-socket state. The state lives inside the `struct sock` of the new socket and is
//! dropped when the last reference to that `struct sock` goes away.
//!
//! C headers: [`include/linux/net.h`](srctree/include/linux/net.h),
//! [`include/net/sock.h`](srctree/include/net/sock.h).

use crate::{
    alloc::flags::GFP_KERNEL,
    bindings,
    error::{from_result, to_result},
    ffi::{c_char, c_int},
    prelude::*,
    types::Opaque,
    ThisModule,
};
use core::{
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};

/// The type of a socket: the second argument of `socket(2)`.
///
/// # Examples
///
/// ```
/// use kernel::net::socket::SockType;
///
/// assert_eq!(SockType::STREAM.as_raw(), 1);
/// assert_eq!(SockType::from_raw(5), SockType::SEQPACKET);
/// assert_ne!(SockType::RDM, SockType::DGRAM);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SockType(u32);

impl SockType {
    /// `SOCK_STREAM`: a reliable, connected byte stream.
    pub const STREAM: Self = Self(bindings::sock_type_SOCK_STREAM);
    /// `SOCK_DGRAM`: unreliable datagrams.
    pub const DGRAM: Self = Self(bindings::sock_type_SOCK_DGRAM);
    /// `SOCK_RAW`: raw protocol access.
    pub const RAW: Self = Self(bindings::sock_type_SOCK_RAW);
    /// `SOCK_RDM`: reliably delivered messages.
    pub const RDM: Self = Self(bindings::sock_type_SOCK_RDM);
    /// `SOCK_SEQPACKET`: a reliable, connected sequence of messages.
    pub const SEQPACKET: Self = Self(bindings::sock_type_SOCK_SEQPACKET);

    /// Wraps a raw socket type number as the socket layer passes it.
    pub const fn from_raw(ty: u32) -> Self {
        Self(ty)
    }

    /// Returns the socket type number.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

/// The arguments of a `socket(2)` call that reached a [`Family`].
pub struct NewSocket {
    ty: SockType,
    protocol: i32,
    kern: bool,
}

impl NewSocket {
    /// The requested socket type.
    pub fn sock_type(&self) -> SockType {
        self.ty
    }

    /// The requested protocol: the third argument of `socket(2)`.
    pub fn protocol(&self) -> i32 {
        self.protocol
    }

    /// Whether the socket is created by the kernel rather than by user space.
    pub fn is_kern(&self) -> bool {
        self.kern
    }
}

/// A protocol family implemented in Rust.
///
/// Operations that the family does not implement answer as the kernel's `sock_no_*` helpers do,
/// with `EOPNOTSUPP`.
///
/// # Examples
///
/// ```
/// use kernel::net::socket::{Family, NewSocket, Registration, Slot, SockType};
/// use kernel::prelude::*;
///
/// struct Example;
///
/// /// The state of one socket of the example family.
/// struct ExampleSock {
///     ty: SockType,
/// }
///
/// static EXAMPLE: Slot<Example> = Slot::new();
///
/// impl Family for Example {
///     type Sock = ExampleSock;
///     const FAMILY: u16 = 12; // AF_DECnet: unused since DECnet was removed.
///     const NAME: &'static CStr = c"EXAMPLE";
///
///     fn slot() -> &'static Slot<Self> {
///         &EXAMPLE
///     }
///
///     fn create(new: &NewSocket) -> Result<ExampleSock> {
///         if new.protocol() != 0 {
///             return Err(EINVAL);
///         }
///         Ok(ExampleSock { ty: new.sock_type() })
///     }
/// }
///
/// /// Registers the family while the returned value is alive.
/// fn register(module: &'static ThisModule) -> Result<Registration<Example>> {
///     Registration::new(module)
/// }
/// # let _ = register;
/// ```
pub trait Family: Sized + 'static {
    /// The state of one socket, stored inside its `struct sock`.
    ///
    /// It is dropped when the last reference to the `struct sock` is put, which may happen in any
    /// context, including softirq: its [`Drop`] must not sleep.
    type Sock: Send + Sync;

    /// The address family number (`AF_*`).
    const FAMILY: u16;

    /// The protocol's name, shown in `/proc/net/protocols` and used for its slab cache. It must
    /// be shorter than 32 bytes.
    const NAME: &'static CStr;

    /// The static storage that holds this family's registration with the socket layer.
    fn slot() -> &'static Slot<Self>;

    /// Checks the arguments of `socket(2)` and returns the state of the new socket, or the error
    /// that `socket(2)` returns. Called in process context; it may sleep.
    fn create(new: &NewSocket) -> Result<Self::Sock>;
}

/// Static storage for the C structures that register a [`Family`]: its `net_proto_family`, its
/// `proto` and its `proto_ops`.
///
/// The socket layer calls a family's `create` without saying which family it belongs to, so
/// these structures live in a static that [`Family::slot`] returns, as they would in C.
///
/// # Invariants
///
/// The C structures are written only by [`Registration::new`] after it claimed `claimed`, and
/// only read (by C) while the [`Registration`] exists.
pub struct Slot<F: Family> {
    family: Opaque<bindings::net_proto_family>,
    proto: Opaque<bindings::proto>,
    ops: Opaque<bindings::proto_ops>,
    claimed: AtomicBool,
    _family: PhantomData<F>,
}

// SAFETY: The C structures are written by one `Registration::new` at a time (guarded by
// `claimed`) before they are published to the socket layer, and never written after that.
unsafe impl<F: Family> Sync for Slot<F> {}

impl<F: Family> Slot<F> {
    /// Creates empty storage, for a `static`.
    pub const fn new() -> Self {
        Self {
            family: Opaque::zeroed(),
            proto: Opaque::zeroed(),
            ops: Opaque::zeroed(),
            claimed: AtomicBool::new(false),
            _family: PhantomData,
        }
    }
}

impl<F: Family> Default for Slot<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// The memory of one socket of family `F`: the `struct sock` followed by the Rust state.
///
/// The family's `proto` has `obj_size` set to the size of this type, so `sk_alloc` allocates it
/// whole and a `struct sock` pointer of the family is a pointer to this type.
#[repr(C)]
struct SockWithState<T> {
    sk: Opaque<bindings::sock>,
    state: T,
}

/// A registration of a [`Family`] with the socket layer; dropping it unregisters the family.
///
/// # Invariants
///
/// While this value exists, `F::slot()` holds a registered `proto` and a registered
/// `net_proto_family`, and this value is the only one that registered them.
pub struct Registration<F: Family> {
    _family: PhantomData<F>,
}

impl<F: Family> Registration<F> {
    /// Registers family `F`, so that `socket(2)` reaches [`Family::create`].
    ///
    /// Fails with `EBUSY` if `F` is already registered, `EINVAL` if its name is too long and
    /// `EEXIST` if another protocol already owns its address family.
    pub fn new(module: &'static ThisModule) -> Result<Self> {
        const {
            assert!(
                align_of::<SockWithState<F::Sock>>() <= align_of::<u64>(),
                "socket state needs more alignment than the slab guarantees"
            )
        };
        let name = F::NAME.to_bytes_with_nul();
        let obj_size = u32::try_from(size_of::<SockWithState<F::Sock>>()).map_err(|_| EINVAL)?;

        let slot = F::slot();
        if slot.claimed.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let result = Self::register(slot, module, name, obj_size);
        if result.is_err() {
            slot.claimed.store(false, Ordering::Release);
        }
        result
    }

    fn register(
        slot: &'static Slot<F>,
        module: &'static ThisModule,
        name: &[u8],
        obj_size: u32,
    ) -> Result<Self> {
        let proto = slot.proto.get();
        // SAFETY: `claimed` gives us exclusive access to the slot's structures, which are not
        // registered, so nothing else reads them.
        unsafe {
            let proto_name = &mut (*proto).name;
            if name.len() > proto_name.len() {
                return Err(EINVAL);
            }
            for (dst, src) in proto_name.iter_mut().zip(name) {
                *dst = *src as c_char;
            }
            (*proto).owner = module.as_ptr();
            (*proto).obj_size = obj_size;
        }
        // SAFETY: `proto` is fully initialised and lives in a static, so it outlives its
        // registration, which `Drop` undoes.
        to_result(unsafe { bindings::proto_register(proto, 1) })?;

        let ops = slot.ops.get();
        // SAFETY: As above, `claimed` gives exclusive access to `ops`, not yet published.
        unsafe {
            (*ops).family = c_int::from(F::FAMILY);
            (*ops).owner = module.as_ptr();
            (*ops).release = Some(release);
            (*ops).bind = Some(bindings::sock_no_bind);
            (*ops).connect = Some(bindings::sock_no_connect);
            (*ops).socketpair = Some(bindings::sock_no_socketpair);
            (*ops).accept = Some(bindings::sock_no_accept);
            (*ops).getname = Some(bindings::sock_no_getname);
            (*ops).ioctl = Some(bindings::sock_no_ioctl);
            (*ops).listen = Some(bindings::sock_no_listen);
            (*ops).shutdown = Some(bindings::sock_no_shutdown);
            (*ops).sendmsg = Some(bindings::sock_no_sendmsg);
            (*ops).recvmsg = Some(bindings::sock_no_recvmsg);
            (*ops).mmap = Some(bindings::sock_no_mmap);
        }

        let family = slot.family.get();
        // SAFETY: As above for `family`. Once `sock_register` succeeds, `create::<F>` may run at
        // any time; it only reads `proto` and `ops`, both complete by now.
        let registered = unsafe {
            (*family).family = c_int::from(F::FAMILY);
            (*family).create = Some(create::<F>);
            (*family).owner = module.as_ptr();
            to_result(bindings::sock_register(family))
        };
        if let Err(e) = registered {
            // SAFETY: `proto` was registered above and no socket can use it: the family never
            // became reachable.
            unsafe { bindings::proto_unregister(proto) };
            return Err(e);
        }
        // INVARIANT: Both registrations succeeded and `claimed` is ours.
        Ok(Self {
            _family: PhantomData,
        })
    }
}

impl<F: Family> Drop for Registration<F> {
    fn drop(&mut self) {
        let slot = F::slot();
        // SAFETY: By the type invariant the family is registered by us. `sock_unregister` waits
        // until no `create` call can still be starting.
        unsafe { bindings::sock_unregister(c_int::from(F::FAMILY)) };
        // SAFETY: By the type invariant `proto` is registered. Every socket holds a reference on
        // the module that owns it, so none is left when the module drops its registration.
        unsafe { bindings::proto_unregister(slot.proto.get()) };
        slot.claimed.store(false, Ordering::Release);
    }
}

/// `net_proto_family::create` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `net` and a valid, new `sock` whose `sk` is not yet
/// set, while the family is registered.
unsafe extern "C" fn create<F: Family>(
    net: *mut bindings::net,
    sock: *mut bindings::socket,
    protocol: c_int,
    kern: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: `sock` is valid, by the function's safety requirements.
        let raw_type = unsafe { (*sock).type_ };
        let new = NewSocket {
            ty: SockType(u32::try_from(raw_type).map_err(|_| EINVAL)?),
            protocol,
            kern: kern != 0,
        };
        let state = F::create(&new)?;
        let slot = F::slot();
        // SAFETY: The family is registered, so `proto` is registered and its `obj_size` is the
        // size of `SockWithState<F::Sock>`.
        let sk = unsafe {
            bindings::sk_alloc(
                net,
                c_int::from(F::FAMILY),
                GFP_KERNEL.as_raw(),
                slot.proto.get(),
                kern,
            )
        };
        if sk.is_null() {
            return Err(ENOMEM);
        }
        let with_state = sk.cast::<SockWithState<F::Sock>>();
        // SAFETY: `sk_alloc` returned `obj_size` bytes, enough for `SockWithState<F::Sock>`,
        // aligned as the assertion in `Registration::new` checked; `state` is not initialised
        // yet, so writing it leaks nothing. The socket layer gave us `sock` to fill in, and
        // `ops` stays valid while the family is registered, which every socket's module
        // reference guarantees.
        unsafe {
            ptr::addr_of_mut!((*with_state).state).write(state);
            (*sock).ops = slot.ops.get();
            bindings::sock_init_data(sock, sk);
            (*sk).sk_destruct = Some(destruct::<F>);
        }
        Ok(0)
    })
}

/// `proto_ops::release`: detaches the `struct sock` from the socket and drops the
/// socket's reference to it.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` whose `sk`, if any, came from `create`.
unsafe extern "C" fn release(sock: *mut bindings::socket) -> c_int {
    // SAFETY: `sock` is valid, by the function's safety requirements.
    let sk = unsafe { (*sock).sk };
    if sk.is_null() {
        return 0;
    }
    // SAFETY: `sk` is the live `struct sock` of `sock`, which holds a reference to it; this call
    // gives that reference up after detaching it.
    unsafe {
        bindings::sock_orphan(sk);
        (*sock).sk = ptr::null_mut();
        bindings::sock_put(sk);
    }
    0
}

/// `sock::sk_destruct` of family `F`: drops the Rust state of a socket.
///
/// # Safety
///
/// Called by the socket layer once, when the last reference to `sk` is put; `sk` was created by
/// `create::<F>`, which initialised its state before installing this destructor.
unsafe extern "C" fn destruct<F: Family>(sk: *mut bindings::sock) {
    let with_state = sk.cast::<SockWithState<F::Sock>>();
    // SAFETY: By the function's safety requirements the state is initialised and this is the
    // last use of it.
    unsafe { ptr::drop_in_place(ptr::addr_of_mut!((*with_state).state)) };
}
