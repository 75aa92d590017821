// SPDX-License-Identifier: GPL-2.0

//! The data header of a connectionless message: what the C module's per-socket header
//! template holds when `__tipc_sendmsg` or `tipc_sendmcast` hands it to `tipc_msg_build`,
//! and, for a multicast, each copy's destination port (`tipc_sk_mcast_rcv`).

use crate::proto::name_table::addr::{ServiceRange, SocketAddr};
use crate::proto::sockopt::{Importance as SockImportance, SockOpts};
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::{
    DataType, ErrorCode, Importance, LookupScope, BASIC_H_SIZE, MAX_H_SIZE, MAX_USER_MSG_SIZE,
    MCAST_H_SIZE, NAMED_H_SIZE,
};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::error::{Error, Result};
use crate::proto::wire::header::{Flags, Packet};

/// How a message is addressed: its type and destination fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Addressing {
    /// `TIPC_NAMED_MSG`, 40-byte header: to service `ty`/`instance`, resolved to `to` (port
    /// 0 when the lookup was left to node `to.node`).
    Named {
        /// The service type.
        ty: u32,
        /// The instance.
        instance: u32,
        /// Node scope if the user gave a lookup domain, else cluster scope.
        scope: LookupScope,
        /// The socket the lookup chose.
        to: SocketAddr,
    },
    /// `TIPC_DIRECT_MSG`, 32-byte header: to socket `to` as the user gave it (node 0 stays 0).
    Direct {
        /// The destination socket.
        to: SocketAddr,
    },
    /// `TIPC_MCAST_MSG`, 44-byte header, cluster lookup scope: the copy of a multicast to
    /// `range` for socket `to.port` on this node (`to.node` 0), or the copy node `to.node`
    /// receives and looks up itself (`to.port` 0), named as C's `tipc_rcast_xmit` names it.
    Mcast {
        /// The range sent to.
        range: ServiceRange,
        /// The receiving socket here, or the receiving node.
        to: SocketAddr,
    },
}

impl Addressing {
    /// The destination node, as the header carries it.
    pub(crate) fn dest_node(&self) -> u32 {
        match self {
            Self::Named { to, .. } | Self::Direct { to } | Self::Mcast { to, .. } => to.node,
        }
    }

    /// The destination port, as the header carries it.
    pub(crate) fn dest_port(&self) -> u32 {
        match self {
            Self::Named { to, .. } | Self::Direct { to } | Self::Mcast { to, .. } => to.port,
        }
    }
}

/// The sending socket's part of every header it sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Sender {
    /// The socket's port.
    pub(crate) port: u32,
    /// This node's address now (0 before it has one); it is both previous and originating
    /// node.
    pub(crate) node: u32,
    /// `TIPC_IMPORTANCE`.
    pub(crate) importance: SockImportance,
    /// `TIPC_SRC_DROPPABLE`.
    pub(crate) src_droppable: bool,
    /// `TIPC_DEST_DROPPABLE`: an undeliverable message is dropped, not returned.
    pub(crate) dest_droppable: bool,
}

impl Sender {
    /// The sender part for socket `port` on node `node` with options `opts`.
    pub(crate) fn new(port: u32, node: u32, opts: &SockOpts) -> Self {
        Self {
            port,
            node,
            importance: opts.importance(),
            src_droppable: opts.src_droppable(),
            dest_droppable: opts.dest_droppable(),
        }
    }
}

/// The wire importance of a socket importance.
pub(crate) fn wire_importance(i: SockImportance) -> Importance {
    match i {
        SockImportance::Low => Importance::Low,
        SockImportance::Medium => Importance::Medium,
        SockImportance::High => Importance::High,
        SockImportance::Critical => Importance::Critical,
    }
}

/// The header `sender` puts on a message addressed `to`. The link fields (sequence numbers,
/// acknowledges) are 0 until a link sends it; the size is set by [`emit_header`].
pub(crate) fn data_header(sender: &Sender, to: &Addressing) -> DataRepr {
    let (msg_type, header_len, lookup_scope, name) = match *to {
        Addressing::Named {
            ty,
            instance,
            scope,
            ..
        } => (DataType::Named, NAMED_H_SIZE, scope, [ty, instance, 0]),
        Addressing::Direct { .. } => (
            DataType::Direct,
            BASIC_H_SIZE,
            LookupScope::default(),
            [0; 3],
        ),
        Addressing::Mcast { range, .. } => (
            DataType::Mcast,
            MCAST_H_SIZE,
            LookupScope::CLUSTER,
            [range.ty, range.lower, range.upper],
        ),
    };
    let [name_type, name_lower, name_upper] = name;
    DataRepr {
        importance: wire_importance(sender.importance),
        msg_type,
        common: Common {
            flags: Flags {
                dest_droppable: sender.dest_droppable,
                src_droppable: sender.src_droppable,
                ..Flags::default()
            },
            prevnode: sender.node,
            ..Common::default()
        },
        errcode: ErrorCode::Ok,
        reroute_cnt: 0,
        lookup_scope,
        header_len,
        origport: sender.port,
        destport: to.dest_port(),
        orignode: sender.node,
        destnode: to.dest_node(),
        name_type,
        name_lower,
        name_upper,
    }
}

