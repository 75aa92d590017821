// SPDX-License-Identifier: GPL-2.0

//! The network layer's view of a socket (`struct sock`) of a Rust protocol family: its
//! reference count, its receive queue, its owner lock and waiting on it.
//!
//! C header: [`include/net/sock.h`](srctree/include/net/sock.h).

use super::{
    pernet::{Net, NetData},
    skb::{OwnedSkBuff, SkBuff},
    socket::{state_ptr, Family},
};
use crate::{
    bindings, ffi::c_long, prelude::*, sync::aref::AlwaysRefCounted, task::MAX_SCHEDULE_TIMEOUT,
    types::Opaque,
};
use core::{marker::PhantomData, ptr::NonNull};

/// A `struct sock` created by family `F`, with the family's state after it.
///
/// Shared references come from a [`super::socket::Socket`] (for the duration of a socket
/// operation) or from an [`ARef`] (which holds a reference on the `struct sock`).
///
/// # Invariants
///
/// The wrapped `struct sock` was created by family `F`'s `create`, so its state is initialised,
/// and it is alive for as long as a reference to this value exists.
#[repr(transparent)]
pub struct Sk<F: Family> {
    inner: Opaque<bindings::sock>,
    _family: PhantomData<F>,
}

// SAFETY: The socket layer lets any thread use a `struct sock` it holds a reference on; the
// family's state is `Send + Sync` (required by `Family::Sock`).
unsafe impl<F: Family> Send for Sk<F> {}
// SAFETY: As above; every method takes the locks the C functions it calls require.
unsafe impl<F: Family> Sync for Sk<F> {}

// SAFETY: `sock_hold` and `sock_put` manage the reference count of a `struct sock`; the last
// `sock_put` frees it (after the family's destructor dropped its state).
unsafe impl<F: Family> AlwaysRefCounted for Sk<F> {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_hold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference, given up here.
        unsafe { bindings::sock_put(obj.cast().as_ptr()) };
    }
}

