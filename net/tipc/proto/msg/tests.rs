// SPDX-License-Identifier: GPL-2.0

//! Connectionless messaging end to end on one simulated node (send, lookup, delivery,
//! rejection, return, receive), and property tests of the rules.

use std::collections::BTreeMap;
use std::vec::Vec;

use proptest::prelude::*;

use super::ancillary::{ancillary, TIPC_DESTNAME, TIPC_ERRINFO, TIPC_RETDATA};
use super::dest::{send_destination, Destination};
use super::error::MsgError;
use super::filter::{filter, RcvbufUse, Verdict};
use super::header::{data_header, emit_header, Addressing, Sender};
use super::peer::{connect_peer, PeerOp};
use super::port::PortProbe;
use super::rcvbuf::RCVBUF_DEF;
use super::recv::{recv_step, RecvStep, MSG_EOR, MSG_PEEK, MSG_TRUNC};
use super::reroute::{no_socket, Undeliverable};
use super::reverse::{returned, MAX_FORWARD_SIZE};
use super::route::{resolve, Route};
use super::srcaddr::source_addr;
use crate::kalloc::GFP_KERNEL;
use crate::proto::name_table::addr::{Scope, ServiceRange, SocketAddr};
use crate::proto::name_table::bind::{
    SockaddrTipc, TIPC_SERVICE_ADDR, TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR,
};
use crate::proto::name_table::table::NameTable;
use crate::proto::sock_kind::SockKind;
use crate::proto::sockopt::{
    Importance as SockImportance, SockOpts, SOL_TIPC, TIPC_DEST_DROPPABLE,
};
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::{DataType, ErrorCode, Importance, LookupScope};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::header::{Flags, Packet};
use crate::proto::AF_TIPC;

/// This node's address.
const OWN: u32 = 0x0100_1001;
/// The truesize the simulated node charges per message: its length plus this.
const OVERHEAD: u32 = 256;

/// A simulated socket.
struct Sock {
    /// Its options.
    opts: SockOpts,
    /// Its receive queue: messages and their read offsets.
    queue: Vec<(Vec<u8>, usize)>,
    /// Bytes charged to its receive buffer.
    used: u32,
    /// Its default peer.
    peer: Option<Destination>,
}

/// What one `recvmsg` gave.
#[derive(Debug, PartialEq, Eq)]
struct Received {
    /// The result.
    ret: usize,
    /// The data copied.
    data: Vec<u8>,
    /// `msg_flags`.
    flags: u32,
    /// `msg_name`.
    from: SockaddrTipc,
    /// Control messages: type and bytes.
    cmsgs: Vec<(i32, Vec<u8>)>,
}

/// One node with its name table and sockets, delivering everything locally.
struct Node {
    /// The name table.
    table: NameTable,
    /// Sockets by port.
    socks: BTreeMap<u32, Sock>,
    /// Messages dropped without return.
    dropped: usize,
}

impl Node {
    /// An empty node.
    fn new() -> Self {
        Self {
            table: NameTable::new(OWN, false),
            socks: BTreeMap::new(),
            dropped: 0,
        }
    }

    /// Opens a socket of `kind` at `port`.
    fn open(&mut self, port: u32, kind: SockKind) {
        let s = Sock {
            opts: SockOpts::new(kind),
            queue: Vec::new(),
            used: 0,
            peer: None,
        };
        self.socks.insert(port, s);
    }

    /// Binds socket `port` to `ty`/`lower..=upper`.
    fn bind(&mut self, port: u32, ty: u32, lower: u32, upper: u32) {
        let range = ServiceRange { ty, lower, upper };
        let sk = SocketAddr { port, node: OWN };
        self.table
            .publish(range, sk, Scope::Cluster, port, GFP_KERNEL)
            .unwrap();
    }

