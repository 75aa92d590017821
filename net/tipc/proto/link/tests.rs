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
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

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
    let reset = a.timeout(false).msg.unwrap();
    assert_eq!(emit(&reset), c_reset());
    let r = c_reset();
    let out = b.receive(&parse(r), &mut Collect::default());
    assert!(out.accepted);
    assert_eq!((b.state(), out.change), (LinkState::Establishing, None));
    assert_eq!(b.name().as_bytes(), b"525400000002:eth0-525400000001:eth0");
    let activate = b.timeout(false).msg.unwrap();
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
        let t = a.timeout(false);
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
        a.timeout(false);
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
    assert!(!a.timeout(false).msg.unwrap().peer_stopping);
}

#[test]
fn a_reset_link_backs_off() {
    let mut a = link(A, B, 1);
    let sent: std::vec::Vec<usize> = (1..=40)
        .filter(|_| a.timeout(false).msg.is_some())
        .collect();
    assert_eq!(sent.len(), 5 + 2);
}

/// Two links up between A and B, through the C handshake.
fn pair() -> (L, L) {
    let mut a = link(A, B, 0x0401);
    let mut b = link(B, A, 0x09d1);
    let r = a.timeout(false).msg.unwrap();
    b.receive(&r, &mut Collect::default());
    let act = b.timeout(false).msg.unwrap();
    assert_eq!(
        a.receive(&act, &mut Collect::default()).change,
        Some(Change::Up)
    );
    a.fsm(super::state::LinkEvent::Establish);
    let st = a
        .build_proto(LinkMsgType::State, StateOpts::default())
        .unwrap();
    assert_eq!(
        b.receive(&st, &mut Collect::default()).change,
        Some(Change::Up)
    );
    b.fsm(super::state::LinkEvent::Establish);
    (a, b)
}

fn msg(n: u32, len: usize) -> std::vec::Vec<u8> {
    let mut payload = std::vec![0u8; len];
    for (i, x) in payload.iter_mut().enumerate() {
        *x = (n as usize + i) as u8;
    }
    payload[..4].copy_from_slice(&n.to_be_bytes());
    data_msg(A, B, Importance::Low, 77, &payload)
}

fn seq(b: &[u8]) -> u16 {
    Packet::new_checked(b).unwrap().seqno()
}

/// A's `STATE` to B as its tick would send it, as a probe.
fn probe(a: &mut L) -> super::proto_msg::ProtoMsg {
    a.build_proto(
        LinkMsgType::State,
        StateOpts {
            probe: true,
            ..StateOpts::default()
        },
    )
    .unwrap()
}

use crate::proto::errno::Errno;
use crate::proto::wire::consts::{DataType, Importance, User, SHORT_H_SIZE};

#[test]
fn packets_get_sequence_numbers_and_acknowledgements_release_them() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    for n in 0..3 {
        a.send(msg(n, 100), &mut out).unwrap();
    }
    assert_eq!(
        out.sent
            .iter()
            .map(|p| seq(p))
            .collect::<std::vec::Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(a.queue_lens(), (3, 0, 0));
    let mut rx = Collect::default();
    for p in out.sent.drain(..) {
        let r = b.receive_data(p, &mut rx);
        assert_eq!(r.taken, 1);
    }
    assert_eq!(rx.delivered.len(), 3);
    assert!(rx.delivered.iter().all(|(u, _)| *u == User::Low));
    // B's next tick acknowledges; the acknowledgement releases A's queue.
    let ack = b.timeout(false).msg.unwrap();
    assert_eq!(ack.common.ack, 3);
    a.receive(&ack, &mut out);
    assert_eq!(a.queue_lens(), (0, 0, 0));
    // B's own data carries the acknowledgement of A's packets too.
    a.send(msg(9, 10), &mut out).unwrap();
    let p = out.sent.pop().unwrap();
    b.receive_data(p, &mut rx);
    let mut back = Collect::default();
    b.send(data_msg(B, A, Importance::Low, 5, b"x"), &mut back)
        .unwrap();
    assert_eq!(Packet::new_checked(&back.sent[0][..]).unwrap().ack(), 4);
    a.receive_data(back.sent.pop().unwrap(), &mut out);
    assert_eq!(a.queue_lens(), (0, 0, 0));
    assert_eq!((a.stats().sent_pkts, b.stats().recv_pkts), (4, 4));
}

