// SPDX-License-Identifier: GPL-2.0

//! Discovery against the C module: its first frame byte for byte
//! (tools/testing/wire/c-two-nodes.pcap, frame 1), the timer's back-off and the receive
//! checks.

extern crate std;

use super::discoverer::{Discoverer, Tick, DISC_SLOW};
use super::message::{discovery_msg, request};
use super::receive::{receive, DiscDrop, Verdict};
use crate::proto::bearer::media::MediaProps;
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::table::{Attachment, Bearer, Bearers};
use crate::proto::node::identity::NodeId;
use crate::proto::node::own::OwnNode;
use crate::proto::wire::discovery::{DiscoveryRepr, DiscoveryType};

/// Frame 1 of the capture: node 52:54:00:00:00:01, random 0xdd0777c6, on trial.
/// Word 1 announces the C module's capabilities, 0x0fff, in bits 15..28.
const C_TRIAL: &str = "5bf0004c47fff7c60000000052550000000012670000000152540000000100000000000000000000000000000000000000000000dd0777c60000000052540000000100000000000000000000";

fn bearer(mac: u8) -> Bearer {
    let adm = Bearers::default()
        .admit(b"eth:eth0", 32, MediaProps::default_for)
        .unwrap();
    let att = Attachment {
        addr: MediaAddr::eth([0x52, 0x54, 0, 0, 0, mac]),
        dev_mtu: 1500,
    };
    Bearers::default().attach(&adm, 0, &att)
}

fn own(mac: u8) -> OwnNode {
    let mut o = OwnNode::new(0xdd07_77c6, 0xdd07_77c6);
    o.set_id(NodeId::from_bytes(&[0x52, 0x54, 0, 0, 0, mac]).unwrap())
        .unwrap();
    o
}

/// `C_TRIAL` with this node's capabilities, 0x0579, in word 1.
const OUR_TRIAL: &str = "5bf0004c42bcf7c60000000052550000000012670000000152540000000100000000000000000000000000000000000000000000dd0777c60000000052540000000100000000000000000000";

#[test]
fn the_first_trial_is_the_c_modules_but_for_capabilities() {
    let mut o = own(1);
    o.start_trial(0);
    let mut b = [0u8; 80];
    let n = request(&o, &bearer(1)).emit(&mut b).unwrap();
    let hex: std::string::String = b[..n].iter().map(|x| std::format!("{x:02x}")).collect();
    assert_eq!(hex, OUR_TRIAL);
    assert_eq!(hex[..8], C_TRIAL[..8]);
    assert_eq!(hex[16..], C_TRIAL[16..]);
}

#[test]
fn only_implemented_capabilities_are_announced() {
    use crate::proto::wire::consts::Caps;
    let caps = super::message::NODE_CAPABILITIES;
    for bit in [
        Caps::SYN_BIT,
        Caps::BLOCK_FLOWCTL,
        Caps::BCAST_RCAST,
        Caps::NODE_ID128,
        Caps::LINK_PROTO_SEQNO,
        Caps::GAP_ACK_BLOCK,
        Caps::NAGLE,
    ] {
        assert!(caps.has(bit), "{bit:#x}");
    }
    for bit in [
        Caps::BCAST_SYNCH,
        Caps::BCAST_STATE_NACK,
        Caps::MCAST_RBCTL,
        Caps::TUNNEL_ENHANCED,
        Caps::NAMED_BCAST,
    ] {
        assert!(!caps.has(bit), "{bit:#x}");
    }
}

