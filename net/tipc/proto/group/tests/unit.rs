// SPDX-License-Identifier: GPL-2.0

//! One rule per test.

use crate::kalloc::GFP_KERNEL;
use crate::proto::name_table::addr::{Scope, SocketAddr};
use crate::proto::seqno::Seqno;
use crate::proto::wire::common::{Common, Ports};
use crate::proto::wire::consts::{DataType, GROUP_H_SIZE};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::group_proto::{GroupMsgType, GroupProtoRepr};
use crate::proto::wire::header::Packet;
use crate::proto::wire::topsrv::EVENT_LEN;

use super::super::member::MbrState;
use super::super::{recv_flags, SendKind, ADV_ACTIVE, ADV_IDLE, ADV_UNIT, MSG_EOR, MSG_OOB};
use super::*;

const A: Addr = (1, 100);
const B: Addr = (1, 200);
const C: Addr = (2, 300);

/// Members `(address, instance)` of a two-node cluster, joined in order and settled, all
/// read; no loopback.
fn net_of(members: &[(Addr, u32)], events: bool) -> Net {
    let mut n = Net::new(2, 1);
    for &(a, i) in members {
        n.join(a, join_req(i, Scope::Cluster, false, events));
    }
    n.read_all();
    n
}

/// Two members on one node, with events.
fn pair() -> Net {
    net_of(&[(A, 1), (B, 2)], true)
}

/// A topology event for `sk`.
fn top(kind: EventKind, instance: u32, sk: SocketAddr) -> TopEvent {
    TopEvent { kind, instance, sk }
}

/// Socket A's group (member events as `events`) with one member in service: `from`, of
/// instance 2, whose `GRP_JOIN` gave broadcast number `syncpt`.
fn one_member(from: Addr, syncpt: u16, events: bool) -> Group<Vec<u8>> {
    let mut g = Group::new(&join_req(1, Scope::Cluster, false, events), A.0, A.1);
    let _ = g.joined(GFP_KERNEL);
    let sk = SocketAddr {
        node: from.0,
        port: from.1,
    };
    let _ = g.member_event(&top(EventKind::Published, 2, sk), true, GFP_KERNEL);
    let _ = g.on_proto(&proto(GroupMsgType::Join, from, A, syncpt, 65), GFP_KERNEL);
    g
}

/// The state `a`'s group has for `b`.
fn state(n: &mut Net, a: Addr, b: Addr) -> MbrState {
    let g = n.group(a);
    let i = g.find(b.0, b.1).expect("member");
    g.members[i].state
}

/// A protocol message from `from` to `to`.
fn proto(ty: GroupMsgType, from: Addr, to: Addr, bc_point: u16, adv_win: u16) -> GroupProtoRepr {
    GroupProtoRepr {
        msg_type: ty,
        common: Common::default(),
        ports: Ports {
            origport: from.1,
            destport: to.1,
            orignode: from.0,
            destnode: to.0,
        },
        bc_point,
        adv_win,
    }
}

#[test]
fn windows_are_the_c_modules() {
    assert_eq!(ADV_UNIT, 65);
    assert_eq!(ADV_IDLE, 65);
    assert_eq!(ADV_ACTIVE, 780);
}

#[test]
fn join_takes_both_the_join_message_and_the_binding() {
    let mut n = Net::new(1, 1);
    n.join(A, join_req(1, Scope::Cluster, false, true));
    n.join(B, join_req(2, Scope::Cluster, false, true));
    // B found A in the name table and sent GRP_JOIN (with no window yet: A is only
    // published for B); A has neither B's JOIN handled nor its binding yet.
    let join = n.chans[&(B, A, false)].front().expect("join").clone();
    let r = GroupProtoRepr::parse(&Packet::new_checked(&join[..]).unwrap()).unwrap();
    assert_eq!(
        (r.msg_type, r.bc_point, r.adv_win),
        (GroupMsgType::Join, 0, 0)
    );
    assert!(r.common.flags.dest_droppable);
    n.settle();
    assert_eq!(state(&mut n, A, B), MbrState::Joined);
    assert_eq!(state(&mut n, B, A), MbrState::Joined);
    for (x, y) in [(A, B), (B, A)] {
        let g = n.group(x);
        let m = &g.members[g.find(y.0, y.1).unwrap()];
        assert_eq!((m.window, m.advertised), (ADV_IDLE, ADV_IDLE));
        check(g);
    }
    n.read_all();
    assert_eq!(
        n.got(A),
        &[Got::Event {
            kind: EventKind::Published,
            of: B,
            instance: 2
        }]
    );
    assert_eq!(
        n.got(B),
        &[Got::Event {
            kind: EventKind::Published,
            of: A,
            instance: 1
        }]
    );
}

