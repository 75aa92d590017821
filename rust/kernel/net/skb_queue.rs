// SPDX-License-Identifier: GPL-2.0

//! Queues of socket buffers (`struct sk_buff_head`).
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).

use super::skb::OwnedSkBuff;
use crate::{bindings, prelude::*, types::Opaque};
use core::ptr::NonNull;

/// A queue of socket buffers with a lock of its own (`struct sk_buff_head`).
///
/// Every operation takes the queue's lock with interrupts disabled, so a queue may be used from
/// any context, hardirq included. The buffers left in it are freed when it is dropped.
///
/// # Examples
///
/// ```
/// use kernel::net::skb::OwnedSkBuff;
/// use kernel::net::skb_queue::SkBuffQueue;
/// use kernel::prelude::*;
///
/// let queue = KBox::pin_init(SkBuffQueue::new(), GFP_KERNEL)?;
/// for byte in [1u8, 2, 3] {
///     let mut skb = OwnedSkBuff::alloc(1, GFP_KERNEL)?;
///     skb.put(1)?[0] = byte;
///     queue.enqueue(skb);
/// }
/// assert_eq!(queue.len(), 3);
/// let first = queue.dequeue().ok_or(EINVAL)?;
/// assert_eq!(first.data(), &[1]);
/// assert_eq!(queue.len(), 2);
/// queue.purge();
/// assert!(queue.is_empty());
/// assert!(queue.dequeue().is_none());
/// // Buffers still queued when the queue is dropped are freed.
/// queue.enqueue(first);
/// drop(queue);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `head` is an initialised `struct sk_buff_head` whose buffers this queue owns.
#[pin_data(PinnedDrop)]
pub struct SkBuffQueue {
    #[pin]
    head: Opaque<bindings::sk_buff_head>,
}

// SAFETY: The queue's lock serialises every access to it, from whatever thread.
unsafe impl Send for SkBuffQueue {}
// SAFETY: As above: every method takes the queue's lock.
unsafe impl Sync for SkBuffQueue {}

impl SkBuffQueue {
    /// An empty queue.
    pub fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `skb_queue_head_init` initialises the list head and its lock in place.
            head <- Opaque::ffi_init(|head| unsafe { bindings::skb_queue_head_init(head) }),
        })
    }

    fn as_raw(&self) -> *mut bindings::sk_buff_head {
        self.head.get()
    }

    /// Appends `skb` to the queue.
    pub fn enqueue(&self, skb: OwnedSkBuff) {
        // SAFETY: The queue is initialised (type invariant); the buffer is on no list and its
        // reference goes to the queue.
        unsafe { bindings::skb_queue_tail(self.as_raw(), skb.into_raw()) };
    }

    /// Takes the buffer at the head of the queue, if any.
    pub fn dequeue(&self) -> Option<OwnedSkBuff> {
        // SAFETY: The queue is initialised (type invariant).
        let skb = unsafe { bindings::skb_dequeue(self.as_raw()) };
        // SAFETY: `skb_dequeue` unlinked the buffer; the queue owned its only reference (type
        // invariant, and `OwnedSkBuff`'s), which it hands to us.
        NonNull::new(skb).map(|skb| unsafe { OwnedSkBuff::from_raw(skb) })
    }

    /// The number of buffers in the queue (which may change as soon as it is read).
    pub fn len(&self) -> usize {
        // SAFETY: The queue is initialised (type invariant).
        let len = unsafe { bindings::skb_queue_len_lockless(self.as_raw()) };
        len as usize
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frees every buffer in the queue.
    pub fn purge(&self) {
        // SAFETY: The queue is initialised (type invariant) and owns its buffers.
        unsafe { bindings::skb_queue_purge(self.as_raw()) };
    }
}

#[pinned_drop]
impl PinnedDrop for SkBuffQueue {
    fn drop(self: Pin<&mut Self>) {
        self.purge();
    }
}
