// SPDX-License-Identifier: GPL-2.0

//! Generic netlink families.
//!
//! A [`Family`] names a generic netlink family, its attribute policy and its operations;
//! a [`Registration`] registers it with generic netlink and unregisters it when dropped.
//! Requests reach [`Family::doit`] with a [`Request`] (the parsed attributes, the namespace, the
//! extended ack and a way to reply) and dumps reach [`Family::dumpit`] with a [`Dump`] (the
//! namespace, five words of state kept between the calls of one dump, and the buffer to fill).
//! Messages are written through a [`Writer`], which cancels whatever an attribute or a nest
//! started when it fails for want of room.
//!
//! C headers: [`include/net/genetlink.h`](srctree/include/net/genetlink.h),
//! [`include/net/netlink.h`](srctree/include/net/netlink.h).
//!
//! # Examples
//!
//! ```
//! use kernel::net::genetlink::{Dump, Family, Op, Policy, Progress, Registration, Slot};
//! use kernel::prelude::*;
//!
//! struct Example;
//!
//! static POLICY: [Policy; 2] = [Policy::unspec(), Policy::u32()];
//! static SLOT: Slot<Example> = Slot::new();
//!
//! impl Family for Example {
//!     type Data = ();
//!     const NAME: &'static CStr = c"rust_example";
//!     const VERSION: u8 = 1;
//!     const MAX_ATTR: u16 = 1;
//!     const POLICY: &'static [Policy] = &POLICY;
//!     const RESV_START_OP: u8 = 2;
//!     const OPS: &'static [Op] = &[Op::dump(1)];
//!
//!     fn slot() -> &'static Slot<Self> {
//!         &SLOT
//!     }
//!
//!     // One message with attribute 1 holding 42, then the dump is over.
//!     fn dumpit(cmd: u8, dump: &mut Dump<'_, Self>) -> Result<Progress> {
//!         if dump.state()[0] != 0 {
//!             return Ok(Progress::Done);
//!         }
//!         if dump.message(cmd, |msg| msg.put_u32(1, 42))? {
//!             dump.set_state([1, 0, 0, 0, 0]);
//!         }
//!         Ok(Progress::More)
//!     }
//! }
//!
//! /// Registers the family while the returned value is alive.
//! fn register(module: &'static ThisModule) -> Result<Registration<Example>> {
//!     Registration::new(module, ())
//! }
//! # let _ = register;
//! ```
//!
//! A family that predates attributes: a fixed header of its own after the generic netlink
//! header ([`Family::HDRSIZE`]), no attributes (an empty policy), and a reply that repeats the
//! request's headers before a raw payload ([`Request::reply_raw`]).
//!
//! ```
//! use kernel::net::genetlink::{Family, Op, Policy, Registration, Request, Slot};
//! use kernel::prelude::*;
//!
//! struct Legacy;
//!
//! static SLOT: Slot<Legacy> = Slot::new();
//!
//! impl Family for Legacy {
//!     type Data = ();
//!     const NAME: &'static CStr = c"rust_legacy";
//!     const VERSION: u8 = 1;
//!     const HDRSIZE: u32 = 4;
//!     const MAX_ATTR: u16 = 0;
//!     const POLICY: &'static [Policy] = &[];
//!     const RESV_START_OP: u8 = 2;
//!     const OPS: &'static [Op] = &[Op::doit(1)];
//!
//!     fn slot() -> &'static Slot<Self> {
//!         &SLOT
//!     }
//!
//!     // Echoes what follows the family's header; only an administrator may ask.
//!     fn doit(_cmd: u8, req: &mut Request<'_, Self>) -> Result {
//!         if !req.net_admin() {
//!             return Err(EPERM);
//!         }
//!         let payload = req.payload();
//!         req.reply_raw(payload.get(4..).unwrap_or(&[]))
//!     }
//! }
//!
//! /// Registers the family while the returned value is alive.
//! fn register(module: &'static ThisModule) -> Result<Registration<Legacy>> {
//!     Registration::new(module, ())
//! }
//! # let _ = register;
//! ```

use crate::sync::{Arc, ArcBorrow};
use crate::{
    bindings,
    error::{from_result, to_result},
    ffi::c_int,
    net::pernet::Net,
    prelude::*,
    types::Opaque,
    ThisModule,
};
use core::{
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{AtomicBool, AtomicPtr, Ordering},
};

/// The payload size of a reply that fits in one page, as `NLMSG_GOODSIZE`.
pub const NLMSG_GOODSIZE: usize = bindings::NLMSG_GOODSIZE;

/// The policy of one attribute (`struct nla_policy`): its type and length rules, checked by
/// generic netlink before a request reaches the family (top level) or by
/// [`Attr::nested`] (inside a nest).
#[repr(transparent)]
pub struct Policy(bindings::nla_policy);

// SAFETY: A policy is read-only data once built; the pointers its union may hold are never set
// by the constructors here.
unsafe impl Sync for Policy {}

impl Policy {
    const fn of(kind: u32, len: u16) -> Self {
        // SAFETY: `struct nla_policy` is integers and a union of integers and pointers, for
        // all of which zero is a valid value.
        let mut p: bindings::nla_policy = unsafe { core::mem::zeroed() };
        p.type_ = kind as u8;
        p.len = len;
        Self(p)
    }

    /// Any payload (`NLA_UNSPEC`), the policy of attribute 0 and of unchecked ones.
    pub const fn unspec() -> Self {
        Self::of(bindings::NLA_UNSPEC, 0)
    }

    /// A nest of attributes (`NLA_NESTED`).
    pub const fn nested() -> Self {
        Self::of(bindings::NLA_NESTED, 0)
    }

    /// A `u8` (`NLA_U8`).
    pub const fn u8() -> Self {
        Self::of(bindings::NLA_U8, 0)
    }

