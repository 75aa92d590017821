// SPDX-License-Identifier: GPL-2.0

//! One message of every kind our emitter makes, for byte-level checks and the tshark pcap.

use std::vec;
use std::vec::Vec;

use super::super::bcast_proto::BcastProtoRepr;
use super::super::bundle::{BundleRepr, Bundler};
use super::super::common::{BcastWord, Common, Ports};
use super::super::conn_mgr::{ConnMgrRepr, ConnMsgType};
use super::super::consts::{Caps, DataType, ErrorCode, Importance, LookupScope};
use super::super::crypto::KeyDistrRepr;
use super::super::data::DataRepr;
use super::super::discovery::{DiscoveryRepr, DiscoveryType, MEDIA_TYPE_ETH};
use super::super::ehdr::{EhdrRepr, Sender};
use super::super::fragment::{FragType, FragmentRepr, Fragmenter};
use super::super::gap_ack::{self, GapAck};
use super::super::group_proto::{GroupMsgType, GroupProtoRepr};
use super::super::header::Flags;
use super::super::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};
use super::super::monitor;
use super::super::name_distr::{emit_items, NameDistrRepr, NameItem, NameItems, NameMsgType};
use super::super::tunnel::{TunnelMsgType, TunnelRepr};

/// Node 1's and node 2's addresses.
const N1: u32 = 0x5255_0000;
const N2: u32 = 0x5256_0000;

/// Link-level fields of packet `seqno` from node 1.
fn common(seqno: u16) -> Common {
    Common {
        flags: Flags::default(),
        bcast_ack: 0,
        ack: seqno.wrapping_sub(1),
        seqno,
        prevnode: N1,
    }
}

/// A data message of node 1's.
fn data(msg_type: DataType, hsize: usize, payload: &[u8]) -> Vec<u8> {
    let r = DataRepr {
        importance: Importance::Low,
        msg_type,
        common: common(10),
        errcode: ErrorCode::Ok,
        reroute_cnt: 0,
        lookup_scope: LookupScope::CLUSTER,
        header_len: hsize,
        origport: 0x1000,
        destport: if msg_type == DataType::Named {
            0
        } else {
            0x2000
        },
        orignode: N1,
        destnode: N2,
        name_type: 1000,
        name_lower: 5,
        name_upper: 9,
    };
    let mut b = vec![0u8; hsize + payload.len()];
    r.emit(&mut b, payload).unwrap();
    b
}

/// A link protocol message of node 1's.
fn link(msg_type: LinkMsgType, gap: &[u8], dom: &[u8]) -> Vec<u8> {
    let mut name = [0u8; 16];
    name[..4].copy_from_slice(b"eth0");
    let payload = match msg_type {
        LinkMsgType::State => LinkPayload::State {
            gap_acks: Some(super::super::gap_ack::GapAckBlocks::parse(gap).unwrap()),
            domain: Some(super::super::monitor::DomainRecord::parse(dom).unwrap()),
        },
        _ => LinkPayload::IfName(name),
    };
    let r = LinkProtoRepr {
        msg_type,
        common: common(0x7fff),
        seq_gap: 0,
        dest_session: None,
        last_bcast: 0,
        next_sent: 1,
        session: 0x1234,
        bc_ack_invalid: false,
        peer_stopping: false,
        redundant_link: false,
        bearer_id: 0,
        priority: 10,
        net_plane: 0,
        probe: msg_type == LinkMsgType::State,
        orignode: N1,
        destnode: N2,
        bc_gap: 0,
        max_pkt: if msg_type == LinkMsgType::State {
            0
        } else {
            1500
        },
        tolerance: 1500,
        payload,
    };
    let mut b = vec![0u8; 200];
    let n = r.emit(&mut b).unwrap();
    b.truncate(n);
    b
}

