// SPDX-License-Identifier: GPL-2.0

//! The messages of `sendmsg(2)` and `recvmsg(2)` as a socket family sees them (`struct
//! msghdr`): the address, the data iterator, the flags and the ancillary data.
//!
//! C header: [`include/linux/socket.h`](srctree/include/linux/socket.h).

use crate::{
    bindings,
    ffi::c_int,
    iov::{IovIterDest, IovIterSource},
    prelude::*,
};
use core::marker::PhantomData;

/// The largest address a `struct msghdr` carries: a `struct sockaddr_storage`.
const NAME_MAX: usize = core::mem::size_of::<bindings::__kernel_sockaddr_storage>();

/// The message of a `sendmsg(2)` (or `send`, `sendto`, `write`) call.
///
/// # Invariants
///
/// `raw` points to a valid `struct msghdr` for `'a`, whose `msg_name` is NULL or holds
/// `msg_namelen` bytes in kernel memory, and whose iterator is a source of the data to send.
pub struct SendMsg<'a> {
    raw: *mut bindings::msghdr,
    _msg: PhantomData<&'a mut bindings::msghdr>,
}

impl<'a> SendMsg<'a> {
    /// Wraps the message the socket layer passed to `sendmsg`.
    ///
    /// # Safety
    ///
    /// `raw` must satisfy the type invariant for `'a`.
    pub(crate) unsafe fn from_raw(raw: *mut bindings::msghdr) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            raw,
            _msg: PhantomData,
        }
    }

    /// The destination address the caller gave, as the caller laid it out; `None` if none.
    pub fn name(&self) -> Option<&[u8]> {
        // SAFETY: By the type invariant `msg_name` is NULL or holds `msg_namelen` bytes.
        unsafe {
            let name = (*self.raw).msg_name;
            let len = usize::try_from((*self.raw).msg_namelen).unwrap_or(0);
            if name.is_null() {
                return None;
            }
            Some(core::slice::from_raw_parts(
                name.cast::<u8>(),
                len.min(NAME_MAX),
            ))
        }
    }

    /// The `MSG_*` flags the caller passed.
    pub fn flags(&self) -> u32 {
        // SAFETY: By the type invariant the message is valid.
        unsafe { (*self.raw).msg_flags }
    }

    /// The data to send; reading it advances the iterator.
    pub fn data(&mut self) -> &mut IovIterSource<'a> {
        // SAFETY: By the type invariant the iterator is a valid source for `'a`, and `&mut
        // self` makes the borrow exclusive.
        unsafe { IovIterSource::from_raw(&raw mut (*self.raw).msg_iter) }
    }
}

/// The message of a `recvmsg(2)` (or `recv`, `recvfrom`, `read`) call, for the family to fill.
///
/// # Invariants
///
/// `raw` points to a valid `struct msghdr` for `'a`, whose `msg_name` is NULL or has room for
/// a `struct sockaddr_storage` in kernel memory, and whose iterator is a destination.
pub struct RecvMsg<'a> {
    raw: *mut bindings::msghdr,
    _msg: PhantomData<&'a mut bindings::msghdr>,
}

impl<'a> RecvMsg<'a> {
    /// Wraps the message the socket layer passed to `recvmsg`.
    ///
    /// # Safety
    ///
    /// `raw` must satisfy the type invariant for `'a`.
    pub(crate) unsafe fn from_raw(raw: *mut bindings::msghdr) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            raw,
            _msg: PhantomData,
        }
    }

    /// Whether the caller asked for the source address.
    pub fn wants_name(&self) -> bool {
        // SAFETY: By the type invariant the message is valid.
        unsafe { !(*self.raw).msg_name.is_null() }
    }

    /// Whether the caller gave room for ancillary data (a non-empty control buffer).
    pub fn wants_control(&self) -> bool {
        // SAFETY: By the type invariant the message is valid.
        unsafe { (*self.raw).msg_controllen != 0 }
    }

    /// Gives the caller the source address `addr` (at most a `struct sockaddr_storage`; longer
    /// addresses are cut); nothing if the caller did not ask for it.
    pub fn set_name(&mut self, addr: &[u8]) {
        let len = addr.len().min(NAME_MAX);
        // SAFETY: By the type invariant `msg_name`, if not NULL, has room for `NAME_MAX` bytes.
        unsafe {
            let name = (*self.raw).msg_name;
            if name.is_null() {
                return;
            }
            core::ptr::copy_nonoverlapping(addr.as_ptr(), name.cast::<u8>(), len);
            (*self.raw).msg_namelen = len as c_int;
        }
    }

    /// Adds `MSG_*` flags to those returned to the caller (such as `MSG_TRUNC` or `MSG_EOR`).
    pub fn add_flags(&mut self, flags: u32) {
        // SAFETY: By the type invariant the message is valid; `&mut self` is exclusive.
        unsafe { (*self.raw).msg_flags |= flags };
    }

    /// Where the received data goes; writing to it advances the iterator.
    pub fn data(&mut self) -> &mut IovIterDest<'a> {
        // SAFETY: By the type invariant the iterator is a valid destination for `'a`, and
        // `&mut self` makes the borrow exclusive.
        unsafe { IovIterDest::from_raw(&raw mut (*self.raw).msg_iter) }
    }

    /// Appends an ancillary data item (`level`, `ty`, `data`). If the caller's control buffer is
    /// too small the item is cut and `MSG_CTRUNC` set, as `put_cmsg` does; `EFAULT` if the
    /// buffer cannot be written.
    pub fn put_cmsg(&mut self, level: i32, ty: i32, data: &[u8]) -> Result {
        let len = i32::try_from(data.len()).map_err(|_| EINVAL)?;
        // SAFETY: The message is valid (type invariant) and `data` holds `len` readable bytes;
        // `put_cmsg` copies them.
        let ret = unsafe {
            bindings::put_cmsg(self.raw, level, ty, len, data.as_ptr().cast_mut().cast())
        };
        crate::error::to_result(ret)
    }
}
