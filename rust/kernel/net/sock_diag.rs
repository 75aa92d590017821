// SPDX-License-Identifier: GPL-2.0

//! Socket diagnostics: the `NETLINK_SOCK_DIAG` handler of an address family.
//!
//! A [`Handler`] answers the `SOCK_DIAG_BY_FAMILY` dump requests of one address family (what
//! `ss` sends); a [`Registration`] registers it (`sock_diag_register`) and unregisters it when
//! dropped. Each call of a dump reaches [`Handler::dump`] with a [`Dump`]: the family's request
//! header, the requester's namespace, five words of state kept across the calls (in
//! `netlink_callback.ctx`, as generic netlink's dumps keep theirs) and a way to add one
//! message, whose attributes a [`Writer`] writes. [`Dump::sock_fields`] reads what every
//! family's reply says of a socket (type, state, inode, owner, cookie, drops).
//!
//! Only dumps are answered: a request without `NLM_F_DUMP` gets `EOPNOTSUPP`, one shorter than
//! the family's request header `EINVAL`, and `SOCK_DESTROY` `EOPNOTSUPP` (from the core).
//!
//! C headers: [`include/linux/sock_diag.h`](srctree/include/linux/sock_diag.h),
//! [`include/uapi/linux/sock_diag.h`](srctree/include/uapi/linux/sock_diag.h),
//! [`include/linux/netlink.h`](srctree/include/linux/netlink.h).
//!
//! # Examples
//!
//! ```
//! use kernel::net::genetlink::Progress;
//! use kernel::net::sock_diag::{Dump, Handler, Registration, Slot};
//! use kernel::prelude::*;
//!
//! struct Example;
//!
//! static SLOT: Slot<Example> = Slot::new();
//!
//! impl Handler for Example {
//!     type Data = ();
//!     // AF_TIPC.
//!     const FAMILY: u8 = 30;
//!     // `struct tipc_sock_diag_req`.
//!     const REQUEST_LEN: usize = 8;
//!
//!     fn slot() -> &'static Slot<Self> {
//!         &SLOT
//!     }
//!
//!     // One message with attribute 1 holding the request's last four bytes, then the dump
//!     // is over.
//!     fn dump(dump: &mut Dump<'_, Self>) -> Result<Progress> {
//!         if dump.state()[0] != 0 {
//!             return Ok(Progress::Done);
//!         }
//!         let states = dump.request().get(4..8).ok_or(EINVAL)?;
//!         let mut word = [0; 4];
//!         word.copy_from_slice(states);
//!         if dump.message(|msg| msg.put_u32(1, u32::from_ne_bytes(word)))? {
//!             dump.set_state([1, 0, 0, 0, 0]);
//!         }
//!         Ok(Progress::More)
//!     }
//! }
//!
//! /// Answers `ss` for the family while the returned value is alive.
//! fn register(module: &'static ThisModule) -> Result<Registration<Example>> {
//!     Registration::new(module, ())
//! }
//! # let _ = register;
//! ```

use super::{
    genetlink::{build_message, dump_state, not_supported, set_dump_state, Progress, Writer},
    pernet::Net,
    sock::Sk,
    socket::Family,
};
use crate::{
    bindings,
    error::to_result,
    ffi::{c_int, c_void},
    prelude::*,
    sync::{rcu, Arc, ArcBorrow},
    types::Opaque,
    ThisModule,
};
use core::{
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{AtomicBool, AtomicPtr, Ordering},
};

/// The size of a netlink message header, aligned (`NLMSG_HDRLEN`).
const NLMSG_HDRLEN: usize = core::mem::size_of::<bindings::nlmsghdr>().next_multiple_of(4);

