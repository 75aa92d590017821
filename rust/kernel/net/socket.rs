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

use super::{
    msghdr::{RecvMsg, SendMsg},
    pernet::{self, NetData},
    sock::{purge_receive_queue, Sk},
};
use crate::{
    alloc::flags::GFP_KERNEL,
    bindings,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_char, c_int, c_uint, c_ulong},
    prelude::*,
    sync::Arc,
    types::Opaque,
    uaccess::{UserPtr, UserSlice},
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
/// use kernel::net::pernet::{self, NetData, NewNet, Pernet};
/// use kernel::net::socket::{
///     Family, Name, NewSocket, Registration, Slot, SockAddrBuf, SockType, Socket,
/// };
/// use kernel::prelude::*;
/// use kernel::sync::Arc;
///
/// struct Example;
///
/// /// The example family's data in each namespace: none.
/// struct ExampleNet;
///
/// static EXAMPLE_NET: Pernet<ExampleNet> = Pernet::new();
///
/// impl NetData for ExampleNet {
///     fn pernet() -> &'static Pernet<Self> {
///         &EXAMPLE_NET
///     }
///
///     fn init(_net: &NewNet) -> impl PinInit<Self, Error> {
///         Ok::<_, Error>(ExampleNet)
///     }
/// }
///
/// /// The state of one socket of the example family.
/// struct ExampleSock {
///     ty: SockType,
/// }
///
/// static EXAMPLE: Slot<Example> = Slot::new();
///
/// #[vtable]
/// impl Family for Example {
///     type Sock = ExampleSock;
///     type NetState = ExampleNet;
///     const FAMILY: u16 = 12; // AF_DECnet: unused since DECnet was removed.
///     const NAME: &'static CStr = c"EXAMPLE";
///
///     fn slot() -> &'static Slot<Self> {
///         &EXAMPLE
///     }
///
///     fn create(new: &NewSocket) -> Result<impl PinInit<ExampleSock, Error>> {
///         if new.protocol() != 0 {
///             return Err(EINVAL);
///         }
///         Ok(try_init!(ExampleSock { ty: new.sock_type() }))
///     }
///
///     // `getsockname(2)`: the family number and the socket type, in a made-up address format.
///     fn getname(sock: &Socket<'_, Self>, _which: Name, addr: &mut SockAddrBuf) -> Result<usize> {
///         addr[..2].copy_from_slice(&Self::FAMILY.to_ne_bytes());
///         addr[2..6].copy_from_slice(&sock.state().ty.as_raw().to_ne_bytes());
///         Ok(6)
///     }
/// }
///
/// /// Registers the family while the returned value is alive, with its namespace data.
/// fn register(module: &'static ThisModule) -> Result<Registration<Example>> {
///     let net = Arc::new(pernet::Registration::<ExampleNet>::new()?, GFP_KERNEL)?;
///     Registration::new(module, net)
/// }
/// # let _ = register;
/// ```
#[vtable]
pub trait Family: Sized + 'static {
    /// The state of one socket, stored inside its `struct sock`.
    ///
    /// It is dropped when the last reference to the `struct sock` is put, which may happen in any
    /// context, including softirq: its [`Drop`] must not sleep.
    type Sock: Send + Sync;

    /// The family's data in each network namespace, registered by a [`pernet::Registration`]
    /// that the family's [`Registration`] holds. Sockets reach it through [`Sk::net_state`].
    type NetState: NetData;

    /// The address family number (`AF_*`).
    const FAMILY: u16;

    /// The protocol's name, shown in `/proc/net/protocols` and used for its slab cache. It must
    /// be shorter than 32 bytes.
    const NAME: &'static CStr;

    /// The static storage that holds this family's registration with the socket layer.
    fn slot() -> &'static Slot<Self>;

    /// Checks the arguments of `socket(2)` and returns an initialiser of the new socket's state
    /// (which is pinned in the socket's memory, so it may hold locks), or the error that
    /// `socket(2)` returns. Called in process context; it may sleep.
    fn create(new: &NewSocket) -> Result<impl PinInit<Self::Sock, Error>>;

    /// Called once a new socket is set up, before `socket(2)` returns: the place to enter it
    /// into the family's tables. On failure `socket(2)` fails and the socket is freed without
    /// [`Family::release`], so the family undoes here whatever it did before failing.
    fn created(_sock: &Socket<'_, Self>) -> Result {
        Ok(())
    }

    /// Called by `close(2)` on the last file reference, before the socket lets go of its
    /// `struct sock`: the place to withdraw what the socket published and to end connections.
    fn release(_sock: &Socket<'_, Self>) {}

    /// `bind(2)`: `addr` is the address as the caller passed it, already in kernel memory.
    fn bind(_sock: &Socket<'_, Self>, _addr: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `connect(2)`: `addr` is the address as the caller passed it, in kernel memory; `flags`
    /// are the file's flags (`O_NONBLOCK`).
    fn connect(_sock: &Socket<'_, Self>, _addr: &[u8], _flags: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `socketpair(2)`: connects `a` and `b`, two sockets of this family just created with the
    /// same type and protocol (each went through [`Family::create`] and [`Family::created`]).
    /// Process context; it may sleep. On failure `socketpair(2)` fails and releases both.
    fn socketpair(_a: &Socket<'_, Self>, _b: &Socket<'_, Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `accept(2)` on a listening socket: waits (as the listener's receive timeout and the
    /// file's `flags` allow) for a connection and hands it to `new`.
    fn accept(_listener: &Socket<'_, Self>, _new: NewConn<'_, Self>, _flags: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `getsockname(2)` and `getpeername(2)` (and `accept(2)`'s peer address), as `which`
    /// says: writes the address into `addr` and returns its length.
    fn getname(_sock: &Socket<'_, Self>, _which: Name, _addr: &mut SockAddrBuf) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `listen(2)`.
    fn listen(_sock: &Socket<'_, Self>, _backlog: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `shutdown(2)`; `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR` as the caller passed it.
    fn shutdown(_sock: &Socket<'_, Self>, _how: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `setsockopt(2)` at any level but `SOL_SOCKET`, which the socket layer handles.
    fn setsockopt(_sock: &Socket<'_, Self>, _level: i32, _name: i32, _val: &SockOptIn) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `getsockopt(2)` at any level but `SOL_SOCKET`.
    fn getsockopt(_sock: &Socket<'_, Self>, _level: i32, _name: i32, _out: &SockOptOut) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `sendmsg(2)` and the calls built on it: sends the `len` bytes of `msg`'s data, and
    /// returns how many were sent.
    fn sendmsg(_sock: &Socket<'_, Self>, _msg: &mut SendMsg<'_>, _len: usize) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `recvmsg(2)` and the calls built on it: receives at most `len` bytes into `msg`, with
    /// the caller's `MSG_*` `flags`, and returns the length `recvmsg(2)` returns.
    fn recvmsg(
        _sock: &Socket<'_, Self>,
        _msg: &mut RecvMsg<'_>,
        _len: usize,
        _flags: u32,
    ) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `poll(2)`: the socket's `EPOLL*` events now. The caller has already registered on the
    /// socket's wait queue, so a change after this call wakes the poller.
    fn poll(_sock: &Socket<'_, Self>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ioctl(2)` commands the socket layer does not handle itself; `arg` is the caller's
    /// argument, a user-space pointer for most commands.
    fn ioctl(_sock: &Socket<'_, Self>, _cmd: u32, _arg: UserPtr) -> Result<i32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A socket of family `F`, as one of its operations sees it.
///
/// # Invariants
///
/// `raw` points to a valid `struct socket` whose `sk` was created by `create::<F>`, and stays
/// so for `'a`.
pub struct Socket<'a, F: Family> {
    raw: *mut bindings::socket,
    _family: PhantomData<(&'a bindings::socket, F)>,
}

impl<'a, F: Family> Socket<'a, F> {
    /// Wraps the socket an operation of family `F` was called for.
    ///
    /// # Safety
    ///
    /// `raw` must be valid for `'a`, with a `struct sock` created by `create::<F>`.
    unsafe fn from_raw(raw: *mut bindings::socket) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            raw,
            _family: PhantomData,
        }
    }

    /// The socket's `struct sock`.
    pub fn sk(&self) -> &'a Sk<F> {
        // SAFETY: By the type invariant `sk` is a live `struct sock` created by `create::<F>`;
        // the socket holds a reference on it until after `'a`.
        unsafe { Sk::from_raw((*self.raw).sk) }
    }

    /// The state `Family::create` returned for this socket.
    pub fn state(&self) -> &'a F::Sock {
        self.sk().state()
    }

    /// The number of buffers in the socket's receive queue.
    pub fn receive_queue_len(&self) -> u32 {
        self.sk().receive_queue_len()
    }

    /// The bytes charged to the socket's receive buffer.
    pub fn receive_memory(&self) -> u32 {
        self.sk().receive_memory()
    }

    /// The socket's type.
    pub fn sock_type(&self) -> SockType {
        // SAFETY: By the type invariant `raw` is valid; the type never changes.
        let ty = unsafe { (*self.raw).type_ };
        SockType(u32::try_from(ty).unwrap_or(0))
    }
}

/// Which address [`Family::getname`] asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Name {
    /// The socket's own address: `getsockname(2)`.
    Own,
    /// The connected peer's address: `getpeername(2)`.
    Peer,
    /// The peer's address, even if the connection has just ended: what `accept(2)` reports
    /// for the socket it returns.
    PeerOrFormer,
}

/// The buffer `getsockname(2)` and `getpeername(2)` fill: a `struct sockaddr_storage`.
pub type SockAddrBuf = [u8; core::mem::size_of::<bindings::__kernel_sockaddr_storage>()];

/// The value passed to `setsockopt(2)`, in user or kernel memory.
pub struct SockOptIn {
    val: bindings::sockptr_t,
    len: usize,
}

impl SockOptIn {
    /// The length the caller gave.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the caller gave an empty value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the caller passed a NULL pointer, as options without a value expect.
    pub fn is_null(&self) -> bool {
        // SAFETY: `sockptr_is_null` only looks at the pointer.
        unsafe { bindings::sockptr_is_null(self.val) }
    }

    /// Copies the first `out.len()` bytes of the value; `EINVAL` if the value is shorter,
    /// `EFAULT` if its memory cannot be read.
    pub fn read_into(&self, out: &mut [u8]) -> Result {
        if out.len() > self.len {
            return Err(EINVAL);
        }
        // SAFETY: `out` is valid for writes of `out.len()` bytes, which the value holds.
        let failed =
            unsafe { bindings::copy_from_sockptr(out.as_mut_ptr().cast(), self.val, out.len()) };
        if failed != 0 {
            return Err(EFAULT);
        }
        Ok(())
    }

    /// Reads a native-endian `u32` from the start of the value, as most options carry.
    pub fn read_u32(&self) -> Result<u32> {
        let mut bytes = [0u8; 4];
        self.read_into(&mut bytes)?;
        Ok(u32::from_ne_bytes(bytes))
    }
}

/// Where `getsockopt(2)` puts the value: the caller's buffer and its length.
pub struct SockOptOut {
    val: UserPtr,
    len: UserPtr,
}

impl SockOptOut {
    /// The size of the caller's buffer; `EINVAL` if it is negative.
    pub fn capacity(&self) -> Result<usize> {
        let len: i32 = UserSlice::new(self.len, 4).reader().read()?;
        usize::try_from(len).map_err(|_| EINVAL)
    }

    /// Writes `data` to the caller's buffer and its length to the caller's length.
    pub fn write(&self, data: &[u8]) -> Result {
        let len = i32::try_from(data.len()).map_err(|_| EINVAL)?;
        UserSlice::new(self.val, data.len())
            .writer()
            .write_slice(data)?;
        UserSlice::new(self.len, 4)
            .writer()
            .write_slice(&len.to_ne_bytes())
    }
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

/// The offset of a socket's Rust state of type `T` in its memory: right after the
/// `struct sock`, aligned for `T`.
///
/// The `struct sock` is laid out by C only: `bindgen` cannot reproduce its aligned cacheline
/// groups, so Rust never uses its generated layout, only its size as C computes it.
const fn state_offset<T>() -> usize {
    let align = align_of::<T>();
    bindings::SIZEOF_STRUCT_SOCK.div_ceil(align) * align
}

/// The Rust state of type `T` in the memory of the `struct sock` at `sk`.
///
/// The family's `proto` has `obj_size` set to `state_offset::<T>() + size_of::<T>()`, so
/// `sk_alloc` allocates room for the state after the `struct sock`.
pub(crate) fn state_ptr<T>(sk: *mut bindings::sock) -> *mut T {
    sk.cast::<u8>().wrapping_add(state_offset::<T>()).cast()
}

// The socket layer structures Rust fills in or reads must have their C layout.
const _: () = {
    use core::mem::offset_of;
    assert!(size_of::<bindings::socket>() == bindings::SIZEOF_STRUCT_SOCKET);
    assert!(offset_of!(bindings::socket, type_) == bindings::OFFSETOF_SOCKET_TYPE);
    assert!(offset_of!(bindings::socket, sk) == bindings::OFFSETOF_SOCKET_SK);
    assert!(offset_of!(bindings::socket, ops) == bindings::OFFSETOF_SOCKET_OPS);
    assert!(size_of::<bindings::proto>() == bindings::SIZEOF_STRUCT_PROTO);
    assert!(offset_of!(bindings::proto, obj_size) == bindings::OFFSETOF_PROTO_OBJ_SIZE);
    assert!(offset_of!(bindings::proto, owner) == bindings::OFFSETOF_PROTO_OWNER);
    assert!(offset_of!(bindings::proto, name) == bindings::OFFSETOF_PROTO_NAME);
    assert!(size_of::<bindings::proto_ops>() == bindings::SIZEOF_STRUCT_PROTO_OPS);
    assert!(offset_of!(bindings::proto_ops, getsockopt) == bindings::OFFSETOF_PROTO_OPS_GETSOCKOPT);
    assert!(offset_of!(bindings::proto_ops, mmap) == bindings::OFFSETOF_PROTO_OPS_MMAP);
    assert!(size_of::<bindings::net_proto_family>() == bindings::SIZEOF_STRUCT_NET_PROTO_FAMILY);
};

/// A registration of a [`Family`] with the socket layer; dropping it unregisters the family.
///
/// # Invariants
///
/// While this value exists, `F::slot()` holds a registered `proto` and a registered
/// `net_proto_family`, and this value is the only one that registered them. `net` keeps the
/// family's namespace data registered for as long.
pub struct Registration<F: Family> {
    net: Arc<pernet::Registration<F::NetState>>,
    _family: PhantomData<F>,
}

impl<F: Family> Registration<F> {
    /// Registers family `F`, so that `socket(2)` reaches [`Family::create`]; its sockets reach
    /// their namespace's data in `net`, which the registration holds until it is dropped.
    ///
    /// Fails with `EBUSY` if `F` is already registered, `EINVAL` if its name is too long and
    /// `EEXIST` if another protocol already owns its address family.
    pub fn new(
        module: &'static ThisModule,
        net: Arc<pernet::Registration<F::NetState>>,
    ) -> Result<Self> {
        const {
            assert!(
                align_of::<F::Sock>() <= bindings::ARCH_SLAB_MINALIGN,
                "socket state needs more alignment than the slab guarantees"
            )
        };
        let name = F::NAME.to_bytes_with_nul();
        let obj_size = state_offset::<F::Sock>()
            .checked_add(size_of::<F::Sock>())
            .and_then(|size| u32::try_from(size).ok())
            .ok_or(EINVAL)?;

        let slot = F::slot();
        if slot.claimed.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let result = Self::register_family(slot, module, name, obj_size, net);
        if result.is_err() {
            slot.claimed.store(false, Ordering::Release);
        }
        result
    }

    fn register_family(
        slot: &'static Slot<F>,
        module: &'static ThisModule,
        name: &[u8],
        obj_size: u32,
        net: Arc<pernet::Registration<F::NetState>>,
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
            (*ops).release = Some(release::<F>);
            (*ops).bind = Some(if F::HAS_BIND {
                bind::<F>
            } else {
                bindings::sock_no_bind
            });
            (*ops).connect = Some(if F::HAS_CONNECT {
                connect::<F>
            } else {
                bindings::sock_no_connect
            });
            (*ops).socketpair = Some(if F::HAS_SOCKETPAIR {
                socketpair::<F>
            } else {
                bindings::sock_no_socketpair
            });
            (*ops).accept = Some(if F::HAS_ACCEPT {
                accept::<F>
            } else {
                bindings::sock_no_accept
            });
            (*ops).getname = Some(if F::HAS_GETNAME {
                getname::<F>
            } else {
                bindings::sock_no_getname
            });
            (*ops).ioctl = Some(if F::HAS_IOCTL {
                ioctl::<F>
            } else {
                bindings::sock_no_ioctl
            });
            (*ops).listen = Some(if F::HAS_LISTEN {
                listen::<F>
            } else {
                bindings::sock_no_listen
            });
            (*ops).shutdown = Some(if F::HAS_SHUTDOWN {
                shutdown::<F>
            } else {
                bindings::sock_no_shutdown
            });
            (*ops).setsockopt = if F::HAS_SETSOCKOPT {
                Some(setsockopt::<F>)
            } else {
                None
            };
            (*ops).getsockopt = if F::HAS_GETSOCKOPT {
                Some(getsockopt::<F>)
            } else {
                None
            };
            (*ops).poll = Some(if F::HAS_POLL {
                poll::<F>
            } else {
                bindings::datagram_poll
            });
            (*ops).sendmsg = Some(if F::HAS_SENDMSG {
                sendmsg::<F>
            } else {
                bindings::sock_no_sendmsg
            });
            (*ops).recvmsg = Some(if F::HAS_RECVMSG {
                recvmsg::<F>
            } else {
                bindings::sock_no_recvmsg
            });
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
            net,
            _family: PhantomData,
        })
    }
}

impl<F: Family> Registration<F> {
    /// The family's data in namespace `net`, for code that reaches a namespace other than
    /// through a socket (a netlink request, say).
    pub fn net_state<'a>(&'a self, net: &'a pernet::Net) -> &'a F::NetState {
        self.net.get(net)
    }

    /// The registration of the family's namespace data, for other registrations that need it.
    pub fn net_data(&self) -> &Arc<pernet::Registration<F::NetState>> {
        &self.net
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
        // The namespace data goes (when `net` is dropped, after this) only once no socket is left.
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
        let init = F::create(&new)?;
        // SAFETY: By the function's safety requirements.
        unsafe { attach::<F>(net, sock, init, kern != 0) }?;
        Ok(0)
    })
}

/// Gives `sock` a new `struct sock` of family `F` in namespace `net`, with its state from
/// `init`, and runs [`Family::created`]. On failure `sock` is left without a `struct sock`.
///
/// # Safety
///
/// `net` must be alive and `sock` a valid socket without a `struct sock`, while the family is
/// registered.
unsafe fn attach<F: Family>(
    net: *mut bindings::net,
    sock: *mut bindings::socket,
    init: impl PinInit<F::Sock, Error>,
    kern: bool,
) -> Result {
    let slot = F::slot();
    // SAFETY: The family is registered, so `proto` is registered and its `obj_size` covers
    // the `struct sock` and the state after it.
    let sk = unsafe {
        bindings::sk_alloc(
            net,
            c_int::from(F::FAMILY),
            GFP_KERNEL.as_raw(),
            slot.proto.get(),
            c_int::from(kern),
        )
    };
    if sk.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `sk_alloc` returned `obj_size` bytes, which cover the state after the
    // `struct sock`, aligned for it (the slab aligns objects to at least
    // `ARCH_SLAB_MINALIGN`, checked against the state's alignment in `Registration::new`).
    // The state is not initialised yet and never moves: the `struct sock` memory is freed,
    // not moved, and only after `destruct` dropped the state.
    if let Err(e) = unsafe { init.__pinned_init(state_ptr::<F::Sock>(sk)) } {
        // SAFETY: `sk` came from `sk_alloc` and was never published; it has no destructor
        // yet, so freeing it touches no state.
        unsafe { bindings::sk_free(sk) };
        return Err(e);
    }
    // SAFETY: The caller gave us `sock` to fill in, and `ops` stays valid while the family is
    // registered, which every socket's module reference guarantees.
    unsafe {
        (*sock).ops = slot.ops.get();
        bindings::sock_init_data(sock, sk);
        bindings::sock_set_destruct(sk, Some(destruct::<F>));
    }
    // SAFETY: `sock` now has its `struct sock`, created by family `F`.
    if let Err(e) = F::created(&unsafe { Socket::<F>::from_raw(sock) }) {
        // SAFETY: The socket layer drops `sock` without calling `release` when `create` or
        // `accept` fails before the socket is complete, so we let go of `sk` here: its only
        // reference is ours.
        unsafe {
            (*sock).sk = ptr::null_mut();
            bindings::sk_free(sk);
        }
        return Err(e);
    }
    Ok(())
}

/// The socket `accept(2)` is about to return, still without its `struct sock`: the family
/// gives it one with [`NewConn::create`] once it has a connection to hand over.
///
/// # Invariants
///
/// `sock` is a valid socket without a `struct sock` for `'a`, whose `ops` are family `F`'s,
/// and `net` is the listener's namespace, alive for `'a`.
pub struct NewConn<'a, F: Family> {
    sock: *mut bindings::socket,
    net: *mut bindings::net,
    kern: bool,
    _family: PhantomData<(&'a mut bindings::socket, F)>,
}

impl<'a, F: Family> NewConn<'a, F> {
    /// Gives the new socket its `struct sock`, with state from `init` (see
    /// [`Family::create`]), runs [`Family::created`] and returns the socket. From then on a
    /// failure of `accept` releases it through [`Family::release`].
    pub fn create(self, init: impl PinInit<F::Sock, Error>) -> Result<Socket<'a, F>> {
        // SAFETY: By the type invariant `net` is alive and `sock` has no `struct sock` yet.
        unsafe { attach::<F>(self.net, self.sock, init, self.kern) }?;
        // SAFETY: `sock` now has a `struct sock` of family `F`, and is valid for `'a`.
        Ok(unsafe { Socket::from_raw(self.sock) })
    }
}

/// `proto_ops::accept` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid listening `sock` of family `F`, a valid `newsock`
/// without a `struct sock` whose `ops` are `sock`'s, and a valid `arg`.
unsafe extern "C" fn accept<F: Family>(
    sock: *mut bindings::socket,
    newsock: *mut bindings::socket,
    arg: *mut bindings::proto_accept_arg,
) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements.
        let listener = unsafe { Socket::<F>::from_raw(sock) };
        // SAFETY: `arg` is valid, by the function's safety requirements.
        let (flags, kern) = unsafe { ((*arg).flags, (*arg).kern) };
        // INVARIANT: `newsock` is valid and without a `struct sock`, with family `F`'s
        // operations; the listener's `struct sock` keeps its namespace alive.
        let new = NewConn {
            sock: newsock,
            net: listener.sk().net().as_raw(),
            kern,
            _family: PhantomData,
        };
        F::accept(&listener, new, flags)?;
        Ok(0)
    })
}

/// `proto_ops::release` of family `F`: lets the family clean up, then detaches the
/// `struct sock` from the socket and drops the socket's reference to it.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` whose `sk`, if any, came from `create::<F>`.
unsafe extern "C" fn release<F: Family>(sock: *mut bindings::socket) -> c_int {
    // SAFETY: `sock` is valid, by the function's safety requirements.
    let sk = unsafe { (*sock).sk };
    if sk.is_null() {
        return 0;
    }
    // SAFETY: `sock` is valid and its `sk` came from `create::<F>`, until the end of this call.
    F::release(&unsafe { Socket::<F>::from_raw(sock) });
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
    // SAFETY: By the function's safety requirements this is the last use of `sk`: buffers still
    // queued are freed while the socket they are charged to exists, then the state after the
    // `struct sock`, initialised by `create::<F>`, is dropped.
    unsafe {
        purge_receive_queue(sk);
        ptr::drop_in_place(state_ptr::<F::Sock>(sk));
    }
}

/// `proto_ops::bind` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and `len` bytes of address at
/// `addr`, in kernel memory.
unsafe extern "C" fn bind<F: Family>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr_unsized,
    len: c_int,
) -> c_int {
    from_result(|| {
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        let addr: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: The socket layer passes `len` readable bytes at `addr` (it copied them from
            // user space into a `sockaddr_storage`), unchanged during the call.
            unsafe { core::slice::from_raw_parts(addr.cast::<u8>(), len) }
        };
        // SAFETY: By the function's safety requirements.
        F::bind(&unsafe { Socket::<F>::from_raw(sock) }, addr)?;
        Ok(0)
    })
}

/// `proto_ops::connect` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and `len` bytes of address at
/// `addr`, in kernel memory.
unsafe extern "C" fn connect<F: Family>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr_unsized,
    len: c_int,
    flags: c_int,
) -> c_int {
    from_result(|| {
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        let addr: &[u8] = if len == 0 || addr.is_null() {
            &[]
        } else {
            // SAFETY: The socket layer passes `len` readable bytes at `addr` (it copied them from
            // user space into a `sockaddr_storage`), unchanged during the call.
            unsafe { core::slice::from_raw_parts(addr.cast::<u8>(), len) }
        };
        // SAFETY: By the function's safety requirements.
        F::connect(&unsafe { Socket::<F>::from_raw(sock) }, addr, flags)?;
        Ok(0)
    })
}

/// `proto_ops::socketpair` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with two valid sockets `a` and `b` of family `F`, both created by
/// `create::<F>`.
unsafe extern "C" fn socketpair<F: Family>(
    a: *mut bindings::socket,
    b: *mut bindings::socket,
) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements, for both sockets.
        let (a, b) = unsafe { (Socket::<F>::from_raw(a), Socket::<F>::from_raw(b)) };
        F::socketpair(&a, &b)?;
        Ok(0)
    })
}

