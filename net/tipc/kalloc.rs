// SPDX-License-Identifier: GPL-2.0

//! The allocation API the protocol core uses: the kernel's, with fallible allocation and
//! explicit GFP flags. On the host, `proto/host_alloc.rs` provides the same names.

#[expect(
    unused_imports,
    reason = "the core re-exports the whole API; the kernel build uses only part of it"
)]
pub(crate) use kernel::alloc::{
    flags::{GFP_ATOMIC, GFP_KERNEL},
    kvec::{InsertError, RemoveError},
    AllocError, Flags, KBox, KVec,
};