/// The sock_diag handler of an address family.
///
/// [`Handler::dump`] runs in process context and may sleep; the calls of one dump come one at
/// a time (the requesting socket's dump mutex), dumps of different requesters concurrently.
pub trait Handler: Sized + 'static {
    /// What the dumps share: the [`Registration`] and every dump under way hold a reference,
    /// so it goes when the last of them does.
    type Data: Send + Sync;

    /// The address family (`AF_*`), below `AF_MAX`.
    const FAMILY: u8;
    /// The length of the family's request header (`struct <family>_diag_req`), which starts
    /// with `struct sock_diag_req`: a shorter request is refused with `EINVAL`.
    const REQUEST_LEN: usize;

    /// The static storage of the handler's registration.
    fn slot() -> &'static Slot<Self>;

    /// Writes the next part of a dump.
    fn dump(dump: &mut Dump<'_, Self>) -> Result<Progress>;
}

/// The static storage of a handler: sock_diag reads a `struct sock_diag_handler` it found
/// registered after dropping the lock it found it under (holding a reference on the module),
/// so the structure lives in a `static` that [`Handler::slot`] returns, as it would in C.
///
/// # Invariants
///
/// `handler` is written only by [`Registration::new`] after it claimed `claimed`, while
/// unregistered. While a [`Registration`] exists, `data` holds a pointer from
/// [`Arc::into_raw`], which that registration owns; readers take their own reference to it
/// under the RCU read lock, and the registration waits for a grace period after clearing
/// `data` before it drops its reference.
pub struct Slot<H: Handler> {
    handler: Opaque<bindings::sock_diag_handler>,
    data: AtomicPtr<H::Data>,
    claimed: AtomicBool,
}

// SAFETY: `handler` is written by one `Registration::new` at a time (guarded by `claimed`)
// before it is published to sock_diag; `data` is atomic and points to `Sync` data.
unsafe impl<H: Handler> Sync for Slot<H> {}

impl<H: Handler> Slot<H> {
    /// Creates empty storage, for a `static`.
    pub const fn new() -> Self {
        Self {
            handler: Opaque::zeroed(),
            data: AtomicPtr::new(core::ptr::null_mut()),
            claimed: AtomicBool::new(false),
        }
    }

    /// A new reference to the data, if a registration holds it.
    fn data(&self) -> Option<Arc<H::Data>> {
        let _guard = rcu::read_lock();
        let ptr = NonNull::new(self.data.load(Ordering::Acquire))?;
        // SAFETY: A non-null `data` came from `Arc::into_raw`; the registration that owns it
        // waits for a grace period after clearing it, and the RCU read lock is held, so the
        // count cannot drop to zero before this takes its own reference.
        Some(unsafe { ArcBorrow::from_raw(ptr.as_ptr()) }.into())
    }
}

impl<H: Handler> Default for Slot<H> {
    fn default() -> Self {
        Self::new()
    }
}

/// A registration of a [`Handler`] with sock_diag; dropping it unregisters the handler.
///
/// # Invariants
///
/// `H::slot()` holds the registered handler and `data` as a pointer this registration owns,
/// until this value is dropped.
pub struct Registration<H: Handler> {
    _handler: PhantomData<H>,
}

// SAFETY: The registration is a handle: sock_diag reads what it registered from any thread,
// and only dropping the handle, from one thread, changes it.
unsafe impl<H: Handler> Send for Registration<H> {}
// SAFETY: A shared reference to the handle gives access to the data only, which is `Sync`.
unsafe impl<H: Handler> Sync for Registration<H> {}