#[test]
fn the_window_holds_the_rest_in_the_backlog_and_congestion_is_reported() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    assert_eq!(a.window(), 50);
    // 50 in the window, then the low backlog's 100, then ELINKCONG, queued all the same.
    // (Messages too long to share a packet: none is bundled.)
    for n in 0..150 {
        a.send(msg(n, 800), &mut out).unwrap();
    }
    assert_eq!(a.queue_lens(), (50, 100, 0));
    assert_eq!(a.send(msg(150, 800), &mut out), Err(Errno::ELINKCONG));
    assert_eq!(a.queue_lens(), (50, 101, 0));
    assert_eq!(a.stats().link_congs, 1);
    assert_eq!(out.sent.len(), 50);
    // Medium messages have their own limit.
    let mut m = data_msg(A, B, Importance::Medium, 78, b"m");
    a.send(core::mem::take(&mut m), &mut out).unwrap();
    let mut rx = Collect::default();
    for p in out.sent.drain(..) {
        b.receive_data(p, &mut rx);
    }
    let ack = b.timeout(false).msg.unwrap();
    a.receive(&ack, &mut out);
    // Released 50: slow start opens the window, the backlog moves in, the sender wakes.
    assert!(a.window() > 50);
    assert_eq!(out.woken, [77]);
    let (txq, backlog, _) = a.queue_lens();
    assert_eq!(txq + backlog, 102);
    assert_eq!(out.sent.len(), txq);
    // Everything arrives, in order.
    let mut t = 0;
    while a.queue_lens() != (0, 0, 0) {
        t += 1;
        assert!(t < 100);
        for p in out.sent.drain(..) {
            b.receive_data(p, &mut rx);
        }
        let ack = b.timeout(false).msg.unwrap();
        a.receive(&ack, &mut out);
    }
    let got: std::vec::Vec<u32> = rx
        .delivered
        .iter()
        .filter(|(u, _)| *u == User::Low)
        .map(|(_, m)| u32::from_be_bytes(m[32..36].try_into().unwrap()))
        .collect();
    assert_eq!(got, (0..151).collect::<std::vec::Vec<_>>());
}

#[test]
fn a_gap_is_deferred_nacked_and_retransmitted() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    for n in 0..8 {
        a.send(msg(n, 50), &mut out).unwrap();
    }
    let mut pkts: std::vec::Vec<_> = out.sent.drain(..).collect();
    let lost = pkts.remove(2); // seqno 3
    let mut rx = Collect::default();
    for (i, p) in pkts.into_iter().enumerate() {
        let r = b.receive_data(p, &mut rx);
        if i >= 2 {
            assert!(r.deferred);
        }
    }
    // 1 and 2 delivered, 4..8 deferred; the third deferred packet asked for the gap.
    assert_eq!(rx.delivered.len(), 2);
    assert_eq!(b.queue_lens().2, 5);
    assert_eq!(b.stats().deferred_recv, 5);
    let nack = &rx.controls[0];
    assert_eq!((nack.common.ack, nack.seq_gap), (2, 1));
    assert_eq!(
        nack.gap_acks(),
        &[crate::proto::wire::gap_ack::GapAck { ack: 6, gap: 0 }]
    );
    // B's answer to A's probe names the gap and what it holds after it.
    let nack = b.receive(&probe(&mut a), &mut rx).reply.unwrap();
    assert_eq!(
        nack.gap_acks(),
        &[crate::proto::wire::gap_ack::GapAck { ack: 8, gap: 0 }]
    );
    // Its bytes carry the record after the header.
    let mut buf = [0u8; super::proto_msg::MAX_PROTO_MSG];
    let n = nack.emit(&mut buf).unwrap();
    assert_eq!(&buf[40..n], &[0, 8, 1, 0, 0, 8, 0, 0]);
    out.now = 5;
    a.receive(&parse(&buf[..n]), &mut out);
    // 1, 2 and 4..8 released, 3 retransmitted.
    assert_eq!(a.queue_lens(), (1, 0, 0));
    assert_eq!(out.sent.len(), 1);
    assert_eq!(seq(&out.sent[0]), 3);
    assert_eq!(out.sent[0][4..], lost[4..]);
    assert_eq!((a.stats().retransmitted, a.stats().recv_nacks), (1, 1));
    b.receive_data(out.sent.pop().unwrap(), &mut rx);
    assert_eq!(rx.delivered.len(), 8);
    assert_eq!(b.queue_lens().2, 0);
    // A probe with nothing missing is answered without a gap.
    let p = probe(&mut a);
    let r = b.receive(&p, &mut rx);
    assert_eq!(r.reply.unwrap().seq_gap, 0);
}

