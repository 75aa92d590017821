// SPDX-License-Identifier: GPL-2.0

//! Socket buffers: the kernel's packet containers (`struct sk_buff`).
//!
//! [`SkBuff`] is a buffer as code that does not own it sees it: its length and its bytes.
//! [`OwnedSkBuff`] is a buffer this code owns and may grow, shrink and copy; dropping it frees
//! the buffer.
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

    /// The room before the data, for headers to be pushed in front of it.
    pub fn headroom(&self) -> usize {
        // SAFETY: By the type invariant the buffer is valid.
        let room = unsafe { bindings::skb_headroom(self.as_raw()) };
        room as usize
    }

    /// Whom a received buffer was addressed to, as the link layer classified it (`PACKET_HOST`,
    /// `PACKET_BROADCAST`, `PACKET_MULTICAST`, `PACKET_OTHERHOST`, ...).
    pub fn pkt_type(&self) -> u8 {
        // SAFETY: By the type invariant the buffer is valid.
        unsafe { bindings::skb_pkt_type(self.as_raw()) }
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
/// `ptr` points to a valid `struct sk_buff` on which this value holds the only reference; the
/// buffer is on no list, and its header (headroom and linear data) is shared with no clone.
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
    /// `ptr` must point to a valid `struct sk_buff` on no list, with a header shared with no
    /// clone, whose only reference the caller hands over.
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

    /// Takes ownership of a buffer that a receive handler was given, which others (packet
    /// capture, say) may share or have cloned: such a buffer is copied, and the reference
    /// handed over put. `None` if memory for the copy is short.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct sk_buff` on no list, whose reference the caller hands
    /// over.
    pub(crate) unsafe fn from_received(ptr: NonNull<bindings::sk_buff>) -> Option<Self> {
        let raw = ptr.as_ptr();
        // SAFETY: The caller guarantees that `raw` is valid and hands over its reference.
        unsafe {
            bindings::skb_mark_not_on_list(raw);
            if bindings::skb_shared(raw) == 0 && bindings::skb_cloned(raw) == 0 {
                // INVARIANT: Ours is the only reference, and the header is not cloned.
                return Some(Self::from_raw(ptr));
            }
            let copy = bindings::skb_copy(raw, bindings::GFP_ATOMIC);
            bindings::consume_skb(raw);
            // INVARIANT: A new copy has one reference, ours, and a header of its own.
            NonNull::new(copy).map(|copy| Self::from_raw(copy))
        }
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

    /// Moves the start of an empty buffer `len` bytes forward, leaving that much headroom for
    /// headers to be pushed later; `EINVAL` if the buffer is not empty, `EMSGSIZE` if it has
    /// less room than that.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::net::skb::OwnedSkBuff;
    /// use kernel::prelude::*;
    ///
    /// let mut skb = OwnedSkBuff::alloc(64, GFP_KERNEL)?;
    /// skb.reserve(16)?;
    /// assert!(skb.headroom() >= 16);
    /// skb.put(4)?.copy_from_slice(b"data");
    /// skb.push(3)?.copy_from_slice(b"hdr");
    /// assert_eq!(skb.data(), b"hdrdata");
    /// assert!(skb.reserve(1).is_err());
    /// assert!(skb.push(skb.headroom() + 1).is_err());
    ///
    /// // A copy is a buffer of its own.
    /// let mut copy = skb.copy(GFP_KERNEL)?;
    /// copy.data_mut()[0] = b'H';
    /// assert_eq!(copy.data(), b"Hdrdata");
    /// assert_eq!(skb.data(), b"hdrdata");
    /// let mut copy = skb.copy_with_headroom(32, GFP_KERNEL)?;
    /// assert!(copy.headroom() >= 32);
    /// copy.pull(3)?;
    /// assert_eq!(copy.data(), b"data");
    /// assert!(copy.pull(5).is_err());
    /// copy.linearize()?;
    /// assert_eq!(copy.len(), 4);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn reserve(&mut self, len: usize) -> Result {
        if !self.is_empty() {
            return Err(EINVAL);
        }
        if len > self.tailroom() {
            return Err(EMSGSIZE);
        }
        // The tailroom of a buffer is below `i32::MAX`.
        let len = i32::try_from(len).map_err(|_| EMSGSIZE)?;
        // SAFETY: The buffer is ours (type invariant), empty and has `len` bytes of tailroom.
        unsafe { bindings::skb_reserve(self.as_raw(), len) };
        Ok(())
    }

    /// Grows the data by `len` bytes at its start, out of the headroom, and returns them for
    /// writing; `EMSGSIZE` if the headroom is shorter.
    pub fn push(&mut self, len: usize) -> Result<&mut [u8]> {
        if len > self.headroom() {
            return Err(EMSGSIZE);
        }
        // SAFETY: The buffer is ours with a header shared with no clone (type invariant) and has
        // `len` bytes of headroom, so `skb_push` returns `len` writable bytes of its linear data,
        // which no one else sees while `self` is borrowed mutably.
        unsafe {
            let start = bindings::skb_push(self.as_raw(), len as u32).cast::<u8>();
            Ok(core::slice::from_raw_parts_mut(start, len))
        }
    }

    /// Removes `len` bytes from the start of the data (a header that was read); `EINVAL` if the
    /// linear data is shorter (see [`OwnedSkBuff::linearize`]).
    pub fn pull(&mut self, len: usize) -> Result {
        // SAFETY: By the type invariant the buffer is valid.
        let headlen = unsafe { bindings::skb_headlen(self.as_raw()) } as usize;
        if len > headlen {
            return Err(EINVAL);
        }
        // SAFETY: The buffer is ours (type invariant) and its linear data holds `len` bytes.
        unsafe { bindings::skb_pull(self.as_raw(), len as u32) };
        Ok(())
    }

    /// Makes all the bytes linear, so that [`SkBuff::data`] returns them all; `ENOMEM` if memory
    /// is short. It allocates atomically (`GFP_ATOMIC`), whatever the context.
    pub fn linearize(&mut self) -> Result {
        // SAFETY: The buffer is ours (type invariant).
        let ret = unsafe { bindings::skb_linearize(self.as_raw()) };
        if ret != 0 {
            return Err(ENOMEM);
        }
        Ok(())
    }

    /// Makes sure the buffer has `headroom` bytes of headroom, reallocating its header if it
    /// has less; `ENOMEM` if memory is short. It allocates atomically (`GFP_ATOMIC`).
    pub fn ensure_headroom(&mut self, headroom: usize) -> Result {
        let headroom = u32::try_from(headroom).map_err(|_| ENOMEM)?;
        // SAFETY: The buffer is ours (type invariant).
        let ret = unsafe { bindings::skb_cow_head(self.as_raw(), headroom) };
        if ret != 0 {
            return Err(ENOMEM);
        }
        Ok(())
    }

    /// A copy of the buffer, all its bytes linear; `ENOMEM` if memory is short.
    pub fn copy(&self, flags: Flags) -> Result<Self> {
        // SAFETY: The buffer is valid (type invariant); `skb_copy` only reads it.
        let copy = unsafe { bindings::skb_copy(self.as_raw(), flags.as_raw()) };
        let copy = NonNull::new(copy).ok_or(ENOMEM)?;
        // SAFETY: A new copy has one reference, which we take, and a header of its own.
        Ok(unsafe { Self::from_raw(copy) })
    }

    /// A copy of the buffer's header (its linear data) with `headroom` bytes of headroom, its
    /// paged data shared with this buffer: the cheap way to keep a buffer for retransmission and
    /// send a copy that the device prefixes with its link-layer header. `ENOMEM` if memory is
    /// short.
    pub fn copy_with_headroom(&self, headroom: usize, flags: Flags) -> Result<Self> {
        let headroom = i32::try_from(headroom).map_err(|_| ENOMEM)?;
        // SAFETY: The buffer is valid (type invariant); `__pskb_copy` only reads it (and takes
        // references on its pages).
        let copy = unsafe { bindings::__pskb_copy(self.as_raw(), headroom, flags.as_raw()) };
        let copy = NonNull::new(copy).ok_or(ENOMEM)?;
        // SAFETY: A new copy has one reference, which we take, and a header of its own.
        Ok(unsafe { Self::from_raw(copy) })
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