#[test]
fn a_join_message_before_the_binding_waits_for_it() {
    let mut g: Group<Vec<u8>> = Group::new(&join_req(1, Scope::Cluster, false, true), 1, 100);
    let _ = g.joined(GFP_KERNEL);
    let fx = g.on_proto(&proto(GroupMsgType::Join, B, A, 7, 65), GFP_KERNEL);
    assert!(fx.deliver.is_empty() && fx.xmit.is_empty());
    assert_eq!(g.members[0].state, MbrState::Joining);
    let ev = TopEvent {
        kind: EventKind::Published,
        instance: 9,
        sk: SocketAddr {
            node: B.0,
            port: B.1,
        },
    };
    let fx = g.member_event(&ev, true, GFP_KERNEL);
    assert_eq!(g.members[0].state, MbrState::Joined);
    assert_eq!(g.members[0].instance, 9);
    assert_eq!(fx.xmit.len(), 1);
    assert_eq!(fx.xmit[0].msg_type, GroupMsgType::Join);
    assert_eq!((fx.xmit[0].bc_point, fx.xmit[0].adv_win), (0, ADV_IDLE));
    assert!(matches!(
        fx.deliver[..],
        [Delivery::Event(MemberEvent { instance: 9, .. })]
    ));
    assert!(fx.rcvbuf.is_some());
    // The same binding again changes nothing.
    let fx = g.member_event(&ev, true, GFP_KERNEL);
    assert!(fx.xmit.is_empty() && fx.deliver.is_empty());
    check(&g);
}

#[test]
fn events_only_with_member_events() {
    let mut n = net_of(&[(A, 1), (B, 2)], false);
    assert!(n.got(A).is_empty() && n.got(B).is_empty());
    assert_eq!(state(&mut n, A, B), MbrState::Joined);
}

#[test]
fn loopback_makes_the_socket_its_own_member() {
    let mut n = Net::new(1, 1);
    n.join(A, join_req(1, Scope::Cluster, true, true));
    n.read_all();
    assert_eq!(state(&mut n, A, A), MbrState::Joined);
    assert_eq!(n.group(A).exclude(), 0);
    n.plan(A, Op::Bcast, 100);
    assert!(n.try_send(A));
    n.read_all();
    assert_eq!(n.ids_from(A, A), [0]);
    let mut m = Net::new(1, 1);
    m.join(A, join_req(1, Scope::Cluster, false, true));
    m.read_all();
    assert_eq!(m.group(A).member_count(), 0);
    assert_eq!(m.group(A).exclude(), A.1);
}

#[test]
fn event_message_bytes() {
    let e = MemberEvent {
        kind: EventKind::Withdrawn,
        group_type: TYPE,
        instance: 5,
        node: 2,
        port: 300,
        own_node: 1,
        own_port: 100,
        bc_seqno: Seqno(0x1234),
    };
    let mut buf = [0u8; MemberEvent::LEN];
    assert_eq!(e.emit(&mut buf), Ok(GROUP_H_SIZE + EVENT_LEN));
    let p = Packet::new_checked(&buf[..]).unwrap();
    let h = DataRepr::parse(&p).unwrap();
    assert_eq!(h.msg_type, DataType::GrpMemberEvt);
    assert_eq!(
        (h.origport, h.orignode, h.destport, h.destnode),
        (300, 2, 100, 1)
    );
    assert_eq!(
        (h.name_type, h.grp_bc_seqno(), h.grp_evt()),
        (TYPE, 0x1234, 2)
    );
    assert!(h.common.flags.dest_droppable);
    let word = |i: usize| u32::from_ne_bytes(buf[GROUP_H_SIZE + 4 * i..][..4].try_into().unwrap());
    assert_eq!(
        [word(0), word(1), word(2), word(3), word(4)],
        [2, 5, 5, 300, 2]
    );
    assert_eq!(
        [word(5), word(6), word(7), word(8), word(9)],
        [TYPE, 5, 5, 0, 0]
    );
    assert_eq!(
        recv_flags(DataType::GrpMemberEvt, h.name_upper),
        Some(MSG_OOB | MSG_EOR)
    );
    assert_eq!(recv_flags(DataType::GrpMemberEvt, 1), Some(MSG_OOB));
    assert_eq!(recv_flags(DataType::GrpUcast, 2), None);
    // Nobody outside may send an event.
    assert_eq!(Incoming::from_repr(&h, MemberEvent::LEN), None);
}

