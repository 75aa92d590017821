// SPDX-License-Identifier: GPL-2.0

//! The four kinds of TIPC socket and the `socket(2)` arguments that make each.

use super::errno::Errno;

/// `SOCK_STREAM`, as `socket(2)` numbers it.
pub(crate) const SOCK_STREAM: u32 = 1;
/// `SOCK_DGRAM`.
pub(crate) const SOCK_DGRAM: u32 = 2;
/// `SOCK_RDM`.
pub(crate) const SOCK_RDM: u32 = 4;
/// `SOCK_SEQPACKET`.
pub(crate) const SOCK_SEQPACKET: u32 = 5;

/// What a TIPC socket is. TIPC serves four socket types; the kind fixes which operations a
/// socket has and how it delivers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SockKind {
    /// `SOCK_RDM`: reliable, connectionless messages.
    Rdm,
    /// `SOCK_DGRAM`: connectionless messages that may be dropped under congestion.
    Dgram,
    /// `SOCK_SEQPACKET`: a connection carrying messages.
    SeqPacket,
    /// `SOCK_STREAM`: a connection carrying a byte stream.
    Stream,
}

impl SockKind {
    /// Whether sockets of this kind make connections (`SOCK_SEQPACKET`, `SOCK_STREAM`).
    pub(crate) fn is_connection(self) -> bool {
        matches!(self, Self::SeqPacket | Self::Stream)
    }

    /// The kind of socket `socket(AF_TIPC, sock_type, protocol)` creates, or its error.
    ///
    /// TIPC has no protocol numbers, so any `protocol` but 0 is `EPROTONOSUPPORT`; that check
    /// comes first. A type TIPC does not serve is `EPROTOTYPE`.
    pub(crate) fn for_socket(sock_type: u32, protocol: i32) -> Result<Self, Errno> {
        if protocol != 0 {
            return Err(Errno::EPROTONOSUPPORT);
        }
        match sock_type {
            SOCK_RDM => Ok(Self::Rdm),
            SOCK_DGRAM => Ok(Self::Dgram),
            SOCK_SEQPACKET => Ok(Self::SeqPacket),
            SOCK_STREAM => Ok(Self::Stream),
            _ => Err(Errno::EPROTOTYPE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_types_make_their_kind() {
        assert_eq!(SockKind::for_socket(SOCK_RDM, 0), Ok(SockKind::Rdm));
        assert_eq!(SockKind::for_socket(SOCK_DGRAM, 0), Ok(SockKind::Dgram));
        assert_eq!(
            SockKind::for_socket(SOCK_SEQPACKET, 0),
            Ok(SockKind::SeqPacket)
        );
        assert_eq!(SockKind::for_socket(SOCK_STREAM, 0), Ok(SockKind::Stream));
    }

    #[test]
    fn connection_kinds() {
        assert!(SockKind::SeqPacket.is_connection() && SockKind::Stream.is_connection());
        assert!(!SockKind::Rdm.is_connection() && !SockKind::Dgram.is_connection());
    }

    #[test]
    fn other_types_are_eprototype() {
        for ty in [0, 3, 6, 10, u32::MAX] {
            assert_eq!(
                SockKind::for_socket(ty, 0),
                Err(Errno::EPROTOTYPE),
                "type {ty}"
            );
        }
    }

    #[test]
    fn any_protocol_but_zero_is_eprotonosupport_even_for_bad_types() {
        for protocol in [1, -1, 30, i32::MAX] {
            assert_eq!(
                SockKind::for_socket(SOCK_RDM, protocol),
                Err(Errno::EPROTONOSUPPORT)
            );
            assert_eq!(
                SockKind::for_socket(3, protocol),
                Err(Errno::EPROTONOSUPPORT)
            );
        }
    }
}
