// SPDX-License-Identifier: GPL-2.0

//! The events `poll(2)` reports for a TIPC socket (`tipc_poll`).

use crate::proto::sock_kind::SockKind;

/// `EPOLLIN`: a message can be read.
pub(crate) const EPOLLIN: u32 = 0x1;
/// `EPOLLOUT`: a message can be sent.
pub(crate) const EPOLLOUT: u32 = 0x4;
/// `EPOLLHUP`: hung up.
pub(crate) const EPOLLHUP: u32 = 0x10;
/// `EPOLLRDNORM`: normal data can be read.
pub(crate) const EPOLLRDNORM: u32 = 0x40;
/// `EPOLLRDHUP`: the reading side is shut down.
pub(crate) const EPOLLRDHUP: u32 = 0x2000;

/// What poll looks at on a socket that is not connected and not listening (the C module's
/// `TIPC_OPEN` state).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OpenSocket {
    /// The socket's kind.
    pub(crate) kind: SockKind,
    /// Whether its receive queue holds a message (any message, even one `recvmsg(2)` will
    /// skip, such as an empty one).
    pub(crate) readable: bool,
    /// `shutdown(2)` ran: both directions are shut.
    pub(crate) shut: bool,
    /// A link it sent on is congested and has not woken it yet (`cong_link_cnt`).
    pub(crate) congested: bool,
}

/// The events of an open socket: it can send unless a link it sent on is congested
/// (outside a group); a connectionless one can also be read when a message is queued, while
/// a connection socket that is not connected never reads. After `shutdown(2)` it also
/// reports read hang-up, readable and hang-up.
pub(crate) fn open_events(s: OpenSocket) -> u32 {
    let connectionless = matches!(s.kind, SockKind::Rdm | SockKind::Dgram);
    let mut events = if s.congested { 0 } else { EPOLLOUT };
    if s.shut {
        events |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM | EPOLLHUP;
    }
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
                    readable: false,
                    shut: false,
                    congested: false,
                }),
                EPOLLOUT
            );
        }
    }

    #[test]
    fn shut_socket_hangs_up() {
        let ev = open_events(OpenSocket {
            kind: SockKind::Rdm,
            readable: false,
            shut: true,
            congested: false,
        });
        assert_eq!(ev, EPOLLRDHUP | EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLOUT);
    }

    #[test]
    fn queued_message_reads_on_connectionless_sockets_only() {
        for kind in [SockKind::Rdm, SockKind::Dgram] {
            assert_eq!(
                open_events(OpenSocket {
                    kind,
                    readable: true,
                    shut: false,
                    congested: false,
                }),
                0x45
            );
        }
        for kind in [SockKind::SeqPacket, SockKind::Stream] {
            assert_eq!(
                open_events(OpenSocket {
                    kind,
                    readable: true,
                    shut: false,
                    congested: false,
                }),
                EPOLLOUT
            );
        }
    }

    #[test]
    fn congested_socket_cannot_send() {
        let ev = open_events(OpenSocket {
            kind: SockKind::Rdm,
            readable: true,
            shut: false,
            congested: true,
        });
        assert_eq!(ev, EPOLLIN | EPOLLRDNORM);
    }
}
