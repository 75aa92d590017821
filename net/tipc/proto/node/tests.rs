// SPDX-License-Identifier: GPL-2.0

//! Identities, the own node's address rules and the cluster's configuration calls.

extern crate std;

use std::vec::Vec;

use super::cluster::Cluster;
use super::event::Event;
use super::identity::NodeId;
use super::own::{NetSet, OwnNode};
use super::state::{NodeEvent, NodeState};
use super::transmit::{Dest, Message};
use crate::kalloc::GFP_KERNEL;
use crate::proto::bearer::media::MediaProps;
use crate::proto::bearer::media_addr::{MediaAddr, UdpAddr};
use crate::proto::bearer::props::PropRequest;
use crate::proto::bearer::rejection::Rejection;
use crate::proto::bearer::table::Attachment;
use crate::proto::errno::Errno;
use crate::proto::wire::bcast_proto::BcastProtoRepr;
use crate::proto::wire::common::BcastWord;
use crate::proto::wire::consts::User;
use crate::proto::wire::discovery::DiscoveryType;
use crate::proto::wire::header::Packet;

#[test]
fn identities_print_as_in_c() {
    let mac = NodeId::from_bytes(&[0x52, 0x54, 0, 0, 0, 1]).unwrap();
    assert_eq!(mac.to_str().as_bytes(), b"525400000001");
    assert_eq!(mac.hash(), 0x5255_0000);
    let name = NodeId::from_bytes(b"node-1").unwrap();
    assert_eq!(name.to_str().as_bytes(), b"node-1");
    assert_eq!(
        NodeId::from_addr(0x1001_0203).to_str().as_bytes(),
        b"10010203"
    );
    // 32 hex digits are too long for a link name: the address stands in.
    let long = NodeId([0xab; 16]);
    assert_eq!(long.to_str().as_bytes().len(), 32);
    assert_eq!(long.link_name_part(0x1234).as_bytes(), b"1234");
    assert_eq!(NodeId::from_bytes(&[0; 6]), None);
    assert_eq!(NodeId::from_bytes(&[0, b'a']), None);
    // XOR of the words, or their OR when that is 0.
    let mut same = [0u8; 16];
    same[0] = 1;
    same[4] = 1;
    assert_eq!(NodeId(same).hash(), 0x0100_0000);
}

#[test]
fn net_set_rules() {
    let mut o = OwnNode::new(1, 1);
    let bad_id = NetSet {
        net_id: Some(10_000),
        ..NetSet::default()
    };
    assert_eq!(o.net_set(&bad_id, 0), Err(Errno::EINVAL));
    let zero = NetSet {
        addr: Some(0),
        ..NetSet::default()
    };
    assert_eq!(o.net_set(&zero, 0), Err(Errno::EINVAL));
    let half = NetSet {
        node_id: Some(None),
        ..NetSet::default()
    };
    assert_eq!(o.net_set(&half, 0), Err(Errno::EINVAL));
    let set = NetSet {
        net_id: Some(1234),
        addr: Some(0x0100_1001),
        node_id: None,
    };
    assert_eq!(o.net_set(&set, 0), Ok(Some(0x0100_1001)));
    assert_eq!(o.id().unwrap().to_str().as_bytes(), b"1001001");
    assert_eq!(o.net_id(), 1234);
    assert!(o.in_scope(0x0100_1000, 0x0100_1001));
    assert_eq!(o.net_set(&set, 0), Err(Errno::EPERM));
}

#[test]
fn node_states() {
    let s = NodeState::SelfDownPeerLeaving;
    assert_eq!(s.on(NodeEvent::SelfEstablContact), s);
    let s = s.on(NodeEvent::PeerLostContact);
    assert_eq!(s, NodeState::SelfDownPeerDown);
    let s = s.on(NodeEvent::SelfEstablContact);
    assert_eq!(s, NodeState::SelfUpPeerComing);
    let s = s.on(NodeEvent::PeerEstablContact);
    assert_eq!(s, NodeState::SelfUpPeerUp);
    assert_eq!(
        s.on(NodeEvent::PeerLostContact)
            .on(NodeEvent::SelfLostContact),
        NodeState::SelfDownPeerDown
    );
}