    /// A `u16` (`NLA_U16`).
    pub const fn u16() -> Self {
        Self::of(bindings::NLA_U16, 0)
    }

    /// A `u32` (`NLA_U32`).
    pub const fn u32() -> Self {
        Self::of(bindings::NLA_U32, 0)
    }

    /// A `u64` (`NLA_U64`).
    pub const fn u64() -> Self {
        Self::of(bindings::NLA_U64, 0)
    }

    /// A flag: present or absent, no payload (`NLA_FLAG`).
    pub const fn flag() -> Self {
        Self::of(bindings::NLA_FLAG, 0)
    }

    /// A string of at most `max_len` bytes, NUL-terminated or not (`NLA_STRING`; 0: any).
    pub const fn string(max_len: u16) -> Self {
        Self::of(bindings::NLA_STRING, max_len)
    }

    /// Bytes, at most `max_len` of them (`NLA_BINARY`; 0: any).
    pub const fn binary(max_len: u16) -> Self {
        Self::of(bindings::NLA_BINARY, max_len)
    }
}

/// Flags of an operation: who may call it.
pub mod flags {
    use crate::bindings;

    /// Only a caller with `CAP_NET_ADMIN` in the initial user namespace (`GENL_ADMIN_PERM`).
    pub const ADMIN_PERM: u8 = bindings::GENL_ADMIN_PERM as u8;
    /// Only a caller with `CAP_NET_ADMIN` in the namespace's user namespace
    /// (`GENL_UNS_ADMIN_PERM`).
    pub const UNS_ADMIN_PERM: u8 = bindings::GENL_UNS_ADMIN_PERM as u8;
}

/// Which of generic netlink's checks an operation is spared (`enum genl_validate_flags`).
pub mod validate {
    use crate::bindings;

    /// Requests are checked as before strict checking existed.
    pub const DONT_VALIDATE_STRICT: u8 =
        bindings::genl_validate_flags_GENL_DONT_VALIDATE_STRICT as u8;
    /// Dump requests' attributes are not parsed.
    pub const DONT_VALIDATE_DUMP: u8 = bindings::genl_validate_flags_GENL_DONT_VALIDATE_DUMP as u8;
    /// Dump requests' attributes are parsed, but not strictly.
    pub const DONT_VALIDATE_DUMP_STRICT: u8 =
        bindings::genl_validate_flags_GENL_DONT_VALIDATE_DUMP_STRICT as u8;
}

/// One operation of a family: a command with a request handler, a dump handler or both.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// The command.
    pub cmd: u8,
    /// [`flags`]: who may call it.
    pub flags: u8,
    /// [`validate`]: which checks it is spared.
    pub validate: u8,
    /// Whether requests reach [`Family::doit`].
    pub doit: bool,
    /// Whether dumps reach [`Family::dumpit`].
    pub dumpit: bool,
}

impl Op {
    /// A command answered by [`Family::doit`].
    pub const fn doit(cmd: u8) -> Self {
        Self {
            cmd,
            flags: 0,
            validate: 0,
            doit: true,
            dumpit: false,
        }
    }

    /// A command answered by [`Family::dumpit`].
    pub const fn dump(cmd: u8) -> Self {
        Self {
            cmd,
            flags: 0,
            validate: 0,
            doit: false,
            dumpit: true,
        }
    }

    /// A command answered by both: a request without `NLM_F_DUMP` goes to
    /// [`Family::doit`].
    pub const fn doit_and_dump(cmd: u8) -> Self {
        Self {
            cmd,
            flags: 0,
            validate: 0,
            doit: true,
            dumpit: true,
        }
    }

    /// The same operation with these [`flags`].
    pub const fn flags(self, flags: u8) -> Self {
        Self { flags, ..self }
    }

    /// The same operation with these [`validate`] flags.
    pub const fn validate(self, validate: u8) -> Self {
        Self { validate, ..self }
    }
}

/// Whether a dump has more to give.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Progress {
    /// Call again: the buffer is full (or this call wrote what it had).
    More,
    /// The dump is complete.
    Done,
}

/// A generic netlink family.
///
/// Handlers run in process context and may sleep. Unless the family says otherwise, generic
/// netlink runs one handler of any family at a time (`genl_mutex`).
pub trait Family: Sized + 'static {
    /// What the handlers share: the [`Registration`] and every dump under way hold a
    /// reference, so it goes when the last of them does.
    type Data: Send + Sync;

    /// The family's name, at most 15 bytes.
    const NAME: &'static CStr;
    /// The family's version, reported to `CTRL_CMD_GETFAMILY`.
    const VERSION: u8;
    /// The size of the family's own fixed header, which follows the generic netlink header in
    /// every message (`hdrsize`): generic netlink refuses a request too short to hold it
    /// (`EINVAL`) and parses attributes after it.
    const HDRSIZE: u32 = 0;
    /// The highest top-level attribute.
    const MAX_ATTR: u16;
    /// The policy of every top-level attribute, `MAX_ATTR + 1` entries; or none at all (an
    /// empty slice, with `MAX_ATTR` 0) for a family whose requests carry no attributes, whose
    /// requests are then not parsed.
    const POLICY: &'static [Policy];
    /// Whether the family answers in every network namespace, not only the initial one.
    const NETNS_OK: bool = true;
    /// Commands from this one on are validated strictly whatever their [`validate`] flags say
    /// (`resv_start_op`).
    const RESV_START_OP: u8;
    /// The operations, each command once.
    const OPS: &'static [Op];

    /// The static storage of the family's registration.
    fn slot() -> &'static Slot<Self>;

    /// Answers a request for `cmd`, an operation with [`Op::doit`] set.
    fn doit(_cmd: u8, _req: &mut Request<'_, Self>) -> Result {
        Err(not_supported())
    }

    /// Writes the next part of a dump for `cmd`, an operation with [`Op::dumpit`] set.
    fn dumpit(_cmd: u8, _dump: &mut Dump<'_, Self>) -> Result<Progress> {
        Err(not_supported())
    }
}

