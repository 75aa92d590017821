// SPDX-License-Identifier: GPL-2.0

//! What a `bind(2)` on a TIPC socket asks for, and the address checks the C module makes
//! before it touches the name table (`tipc_bind`, `__tipc_bind`, `tipc_uaddr_valid`).

use super::addr::{Scope, ServiceRange, TIPC_RESERVED_TYPES};
use crate::proto::{errno::Errno, AF_TIPC};

/// `TIPC_SERVICE_RANGE` (also the old `TIPC_ADDR_NAMESEQ` and `TIPC_ADDR_MCAST`).
pub(crate) const TIPC_SERVICE_RANGE: u8 = 1;
/// `TIPC_SERVICE_ADDR` (also the old `TIPC_ADDR_NAME`).
pub(crate) const TIPC_SERVICE_ADDR: u8 = 2;
/// `TIPC_SOCKET_ADDR` (also the old `TIPC_ADDR_ID`).
pub(crate) const TIPC_SOCKET_ADDR: u8 = 3;
/// `sizeof(struct sockaddr_tipc)`.
pub(crate) const SOCKADDR_TIPC_LEN: usize = 16;

/// A `struct sockaddr_tipc` as user space lays it out, in native byte order; the three
/// words are read according to `addrtype`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct SockaddrTipc {
    /// `family`: `AF_TIPC` if valid.
    pub(crate) family: u16,
    /// `addrtype`: service range, service address or socket address.
    pub(crate) addrtype: u8,
    /// `scope`: for bind, the scope, negative to unbind.
    pub(crate) scope: i8,
    /// The address words: type, lower, upper for a range; type, instance, domain for a
    /// service address; port, node for a socket address.
    pub(crate) words: [u32; 3],
}

impl SockaddrTipc {
    /// Reads the address from the first [`SOCKADDR_TIPC_LEN`] bytes of `bytes`; `None` if
    /// there are fewer.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        let head: &[u8; SOCKADDR_TIPC_LEN] = bytes.get(..SOCKADDR_TIPC_LEN)?.try_into().ok()?;
        let [f0, f1, addrtype, scope, w @ ..] = *head;
        let word = |i: usize| -> Option<u32> {
            let b: [u8; 4] = w.get(i * 4..i * 4 + 4)?.try_into().ok()?;
            Some(u32::from_ne_bytes(b))
        };
        Some(Self {
            family: u16::from_ne_bytes([f0, f1]),
            addrtype,
            scope: i8::from_ne_bytes([scope]),
            words: [word(0)?, word(1)?, word(2)?],
        })
    }

    /// The address as user space would lay it out, for tests and for the glue's replies.
    pub(crate) fn to_bytes(self) -> [u8; SOCKADDR_TIPC_LEN] {
        let mut out = [0u8; SOCKADDR_TIPC_LEN];
        let [f0, f1] = self.family.to_ne_bytes();
        let [w0, w1, w2] = self.words.map(u32::to_ne_bytes);
        let bytes = [f0, f1, self.addrtype, self.scope.to_ne_bytes()[0]]
            .into_iter()
            .chain(w0)
            .chain(w1)
            .chain(w2);
        for (slot, b) in out.iter_mut().zip(bytes) {
            *slot = b;
        }
        out
    }
}

/// A binding to make or undo: a range and its scope.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Binding {
    /// The service range.
    pub(crate) range: ServiceRange,
    /// Its scope.
    pub(crate) scope: Scope,
}

/// What a `bind(2)` asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BindOp {
    /// An address length of 0: withdraw every binding of the socket.
    UnbindAll,
    /// A positive scope: publish the binding.
    Bind(Binding),
    /// A negative scope: withdraw the binding.
    Unbind(Binding),
}

/// Decides what `bind(2)` with the `addr` bytes (as long as the address length says) asks
/// of a socket that is (`in_group`) or is not a communication group member.
///
/// In the C module's order: an empty address unbinds all (even in a group); an address
/// shorter than `sockaddr_tipc`, of another family, of an unknown type, or a range whose
/// upper bound is below its lower bound, is `EINVAL`; a socket address is `EAFNOSUPPORT`; a
/// service type below `TIPC_RESERVED_TYPES` is `EACCES`; then a group member is `EACCES`. A
/// service address binds the one-instance range. A negative scope unbinds with the negated
/// scope, and any scope but node scope is cluster scope.
pub(crate) fn bind_op(addr: &[u8], in_group: bool) -> Result<BindOp, Errno> {
    if addr.is_empty() {
        return Ok(BindOp::UnbindAll);
    }
    let ua = SockaddrTipc::parse(addr).ok_or(Errno::EINVAL)?;
    if ua.family != AF_TIPC {
        return Err(Errno::EINVAL);
    }
    let [ty, lower, third] = ua.words;
    let upper = match ua.addrtype {
        TIPC_SERVICE_RANGE if third >= lower => third,
        TIPC_SERVICE_ADDR => lower,
        TIPC_SOCKET_ADDR => return Err(Errno::EAFNOSUPPORT),
        _ => return Err(Errno::EINVAL),
    };
    if ty < TIPC_RESERVED_TYPES {
        return Err(Errno::EACCES);
    }
    if in_group {
        return Err(Errno::EACCES);
    }
    let binding = Binding {
        range: ServiceRange { ty, lower, upper },
        scope: Scope::from_user(ua.scope.wrapping_abs()),
    };
    Ok(if ua.scope < 0 {
        BindOp::Unbind(binding)
    } else {
        BindOp::Bind(binding)
    })
}