    /// Sets a `SOL_TIPC` option of socket `port`.
    fn setopt(&mut self, port: u32, name: i32, v: u32) {
        let s = self.socks.get_mut(&port).unwrap();
        let _ = s.opts.set(SOL_TIPC, name, &v.to_ne_bytes()[..]).unwrap();
    }

    /// `sendto(port, payload, name)`.
    fn send(&mut self, port: u32, name: Option<&[u8]>, payload: &[u8]) -> Result<usize, MsgError> {
        let s = &self.socks[&port];
        let sender = Sender::new(port, OWN, &s.opts);
        let dest = send_destination(name, s.peer, payload.len())?;
        let copies: Vec<Addressing> = match resolve(dest, &mut self.table, GFP_KERNEL)? {
            Route::Unicast { addressing } => {
                assert!(self.table.is_own(addressing.dest_node()), "one node only");
                std::vec![addressing]
            }
            Route::Multicast {
                range, local_ports, ..
            } => local_ports
                .iter()
                .map(|&port| Addressing::Mcast {
                    range,
                    to: SocketAddr { port, node: 0 },
                })
                .collect(),
        };
        for to in copies {
            let h = data_header(&sender, &to);
            let mut buf = std::vec![0u8; h.header_len + payload.len()];
            let hlen = emit_header(&h, payload.len(), &mut buf).unwrap();
            buf[hlen..].copy_from_slice(payload);
            self.deliver(buf);
        }
        Ok(payload.len())
    }

    /// Delivers `msg` to its destination port, rejecting it as the rules say.
    fn deliver(&mut self, mut msg: Vec<u8>) {
        let port = Packet::new_checked(&msg[..]).unwrap().destport();
        let verdict = match self.socks.get_mut(&port) {
            Some(s) => {
                let truesize = msg.len() as u32 + OVERHEAD;
                let rcv = RcvbufUse {
                    used: s.used,
                    truesize,
                    rcvbuf: RCVBUF_DEF,
                };
                match filter(&msg, &rcv) {
                    Verdict::Accept => {
                        s.used += truesize;
                        s.queue.push((msg, 0));
                        return;
                    }
                    Verdict::Protocol => unreachable!("data only"),
                    Verdict::Reject { code, .. } => code,
                }
            }
            None => match no_socket(&mut msg, &mut self.table) {
                Undeliverable::Rerouted(to) => {
                    assert_eq!(to.node, OWN);
                    return self.deliver(msg);
                }
                Undeliverable::Reject(code) => code,
            },
        };
        match returned(&msg, verdict) {
            Some(r) => {
                let mut out = std::vec![0u8; r.len()];
                r.emit(OWN, &mut out).unwrap();
                self.deliver(out);
            }
            None => self.dropped += 1,
        }
    }

    /// `recvmsg(port, buflen, flags)` with a name and a control buffer; `None` if the queue
    /// is empty.
    fn recv(&mut self, port: u32, buflen: usize, flags: u32) -> Option<Received> {
        let s = self.socks.get_mut(&port).unwrap();
        loop {
            let (msg, read) = s.queue.first_mut()?;
            let plan = match recv_step(msg, *read, buflen, flags) {
                RecvStep::Discard => {
                    s.queue.remove(0);
                    continue;
                }
                RecvStep::Read(plan) => plan,
            };
            let got = Received {
                ret: plan.copy.len(),
                data: msg[plan.copy.clone()].to_vec(),
                flags: plan.msg_flags,
                from: source_addr(msg).unwrap(),
                cmsgs: ancillary(msg)
                    .iter()
                    .map(|c| (c.ty, c.bytes().to_vec()))
                    .collect(),
            };
            *read = plan.bytes_read;
            if plan.consume {
                let (m, _) = s.queue.remove(0);
                s.used -= m.len() as u32 + OVERHEAD;
            }
            return Some(got);
        }
    }
}