/// `EOPNOTSUPP`, which the kernel crate does not name.
pub fn not_supported() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

// The generic netlink structures Rust fills in must have their C layout.
const _: () = {
    assert!(core::mem::size_of::<bindings::genl_family>() == bindings::SIZEOF_STRUCT_GENL_FAMILY);
    assert!(core::mem::size_of::<bindings::genl_ops>() == bindings::SIZEOF_STRUCT_GENL_OPS);
};

/// The static storage of a family: generic netlink keeps using a family's `struct genl_family`
/// after unregistering it (a dump under way goes on reading it until it ends), so it lives in
/// a `static` that [`Family::slot`] returns, as it would in C.
///
/// # Invariants
///
/// `family` is written only by [`Registration::new`] after it claimed `claimed`, while
/// unregistered. While a [`Registration`] exists, `data` holds a pointer from
/// [`Arc::into_raw`], which that registration owns.
pub struct Slot<F: Family> {
    family: Opaque<bindings::genl_family>,
    data: AtomicPtr<F::Data>,
    claimed: AtomicBool,
}

// SAFETY: `family` is written by one `Registration::new` at a time (guarded by `claimed`)
// before it is published to generic netlink; `data` is atomic and points to `Sync` data.
unsafe impl<F: Family> Sync for Slot<F> {}

impl<F: Family> Slot<F> {
    /// Creates empty storage, for a `static`.
    pub const fn new() -> Self {
        Self {
            family: Opaque::zeroed(),
            data: AtomicPtr::new(core::ptr::null_mut()),
            claimed: AtomicBool::new(false),
        }
    }
}

impl<F: Family> Default for Slot<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// A registration of a [`Family`] with generic netlink; dropping it unregisters the family.
///
/// The handlers' data is reference counted: the registration holds one reference and each dump
/// under way another, from its first call to its end, so a dump that goes on after the family
/// is unregistered still has its data.
///
/// # Invariants
///
/// `F::slot()` holds a registered family, whose operations are `ops`, and `data` as a pointer
/// this registration owns, until this value is dropped.
pub struct Registration<F: Family> {
    /// The operations the family points to; freed after it is unregistered, as generic
    /// netlink keeps its own copy of a dump's operation.
    _ops: KVec<bindings::genl_ops>,
    _family: PhantomData<F>,
}

// SAFETY: The registration is a handle: what it owns is read by generic netlink from any
// thread, and only dropping the handle, from one thread, changes it.
unsafe impl<F: Family> Send for Registration<F> {}
// SAFETY: A shared reference to the handle gives access to the data only, which is `Sync`.
unsafe impl<F: Family> Sync for Registration<F> {}

impl<F: Family> Registration<F> {
    /// Registers family `F`, whose handlers share `data`. Fails with `EBUSY` if `F` is
    /// registered already, `EEXIST` if another family has its name, `EINVAL` if the name is
    /// too long or the operations are inconsistent, `ENOMEM` without memory.
    pub fn new(module: &'static ThisModule, data: F::Data) -> Result<Self> {
        const {
            assert!(
                F::POLICY.len() == F::MAX_ATTR as usize + 1
                    || (F::POLICY.is_empty() && F::MAX_ATTR == 0),
                "a family's policy must have MAX_ATTR + 1 entries, or none with MAX_ATTR 0"
            )
        };
        let name = F::NAME.to_bytes_with_nul();
        let n_ops = u8::try_from(F::OPS.len()).map_err(|_| EINVAL)?;
        let mut ops = KVec::with_capacity(F::OPS.len(), GFP_KERNEL)?;
        for op in F::OPS {
            // SAFETY: `struct genl_ops` is integers, pointers and optional function pointers,
            // for all of which zero is a valid value (absent, or none).
            let mut raw: bindings::genl_ops = unsafe { core::mem::zeroed() };
            raw.cmd = op.cmd;
            raw.flags = op.flags;
            raw.validate = op.validate;
            if op.doit {
                raw.doit = Some(doit_callback::<F>);
            }
            if op.dumpit {
                raw.start = Some(dump_start::<F>);
                raw.dumpit = Some(dumpit_callback::<F>);
                raw.done = Some(dump_done::<F>);
            }
            ops.push(raw, GFP_KERNEL)?;
        }
        let data = Arc::new(data, GFP_KERNEL)?;

        let slot = F::slot();
        if slot.claimed.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let raw = slot.family.get();
        // SAFETY: `claimed` gives us the slot; its family is not registered, so generic
        // netlink reads it only for dumps started under an earlier registration, which read
        // nothing this writes but the family's identity, the same again.
        unsafe {
            let dst = &mut (*raw).name;
            if name.len() > dst.len() {
                slot.claimed.store(false, Ordering::Release);
                return Err(EINVAL);
            }
            for (d, s) in dst.iter_mut().zip(name) {
                *d = *s as crate::ffi::c_char;
            }
            (*raw).version = F::VERSION.into();
            (*raw).hdrsize = F::HDRSIZE;
            (*raw).maxattr = F::MAX_ATTR.into();
            (*raw).policy = if F::POLICY.is_empty() {
                core::ptr::null()
            } else {
                F::POLICY.as_ptr().cast()
            };
            (*raw).set_netnsok(F::NETNS_OK.into());
            (*raw).module = module.as_ptr();
            (*raw).ops = ops.as_ptr();
            (*raw).n_ops = n_ops;
            (*raw).resv_start_op = F::RESV_START_OP;
        }
        slot.data
            .store(Arc::into_raw(data).cast_mut(), Ordering::Release);
        // SAFETY: The family is filled in and static; the operations it points to stay put
        // and unchanged until `Drop` has unregistered it. The policy is `'static`, with
        // `MAX_ATTR + 1` entries as checked above, or null with `MAX_ATTR` 0 (nothing is
        // parsed). The handlers find `data` in the slot.
        let registered = to_result(unsafe { bindings::genl_register_family(raw) });
        if let Err(e) = registered {
            // SAFETY: Stored just now from `Arc::into_raw`; no handler ran.
            drop(unsafe { Arc::from_raw(slot.data.swap(core::ptr::null_mut(), Ordering::AcqRel)) });
            slot.claimed.store(false, Ordering::Release);
            return Err(e);
        }
        // INVARIANT: Registered just now, with `ops` and `data`.
        Ok(Self {
            _ops: ops,
            _family: PhantomData,
        })
    }

