// SPDX-License-Identifier: GPL-2.0

//! The link against frames the C module sent (tools/testing/wire/c-two-nodes.pcap, frames
//! 49 to 51: `RESET`, `ACTIVATE`, `STATE` between 0x52550000 and 0x52560000), its session
//! rules, supervision and the peer's tolerance and priority.

use super::endpoint::{Change, Ends, Link};
use super::proto_msg::StateOpts;
use super::state::LinkState;
use super::testing::{data_msg, Collect};
use crate::proto::bearer::media::MediaProps;
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::table::{Attachment, Bearer, Bearers};
use crate::proto::node::identity::NodeId;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::{LinkMsgType, LinkProtoRepr};

const A: u32 = 0x5255_0000;
const B: u32 = 0x5256_0000;

type L = Link<std::vec::Vec<u8>>;

fn hex(s: &str) -> std::vec::Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

extern crate std;

fn c_reset() -> &'static [u8] {
    hex("4f40003820000000000080005255000000000001040240005255000052560000000000000177000065746830000000000000000000000000").leak()
}
fn c_activate() -> &'static [u8] {
    hex("4f4000384001040200008000525600000000000109d240005256000052550000000000000177000065746830000000000000000000000000").leak()
}
fn c_state() -> &'static [u8] {
    hex("4f40002c00000000000000015255000000000001040240005255000052560000000000000000000000040000")
        .leak()
}

fn bearer() -> Bearer {
    let t = Bearers::default();
    let adm = t.admit(b"eth:eth0", 32, MediaProps::default_for).unwrap();
    let att = Attachment {
        addr: MediaAddr::eth([0x52, 0x54, 0, 0, 0, 1]),
        dev_mtu: 1500,
    };
    Bearers::default().attach(&adm, 0, &att)
}

fn link(own: u32, peer: u32, session: u16) -> L {
    let id = |a: u32| NodeId::from_bytes(&[0x52, 0x54, 0, 0, 0, if a == A { 1 } else { 2 }]);
    let ends = Ends {
        own_addr: own,
        own_id: id(own).unwrap(),
        peer_addr: peer,
        peer_id: id(peer).unwrap(),
        peer_caps: Caps::ALL,
    };
    let mut l = Link::new(&bearer(), &ends, session);
    l.set_abort_limit(4);
    l
}

fn emit(m: &LinkProtoRepr<'_>) -> std::vec::Vec<u8> {
    let mut b = [0u8; 128];
    let n = m.emit(&mut b).unwrap();
    b[..n].to_vec()
}

fn parse(b: &[u8]) -> LinkProtoRepr<'_> {
    LinkProtoRepr::parse(&Packet::new_checked(b).unwrap(), Caps::ALL).unwrap()
}

#[test]
fn handshake_is_byte_for_byte_the_c_modules() {
    let mut a = link(A, B, 0x0401);
    let mut b = link(B, A, 0x09d1);
    assert_eq!(
        a.name().as_bytes(),
        b"525400000001:eth0-525400000002:unknown"
    );
    assert_eq!(a.state(), LinkState::Reset);
    let reset = a.timeout().msg.unwrap();
    assert_eq!(emit(&reset), c_reset());
    let r = c_reset();
    let out = b.receive(&parse(r), &mut Collect::default());
    assert!(out.accepted);
    assert_eq!((b.state(), out.change), (LinkState::Establishing, None));
    assert_eq!(b.name().as_bytes(), b"525400000002:eth0-525400000001:eth0");
    let activate = b.timeout().msg.unwrap();
    assert_eq!(emit(&activate), c_activate());
    let act = c_activate();
    let out = a.receive(&parse(act), &mut Collect::default());
    assert_eq!(
        (a.state(), out.change),
        (LinkState::Establishing, Some(Change::Up))
    );
    a.fsm(super::state::LinkEvent::Establish);
    let state = a
        .build_proto(LinkMsgType::State, StateOpts::default())
        .unwrap();
    assert_eq!(emit(&state), c_state());
    let st = c_state();
    assert_eq!(
        b.receive(&parse(st), &mut Collect::default()).change,
        Some(Change::Up)
    );
    assert_eq!((a.mtu(), a.sessions()), (1500, (0x0402, Some(0x09d2))));
    assert_eq!(
        (a.bearer().index(), a.peer_bearer(), a.net_plane()),
        (0, 0, 0)
    );
    // A new priority goes to the peer, which takes it and resets its end.
    b.fsm(super::state::LinkEvent::Establish);
    let m = a.set_priority(12).unwrap();
    assert_eq!(
        (m.msg_type, m.priority, a.priority()),
        (LinkMsgType::State, 12, 12)
    );
    assert_eq!(
        b.receive(&m, &mut Collect::default()).change,
        Some(Change::Down)
    );
}

