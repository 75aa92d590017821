// SPDX-License-Identifier: GPL-2.0

//! Socket buffers: the kernel's packet containers (`struct sk_buff`).
//!
//! [`SkBuff`] is a buffer as code that does not own it sees it: its length and its bytes.
//! [`OwnedSkBuff`] is a buffer this code owns and may grow; dropping it frees the buffer.
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).

use crate::{alloc::Flags, bindings, iov::IovIterDest, prelude::*, types::Opaque};
use core::{ops::Deref, ptr::NonNull};

/// A socket buffer, borrowed.
///
/// # Invariants
///
/// The wrapped `struct sk_buff` is valid for as long as the reference to this value, and its
/// linear data is not written by anyone else during that time.
#[repr(transparent)]
pub struct SkBuff(Opaque<bindings::sk_buff>);

impl SkBuff {
    /// Borrows the buffer at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct sk_buff` that stays valid, and whose linear data no
    /// one writes, for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::sk_buff) -> &'a Self {
        // SAFETY: `SkBuff` is a transparent wrapper of `struct sk_buff`; the caller guarantees
        // validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer to the buffer.
    pub(crate) fn as_raw(&self) -> *mut bindings::sk_buff {
        self.0.get()
    }

    /// The number of bytes in the buffer, linear and paged.
    pub fn len(&self) -> usize {
        // SAFETY: By the type invariant the buffer is valid.
        let len = unsafe { bindings::skb_len(self.as_raw()) };
        len as usize
    }

    /// The memory the buffer takes, as socket buffers account it (its `truesize`).
    pub fn truesize(&self) -> u32 {
        // SAFETY: By the type invariant the buffer is valid.
        unsafe { bindings::skb_truesize(self.as_raw()) }
    }

    /// Whether the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in the linear part of the buffer: all of them for a buffer built with
    /// [`OwnedSkBuff::alloc`] and [`OwnedSkBuff::put`].
    pub fn data(&self) -> &[u8] {
        let raw = self.as_raw();
        // SAFETY: By the type invariant the buffer is valid and its linear data, `headlen`
        // bytes from `data`, is not written while `self` is borrowed.
        unsafe {
            let len = bindings::skb_headlen(raw) as usize;
            let data = bindings::skb_data(raw);
            if len == 0 || data.is_null() {
                return &[];
            }
            core::slice::from_raw_parts(data, len)
        }
    }

    /// Copies `len` bytes starting at `offset`, linear or paged, to `dest`; `EFAULT` if the
    /// destination could not take them all, `EINVAL` if the buffer holds fewer.
    pub fn copy_to_iter(&self, offset: usize, len: usize, dest: &mut IovIterDest<'_>) -> Result {
        let end = offset.checked_add(len).ok_or(EINVAL)?;
        if end > self.len() {
            return Err(EINVAL);
        }
        let offset = i32::try_from(offset).map_err(|_| EINVAL)?;
        let len = i32::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: The buffer is valid by the type invariant and holds `offset + len` bytes;
        // `dest` is a valid destination iterator.
        let ret =
            unsafe { bindings::skb_copy_datagram_iter(self.as_raw(), offset, dest.as_raw(), len) };
        if ret != 0 {
            return Err(EFAULT);
        }
        Ok(())
    }
}

/// A socket buffer owned by its holder, on no list; it is freed (and counted as dropped) when
/// dropped, unless given to [`OwnedSkBuff::consume`] or to a queue.
///
/// # Invariants
///
/// `ptr` points to a valid `struct sk_buff` on which this value holds a reference; the buffer is
/// on no list, and its data is not shared with a clone.
pub struct OwnedSkBuff {
    ptr: NonNull<SkBuff>,
}

// SAFETY: A buffer owned by nothing else may be used and freed from any thread.
unsafe impl Send for OwnedSkBuff {}
// SAFETY: Shared references only read the buffer.
unsafe impl Sync for OwnedSkBuff {}