#[test]
fn unicast_waits_for_the_window_and_advertises_once() {
    let mut n = pair();
    let dest = SocketAddr {
        node: B.0,
        port: B.1,
    };
    // 65 blocks fit the idle window once.
    let o = n.group(A).cong(B.0, B.1, 65, GFP_KERNEL);
    assert_eq!(o.value, SendCheck::Clear);
    n.group(A).ucast_sent(dest, 65);
    let o = n.group(A).cong(B.0, B.1, 1, GFP_KERNEL);
    assert_eq!(o.value, SendCheck::Congested);
    // A already advertised the whole idle window to B: nothing to send.
    assert!(o.effects.xmit.is_empty());
    assert!(!n.group(A).is_open());
    let o = n.group(A).cong(9, 9, 1, GFP_KERNEL);
    assert_eq!(o.value, SendCheck::NotMember);
}

#[test]
fn a_congested_sender_advertises_what_it_still_owes() {
    let mut n = pair();
    let dest = SocketAddr {
        node: B.0,
        port: B.1,
    };
    n.group(A).ucast_sent(dest, 65);
    let i = n.group(A).find(B.0, B.1).unwrap();
    n.group(A).members[i].advertised = 10;
    let o = n.group(A).cong(B.0, B.1, 1, GFP_KERNEL);
    assert_eq!(o.value, SendCheck::Congested);
    assert_eq!(o.effects.xmit.len(), 1);
    assert_eq!(
        (o.effects.xmit[0].msg_type, o.effects.xmit[0].adv_win),
        (GroupMsgType::Adv, 55)
    );
    assert_eq!(n.group(A).members[i].advertised, ADV_IDLE);
}

#[test]
fn reading_makes_the_sender_active_and_advertises() {
    let mut n = pair();
    n.plan(A, Op::Ucast(B), 1000);
    assert!(n.try_send(A));
    n.read_all();
    assert_eq!(state(&mut n, B, A), MbrState::Active);
    let g = n.group(A);
    let m = &g.members[g.find(B.0, B.1).unwrap()];
    assert_eq!(m.window, ADV_ACTIVE);
    assert_eq!(n.ids_from(B, A), [0]);
    assert_eq!(
        n.got(B)[1],
        Got::Data {
            from: A,
            id: 0,
            member: 1
        }
    );
}

