// SPDX-License-Identifier: GPL-2.0

//! Network sysctls: integer values under `/proc/sys/net/...` that user space reads and writes
//! and the kernel reads.
//!
//! A subsystem keeps each value in a static [`Ints`] or [`ULongs`], lists them in a static
//! [`Table`] with [`Table::int`] and [`Table::ulong`] entries, and registers the table under a
//! path of the initial network namespace with [`Registration`].
//!
//! C headers: [`include/linux/sysctl.h`](srctree/include/linux/sysctl.h),
//! [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h).
//!
//! # Examples
//!
//! ```
//! use kernel::prelude::*;
//! use kernel::sysctl::{Ints, Registration, Table};
//!
//! static DEPTH: Ints<3> = Ints::new([1, 2, 3]);
//! static TABLE: Table<1> =
//!     Table::new([Table::<1>::int(c"rust_example_depth", &DEPTH, Some(1), None)]);
//!
//! let reg = Registration::new(c"net/rust_example", &TABLE)?;
//! assert_eq!(DEPTH.get(1), Some(2));
//! assert_eq!(DEPTH.get(3), None);
//! drop(reg);
//! # Ok::<(), Error>(())
//! ```

use crate::{
    bindings,
    ffi::{c_int, c_ulong},
    prelude::*,
};
use core::{
    cell::UnsafeCell,
    mem::size_of,
    ptr::NonNull,
    sync::atomic::{AtomicI32, AtomicUsize, Ordering},
};

/// `N` C `int` values of a sysctl, which `/proc/sys` writes while the kernel reads them.
#[repr(transparent)]
pub struct Ints<const N: usize>([AtomicI32; N]);

impl<const N: usize> Ints<N> {
    /// The values, initially `init`.
    pub const fn new(init: [i32; N]) -> Self {
        let mut out = [const { AtomicI32::new(0) }; N];
        let mut i = 0;
        while i < N {
            out[i] = AtomicI32::new(init[i]);
            i += 1;
        }
        Self(out)
    }

    /// Value `i`, as last written; `None` past the end.
    pub fn get(&self, i: usize) -> Option<i32> {
        self.0.get(i).map(|v| v.load(Ordering::Relaxed))
    }
}

/// `N` C `unsigned long` values of a sysctl.
#[repr(transparent)]
pub struct ULongs<const N: usize>([AtomicUsize; N]);

impl<const N: usize> ULongs<N> {
    /// The values, initially `init`.
    pub const fn new(init: [usize; N]) -> Self {
        let mut out = [const { AtomicUsize::new(0) }; N];
        let mut i = 0;
        while i < N {
            out[i] = AtomicUsize::new(init[i]);
            i += 1;
        }
        Self(out)
    }

    /// Value `i`, as last written; `None` past the end.
    pub fn get(&self, i: usize) -> Option<usize> {
        self.0.get(i).map(|v| v.load(Ordering::Relaxed))
    }
}

/// The bounds [`Table::int`] entries may have: 0 and 1, as C's `SYSCTL_ZERO` and
/// `SYSCTL_ONE`.
static BOUNDS: [c_int; 2] = [0, 1];

/// The C string pointer of `name`, in a constant context.
#[allow(clippy::disallowed_methods)]
const fn name_ptr(name: &'static CStr) -> *const crate::ffi::c_char {
    // `CStrExt::as_char_ptr` is not `const`; the cast gives the kernel's (unsigned) `char`.
    name.as_ptr().cast()
}

/// The C pointer for bound `b` of an integer entry.
const fn bound(b: Option<i32>) -> *mut core::ffi::c_void {
    match b {
        Some(0) => (&raw const BOUNDS[0]).cast_mut().cast(),
        Some(1) => (&raw const BOUNDS[1]).cast_mut().cast(),
        _ => core::ptr::null_mut(),
    }
}

/// A table of `N` sysctl entries, for a `static`.
///
/// # Invariants
///
/// Every entry names a `'static` value of the size its `maxlen` says, with the handler for
/// its type; the C side only reads the table.
pub struct Table<const N: usize>(UnsafeCell<[bindings::ctl_table; N]>);

// SAFETY: The entries point to statics that are themselves `Sync` (atomics) and are only read
// after construction.
unsafe impl<const N: usize> Sync for Table<N> {}

impl<const N: usize> Table<N> {
    /// A table of `entries`.
    pub const fn new(entries: [bindings::ctl_table; N]) -> Self {
        Self(UnsafeCell::new(entries))
    }

    /// An entry `name` (mode 0644) for `values`, read and written as decimal integers
    /// within `min` and `max`, as `proc_dointvec_minmax` does. Bounds may be 0 or 1 (as
    /// C's `SYSCTL_ZERO` and `SYSCTL_ONE`); `None`, or any other value, is no bound.
    pub const fn int<const M: usize>(
        name: &'static CStr,
        values: &'static Ints<M>,
        min: Option<i32>,
        max: Option<i32>,
    ) -> bindings::ctl_table {
        bindings::ctl_table {
            procname: name_ptr(name),
            data: (&raw const values.0).cast_mut().cast(),
            maxlen: (M * size_of::<c_int>()) as c_int,
            mode: 0o644,
            proc_handler: Some(bindings::proc_dointvec_minmax),
            poll: core::ptr::null_mut(),
            extra1: bound(min),
            extra2: bound(max),
        }
    }

    /// An entry `name` (mode 0644) for `values`, read and written as decimal unsigned
    /// longs, as `proc_doulongvec_minmax` does with no bounds.
    pub const fn ulong<const M: usize>(
        name: &'static CStr,
        values: &'static ULongs<M>,
    ) -> bindings::ctl_table {
        bindings::ctl_table {
            procname: name_ptr(name),
            data: (&raw const values.0).cast_mut().cast(),
            maxlen: (M * size_of::<c_ulong>()) as c_int,
            mode: 0o644,
            proc_handler: Some(bindings::proc_doulongvec_minmax),
            poll: core::ptr::null_mut(),
            extra1: core::ptr::null_mut(),
            extra2: core::ptr::null_mut(),
        }
    }
}

/// A table registered under a path of the initial network namespace; dropping it removes
/// the entries.
///
/// # Invariants
///
/// `header` is the live registration `register_net_sysctl_sz` returned.
pub struct Registration {
    header: NonNull<bindings::ctl_table_header>,
}

// SAFETY: The registration may be dropped from any thread.
unsafe impl Send for Registration {}
// SAFETY: A shared reference gives no access.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers `table` as `/proc/sys/<path>/...` in the initial namespace; `ENOMEM` if the
    /// kernel refuses (it also refuses an entry name that exists already).
    pub fn new<const N: usize>(path: &'static CStr, table: &'static Table<N>) -> Result<Self> {
        const {
            assert!(size_of::<c_ulong>() == size_of::<usize>());
            assert!(size_of::<c_int>() == size_of::<i32>());
        }
        // SAFETY: `init_net` always exists; `path` and `table` are `'static`, and by the
        // invariant of `Table` the entries describe `'static` values correctly. The kernel
        // only writes an entry's mode for namespaces other than the initial one.
        let header = unsafe {
            bindings::register_net_sysctl_sz(
                &raw mut bindings::init_net,
                path.as_char_ptr(),
                table.0.get().cast(),
                N,
            )
        };
        let header = NonNull::new(header).ok_or(ENOMEM)?;
        // INVARIANT: The kernel returned the registration.
        Ok(Self { header })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `header` is a live registration, ended here.
        unsafe { bindings::unregister_net_sysctl_table(self.header.as_ptr()) };
    }
}