#[test]
fn a_udp_address_gives_the_identity_before_the_bearer_exists() {
    let mut c = Cluster::<Vec<u8>>::new(5, 5, 5);
    let ip = MediaAddr::udp(UdpAddr::v4([10, 0, 0, 9], 6118));
    c.adopt_identity(&ip).unwrap();
    assert_eq!(c.own().id().unwrap().0[..4], [10, 0, 0, 9]);
    assert!(c.bearers().iter().next().is_none());
    // A node that has one keeps it.
    c.adopt_identity(&MediaAddr::udp(UdpAddr::v4([10, 0, 0, 8], 1)))
        .unwrap();
    assert_eq!(c.own().id().unwrap().0[..4], [10, 0, 0, 9]);
    // The unspecified address makes none: "Failed to enable media".
    let mut c = Cluster::<Vec<u8>>::new(5, 5, 5);
    let r = c.adopt_identity(&MediaAddr::udp(UdpAddr::v4([0; 4], 6118)));
    assert_eq!(r.unwrap_err().errno, Errno::EINVAL);
}

#[test]
fn enabling_makes_the_identity_and_starts_the_trial() {
    let mut c = Cluster::<Vec<u8>>::new(5, 5, 5);
    let adm = c
        .admit_bearer(b"udp:b1", 32, MediaProps::default_for)
        .unwrap();
    let att = Attachment {
        addr: MediaAddr::udp(UdpAddr::v4([10, 0, 0, 7], 6118)),
        dev_mtu: 0,
    };
    let id = c.enable_bearer(&adm, 0, &att, 100, GFP_KERNEL).unwrap();
    assert_eq!(c.own().id().unwrap().0[..4], [10, 0, 0, 7]);
    assert_eq!(c.own().trial_addr(), 0x0a00_0007);
    assert!(c.own().in_trial(1_099) && !c.own().in_trial(1_100));
    let b = c.bearers().get(id).unwrap();
    assert_eq!(
        (b.props.mtu, b.min_mtu(), b.props.tolerance),
        (14_000, 128, 1500)
    );
    let t = c.poll_transmit().unwrap();
    assert_eq!(t.dest, Dest::Broadcast);
    let Message::Discovery(d) = t.msg else {
        panic!()
    };
    assert_eq!(d.msg_type, DiscoveryType::Trial);
    // A node with no identity and an all-zero address cannot enable a bearer.
    let mut c = Cluster::<Vec<u8>>::new(5, 5, 5);
    let adm = c
        .admit_bearer(b"eth:x", 32, MediaProps::default_for)
        .unwrap();
    let att = Attachment {
        addr: MediaAddr::eth([0; 6]),
        dev_mtu: 1500,
    };
    assert_eq!(
        c.enable_bearer(&adm, 0, &att, 0, GFP_KERNEL),
        Err(Rejection {
            errno: Errno::EINVAL,
            extack: Some(c"Failed to enable media")
        })
    );
}

#[test]
fn configuration_errors() {
    let mut c = Cluster::<Vec<u8>>::new(5, 5, 5);
    let req = PropRequest {
        tolerance: Some(2_000),
        ..PropRequest::default()
    };
    assert_eq!(
        c.set_bearer(b"eth:x", &req, 0, GFP_KERNEL),
        Err(Rejection::invalid(c"Bearer not found"))
    );
    let set = NetSet {
        addr: Some(0x0100_1001),
        ..NetSet::default()
    };
    c.net_set(&set, 0, GFP_KERNEL).unwrap();
    assert_eq!(c.poll_event(), Some(Event::AddressSet(0x0100_1001)));
}

