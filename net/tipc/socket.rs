// SPDX-License-Identifier: GPL-2.0

//! Glue between the kernel's socket layer and the core's socket rules.

use crate::proto::{errno::Errno, sock_kind::SockKind, AF_TIPC};
use kernel::{
    net::socket::{Family, NewSocket, Slot},
    prelude::*,
};

/// The `AF_TIPC` protocol family.
pub(crate) struct TipcFamily;

/// The state of one TIPC socket.
pub(crate) struct TipcSock {
    /// What `socket(2)` made of this socket; fixed for its lifetime.
    _kind: SockKind,
}

static SLOT: Slot<TipcFamily> = Slot::new();

#[vtable]
impl Family for TipcFamily {
    type Sock = TipcSock;
    const FAMILY: u16 = AF_TIPC;
    const NAME: &'static CStr = c"TIPC";

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    fn create(new: &NewSocket) -> Result<TipcSock> {
        let kind = SockKind::for_socket(new.sock_type().as_raw(), new.protocol()).map_err(error)?;
        Ok(TipcSock { _kind: kind })
    }
}

/// The kernel error for a core errno.
fn error(e: Errno) -> Error {
    Error::from_errno(-e.get())
}