#[test]
fn the_interval_backs_off_as_in_c() {
    let mut o = own(1);
    o.start_trial(0);
    let mut d = Discoverer::new(0, 0);
    let mut sends = std::vec::Vec::new();
    while let Some(t) = d.deadline().filter(|&t| t < 8_000) {
        match d.on_timeout(&o, t) {
            Tick::Send => sends.push(t),
            Tick::Finalize => assert_eq!(o.finalize(t), Some(0x5255_0000)),
            Tick::Stop => unreachable!(),
        }
    }
    // 125 ms during the trial, the address at 1000 ms, then 125 ms doubling up to 1 s.
    assert_eq!(
        sends,
        [125, 250, 375, 500, 625, 750, 875, 1125, 1375, 1875, 2875, 3875, 4875, 5875, 6875, 7875]
    );
    d.add_dest();
    assert_eq!(d.num_nodes(), 1);
    let mut t = 7_875;
    for _ in 0..10 {
        t = d.deadline().unwrap();
        d.on_timeout(&o, t);
    }
    assert_eq!(d.interval(), Some(DISC_SLOW));
    d.remove_dest(t);
    assert_eq!((d.interval(), d.deadline()), (Some(125), Some(t + 125)));
}

#[test]
fn a_domain_of_one_node_stops_once_found() {
    let o = own(1);
    let mut d = Discoverer::new(0x0100_1001, 0);
    d.add_dest();
    assert_eq!(d.on_timeout(&o, 125), Tick::Stop);
    assert_eq!(d.deadline(), None);
}

fn from(mac: u8, o: &OwnNode, ty: DiscoveryType) -> DiscoveryRepr {
    let mut peer = own(mac);
    peer.set_addr(0x5256_0000, 0);
    let mut m = discovery_msg(&peer, &bearer(mac), ty, 0, 0);
    m.net_id = o.net_id();
    m
}

#[test]
fn receive_checks_in_c_order() {
    let b = bearer(1);
    let mut o = own(1);
    o.set_addr(0x5255_0000, 0);
    let v = |m: &DiscoveryRepr, o: &mut OwnNode| receive(m, &b, o, 5_000).verdict;
    let req = from(2, &o, DiscoveryType::Request);
    assert!(matches!(
        v(&req, &mut o),
        Verdict::Peer { request: true, .. }
    ));
    assert_eq!(
        v(&from(1, &o, DiscoveryType::Request), &mut o),
        Verdict::Drop(DiscDrop::Own)
    );
    let mut m = req;
    m.media[4..10].fill(0xff);
    assert_eq!(v(&m, &mut o), Verdict::Drop(DiscDrop::Corrupt));
    let mut m = req;
    m.net_id = 1;
    assert_eq!(v(&m, &mut o), Verdict::Drop(DiscDrop::NetId));
    let mut m = req;
    m.prevnode = 0x5255_0000;
    assert_eq!(v(&m, &mut o), Verdict::Drop(DiscDrop::DuplicateAddress));
    let mut m = req;
    m.dest_domain = 0x1234;
    assert_eq!(v(&m, &mut o), Verdict::Drop(DiscDrop::NotForUs));
    let resp = from(2, &o, DiscoveryType::Response);
    let Verdict::Peer { peer, request } = v(&resp, &mut o) else {
        panic!()
    };
    assert!(!request);
    assert_eq!(
        (peer.addr, peer.maddr),
        (0x5256_0000, MediaAddr::eth([0x52, 0x54, 0, 0, 0, 2]))
    );
}

#[test]
fn the_trial_takes_only_trials_and_a_refusal_restarts_it() {
    let b = bearer(1);
    let mut o = own(1);
    o.start_trial(0);
    let req = from(2, &o, DiscoveryType::Request);
    assert_eq!(
        receive(&req, &b, &mut o, 10).verdict,
        Verdict::Drop(DiscDrop::InTrial)
    );
    assert!(matches!(
        receive(&from(2, &o, DiscoveryType::Trial), &b, &mut o, 10).verdict,
        Verdict::Trial(_)
    ));
    let mut fail = from(2, &o, DiscoveryType::TrialFail);
    fail.dest_domain = 0x5255_0000;
    fail.sugg_addr = 0x1111;
    assert_eq!(receive(&fail, &b, &mut o, 500).verdict, Verdict::Retried);
    assert_eq!(o.trial_addr(), 0x1111);
    assert!(o.in_trial(1_499));
    // After the trial the next message makes the trial address the node's.
    let r = receive(&req, &b, &mut o, 1_500);
    assert_eq!(r.finalized, Some(0x1111));
    assert!(matches!(r.verdict, Verdict::Peer { .. }));
}
