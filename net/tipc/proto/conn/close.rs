// SPDX-License-Identifier: GPL-2.0

//! Ending a connection from this end: `shutdown(2)` and `close(2)` (`tipc_shutdown`,
//! `__tipc_shutdown`, `tipc_release`).
//!
//! Both first wait (bounded, whatever the result) while the window is closed
//! ([`Conn::close_wait`]), send the Nagle backlog, drop the kept SYN and a partly read
//! queue head. A connection then tells its peer: the first unread message goes back to it
//! with the error code, or, with nothing unread, a FIN carries it; `shutdown(2)` says
//! `TIPC_CONN_SHUTDOWN` (end of file), `close(2)` `TIPC_ERR_NO_PORT` (reset). A listener
//! returns its queued SYNs with the code. `shutdown(2)` accepts only `SHUT_RDWR`.
//!
//! Ending it from the other end's side: when the peer's node is lost, this node delivers
//! to the socket the message the peer would have sent ([`Conn::node_lost`]).

use crate::proto::errno::Errno;
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::wire::consts::ErrorCode;

use super::ctrl::{fin, CtrlMsg};
use super::effects::Backlog;
use super::machine::Conn;
use super::state::State;

/// `RCV_SHUTDOWN` in `sk_shutdown`: the receiving side is shut.
pub(crate) const RCV_SHUTDOWN: u8 = 1;
/// `SHUTDOWN_MASK` in `sk_shutdown`: both sides are shut, as TIPC's `shutdown(2)` leaves a
/// socket.
pub(crate) const SHUTDOWN_MASK: u8 = 3;

/// `SHUT_RDWR`, the only `shutdown(2)` direction TIPC takes.
pub(crate) const SHUT_RDWR: i32 = 2;

/// Why the connection ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Reason {
    /// `shutdown(2)`: the peer reads end of file.
    Shutdown,
    /// `close(2)`: the peer reads `ECONNRESET`.
    Release,
}

impl Reason {
    /// The error code the peer gets.
    pub(crate) const fn code(self) -> ErrorCode {
        match self {
            Self::Shutdown => ErrorCode::ConnShutdown,
            Self::Release => ErrorCode::NoPort,
        }
    }
}

/// What to do with the receive queue once a partly read head is dropped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Queue {
    /// Return the first message with `code` if [`crate::proto::msg::reverse::returned`]
    /// allows (else nothing goes to the peer), and free the rest.
    ReturnFirst(ErrorCode),
    /// Return every message with `code`, as far as each may be returned.
    ReturnAll(ErrorCode),
    /// Free every message.
    Purge,
}

/// What ending the connection takes, in order.
#[derive(Debug)]
pub(crate) struct Closing {
    /// Transmit the Nagle backlog.
    pub(crate) flush: Backlog,
    /// Then dispose of the receive queue so.
    pub(crate) queue: Queue,
    /// Then send this FIN.
    pub(crate) fin: Option<CtrlMsg>,
    /// Then free what `shutdown(2)` left queued (it succeeded).
    pub(crate) purge_after: bool,
    /// The result of `shutdown(2)`: success if the connection is now ending, else
    /// `ENOTCONN` (the rest was done anyway); wake everyone waiting.
    pub(crate) result: Result<(), Errno>,
}

