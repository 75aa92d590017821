// SPDX-License-Identifier: GPL-2.0

//! The events `poll(2)` reports for a TIPC socket (`tipc_poll`).

use crate::proto::sock_kind::SockKind;

/// `EPOLLIN`: a message can be read.
pub(crate) const EPOLLIN: u32 = 0x1;
/// `EPOLLOUT`: a message can be sent.
pub(crate) const EPOLLOUT: u32 = 0x4;
/// `EPOLLRDNORM`: normal data can be read.
pub(crate) const EPOLLRDNORM: u32 = 0x40;

/// What poll looks at on a socket that is not connected and not listening (the C module's
/// `TIPC_OPEN` state).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OpenSocket {
    /// The socket's kind.
    pub(crate) kind: SockKind,
    /// Whether its receive queue holds a message (any message, even one `recvmsg(2)` will
    /// skip, such as an empty one).
    pub(crate) readable: bool,
}

/// The events of an open socket: it can always send (no link congestion on one node, and
/// outside a group); a connectionless one can also be read when a message is queued, while a
/// connection socket that is not connected never reads.
pub(crate) fn open_events(s: OpenSocket) -> u32 {
    let connectionless = matches!(s.kind, SockKind::Rdm | SockKind::Dgram);
    let mut events = EPOLLOUT;
    if connectionless && s.readable {
        events |= EPOLLIN | EPOLLRDNORM;
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_socket_is_writable_only() {
        for kind in [
            SockKind::Rdm,
            SockKind::Dgram,
            SockKind::SeqPacket,
            SockKind::Stream,
        ] {
            assert_eq!(
                open_events(OpenSocket {
                    kind,
                    readable: false
                }),
                EPOLLOUT
            );
        }
    }

    #[test]
    fn queued_message_reads_on_connectionless_sockets_only() {
        for kind in [SockKind::Rdm, SockKind::Dgram] {
            assert_eq!(
                open_events(OpenSocket {
                    kind,
                    readable: true
                }),
                0x45
            );
        }
        for kind in [SockKind::SeqPacket, SockKind::Stream] {
            assert_eq!(
                open_events(OpenSocket {
                    kind,
                    readable: true
                }),
                EPOLLOUT
            );
        }
    }
}
