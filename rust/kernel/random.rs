// SPDX-License-Identifier: GPL-2.0

//! Random numbers from the kernel's cryptographically secure generator.
//!
//! C header: [`include/linux/random.h`](srctree/include/linux/random.h).

/// A random `u32`, uniformly distributed.
///
/// # Examples
///
/// ```
/// use kernel::random::get_u32;
///
/// let draws = [get_u32(), get_u32(), get_u32(), get_u32()];
/// assert!(draws.iter().any(|&d| d != draws[0]));
/// ```
pub fn get_u32() -> u32 {
    // SAFETY: `get_random_u32` may be called from any context once the kernel is up.
    unsafe { crate::bindings::get_random_u32() }
}