    /// The data the handlers share.
    pub fn data(&self) -> &F::Data {
        // SAFETY: While the registration exists the slot holds its reference to the data
        // (type invariant).
        unsafe { &*F::slot().data.load(Ordering::Acquire) }
    }
}

impl<F: Family> Drop for Registration<F> {
    fn drop(&mut self) {
        let slot = F::slot();
        // SAFETY: Registered, by the type invariant. Once this returns no request handler
        // runs and no dump starts; dumps under way hold their own reference to the data.
        unsafe { bindings::genl_unregister_family(slot.family.get()) };
        // SAFETY: The slot held this registration's reference from `Arc::into_raw` (type
        // invariant); no handler can reach it through the slot any more.
        drop(unsafe { Arc::from_raw(slot.data.swap(core::ptr::null_mut(), Ordering::AcqRel)) });
        slot.claimed.store(false, Ordering::Release);
    }
}

/// The data of the registered family `F`, for a handler called while it is registered.
///
/// # Safety
///
/// `F` must be registered, and stay so for `'a` (a request handler's call).
unsafe fn registered_data<'a, F: Family>() -> &'a F::Data {
    // SAFETY: While registered the slot holds a live reference (see `Slot`).
    unsafe { &*F::slot().data.load(Ordering::Acquire) }
}

/// Where a dump keeps its reference to the data: the last of the six words of
/// `netlink_callback.ctx`; the other five are the family's (`Dump::state`).
const DUMP_DATA_WORD: usize = 5;

/// Word `i` (0 to 5) of a dump's `netlink_callback.ctx`.
///
/// # Safety
///
/// `cb` must be valid, and no one else may be writing it.
unsafe fn ctx_word(cb: *const bindings::netlink_callback, i: usize) -> u64 {
    // SAFETY: `cb` is valid and not being written, by the caller's guarantee.
    let ctx = unsafe { &(*cb).__bindgen_anon_1.ctx };
    let mut word = [0; 8];
    if let Some(bytes) = ctx.chunks_exact(8).nth(i) {
        word.copy_from_slice(bytes);
    }
    u64::from_ne_bytes(word)
}

/// Sets word `i` (0 to 5) of a dump's `netlink_callback.ctx`.
///
/// # Safety
///
/// `cb` must be valid, and the caller the only one using it.
unsafe fn set_ctx_word(cb: *mut bindings::netlink_callback, i: usize, value: u64) {
    // SAFETY: `cb` is valid and the caller's alone, by the caller's guarantee.
    let ctx = unsafe { &mut (*cb).__bindgen_anon_1.ctx };
    if let Some(bytes) = ctx.chunks_exact_mut(8).nth(i) {
        bytes.copy_from_slice(&value.to_ne_bytes());
    }
}

/// The five words of a dump's own state (words 0 to 4 of `netlink_callback.ctx`): zero at
/// its first call, then as [`set_dump_state`] left them.
///
/// # Safety
///
/// `cb` must be a dump's valid state, and no one else may be writing it.
pub(crate) unsafe fn dump_state(cb: *const bindings::netlink_callback) -> [u64; 5] {
    let mut state = [0; 5];
    for (i, word) in state.iter_mut().enumerate() {
        // SAFETY: By the caller's guarantee.
        *word = unsafe { ctx_word(cb, i) };
    }
    state
}

/// Keeps `state` in words 0 to 4 of a dump's `netlink_callback.ctx`.
///
/// # Safety
///
/// `cb` must be a dump's valid state, the caller's alone, whose words 0 to 4 are the dump's.
pub(crate) unsafe fn set_dump_state(cb: *mut bindings::netlink_callback, state: [u64; 5]) {
    for (i, word) in state.into_iter().enumerate() {
        // SAFETY: By the caller's guarantee.
        unsafe { set_ctx_word(cb, i, word) };
    }
}

