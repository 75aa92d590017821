// SPDX-License-Identifier: GPL-2.0

//! Host tests of the group rules: a simulated cluster of group sockets whose messages,
//! topology events and reads happen in an order a seeded generator picks.

mod hostile;
mod sim;
mod unit;

use std::collections::{BTreeMap, VecDeque};
use std::vec::Vec;

use crate::kalloc::GFP_KERNEL;
use crate::proto::conn::flow::blocks;
use crate::proto::name_table::addr::{Scope, ServiceRange, SocketAddr};
use crate::proto::name_table::table::NameTable;
use crate::proto::sockopt::{GroupJoin, TIPC_GROUP_LOOPBACK, TIPC_GROUP_MEMBER_EVTS};
use crate::proto::wire::consts::{Importance, User, GROUP_H_SIZE};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::group_proto::GroupProtoRepr;
use crate::proto::wire::header::Packet;

use super::{
    Anycast, Delivery, Effects, EventKind, Group, GroupHeader, Incoming, McastPlan, MemberEvent,
    SendCheck, TopEvent, ANYCAST_LOOKUPS,
};

/// The group's service type in every test.
pub(super) const TYPE: u32 = 4711;

/// A member's address as the simulation keys it: node, port.
pub(super) type Addr = (u32, u32);

/// A small deterministic generator (xorshift).
pub(super) struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub(super) fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// A number below `n` (n > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// True one time in `n`.
    pub(super) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// The join request of a test member.
pub(super) fn join_req(instance: u32, scope: Scope, loopback: bool, events: bool) -> GroupJoin {
    let mut flags = 0;
    if loopback {
        flags |= TIPC_GROUP_LOOPBACK;
    }
    if events {
        flags |= TIPC_GROUP_MEMBER_EVTS;
    }
    GroupJoin {
        group_type: TYPE,
        instance,
        scope,
        flags,
    }
}

/// What a reader read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Got {
    /// Data message `id` from `from`, whose instance the group gave as `member`.
    Data { from: Addr, id: u64, member: u32 },
    /// A membership event.
    Event {
        kind: EventKind,
        of: Addr,
        instance: u32,
    },
}

/// A send a member still has to make.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Op {
    /// Unicast to a member.
    Ucast(Addr),
    /// Anycast to an instance; the address is the member waited for, and the round.
    Anycast(u32, Option<Addr>, u32),
    /// Multicast to an instance.
    Mcast(u32),
    /// Broadcast.
    Bcast,
}

/// A sent message: its id, sender, mode and the reader set it was meant for.
#[derive(Clone, Debug)]
pub(super) struct Sent {
    /// The sender.
    pub(super) from: Addr,
    /// The operation.
    pub(super) op: Op,
    /// Who may read it.
    pub(super) to: Vec<Addr>,
}

/// One simulated socket.
pub(super) struct Sock {
    /// Its group, while joined.
    pub(super) group: Option<Group<Vec<u8>>>,
    /// Its join request.
    pub(super) req: GroupJoin,
    /// Its receive queue.
    pub(super) rcvq: VecDeque<Delivery<Vec<u8>>>,
    /// Topology events not yet handled.
    pub(super) top: VecDeque<TopEvent>,
    /// Its receive buffer, as the group set it.
    pub(super) rcvbuf: u32,
    /// What its reader read.
    pub(super) got: Vec<Got>,
    /// What it still has to send, with the message size.
    pub(super) plan: VecDeque<(Op, usize)>,
    /// Sends that failed with `EHOSTUNREACH`.
    pub(super) unreachable: u32,
}

/// A simulated cluster.
pub(super) struct Net {
    /// The sockets by address.
    pub(super) socks: BTreeMap<Addr, Sock>,
    /// In-flight messages per sender, receiver and path (true: the broadcast link).
    pub(super) chans: BTreeMap<(Addr, Addr, bool), VecDeque<Vec<u8>>>,
    /// Each node's name table.
    pub(super) tables: BTreeMap<u32, NameTable>,
    /// Nodes that went down.
    pub(super) down: Vec<u32>,
    /// The generator.
    pub(super) rng: Rng,
    /// Every data message sent, by id.
    pub(super) sent: Vec<Sent>,
    /// Times a receive queue held more bytes than its buffer.
    pub(super) overloads: u32,
    /// Times a data message arrived and was held back.
    pub(super) held: u32,
    /// Times a send found its destination congested.
    pub(super) blocked: u32,
}

