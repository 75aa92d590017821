// SPDX-License-Identifier: GPL-2.0

//! The messages a connection makes itself: the short header of its data, the SYN header,
//! the FIN, and the `CONN_MANAGER` acknowledgements and probes (`tipc_sk_finish_conn`'s
//! header template, `tipc_msg_create`).

use crate::proto::msg::header::{data_header as msg_data_header, Addressing, Sender};
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::sockopt::Importance as SockImportance;
use crate::proto::wire::conn_mgr::ConnMsgType;
use crate::proto::wire::consts::{DataType, ErrorCode, User, INT_H_SIZE, SHORT_H_SIZE};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::header::{Flags, Packet};

use super::flow::AckFields;

/// A message of at most [`INT_H_SIZE`] bytes and no data, ready to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct CtrlMsg {
    /// The bytes, of which the first `len` are the message.
    buf: [u8; INT_H_SIZE],
    /// The message's length.
    len: usize,
}

impl CtrlMsg {
    /// The message.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

/// The data user an importance sends as.
pub(crate) const fn user_of(i: SockImportance) -> User {
    match i {
        SockImportance::Low => User::Low,
        SockImportance::Medium => User::Medium,
        SockImportance::High => User::High,
        SockImportance::Critical => User::Critical,
    }
}

/// The importance of a data message `p` (its user), as a socket option value; `Low` for
/// anything else.
pub(crate) fn importance_of<T: AsRef<[u8]>>(p: &Packet<T>) -> SockImportance {
    SockImportance::from_u32(p.user_bits()).unwrap_or(SockImportance::Low)
}

/// The 24-byte header of a connection message from `sender` to `peer` carrying
/// `payload_len` bytes, which follow it: type `TIPC_CONN_MSG`, the sender's importance and
/// droppable flags (source-droppable is also "ack required" on a connection), no nodes.
pub(crate) fn data_header(
    sender: &Sender,
    peer: SocketAddr,
    payload_len: usize,
) -> [u8; SHORT_H_SIZE] {
    let mut b = [0u8; SHORT_H_SIZE];
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.init(
        user_of(sender.importance),
        DataType::Conn.bits(),
        SHORT_H_SIZE,
    );
    p.set_flags(Flags {
        dest_droppable: sender.dest_droppable,
        src_droppable: sender.src_droppable,
        ..Flags::default()
    });
    p.set_prevnode(sender.node);
    p.set_origport(sender.port);
    p.set_destport(peer.port);
    p.set_total_len(SHORT_H_SIZE + payload_len);
    b
}

/// Marks connection message `msg` as asking its reader for an immediate acknowledgement
/// (Nagle's "ack required", the source-droppable bit).
pub(crate) fn set_ack_required(msg: &mut [u8]) {
    let mut p = Packet::new_unchecked(msg);
    let flags = p.flags();
    p.set_flags(Flags {
        src_droppable: true,
        ..flags
    });
}

/// The header of a SYN from `sender` addressed `to`: the connectionless header with the SYN
/// bit; the glue writes it with [`crate::proto::msg::header::emit_header`].
pub(crate) fn syn_header(sender: &Sender, to: &Addressing) -> DataRepr {
    let mut h = msg_data_header(sender, to);
    h.common.flags.syn = true;
    h
}

/// The FIN a closing end sends when it has nothing queued to return: a critical,
/// 24-byte, empty connection message from `port` on `own_node` to `peer` with error code
/// `code` (`TIPC_CONN_SHUTDOWN` for `shutdown(2)`, `TIPC_ERR_NO_PORT` for `close(2)`).
pub(crate) fn fin(own_node: u32, port: u32, peer: SocketAddr, code: ErrorCode) -> CtrlMsg {
    let mut buf = [0u8; INT_H_SIZE];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.init(User::Critical, DataType::Conn.bits(), SHORT_H_SIZE);
    p.set_errcode(code.bits());
    p.set_prevnode(own_node);
    p.set_origport(port);
    p.set_destport(peer.port);
    CtrlMsg {
        buf,
        len: SHORT_H_SIZE,
    }
}

/// A `CONN_MANAGER` message of type `ty` from `port` on `own_node` to `peer`, with word 9
/// as `ack` says.
fn conn_mgr(
    own_node: u32,
    port: u32,
    peer: SocketAddr,
    ty: ConnMsgType,
    ack: AckFields,
) -> CtrlMsg {
    let mut buf = [0u8; INT_H_SIZE];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.init(User::ConnManager, ty as u32, INT_H_SIZE);
    p.set_prevnode(own_node);
    p.set_orignode(own_node);
    p.set_destnode(peer.node);
    p.set_origport(port);
    p.set_destport(peer.port);
    p.set_bits(9, 16, 0xffff, ack.conn_ack.into());
    p.set_bits(9, 0, 0xffff, ack.adv_win.into());
    CtrlMsg {
        buf,
        len: INT_H_SIZE,
    }
}

/// A `CONN_ACK`; with `nagle_ack` it answers a message that asked for an acknowledgement.
pub(crate) fn ack(
    own_node: u32,
    port: u32,
    peer: SocketAddr,
    fields: AckFields,
    nagle_ack: bool,
) -> CtrlMsg {
    let mut m = conn_mgr(own_node, port, peer, ConnMsgType::Ack, fields);
    if nagle_ack {
        set_ack_required(&mut m.buf);
    }
    m
}

/// A `CONN_PROBE`: is the peer still there?
pub(crate) fn probe(own_node: u32, port: u32, peer: SocketAddr) -> CtrlMsg {
    let none = AckFields {
        conn_ack: 0,
        adv_win: 0,
    };
    conn_mgr(own_node, port, peer, ConnMsgType::Probe, none)
}

/// The `CONN_PROBE_REPLY` to probe `p`, as returning it with its type changed makes it:
/// back to its origin port and previous node, word 9 kept.
pub(crate) fn probe_reply<T: AsRef<[u8]>>(own_node: u32, p: &Packet<T>) -> CtrlMsg {
    let to = SocketAddr {
        port: p.origport(),
        node: p.prevnode(),
    };
    let fields = AckFields {
        conn_ack: p.bits(9, 16, 0xffff) as u16,
        adv_win: p.bits(9, 0, 0xffff) as u16,
    };
    conn_mgr(own_node, p.destport(), to, ConnMsgType::ProbeReply, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::sock_kind::SockKind;
    use crate::proto::sockopt::SockOpts;
    use crate::proto::wire::conn_mgr::ConnMgrRepr;
    use crate::proto::wire::consts::LookupScope;

    /// This node.
    const NODE: u32 = 0x0100_1001;
    /// The peer socket.
    const PEER: SocketAddr = SocketAddr {
        port: 0x2222,
        node: NODE,
    };

    #[test]
    fn data_header_bytes() {
        let s = Sender::new(0x1111, NODE, &SockOpts::new(SockKind::Stream));
        let h = data_header(&s, PEER, 5);
        assert_eq!(
            h,
            [
                0x40, 0xc0, 0x00, 29, // v2, user low, 6 words, size 29
                0, 0, 0, 0, // conn msg
                0, 0, 0, 0, //
                0x01, 0x00, 0x10, 0x01, // prevnode
                0, 0, 0x11, 0x11, // origport
                0, 0, 0x22, 0x22, // destport
            ]
        );
        let mut b = [0u8; 29];
        b[..24].copy_from_slice(&h);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(
            p.orignode(),
            NODE,
            "a short header's origin is its previous node"
        );
        assert_eq!(p.payload_len(), 5);
    }

    #[test]
    fn importance_and_flags_follow_the_sender() {
        let mut s = Sender::new(1, NODE, &SockOpts::new(SockKind::SeqPacket));
        s.importance = SockImportance::High;
        s.dest_droppable = true;
        let mut h = data_header(&s, PEER, 0);
        let p = Packet::new_unchecked(&h[..]);
        assert_eq!(p.user(), Some(User::High));
        assert_eq!(importance_of(&p), SockImportance::High);
        assert!(p.flags().dest_droppable && !p.flags().src_droppable);
        set_ack_required(&mut h);
        assert!(Packet::new_unchecked(&h[..]).flags().src_droppable);
    }

    #[test]
    fn syn_is_the_connectionless_header_with_syn() {
        let s = Sender::new(1, NODE, &SockOpts::new(SockKind::SeqPacket));
        let h = syn_header(
            &s,
            &Addressing::Named {
                ty: 1000,
                instance: 1,
                scope: LookupScope::CLUSTER,
                to: PEER,
            },
        );
        assert!(h.common.flags.syn);
        assert_eq!((h.msg_type, h.header_len), (DataType::Named, 40));
    }

    #[test]
    fn fin_bytes() {
        let m = fin(NODE, 0x1111, PEER, ErrorCode::ConnShutdown);
        assert_eq!(
            m.bytes(),
            &[
                0x46, 0xc0, 0, 24, // user critical, 6 words, size 24
                0x0a, 0, 0, 0, // conn msg, errcode 5
                0, 0, 0, 0, //
                0x01, 0x00, 0x10, 0x01, //
                0, 0, 0x11, 0x11, //
                0, 0, 0x22, 0x22,
            ]
        );
    }

    #[test]
    fn conn_manager_messages() {
        let f = AckFields {
            conn_ack: 7,
            adv_win: 9,
        };
        let a = ack(NODE, 0x1111, PEER, f, true);
        let p = Packet::new_checked(a.bytes()).unwrap();
        let r = ConnMgrRepr::parse(&p).unwrap();
        assert_eq!(r.msg_type, ConnMsgType::Ack);
        assert_eq!((r.conn_ack, r.adv_win), (7, 9));
        assert_eq!((r.ports.origport, r.ports.destport), (0x1111, 0x2222));
        assert_eq!((r.ports.orignode, r.ports.destnode), (NODE, NODE));
        assert!(r.common.flags.src_droppable, "nagle ack");
        assert!(
            !Packet::new_unchecked(ack(NODE, 1, PEER, f, false).bytes())
                .flags()
                .src_droppable
        );
        let pr = probe(
            NODE,
            0x2222,
            SocketAddr {
                port: 0x1111,
                node: NODE,
            },
        );
        let p = Packet::new_checked(pr.bytes()).unwrap();
        assert_eq!(ConnMgrRepr::parse(&p).unwrap().msg_type, ConnMsgType::Probe);
        let reply = probe_reply(NODE, &p);
        let r = ConnMgrRepr::parse(&Packet::new_checked(reply.bytes()).unwrap()).unwrap();
        assert_eq!(r.msg_type, ConnMsgType::ProbeReply);
        assert_eq!((r.ports.origport, r.ports.destport), (0x1111, 0x2222));
        assert_eq!(r.ports.destnode, NODE);
    }
}