/// Writes `header` at the start of `buf` with a message size covering `payload_len` more
/// bytes, which the caller writes right after it; returns the header's length. Fails if
/// `buf` is shorter than the header, the payload is over 66000 bytes or the header is
/// malformed; `buf` past the header is not touched.
pub(crate) fn emit_header(header: &DataRepr, payload_len: usize, buf: &mut [u8]) -> Result<usize> {
    if payload_len > MAX_USER_MSG_SIZE {
        return Err(Error::PayloadTooLarge);
    }
    let mut tmp = [0u8; MAX_H_SIZE];
    let hlen = header.emit(&mut tmp, &[])?;
    let out = buf.get_mut(..hlen).ok_or(Error::BufferTooSmall)?;
    let src = tmp.get(..hlen).ok_or(Error::BufferTooSmall)?;
    out.copy_from_slice(src);
    Packet::new_unchecked(out).set_total_len(hlen + payload_len);
    Ok(hlen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::sock_kind::SockKind;
    use crate::proto::sockopt::{
        SOL_TIPC, TIPC_DEST_DROPPABLE, TIPC_IMPORTANCE, TIPC_SRC_DROPPABLE,
    };

    /// A sender with the defaults of a socket of `kind`.
    fn sender(kind: SockKind) -> Sender {
        Sender::new(0x1234_5678, 0x0100_1001, &SockOpts::new(kind))
    }

    #[test]
    fn named_header_bytes() {
        let to = Addressing::Named {
            ty: 1000,
            instance: 5,
            scope: LookupScope::CLUSTER,
            to: SocketAddr {
                port: 0x0abc_def0,
                node: 0x0100_1001,
            },
        };
        let h = data_header(&sender(SockKind::Rdm), &to);
        let mut b = [0xffu8; 48];
        assert_eq!(emit_header(&h, 3, &mut b), Ok(40));
        let expect: [u8; 40] = [
            0x41, 0x48, 0x00, 43, // v2, user low, hsize 10, dest droppable, size 43
            0x40, 0x10, 0x00, 0x00, // named, scope 2
            0, 0, 0, 0, // ack, seqno
            0x01, 0x00, 0x10, 0x01, // prevnode
            0x12, 0x34, 0x56, 0x78, // origport
            0x0a, 0xbc, 0xde, 0xf0, // destport
            0x01, 0x00, 0x10, 0x01, // orignode
            0x01, 0x00, 0x10, 0x01, // destnode
            0x00, 0x00, 0x03, 0xe8, // type
            0x00, 0x00, 0x00, 0x05, // instance
        ];
        assert_eq!(&b[..40], &expect[..]);
        assert_eq!(&b[40..], &[0xff; 8], "payload area untouched");
    }

    #[test]
    fn types_sizes_and_scopes() {
        let s = sender(SockKind::Dgram);
        let direct = data_header(
            &s,
            &Addressing::Direct {
                to: SocketAddr { port: 9, node: 0 },
            },
        );
        assert_eq!(direct.msg_type, DataType::Direct);
        assert_eq!(direct.header_len, 32);
        assert_eq!(direct.lookup_scope.bits(), 0);
        assert_eq!((direct.destport, direct.destnode), (9, 0));
        assert!(direct.common.flags.src_droppable && direct.common.flags.dest_droppable);
        let range = ServiceRange {
            ty: 77,
            lower: 1,
            upper: 9,
        };
        let here = SocketAddr { port: 42, node: 0 };
        let m = data_header(&s, &Addressing::Mcast { range, to: here });
        assert_eq!(m.msg_type, DataType::Mcast);
        assert_eq!(m.header_len, 44);
        assert_eq!(m.lookup_scope, LookupScope::CLUSTER);
        assert_eq!((m.destport, m.destnode), (42, 0));
        assert_eq!((m.name_type, m.name_lower, m.name_upper), (77, 1, 9));
        let there = SocketAddr { port: 0, node: 5 };
        let r = data_header(&s, &Addressing::Mcast { range, to: there });
        assert_eq!(
            (r.destport, r.destnode),
            (0, 5),
            "the copy for node 5 names it"
        );
    }

    #[test]
    fn options_reach_the_header() {
        let mut opts = SockOpts::new(SockKind::Rdm);
        let set = |o: &mut SockOpts, name, v: u32| {
            o.set(SOL_TIPC, name, &v.to_ne_bytes()[..]).map(|_| ())
        };
        assert_eq!(set(&mut opts, TIPC_IMPORTANCE, 3), Ok(()));
        assert_eq!(set(&mut opts, TIPC_DEST_DROPPABLE, 0), Ok(()));
        assert_eq!(set(&mut opts, TIPC_SRC_DROPPABLE, 1), Ok(()));
        let h = data_header(
            &Sender::new(1, 2, &opts),
            &Addressing::Direct {
                to: SocketAddr { port: 3, node: 2 },
            },
        );
        assert_eq!(h.importance, Importance::Critical);
        assert!(!h.common.flags.dest_droppable && h.common.flags.src_droppable);
    }

    #[test]
    fn emit_errors() {
        let h = data_header(
            &sender(SockKind::Rdm),
            &Addressing::Direct {
                to: SocketAddr { port: 3, node: 0 },
            },
        );
        assert_eq!(
            emit_header(&h, 0, &mut [0u8; 31]),
            Err(Error::BufferTooSmall)
        );
        assert_eq!(
            emit_header(&h, MAX_USER_MSG_SIZE + 1, &mut [0u8; 64]),
            Err(Error::PayloadTooLarge)
        );
        assert_eq!(emit_header(&h, MAX_USER_MSG_SIZE, &mut [0u8; 32]), Ok(32));
    }
}