#[test]
fn sessions_refuse_old_messages() {
    let mut b = link(B, A, 0x09d1);
    let r = c_reset();
    b.receive(&parse(r), &mut Collect::default());
    // The same RESET again is not of a new session.
    assert!(!b.receive(&parse(r), &mut Collect::default()).accepted);
    // A STATE of another session is refused.
    let mut s = parse(c_state());
    s.session = 7;
    assert!(!b.receive(&s, &mut Collect::default()).accepted);
    // An ACTIVATE that names another session for this end moves this end's session past it.
    let mut act = parse(c_activate());
    act.common.prevnode = A;
    act.session = 0x0402;
    act.dest_session = Some(0x5000);
    assert!(b.receive(&act, &mut Collect::default()).change.is_none());
    assert_eq!(b.sessions().0, 0x5001);
}

#[test]
fn a_small_peer_mtu_lowers_the_link_and_a_tiny_one_is_ignored() {
    let mut b = link(B, A, 0x09d1);
    let mut r = parse(c_reset());
    r.max_pkt = 96;
    assert!(b.receive(&r, &mut Collect::default()).change.is_none());
    assert_eq!(b.state(), LinkState::Reset);
    r.max_pkt = 1000;
    b.receive(&r, &mut Collect::default());
    assert_eq!((b.state(), b.mtu()), (LinkState::Establishing, 1000));
}

fn established() -> L {
    let mut a = link(A, B, 0x0401);
    let act = c_activate();
    a.receive(&parse(act), &mut Collect::default());
    a.fsm(super::state::LinkEvent::Establish);
    a
}

#[test]
fn supervision_fails_at_the_sixth_silent_tick() {
    let mut a = established();
    let mut ticks = 0;
    loop {
        ticks += 1;
        let t = a.timeout();
        if t.change == Some(Change::Down) {
            break;
        }
        assert!(ticks < 10);
    }
    assert_eq!(ticks, 6);
    assert_eq!(a.state(), LinkState::Resetting);
}

#[test]
fn probes_are_answered_and_keep_the_link() {
    let mut a = established();
    for _ in 0..20 {
        a.timeout();
        let mut probe = parse(c_state());
        probe.common.prevnode = B;
        probe.session = 0x09d2;
        probe.common.seqno = a.rcv_nxt_state;
        probe.probe = true;
        let out = a.receive(&probe, &mut Collect::default());
        assert!(out.accepted);
        let reply = out.reply.unwrap();
        assert!(reply.common.flags.dest_droppable && !reply.probe);
    }
    assert!(a.is_up());
}

#[test]
fn the_peers_tolerance_and_priority() {
    let mut a = established();
    let mut s = parse(c_state());
    s.session = 0x09d2;
    s.common.seqno = 1;
    s.tolerance = 3000;
    s.priority = 0;
    a.receive(&s, &mut Collect::default());
    assert_eq!((a.tolerance(), a.is_up()), (3000, true));
    s.common.seqno = 2;
    s.tolerance = 20;
    s.priority = 12;
    assert_eq!(
        a.receive(&s, &mut Collect::default()).change,
        Some(Change::Down)
    );
    assert_eq!((a.tolerance(), a.priority()), (3000, 12));
}

#[test]
fn a_stopping_peer_fails_the_link_and_reset_says_so() {
    let mut a = established();
    let mut r = parse(c_activate());
    r.msg_type = LinkMsgType::Reset;
    r.dest_session = None;
    r.session = 0x09d3;
    r.peer_stopping = true;
    assert_eq!(
        a.receive(&r, &mut Collect::default()).change,
        Some(Change::Down)
    );
    a.fsm(super::state::LinkEvent::Reset);
    a.reset();
    assert!(a.build_reset_msg().unwrap().peer_stopping);
    assert!(!a.timeout().msg.unwrap().peer_stopping);
}

#[test]
fn a_reset_link_backs_off() {
    let mut a = link(A, B, 1);
    let sent: std::vec::Vec<usize> = (1..=40).filter(|_| a.timeout().msg.is_some()).collect();
    assert_eq!(sent.len(), 5 + 2);
}