/// A `sockaddr_tipc` as bytes.
fn sa(addrtype: u8, words: [u32; 3]) -> [u8; 16] {
    SockaddrTipc {
        family: AF_TIPC,
        addrtype,
        scope: 0,
        words,
    }
    .to_bytes()
}

/// Native-endian bytes of `words`.
fn ne(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// The socket address `<OWN:port>` as `recvmsg` reports it.
fn from(port: u32) -> SockaddrTipc {
    SockaddrTipc {
        family: AF_TIPC,
        addrtype: TIPC_SOCKET_ADDR,
        scope: 0,
        words: [port, OWN, 0],
    }
}

#[test]
fn rdm_and_dgram_exchange_by_name_and_by_port() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    n.open(20, SockKind::Dgram);
    n.bind(20, 1000, 0, 99);
    let to_service = sa(TIPC_SERVICE_ADDR, [1000, 42, 0]);
    assert_eq!(n.send(10, Some(&to_service), b"hello"), Ok(5));
    let got = n.recv(20, 100, 0).unwrap();
    assert_eq!(
        got,
        Received {
            ret: 5,
            data: b"hello".to_vec(),
            flags: 0,
            from: from(10),
            cmsgs: std::vec![(TIPC_DESTNAME, ne(&[1000, 42, 42]))],
        }
    );
    assert_eq!(
        n.send(20, Some(&sa(TIPC_SOCKET_ADDR, [10, 0, 0])), b"back"),
        Ok(4)
    );
    let got = n.recv(10, 100, 0).unwrap();
    assert_eq!(
        (got.data, got.from, got.cmsgs),
        (b"back".to_vec(), from(20), Vec::new())
    );
    assert_eq!(n.recv(10, 100, 0), None);
}

#[test]
fn send_errors() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    assert_eq!(n.send(10, None, b"x"), Err(MsgError::DestAddrRequired));
    let nobody = sa(TIPC_SERVICE_ADDR, [1000, 1, 0]);
    assert_eq!(
        n.send(10, Some(&nobody), b"x"),
        Err(MsgError::HostUnreachable)
    );
    let no_range = sa(TIPC_SERVICE_RANGE, [1000, 1, 5]);
    assert_eq!(
        n.send(10, Some(&no_range), b"x"),
        Err(MsgError::HostUnreachable)
    );
    let big = std::vec![0u8; 66001];
    assert_eq!(n.send(10, Some(&nobody), &big), Err(MsgError::MsgSize));
    assert_eq!(n.send(10, Some(&nobody[..8]), b"x"), Err(MsgError::Invalid));
}

#[test]
fn default_peer_after_connect() {
    let mut n = Node::new();
    n.open(10, SockKind::Dgram);
    n.open(20, SockKind::Rdm);
    let PeerOp::Set(peer) = connect_peer(&sa(TIPC_SOCKET_ADDR, [20, 0, 0]), false).unwrap() else {
        panic!("not set");
    };
    n.socks.get_mut(&10).unwrap().peer = Some(peer);
    assert_eq!(n.send(10, None, b"hi"), Ok(2));
    assert_eq!(n.recv(20, 10, 0).unwrap().data, b"hi".to_vec());
}

#[test]
fn multicast_gives_each_socket_one_copy() {
    let mut n = Node::new();
    for port in [10, 20, 30, 40] {
        n.open(port, SockKind::Rdm);
    }
    n.bind(20, 1000, 0, 9);
    n.bind(20, 1000, 5, 5);
    n.bind(30, 1000, 7, 20);
    n.bind(40, 1000, 50, 60);
    let range = sa(TIPC_SERVICE_RANGE, [1000, 5, 8]);
    assert_eq!(n.send(10, Some(&range), b"all"), Ok(3));
    for port in [20, 30] {
        let got = n.recv(port, 10, 0).unwrap();
        assert_eq!(got.data, b"all".to_vec());
        assert_eq!(got.cmsgs, std::vec![(TIPC_DESTNAME, ne(&[1000, 5, 8]))]);
        assert_eq!(n.recv(port, 10, 0), None);
    }
    assert_eq!(n.recv(40, 10, 0), None);
}

