// SPDX-License-Identifier: GPL-2.0

//! How much a socket's receive queue may hold before messages are refused as overload
//! (`rcvbuf_limit`), and the receive buffer sizes of `net.tipc.tipc_rmem`.

use crate::proto::wire::consts::{DataType, Importance};
use crate::proto::wire::header::Packet;

/// The flow control block size, 1 KiB.
const FLOWCTL_BLK_SZ: u32 = 1024;
/// `tipc_rmem[0]`'s initial value, 512 KiB: the smallest receive buffer flow control
/// assumes before a peer advertises its window.
pub(crate) const RCVBUF_MIN: u32 = FLOWCTL_BLK_SZ * 512;
/// `tipc_rmem[1]`'s initial value, 2 MiB: the receive buffer (`sk_rcvbuf`) a new socket
/// gets.
pub(crate) const RCVBUF_DEF: u32 = FLOWCTL_BLK_SZ * 1024 * 2;
/// `tipc_rmem[2]`'s initial value, 16 MiB.
pub(crate) const RCVBUF_MAX: u32 = FLOWCTL_BLK_SZ * 1024 * 16;

/// The receive-queue limit for a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Limit {
    /// At most this many bytes may be charged to the receive buffer, this message included
    /// (exclusive: reaching it is overload).
    Bytes(u32),
    /// A connection message: its limit is the connection's flow control window, which a
    /// connectionless socket does not have (it refuses such messages anyway).
    Connection,
}

/// The importance a received message counts with (`msg_importance`): its user for a data
/// message without error code, otherwise `TIPC_SYSTEM_IMPORTANCE`, so returned messages get
/// the largest share.
pub(crate) fn rcv_importance<T: AsRef<[u8]>>(p: &Packet<T>) -> Importance {
    match p.user() {
        Some(u) if u.is_data() && p.errcode() == 0 => {
            Importance::from_bits(u.bits()).unwrap_or(Importance::System)
        }
        _ => Importance::System,
    }
}

/// Whether a data message of type `t` belongs to a communication group (`msg_in_group`).
pub(crate) fn in_group(t: DataType) -> bool {
    matches!(
        t,
        DataType::GrpMemberEvt | DataType::GrpBcast | DataType::GrpMcast | DataType::GrpUcast
    )
}

/// The limit for message `p` on a socket that is not a group member and has receive
/// buffer `rcvbuf` (`sk_rcvbuf`): a group message gets `rcvbuf`, a connectionless one
/// `rcvbuf` shifted left by its importance (2, 4, 8, 16 and 32 MiB by default), cut to 32
/// bits as in C.
pub(crate) fn rcvbuf_limit<T: AsRef<[u8]>>(p: &Packet<T>, rcvbuf: u32) -> Limit {
    if in_group(p.data_type()) {
        return Limit::Bytes(rcvbuf);
    }
    if p.data_type() == DataType::Conn {
        return Limit::Connection;
    }
    Limit::Bytes(rcvbuf << rcv_importance(p).bits())
}

/// Whether a message of `truesize` bytes overloads a receive queue holding `used` bytes
/// under `limit` (`sk_rmem_alloc + truesize >= limit`, in 32-bit arithmetic as in C).
pub(crate) fn overloads(used: u32, truesize: u32, limit: u32) -> bool {
    used.wrapping_add(truesize) >= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::consts::User;
    use crate::proto::wire::header::start;

    /// A message of user `user`, type `ty` and error code `err`.
    fn msg(user: User, ty: DataType, err: u32) -> [u8; 44] {
        let mut b = [0u8; 44];
        start(&mut b, user, ty.bits(), 44, 0).unwrap();
        Packet::new_unchecked(&mut b[..]).set_errcode(err);
        b
    }

    #[test]
    fn defaults() {
        assert_eq!(RCVBUF_MIN, 524_288);
        assert_eq!(RCVBUF_DEF, 2_097_152);
        assert_eq!(RCVBUF_MAX, 16_777_216);
    }

    #[test]
    fn by_importance() {
        let cases = [
            (User::Low, 2u32 << 20),
            (User::Medium, 4 << 20),
            (User::High, 8 << 20),
            (User::Critical, 16 << 20),
        ];
        for (user, limit) in cases {
            for ty in [DataType::Named, DataType::Direct, DataType::Mcast] {
                let b = msg(user, ty, 0);
                let p = Packet::new_unchecked(&b[..]);
                assert_eq!(rcvbuf_limit(&p, RCVBUF_DEF), Limit::Bytes(limit));
            }
        }
    }

    #[test]
    fn errored_messages_count_as_system() {
        let b = msg(User::Low, DataType::Direct, 2);
        let p = Packet::new_unchecked(&b[..]);
        assert_eq!(rcv_importance(&p), Importance::System);
        assert_eq!(rcvbuf_limit(&p, RCVBUF_DEF), Limit::Bytes(32 << 20));
    }

    #[test]
    fn group_and_connection() {
        let b = msg(User::High, DataType::GrpUcast, 0);
        let p = Packet::new_unchecked(&b[..]);
        assert_eq!(rcvbuf_limit(&p, 1000), Limit::Bytes(1000));
        let b = msg(User::High, DataType::Conn, 0);
        let p = Packet::new_unchecked(&b[..]);
        assert_eq!(rcvbuf_limit(&p, 1000), Limit::Connection);
    }

    #[test]
    fn shift_and_sum_wrap_as_in_c() {
        let b = msg(User::Critical, DataType::Named, 0);
        let p = Packet::new_unchecked(&b[..]);
        assert_eq!(rcvbuf_limit(&p, 0x2000_0001), Limit::Bytes(8));
        assert!(overloads(10, 0, 10));
        assert!(!overloads(9, 0, 10));
        assert!(!overloads(u32::MAX, 2, 10));
    }
}
