// SPDX-License-Identifier: GPL-2.0

//! Identities, the own node's address rules and the cluster's configuration calls.

extern crate std;

use super::cluster::Cluster;
use super::event::Event;
use super::identity::NodeId;
use super::own::{NetSet, OwnNode};
use super::state::{NodeEvent, NodeState};
use super::transmit::{Dest, Message};
use crate::kalloc::GFP_KERNEL;
use crate::proto::bearer::media::Media;
use crate::proto::bearer::media_addr::{MediaAddr, UdpAddr};
use crate::proto::bearer::props::PropRequest;
use crate::proto::bearer::rejection::Rejection;
use crate::proto::bearer::table::Attachment;
use crate::proto::errno::Errno;
use crate::proto::wire::discovery::DiscoveryType;

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
fn enabling_makes_the_identity_and_starts_the_trial() {
    let mut c = Cluster::new(5, 5, 5);
    let adm = c.admit_bearer(b"udp:b1", 32).unwrap();
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
    let mut c = Cluster::new(5, 5, 5);
    let adm = c.admit_bearer(b"eth:x", 32).unwrap();
    let att = Attachment {
        addr: MediaAddr::eth([0; 6]),
        dev_mtu: 1500,
    };
    assert_eq!(
        c.enable_bearer(&adm, 0, &att, 0, GFP_KERNEL),
        Err(Rejection {
            errno: Errno::EINVAL,
            extack: Some("Failed to enable media")
        })
    );
}

#[test]
fn configuration_errors() {
    let mut c = Cluster::new(5, 5, 5);
    let req = PropRequest {
        tolerance: Some(2_000),
        ..PropRequest::default()
    };
    c.set_media(b"eth", &req).unwrap();
    assert_eq!(c.media_props(Media::Eth).tolerance, 2_000);
    assert_eq!(
        c.set_media(b"ib", &req),
        Err(Rejection::invalid("Media not found"))
    );
    assert_eq!(
        c.set_bearer(b"eth:x", &req, 0, GFP_KERNEL),
        Err(Rejection::invalid("Bearer not found"))
    );
    let set = NetSet {
        addr: Some(0x0100_1001),
        ..NetSet::default()
    };
    c.net_set(&set, 0, GFP_KERNEL).unwrap();
    assert_eq!(c.poll_event(), Some(Event::AddressSet(0x0100_1001)));
}