#[test]
fn a_broadcast_after_a_unicast_waits_for_every_ack_once() {
    let mut n = net_of(&[(A, 1), (B, 2), ((1, 400), 3)], false);
    // The first broadcast after the join asks for acknowledgements.
    let h = n.group(A).bc_header(None).unwrap();
    assert_eq!(h.word10 & 1, 1);
    n.group(A).bc_sent(1, true);
    assert_eq!(n.group(A).bc_ackers, 2);
    let o = n.group(A).bc_cong(1, GFP_KERNEL);
    assert!(o.value);
    let nxt = n.group(A).bc_snd_nxt();
    let ack = proto(GroupMsgType::Ack, B, A, nxt, 0);
    let _ = n.group(A).on_proto(&ack, GFP_KERNEL);
    assert_eq!(n.group(A).bc_ackers, 1);
    // The duplicate (CVE-2026-31662's trigger) changes nothing.
    let _ = n.group(A).on_proto(&ack, GFP_KERNEL);
    assert_eq!(n.group(A).bc_ackers, 1);
    // Neither does a wrong number or a stranger's.
    let _ = n.group(A).on_proto(
        &proto(GroupMsgType::Ack, (1, 400), A, nxt.wrapping_add(1), 0),
        GFP_KERNEL,
    );
    let _ = n
        .group(A)
        .on_proto(&proto(GroupMsgType::Ack, (1, 999), A, nxt, 0), GFP_KERNEL);
    assert_eq!(n.group(A).bc_ackers, 1);
    let fx = n
        .group(A)
        .on_proto(&proto(GroupMsgType::Ack, (1, 400), A, nxt, 0), GFP_KERNEL);
    assert!(fx.wakeup);
    assert_eq!(n.group(A).bc_ackers, 0);
    let o = n.group(A).bc_cong(1, GFP_KERNEL);
    assert!(!o.value);
    // The next broadcast asks for nothing; a unicast makes the one after ask again.
    let h = n.group(A).bc_header(None).unwrap();
    assert_eq!(h.word10 & 1, 0);
    n.group(A).bc_sent(1, false);
    n.group(A).ucast_sent(
        SocketAddr {
            node: B.0,
            port: B.1,
        },
        1,
    );
    assert!(n.group(A).method_mandatory() && n.group(A).method_rcast());
    assert_eq!(n.group(A).bc_header(None).unwrap().word10 & 1, 1);
    check(n.group(A));
}

#[test]
fn a_member_leaving_owes_no_ack() {
    let mut n = net_of(&[(A, 1), (B, 2)], false);
    let _ = n.group(A).bc_header(None).unwrap();
    n.group(A).bc_sent(1, true);
    assert_eq!(n.group(A).bc_ackers, 1);
    let nxt = n.group(A).bc_snd_nxt();
    let fx = n
        .group(A)
        .on_proto(&proto(GroupMsgType::Leave, B, A, 0, 0), GFP_KERNEL);
    // The leave event is due at once and removes the member (not delivered: no events).
    assert!(fx.deliver.is_empty());
    assert!(fx.wakeup);
    assert_eq!(n.group(A).bc_ackers, 0);
    assert_eq!(n.group(A).member_count(), 0);
    // A late ACK from it is a stranger's.
    let _ = n
        .group(A)
        .on_proto(&proto(GroupMsgType::Ack, B, A, nxt, 0), GFP_KERNEL);
    check(n.group(A));
}

#[test]
fn a_unicast_that_overtook_a_broadcast_waits_for_it() {
    let mut n = net_of(&[(A, 1), (C, 3)], true);
    // The next broadcast goes over the broadcast link.
    n.plan(A, Op::Bcast, 10);
    n.plan(A, Op::Bcast, 10);
    n.plan(A, Op::Ucast(C), 10);
    while n.socks[&A].plan.len() == 3 {
        n.try_send(A);
        n.read_all();
    }
    n.group(A).rcast = false;
    assert!(n.try_send(A));
    n.group(A).mandatory = false;
    assert!(n.try_send(A));
    // Deliver the unicast first: held back.
    let u = n.chans.get_mut(&(A, C, false)).unwrap().pop_back().unwrap();
    n.arrive(C, u);
    assert!(n.socks[&C].rcvq.is_empty());
    n.read_all();
    assert_eq!(n.ids_from(C, A), [0, 1, 2]);
}

#[test]
fn a_broadcast_overtaken_by_a_later_one_is_sorted_back() {
    let mut g = one_member((2, 5), 10, false);
    let inc = |seq: u16, kind| Incoming {
        kind,
        orignode: 2,
        origport: 5,
        bc_seqno: Seqno(seq),
        ack_req: false,
        instance: 0,
        blocks: 1,
    };
    let fx = g.on_data(std::vec![2], inc(11, SendKind::Bcast), GFP_KERNEL);
    assert!(fx.deliver.is_empty());
    let fx = g.on_data(std::vec![3], inc(12, SendKind::Ucast), GFP_KERNEL);
    assert!(fx.deliver.is_empty());
    let fx = g.on_data(std::vec![1], inc(10, SendKind::Bcast), GFP_KERNEL);
    let got: Vec<u8> = fx
        .deliver
        .iter()
        .map(|d| match d {
            Delivery::Data { msg, .. } => msg[0],
            Delivery::Event(_) => 0,
        })
        .collect();
    assert_eq!(got, [1, 2, 3]);
    // An old one again is dropped.
    let fx = g.on_data(std::vec![9], inc(10, SendKind::Bcast), GFP_KERNEL);
    assert!(fx.deliver.is_empty());
    check(&g);
}