impl<H: Handler> Registration<H> {
    /// Registers handler `H`, whose dumps share `data`, on behalf of `module`, which sock_diag
    /// holds while a request or dump runs. Fails with `EBUSY` if `H` or another handler of
    /// the family is registered already, `EINVAL` if the family is not below `AF_MAX`,
    /// `ENOMEM` without memory.
    pub fn new(module: &'static ThisModule, data: H::Data) -> Result<Self> {
        if u32::from(H::FAMILY) >= bindings::AF_MAX {
            return Err(EINVAL);
        }
        let data = Arc::new(data, GFP_KERNEL)?;
        let slot = H::slot();
        if slot.claimed.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let raw = slot.handler.get();
        // SAFETY: `claimed` gives us the slot and the handler is not registered; a request
        // that found it under an earlier registration reads only `owner` and `dump`, which
        // this writes with the same values again.
        unsafe {
            (*raw).owner = module.as_ptr();
            (*raw).family = H::FAMILY;
            (*raw).dump = Some(dump_request::<H>);
        }
        slot.data
            .store(Arc::into_raw(data).cast_mut(), Ordering::Release);
        // SAFETY: The handler is filled in and static; its dump callback finds `data` in the
        // slot.
        let registered = to_result(unsafe { bindings::sock_diag_register(raw) });
        if let Err(e) = registered {
            // SAFETY: Stored just now from `Arc::into_raw`; no request found this handler,
            // so no reader took the pointer.
            drop(unsafe { Arc::from_raw(slot.data.swap(core::ptr::null_mut(), Ordering::AcqRel)) });
            slot.claimed.store(false, Ordering::Release);
            return Err(e);
        }
        // INVARIANT: Registered just now, with `data`.
        Ok(Self {
            _handler: PhantomData,
        })
    }
}

impl<H: Handler> Drop for Registration<H> {
    fn drop(&mut self) {
        let slot = H::slot();
        // SAFETY: Registered, by the type invariant. A request that found the handler before
        // this may still call it: it finds no data and answers `ENOENT`.
        unsafe { bindings::sock_diag_unregister(slot.handler.get()) };
        let data = slot.data.swap(core::ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: No precondition; readers take the data pointer under the RCU read lock.
        unsafe { bindings::synchronize_rcu() };
        // SAFETY: The slot held this registration's reference from `Arc::into_raw` (type
        // invariant); after the grace period no reader is between loading it and taking a
        // reference of its own.
        drop(unsafe { Arc::from_raw(data) });
        slot.claimed.store(false, Ordering::Release);
    }
}

/// The `dump` of `H`'s `struct sock_diag_handler`: checks the request and starts a netlink
/// dump of it.
///
/// # Safety
///
/// Called by sock_diag with a `SOCK_DIAG_BY_FAMILY` request `nlh` of at least
/// `struct sock_diag_req` for family `H::FAMILY`, held in `skb`, while holding a reference on
/// the module.
unsafe extern "C" fn dump_request<H: Handler>(
    skb: *mut bindings::sk_buff,
    nlh: *mut bindings::nlmsghdr,
) -> c_int {
    // SAFETY: `nlh` is the request's valid header, by the caller's guarantee.
    let (len, flags) = unsafe { ((*nlh).nlmsg_len, (*nlh).nlmsg_flags) };
    if (len as usize) < NLMSG_HDRLEN + H::REQUEST_LEN {
        return EINVAL.to_errno();
    }
    if u32::from(flags) & bindings::NLM_F_DUMP == 0 {
        return not_supported().to_errno();
    }
    let Some(data) = H::slot().data() else {
        return ENOENT.to_errno();
    };
    // SAFETY: `struct netlink_dump_control` is function pointers, pointers and integers, for
    // all of which zero is a valid value (absent, or none).
    let mut control: bindings::netlink_dump_control = unsafe { core::mem::zeroed() };
    control.start = Some(dump_start::<H>);
    control.dump = Some(dump_callback::<H>);
    control.done = Some(dump_done::<H>);
    // `dump_start` takes the dump's own reference from this one, which outlives the call.
    control.data = Arc::as_ptr(&data).cast_mut().cast();
    // SAFETY: The handler was registered with its module, which the slot keeps.
    control.module = unsafe { (*H::slot().handler.get()).owner };
    // SAFETY: `skb` holds the request `nlh` (caller's guarantee) and came in on the namespace's
    // sock_diag socket; `control` outlives the call, which copies what it keeps.
    let ret = unsafe {
        bindings::__netlink_dump_start(bindings::sock_diag_nlsk(skb), skb, nlh, &mut control)
    };
    drop(data);
    ret
}

/// `start` of every dump of `H`: takes a reference to the data for the dump, in
/// `netlink_callback.data`.
///
/// # Safety
///
/// Called by netlink with the new dump's state, whose `data` is the pointer `dump_request`
/// put in its control, during that call.
unsafe extern "C" fn dump_start<H: Handler>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `cb` is the new dump's state, this call's alone.
    let borrowed = unsafe { (*cb).data }.cast::<H::Data>();
    // SAFETY: `dump_request` holds a reference to the data, from `Arc::into_raw`'s pointer
    // kind, for the duration of this call.
    let arc: Arc<H::Data> = unsafe { ArcBorrow::from_raw(borrowed) }.into();
    // SAFETY: As above; netlink leaves `data` to the dump's owner.
    unsafe { (*cb).data = Arc::into_raw(arc).cast_mut().cast::<c_void>() };
    0
}

