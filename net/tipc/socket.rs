// SPDX-License-Identifier: GPL-2.0

//! Glue between the kernel's socket layer and the core's socket rules.

use crate::proto::{
    errno::Errno,
    sock_kind::SockKind,
    sockopt::{
        LiveCounts, OptSource, SetEffect, SockOpts, GROUP_REQ_LEN, OPT_U32_LEN, SOL_TIPC,
        TIPC_GROUP_JOIN,
    },
    AF_TIPC,
};
use kernel::{
    net::socket::{Family, NewSocket, Slot, SockOptIn, SockOptOut, Socket},
    new_spinlock,
    prelude::*,
    sync::SpinLock,
};

/// The `AF_TIPC` protocol family.
pub(crate) struct TipcFamily;

/// The state of one TIPC socket.
///
/// # Locking
///
/// `opts` is taken in process context only (`setsockopt`, `getsockopt`), never while user
/// memory is accessed.
#[pin_data]
pub(crate) struct TipcSock {
    /// The socket's `SOL_TIPC` options.
    #[pin]
    opts: SpinLock<SockOpts>,
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

    fn create(new: &NewSocket) -> Result<impl PinInit<TipcSock, Error>> {
        let kind = SockKind::for_socket(new.sock_type().as_raw(), new.protocol()).map_err(error)?;
        Ok(try_pin_init!(TipcSock {
            opts <- new_spinlock!(SockOpts::new(kind), "tipc_sock_opts"),
        }))
    }

    fn setsockopt(sock: &Socket<'_, Self>, level: i32, name: i32, val: &SockOptIn) -> Result {
        // Copy what the core may read before taking the lock: reading user memory can sleep.
        let value = Prefetched::read(val, name);
        let effect = sock
            .state()
            .opts
            .lock()
            .set(level, name, &value)
            .map_err(error)?;
        match effect {
            SetEffect::Done | SetEffect::Ignored | SetEffect::NagleChanged => Ok(()),
            // Communication groups come with their own issue; until then joining is refused.
            SetEffect::Join(_) | SetEffect::Leave(_) => Err(error(Errno::EOPNOTSUPP)),
        }
    }

    fn getsockopt(sock: &Socket<'_, Self>, level: i32, name: i32, out: &SockOptOut) -> Result {
        // The C module reads the caller's length only for its own level.
        let capacity = if level == SOL_TIPC {
            out.capacity()?
        } else {
            0
        };
        let live = LiveCounts {
            recvq_depth: sock.receive_queue_len(),
            recvq_used: sock.receive_memory(),
        };
        let value = sock
            .state()
            .opts
            .lock()
            .get(level, name, capacity, &live)
            .map_err(error)?;
        out.write(value.as_bytes())
    }
}

/// An option value copied in from the caller before the core looks at it: as many bytes as
/// the core may read for that option, with the caller's length and NULL-ness, and a fault
/// kept until the core actually reads (so the errors come in the C module's order).
struct Prefetched {
    bytes: [u8; GROUP_REQ_LEN],
    copied: usize,
    len: usize,
    null: bool,
    fault: bool,
}

impl Prefetched {
    fn read(val: &SockOptIn, name: i32) -> Self {
        let want = if name == TIPC_GROUP_JOIN {
            GROUP_REQ_LEN
        } else {
            OPT_U32_LEN
        };
        let copied = want.min(val.len());
        let mut bytes = [0; GROUP_REQ_LEN];
        let null = val.is_null();
        let fault = null
            || bytes
                .get_mut(..copied)
                .is_none_or(|buf| val.read_into(buf).is_err());
        Self {
            bytes,
            copied,
            len: val.len(),
            null,
            fault,
        }
    }
}

impl OptSource for Prefetched {
    fn len(&self) -> usize {
        self.len
    }

    fn is_null(&self) -> bool {
        self.null
    }

    fn read_into(&self, out: &mut [u8]) -> Result<(), Errno> {
        if self.fault || out.len() > self.copied {
            return Err(Errno::EFAULT);
        }
        let src = self.bytes.get(..out.len()).ok_or(Errno::EFAULT)?;
        out.copy_from_slice(src);
        Ok(())
    }
}

/// The kernel error for a core errno.
fn error(e: Errno) -> Error {
    Error::from_errno(-e.get())
}
