// SPDX-License-Identifier: GPL-2.0

//! Cancelling a delayed work item that was queued through an [`Arc`].
//!
//! A pending work item queued through an `Arc` holds one reference, which its `run` takes
//! back. Cancelling the item means nothing will run it, so that reference has to be dropped
//! by whoever cancelled it; these functions do.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)
//!
//! # Examples
//!
//! ```
//! use kernel::prelude::*;
//! use kernel::sync::Arc;
//! use kernel::workqueue::{self, impl_has_delayed_work, new_delayed_work, DelayedWork, WorkItem};
//! use kernel::workqueue_cancel::{cancel_delayed, cancel_delayed_sync};
//!
//! #[pin_data]
//! struct Tick {
//!     #[pin]
//!     work: DelayedWork<Tick>,
//! }
//!
//! impl_has_delayed_work! { impl HasDelayedWork<Self> for Tick { self.work } }
//!
//! impl WorkItem for Tick {
//!     type Pointer = Arc<Tick>;
//!     fn run(_this: Arc<Tick>) {}
//! }
//!
//! let tick = Arc::pin_init(pin_init!(Tick { work <- new_delayed_work!("tick") }), GFP_KERNEL)?;
//! // An hour from now: it is still pending when cancelled.
//! let hour = kernel::time::msecs_to_jiffies(3_600_000);
//! assert!(workqueue::system().enqueue_delayed(tick.clone(), hour).is_ok());
//! assert!(cancel_delayed(&tick));
//! assert!(!cancel_delayed(&tick));
//! assert!(workqueue::system().enqueue_delayed(tick.clone(), hour).is_ok());
//! assert!(cancel_delayed_sync(&tick));
//! // Only our reference is left: each cancel gave back the queue's.
//! assert!(Arc::into_unique_or_drop(tick).is_some());
//! # Ok::<(), Error>(())
//! ```

use crate::{
    bindings,
    sync::Arc,
    workqueue::{HasDelayedWork, HasWork, Work, WorkItem},
};

/// The `delayed_work` of work item `ID` of `this`.
fn raw_delayed<T, const ID: u64>(this: &Arc<T>) -> *mut bindings::delayed_work
where
    T: HasDelayedWork<T, ID>,
{
    let ptr = Arc::as_ptr(this).cast_mut();
    // SAFETY: `ptr` points to the live `T` that `this` holds.
    let work = unsafe { <T as HasWork<T, ID>>::raw_get_work(ptr) };
    // SAFETY: `work` points to the `Work` field of that `T`, alive as long as it.
    let work = unsafe { Work::raw_get(work) };
    // SAFETY: `HasDelayedWork` promises that this `work_struct` is the `work` field of a
    // `delayed_work`, so stepping back to the container stays inside the same `T`.
    unsafe { crate::container_of!(work, bindings::delayed_work, work) }
}

/// Gives back the reference a pending work item of `this` held, after a cancel that found
/// it pending.
fn release_queued<T>(this: &Arc<T>) {
    // SAFETY: A work item whose `Pointer` is `Arc<T>` can only be queued by the workqueue's
    // `RawDelayedWorkItem` implementation for `Arc<T>`, which leaks one reference with
    // `Arc::into_raw` that `run` would have taken back; the cancel means `run` never will, so
    // that reference is ours to drop, and `this` keeps the allocation alive meanwhile.
    drop(unsafe { Arc::from_raw(Arc::as_ptr(this)) });
}

/// Cancels delayed work item `ID` of `this` if it is pending; returns whether it was.
///
/// A running instance is not waited for. Callable in atomic context (`cancel_delayed_work`).
pub fn cancel_delayed<T, const ID: u64>(this: &Arc<T>) -> bool
where
    T: WorkItem<ID, Pointer = Arc<T>> + HasDelayedWork<T, ID>,
{
    // SAFETY: The `delayed_work` lives in `T`, kept alive by `this`, and was initialised by
    // `DelayedWork::new`.
    let pending = unsafe { bindings::cancel_delayed_work(raw_delayed::<T, ID>(this)) };
    if pending {
        release_queued(this);
    }
    pending
}

/// Cancels delayed work item `ID` of `this` and waits for a running instance to finish;
/// returns whether it was pending. Sleeps: process context only
/// (`cancel_delayed_work_sync`).
pub fn cancel_delayed_sync<T, const ID: u64>(this: &Arc<T>) -> bool
where
    T: WorkItem<ID, Pointer = Arc<T>> + HasDelayedWork<T, ID>,
{
    // SAFETY: As in `cancel_delayed`.
    let pending = unsafe { bindings::cancel_delayed_work_sync(raw_delayed::<T, ID>(this)) };
    if pending {
        release_queued(this);
    }
    pending
}