impl Net {
    /// A cluster of `nodes` nodes (addresses 1..).
    pub(super) fn new(nodes: u32, seed: u64) -> Self {
        let mut tables = BTreeMap::new();
        for n in 1..=nodes {
            tables.insert(n, NameTable::new(n, false));
        }
        Self {
            socks: BTreeMap::new(),
            chans: BTreeMap::new(),
            tables,
            down: Vec::new(),
            rng: Rng::new(seed),
            sent: Vec::new(),
            overloads: 0,
            held: 0,
            blocked: 0,
        }
    }

    /// The group of `a`.
    pub(super) fn group(&mut self, a: Addr) -> &mut Group<Vec<u8>> {
        self.socks
            .get_mut(&a)
            .and_then(|s| s.group.as_mut())
            .expect("a joined socket")
    }

    /// Whether `a` sees a binding of `b`'s with `b`'s scope.
    fn sees(a: Addr, b: Addr, scope: Scope) -> bool {
        scope == Scope::Cluster || a.0 == b.0
    }

    /// Socket `a` joins with `req` (`tipc_sk_join`).
    pub(super) fn join(&mut self, a: Addr, req: GroupJoin) {
        let mut g = Group::new(&req, a.0, a.1);
        let table = self.tables.get(&a.0).expect("node");
        table
            .for_each_group_member(TYPE, req.scope, |sk, lower| {
                g.add_member(sk, lower, GFP_KERNEL)
            })
            .expect("memory");
        let range = ServiceRange {
            ty: TYPE,
            lower: req.instance,
            upper: req.instance,
        };
        let sk = SocketAddr {
            node: a.0,
            port: a.1,
        };
        for (&n, t) in self.tables.iter_mut() {
            if Self::sees((n, 0), a, req.scope) {
                t.insert(range, sk, req.scope, a.1 + 1, GFP_KERNEL)
                    .expect("publish");
            }
        }
        let fx = g.joined(GFP_KERNEL);
        self.socks.insert(
            a,
            Sock {
                group: Some(g),
                req,
                rcvq: VecDeque::new(),
                top: VecDeque::new(),
                rcvbuf: 0,
                got: Vec::new(),
                plan: VecDeque::new(),
                unreachable: 0,
            },
        );
        self.top_event(a, EventKind::Published, req);
        self.apply(a, fx);
    }

    /// Tells every subscriber that sees it of `a`'s binding change.
    fn top_event(&mut self, a: Addr, kind: EventKind, req: GroupJoin) {
        let ev = TopEvent {
            kind,
            instance: req.instance,
            sk: SocketAddr {
                node: a.0,
                port: a.1,
            },
        };
        for (&b, s) in self.socks.iter_mut() {
            if s.group.is_some() && s.req.scope == req.scope && Self::sees(b, a, req.scope) {
                s.top.push_back(ev);
            }
        }
    }

    /// Socket `a` leaves (`tipc_sk_leave`): `GRP_LEAVE` to all, then the withdrawal.
    pub(super) fn leave(&mut self, a: Addr) {
        let s = self.socks.get_mut(&a).expect("socket");
        let Some(g) = s.group.take() else {
            return;
        };
        let req = s.req;
        s.top.clear();
        let fx = g.leave(GFP_KERNEL);
        self.apply(a, fx);
        self.withdraw(a, req);
    }

    /// Removes `a`'s binding from every table and reports it.
    fn withdraw(&mut self, a: Addr, req: GroupJoin) {
        let range = ServiceRange {
            ty: TYPE,
            lower: req.instance,
            upper: req.instance,
        };
        for t in self.tables.values_mut() {
            t.remove(
                range,
                SocketAddr {
                    node: a.0,
                    port: a.1,
                },
                a.1 + 1,
            );
        }
        self.top_event(a, EventKind::Withdrawn, req);
    }

    /// Node `n` goes down: its sockets vanish without a word, what they sent is lost.
    pub(super) fn crash(&mut self, n: u32) {
        self.down.push(n);
        self.chans.retain(|k, _| k.0 .0 != n && k.1 .0 != n);
        let gone: Vec<Addr> = self.socks.keys().copied().filter(|a| a.0 == n).collect();
        for a in gone {
            if let Some(s) = self.socks.remove(&a) {
                if s.group.is_some() {
                    self.withdraw(a, s.req);
                }
            }
        }
    }