/// Writes a message that was just started in `skb` with `build`, then keeps it with `end` or,
/// if `build` failed, drops it with `cancel`. Returns `false` when it did not fit
/// (`EMSGSIZE`): the dump is to go on from this message in the next call.
///
/// # Safety
///
/// `skb` must be a dump's buffer with a message just started, the caller's to fill.
pub(crate) unsafe fn build_message(
    skb: *mut bindings::sk_buff,
    build: impl FnOnce(&mut Writer<'_>) -> Result,
    end: impl FnOnce(),
    cancel: impl FnOnce(),
) -> Result<bool> {
    // SAFETY: By the caller's guarantee.
    let mut w = unsafe { Writer::from_raw(skb) };
    match build(&mut w) {
        Ok(()) => {
            end();
            Ok(true)
        }
        Err(e) => {
            cancel();
            if e == EMSGSIZE {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

/// The pointer in a dump's data word.
///
/// # Safety
///
/// `cb` must be the valid state of a dump of `F` between `dump_start` and `dump_done`.
unsafe fn dump_data_ptr<F: Family>(cb: *const bindings::netlink_callback) -> *const F::Data {
    // SAFETY: `cb` is valid, by the caller's guarantee; `dump_start` wrote the word.
    unsafe { ctx_word(cb, DUMP_DATA_WORD) as usize as *const F::Data }
}

/// `start` of every dump of `F`: takes a reference to the data for the dump.
///
/// # Safety
///
/// Called by generic netlink's start callback with the new dump's state, while `F` is
/// registered (the request is being handled).
unsafe extern "C" fn dump_start<F: Family>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: Called while the family is registered, for the duration of the call.
    let data = unsafe { registered_data::<F>() };
    // SAFETY: `data` came from `Arc::into_raw` and its count is held by the registration for
    // this call's duration.
    let arc: Arc<F::Data> = unsafe { ArcBorrow::from_raw(data) }.into();
    let ptr = Arc::into_raw(arc) as usize as u64;
    // SAFETY: `cb` is the new dump's state, this call's alone; generic netlink leaves `ctx`
    // to the family.
    unsafe { set_ctx_word(cb, DUMP_DATA_WORD, ptr) };
    0
}

/// `done` of every dump of `F`: drops the dump's reference to the data.
///
/// # Safety
///
/// Called by generic netlink's done callback, once, at the end of a dump `dump_start` began.
unsafe extern "C" fn dump_done<F: Family>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `cb` is a dump `dump_start` began, which it now ends.
    let data = unsafe { dump_data_ptr::<F>(cb) };
    // SAFETY: `dump_start` stored the pointer of a reference from `Arc::into_raw`, dropped
    // here, once.
    drop(unsafe { Arc::from_raw(data) });
    0
}

/// `doit` of every operation of `F`.
///
/// # Safety
///
/// Called by generic netlink with the request's buffer and its parsed `info`.
unsafe extern "C" fn doit_callback<F: Family>(
    skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    // SAFETY: Generic netlink hands a valid `info` and the request's buffer for the duration
    // of the call, during which the family stays registered (unregistering waits for request
    // handlers).
    let mut req = unsafe { Request::<F>::from_raw(info, skb, registered_data::<F>()) };
    from_result(|| {
        F::doit(req.cmd(), &mut req)?;
        Ok(0)
    })
}

/// `dumpit` of every operation of `F`.
///
/// # Safety
///
/// Called by generic netlink with the buffer to fill and the dump's callback state, which
/// its start callback set up.
unsafe extern "C" fn dumpit_callback<F: Family>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    // SAFETY: Generic netlink hands a valid buffer and callback state for the duration of the
    // call, and `genl_start` filled in the dump's request.
    let mut dump = unsafe { Dump::<F>::from_raw(skb, cb) };
    let cmd = dump.request().cmd();
    match F::dumpit(cmd, &mut dump) {
        // SAFETY: `skb` is valid, as above.
        Ok(Progress::More) => unsafe { (*skb).len as c_int },
        Ok(Progress::Done) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The request of an operation, as generic netlink parsed it.
///
/// # Invariants
///
/// `info` and `skb` are valid for `'a`; `skb` carried the request `info` describes.
pub struct Request<'a, F: Family> {
    info: NonNull<bindings::genl_info>,
    /// The buffer that carried the request (its sender's credentials).
    skb: NonNull<bindings::sk_buff>,
    data: &'a F::Data,
    _life: PhantomData<&'a bindings::genl_info>,
}

impl<'a, F: Family> Request<'a, F> {
    /// # Safety
    ///
    /// `info` must be valid and filled in by generic netlink, for `'a`, for a request to the
    /// family `F`, whose handlers share `data`; `skb` must be the valid buffer that carried it.
    unsafe fn from_raw(
        info: *const bindings::genl_info,
        skb: *const bindings::sk_buff,
        data: &'a F::Data,
    ) -> Self {
        // INVARIANT: By the caller's guarantee.
        Self {
            info: NonNull::from(
                // SAFETY: Valid, by the caller's guarantee.
                unsafe { &*info },
            ),
            skb: NonNull::from(
                // SAFETY: Valid, by the caller's guarantee.
                unsafe { &*skb },
            ),
            data,
            _life: PhantomData,
        }
    }

    fn raw(&self) -> *const bindings::genl_info {
        self.info.as_ptr()
    }

    /// The command.
    pub fn cmd(&self) -> u8 {
        // SAFETY: `info` is valid (type invariant), with the request's header.
        unsafe { bindings::genl_info_cmd(self.raw()) }
    }

    /// The network namespace of the requesting socket.
    pub fn net(&self) -> &'a Net {
        // SAFETY: `info` is valid (type invariant); the requesting socket pins its namespace
        // for the duration of the request.
        unsafe { Net::from_raw(bindings::genl_info_net(self.raw())) }
    }

    /// The data the family's handlers share.
    pub fn data(&self) -> &'a F::Data {
        self.data
    }

    /// Top-level attribute `kind`, if the request has it and the family's `MAX_ATTR` covers
    /// it. A dump of an operation with [`validate::DONT_VALIDATE_DUMP`] has none.
    pub fn attr(&self, kind: u16) -> Option<Attr<'a>> {
        // SAFETY: `info` is valid (type invariant).
        let (attrs, family) = unsafe { ((*self.raw()).attrs, (*self.raw()).family) };
        if attrs.is_null() || family.is_null() {
            return None;
        }
        // SAFETY: `family` is the registered family of this request.
        let max = unsafe { (*family).maxattr };
        if u32::from(kind) > max {
            return None;
        }
        // SAFETY: Generic netlink parsed the request into `attrs`, an array of `maxattr + 1`
        // entries; `kind` is within it.
        let nla = unsafe { *attrs.add(kind.into()) };
        // SAFETY: A non-null entry is an attribute of the request, which outlives `'a`, that
        // generic netlink checked against the family's policy: its header and payload lie
        // within the message.
        NonNull::new(nla).map(|nla| unsafe { Attr::from_raw(nla) })
    }

    /// The message after the generic netlink header: the family's own header
    /// ([`Family::HDRSIZE`] bytes, always there: generic netlink refuses shorter requests),
    /// then whatever the family carries, as the sender wrote it.
    pub fn payload(&self) -> &'a [u8] {
        // SAFETY: `info` is valid (type invariant), with the request's netlink header.
        let nlh = unsafe { (*self.raw()).nlhdr };
        // SAFETY: The header lies within the request, valid for `'a`.
        let len = unsafe { (*nlh).nlmsg_len } as usize;
        let Some(n) = len.checked_sub(NLMSG_HDRLEN + GENL_HDRLEN) else {
            return &[];
        };
        // SAFETY: Netlink delivers a message whose `nlmsg_len` bytes lie within the buffer and
        // generic netlink one with its header, so the `n` bytes after both headers are the
        // rest of the request, valid for `'a`.
        unsafe { core::slice::from_raw_parts(nlh.cast::<u8>().add(NLMSG_HDRLEN + GENL_HDRLEN), n) }
    }

    /// Whether the sender had `CAP_NET_ADMIN` over the user namespace of the request's network
    /// namespace when it sent the request (`netlink_net_capable`).
    pub fn net_admin(&self) -> bool {
        // SAFETY: `skb` carried the request and is valid for `'a` (type invariant).
        unsafe {
            bindings::netlink_net_capable(self.skb.as_ptr(), bindings::CAP_NET_ADMIN as c_int)
        }
    }

    /// Sends `payload` as the reply, after a copy of the request's headers (netlink, generic
    /// netlink and the family's, [`Family::HDRSIZE`]: flags, sequence number and port
    /// included) whose length is set to the whole message: how a family that predates
    /// attributes answers. `ENOMEM` without memory; a reply the sender cannot take is dropped.
    pub fn reply_raw(&self, payload: &[u8]) -> Result {
        // SAFETY: `info` is valid (type invariant); `family` is the registered family.
        let (nlh, hdrsize) = unsafe { ((*self.raw()).nlhdr, (*(*self.raw()).family).hdrsize) };
        let user = usize::try_from(hdrsize).map_err(|_| EINVAL)?;
        let hdr_len = (NLMSG_HDRLEN + GENL_HDRLEN + user + 3) & !3;
        let total = hdr_len.checked_add(payload.len()).ok_or(EMSGSIZE)?;
        let total_u32 = u32::try_from(total).map_err(|_| EMSGSIZE)?;
        // SAFETY: The request's header lies within the request (type invariant).
        let req_len = unsafe { (*nlh).nlmsg_len } as usize;
        // SAFETY: Allocation has no precondition.
        let skb = unsafe {
            bindings::genlmsg_new(total - NLMSG_HDRLEN - GENL_HDRLEN, bindings::GFP_KERNEL)
        };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `skb` is new and was allocated with room for at least `total` bytes
        // (`genlmsg_new` counts both headers and aligns), so `skb_put` returns `total`
        // writable bytes of its linear data.
        let out = unsafe {
            core::slice::from_raw_parts_mut(bindings::skb_put(skb, total_u32).cast::<u8>(), total)
        };
        let copied = hdr_len.min(req_len);
        // SAFETY: The request's first `req_len` bytes lie within it (type invariant), valid for
        // this call.
        let req_hdr = unsafe { core::slice::from_raw_parts(nlh.cast::<u8>(), copied) };
        let (hdr, body) = out.split_at_mut(hdr_len);
        hdr.fill(0);
        if let Some(dst) = hdr.get_mut(..copied) {
            dst.copy_from_slice(req_hdr);
        }
        if let Some(len) = hdr.get_mut(..4) {
            len.copy_from_slice(&total_u32.to_ne_bytes());
        }
        body.copy_from_slice(payload);
        // SAFETY: `skb` holds one complete message and is handed over, sent or not; `info` is
        // valid (type invariant) with the sender's port and namespace.
        to_result(unsafe { bindings::genlmsg_reply(skb, self.raw().cast_mut()) })
    }

    /// Says why the request failed, in the extended ack of the reply.
    pub fn set_err_msg(&self, msg: &'static CStr) {
        // SAFETY: `info` is valid (type invariant); `msg` lives forever, as the ack needs.
        unsafe { bindings::nl_set_err_msg((*self.raw()).extack, msg.as_char_ptr()) };
    }

    fn extack(&self) -> *mut bindings::netlink_ext_ack {
        // SAFETY: `info` is valid (type invariant).
        unsafe { (*self.raw()).extack }
    }

    /// Sends one reply message for `cmd`, built by `build` in a buffer of
    /// [`NLMSG_GOODSIZE`] bytes.
    pub fn reply(&self, cmd: u8, build: impl FnOnce(&mut Writer<'_>) -> Result) -> Result {
        // SAFETY: Allocation has no precondition.
        let skb = unsafe { bindings::genlmsg_new(NLMSG_GOODSIZE, bindings::GFP_KERNEL) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `skb` is a new, empty buffer; `info` is valid (type invariant).
        let hdr = unsafe {
            bindings::genlmsg_put(
                skb,
                (*self.raw()).snd_portid,
                (*self.raw()).snd_seq,
                (*self.raw()).family,
                0,
                cmd,
            )
        };
        let written = if hdr.is_null() {
            Err(EMSGSIZE)
        } else {
            // SAFETY: `skb` is ours until it is sent or freed below.
            let mut w = unsafe { Writer::from_raw(skb) };
            build(&mut w)
        };
        if let Err(e) = written {
            // SAFETY: `skb` is ours and was never sent.
            unsafe { bindings::kfree_skb(skb) };
            return Err(e);
        }
        // SAFETY: `hdr` is the header this message started with, in `skb`; `genlmsg_reply`
        // takes the buffer, sent or not.
        unsafe {
            bindings::genlmsg_end(skb, hdr);
            to_result(bindings::genlmsg_reply(skb, self.raw().cast_mut()))
        }
    }
}

/// One call of a dump: the request, five words of state kept across the calls, and the
/// buffer to fill.
///
/// # Invariants
///
/// `skb` and `cb` are valid for `'a`, and `cb` is the state of a dump of `F` that
/// `dump_start` began and `dump_done` has not ended.
pub struct Dump<'a, F: Family> {
    skb: NonNull<bindings::sk_buff>,
    cb: NonNull<bindings::netlink_callback>,
    _life: PhantomData<(&'a mut bindings::netlink_callback, &'a F)>,
}