#[test]
fn undeliverable_is_dropped_by_default_and_returned_on_request() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    let gone = sa(TIPC_SOCKET_ADDR, [99, 0, 0]);
    assert_eq!(n.send(10, Some(&gone), b"lost"), Ok(4));
    assert_eq!((n.recv(10, 10, 0), n.dropped), (None, 1));
    n.setopt(10, TIPC_DEST_DROPPABLE, 0);
    assert_eq!(n.send(10, Some(&gone), b"lost"), Ok(4));
    let got = n.recv(10, 10, 0).unwrap();
    assert_eq!(
        got,
        Received {
            ret: 0,
            data: Vec::new(),
            flags: 0,
            from: from(99),
            cmsgs: std::vec![
                (TIPC_ERRINFO, ne(&[ErrorCode::NoPort.bits(), 4])),
                (TIPC_RETDATA, b"lost".to_vec()),
            ],
        }
    );
}

#[test]
fn socket_gone_after_lookup_is_no_name() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    n.open(20, SockKind::Rdm);
    n.bind(20, 1000, 0, 0);
    n.socks.remove(&20);
    n.setopt(10, TIPC_DEST_DROPPABLE, 0);
    assert_eq!(
        n.send(10, Some(&sa(TIPC_SERVICE_ADDR, [1000, 0, 0])), b"x"),
        Ok(1)
    );
    let got = n.recv(10, 10, 0).unwrap();
    assert_eq!(
        got.cmsgs,
        std::vec![
            (TIPC_ERRINFO, ne(&[ErrorCode::NoName.bits(), 1])),
            (TIPC_RETDATA, b"x".to_vec()),
            (TIPC_DESTNAME, ne(&[1000, 0, 0])),
        ]
    );
}

#[test]
fn overload_refuses_until_read() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    n.open(20, SockKind::Rdm);
    n.setopt(10, TIPC_DEST_DROPPABLE, 0);
    let to = sa(TIPC_SOCKET_ADDR, [20, 0, 0]);
    let chunk = std::vec![7u8; 60_000];
    let fits = (RCVBUF_DEF / (60_032 + OVERHEAD)) as usize;
    for _ in 0..=fits {
        n.send(10, Some(&to), &chunk).unwrap();
    }
    assert_eq!(n.socks[&20].queue.len(), fits);
    let back = n.recv(10, 10, 0).unwrap();
    assert_eq!(
        back.cmsgs[0],
        (TIPC_ERRINFO, ne(&[ErrorCode::Overload.bits(), 1024]))
    );
    assert_eq!(back.cmsgs[1].1.len(), MAX_FORWARD_SIZE);
    n.recv(20, 70_000, 0).unwrap();
    n.send(10, Some(&to), &chunk).unwrap();
    assert_eq!(n.socks[&20].queue.len(), fits);
}

#[test]
fn truncation_pieces_and_empty_messages() {
    let mut n = Node::new();
    n.open(10, SockKind::Rdm);
    n.open(20, SockKind::Rdm);
    let to = sa(TIPC_SOCKET_ADDR, [20, 0, 0]);
    n.send(10, Some(&to), b"").unwrap();
    n.send(10, Some(&to), b"abcdef").unwrap();
    n.send(10, Some(&to), b"ghijkl").unwrap();
    let got = n.recv(20, 4, MSG_PEEK).unwrap();
    assert_eq!((got.ret, got.flags), (4, MSG_TRUNC));
    let got = n.recv(20, 4, MSG_EOR).unwrap();
    assert_eq!((got.data, got.flags), (b"abcd".to_vec(), 0));
    let got = n.recv(20, 4, MSG_EOR).unwrap();
    assert_eq!((got.data, got.flags), (b"ef".to_vec(), MSG_EOR));
    let got = n.recv(20, 4, 0).unwrap();
    assert_eq!((got.data, got.flags), (b"ghij".to_vec(), MSG_TRUNC));
    assert_eq!(n.recv(20, 4, 0), None);
}

