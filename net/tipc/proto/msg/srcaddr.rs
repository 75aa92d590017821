// SPDX-License-Identifier: GPL-2.0

//! The sender's address `recvmsg(2)` reports in `msg_name` (`tipc_sk_set_orig_addr`).

use crate::proto::name_table::bind::{SockaddrTipc, TIPC_SERVICE_ADDR, TIPC_SOCKET_ADDR};
use crate::proto::wire::consts::DataType;
use crate::proto::wire::header::Packet;
use crate::proto::AF_TIPC;

/// The address of the socket that sent message `msg`, for a `recvmsg(2)` that asked for
/// one; `msg_namelen` becomes [`crate::proto::name_table::bind::SOCKADDR_TIPC_LEN`].
///
/// It is a socket address: family `AF_TIPC`, type `TIPC_SOCKET_ADDR`, scope 0, the
/// originating port and node (the previous node for a 24-byte header) and 0 in the third
/// word (the `domain` of the name layout). For a returned message these name the socket
/// that refused it. `None` for bytes that are not a valid message.
pub(crate) fn source_addr(msg: &[u8]) -> Option<SockaddrTipc> {
    let p = Packet::new_checked(msg).ok()?;
    Some(SockaddrTipc {
        family: AF_TIPC,
        addrtype: TIPC_SOCKET_ADDR,
        scope: 0,
        words: [p.origport(), p.orignode(), 0],
    })
}

/// Whether `msg` is a group message or membership event (`msg_in_group`).
pub(crate) fn in_group(msg: &[u8]) -> bool {
    Packet::new_checked(msg).is_ok_and(|p| {
        p.user().is_some_and(|u| u.is_data())
            && matches!(
                p.data_type(),
                DataType::GrpMemberEvt
                    | DataType::GrpBcast
                    | DataType::GrpMcast
                    | DataType::GrpUcast
            )
    })
}

/// Keeps the sending member's instance with a group message the socket queues (C's
/// `TIPC_SKB_CB(skb)->orig_member`), in word 9, which nothing reads once the group
/// delivered the message.
pub(crate) fn mark_member(msg: &mut [u8], instance: u32) {
    if in_group(msg) {
        Packet::new_unchecked(msg).set_name_instance(instance);
    }
}

/// The second address `recvmsg(2)` gives for a group message (`struct sockaddr_pair`'s
/// `member`): the group's type and the member's instance that [`mark_member`] kept, as a
/// service address; `None` for any other message, whose name is one socket address.
pub(crate) fn member_addr(msg: &[u8]) -> Option<SockaddrTipc> {
    if !in_group(msg) {
        return None;
    }
    let p = Packet::new_checked(msg).ok()?;
    Some(SockaddrTipc {
        family: AF_TIPC,
        addrtype: TIPC_SERVICE_ADDR,
        scope: 0,
        words: [p.name_type(), p.name_instance(), 0],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::start;

    /// An empty 44-byte data message of type `ty`.
    fn msg(ty: DataType) -> [u8; 44] {
        let mut b = [0u8; 44];
        start(&mut b, User::Low, ty.bits(), 44, 0).unwrap();
        b
    }

    #[test]
    fn socket_address_of_the_origin() {
        let mut b = msg(DataType::Mcast);
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_origport(0x1234);
        p.set_orignode(0x0100_1001);
        p.set_prevnode(0x0100_1002);
        p.set_destport(0x5678);
        p.set_name_upper(99);
        let sa = source_addr(&b).unwrap();
        let mut expect = [0u8; 16];
        expect[..2].copy_from_slice(&AF_TIPC.to_ne_bytes());
        expect[2] = 3;
        expect[4..8].copy_from_slice(&0x1234u32.to_ne_bytes());
        expect[8..12].copy_from_slice(&0x0100_1001u32.to_ne_bytes());
        assert_eq!(sa.to_bytes(), expect);
    }

    #[test]
    fn a_group_message_names_its_member_too() {
        let mut b = msg(DataType::GrpUcast);
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_origport(0x1234);
        p.set_name_type(4711);
        p.set_name_instance(3);
        mark_member(&mut b, 17);
        let m = member_addr(&b).unwrap();
        assert_eq!((m.addrtype, m.words), (TIPC_SERVICE_ADDR, [4711, 17, 0]));
        let mut plain = msg(DataType::Mcast);
        Packet::new_unchecked(&mut plain[..]).set_name_instance(3);
        mark_member(&mut plain, 17);
        assert_eq!(Packet::new_checked(&plain[..]).unwrap().name_instance(), 3);
        assert_eq!(member_addr(&plain), None);
    }

    #[test]
    fn short_header_gives_the_previous_node() {
        let mut b = [0u8; 24];
        start(&mut b, User::Low, DataType::Conn.bits(), 24, 0).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_origport(7);
        p.set_prevnode(0x0100_1002);
        let sa = source_addr(&b).unwrap();
        assert_eq!(sa.words, [7, 0x0100_1002, 0]);
        assert_eq!(source_addr(&b[..20]), None);
    }
}