impl<'a, F: Family> Dump<'a, F> {
    /// # Safety
    ///
    /// `skb` and `cb` must be the arguments of a `dumpit` call of generic netlink for a dump
    /// of `F`, valid for `'a`.
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

    /// The request that started the dump.
    pub fn request(&self) -> Request<'a, F> {
        // SAFETY: `cb` is the state of a dump generic netlink started (type invariant), so
        // `genl_start` filled in its request, valid until the dump ends, after `'a`; `cb.skb`
        // is the buffer that carried it, which the dump holds until it ends.
        unsafe {
            Request::from_raw(
                bindings::genl_dump_info(self.cb.as_ptr()),
                (*self.cb.as_ptr()).skb,
                self.data(),
            )
        }
    }

    /// The network namespace of the requesting socket.
    pub fn net(&self) -> &'a Net {
        self.request().net()
    }

    /// The data the family's handlers share.
    pub fn data(&self) -> &'a F::Data {
        // SAFETY: Between `dump_start` and `dump_done` (type invariant) the dump's data word
        // holds a reference to the data, dropped after `'a`.
        unsafe { &*dump_data_ptr::<F>(self.cb.as_ptr()) }
    }

    /// The dump's own state: zero at its first call, then as [`Dump::set_state`] left it
    /// (kept in `netlink_callback.ctx`).
    pub fn state(&self) -> [u64; 5] {
        // SAFETY: `cb` is valid (type invariant) and only this call uses it; generic netlink
        // leaves `ctx` to the family and zeroes it before the first call.
        unsafe { dump_state(self.cb.as_ptr()) }
    }

    /// Keeps `state` for the next call of the same dump.
    pub fn set_state(&mut self, state: [u64; 5]) {
        // SAFETY: `cb` is valid (type invariant) and this call's alone; words 0 to 4 are the
        // family's (the last one holds the dump's data).
        unsafe { set_dump_state(self.cb.as_ptr(), state) };
    }

    /// Adds one message for `cmd` to the dump, built by `build`. Returns `false`, with nothing
    /// added, when it does not fit: the dump is to go on from this message in the next call.
    pub fn message(
        &mut self,
        cmd: u8,
        build: impl FnOnce(&mut Writer<'_>) -> Result,
    ) -> Result<bool> {
        let skb = self.skb.as_ptr();
        let req = self.request();
        // SAFETY: `skb` is the dump's buffer and `req` its request, both valid for `'a`.
        let hdr = unsafe {
            bindings::genlmsg_put(
                skb,
                (*req.raw()).snd_portid,
                (*req.raw()).snd_seq,
                (*req.raw()).family,
                bindings::NLM_F_MULTI as c_int,
                cmd,
            )
        };
        if hdr.is_null() {
            return Ok(false);
        }
        // SAFETY: `skb` is the dump's buffer, this call's to fill, and `hdr` started a message
        // in it, which `genlmsg_end` or `genlmsg_cancel` closes.
        unsafe {
            build_message(
                skb,
                build,
                || bindings::genlmsg_end(skb, hdr),
                || bindings::genlmsg_cancel(skb, hdr),
            )
        }
    }
}