/// Any socket importance.
fn sock_importance() -> impl Strategy<Value = SockImportance> {
    (0u32..4).prop_map(|i| SockImportance::from_u32(i).unwrap())
}

/// Any sender.
fn sender() -> impl Strategy<Value = Sender> {
    (
        any::<u32>(),
        any::<u32>(),
        sock_importance(),
        any::<[bool; 2]>(),
    )
        .prop_map(
            |(port, node, importance, [src_droppable, dest_droppable])| Sender {
                port,
                node,
                importance,
                src_droppable,
                dest_droppable,
            },
        )
}

/// Any addressing.
fn addressing() -> impl Strategy<Value = Addressing> {
    let sk = (any::<u32>(), any::<u32>()).prop_map(|(port, node)| SocketAddr { port, node });
    prop_oneof![
        (any::<u32>(), any::<u32>(), any::<bool>(), sk.clone()).prop_map(
            |(ty, instance, node, to)| Addressing::Named {
                ty,
                instance,
                scope: if node {
                    LookupScope::NODE
                } else {
                    LookupScope::CLUSTER
                },
                to,
            }
        ),
        sk.prop_map(|to| Addressing::Direct { to }),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(ty, a, b, port)| {
            Addressing::Mcast {
                range: ServiceRange {
                    ty,
                    lower: a.min(b),
                    upper: a.max(b),
                },
                to: SocketAddr { port, node: 0 },
            }
        }),
    ]
}

/// Any data message a link could deliver, with its payload.
fn data_message() -> impl Strategy<Value = (DataRepr, Vec<u8>)> {
    let ty = prop_oneof![
        Just(DataType::Conn),
        Just(DataType::Mcast),
        Just(DataType::Named),
        Just(DataType::Direct),
    ];
    (
        ty,
        0u32..4,
        any::<[bool; 3]>(),
        any::<[u32; 9]>(),
        0usize..5,
        proptest::collection::vec(any::<u8>(), 0..3000),
    )
        .prop_map(|(msg_type, imp, [non_seq, src, syn], w, extra, payload)| {
            // A 28-byte header, which no sender makes, gets its first data word
            // overwritten by the destination node; reverse.rs tests that on its own.
            let header_len = match (msg_type.min_header() + extra * 4).min(60) {
                28 => 32,
                h => h,
            };
            let repr = DataRepr {
                importance: Importance::from_bits(imp).unwrap(),
                msg_type,
                common: Common {
                    flags: Flags {
                        non_seq,
                        dest_droppable: false,
                        src_droppable: src,
                        syn,
                    },
                    bcast_ack: w[0] as u16,
                    ack: (w[0] >> 16) as u16,
                    seqno: w[1] as u16,
                    prevnode: w[2],
                },
                errcode: ErrorCode::Ok,
                reroute_cnt: (w[1] >> 16) as u8 & 0xf,
                lookup_scope: LookupScope::from_bits(w[1] >> 24),
                header_len,
                origport: w[3],
                destport: w[4],
                orignode: w[5],
                destnode: w[6],
                name_type: w[7],
                name_lower: w[8],
                name_upper: w[8] ^ w[7],
            };
            (repr, payload)
        })
}

/// `repr` with `payload` as bytes.
fn emitted(repr: &DataRepr, payload: &[u8]) -> Vec<u8> {
    let mut b = std::vec![0u8; repr.header_len + payload.len()];
    repr.emit(&mut b, payload).unwrap();
    b
}

/// `msg` returned with `code` by `node`.
fn reversed(msg: &[u8], code: ErrorCode, node: u32) -> Option<Vec<u8>> {
    let r = returned(msg, code)?;
    let mut out = std::vec![0u8; r.len()];
    assert_eq!(r.emit(node, &mut out), Ok(r.len()));
    Some(out)
}

