// SPDX-License-Identifier: GPL-2.0

//! Peers that lie: random, duplicate, out-of-order and strangers' protocol messages, data
//! messages and topology events, mixed with the socket's own sends and reads. Nothing
//! panics, no counter leaves its range, the group's books stay consistent.

use proptest::prelude::*;

use crate::kalloc::GFP_KERNEL;
use crate::proto::name_table::addr::{Scope, SocketAddr};
use crate::proto::seqno::Seqno;
use crate::proto::wire::common::{Common, Ports};
use crate::proto::wire::group_proto::{GroupMsgType, GroupProtoRepr};

use super::super::SendKind;
use super::*;

/// This socket.
const ME: Addr = (1, 100);

/// Who a message claims to come from: three members, a stranger, this socket.
const PEERS: [Addr; 5] = [(1, 200), (2, 300), (2, 301), (3, 999), ME];

/// One thing that happens to the group.
#[derive(Clone, Debug)]
enum Act {
    /// A protocol message.
    Proto(u8, usize, u16, u16),
    /// A data message: kind, sender, number offset from what it expects, ack request, size.
    Data(u8, usize, i16, bool, u16),
    /// A topology event: published, sender, node up.
    Top(bool, usize, bool),
    /// This socket sends: unicast to a peer, or a broadcast; with a size in blocks.
    Send(Option<usize>, u16),
    /// The reader consumes blocks from a peer.
    Read(usize, u16),
    /// The last protocol message again.
    Replay,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (0u8..6, 0..PEERS.len(), any::<u16>(), any::<u16>()).prop_map(|(t, p, b, w)| Act::Proto(t, p, b, w)),
        3 => (0u8..3, 0..PEERS.len(), -3i16..4, any::<bool>(), 1u16..70).prop_map(|(k, p, o, a, b)| Act::Data(k, p, o, a, b)),
        2 => (any::<bool>(), 0..PEERS.len(), any::<bool>()).prop_map(|(p, s, u)| Act::Top(p, s, u)),
        2 => (proptest::option::of(0..PEERS.len()), 1u16..70).prop_map(|(d, b)| Act::Send(d, b)),
        2 => (0..PEERS.len(), 0u16..900).prop_map(|(p, b)| Act::Read(p, b)),
        1 => Just(Act::Replay),
    ]
}

/// A group with members (1, 200) and (2, 300) in service; (2, 301) only published.
fn group(loopback: bool) -> Group<u32> {
    let mut g = Group::new(&join_req(1, Scope::Cluster, loopback, true), ME.0, ME.1);
    let _ = g.joined(GFP_KERNEL);
    for (i, &(node, port)) in PEERS[..3].iter().enumerate() {
        let sk = SocketAddr { node, port };
        let _ = g.member_event(
            &TopEvent {
                kind: EventKind::Published,
                instance: i as u32,
                sk,
            },
            true,
            GFP_KERNEL,
        );
        if i < 2 {
            let _ = g.on_proto(&proto(GroupMsgType::Join, (node, port), 0, 65), GFP_KERNEL);
        }
    }
    g
}

fn proto(ty: GroupMsgType, from: Addr, bc_point: u16, adv_win: u16) -> GroupProtoRepr {
    GroupProtoRepr {
        msg_type: ty,
        common: Common::default(),
        ports: Ports {
            origport: from.1,
            destport: ME.1,
            orignode: from.0,
            destnode: ME.0,
        },
        bc_point,
        adv_win,
    }
}

