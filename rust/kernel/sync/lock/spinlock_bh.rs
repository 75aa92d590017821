// SPDX-License-Identifier: GPL-2.0

//! A kernel spinlock that also disables bottom halves while it is held.
//!
//! Data shared between process context and softirq context (a network protocol's receive path,
//! a softirq timer) must be guarded by a lock that keeps softirqs off the CPU that holds it:
//! otherwise a softirq that interrupts the holder and takes the same lock spins forever. This
//! module exposes `spin_lock_bh`/`spin_unlock_bh` on the kernel's `spinlock_t` for that purpose.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h).

/// Creates a [`SpinLockBh`] initialiser with the given name and a newly-created lock class.
///
/// It uses the name if one is given, otherwise it generates one based on the file name and line
/// number.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A spinlock that disables bottom halves (softirqs) on the local CPU while it is held.
///
/// Use it for data that process context and softirq context (packet receive, softirq timers,
/// tasklets) both touch. It may be taken in process and softirq context, but not in hardirq
/// context, nor with hardirqs disabled.
///
/// Instances need a lock class and to be pinned; create them with [`new_spinlock_bh`].
///
/// # Examples
///
/// A counter that a packet receive handler (softirq) and a system call (process context) both
/// update:
///
/// ```
/// use kernel::sync::{new_spinlock_bh, SpinLockBh};
///
/// #[pin_data]
/// struct Stats {
///     #[pin]
///     counts: SpinLockBh<[u64; 2]>,
/// }
///
/// impl Stats {
///     fn new() -> impl PinInit<Self> {
///         pin_init!(Self { counts <- new_spinlock_bh!([0; 2], "Stats::counts") })
///     }
///
///     /// Called from any context but hardirq.
///     fn count(&self, which: usize) {
///         if let Some(count) = self.counts.lock().get_mut(which) {
///             *count += 1;
///         }
///     }
/// }
///
/// let stats = KBox::pin_init(Stats::new(), GFP_KERNEL)?;
/// stats.count(0);
/// stats.count(1);
/// stats.count(1);
/// assert_eq!(*stats.counts.lock(), [1, 2]);
///
/// // While one guard is held, the lock cannot be taken again.
/// let guard = stats.counts.lock();
/// assert!(stats.counts.try_lock().is_none());
/// drop(guard);
/// assert!(stats.counts.try_lock().is_some());
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockBh<T> = super::Lock<T, SpinLockBhBackend>;

/// A kernel `spinlock_t` lock backend that disables bottom halves while the lock is held.
pub struct SpinLockBhBackend;

/// A [`Guard`] acquired from locking a [`SpinLockBh`]; bottom halves stay disabled on the local
/// CPU until it is dropped.
///
/// [`Guard`]: super::Guard
pub type SpinLockBhGuard<'a, T> = super::Guard<'a, T, SpinLockBhBackend>;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion between CPUs, and
// disabling bottom halves ensures that no softirq on the owner's CPU takes it again. `relock`
// uses the default implementation, which calls `lock`, the same locking method.
unsafe impl super::Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    #[inline]
    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { bindings::spin_lock_bh(ptr) }
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the spinlock, which it took with `spin_lock_bh`.
        unsafe { bindings::spin_unlock_bh(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialized before use.
        let result = unsafe { bindings::spin_trylock_bh(ptr) };

        if result != 0 {
            Some(())
        } else {
            None
        }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialized before use.
        unsafe { bindings::spin_assert_is_held(ptr) }
    }
}