proptest! {
    #[test]
    fn built_headers_parse_back(
        s in sender(),
        to in addressing(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let h = data_header(&s, &to);
        let mut buf = std::vec![0u8; 60 + payload.len()];
        let hlen = emit_header(&h, payload.len(), &mut buf).unwrap();
        buf[hlen..hlen + payload.len()].copy_from_slice(&payload);
        let msg = &buf[..hlen + payload.len()];
        let p = Packet::new_checked(msg).unwrap();
        prop_assert_eq!(DataRepr::parse(&p).unwrap(), h);
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.origport(), s.port);
        prop_assert_eq!(p.orignode(), s.node);
        prop_assert_eq!(p.prevnode(), s.node);
        prop_assert_eq!(p.destport(), to.dest_port());
        prop_assert_eq!(p.destnode(), to.dest_node());
        prop_assert_eq!(p.user_bits(), s.importance.as_u32());
        prop_assert_eq!(p.flags().dest_droppable, s.dest_droppable);
        prop_assert_eq!(p.flags().src_droppable, s.src_droppable);
        prop_assert_eq!(source_addr(msg).unwrap().words, [s.port, s.node, 0]);
        let names: Vec<_> = ancillary(msg).iter().map(|c| c.bytes().to_vec()).collect();
        match to {
            Addressing::Named { ty, instance, scope, .. } => {
                prop_assert_eq!(p.data_type(), DataType::Named);
                prop_assert_eq!(p.lookup_scope(), scope.bits());
                prop_assert_eq!(names, std::vec![ne(&[ty, instance, instance])]);
            }
            Addressing::Direct { .. } => {
                prop_assert_eq!((p.data_type(), hlen), (DataType::Direct, 32));
                prop_assert!(names.is_empty());
            }
            Addressing::Mcast { range, .. } => {
                prop_assert_eq!((p.data_type(), hlen), (DataType::Mcast, 44));
                prop_assert_eq!(names, std::vec![ne(&[range.ty, range.lower, range.upper])]);
            }
        }
    }

    #[test]
    fn returned_messages(
        (repr, payload) in data_message(),
        code in 1u32..6,
        node in any::<u32>(),
    ) {
        let code = ErrorCode::from_bits(code).unwrap();
        let msg = emitted(&repr, &payload);
        let back = reversed(&msg, code, node).unwrap();
        let p = Packet::new_checked(&back[..]).unwrap();
        let r = DataRepr::parse(&p).unwrap();
        let keep = if repr.common.flags.syn && code == ErrorCode::Overload {
            0
        } else {
            payload.len().min(MAX_FORWARD_SIZE)
        };
        prop_assert_eq!(p.payload(), &payload[..keep]);
        prop_assert_eq!(r.header_len, repr.header_len.max(32));
        prop_assert_eq!(r.errcode, code);
        prop_assert_eq!((r.origport, r.destport), (repr.destport, repr.origport));
        prop_assert_eq!((r.orignode, r.destnode, r.common.prevnode), (node, repr.common.prevnode, node));
        prop_assert!(!r.common.flags.non_seq);
        prop_assert_eq!((r.msg_type, r.importance), (repr.msg_type, repr.importance));
        prop_assert_eq!(r.lookup_scope, repr.lookup_scope);
        if repr.header_len > 32 {
            prop_assert_eq!(r.name_type, repr.name_type);
        }
        prop_assert_eq!(returned(&back, ErrorCode::NoPort), None);
        let mut droppable = repr;
        droppable.common.flags.dest_droppable = true;
        let droppable = emitted(&droppable, &payload);
        prop_assert_eq!(returned(&droppable, code), None);
    }

    #[test]
    fn reversing_twice_without_error_restores_the_ports(
        (repr, payload) in data_message(),
        a in any::<u32>(),
        b in any::<u32>(),
    ) {
        let msg = emitted(&repr, &payload);
        let once = reversed(&msg, ErrorCode::Ok, b).unwrap();
        let twice = reversed(&once, ErrorCode::Ok, a).unwrap();
        let p = Packet::new_checked(&twice[..]).unwrap();
        prop_assert_eq!((p.origport(), p.destport()), (repr.origport, repr.destport));
        prop_assert_eq!((p.orignode(), p.destnode(), p.prevnode()), (a, b, a));
        let keep = payload.len().min(MAX_FORWARD_SIZE);
        prop_assert_eq!(p.payload(), &payload[..keep]);
        prop_assert_eq!(&twice[12..], &reversed(&once, ErrorCode::Ok, a).unwrap()[12..]);
    }

    #[test]
    fn reading_in_pieces_gives_the_whole_message(
        dlen in 1usize..3000,
        buflen in 1usize..1000,
    ) {
        let payload: Vec<u8> = (0..dlen).map(|i| i as u8).collect();
        let repr = DataRepr {
            importance: Importance::Low,
            msg_type: DataType::Direct,
            common: Common::default(),
            errcode: ErrorCode::Ok,
            reroute_cnt: 0,
            lookup_scope: LookupScope::default(),
            header_len: 32,
            origport: 1,
            destport: 2,
            orignode: 0,
            destnode: 0,
            name_type: 0,
            name_lower: 0,
            name_upper: 0,
        };
        let msg = emitted(&repr, &payload);
        let mut read = 0;
        let mut got = Vec::new();
        loop {
            let RecvStep::Read(plan) = recv_step(&msg, read, buflen, MSG_EOR) else {
                panic!("discarded");
            };
            prop_assert!(plan.copy.len() <= buflen);
            got.extend_from_slice(&msg[plan.copy.clone()]);
            read = plan.bytes_read;
            if plan.consume {
                prop_assert_eq!(plan.msg_flags, MSG_EOR);
                break;
            }
            prop_assert_eq!(plan.msg_flags, 0);
        }
        prop_assert_eq!(got, payload);
        let RecvStep::Read(plan) = recv_step(&msg, 0, buflen, 0) else {
            panic!("discarded");
        };
        prop_assert_eq!(plan.copy.len(), dlen.min(buflen));
        prop_assert_eq!(plan.msg_flags == MSG_TRUNC, dlen > buflen);
        prop_assert!(plan.consume);
    }

    #[test]
    fn port_probes_skip_zero_and_step_by_one(seed in any::<u32>()) {
        let ports: Vec<u32> = PortProbe::new(seed).take(4).collect();
        for w in ports.windows(2) {
            prop_assert!(w[1] == w[0].wrapping_add(1) || (w[0] == u32::MAX && w[1] == 1));
        }
        prop_assert!(!ports.contains(&0));
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..128),
        n in any::<u32>(),
        flags in any::<u32>(),
    ) {
        let mut t = NameTable::new(OWN, false);
        let rcv = RcvbufUse { used: n, truesize: n, rcvbuf: n };
        let _ = filter(&bytes, &rcv);
        let _ = recv_step(&bytes, n as usize, n as usize, flags);
        let anc = ancillary(&bytes);
        prop_assert!(anc.iter().count() <= 3);
        let _ = source_addr(&bytes);
        if let Some(r) = returned(&bytes, ErrorCode::NoPort) {
            let mut out = std::vec![0u8; r.len()];
            prop_assert_eq!(r.emit(n, &mut out), Ok(r.len()));
            prop_assert!(Packet::new_checked(&out[..]).is_ok());
        }
        let _ = no_socket(&mut bytes.clone(), &mut t);
        let _ = send_destination(Some(&bytes), None, n as usize);
        let _ = connect_peer(&bytes, false);
    }
}