#[test]
fn a_multicast_for_another_instance_is_dropped_but_credited() {
    let mut n = net_of(&[(A, 1), (B, 2), ((1, 400), 2), ((1, 500), 2)], false);
    n.plan(B, Op::Mcast(2), 2000);
    assert!(n.try_send(B));
    n.read_all();
    assert_eq!(n.sent[0].to, [(1, 400), (1, 500)]);
    assert_eq!(n.ids_from((1, 400), B), [0]);
    assert_eq!(n.ids_from((1, 500), B), [0]);
    assert!(n.ids_from(A, B).is_empty());
    // A made B active on the dropped multicast, as if read.
    assert_eq!(state(&mut n, A, B), MbrState::Active);
}

#[test]
fn a_multicast_to_one_member_is_a_unicast() {
    let mut n = net_of(&[(A, 1), (B, 2)], false);
    let mut t = n.tables.remove(&1).unwrap();
    let plan = n.group(A).mcast_plan(&mut t, 2, GFP_KERNEL);
    assert_eq!(
        plan,
        Ok(McastPlan::Unicast(SocketAddr {
            node: B.0,
            port: B.1
        }))
    );
    assert_eq!(
        n.group(A).mcast_plan(&mut t, 7, GFP_KERNEL),
        Err(crate::proto::errno::Errno::EHOSTUNREACH)
    );
    // Without loopback the sender's own binding is left out.
    assert_eq!(
        n.group(A).mcast_plan(&mut t, 1, GFP_KERNEL),
        Err(crate::proto::errno::Errno::EHOSTUNREACH)
    );
}

#[test]
fn anycast_goes_round_robin_and_skips_congested_members() {
    let (d1, d2) = ((1, 201), (1, 202));
    let mut n = net_of(&[(A, 1), (d1, 5), (d2, 5)], false);
    let mut t = n.tables.remove(&1).unwrap();
    let pick = |n: &mut Net, t: &mut NameTable| {
        let o = n.group(A).anycast_pick(t, 5, 65, GFP_KERNEL).unwrap();
        o.value
    };
    let first = pick(&mut n, &mut t);
    let second = pick(&mut n, &mut t);
    assert_ne!(first, second);
    // Spend d1's window: the pick skips it.
    n.group(A).ucast_sent(
        SocketAddr {
            node: d1.0,
            port: d1.1,
        },
        65,
    );
    for _ in 0..3 {
        assert_eq!(
            pick(&mut n, &mut t),
            Anycast::Clear(SocketAddr {
                node: d2.0,
                port: d2.1
            })
        );
    }
    n.group(A).ucast_sent(
        SocketAddr {
            node: d2.0,
            port: d2.1,
        },
        65,
    );
    assert!(matches!(pick(&mut n, &mut t), Anycast::Congested(_)));
    assert_eq!(
        n.group(A).anycast_pick(&mut t, 6, 1, GFP_KERNEL).err(),
        Some(crate::proto::errno::Errno::EHOSTUNREACH)
    );
}

#[test]
fn leave_event_comes_after_the_members_broadcasts() {
    let mut n = net_of(&[(A, 1), (C, 3)], true);
    n.group(C).mandatory = false;
    n.group(C).rcast = false;
    n.plan(C, Op::Bcast, 10);
    assert!(n.try_send(C));
    n.leave(C);
    // LEAVE arrives before the broadcast on the broadcast link.
    let leave = n
        .chans
        .get_mut(&(C, A, false))
        .unwrap()
        .pop_front()
        .unwrap();
    n.arrive(A, leave);
    assert!(n.socks[&A].rcvq.is_empty());
    assert_eq!(state(&mut n, A, C), MbrState::Leaving);
    n.read_all();
    let tail: Vec<Got> = n.got(A).iter().rev().take(2).copied().collect();
    assert_eq!(
        tail[0],
        Got::Event {
            kind: EventKind::Withdrawn,
            of: C,
            instance: 3
        }
    );
    assert!(matches!(tail[1], Got::Data { from: C, .. }));
    assert_eq!(n.group(A).member_count(), 0);
}

