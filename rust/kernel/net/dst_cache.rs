// SPDX-License-Identifier: GPL-2.0

//! Route caches (`struct dst_cache`).
//!
//! A sender that sends many packets to one destination keeps the route it looked up for it in a
//! [`DstCache`], so that only the first packet (and the first after the route became obsolete)
//! pays for a route lookup. The cache has a slot per CPU, each used with bottom halves disabled;
//! the senders that take a cache (see [`super::udp_tunnel`]) do that themselves.
//!
//! C header: [`include/net/dst_cache.h`](srctree/include/net/dst_cache.h).

use crate::{alloc::Flags, bindings, error::to_result, prelude::*, types::Opaque};

/// A cache of the route to one destination.
///
/// Whoever uses it must use it for one destination only: a route found in it is taken for the
/// destination it is used for, whichever that is. A route that became obsolete (the routing
/// table or the device changed) is not taken from the cache but looked up again.
///
/// # Examples
///
/// ```
/// use kernel::net::dst_cache::DstCache;
/// use kernel::prelude::*;
///
/// let cache = DstCache::new(GFP_KERNEL)?;
/// cache.reset();
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// The wrapped `struct dst_cache` was initialised by `dst_cache_init` and is destroyed only when
/// this value is dropped.
pub struct DstCache {
    cache: Opaque<bindings::dst_cache>,
}

// SAFETY: The cache holds references to routes, which may be put from any thread; its per-CPU
// slots are freed with `free_percpu`, which may be called from any process context.
unsafe impl Send for DstCache {}
// SAFETY: Shared references use only the slot of the current CPU, with bottom halves disabled
// (the safety requirement of `as_raw`'s users), so they never race on a slot.
unsafe impl Sync for DstCache {}

impl DstCache {
    /// An empty cache; `ENOMEM` if memory for the per-CPU slots is short.
    pub fn new(flags: Flags) -> Result<Self> {
        let this = Self {
            cache: Opaque::zeroed(),
        };
        // SAFETY: `this.cache` is a zeroed `struct dst_cache`, which `dst_cache_init` fills in.
        to_result(unsafe { bindings::dst_cache_init(this.cache.get(), flags.as_raw()) })?;
        // INVARIANT: Initialised above. The structure holds a pointer to its per-CPU slots, not
        // into itself, so it may move.
        Ok(this)
    }

    /// Forgets the cached routes: the next packet looks its route up again. The references to
    /// the old routes are put when the slots are next used or the cache is dropped.
    pub fn reset(&self) {
        // SAFETY: Initialised (type invariant). `dst_cache_reset` only stores the current time,
        // which any thread may do at any time.
        unsafe { bindings::dst_cache_reset(self.cache.get()) };
    }

    /// The raw pointer to the cache, for the functions that read and fill it; they must be
    /// called with bottom halves disabled.
    pub(crate) fn as_raw(&self) -> *mut bindings::dst_cache {
        self.cache.get()
    }
}

impl Drop for DstCache {
    fn drop(&mut self) {
        // SAFETY: Initialised (type invariant) and no longer used by anyone.
        unsafe { bindings::dst_cache_destroy(self.cache.get()) };
    }
}