#[test]
fn a_tail_loss_is_found_by_the_probe() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    a.send(msg(1, 10), &mut out).unwrap();
    out.sent.clear();
    let p = probe(&mut a);
    let mut rx = Collect::default();
    let reply = b.receive(&p, &mut rx).reply.unwrap();
    assert_eq!((reply.common.ack, reply.seq_gap), (0, 1));
    out.now = 2;
    a.receive(&reply, &mut out);
    assert_eq!(out.sent.len(), 1);
    b.receive_data(out.sent.pop().unwrap(), &mut rx);
    assert_eq!(rx.delivered.len(), 1);
}

#[test]
fn retransmission_failure_resets_the_link_after_ten_tolerances() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    a.send(msg(1, 10), &mut out).unwrap();
    out.sent.clear();
    let mut rx = Collect::default();
    let mut t = 1;
    loop {
        out.now = t;
        let nack = b.receive(&probe(&mut a), &mut rx).reply.unwrap();
        let r = a.receive(&nack, &mut out);
        if r.change == Some(Change::Down) {
            break;
        }
        assert!(r.accepted);
        t += 500;
        assert!(t < 20_000);
    }
    // First retransmitted at 1 ms: failed at the first NACK more than 15 s after.
    assert_eq!(t, 15_001 + 500);
    assert_eq!(a.state(), LinkState::Resetting);
    assert!(a.stats().retransmitted >= 30);
}

#[test]
fn bogus_acknowledgements_are_counted_and_ignored() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    for n in 0..4 {
        a.send(msg(n, 10), &mut out).unwrap();
    }
    let mut rx = Collect::default();
    let mut st = b.receive(&probe(&mut a), &mut rx).reply.unwrap();
    // An acknowledgement of packets never sent.
    st.common.ack = 9;
    st.seq_gap = 0;
    assert!(a.receive(&st, &mut out).accepted);
    assert_eq!((a.bogus_acks(), a.queue_lens().0), (1, 4));
    // Gap ACK blocks out of order or beyond what was sent.
    for rec in [
        &[0u8, 12, 2, 0, 0, 3, 0, 1, 0, 2, 0, 0][..],
        &[0, 8, 1, 0, 0, 200, 0, 0],
        &[0, 8, 1, 0, 0, 2, 0x20, 0],
    ] {
        let mut bytes = [0u8; 64];
        st.common.ack = 1;
        st.common.seqno += 1;
        st.seq_gap = 1;
        st.payload = LinkPayload::State {
            gap_acks: None,
            domain: None,
        };
        let n = st.emit(&mut bytes).unwrap();
        bytes[n..n + rec.len()].copy_from_slice(rec);
        let total = n + rec.len();
        Packet::new_unchecked(&mut bytes[..]).set_total_len(total);
        let m = parse(&bytes[..total]);
        out.now += 10;
        a.receive(&m, &mut out);
    }
    assert_eq!(a.bogus_acks(), 4);
    // The valid acknowledgement (1) released one packet each time; nothing else.
    assert_eq!(a.queue_lens().0, 3);
    assert!(a.is_up());
}

#[test]
fn long_messages_go_in_fragments_and_come_back_whole() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    let big = msg(7, 5000);
    a.send(big.clone(), &mut out).unwrap();
    assert_eq!(out.sent.len(), 4);
    assert!(out.sent.iter().all(|p| p.len() <= 1500));
    assert_eq!(
        (a.stats().sent_fragmented, a.stats().sent_fragments),
        (1, 4)
    );
    let mut rx = Collect::default();
    // Out of order: the last first.
    let last = out.sent.pop().unwrap();
    b.receive_data(last, &mut rx);
    for p in out.sent.drain(..) {
        b.receive_data(p, &mut rx);
    }
    assert_eq!(rx.delivered, [(User::Low, big)]);
    assert_eq!(
        (b.stats().recv_fragments, b.stats().recv_fragmented),
        (4, 1)
    );
    // A fragment that does not follow fails the link, as in C.
    let mut out = Collect::default();
    a.send(msg(8, 3000), &mut out).unwrap();
    let first = out.sent.remove(0);
    b.receive_data(first.clone(), &mut rx);
    let mut again = first;
    Packet::new_unchecked(&mut again[..]).set_seqno(b.rcv_nxt());
    assert_eq!(b.receive_data(again, &mut rx).change, Some(Change::Down));
}

