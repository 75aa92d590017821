// SPDX-License-Identifier: GPL-2.0

//! The errors connectionless sends and receives report to the user, with Linux's numbers.

/// An error `sendmsg(2)`, `connect(2)` or `recvmsg(2)` returns on a connectionless socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MsgError {
    /// `EINVAL` (22): a malformed address, or an empty receive buffer.
    Invalid,
    /// `EDESTADDRREQ` (89): no address given and no default peer.
    DestAddrRequired,
    /// `EMSGSIZE` (90): more than `TIPC_MAX_USER_MSG_SIZE` bytes of data.
    MsgSize,
    /// `EHOSTUNREACH` (113): nothing is bound to the service or range.
    HostUnreachable,
    /// `ENOMEM` (12): a destination list could not be allocated.
    NoMemory,
}

impl MsgError {
    /// The positive Linux error number.
    pub(crate) const fn errno(self) -> i32 {
        match self {
            Self::Invalid => 22,
            Self::DestAddrRequired => 89,
            Self::MsgSize => 90,
            Self::HostUnreachable => 113,
            Self::NoMemory => 12,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_numbers() {
        assert_eq!(MsgError::Invalid.errno(), 22);
        assert_eq!(MsgError::DestAddrRequired.errno(), 89);
        assert_eq!(MsgError::MsgSize.errno(), 90);
        assert_eq!(MsgError::HostUnreachable.errno(), 113);
        assert_eq!(MsgError::NoMemory.errno(), 12);
    }
}