    /// Carries out `fx` for socket `a`.
    pub(super) fn apply(&mut self, a: Addr, fx: Effects<Vec<u8>>) {
        for m in fx.xmit.iter() {
            let mut buf = [0u8; 40];
            let n = m.emit(&mut buf).expect("emit");
            let to = (m.ports.destnode, m.ports.destport);
            self.chans
                .entry((a, to, false))
                .or_default()
                .push_back(buf[..n].to_vec());
        }
        let Some(s) = self.socks.get_mut(&a) else {
            return;
        };
        if let Some(r) = fx.rcvbuf {
            s.rcvbuf = r;
        }
        for d in fx.deliver {
            s.rcvq.push_back(d);
        }
        let queued: usize = s
            .rcvq
            .iter()
            .map(|d| match d {
                Delivery::Data { msg, .. } => msg.len(),
                Delivery::Event(_) => MemberEvent::LEN,
            })
            .sum();
        if queued > s.rcvbuf as usize {
            self.overloads += 1;
        }
    }

    /// Hands a message from a channel to its receiver (`tipc_sk_filter_rcv`).
    pub(super) fn arrive(&mut self, to: Addr, bytes: Vec<u8>) {
        let Some(g) = self.socks.get_mut(&to).and_then(|s| s.group.as_mut()) else {
            return;
        };
        let p = Packet::new_checked(&bytes[..]).expect("valid");
        let fx = if p.user() == Some(User::GroupProtocol) {
            let r = GroupProtoRepr::parse(&p).expect("group protocol");
            g.on_proto(&r, GFP_KERNEL)
        } else {
            let h = DataRepr::parse(&p).expect("data");
            let inc = Incoming::from_repr(&h, bytes.len()).expect("group data");
            let fx = g.on_data(bytes, inc, GFP_KERNEL);
            if fx.deliver.is_empty() {
                self.held += 1;
            }
            fx
        };
        self.apply(to, fx);
    }

    /// Sends data message `rec` with header `h` and a payload of `size` bytes to `to`.
    fn transmit(&mut self, h: &GroupHeader, size: usize, to: &[Addr], bcast_link: bool, rec: Sent) {
        let a = rec.from;
        let id = self.sent.len() as u64;
        self.sent.push(rec);
        let mut payload = std::vec![0u8; size.max(8)];
        payload[..8].copy_from_slice(&id.to_le_bytes());
        let repr = h.repr(
            Importance::Low,
            SocketAddr {
                node: a.0,
                port: a.1,
            },
        );
        let mut buf = std::vec![0u8; GROUP_H_SIZE + payload.len()];
        repr.emit(&mut buf, &payload).expect("emit");
        for &b in to {
            let link = bcast_link && b.0 != a.0;
            self.chans
                .entry((a, b, link))
                .or_default()
                .push_back(buf.clone());
        }
    }

    /// The sockets a broadcast from `a` reaches: all group sockets on the nodes of its
    /// members (the local multicast delivery and the other nodes').
    fn bcast_targets(&mut self, a: Addr) -> Vec<Addr> {
        let dests = self.group(a).bc_dests(GFP_KERNEL).expect("memory");
        let scope = self.socks[&a].req.scope;
        self.socks
            .iter()
            .filter(|(b, s)| {
                s.group.is_some()
                    && s.req.scope == scope
                    && ((dests.local && b.0 == a.0) || dests.remote.contains(&b.0))
            })
            .map(|(b, _)| *b)
            .collect()
    }

    /// The members that should read a message from `a` sent with `op`, as `a`'s group
    /// knows them now.
    fn readers(&self, a: Addr, op: Op) -> Vec<Addr> {
        let g = self.socks[&a].group.as_ref().expect("joined");
        let want = |b: &Addr| -> bool {
            let Some(s) = self.socks.get(b) else {
                return false;
            };
            match op {
                Op::Mcast(i) => s.req.instance == i,
                _ => true,
            }
        };
        g.members
            .iter()
            .filter(|m| m.is_receiver())
            .map(|m| (m.node, m.port))
            .filter(want)
            .collect()
    }