#[test]
fn a_member_on_a_node_that_went_down_leaves_at_once() {
    let mut n = net_of(&[(A, 1), (C, 3)], true);
    n.crash(2);
    n.read_all();
    assert_eq!(
        n.got(A).last(),
        Some(&Got::Event {
            kind: EventKind::Withdrawn,
            of: C,
            instance: 3
        })
    );
    assert_eq!(n.group(A).member_count(), 0);
    // Withdrawn on a node that is up: the event waits for GRP_LEAVE.
    let mut g = one_member((2, 5), 0, true);
    let sk = SocketAddr { node: 2, port: 5 };
    let fx = g.member_event(&top(EventKind::Withdrawn, 2, sk), true, GFP_KERNEL);
    assert!(fx.deliver.is_empty());
    assert_eq!(g.members[0].state, MbrState::Leaving);
    let fx = g.on_proto(&proto(GroupMsgType::Leave, (2, 5), A, 0, 0), GFP_KERNEL);
    assert!(matches!(
        fx.deliver[..],
        [Delivery::Event(MemberEvent {
            kind: EventKind::Withdrawn,
            ..
        })]
    ));
    assert_eq!(g.member_count(), 0);
}

#[test]
fn reclaim_is_answered_by_remit() {
    let mut n = pair();
    let i = n.group(B).find(A.0, A.1).unwrap();
    n.group(B).members[i].window = 500;
    let fx = n
        .group(B)
        .on_proto(&proto(GroupMsgType::Reclaim, A, B, 0, 0), GFP_KERNEL);
    assert_eq!(
        (fx.xmit[0].msg_type, fx.xmit[0].bc_point),
        (GroupMsgType::Remit, 500)
    );
    assert_eq!(n.group(B).members[i].window, ADV_IDLE);
    // A REMIT without a RECLAIM changes nothing.
    let before = n.group(A).members[0].advertised;
    let _ = n
        .group(A)
        .on_proto(&proto(GroupMsgType::Remit, B, A, 3, 0), GFP_KERNEL);
    assert_eq!(n.group(A).members[0].advertised, before);
    assert_eq!(state(&mut n, A, B), MbrState::Joined);
}

#[test]
fn remit_with_messages_in_flight_waits_for_them() {
    let mut g = one_member((1, 5), 0, false);
    let _ = g.consumed(1, 5, 1, GFP_KERNEL);
    assert_eq!(
        (g.members[0].state, g.members[0].advertised),
        (MbrState::Active, ADV_ACTIVE)
    );
    g.members[0].state = MbrState::Reclaiming;
    g.members[0].queue = None;
    // 700 blocks advertised and unused, of which the sender still had 600: 100 in flight.
    g.members[0].advertised = 700;
    let _ = g.on_proto(&proto(GroupMsgType::Remit, (1, 5), A, 600, 0), GFP_KERNEL);
    assert_eq!(
        (g.members[0].state, g.members[0].advertised),
        (MbrState::Remitted, ADV_IDLE + 100)
    );
    let fx = g.consumed(1, 5, 100, GFP_KERNEL);
    assert!(fx.xmit.is_empty());
    assert_eq!((g.members[0].state, g.active_cnt), (MbrState::Joined, 0));
    check(&g);
}

#[test]
fn many_senders_make_some_pending_and_reclaim_from_the_oldest() {
    let mut g: Group<Vec<u8>> = Group::new(&join_req(1, Scope::Cluster, false, false), 1, 100);
    for p in 0..20u32 {
        let sk = SocketAddr {
            node: 1,
            port: 1000 + p,
        };
        let _ = g.member_event(
            &TopEvent {
                kind: EventKind::Published,
                instance: 2,
                sk,
            },
            true,
            GFP_KERNEL,
        );
        let _ = g.on_proto(
            &proto(GroupMsgType::Join, (1, 1000 + p), A, 0, 65),
            GFP_KERNEL,
        );
    }
    let _ = g.joined(GFP_KERNEL);
    assert_eq!(g.max_active, 16);
    let mut reclaims = 0;
    for p in 0..20u32 {
        let fx = g.consumed(1, 1000 + p, 1, GFP_KERNEL);
        reclaims += fx
            .xmit
            .iter()
            .filter(|x| x.msg_type == GroupMsgType::Reclaim)
            .count();
        check(&g);
    }
    let pending = g
        .members
        .iter()
        .filter(|m| m.state == MbrState::Pending)
        .count();
    assert!(pending > 0 && reclaims > 0, "{pending} {reclaims}");
    assert!(usize::from(g.active_cnt) <= usize::from(g.max_active) + 1);
}