/// Writes the attributes of a message. Every method fails with `EMSGSIZE` when the buffer is
/// full, leaving the buffer as it was before the call.
///
/// # Invariants
///
/// `skb` is a buffer holding a message being written, valid and the writer's for `'a`.
pub struct Writer<'a> {
    skb: NonNull<bindings::sk_buff>,
    _life: PhantomData<&'a mut bindings::sk_buff>,
}

impl Writer<'_> {
    /// # Safety
    ///
    /// `skb` must be valid, hold a message being written, and be the writer's for its life.
    unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Self {
        // INVARIANT: By the caller's guarantee.
        Self {
            // SAFETY: Valid, so not null, by the caller's guarantee.
            skb: unsafe { NonNull::new_unchecked(skb) },
            _life: PhantomData,
        }
    }

    /// An attribute of `kind` holding `data`.
    pub fn put_bytes(&mut self, kind: u16, data: &[u8]) -> Result {
        let len = c_int::try_from(data.len()).map_err(|_| EMSGSIZE)?;
        // SAFETY: `skb` is the writer's (type invariant); `data` is `len` readable bytes.
        to_result(unsafe {
            bindings::nla_put(self.skb.as_ptr(), kind.into(), len, data.as_ptr().cast())
        })
    }

    /// A `u8` attribute.
    pub fn put_u8(&mut self, kind: u16, value: u8) -> Result {
        self.put_bytes(kind, &[value])
    }

    /// A `u16` attribute, in host order.
    pub fn put_u16(&mut self, kind: u16, value: u16) -> Result {
        self.put_bytes(kind, &value.to_ne_bytes())
    }

    /// A `u32` attribute, in host order.
    pub fn put_u32(&mut self, kind: u16, value: u32) -> Result {
        self.put_bytes(kind, &value.to_ne_bytes())
    }

    /// A `u64` attribute, in host order, aligned to 8 bytes by a `pad` attribute where needed
    /// (`nla_put_u64_64bit`).
    pub fn put_u64(&mut self, kind: u16, value: u64, pad: u16) -> Result {
        let bytes = value.to_ne_bytes();
        // SAFETY: `skb` is the writer's (type invariant); `bytes` is 8 readable bytes.
        to_result(unsafe {
            bindings::nla_put_64bit(
                self.skb.as_ptr(),
                kind.into(),
                8,
                bytes.as_ptr().cast(),
                pad.into(),
            )
        })
    }

    /// A string attribute, with its NUL.
    pub fn put_string(&mut self, kind: u16, value: &CStr) -> Result {
        self.put_bytes(kind, value.to_bytes_with_nul())
    }

    /// A flag attribute: no payload.
    pub fn put_flag(&mut self, kind: u16) -> Result {
        self.put_bytes(kind, &[])
    }

    /// A nest of `kind`, holding what `build` writes; on failure the whole nest goes.
    pub fn nest(&mut self, kind: u16, build: impl FnOnce(&mut Self) -> Result) -> Result {
        let skb = self.skb.as_ptr();
        // SAFETY: `skb` is the writer's (type invariant).
        let start = unsafe { bindings::nla_nest_start_noflag(skb, kind.into()) };
        if start.is_null() {
            return Err(EMSGSIZE);
        }
        let built = build(self);
        if built.is_ok() {
            // SAFETY: `start` began this nest in `skb`.
            unsafe { bindings::nla_nest_end(skb, start) };
        } else {
            // SAFETY: As above.
            unsafe { bindings::nla_nest_cancel(skb, start) };
        }
        built
    }
}