/// `done` of every dump of `H`: drops the dump's reference to the data.
///
/// # Safety
///
/// Called by netlink once, at the end of a dump `dump_start` began.
unsafe extern "C" fn dump_done<H: Handler>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `dump_start` stored a reference from `Arc::into_raw` in `data`, dropped here,
    // once.
    drop(unsafe { Arc::from_raw((*cb).data.cast::<H::Data>()) });
    0
}

/// `dump` of every dump of `H`.
///
/// # Safety
///
/// Called by netlink with the buffer to fill and the state of a dump `dump_start` began.
unsafe extern "C" fn dump_callback<H: Handler>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    // SAFETY: Netlink hands a valid buffer and callback state for the duration of the call.
    let mut dump = unsafe { Dump::<H>::from_raw(skb, cb) };
    match H::dump(&mut dump) {
        // SAFETY: `skb` is valid, as above.
        Ok(Progress::More) => unsafe { (*skb).len as c_int },
        Ok(Progress::Done) => 0,
        Err(e) => e.to_errno(),
    }
}

/// What a sock_diag reply says of any socket, read from its `struct sock`.
#[derive(Clone, Copy, Debug)]
pub struct SockFields {
    /// `sk_type`: `SOCK_STREAM`, `SOCK_DGRAM`, ...
    pub sk_type: u16,
    /// `sk_state`.
    pub state: u8,
    /// The inode number of the socket's file (`sock_i_ino`); 0 once it has none.
    pub ino: u64,
    /// The owner's user id as the requester's user namespace sees it (`from_kuid_munged`).
    pub uid: u32,
    /// The socket's cookie (`sock_gen_cookie`, as `sock_diag_save_cookie` gives it): unique
    /// while the system runs.
    pub cookie: u64,
    /// Messages dropped on arrival (`sk_drops_read`).
    pub drops: u32,
}

/// One call of a dump: the request, five words of state kept across the calls, and the
/// buffer to fill.
///
/// # Invariants
///
/// `skb` and `cb` are valid for `'a`, and `cb` is the state of a dump of `H` that
/// `dump_start` began and `dump_done` has not ended.
pub struct Dump<'a, H: Handler> {
    skb: NonNull<bindings::sk_buff>,
    cb: NonNull<bindings::netlink_callback>,
    _life: PhantomData<(&'a mut bindings::netlink_callback, &'a H)>,
}

impl<'a, H: Handler> Dump<'a, H> {
    /// # Safety
    ///
    /// `skb` and `cb` must be the arguments of a `dump` call of netlink for a dump of `H`,
    /// valid for `'a`.
    unsafe fn from_raw(skb: *mut bindings::sk_buff, cb: *mut bindings::netlink_callback) -> Self {
        // INVARIANT: By the caller's guarantee.
        Self {
            // SAFETY: Valid, so not null, by the caller's guarantee.
            skb: unsafe { NonNull::new_unchecked(skb) },
            // SAFETY: As above.
            cb: unsafe { NonNull::new_unchecked(cb) },
            _life: PhantomData,
        }
    }