impl<F: Family> Sk<F> {
    /// Borrows the `struct sock` at `sk`.
    ///
    /// # Safety
    ///
    /// `sk` must have been created by family `F`'s `create` and stay alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(sk: *mut bindings::sock) -> &'a Self {
        // SAFETY: `Sk` is a transparent wrapper of `struct sock`; the caller guarantees the
        // rest.
        unsafe { &*sk.cast() }
    }

    /// The raw pointer to the `struct sock`.
    pub(crate) fn as_raw(&self) -> *mut bindings::sock {
        self.inner.get()
    }

    /// The family's state of this socket.
    pub fn state(&self) -> &F::Sock {
        // SAFETY: By the type invariant the state after the `struct sock` is initialised; it is
        // dropped only when the last reference goes, after every borrow of `self`.
        unsafe { &*state_ptr::<F::Sock>(self.as_raw()) }
    }

    /// The network namespace the socket lives in.
    pub fn net(&self) -> &Net {
        // SAFETY: The `struct sock` is alive; a socket keeps its namespace alive (user sockets
        // hold a reference on it, kernel sockets are closed before it goes away).
        unsafe { Net::from_raw(bindings::sock_net(self.as_raw())) }
    }

    /// The family's data in the socket's namespace.
    pub fn net_state(&self) -> &F::NetState {
        // SAFETY: A `struct sock` of family `F` holds a reference on the module that registered
        // the family, which drops its registration, and the `Arc` of the namespace data's
        // registration that it holds, only when unloading: while `self` is alive the data is
        // registered, and initialised for the socket's namespace, which the socket keeps alive.
        unsafe { &*F::NetState::pernet().slot(self.net().as_raw()) }
    }

    /// The number of buffers in the receive queue.
    pub fn receive_queue_len(&self) -> u32 {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_rcvqueue_len(self.as_raw()) }
    }

    /// The bytes charged to the receive buffer by queued buffers.
    pub fn receive_memory(&self) -> u32 {
        // SAFETY: By the type invariant the `struct sock` is alive.
        let bytes = unsafe { bindings::sk_rmem_alloc_get(self.as_raw()) };
        u32::try_from(bytes).unwrap_or(0)
    }

    /// The receive buffer size (`SO_RCVBUF`), in bytes of buffer memory.
    pub fn rcvbuf(&self) -> u32 {
        // SAFETY: By the type invariant the `struct sock` is alive.
        let bytes = unsafe { bindings::sock_rcvbuf(self.as_raw()) };
        u32::try_from(bytes).unwrap_or(0)
    }

    /// Sets the receive buffer size, as a protocol's default; `SO_RCVBUF` may change it later.
    pub fn set_rcvbuf(&self, bytes: u32) {
        let bytes = i32::try_from(bytes).unwrap_or(i32::MAX);
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_set_rcvbuf_default(self.as_raw(), bytes) };
    }

    /// The receive timeout in jiffies (`SO_RCVTIMEO`), 0 if `nonblocking`.
    pub fn rcvtimeo(&self, nonblocking: bool) -> c_long {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_rcvtimeo(self.as_raw(), nonblocking) }
    }

    /// The send timeout in jiffies (`SO_SNDTIMEO`), 0 if `nonblocking`.
    pub fn sndtimeo(&self, nonblocking: bool) -> c_long {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_sndtimeo(self.as_raw(), nonblocking) }
    }

    /// Appends `skb` to the receive queue, charges it to the receive buffer and wakes readers.
    ///
    /// The caller has decided that the socket accepts it: no limit is checked here. Any
    /// context may call this, the queue's own lock protects it.
    pub fn queue_rcv(&self, skb: OwnedSkBuff) {
        let sk = self.as_raw();
        let skb = skb.into_raw();
        // SAFETY: `sk` is alive (type invariant) and `skb` is ours, on no list. The queue now
        // owns it and charges it to `sk`; buffers still queued when `sk` dies are freed by the
        // family's destructor, before the `struct sock` goes.
        unsafe {
            bindings::skb_set_owner_r(skb, sk);
            bindings::skb_queue_tail(bindings::sock_receive_queue(sk), skb);
            bindings::sock_data_ready(sk);
        }
    }

    /// Takes the socket's owner lock (`lock_sock`), which serialises the socket's operations.
    /// May sleep: process context only.
    pub fn lock(&self) -> SkGuard<'_, F> {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::lock_sock(self.as_raw()) };
        // INVARIANT: We just took the lock.
        SkGuard { sk: self }
    }

    /// The protocol's state number (`sk_state`), which `ss` and `sock_diag` report.
    pub fn sk_state(&self) -> u8 {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_get_state(self.as_raw()) }
    }

    /// Sets the protocol's state number (`sk_state`).
    pub fn set_sk_state(&self, state: u8) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_set_state(self.as_raw(), state) };
    }

    /// The directions shut down (`sk_shutdown`): `RCV_SHUTDOWN` (1), `SEND_SHUTDOWN` (2).
    pub fn shutdown_mask(&self) -> u8 {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_get_shutdown(self.as_raw()) }
    }

    /// Sets the directions shut down (`sk_shutdown`).
    pub fn set_shutdown_mask(&self, mask: u8) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_set_shutdown(self.as_raw(), mask) };
    }

    /// Records a pending error (`sk_err`, a positive errno), which the next call reports.
    pub fn set_error(&self, errno: i32) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_set_err(self.as_raw(), errno) };
    }

    /// Takes the pending error, if any (`sock_error`), as a negative errno.
    pub fn take_error(&self) -> Option<Error> {
        // SAFETY: By the type invariant the `struct sock` is alive.
        let err = unsafe { bindings::sock_error(self.as_raw()) };
        (err != 0).then(|| Error::from_errno(err))
    }

    /// Wakes everyone waiting on the socket, after a state change (`sk_state_change`).
    pub fn wake_all(&self) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_state_change(self.as_raw()) };
    }

    /// Whether the receive queue is empty, read without its lock (for `poll` and checks that
    /// are repeated under a lock or after a wakeup).
    pub fn receive_queue_is_empty(&self) -> bool {
        self.receive_queue_len() == 0
    }

    /// Counts a message the socket dropped (`sk_drops`, which `ss` shows).
    pub fn count_drop(&self) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_drops_inc(self.as_raw()) };
    }

    /// Wakes those waiting to write to the socket (and polling for it).
    pub fn wake_writers(&self) {
        // SAFETY: By the type invariant the `struct sock` is alive.
        unsafe { bindings::sock_write_space(self.as_raw()) };
    }
}

/// The owner lock of a socket, held; dropping the guard releases it.
///
/// Only the holder of this lock takes buffers off the receive queue, so what
/// [`SkGuard::peek_rcv`] returns stays valid while the guard is borrowed.
///
/// # Invariants
///
/// The current task holds `sk`'s owner lock.
pub struct SkGuard<'a, F: Family> {
    sk: &'a Sk<F>,
}