/// `proto_ops::getname` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and room for a
/// `sockaddr_storage` at `addr`.
unsafe extern "C" fn getname<F: Family>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr,
    peer: c_int,
) -> c_int {
    from_result(|| {
        let mut buf: SockAddrBuf = [0; core::mem::size_of::<SockAddrBuf>()];
        let which = match peer {
            0 => Name::Own,
            2 => Name::PeerOrFormer,
            _ => Name::Peer,
        };
        // SAFETY: By the function's safety requirements.
        let len = F::getname(&unsafe { Socket::<F>::from_raw(sock) }, which, &mut buf)?;
        let bytes = buf.get(..len).ok_or(EINVAL)?;
        // SAFETY: `addr` has room for a `sockaddr_storage`, the size of `buf`, so for `bytes`.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), addr.cast::<u8>(), len) };
        c_int::try_from(len).map_err(|_| EINVAL)
    })
}

/// `proto_ops::listen` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F`.
unsafe extern "C" fn listen<F: Family>(sock: *mut bindings::socket, backlog: c_int) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements.
        F::listen(&unsafe { Socket::<F>::from_raw(sock) }, backlog)?;
        Ok(0)
    })
}

/// `proto_ops::shutdown` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F`.
unsafe extern "C" fn shutdown<F: Family>(sock: *mut bindings::socket, how: c_int) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements.
        F::shutdown(&unsafe { Socket::<F>::from_raw(sock) }, how)?;
        Ok(0)
    })
}