/// The check `shutdown(2)` makes first: any direction but `SHUT_RDWR` is `EINVAL`.
pub(crate) fn shutdown_check(how: i32) -> Result<(), Errno> {
    if how == SHUT_RDWR {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

impl Conn {
    /// Ends the connection for `reason`, on node `own_node`, with `queue_empty` telling
    /// whether anything is left in the receive queue once a partly read head is dropped.
    /// Afterwards the socket counts as shut down (poll reports hang-up); after `close(2)`
    /// its timer is stopped.
    pub(crate) fn close(&mut self, reason: Reason, queue_empty: bool, own_node: u32) -> Closing {
        let code = reason.code();
        let flush = match self.nagle.push(false) {
            Some((msgs, blocks)) => {
                self.flow.sent(blocks);
                msgs
            }
            None => Backlog::new(),
        };
        self.syn_kept = false;
        let mut fin_msg = None;
        let queue = match self.state {
            State::Connecting | State::Established => {
                self.set_state(State::Disconnecting);
                if queue_empty {
                    fin_msg = Some(fin(own_node, self.port, self.peer, code));
                    Queue::Purge
                } else {
                    Queue::ReturnFirst(code)
                }
            }
            State::Listen => Queue::ReturnAll(code),
            State::Open | State::Disconnecting => Queue::Purge,
        };
        self.shut = true;
        if reason == Reason::Release {
            self.timer = None;
            self.released = true;
        }
        let ended = self.state == State::Disconnecting;
        Closing {
            flush,
            queue,
            fin: fin_msg,
            purge_after: ended && reason == Reason::Shutdown,
            result: if ended { Ok(()) } else { Err(Errno::ENOTCONN) },
        }
    }

    /// Node `node` is lost: if it is this established connection's peer's, the message
    /// that ends the connection, for delivery to this socket (`tipc_node_lost_contact`):
    /// as if the peer had sent it, a critical, empty, 24-byte connection message with
    /// `TIPC_ERR_NO_NODE`. Reading then gets `ECONNRESET`, sending `EPIPE`.
    pub(crate) fn node_lost(&self, node: u32) -> Option<CtrlMsg> {
        if self.state != State::Established || self.peer.node != node {
            return None;
        }
        let own = SocketAddr {
            port: self.port,
            node: 0,
        };
        Some(fin(node, self.peer.port, own, ErrorCode::NoNode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::sock_kind::SockKind;
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::Packet;

    /// This node.
    const NODE: u32 = 7;

    /// A connection socket in `state` with peer port 2.
    fn conn(state: State) -> Conn {
        let mut c = Conn::new(SockKind::SeqPacket, 1).unwrap();
        c.state = state;
        c.peer = SocketAddr {
            port: 2,
            node: NODE,
        };
        c
    }

    #[test]
    fn only_shut_rdwr() {
        assert_eq!(shutdown_check(0), Err(Errno::EINVAL));
        assert_eq!(shutdown_check(1), Err(Errno::EINVAL));
        assert_eq!(shutdown_check(2), Ok(()));
        assert_eq!(shutdown_check(-1), Err(Errno::EINVAL));
    }

    #[test]
    fn fin_when_nothing_is_unread() {
        for (reason, code) in [(Reason::Shutdown, 5), (Reason::Release, 2)] {
            let mut c = conn(State::Established);
            let out = c.close(reason, true, NODE);
            assert_eq!(c.state(), State::Disconnecting);
            assert!(c.is_shut());
            assert_eq!(out.queue, Queue::Purge);
            assert_eq!(out.result, Ok(()));
            assert_eq!(out.purge_after, reason == Reason::Shutdown);
            let f = out.fin.unwrap();
            let p = Packet::new_checked(f.bytes()).unwrap();
            assert_eq!(
                (p.user(), p.data_type()),
                (Some(User::Critical), DataType::Conn)
            );
            assert_eq!((p.errcode(), p.origport(), p.destport()), (code, 1, 2));
        }
    }

    #[test]
    fn first_unread_message_goes_back_instead() {
        let mut c = conn(State::Connecting);
        let out = c.close(Reason::Shutdown, false, NODE);
        assert_eq!(out.queue, Queue::ReturnFirst(ErrorCode::ConnShutdown));
        assert!(out.fin.is_none());
        assert_eq!(c.state(), State::Disconnecting);
    }

    #[test]
    fn listener_and_idle_sockets() {
        let mut l = conn(State::Listen);
        let out = l.close(Reason::Release, false, NODE);
        assert_eq!(out.queue, Queue::ReturnAll(ErrorCode::NoPort));
        assert_eq!(l.state(), State::Listen);
        let mut l = conn(State::Listen);
        assert_eq!(
            l.close(Reason::Shutdown, true, NODE).result,
            Err(Errno::ENOTCONN)
        );
        for s in [State::Open, State::Disconnecting] {
            let mut c = conn(s);
            let out = c.close(Reason::Shutdown, false, NODE);
            assert_eq!(out.queue, Queue::Purge);
            assert!(out.fin.is_none());
            assert_eq!(out.result.is_ok(), s == State::Disconnecting);
        }
        let mut c = conn(State::Established);
        c.timer = Some(5);
        let _ = c.close(Reason::Release, true, NODE);
        assert_eq!(c.deadline(), None);
    }
}