impl<'a, F: Family> SkGuard<'a, F> {
    /// The locked socket; the reference outlives the guard, as the socket does.
    pub fn sk(&self) -> &'a Sk<F> {
        self.sk
    }

    /// The first buffer of the receive queue, left on it.
    pub fn peek_rcv(&self) -> Option<&SkBuff> {
        // SAFETY: The socket is alive. Only owner-lock holders take buffers off the queue and
        // we hold the lock (type invariant), so the first buffer stays queued, and valid, while
        // `self` is borrowed; no one writes to queued buffers.
        unsafe {
            let skb = bindings::skb_peek(bindings::sock_receive_queue(self.sk.as_raw()));
            (!skb.is_null()).then(|| SkBuff::from_raw(skb))
        }
    }

    /// Takes the first buffer off the receive queue and uncharges it from the receive buffer.
    pub fn dequeue_rcv(&mut self) -> Option<OwnedSkBuff> {
        // SAFETY: The socket is alive; `skb_dequeue` takes the queue's lock.
        let skb = unsafe { bindings::skb_dequeue(bindings::sock_receive_queue(self.sk.as_raw())) };
        let skb = NonNull::new(skb)?;
        // SAFETY: The buffer came off the queue, which owned its reference; `skb_orphan` gives
        // its charge back to the socket, so the buffer no longer refers to it.
        unsafe {
            bindings::skb_orphan(skb.as_ptr());
            Some(OwnedSkBuff::from_raw(skb))
        }
    }

    /// Waits until `ready` holds, releasing the lock while asleep, for at most `*timeo`
    /// jiffies; `*timeo` is left with the time that remains.
    ///
    /// `ready` is checked with the lock held, first before any sleep. Fails with `EAGAIN` when
    /// the time runs out (at once if `*timeo` is 0) and with `ERESTARTSYS` or `EINTR` (as
    /// `sock_intr_errno` chooses) when a signal arrives. Wakeups come from the socket's wait
    /// queue: [`Sk::queue_rcv`], [`Sk::wake_writers`] and state changes the family signals.
    ///
    /// A wait whose condition already holds returns without joining the wait queue (two
    /// acquisitions of its lock fewer, on every send and receive that need not sleep); once
    /// joined, `ready` is checked again before each sleep, so a wakeup between the first
    /// check and the joining is not lost.
    pub fn wait(&mut self, timeo: &mut c_long, mut ready: impl FnMut(&Self) -> bool) -> Result {
        if ready(self) {
            return Ok(());
        }
        let sk = self.sk.as_raw();
        let wait = Opaque::<bindings::wait_queue_entry>::uninit();
        // SAFETY: `wait` is valid memory that stays in place until it is removed from the queue
        // below; `sk` is alive, with its wait queue.
        let head = unsafe {
            bindings::init_wait_woken(wait.get());
            let head = bindings::sk_sleep(sk);
            bindings::add_wait_queue(head, wait.get());
            head
        };
        let result = loop {
            if ready(self) {
                break Ok(());
            }
            if *timeo == 0 {
                break Err(EAGAIN);
            }
            if crate::current!().signal_pending() {
                break Err(if *timeo == MAX_SCHEDULE_TIMEOUT {
                    ERESTARTSYS
                } else {
                    EINTR
                });
            }
            // SAFETY: We hold the owner lock (type invariant), released and taken again around
            // the sleep; `wait` is on the socket's wait queue, so a wakeup between the check
            // above and the sleep is not lost (`wait_woken` returns at once).
            unsafe {
                bindings::release_sock(sk);
                *timeo = bindings::wait_woken(wait.get(), bindings::TASK_INTERRUPTIBLE, *timeo);
                bindings::lock_sock(sk);
            }
        };
        // SAFETY: `wait` was added to `head` above.
        unsafe { bindings::remove_wait_queue(head, wait.get()) };
        result
    }
}

impl<F: Family> Drop for SkGuard<'_, F> {
    fn drop(&mut self) {
        // SAFETY: We hold the owner lock (type invariant).
        unsafe { bindings::release_sock(self.sk.as_raw()) };
    }
}

/// Frees the buffers still on the receive queue of a dying socket.
///
/// # Safety
///
/// `sk` must be a `struct sock` whose last reference is being put: no one else uses its queue.
pub(crate) unsafe fn purge_receive_queue(sk: *mut bindings::sock) {
    // SAFETY: Guaranteed by the caller.
    unsafe { bindings::skb_queue_purge(bindings::sock_receive_queue(sk)) };
}