#[test]
fn fragments_of_a_short_header_message_name_the_peer() {
    // A connection message: 24-byte header, no node in it; its payload where a long header
    // has the destination node.
    let (mut a, mut b) = pair();
    let mut m = std::vec![0xa5u8; SHORT_H_SIZE + 3000];
    let mut p = Packet::new_unchecked(&mut m[..]);
    p.init(User::Low, DataType::Conn.bits(), SHORT_H_SIZE);
    p.set_prevnode(A);
    p.set_origport(77);
    p.set_destport(1);
    p.set_total_len(SHORT_H_SIZE + 3000);
    let mut out = Collect::default();
    a.send(m.clone(), &mut out).unwrap();
    assert_eq!(out.sent.len(), 3);
    for f in &out.sent {
        let p = Packet::new_checked(&f[..]).unwrap();
        assert_eq!(p.user(), Some(User::MsgFragmenter));
        assert_eq!((p.destnode(), p.orignode(), p.prevnode()), (B, A, A));
    }
    let mut rx = Collect::default();
    for f in out.sent.drain(..) {
        b.receive_data(f, &mut rx);
    }
    assert_eq!(rx.delivered, [(User::Low, m)]);
}

#[test]
fn a_reset_purges_the_queues_and_wakes_the_waiting() {
    let (mut a, _b) = pair();
    let mut out = Collect::default();
    for n in 0..160 {
        let _ = a.send(msg(n, 800), &mut out);
    }
    assert!(a.queue_lens().1 > 0 && a.stats().link_congs > 0);
    let w = a.reset();
    assert_eq!(
        w.iter().map(|w| w.port).collect::<std::vec::Vec<_>>(),
        std::vec![77; 10]
    );
    assert_eq!(a.queue_lens(), (0, 0, 0));
    assert_eq!(*a.stats(), super::stats::LinkStats::default());
}

#[test]
fn link_stats_read_in_c_order() {
    let (mut a, _) = pair();
    let mut out = Collect::default();
    a.send(msg(1, 100), &mut out).unwrap();
    a.timeout(false);
    let v: std::vec::Vec<(u16, u32)> = a.stats().nl_counters().collect();
    assert_eq!(v.len(), 33);
    assert!(v.iter().map(|&(k, _)| k).eq(1..=33));
    // One sample of 132 bytes in the profile, the queue of 1 averaged over one tick.
    assert_eq!(
        (v[10], v[11], v[12], v[14]),
        ((11, 1), (12, 1), (13, 132), (15, 1))
    );
    assert_eq!(v[32], (33, 1));
}

#[test]
fn small_messages_beyond_the_window_are_bundled() {
    let (mut a, mut b) = pair();
    let mut out = Collect::default();
    for n in 0..50 {
        a.send(msg(n, 800), &mut out).unwrap();
    }
    // 132-byte messages: ten share a packet of at most 1428 bytes (the MTU less a header
    // and the encryption overhead), each at a multiple of 4.
    for n in 50..80 {
        a.send(msg(n, 100), &mut out).unwrap();
    }
    assert_eq!(a.queue_lens(), (50, 3, 0));
    assert_eq!((a.stats().sent_bundles, a.stats().sent_bundled), (3, 30));
    // A message that does not fit the last bundle takes its place as the target, and the
    // next small one joins it in a new bundle.
    a.send(msg(80, 800), &mut out).unwrap();
    a.send(msg(81, 100), &mut out).unwrap();
    assert_eq!(a.queue_lens(), (50, 4, 0));
    assert_eq!((a.stats().sent_bundles, a.stats().sent_bundled), (4, 32));
    let mut rx = Collect::default();
    let mut t = 0;
    while a.queue_lens() != (0, 0, 0) {
        t += 1;
        assert!(t < 10);
        for p in out.sent.drain(..) {
            b.receive_data(p, &mut rx);
        }
        let ack = b.timeout(false).msg.unwrap();
        a.receive(&ack, &mut out);
    }
    let mut got = std::vec::Vec::new();
    for (u, m) in &rx.delivered {
        if *u == User::MsgBundler {
            let p = Packet::new_checked(&m[..]).unwrap();
            assert!(m.len() <= 1428);
            for inner in crate::proto::wire::bundle::Unbundler::new(p.payload()) {
                let inner = inner.unwrap().into_inner();
                got.push(u32::from_be_bytes(inner[32..36].try_into().unwrap()));
            }
        } else {
            got.push(u32::from_be_bytes(m[32..36].try_into().unwrap()));
        }
    }
    assert_eq!(got, (0..82).collect::<std::vec::Vec<_>>());
    assert_eq!((b.stats().recv_bundles, b.stats().recv_bundled), (4, 32));
}