    /// The request's payload: the family's request header (at least
    /// [`Handler::REQUEST_LEN`] bytes, starting with `struct sock_diag_req`) and whatever
    /// follows it.
    pub fn request(&self) -> &'a [u8] {
        // SAFETY: `cb` is valid (type invariant); its `nlh` is the request, held in `cb.skb`
        // until the dump ends, after `'a`.
        let nlh = unsafe { (*self.cb.as_ptr()).nlh };
        // SAFETY: As above.
        let len = unsafe { (*nlh).nlmsg_len } as usize;
        // SAFETY: `dump_request` checked that the message is at least `NLMSG_HDRLEN +
        // REQUEST_LEN` bytes long; netlink checked that `nlmsg_len` bytes lie in the buffer.
        unsafe {
            core::slice::from_raw_parts(
                nlh.cast::<u8>().add(NLMSG_HDRLEN),
                len.saturating_sub(NLMSG_HDRLEN),
            )
        }
    }

    /// The network namespace of the requesting socket.
    pub fn net(&self) -> &'a Net {
        // SAFETY: `cb` is valid (type invariant); its request buffer belongs to the
        // namespace's sock_diag socket, which outlives the dump.
        unsafe { Net::from_raw(bindings::sock_diag_dump_net(self.cb.as_ptr())) }
    }

    /// The data the handler's dumps share.
    pub fn data(&self) -> &'a H::Data {
        // SAFETY: Between `dump_start` and `dump_done` (type invariant) `data` holds a
        // reference to the data, dropped after `'a`.
        unsafe { &*(*self.cb.as_ptr()).data.cast::<H::Data>() }
    }

    /// The dump's own state: zero at its first call, then as [`Dump::set_state`] left it
    /// (kept in `netlink_callback.ctx`).
    pub fn state(&self) -> [u64; 5] {
        // SAFETY: `cb` is valid (type invariant) and only this call uses it; netlink zeroes
        // `ctx` before the first call and leaves it to the dump.
        unsafe { dump_state(self.cb.as_ptr()) }
    }

    /// Keeps `state` for the next call of the same dump.
    pub fn set_state(&mut self, state: [u64; 5]) {
        // SAFETY: `cb` is valid (type invariant) and this call's alone; `ctx` is the dump's.
        unsafe { set_dump_state(self.cb.as_ptr(), state) };
    }

    /// Adds one `SOCK_DIAG_BY_FAMILY` message to the dump, its attributes written by `build`.
    /// Returns `false`, with nothing added, when it does not fit: the dump is to go on from
    /// this message in the next call.
    pub fn message(&mut self, build: impl FnOnce(&mut Writer<'_>) -> Result) -> Result<bool> {
        let skb = self.skb.as_ptr();
        // SAFETY: `skb` is the dump's buffer and `cb` its state, both valid for `'a` (type
        // invariant).
        let nlh = unsafe {
            bindings::nlmsg_put_answer(
                skb,
                self.cb.as_ptr(),
                bindings::SOCK_DIAG_BY_FAMILY as c_int,
                0,
                bindings::NLM_F_MULTI as c_int,
            )
        };
        if nlh.is_null() {
            return Ok(false);
        }
        // SAFETY: `skb` is the dump's buffer, this call's to fill, and `nlh` started a message
        // in it, which `nlmsg_end` or `nlmsg_cancel` closes.
        unsafe {
            build_message(
                skb,
                build,
                || bindings::nlmsg_end(skb, nlh),
                || bindings::nlmsg_cancel(skb, nlh),
            )
        }
    }

    /// What a reply says of `sk`, its owner seen from the requester's user namespace.
    pub fn sock_fields<F: Family>(&self, sk: &Sk<F>) -> SockFields {
        let sk = sk.as_raw();
        // SAFETY: `sk` is alive while borrowed; these read fields that may change under us
        // with `READ_ONCE`-style reads or atomics, as C's diag modules read them unlocked.
        // The requester's socket holds the request buffer's `NETLINK_CB`, valid while `cb`
        // is (type invariant).
        unsafe {
            SockFields {
                sk_type: bindings::sock_diag_sk_type(sk),
                state: bindings::sock_get_state(sk),
                ino: bindings::sock_i_ino(sk),
                uid: bindings::sock_diag_uid(sk, self.cb.as_ptr()),
                cookie: bindings::sock_diag_cookie(sk),
                drops: bindings::sk_drops_read(sk) as u32,
            }
        }
    }
}
