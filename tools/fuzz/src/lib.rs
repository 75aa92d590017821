// SPDX-License-Identifier: GPL-2.0

//! The protocol core compiled into the fuzzing crate, with one entry point per parser.
//!
//! The host crate `tipc-proto` keeps its core private (`mod proto` in net/tipc/proto/host.rs)
//! and exports nothing, so the fuzz targets compile the wire module's source files here (it
//! depends on nothing else in the core), and reach its `pub(crate)` parsers through these
//! functions. Every entry point takes
//! arbitrary bytes and must not panic; where a parser accepts, emitting and parsing again
//! must give the same representation.

#![forbid(unsafe_code)]

#[path = "../../../net/tipc/proto/wire/mod.rs"]
#[allow(dead_code)]
mod wire;

use wire::bcast_proto::BcastProtoRepr;
use wire::bundle::Unbundler;
use wire::conn_mgr::ConnMgrRepr;
use wire::consts::{Caps, MAX_MSG_SIZE};
use wire::crypto::KeyDistrRepr;
use wire::data::DataRepr;
use wire::discovery::DiscoveryRepr;
use wire::ehdr::{EhdrRepr, EncPacket};
use wire::fragment::FragmentRepr;
use wire::gap_ack::GapAckBlocks;
use wire::group_proto::GroupProtoRepr;
use wire::header::Packet;
use wire::link_proto::LinkProtoRepr;
use wire::message::{Frame, Message};
use wire::monitor::DomainRecord;
use wire::name_distr::NameDistrRepr;
use wire::reassembly::Reassembler;
use wire::sock_wakeup::SockWakeupRepr;
use wire::topsrv::{Event, Subscription};
use wire::topsrv_msg::TopSrvRepr;
use wire::tunnel::TunnelRepr;

/// Both peer capability sets that change how a message parses: with and without Gap ACK
/// blocks in `STATE` messages.
const CAPS: [Caps; 2] = [Caps::ALL, Caps(0)];

/// The header checks and every generic accessor.
pub fn header(data: &[u8]) {
    let p = Packet::new_unchecked(data);
    let _ = (
        p.version(),
        p.user(),
        p.header_len(),
        p.total_len(),
        p.flags(),
    );
    let _ = (
        p.msg_type(),
        p.errcode(),
        p.bcast_ack(),
        p.ack(),
        p.seqno(),
        p.orignode(),
    );
    let _ = (
        p.payload().len(),
        p.message().len(),
        p.header().len(),
        p.name_upper(),
    );
    if let Ok(p) = Packet::new_checked(data) {
        assert!(p.header_len() <= p.total_len() && p.total_len() <= data.len());
    }
}

/// Any message: parse, emit, parse again.
pub fn message(data: &[u8]) {
    for caps in CAPS {
        if let Ok(m) = Message::parse(data, caps) {
            let mut out = vec![0u8; MAX_MSG_SIZE + 64];
            let n = m.emit(&mut out).expect("a parsed message emits");
            assert_eq!(n, Packet::new_unchecked(data).total_len());
            let again = Message::parse(&out[..n], caps).expect("an emitted message parses");
            assert_eq!(again, m);
        }
    }
}

/// Runs `f` on a checked packet of `data`.
fn with_packet(data: &[u8], f: impl FnOnce(&Packet<&[u8]>)) {
    if let Ok(p) = Packet::new_checked(data) {
        f(&p);
    }
}

/// Data messages.
pub fn data(data: &[u8]) {
    with_packet(data, |p| {
        let _ = DataRepr::parse(p);
    });
}

/// Link protocol messages, with and without Gap ACK blocks.
pub fn link_proto(data: &[u8]) {
    with_packet(data, |p| {
        for caps in CAPS {
            if let Ok(r) = LinkProtoRepr::parse(p, caps) {
                let mut out = vec![0u8; 70_000];
                let n = r.emit(&mut out).expect("emits");
                let p2 = Packet::new_checked(&out[..n]).expect("checks");
                assert_eq!(LinkProtoRepr::parse(&p2, caps), Ok(r));
            }
        }
    });
}