    /// `a` tries its next send; returns whether it made progress (sent or failed).
    pub(super) fn try_send(&mut self, a: Addr) -> bool {
        let Some(&(op, size)) = self.socks.get(&a).and_then(|s| s.plan.front()) else {
            return false;
        };
        if self.socks[&a].group.is_none() {
            return false;
        }
        let blks = blocks(GROUP_H_SIZE + size.max(8));
        let done = match op {
            Op::Ucast(to) => self.try_ucast(a, to, op, size, blks),
            Op::Anycast(inst, waiting, round) => {
                self.try_anycast(a, inst, waiting, round, size, blks)
            }
            Op::Mcast(inst) => {
                let mut t = self.tables.remove(&a.0).expect("table");
                let plan = self.group(a).mcast_plan(&mut t, inst, GFP_KERNEL);
                self.tables.insert(a.0, t);
                match plan {
                    Ok(McastPlan::Unicast(d)) => {
                        self.try_ucast(a, (d.node, d.port), op, size, blks)
                    }
                    Ok(McastPlan::Broadcast) => self.try_bcast(a, Some(inst), op, size, blks),
                    Err(_) => Some(false),
                }
            }
            Op::Bcast => self.try_bcast(a, None, op, size, blks),
        };
        let Some(sent) = done else {
            self.blocked += 1;
            return false;
        };
        let s = self.socks.get_mut(&a).expect("socket");
        s.plan.pop_front();
        if !sent {
            s.unreachable += 1;
        }
        true
    }

    /// A unicast: `None` while congested, `Some(false)` for `EHOSTUNREACH`.
    fn try_ucast(&mut self, a: Addr, to: Addr, op: Op, size: usize, blks: u16) -> Option<bool> {
        let o = self.group(a).cong(to.0, to.1, blks, GFP_KERNEL);
        self.apply(a, o.effects);
        match o.value {
            SendCheck::Clear => {}
            SendCheck::Congested => return None,
            SendCheck::NotMember => return Some(false),
        }
        let dest = SocketAddr {
            node: to.0,
            port: to.1,
        };
        let h = self.group(a).ucast_header(dest);
        let rec = Sent {
            from: a,
            op,
            to: std::vec![to],
        };
        self.transmit(&h, size, &[to], false, rec);
        self.group(a).ucast_sent(dest, blks);
        Some(true)
    }

    /// An anycast round, or the wait for the member a round chose.
    fn try_anycast(
        &mut self,
        a: Addr,
        inst: u32,
        waiting: Option<Addr>,
        round: u32,
        size: usize,
        blks: u16,
    ) -> Option<bool> {
        let set_op = |net: &mut Self, op: Op| {
            if let Some(f) = net.socks.get_mut(&a).and_then(|s| s.plan.front_mut()) {
                f.0 = op;
            }
        };
        if let Some(w) = waiting {
            let o = self.group(a).cong(w.0, w.1, blks, GFP_KERNEL);
            self.apply(a, o.effects);
            return match o.value {
                SendCheck::Congested => None,
                SendCheck::Clear => {
                    self.try_ucast(a, w, Op::Anycast(inst, None, round), size, blks)
                }
                SendCheck::NotMember => {
                    set_op(self, Op::Anycast(inst, None, round));
                    None
                }
            };
        }
        if round >= ANYCAST_LOOKUPS {
            return Some(false);
        }
        let mut t = self.tables.remove(&a.0).expect("table");
        let pick = self.group(a).anycast_pick(&mut t, inst, blks, GFP_KERNEL);
        self.tables.insert(a.0, t);
        let Ok(o) = pick else {
            return Some(false);
        };
        self.apply(a, o.effects);
        match o.value {
            Anycast::Clear(d) => self.try_ucast(
                a,
                (d.node, d.port),
                Op::Anycast(inst, None, round),
                size,
                blks,
            ),
            Anycast::Congested(d) => {
                set_op(self, Op::Anycast(inst, Some((d.node, d.port)), round + 1));
                None
            }
            Anycast::NotMember => {
                set_op(self, Op::Anycast(inst, None, round + 1));
                None
            }
        }
    }