/// Runs `acts` against a group; checks the books after each.
fn run(acts: &[Act], loopback: bool) -> Group<u32> {
    let mut g = group(loopback);
    let mut last: Option<GroupProtoRepr> = None;
    for (n, a) in acts.iter().enumerate() {
        let fx = match *a {
            Act::Proto(t, p, b, w) => {
                let ty = GroupMsgType::from_bits(t.into()).expect("0..6");
                let m = proto(ty, PEERS[p], b, w);
                last = Some(m);
                g.on_proto(&m, GFP_KERNEL)
            }
            Act::Replay => match last {
                Some(m) => g.on_proto(&m, GFP_KERNEL),
                None => Effects::default(),
            },
            Act::Data(k, p, off, ack_req, blocks) => {
                let (node, port) = PEERS[p];
                let base = g
                    .find(node, port)
                    .map_or(Seqno(0), |i| g.members[i].bc_rcv_nxt);
                let kind = [SendKind::Bcast, SendKind::Mcast, SendKind::Ucast][usize::from(k)];
                let inc = Incoming {
                    kind,
                    orignode: node,
                    origport: port,
                    bc_seqno: Seqno(base.get().wrapping_add(off as u16)),
                    ack_req,
                    instance: u32::from(blocks % 3),
                    blocks,
                };
                g.on_data(n as u32, inc, GFP_KERNEL)
            }
            Act::Top(published, p, up) => {
                let (node, port) = PEERS[p];
                let kind = if published {
                    EventKind::Published
                } else {
                    EventKind::Withdrawn
                };
                let ev = TopEvent {
                    kind,
                    instance: p as u32,
                    sk: SocketAddr { node, port },
                };
                g.member_event(&ev, up, GFP_KERNEL)
            }
            Act::Send(Some(p), blks) => {
                let (node, port) = PEERS[p];
                let o = g.cong(node, port, blks, GFP_KERNEL);
                if o.value == SendCheck::Clear {
                    g.ucast_sent(SocketAddr { node, port }, blks);
                }
                o.effects
            }
            Act::Send(None, blks) => {
                let o = g.bc_cong(blks, GFP_KERNEL);
                if !o.value && g.bc_header(None).is_ok() {
                    g.bc_sent(blks, true);
                }
                o.effects
            }
            Act::Read(p, blks) => g.consumed(PEERS[p].0, PEERS[p].1, blks, GFP_KERNEL),
        };
        for x in fx.xmit.iter() {
            assert_eq!((x.ports.orignode, x.ports.origport), ME);
        }
        check(&g);
        assert!(g.member_count() <= PEERS.len());
    }
    g
}

#[test]
fn duplicate_and_stray_acks() {
    let mut g = group(false);
    let _ = g.bc_header(None);
    g.bc_sent(1, true);
    // The member whose GRP_JOIN has not come yet is a receiver too.
    assert_eq!(g.bc_ackers, 3);
    let nxt = g.bc_snd_nxt();
    for _ in 0..3 {
        let _ = g.on_proto(&proto(GroupMsgType::Ack, PEERS[0], nxt, 0), GFP_KERNEL);
        assert_eq!(g.bc_ackers, 2);
    }
    // A stranger and this socket never count.
    for p in [PEERS[3], ME] {
        let _ = g.on_proto(&proto(GroupMsgType::Ack, p, nxt, 0), GFP_KERNEL);
        assert_eq!(g.bc_ackers, 2);
    }
    let _ = g.on_proto(&proto(GroupMsgType::Ack, PEERS[1], nxt, 0), GFP_KERNEL);
    let fx = g.on_proto(&proto(GroupMsgType::Ack, PEERS[2], nxt, 0), GFP_KERNEL);
    assert!(fx.wakeup && g.is_open());
    assert_eq!(g.bc_ackers, 0);
    let _ = g.on_proto(&proto(GroupMsgType::Ack, PEERS[2], nxt, 0), GFP_KERNEL);
    assert_eq!(g.bc_ackers, 0);
    check(&g);
}

#[test]
fn advertisements_cannot_overflow_a_window() {
    let mut g = group(false);
    for _ in 0..3 {
        let _ = g.on_proto(&proto(GroupMsgType::Adv, PEERS[0], 0, u16::MAX), GFP_KERNEL);
    }
    let i = g.find(PEERS[0].0, PEERS[0].1).unwrap();
    assert_eq!(g.members[i].window, u16::MAX);
    assert!(g.clamped > 0);
    // ADV from a stranger changes nothing.
    let before = g.member_count();
    let _ = g.on_proto(&proto(GroupMsgType::Adv, PEERS[3], 0, 100), GFP_KERNEL);
    assert_eq!(g.member_count(), before);
}

#[test]
fn remit_without_reclaim_and_reads_beyond_the_advertised() {
    let mut g = group(false);
    let _ = g.on_proto(&proto(GroupMsgType::Remit, PEERS[0], 1000, 0), GFP_KERNEL);
    let fx = g.consumed(PEERS[0].0, PEERS[0].1, 5000, GFP_KERNEL);
    let i = g.find(PEERS[0].0, PEERS[0].1).unwrap();
    assert!(g.members[i].advertised <= super::super::ADV_ACTIVE);
    assert!(!fx.xmit.is_empty());
    check(&g);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever peers send, in whatever order and however often.
    #[test]
    fn hostile_peers(acts in proptest::collection::vec(act(), 1..120), loopback in any::<bool>()) {
        run(&acts, loopback);
    }
}