#[test]
fn receive_buffer_follows_the_member_count() {
    let mut g: Group<()> = Group::new(&join_req(1, Scope::Cluster, false, false), 1, 100);
    assert_eq!(g.rcvbuf_limit(), (16 * 780 - 15 * 65) * 4096);
    for p in 0..200u32 {
        let _ = g.add_member(
            SocketAddr {
                node: 1,
                port: p + 1,
            },
            0,
            GFP_KERNEL,
        );
    }
    // 201 members: 25 active.
    assert_eq!(g.rcvbuf_limit(), (25 * 780 + 176 * 65) * 4096);
    assert_eq!(g.max_active, 25);
}

#[test]
fn node_scope_ignores_other_nodes() {
    let mut g: Group<()> = Group::new(&join_req(1, Scope::Node, false, false), 1, 100);
    let fx = g.on_proto(&proto(GroupMsgType::Join, (2, 5), A, 0, 65), GFP_KERNEL);
    assert!(fx.is_empty());
    assert_eq!(g.member_count(), 0);
    assert_eq!(g.subscription(), (TYPE, 0, u32::MAX, 0x1 | 0x80 | 0x40));
    assert_eq!(g.binding(), (TYPE, 1, Scope::Node));
}

#[test]
fn leave_sends_leave_to_every_member() {
    let mut n = pair();
    let g = n.socks.get_mut(&A).unwrap().group.take().unwrap();
    let nxt = g.bc_snd_nxt();
    let fx = g.leave(GFP_KERNEL);
    assert_eq!(fx.xmit.len(), 1);
    assert_eq!(
        (fx.xmit[0].msg_type, fx.xmit[0].bc_point),
        (GroupMsgType::Leave, nxt)
    );
    assert_eq!(fx.xmit[0].ports.destport, B.1);
}

#[test]
fn a_small_advertisement_still_blocks_a_large_broadcast() {
    let mut g = one_member((1, 5), 0, false);
    let _ = g.bc_header(None);
    g.bc_sent(60, true);
    let nxt = g.bc_snd_nxt();
    let _ = g.on_proto(&proto(GroupMsgType::Ack, (1, 5), A, nxt, 0), GFP_KERNEL);
    // 5 blocks left; an advertisement of 10 takes the member off the small-window list.
    let _ = g.on_proto(&proto(GroupMsgType::Adv, (1, 5), A, 0, 10), GFP_KERNEL);
    assert_eq!((g.members[0].window, g.members[0].small_win), (15, None));
    let o = g.bc_cong(16, GFP_KERNEL);
    assert!(o.value);
    let o = g.bc_cong(15, GFP_KERNEL);
    assert!(!o.value);
}

#[test]
fn protocol_messages_carry_what_c_writes() {
    let mut n = pair();
    let i = n.group(A).find(B.0, B.1).unwrap();
    n.group(A).members[i].advertised = 0;
    let o = n.group(A).cong(B.0, B.1, 66, GFP_KERNEL);
    let mut buf = [0u8; 40];
    assert_eq!(o.effects.xmit[0].emit(&mut buf), Ok(40));
    let words: Vec<u32> = buf
        .chunks(4)
        .map(|w| u32::from_be_bytes(w.try_into().unwrap()))
        .collect();
    // Version 2, GROUP_PROTOCOL, 40-byte header, dest_droppable; GRP_ADV; prevnode; ports
    // and nodes; the window in word 9's low half.
    assert_eq!(
        words,
        [0x5348_0028, 0x4000_0000, 0, 1, 100, 200, 1, 1, 0, 65]
    );
}