    /// A broadcast or multicast by broadcast.
    fn try_bcast(
        &mut self,
        a: Addr,
        inst: Option<u32>,
        op: Op,
        size: usize,
        blks: u16,
    ) -> Option<bool> {
        let o = self.group(a).bc_cong(blks, GFP_KERNEL);
        self.apply(a, o.effects);
        if o.value {
            return None;
        }
        let h = match self.group(a).bc_header(inst) {
            Ok(h) => h,
            Err(_) => return Some(false),
        };
        let g = self.group(a);
        let rcast = if g.method_mandatory() {
            g.method_rcast()
        } else {
            self.rng.one_in(2)
        };
        let to = self.bcast_targets(a);
        let readers = self.readers(a, op);
        let rec = Sent {
            from: a,
            op,
            to: readers,
        };
        self.transmit(&h, size, &to, !rcast, rec);
        self.group(a).bc_sent(blks, rcast);
        Some(true)
    }

    /// Socket `a`'s reader takes the head of its queue (`recvmsg`).
    pub(super) fn read(&mut self, a: Addr) {
        let Some(s) = self.socks.get_mut(&a) else {
            return;
        };
        let Some(d) = s.rcvq.pop_front() else {
            return;
        };
        match d {
            Delivery::Data { msg, member } => {
                let p = Packet::new_checked(&msg[..]).expect("valid");
                let h = DataRepr::parse(&p).expect("data");
                let mut id = [0u8; 8];
                id.copy_from_slice(&msg[GROUP_H_SIZE..GROUP_H_SIZE + 8]);
                let from = (h.orignode, h.origport);
                s.got.push(Got::Data {
                    from,
                    id: u64::from_le_bytes(id),
                    member,
                });
                let credit = crate::proto::group::recv::read_credit(&msg);
                assert_eq!(credit, Some((from.0, from.1, blocks(msg.len()))));
                assert_eq!(crate::proto::group::event::queued_recv_flags(&msg), None);
                if let Some(g) = s.group.as_mut() {
                    let fx = g.consumed(from.0, from.1, blocks(msg.len()), GFP_KERNEL);
                    self.apply(a, fx);
                }
            }
            Delivery::Event(e) => s.got.push({
                let mut buf = [0u8; MemberEvent::LEN];
                e.emit(&mut buf).expect("event");
                assert_eq!(crate::proto::group::recv::read_credit(&buf), None);
                let want = match e.kind {
                    EventKind::Published => super::MSG_OOB,
                    EventKind::Withdrawn => super::MSG_OOB | super::MSG_EOR,
                };
                assert_eq!(
                    crate::proto::group::event::queued_recv_flags(&buf),
                    Some(want)
                );
                Got::Event {
                    kind: e.kind,
                    of: (e.node, e.port),
                    instance: e.instance,
                }
            }),
        }
    }

    /// The sockets for which `f` holds.
    fn socks_where(&self, f: impl Fn(&Sock) -> bool) -> Vec<Addr> {
        self.socks
            .iter()
            .filter(|(_, s)| f(s))
            .map(|(k, _)| *k)
            .collect()
    }

    /// One random step: a message arrives, a topology event is handled, a reader reads or
    /// a sender tries. Returns false when nothing but blocked sends remain.
    pub(super) fn step(&mut self, read_bias: usize) -> bool {
        let chans: Vec<_> = self
            .chans
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, _)| *k)
            .collect();
        let tops = self.socks_where(|s| !s.top.is_empty());
        let reads = self.socks_where(|s| !s.rcvq.is_empty());
        let senders = self.socks_where(|s| !s.plan.is_empty());
        let choice = self.rng.below(4 + read_bias);
        if choice == 0 && !chans.is_empty() {
            let k = chans[self.rng.below(chans.len())];
            if let Some(m) = self.chans.get_mut(&k).and_then(|q| q.pop_front()) {
                self.arrive(k.1, m);
            }
            return true;
        }
        if choice == 1 && !tops.is_empty() {
            let a = tops[self.rng.below(tops.len())];
            let up = !self.down.contains(&a.0);
            let s = self.socks.get_mut(&a).expect("socket");
            if let (Some(ev), Some(g)) = (s.top.pop_front(), s.group.as_mut()) {
                let up = up && !self.down.contains(&ev.sk.node);
                let fx = g.member_event(&ev, up, GFP_KERNEL);
                self.apply(a, fx);
            }
            return true;
        }
        if choice == 2 && !senders.is_empty() {
            let a = senders[self.rng.below(senders.len())];
            self.try_send(a);
            return true;
        }
        if choice >= 3 && !reads.is_empty() {
            let a = reads[self.rng.below(reads.len())];
            self.read(a);
            return true;
        }
        if !chans.is_empty() || !tops.is_empty() || !reads.is_empty() {
            return true;
        }
        // Only sends remain: one must go, or they are all blocked for good.
        senders.iter().any(|&a| self.try_send(a))
    }

    /// Runs until nothing is left to do; false if sends stayed blocked.
    pub(super) fn run(&mut self, read_bias: usize) -> bool {
        for _ in 0..5_000_000 {
            if !self.step(read_bias) {
                return self.socks.values().all(|s| s.plan.is_empty());
            }
        }
        false
    }

    /// Every clamp any group made: a correct peer never causes one.
    pub(super) fn clamped(&self) -> u32 {
        self.socks
            .values()
            .filter_map(|s| s.group.as_ref())
            .map(|g| g.clamped)
            .sum()
    }
}

