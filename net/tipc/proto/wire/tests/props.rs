// SPDX-License-Identifier: GPL-2.0

//! Property tests: for every kind, emitting a representation and parsing the bytes gives the
//! same representation, and emitting that again gives the same bytes.

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::super::bcast_proto::BcastProtoRepr;
use super::super::bundle::{BundleRepr, Bundler};
use super::super::common::{BcastWord, Common, Ports};
use super::super::conn_mgr::{ConnMgrRepr, ConnMsgType};
use super::super::consts::{Caps, DataType, ErrorCode, Importance, LookupScope, MAX_MSG_SIZE};
use super::super::crypto::KeyDistrRepr;
use super::super::data::DataRepr;
use super::super::discovery::{DiscoveryRepr, DiscoveryType};
use super::super::ehdr::{EhdrRepr, Sender, TAG_SIZE};
use super::super::fragment::{FragType, FragmentRepr};
use super::super::gap_ack::{self, GapAck, GapAckBlocks};
use super::super::group_proto::{GroupMsgType, GroupProtoRepr};
use super::super::header::Flags;
use super::super::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};
use super::super::message::{Frame, Message};
use super::super::monitor::{self, DomainRecord};
use super::super::name_distr::{emit_items, NameDistrRepr, NameItem, NameItems, NameMsgType};
use super::super::topsrv::{ByteOrder, Event, Subscription};
use super::super::topsrv_msg::TopSrvRepr;
use super::super::tunnel::{TunnelMsgType, TunnelRepr};

/// Emits `m`, parses it back, and checks both directions.
fn check(m: &Message<'_>, caps: Caps) {
    let mut out = vec![0u8; MAX_MSG_SIZE + 64];
    let n = m.emit(&mut out).unwrap();
    let back = Message::parse(&out[..n], caps).unwrap();
    assert_eq!(&back, m);
    let mut again = vec![0u8; n];
    assert_eq!(back.emit(&mut again), Ok(n));
    assert_eq!(&again[..], &out[..n]);
}

/// Any word 0 flags.
fn flags() -> impl Strategy<Value = Flags> {
    any::<[bool; 4]>().prop_map(|f| Flags {
        non_seq: f[0],
        dest_droppable: f[1],
        src_droppable: f[2],
        syn: f[3],
    })
}

/// Any link-level fields.
fn common() -> impl Strategy<Value = Common> {
    (
        flags(),
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
    )
        .prop_map(|(flags, bcast_ack, ack, seqno, prevnode)| Common {
            flags,
            bcast_ack,
            ack,
            seqno,
            prevnode,
        })
}

/// Any sockets and nodes.
fn ports() -> impl Strategy<Value = Ports> {
    any::<[u32; 4]>().prop_map(|w| Ports {
        origport: w[0],
        destport: w[1],
        orignode: w[2],
        destnode: w[3],
    })
}

/// Word 5 consistent with `non_seq`.
fn word5(c: &Common, bit: bool, id: u32) -> BcastWord {
    if c.flags.non_seq {
        BcastWord::NetId(id)
    } else {
        BcastWord::Unicast {
            bc_ack_invalid: bit,
        }
    }
}

/// Any defined error code.
fn errcode() -> impl Strategy<Value = ErrorCode> {
    (0u32..6).prop_map(|v| ErrorCode::from_bits(v).unwrap())
}