/// Every kind, in a fixed order; each a whole message.
pub(super) fn all() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Discovery request and response.
    let mut media = [0u8; 32];
    media[3] = MEDIA_TYPE_ETH;
    media[4..10].copy_from_slice(&[0x52, 0x54, 0, 0, 0, 1]);
    for msg_type in [DiscoveryType::Request, DiscoveryType::Response] {
        let r = DiscoveryRepr {
            msg_type,
            flags: Flags {
                non_seq: true,
                ..Flags::default()
            },
            node_sig: 0x8123,
            capabilities: Caps::ALL,
            dest_domain: 0,
            prevnode: N1,
            net_id: 4711,
            media,
            peer_net_hash: 0x1234_5678,
            sugg_addr: 0,
            node_id: Some(*b"0123456789abcdef"),
        };
        let mut b = vec![0u8; 76];
        r.emit(&mut b).unwrap();
        out.push(b);
    }
    // Link protocol: RESET, ACTIVATE, STATE with Gap ACK blocks and a domain record.
    let mut gap = [0u8; 8];
    gap_ack::emit(&mut gap, &[GapAck { ack: 3, gap: 0 }], &[]).unwrap();
    let mut dom = [0u8; 20];
    monitor::emit(&mut dom, 1, 1, 1, &[N2]).unwrap();
    for t in [
        LinkMsgType::Reset,
        LinkMsgType::Activate,
        LinkMsgType::State,
    ] {
        out.push(link(t, &gap, &dom));
    }
    // Data of each addressing kind.
    out.push(data(DataType::Conn, 24, b"connected"));
    out.push(data(DataType::Direct, 32, b"direct"));
    out.push(data(DataType::Named, 40, b"named"));
    out.push(data(DataType::Mcast, 44, b"multicast"));
    // Broadcast protocol.
    let mut b = vec![0u8; 40];
    BcastProtoRepr {
        common: common(11),
        last_bcast: 0,
        word5: BcastWord::Unicast {
            bc_ack_invalid: true,
        },
        orignode: N1,
        destnode: N2,
    }
    .emit(&mut b)
    .unwrap();
    out.push(b);
    // Connection manager and group protocol.
    let ports = Ports {
        origport: 0x1000,
        destport: 0x2000,
        orignode: N1,
        destnode: N2,
    };
    for t in [
        ConnMsgType::Probe,
        ConnMsgType::ProbeReply,
        ConnMsgType::Ack,
    ] {
        let mut b = vec![0u8; 40];
        ConnMgrRepr {
            msg_type: t,
            common: common(12),
            errcode: ErrorCode::Ok,
            ports,
            conn_ack: 0,
            adv_win: 50,
        }
        .emit(&mut b)
        .unwrap();
        out.push(b);
    }
    let mut b = vec![0u8; 40];
    GroupProtoRepr {
        msg_type: GroupMsgType::Join,
        common: common(13),
        ports,
        bc_point: 1,
        adv_win: 12,
    }
    .emit(&mut b)
    .unwrap();
    out.push(b);
    // Name distribution.
    let mut items = [0u8; 40];
    emit_items(
        &mut items,
        &[
            NameItem {
                service: 1000,
                lower: 0,
                upper: 99,
                port: 0x1000,
                key: 0x1001,
            },
            NameItem {
                service: 1001,
                lower: 7,
                upper: 7,
                port: 0x1002,
                key: 0x1003,
            },
        ],
    )
    .unwrap();
    for t in [NameMsgType::Publication, NameMsgType::Withdrawal] {
        let mut b = vec![0u8; 80];
        NameDistrRepr {
            msg_type: t,
            common: common(14),
            bulk: false,
            last_bulk: false,
            non_legacy: true,
            named_seqno: 1,
            word5: BcastWord::default(),
            orignode: N1,
            destnode: 0,
            items: NameItems::parse(&items).unwrap(),
        }
        .emit(&mut b)
        .unwrap();
        out.push(b);
    }
    // A bundle of two small messages.
    let mut buf = vec![0u8; 1500];
    let mut bundler = Bundler::new(
        &mut buf,
        1500,
        BundleRepr {
            common: common(15),
            word5: BcastWord::default(),
            orignode: N1,
            destnode: N2,
            msgcnt: 0,
            importance: Importance::Low,
        },
    )
    .unwrap();
    bundler.push(&data(DataType::Direct, 32, b"one")).unwrap();
    bundler.push(&data(DataType::Direct, 32, b"two!")).unwrap();
    let n = bundler.finish().unwrap();
    buf.truncate(n);
    out.push(buf);
    // A message of 3000 bytes cut for a 1500-byte MTU.
    let big = data(DataType::Direct, 32, &[0x5a; 2968]);
    let frag = FragmentRepr {
        msg_type: FragType::First,
        common: common(16),
        fragm_no: 1,
        nof_fragms: 0,
        word5: BcastWord::default(),
        orignode: N1,
        destnode: N2,
        importance: Importance::Low,
    };
    for f in Fragmenter::new(&big, 1500, frag).unwrap() {
        let mut b = f.header.to_vec();
        b.extend_from_slice(&big[f.data]);
        out.push(b);
    }
    // Tunnel: FAILOVER carrying a data message, and a dummy SYNCH.
    let inner = data(DataType::Direct, 32, b"tunnelled");
    for (t, payload) in [
        (TunnelMsgType::Failover, &inner[..]),
        (TunnelMsgType::Synch, &[][..]),
    ] {
        let mut b = vec![0u8; 40 + payload.len()];
        TunnelRepr {
            msg_type: t,
            common: common(17),
            fragm_no: 0,
            nof_fragms: 0,
            bearer_id: 0,
            orignode: N1,
            destnode: N2,
            msgcnt: 1,
        }
        .emit(&mut b, payload)
        .unwrap();
        out.push(b);
    }
    // Key exchange.
    let mut alg_name = [0u8; 32];
    alg_name[..8].copy_from_slice(b"gcm(aes)");
    let key = [0x11u8; 36];
    let mut b = vec![0u8; 40 + 36 + 36];
    KeyDistrRepr {
        common: common(18),
        key_gen: 1,
        key_mode: 0,
        word5: BcastWord::default(),
        orignode: N1,
        destnode: N2,
        alg_name,
        key: &key,
    }
    .emit(&mut b)
    .unwrap();
    out.push(b);
    out
}

/// An encrypted frame of each of the three header forms, chosen by `i`: a message, a link
/// `STATE` probe, a discovery message. The ciphertext stands for a 40-byte message.
pub(super) fn encrypted(i: usize) -> Vec<u8> {
    let sender = match i % 3 {
        0 => Sender::Addr(N1),
        1 => Sender::LinkState {
            addr: N1,
            keepalive: true,
        },
        _ => Sender::Identity(*b"0123456789abcdef"),
    };
    let ct = [0x5au8; 40];
    let tag = [0xc3u8; 16];
    let r = EhdrRepr {
        sender,
        destined: true,
        tx_key: 1,
        rx_key_active: 1,
        master_key: true,
        rx_nokey: false,
        seqno: 17,
        ciphertext: &ct,
        tag: &tag,
    };
    let mut b = vec![0u8; r.frame_len()];
    r.emit(&mut b).unwrap();
    b
}