/// Checks what must hold of a group whatever its peers sent.
pub(super) fn check<M>(g: &Group<M>) {
    use super::member::{MbrState, Queue};
    let active = g.members.iter().filter(|m| m.state.counts_active()).count();
    assert_eq!(usize::from(g.active_cnt), active, "active count");
    let owing = g.members.iter().filter(|m| m.owes_ack).count();
    assert_eq!(usize::from(g.bc_ackers), owing, "ackers");
    for w in g.members.windows(2) {
        assert!(w[0].key() < w[1].key(), "members sorted, each once");
    }
    for m in g.members.iter() {
        for (q, st) in [
            (Queue::Active, MbrState::Active),
            (Queue::Pending, MbrState::Pending),
        ] {
            assert!(!m.on(q) || m.state == st, "listed in its state");
        }
        // A duplicate GRP_JOIN may raise a listed window, as in C; only receivers are listed.
        if m.small_win.is_some() {
            assert!(m.is_receiver(), "small window");
        }
        assert!(m.deferred.len() <= 1 << 16);
    }
}

impl Net {
    /// Handles every topology event and message in flight, in a fixed order, until none is
    /// left; readers do not read.
    pub(super) fn settle(&mut self) {
        loop {
            let top = self
                .socks
                .iter()
                .find(|(_, s)| !s.top.is_empty())
                .map(|(k, _)| *k);
            if let Some(a) = top {
                let s = self.socks.get_mut(&a).expect("socket");
                if let (Some(ev), Some(g)) = (s.top.pop_front(), s.group.as_mut()) {
                    let up = !self.down.contains(&ev.sk.node);
                    let fx = g.member_event(&ev, up, GFP_KERNEL);
                    self.apply(a, fx);
                }
                continue;
            }
            let chan = self
                .chans
                .iter()
                .find(|(_, q)| !q.is_empty())
                .map(|(k, _)| *k);
            let Some(k) = chan else {
                return;
            };
            if let Some(m) = self.chans.get_mut(&k).and_then(|q| q.pop_front()) {
                self.arrive(k.1, m);
            }
        }
    }

    /// Every reader reads all it has, then everything settles again, until quiet.
    pub(super) fn read_all(&mut self) {
        loop {
            self.settle();
            let reader = self
                .socks
                .iter()
                .find(|(_, s)| !s.rcvq.is_empty())
                .map(|(k, _)| *k);
            let Some(a) = reader else {
                return;
            };
            while self.socks.get(&a).is_some_and(|s| !s.rcvq.is_empty()) {
                self.read(a);
            }
        }
    }

    /// What `a` read.
    pub(super) fn got(&self, a: Addr) -> &[Got] {
        &self.socks[&a].got
    }

    /// The ids of the data messages `a` read from `from`, in order.
    pub(super) fn ids_from(&self, a: Addr, from: Addr) -> Vec<u64> {
        self.got(a)
            .iter()
            .filter_map(|g| match *g {
                Got::Data { from: f, id, .. } if f == from => Some(id),
                _ => None,
            })
            .collect()
    }

    /// Queues a send for `a`.
    pub(super) fn plan(&mut self, a: Addr, op: Op, size: usize) {
        self.socks
            .get_mut(&a)
            .expect("socket")
            .plan
            .push_back((op, size));
    }
}