/// `proto_ops::setsockopt` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and a value of `len` bytes
/// at `val`.
unsafe extern "C" fn setsockopt<F: Family>(
    sock: *mut bindings::socket,
    level: c_int,
    name: c_int,
    val: bindings::sockptr_t,
    len: c_uint,
) -> c_int {
    from_result(|| {
        let val = SockOptIn {
            val,
            len: usize::try_from(len).map_err(|_| EINVAL)?,
        };
        // SAFETY: By the function's safety requirements.
        F::setsockopt(&unsafe { Socket::<F>::from_raw(sock) }, level, name, &val)?;
        Ok(0)
    })
}

/// `proto_ops::getsockopt` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and the caller's user-space
/// buffer and length pointers.
unsafe extern "C" fn getsockopt<F: Family>(
    sock: *mut bindings::socket,
    level: c_int,
    name: c_int,
    val: *mut c_char,
    len: *mut c_int,
) -> c_int {
    from_result(|| {
        let out = SockOptOut {
            val: UserPtr::from_ptr(val.cast()),
            len: UserPtr::from_ptr(len.cast()),
        };
        // SAFETY: By the function's safety requirements.
        F::getsockopt(&unsafe { Socket::<F>::from_raw(sock) }, level, name, &out)?;
        Ok(0)
    })
}