fn hex(s: &str) -> std::vec::Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Frames the C module's node 0x52550000 sent in tools/testing/wire/c-two-nodes.pcap:
/// its request (9), `RESET` (49), first `STATE` (51), a name table bulk (53) and a later
/// `STATE` (57), fed to a tipc-rs node in the place of its peer 0x52560000.
#[test]
fn a_c_node_is_met_with_its_own_frames() {
    use crate::proto::link::state::LinkState;
    use crate::proto::wire::link_proto::LinkMsgType;
    let req = hex("5bf0004c07fff7c60000000052550000000012670000000152540000000100000000000000000000000000000000000000000000dd0777c60000000052540000000100000000000000000000");
    let reset = hex("4f40003820000000000080005255000000000001040240005255000052560000000000000177000065746830000000000000000000000000");
    let state = hex(
        "4f40002c00000000000000015255000000000001040240005255000052560000000000000000000000040000",
    );
    let bulk = hex("5740003c1c00000000000002525500000000000300004000525500005256000000000000000000000000000052550000525500000000000052550000");
    let state2 = hex(
        "4f40002c00000000000200025255000000000003040210005255000052560000000000000000000000040000",
    );
    let mut c = Cluster::<Vec<u8>>::new(0x1234_5678, 0x1234_5678, 1);
    let adm = c
        .admit_bearer(b"eth:eth0", 32, MediaProps::default_for)
        .unwrap();
    let att = Attachment {
        addr: MediaAddr::eth([0x52, 0x54, 0, 0, 0, 2]),
        dev_mtu: 1500,
    };
    let b = c.enable_bearer(&adm, 0, &att, 0, GFP_KERNEL).unwrap();
    while c.poll_transmit().is_some() {}
    c.handle_timeout(1_000, GFP_KERNEL);
    assert_eq!(c.poll_event(), Some(Event::AddressSet(0x5256_0000)));
    c.handle_packet(b, req.clone(), 1_100, GFP_KERNEL);
    let resp = c.poll_transmit().unwrap();
    let Message::Discovery(d) = resp.msg else {
        panic!()
    };
    assert_eq!(
        (d.msg_type, d.dest_domain),
        (DiscoveryType::Response, 0x5255_0000)
    );
    assert_eq!(
        resp.dest,
        Dest::Peer(MediaAddr::eth([0x52, 0x54, 0, 0, 0, 1]))
    );
    c.handle_packet(b, reset.clone(), 1_200, GFP_KERNEL);
    let peer = c.peer(0x5255_0000).unwrap();
    let link = peer.link(b).unwrap();
    assert_eq!(link.state(), LinkState::Establishing);
    assert_eq!(
        link.name().as_bytes(),
        b"525400000002:eth0-525400000001:eth0"
    );
    c.handle_timeout(peer.deadline(), GFP_KERNEL);
    let link_msg = |c: &mut Cluster<Vec<u8>>| loop {
        if let Message::Link(m) = c.poll_transmit().unwrap().msg {
            break m;
        }
    };
    let act = link_msg(&mut c);
    assert_eq!(
        (act.msg_type, act.dest_session),
        (LinkMsgType::Activate, Some(0x0402))
    );
    c.handle_packet(b, state.clone(), 1_600, GFP_KERNEL);
    assert!(matches!(
        c.poll_event(),
        Some(Event::NodeUp {
            peer: 0x5255_0000,
            ..
        })
    ));
    assert!(matches!(
        c.poll_event(),
        Some(Event::LinkUp { link_id: 0, .. })
    ));
    let st = link_msg(&mut c);
    assert_eq!((st.msg_type, st.common.seqno), (LinkMsgType::State, 1));
    // Then this node's broadcast synchronisation, first in the link's sequence, as the C
    // node's own is (the packet its capture lacks, below): this node's broadcasts start at
    // 1, and its acknowledgement of the peer's is not valid yet.
    let Message::Data(init) = c.poll_transmit().unwrap().msg else {
        panic!("no broadcast synchronisation")
    };
    let p = Packet::new_checked(&init[..]).unwrap();
    assert_eq!(
        (p.user(), p.seqno(), p.total_len()),
        (Some(User::BcastProtocol), 1, 40)
    );
    let r = BcastProtoRepr::parse(&p).unwrap();
    assert_eq!(
        (r.last_bcast, r.word5, r.destnode),
        (
            0,
            BcastWord::Unicast {
                bc_ack_invalid: true
            },
            0x5255_0000
        )
    );
    // The capture lacks the packet before the bulk (sequence number 1): the bulk is ahead
    // and deferred; with fewer than three packets deferred no NACK goes yet, as in C.
    c.handle_packet(b, bulk.clone(), 1_610, GFP_KERNEL);
    assert_eq!(
        c.peer(0x5255_0000).unwrap().state(),
        NodeState::SelfUpPeerUp
    );
    assert!(c.poll_transmit().is_none());
    let link = c.peer(0x5255_0000).unwrap().link(b).unwrap();
    assert_eq!(link.queue_lens(), (1, 0, 1));
    assert_eq!(link.stats().deferred_recv, 1);
    // The peer's STATE acknowledges its own traffic with the other C node (2), beyond what
    // this end sent: counted as bogus and ignored.
    c.handle_packet(b, state2.clone(), 1_700, GFP_KERNEL);
    let link = c.peer(0x5255_0000).unwrap().link(b).unwrap();
    assert_eq!(link.bogus_acks(), 1);
    let d = c.drops();
    assert_eq!((d.out_of_order, d.refused, d.total()), (1, 0, 0));
    // The next probe names the gap before the deferred packet.
    let peer = c.peer(0x5255_0000).unwrap();
    c.handle_timeout(peer.deadline(), GFP_KERNEL);
    let nack = link_msg(&mut c);
    assert_eq!(
        (nack.msg_type, nack.common.ack, nack.seq_gap, nack.probe),
        (LinkMsgType::State, 0, 1, true)
    );
    assert_eq!(
        nack.gap_acks(),
        &[crate::proto::wire::gap_ack::GapAck { ack: 2, gap: 0 }]
    );
    assert!(c.peer(0x5255_0000).unwrap().is_up());
}