/// An attribute of a request.
///
/// # Invariants
///
/// `nla` is an attribute whose header and `nla_len` bytes lie within a message valid for `'a`.
#[derive(Clone, Copy)]
pub struct Attr<'a> {
    nla: NonNull<bindings::nlattr>,
    _life: PhantomData<&'a bindings::nlattr>,
}

/// The size of an attribute header (`NLA_HDRLEN`).
const NLA_HDRLEN: usize = core::mem::size_of::<bindings::nlattr>();
/// The size of a netlink message header (`NLMSG_HDRLEN`).
const NLMSG_HDRLEN: usize = core::mem::size_of::<bindings::nlmsghdr>();
/// The size of the generic netlink header (`GENL_HDRLEN`).
const GENL_HDRLEN: usize = core::mem::size_of::<bindings::genlmsghdr>();

impl<'a> Attr<'a> {
    /// # Safety
    ///
    /// `nla` must be an attribute whose header and `nla_len` bytes lie within a message valid
    /// for `'a`.
    unsafe fn from_raw(nla: NonNull<bindings::nlattr>) -> Self {
        // INVARIANT: By the caller's guarantee.
        Self {
            nla,
            _life: PhantomData,
        }
    }

    /// The payload.
    pub fn payload(&self) -> &'a [u8] {
        // SAFETY: The header lies within the message (type invariant).
        let len = usize::from(unsafe { (*self.nla.as_ptr()).nla_len });
        let len = len.saturating_sub(NLA_HDRLEN);
        // SAFETY: `nla_len` bytes from the header lie within the message, valid for `'a`
        // (type invariant); the payload follows the header.
        unsafe { core::slice::from_raw_parts(self.nla.as_ptr().cast::<u8>().add(NLA_HDRLEN), len) }
    }

    /// The payload as a `u32` in host order; `EINVAL` if it is shorter.
    pub fn u32(&self) -> Result<u32> {
        let bytes = self.payload().get(..4).ok_or(EINVAL)?;
        let mut word = [0; 4];
        word.copy_from_slice(bytes);
        Ok(u32::from_ne_bytes(word))
    }

    /// The payload as a `u64` in host order; `EINVAL` if it is shorter.
    pub fn u64(&self) -> Result<u64> {
        let bytes = self.payload().get(..8).ok_or(EINVAL)?;
        let mut word = [0; 8];
        word.copy_from_slice(bytes);
        Ok(u64::from_ne_bytes(word))
    }

    /// The payload as a string: up to its first NUL, if any.
    pub fn string(&self) -> &'a [u8] {
        let p = self.payload();
        p.split(|&b| b == 0).next().unwrap_or(p)
    }

    /// Parses the payload as a nest of attributes checked against `policy` (as
    /// `nla_parse_nested_deprecated`: unknown attributes pass); a failure is also reported in
    /// the request's extended ack.
    pub fn nested<F: Family, const N: usize>(
        &self,
        policy: &'static [Policy; N],
        req: &Request<'_, F>,
    ) -> Result<Nest<'a, N>> {
        const { assert!(N > 0, "a policy has at least attribute 0") };
        let max = c_int::try_from(N - 1).map_err(|_| EINVAL)?;
        let mut tb = [core::ptr::null_mut::<bindings::nlattr>(); N];
        let payload = self.payload();
        let len = c_int::try_from(payload.len()).map_err(|_| EINVAL)?;
        // SAFETY: `tb` has room for attributes 0 to `max`; `payload` is `len` readable bytes
        // of the message; `policy` has `max + 1` entries and lives forever.
        to_result(unsafe {
            bindings::__nla_parse(
                tb.as_mut_ptr(),
                max,
                payload.as_ptr().cast(),
                len,
                policy.as_ptr().cast(),
                bindings::netlink_validation_NL_VALIDATE_LIBERAL,
                req.extack(),
            )
        })?;
        Ok(Nest {
            tb,
            _life: PhantomData,
        })
    }
}

/// The attributes of a nest, by kind, as [`Attr::nested`] parsed them.
///
/// # Invariants
///
/// Every non-null entry of `tb` is an attribute within a message valid for `'a`.
pub struct Nest<'a, const N: usize> {
    tb: [*mut bindings::nlattr; N],
    _life: PhantomData<&'a bindings::nlattr>,
}

impl<'a, const N: usize> Nest<'a, N> {
    /// Attribute `kind`, if present.
    pub fn get(&self, kind: usize) -> Option<Attr<'a>> {
        let nla = NonNull::new(*self.tb.get(kind)?)?;
        // SAFETY: A non-null entry is an attribute within the message (type invariant).
        Some(unsafe { Attr::from_raw(nla) })
    }
}