/// `proto_ops::ioctl` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F`.
unsafe extern "C" fn ioctl<F: Family>(
    sock: *mut bindings::socket,
    cmd: c_uint,
    arg: c_ulong,
) -> c_int {
    from_result(|| {
        let arg = UserPtr::from_addr(arg);
        // SAFETY: By the function's safety requirements.
        F::ioctl(&unsafe { Socket::<F>::from_raw(sock) }, cmd, arg)
    })
}

/// `proto_ops::poll` of family `F`: registers the poller on the socket's wait queue, then asks
/// the family for the events.
///
/// # Safety
///
/// Called by the socket layer with a valid `file` and `sock` of family `F`, and a poll table
/// (possibly NULL).
unsafe extern "C" fn poll<F: Family>(
    file: *mut bindings::file,
    sock: *mut bindings::socket,
    wait: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: By the function's safety requirements.
    unsafe { bindings::sock_poll_wait(file, sock, wait) };
    // SAFETY: By the function's safety requirements.
    F::poll(&unsafe { Socket::<F>::from_raw(sock) })
}

/// `proto_ops::sendmsg` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and a valid message whose
/// address, if any, is in kernel memory.
unsafe extern "C" fn sendmsg<F: Family>(
    sock: *mut bindings::socket,
    msg: *mut bindings::msghdr,
    len: usize,
) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements; the message is valid for the call.
        let mut msg = unsafe { SendMsg::from_raw(msg) };
        // SAFETY: By the function's safety requirements.
        let sent = F::sendmsg(&unsafe { Socket::<F>::from_raw(sock) }, &mut msg, len)?;
        c_int::try_from(sent).map_err(|_| EINVAL)
    })
}

/// `proto_ops::recvmsg` of family `F`.
///
/// # Safety
///
/// Called by the socket layer with a valid `sock` of family `F` and a valid message whose
/// address, if not NULL, has room for a `struct sockaddr_storage` in kernel memory.
unsafe extern "C" fn recvmsg<F: Family>(
    sock: *mut bindings::socket,
    msg: *mut bindings::msghdr,
    len: usize,
    flags: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: By the function's safety requirements; the message is valid for the call.
        let mut msg = unsafe { RecvMsg::from_raw(msg) };
        // SAFETY: By the function's safety requirements.
        let sock = unsafe { Socket::<F>::from_raw(sock) };
        let got = F::recvmsg(&sock, &mut msg, len, flags as u32)?;
        c_int::try_from(got).map_err(|_| EINVAL)
    })
}