/// Discovery messages.
pub fn discovery(data: &[u8]) {
    with_packet(data, |p| {
        let _ = DiscoveryRepr::parse(p);
    });
}

/// Name distribution messages.
pub fn name_distr(data: &[u8]) {
    with_packet(data, |p| {
        if let Ok(r) = NameDistrRepr::parse(p) {
            let _ = r.items.iter().count();
        }
    });
}

/// Key exchange messages.
pub fn key_distr(data: &[u8]) {
    with_packet(data, |p| {
        let _ = KeyDistrRepr::parse(p);
    });
}

/// Gap ACK records.
pub fn gap_ack(data: &[u8]) {
    if let Ok(g) = GapAckBlocks::parse(data) {
        assert!(g.len() <= data.len());
        let _ = (g.bcast().count(), g.unicast().count());
    }
}

/// Monitor domain records.
pub fn domain(data: &[u8]) {
    if let Ok(d) = DomainRecord::parse(data) {
        assert_eq!(d.members().count(), d.member_cnt());
    }
}

/// Bundle contents.
pub fn unbundle(data: &[u8]) {
    for m in Unbundler::new(data) {
        if let Ok(p) = m {
            assert!(p.message().len() <= data.len());
        }
    }
}

/// Fragments fed to a reassembler: the input is cut into packets at length prefixes.
pub fn reassembly(data: &[u8]) {
    let mut buf = vec![0u8; MAX_MSG_SIZE];
    let mut r = Reassembler::new(&mut buf);
    let mut rest = data;
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (pkt, next) = tail.split_at(len);
        if let Ok(p) = Packet::new_checked(pkt) {
            if let Ok(Some(n)) = r.push(&p) {
                Packet::new_checked(r.message(n)).expect("a reassembled message checks");
            }
        }
        rest = next;
    }
}

/// Topology subscriptions.
pub fn subscription(data: &[u8]) {
    if let Ok(s) = Subscription::parse(data) {
        let mut out = [0u8; 28];
        s.emit(&mut out).expect("emits");
        assert_eq!(Subscription::parse(&out), Ok(s));
    }
}

/// Topology events.
pub fn event(data: &[u8]) {
    if let Ok(e) = Event::parse(data) {
        let mut out = [0u8; 48];
        e.emit(&mut out).expect("emits");
        assert_eq!(&out[..], data);
    }
}

/// The small internal users.
pub fn internal(data: &[u8]) {
    with_packet(data, |p| {
        let _ = BcastProtoRepr::parse(p);
        let _ = ConnMgrRepr::parse(p);
        let _ = GroupProtoRepr::parse(p);
        let _ = SockWakeupRepr::parse(p);
        let _ = TopSrvRepr::parse(p);
    });
}

/// Tunnel and fragment headers.
pub fn tunnel_fragment(data: &[u8]) {
    with_packet(data, |p| {
        let _ = TunnelRepr::parse(p);
        let _ = FragmentRepr::parse(p);
    });
}

/// Encrypted frames: the encryption header's accessors on any bytes; where the frame parses,
/// it re-emits byte for byte (it has no field that parsing ignores), and any frame a bearer
/// hands over parses as either kind without panicking.
pub fn ehdr(data: &[u8]) {
    let p = EncPacket::new_unchecked(data);
    let _ = (p.version(), p.user(), p.destined(), p.tx_key(), p.rx_key_active());
    let _ = (p.keepalive(), p.master_key(), p.rx_nokey(), p.seqno(), p.addr());
    let _ = (p.node_id(), p.header_len(), p.ciphertext().len(), p.tag());
    if let Ok(r) = EhdrRepr::parse(data) {
        let mut out = vec![0u8; data.len()];
        assert_eq!(r.emit(&mut out), Ok(data.len()));
        assert_eq!(&out[..], data);
        assert_eq!(EhdrRepr::parse(&out), Ok(r));
    }
    for caps in CAPS {
        if let Ok(Frame::Encrypted(r)) = Frame::parse(data, caps) {
            assert_eq!(r.frame_len(), data.len());
        }
    }
}