/// An importance up to `max`.
fn importance(max: u32) -> impl Strategy<Value = Importance> {
    (0u32..=max).prop_map(|v| Importance::from_bits(v).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn data(
        imp in importance(3), ty in 0u32..8, c in common(), err in errcode(), rr in 0u8..16,
        scope in 0u32..4, extra in 0usize..5, w in any::<[u32; 7]>(),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let msg_type = DataType::from_bits(ty);
        let hsz = (msg_type.min_header() + 4 * extra).min(60);
        let w_if = |n: usize, v: u32| if hsz > n * 4 { v } else { 0 };
        let r = DataRepr {
            importance: imp, msg_type, common: c, errcode: err, reroute_cnt: rr,
            lookup_scope: LookupScope::from_bits(scope), header_len: hsz,
            origport: w[0], destport: w[1], orignode: w_if(6, w[2]), destnode: w_if(7, w[3]),
            name_type: w_if(8, w[4]), name_lower: w_if(9, w[5]), name_upper: w_if(10, w[6]),
        };
        check(&Message::Data(r, &payload), Caps::ALL);
    }

    #[test]
    fn link_protocol(
        ty in 0u32..3, mut c in common(), gap in 0u16..0x2000, ds in proptest::option::of(any::<u16>()),
        w4 in any::<(u16, u16, u16)>(), bits in any::<[bool; 4]>(), small in any::<(u8, u8, u8, u16)>(),
        nodes in any::<(u32, u32)>(), mtu in 0u32..0x1_0000, tol in any::<u16>(),
        bc in proptest::collection::vec(any::<(u16, u16)>(), 0..5),
        uc in proptest::collection::vec(any::<(u16, u16)>(), 0..5),
        members in proptest::option::of(proptest::collection::vec(any::<u32>(), 0..65)),
        dom in any::<(u16, u16, u64)>(), name in any::<[u8; 16]>(), with_gaps in any::<bool>(),
    ) {
        let msg_type = LinkMsgType::from_bits(ty).unwrap();
        let mut seq_gap = gap;
        let mut dest_session = None;
        if msg_type == LinkMsgType::Activate {
            seq_gap &= !1;
            if let Some(s) = ds {
                dest_session = Some(s);
                c.bcast_ack = 0;
            }
        }
        let caps = if with_gaps { Caps::ALL } else { Caps(0) };
        let mut gbuf = vec![0u8; 64];
        let to_blocks = |v: &[(u16, u16)]| v.iter().map(|&(ack, gap)| GapAck { ack, gap }).collect::<Vec<_>>();
        let glen = gap_ack::emit(&mut gbuf, &to_blocks(&bc), &to_blocks(&uc)).unwrap();
        let mut dbuf = vec![0u8; 300];
        let dlen = match &members {
            Some(m) => monitor::emit(&mut dbuf, dom.0, dom.1, dom.2, m).unwrap(),
            None => 0,
        };
        let payload = match msg_type {
            LinkMsgType::State => LinkPayload::State {
                gap_acks: if with_gaps { Some(GapAckBlocks::parse(&gbuf[..glen]).unwrap()) } else { None },
                domain: if dlen > 0 { Some(DomainRecord::parse(&dbuf[..dlen]).unwrap()) } else { None },
            },
            _ => LinkPayload::IfName(name),
        };
        let r = LinkProtoRepr {
            msg_type, common: c, seq_gap, dest_session, last_bcast: w4.0, next_sent: w4.1,
            session: w4.2, bc_ack_invalid: bits[0], peer_stopping: bits[1], redundant_link: bits[2],
            bearer_id: small.0 & 7, priority: small.1 & 0x1f, net_plane: small.2 & 7, probe: bits[3],
            orignode: nodes.0, destnode: nodes.1, bc_gap: small.3 & 0x3ff, max_pkt: mtu * 4,
            tolerance: tol, payload,
        };
        check(&Message::LinkProtocol(r), caps);
    }

    #[test]
    fn discovery(
        ty in 0u32..4, f in flags(), sig in any::<u16>(), caps in 0u16..0x2000, w in any::<[u32; 5]>(),
        media_type in 1u8..4, addr in any::<[u8; 28]>(), id in proptest::option::of(any::<[u8; 16]>()),
    ) {
        let mut media = [0u8; 32];
        media[3] = media_type;
        media[4..].copy_from_slice(&addr);
        if media_type == 1 {
            media[4] &= 0xfe;
        }
        let capabilities = Caps(caps);
        let node_id = if capabilities.has(Caps::NODE_ID128) { Some(id.unwrap_or([1; 16])) } else { id };
        let r = DiscoveryRepr {
            msg_type: DiscoveryType::from_bits(ty).unwrap(), flags: f,
            node_sig: (sig & 0x7fff) | ((caps & 1) << 15), capabilities, dest_domain: w[0],
            prevnode: w[1], net_id: w[2], media, peer_net_hash: w[3], sugg_addr: w[4], node_id,
        };
        check(&Message::Discovery(r), Caps::ALL);
    }

    #[test]
    fn small_internal_users(
        c in common(), p in ports(), err in errcode(), t in 0u32..6, w9 in any::<(u16, u16)>(),
        last in any::<u16>(), bit in any::<bool>(), id in any::<u32>(), nodes in any::<(u32, u32)>(),
    ) {
        let cm = ConnMgrRepr {
            msg_type: [ConnMsgType::Probe, ConnMsgType::ProbeReply, ConnMsgType::Ack][t as usize % 3],
            common: c, errcode: err, ports: p, conn_ack: w9.0, adv_win: w9.1,
        };
        check(&Message::ConnManager(cm), Caps::ALL);
        let g = GroupProtoRepr {
            msg_type: GroupMsgType::from_bits(t).unwrap(), common: c, ports: p,
            bc_point: w9.0, adv_win: w9.1,
        };
        check(&Message::GroupProtocol(g), Caps::ALL);
        let b = BcastProtoRepr {
            common: c, last_bcast: last, word5: word5(&c, bit, id), orignode: nodes.0, destnode: nodes.1,
        };
        check(&Message::BcastProtocol(b), Caps::ALL);
    }

    #[test]
    fn name_distribution(
        c in common(), t in 0u32..2, bulk in any::<[bool; 3]>(), seq in any::<u16>(), bit in any::<bool>(),
        id in any::<u32>(), nodes in any::<(u32, u32)>(),
        items in proptest::collection::vec(any::<[u32; 5]>(), 0..20),
    ) {
        let items: Vec<NameItem> = items.iter().map(|w| NameItem {
            service: w[0], lower: w[1].min(w[2]), upper: w[1].max(w[2]), port: w[3], key: w[4],
        }).collect();
        let mut ib = vec![0u8; items.len() * 20];
        emit_items(&mut ib, &items).unwrap();
        let r = NameDistrRepr {
            msg_type: if t == 0 { NameMsgType::Publication } else { NameMsgType::Withdrawal },
            common: c, bulk: bulk[0], last_bulk: bulk[1], non_legacy: bulk[2], named_seqno: seq,
            word5: word5(&c, bit, id), orignode: nodes.0, destnode: nodes.1,
            items: NameItems::parse(&ib).unwrap(),
        };
        check(&Message::NameDistributor(r), Caps::ALL);
    }

    #[test]
    fn fragments_and_tunnels(
        c in common(), t in 0u32..3, no in 2u16..1000, nof in proptest::option::of(any::<u16>()),
        bit in any::<bool>(), id in any::<u32>(), nodes in any::<(u32, u32)>(), imp in importance(4),
        payload in proptest::collection::vec(any::<u8>(), 1..200), bearer in 0u8..8, cnt in any::<u16>(),
    ) {
        let msg_type = [FragType::First, FragType::Middle, FragType::Last][t as usize];
        let fragm_no = if msg_type == FragType::First { 1 } else { no };
        let nof_fragms = nof.map_or(0, |n| n.max(fragm_no));
        let f = FragmentRepr {
            msg_type, common: c, fragm_no, nof_fragms, word5: word5(&c, bit, id),
            orignode: nodes.0, destnode: nodes.1, importance: imp,
        };
        check(&Message::Fragment(f, &payload), Caps::ALL);
        let (fragm_no, nof_fragms, inner): (u16, u16, &[u8]) = match nof {
            Some(n) => (fragm_no, nof_fragms.max(n), &payload),
            None => (0, 0, &[]),
        };
        let tr = TunnelRepr {
            msg_type: if bit { TunnelMsgType::Failover } else { TunnelMsgType::Synch },
            common: c, fragm_no, nof_fragms, bearer_id: bearer, orignode: nodes.0,
            destnode: nodes.1, msgcnt: cnt,
        };
        check(&Message::Tunnel(tr, inner), Caps::ALL);
    }

    #[test]
    fn bundles(
        c in common(), bit in any::<bool>(), id in any::<u32>(), nodes in any::<(u32, u32)>(),
        imp in importance(4), sizes in proptest::collection::vec(0usize..300, 1..20),
    ) {
        let mut buf = vec![0u8; 1500];
        let repr = BundleRepr {
            common: c, word5: word5(&c, bit, id), orignode: nodes.0, destnode: nodes.1,
            msgcnt: 0, importance: imp,
        };
        let mut b = Bundler::new(&mut buf, 1500, repr).unwrap();
        for s in sizes {
            let mut m = vec![s as u8; 24 + s];
            let w0 = 0x4000_0000u32 | (6 << 21) | (24 + s) as u32;
            m[..4].copy_from_slice(&w0.to_be_bytes());
            if b.push(&m).is_err() {
                break;
            }
        }
        let cnt = b.count();
        let n = b.finish().unwrap();
        let m = Message::parse(&buf[..n], Caps::ALL).unwrap();
        let Message::Bundle(r, _) = m else { panic!("not a bundle") };
        prop_assert_eq!(r, BundleRepr { msgcnt: cnt, ..repr });
        check(&m, Caps::ALL);
    }

    #[test]
    fn key_exchange(
        c in common(), g in any::<u16>(), mode in 0u8..16, bit in any::<bool>(), id in any::<u32>(),
        nodes in any::<(u32, u32)>(), name in any::<[u8; 31]>(), klen in 0usize..3, key in any::<[u8; 36]>(),
    ) {
        let mut alg_name = [0u8; 32];
        alg_name[..31].copy_from_slice(&name);
        let k = &key[..[20, 28, 36][klen]];
        let r = KeyDistrRepr {
            common: c, key_gen: g, key_mode: mode, word5: word5(&c, bit, id),
            orignode: nodes.0, destnode: nodes.1, alg_name, key: k,
        };
        check(&Message::KeyDistr(r), Caps::ALL);
    }

    #[test]
    fn topology_server(
        c in common(), p in ports(), w in any::<[u32; 8]>(), fi in 0usize..5, big in any::<bool>(),
        handle in any::<[u8; 8]>(), ev in 1u32..4,
    ) {
        let order = if big { ByteOrder::Big } else { ByteOrder::Little };
        let sub = Subscription {
            service: w[0], lower: w[1].min(w[2]), upper: w[1].max(w[2]), timeout: w[3],
            filter: [1, 2, 4, 5, 6][fi], handle, order,
        };
        let mut sb = [0u8; 28];
        sub.emit(&mut sb).unwrap();
        prop_assert_eq!(Subscription::parse(&sb), Ok(sub));
        let event = Event {
            event: ev, found_lower: w[4], found_upper: w[5], port_ref: w[6], port_node: w[7], sub,
        };
        let mut eb = [0u8; 48];
        event.emit(&mut eb).unwrap();
        prop_assert_eq!(Event::parse(&eb), Ok(event));
        check(&Message::TopSrv(TopSrvRepr { common: c, ports: p, event }), Caps::ALL);
    }
}

/// Any sender of an encrypted frame.
fn sender() -> impl Strategy<Value = Sender> {
    (0usize..3, any::<u32>(), any::<bool>(), any::<[u8; 16]>()).prop_map(|(k, a, ka, id)| match k {
        0 => Sender::Addr(a),
        1 => Sender::LinkState {
            addr: a,
            keepalive: ka,
        },
        _ => Sender::Identity(id),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn encryption_header(
        sender in sender(), flags in any::<[bool; 3]>(), keys in (0u8..4, 0u8..4),
        seqno in 1u64.., ct in proptest::collection::vec(any::<u8>(), 24..2000),
        tag in any::<[u8; TAG_SIZE]>(),
    ) {
        let r = EhdrRepr {
            sender, destined: flags[0], tx_key: keys.0, rx_key_active: keys.1,
            master_key: flags[1], rx_nokey: flags[2], seqno, ciphertext: &ct, tag: &tag,
        };
        let mut out = vec![0u8; r.frame_len()];
        prop_assert_eq!(r.emit(&mut out), Ok(out.len()));
        let back = EhdrRepr::parse(&out).unwrap();
        prop_assert_eq!(back, r);
        let mut again = vec![0u8; out.len()];
        prop_assert_eq!(back.emit(&mut again), Ok(out.len()));
        prop_assert_eq!(&again, &out);
        let f = Frame::parse(&out, Caps::ALL).unwrap();
        prop_assert_eq!(f, Frame::Encrypted(r));
        prop_assert_eq!(f.emit(&mut again), Ok(out.len()));
    }
}
