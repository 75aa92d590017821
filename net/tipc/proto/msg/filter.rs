// SPDX-License-Identifier: GPL-2.0

//! Whether a connectionless socket takes a message addressed to it (`tipc_sk_filter_rcv`
//! for `SOCK_RDM` and `SOCK_DGRAM` sockets outside a group).

use super::rcvbuf::{in_group, overloads, rcvbuf_limit, Limit};
use crate::proto::wire::consts::ErrorCode;
use crate::proto::wire::header::Packet;

/// What the socket does with a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Append it to the receive queue, charging its truesize to the receive buffer, and wake
    /// readers.
    Accept,
    /// Not a data message: the socket's protocol handling takes it (connection manager,
    /// congestion wakeup, group protocol, topology events).
    Protocol,
    /// Refuse it: return it to its sender with `code` if [`super::reverse`] allows, else
    /// free it.
    Reject {
        /// The error code for the returned message.
        code: ErrorCode,
        /// Whether to count a drop on the socket (`sk_drops`): only overload does.
        counts_drop: bool,
    },
}

/// The receive buffer state the filter weighs a message against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RcvbufUse {
    /// Bytes charged to the receive buffer now (`sk_rmem_alloc`).
    pub(crate) used: u32,
    /// The message buffer's truesize, what accepting it would charge.
    pub(crate) truesize: u32,
    /// The socket's receive buffer (`sk_rcvbuf`; a new socket has `tipc_rmem[1]`).
    pub(crate) rcvbuf: u32,
}

/// The verdict that refuses a message as addressed to no socket.
const NO_PORT: Verdict = Verdict::Reject {
    code: ErrorCode::NoPort,
    counts_drop: false,
};

/// Decides whether a connectionless socket outside a group takes message `msg`.
///
/// A message of an internal user goes to the protocol handling. A connection message, or a
/// group message, is rejected with `TIPC_ERR_NO_PORT`; then a message that would take the
/// charged bytes to its [limit](rcvbuf_limit) or beyond is rejected with
/// `TIPC_ERR_OVERLOAD` and counted as a drop. Returned messages (with an error code) are
/// taken like any other. Bytes that are not a valid message (which the link layer never
/// delivers) are rejected with `TIPC_ERR_NO_PORT`, and [`super::reverse::returned`] refuses
/// to return them.
pub(crate) fn filter(msg: &[u8], rcv: &RcvbufUse) -> Verdict {
    let Ok(p) = Packet::new_checked(msg) else {
        return NO_PORT;
    };
    if !p.user().is_some_and(|u| u.is_data()) {
        return Verdict::Protocol;
    }
    let limit = match rcvbuf_limit(&p, rcv.rcvbuf) {
        Limit::Connection => return NO_PORT,
        Limit::Bytes(_) if in_group(p.data_type()) => return NO_PORT,
        Limit::Bytes(limit) => limit,
    };
    if overloads(rcv.used, rcv.truesize, limit) {
        return Verdict::Reject {
            code: ErrorCode::Overload,
            counts_drop: true,
        };
    }
    Verdict::Accept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::msg::rcvbuf::RCVBUF_DEF;
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::start;

    /// A message of user `user`, type `ty`, error code `err` and 4 bytes of payload.
    fn msg(user: User, ty: DataType, err: u32) -> [u8; 48] {
        let mut b = [0u8; 48];
        start(&mut b, user, ty.bits(), 44, 4).unwrap();
        Packet::new_unchecked(&mut b[..]).set_errcode(err);
        b
    }

    /// An empty default receive buffer charged `truesize` for the message.
    fn empty(truesize: u32) -> RcvbufUse {
        RcvbufUse {
            used: 0,
            truesize,
            rcvbuf: RCVBUF_DEF,
        }
    }

    #[test]
    fn data_is_accepted() {
        for ty in [DataType::Named, DataType::Direct, DataType::Mcast] {
            assert_eq!(
                filter(&msg(User::Low, ty, 0), &empty(1000)),
                Verdict::Accept
            );
            assert_eq!(
                filter(&msg(User::Low, ty, 1), &empty(1000)),
                Verdict::Accept
            );
        }
    }

    #[test]
    fn internal_users_go_to_protocol_handling() {
        for user in [
            User::ConnManager,
            User::MsgCrypto,
            User::GroupProtocol,
            User::TopSrv,
        ] {
            assert_eq!(
                filter(&msg(user, DataType::Conn, 0), &empty(1)),
                Verdict::Protocol
            );
        }
    }

    #[test]
    fn connection_and_group_messages_have_no_port() {
        for ty in [
            DataType::Conn,
            DataType::GrpMemberEvt,
            DataType::GrpBcast,
            DataType::GrpMcast,
            DataType::GrpUcast,
        ] {
            let r = RcvbufUse {
                used: u32::MAX,
                truesize: 1,
                rcvbuf: 0,
            };
            assert_eq!(filter(&msg(User::High, ty, 0), &r), NO_PORT, "{ty:?}");
        }
    }

    #[test]
    fn overload_at_the_limit() {
        let over = Verdict::Reject {
            code: ErrorCode::Overload,
            counts_drop: true,
        };
        let low = msg(User::Low, DataType::Direct, 0);
        let at = |used| RcvbufUse {
            used,
            truesize: 1000,
            rcvbuf: RCVBUF_DEF,
        };
        assert_eq!(filter(&low, &at(RCVBUF_DEF - 1001)), Verdict::Accept);
        assert_eq!(filter(&low, &at(RCVBUF_DEF - 1000)), over);
        let critical = msg(User::Critical, DataType::Direct, 0);
        assert_eq!(filter(&critical, &at(RCVBUF_DEF)), Verdict::Accept);
        assert_eq!(filter(&critical, &at(8 * RCVBUF_DEF - 1000)), over);
        let returned = msg(User::Low, DataType::Direct, 4);
        assert_eq!(filter(&returned, &at(8 * RCVBUF_DEF)), Verdict::Accept);
        assert_eq!(filter(&returned, &at(16 * RCVBUF_DEF - 1000)), over);
    }

    #[test]
    fn invalid_bytes_have_no_port() {
        assert_eq!(filter(&[], &empty(1)), NO_PORT);
        let mut b = msg(User::Low, DataType::Direct, 0);
        b[0] = 0x20;
        assert_eq!(filter(&b, &empty(1)), NO_PORT);
    }
}