impl OwnedSkBuff {
    /// Allocates an empty buffer with room for `size` bytes of linear data; `ENOMEM` if memory
    /// is short, `EMSGSIZE` if `size` is beyond what a buffer can hold.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::net::skb::OwnedSkBuff;
    /// use kernel::prelude::*;
    ///
    /// let mut skb = OwnedSkBuff::alloc(16, GFP_KERNEL)?;
    /// skb.put(4)?.copy_from_slice(b"tipc");
    /// assert_eq!(skb.data(), b"tipc");
    /// // The allocator may round the room up, but never beyond what `tailroom` says.
    /// let room = skb.tailroom();
    /// assert!(room >= 12);
    /// assert!(skb.put(room + 1).is_err());
    /// assert_eq!(skb.len(), 4);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn alloc(size: usize, flags: Flags) -> Result<Self> {
        let size = u32::try_from(size).map_err(|_| EMSGSIZE)?;
        if size > i32::MAX as u32 {
            return Err(EMSGSIZE);
        }
        // SAFETY: `alloc_skb` may be called with any size and any allocation flags.
        let ptr = unsafe { bindings::alloc_skb(size, flags.as_raw()) };
        let ptr = NonNull::new(ptr.cast::<SkBuff>()).ok_or(ENOMEM)?;
        // INVARIANT: A new buffer holds one reference, ours, and is on no list.
        Ok(Self { ptr })
    }

    /// Takes ownership of the buffer at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct sk_buff` on no list, with data not shared with a
    /// clone, whose reference the caller hands over.
    pub(crate) unsafe fn from_raw(ptr: NonNull<bindings::sk_buff>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self { ptr: ptr.cast() }
    }

    /// Gives up ownership without freeing the buffer.
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let raw = self.as_raw();
        core::mem::forget(self);
        raw
    }

    /// The bytes the buffer can still grow by.
    pub fn tailroom(&self) -> usize {
        // SAFETY: By the type invariant the buffer is valid.
        let room = unsafe { bindings::skb_tailroom(self.as_raw()) };
        usize::try_from(room).unwrap_or(0)
    }

    /// Grows the linear data by `len` bytes and returns them for writing; `EMSGSIZE` if the
    /// buffer has less room than that.
    pub fn put(&mut self, len: usize) -> Result<&mut [u8]> {
        if len > self.tailroom() {
            return Err(EMSGSIZE);
        }
        // SAFETY: The buffer is valid and ours (type invariant) and has `len` bytes of tailroom,
        // so `skb_put` returns `len` writable bytes that belong to the buffer's linear data,
        // which no one else sees while `self` is borrowed mutably.
        unsafe {
            let start = bindings::skb_put(self.as_raw(), len as u32).cast::<u8>();
            Ok(core::slice::from_raw_parts_mut(start, len))
        }
    }

    /// The bytes in the linear part of the buffer, for writing.
    pub fn data_mut(&mut self) -> &mut [u8] {
        let raw = self.as_raw();
        // SAFETY: The buffer is valid and ours, its data shared with no clone (type invariant);
        // its linear data, `headlen` bytes from `data`, is not read or written by anyone else
        // while `self` is borrowed mutably.
        unsafe {
            let len = bindings::skb_headlen(raw) as usize;
            let data = bindings::skb_data(raw);
            if len == 0 || data.is_null() {
                return &mut [];
            }
            core::slice::from_raw_parts_mut(data, len)
        }
    }

    /// Frees the buffer as one that was used, not dropped (drop monitors do not count it).
    pub fn consume(self) {
        // SAFETY: We own the buffer's reference (type invariant) and give it up here.
        unsafe { bindings::consume_skb(self.into_raw()) };
    }
}

impl Deref for OwnedSkBuff {
    type Target = SkBuff;

    fn deref(&self) -> &SkBuff {
        // SAFETY: By the type invariant the buffer is valid while `self` exists, and only
        // `&mut self` methods write its data.
        unsafe { self.ptr.as_ref() }
    }
}

impl Drop for OwnedSkBuff {
    fn drop(&mut self) {
        // SAFETY: We own a reference to the buffer (type invariant), given up here.
        unsafe { bindings::kfree_skb(self.as_raw()) };
    }
}
