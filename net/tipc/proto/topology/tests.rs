// SPDX-License-Identifier: GPL-2.0

//! The topology server on a simulated node: subscriber connections made of the same
//! connection rules as sockets, a name table, and every message delivered in order.

use std::collections::{BTreeMap, VecDeque};
use std::vec::Vec;

use proptest::prelude::*;

use super::server::{Context, TopSrv, MAX_SUBSCR};
use super::subscriber::MAX_HELD_EVENTS;
use super::subscription::{SUB_CLUSTER_SCOPE, SUB_NODE_SCOPE, SUB_NO_STATUS};
use crate::kalloc::GFP_KERNEL;
use crate::proto::conn::arrive::{Fixed, Incoming, Verdict};
use crate::proto::conn::close::{Queue, Reason};
use crate::proto::conn::machine::Conn;
use crate::proto::conn::send::Chunk;
use crate::proto::conn::state::State;
use crate::proto::msg::filter::RcvbufUse;
use crate::proto::msg::header::{emit_header, Addressing, Sender};
use crate::proto::msg::rcvbuf::RCVBUF_DEF;
use crate::proto::msg::reverse::returned;
use crate::proto::name_table::addr::{Scope, ServiceRange, SocketAddr};
use crate::proto::name_table::table::NameTable;
use crate::proto::sock_kind::SockKind;
use crate::proto::sockopt::SockOpts;
use crate::proto::wire::header::Packet;
use crate::proto::wire::topsrv::{
    ByteOrder, Event, Subscription, PUBLISHED, SUBSCR_TIMEOUT, SUB_CANCEL, SUB_PORTS, SUB_SERVICE,
    WAIT_FOREVER, WITHDRAWN,
};

/// The node's address.
const NODE: u32 = 0x0100_1001;
/// The listener's port.
const LISTENER: u32 = 1000;

/// A subscriber socket: its connection and what it received.
struct Client {
    conn: Conn,
    opts: SockOpts,
    rx: VecDeque<Vec<u8>>,
}

/// One node: the table, the server, the subscribers, messages in flight.
struct World {
    table: NameTable,
    srv: TopSrv,
    clients: BTreeMap<u32, Client>,
    wire: VecDeque<Vec<u8>>,
    now: u64,
    next_port: u32,
    released: Vec<u32>,
}

impl World {
    fn new() -> Self {
        Self {
            table: NameTable::new(NODE, false),
            srv: TopSrv::new(LISTENER),
            clients: BTreeMap::new(),
            wire: VecDeque::new(),
            now: 0,
            next_port: 5000,
            released: Vec::new(),
        }
    }

    fn ctx(&self) -> Context {
        Context {
            now: self.now,
            own_node: NODE,
            rcvbuf: RCVBUF_DEF,
            flags: GFP_KERNEL,
        }
    }

    /// Takes the server's outputs.
    fn collect(&mut self) {
        self.wire
            .extend(self.srv.take_transmits().iter().map(|t| t.bytes().to_vec()));
        self.released
            .extend(self.srv.take_released().iter().copied());
    }

    /// Delivers everything in flight.
    fn run(&mut self) {
        self.collect();
        while let Some(m) = self.wire.pop_front() {
            let dest = Packet::new_checked(&m[..]).unwrap().destport();
            let ctx = self.ctx();
            if dest == LISTENER {
                let port = self.next_port;
                if self.srv.on_listener_message(&m, port, &ctx, &self.table) {
                    self.next_port += 1;
                }
            } else if self.srv.serves(dest) {
                self.srv.on_message(dest, &m, &ctx, &self.table);
            } else if let Some(c) = self.clients.get_mut(&dest) {
                let inc = Incoming {
                    ambient: &Fixed {
                        now: self.now,
                        random: 0,
                    },
                    own_node: NODE,
                    rcv: RcvbufUse {
                        used: 0,
                        truesize: m.len() as u32,
                        rcvbuf: RCVBUF_DEF,
                    },
                    conn_timeout: c.opts.conn_timeout(),
                };
                let a = c.conn.on_message(&m, &inc);
                if let Some(r) = a.effects.reply {
                    self.wire.push_back(r.bytes().to_vec());
                }
                match a.verdict {
                    Verdict::Accept => c.rx.push_back(m),
                    Verdict::Drop => {}
                    Verdict::Reject { code, .. } => {
                        if let Some(r) = returned(&m, code) {
                            let mut out = std::vec![0u8; r.len()];
                            r.emit(NODE, &mut out).unwrap();
                            self.wire.push_back(out);
                        }
                    }
                }
            }
            self.collect();
        }
    }

    /// A new subscriber of `kind` at `port`, connected to the server.
    fn connect_kind(&mut self, port: u32, kind: SockKind) {
        let opts = SockOpts::new(kind);
        let conn = Conn::new(kind, port).unwrap();
        let sender = Sender::new(port, NODE, &opts);
        let to = SocketAddr {
            port: LISTENER,
            node: NODE,
        };
        let h = crate::proto::conn::ctrl::syn_header(&sender, &Addressing::Direct { to });
        let mut b = std::vec![0u8; 60];
        let hlen = emit_header(&h, 0, &mut b).unwrap();
        b.truncate(hlen);
        let mut c = Client {
            conn,
            opts,
            rx: VecDeque::new(),
        };
        c.conn.syn_sent(to, b.len(), 0);
        self.clients.insert(port, c);
        self.wire.push_back(b);
        self.run();
        assert_eq!(self.client(port).conn.state(), State::Established);
    }

    fn connect(&mut self, port: u32) {
        self.connect_kind(port, SockKind::SeqPacket);
    }

    fn client(&mut self, port: u32) -> &mut Client {
        self.clients.get_mut(&port).unwrap()
    }

    /// `port` sends `data` in one message.
    fn send(&mut self, port: u32, data: &[u8]) {
        let sender = Sender::new(port, NODE, &self.client(port).opts);
        let c = self.client(port);
        let Chunk::Message { len, header } = c.conn.next_chunk(data.len(), &sender) else {
            panic!("bundled");
        };
        let mut m = header.to_vec();
        m.extend_from_slice(&data[..len]);
        drop(c.conn.commit_message(len));
        self.wire.push_back(m);
        self.run();
    }

    fn subscribe(&mut self, port: u32, s: &Subscription) {
        let mut b = [0u8; 28];
        s.emit(&mut b).unwrap();
        self.send(port, &b);
    }

    /// Reads everything `port` received: the events, and whether end of file came.
    fn read(&mut self, port: u32) -> (Vec<Event>, bool) {
        let mut events = Vec::new();
        let mut eof = false;
        while let Some(m) = self.client(port).rx.pop_front() {
            let p = Packet::new_checked(&m[..]).unwrap();
            if p.errcode() != 0 {
                eof = true;
            } else {
                events.push(Event::parse(p.payload()).unwrap());
            }
            let c = self.client(port);
            if let Some(a) = c.conn.consumed(m.len(), RCVBUF_DEF, NODE) {
                self.wire.push_back(a.bytes().to_vec());
            }
        }
        self.run();
        (events, eof)
    }

    fn events(&mut self, port: u32) -> Vec<Event> {
        let (e, eof) = self.read(port);
        assert!(!eof, "the server closed the connection");
        e
    }

    fn bind(&mut self, ty: u32, lower: u32, upper: u32, port: u32, scope: Scope) {
        let range = ServiceRange { ty, lower, upper };
        let sk = SocketAddr { port, node: NODE };
        let p = self
            .table
            .insert(range, sk, scope, port, GFP_KERNEL)
            .unwrap();
        let ctx = self.ctx();
        self.srv.published(&range, &p, &ctx);
        self.run();
    }

    fn unbind(&mut self, ty: u32, lower: u32, upper: u32, port: u32) {
        let range = ServiceRange { ty, lower, upper };
        let sk = SocketAddr { port, node: NODE };
        let w = self.table.remove(range, sk, port).unwrap();
        let ctx = self.ctx();
        self.srv.withdrawn(&w, &ctx);
        self.run();
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        if self.srv.next_deadline().is_some_and(|d| d <= self.now) {
            let ctx = self.ctx();
            self.srv.on_timeout(&ctx);
            self.run();
        }
    }

    /// The subscriber at `port` closes its socket.
    fn close(&mut self, port: u32) {
        let mut c = self.clients.remove(&port).unwrap();
        let closing = c.conn.close(Reason::Release, c.rx.is_empty(), NODE);
        if let Some(f) = closing.fin {
            self.wire.push_back(f.bytes().to_vec());
        }
        if let (Queue::ReturnFirst(code), Some(m)) = (closing.queue, c.rx.front()) {
            // The first unread message goes back in place of a FIN.
            let r = returned(m, code).unwrap();
            let mut out = std::vec![0u8; r.len()];
            r.emit(NODE, &mut out).unwrap();
            self.wire.push_back(out);
        }
        self.run();
    }
}

fn sub(ty: u32, lower: u32, upper: u32, filter: u32) -> Subscription {
    Subscription {
        service: ty,
        lower,
        upper,
        timeout: WAIT_FOREVER,
        filter,
        handle: *b"handle!!",
        order: ByteOrder::host(),
    }
}

/// (event, found_lower, found_upper, port) of each event.
fn summary(events: &[Event]) -> Vec<(u32, u32, u32, u32)> {
    events
        .iter()
        .map(|e| (e.event, e.found_lower, e.found_upper, e.port_ref))
        .collect()
}

#[test]
fn service_reports_first_and_last_of_each_exact_range() {
    let mut w = World::new();
    w.connect(1);
    let s = sub(100, 10, 20, SUB_SERVICE);
    w.subscribe(1, &s);
    w.bind(100, 15, 15, 7, Scope::Cluster);
    w.bind(100, 15, 15, 8, Scope::Cluster);
    w.bind(100, 0, 30, 9, Scope::Cluster);
    w.bind(100, 21, 30, 9, Scope::Cluster);
    w.bind(101, 15, 15, 9, Scope::Cluster);
    w.unbind(100, 15, 15, 7);
    w.unbind(100, 15, 15, 8);
    let e = w.events(1);
    assert_eq!(
        summary(&e),
        [
            (PUBLISHED, 15, 15, 7),
            (PUBLISHED, 0, 30, 9),
            (WITHDRAWN, 15, 15, 8)
        ]
    );
    assert!(e.iter().all(|e| e.sub == s && e.port_node == NODE));
}

#[test]
fn ports_reports_every_publication() {
    let mut w = World::new();
    w.connect(1);
    w.subscribe(1, &sub(100, 10, 20, SUB_PORTS));
    w.bind(100, 15, 15, 7, Scope::Cluster);
    w.bind(100, 15, 15, 8, Scope::Node);
    w.unbind(100, 15, 15, 7);
    assert_eq!(
        summary(&w.events(1)),
        [
            (PUBLISHED, 15, 15, 7),
            (PUBLISHED, 15, 15, 8),
            (WITHDRAWN, 15, 15, 7)
        ]
    );
}

#[test]
fn scope_bits_filter_publications() {
    let mut w = World::new();
    w.connect(1);
    w.subscribe(1, &sub(100, 0, 9, SUB_PORTS | SUB_CLUSTER_SCOPE));
    w.subscribe(1, &sub(100, 0, 9, SUB_PORTS | SUB_NODE_SCOPE));
    w.bind(100, 1, 1, 7, Scope::Cluster);
    w.bind(100, 2, 2, 8, Scope::Node);
    let e = w.events(1);
    assert_eq!(summary(&e), [(PUBLISHED, 1, 1, 7), (PUBLISHED, 2, 2, 8)]);
    assert_eq!(e[0].sub.filter, SUB_PORTS | SUB_CLUSTER_SCOPE);
    assert_eq!(e[1].sub.filter, SUB_PORTS | SUB_NODE_SCOPE);
}

#[test]
fn newest_subscription_hears_first() {
    let mut w = World::new();
    w.connect(1);
    let old = sub(100, 0, 9, SUB_PORTS);
    let new = sub(100, 5, 9, SUB_PORTS);
    w.subscribe(1, &old);
    w.subscribe(1, &new);
    w.bind(100, 5, 5, 7, Scope::Cluster);
    let e = w.events(1);
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].sub, e[1].sub), (new, old));
}

#[test]
fn initial_status_oldest_first() {
    let mut w = World::new();
    w.bind(100, 5, 5, 7, Scope::Cluster);
    w.bind(100, 1, 1, 8, Scope::Cluster);
    w.bind(100, 5, 5, 9, Scope::Cluster);
    w.bind(100, 50, 50, 9, Scope::Cluster);
    w.connect(1);
    w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
    assert_eq!(
        summary(&w.events(1)),
        [
            (PUBLISHED, 5, 5, 7),
            (PUBLISHED, 1, 1, 8),
            (PUBLISHED, 5, 5, 9)
        ]
    );
    w.subscribe(1, &sub(100, 0, 10, SUB_SERVICE));
    assert_eq!(
        summary(&w.events(1)),
        [(PUBLISHED, 5, 5, 7), (PUBLISHED, 1, 1, 8)]
    );
    w.subscribe(1, &sub(100, 0, 10, SUB_PORTS | SUB_NO_STATUS));
    assert_eq!(w.events(1), []);
}

#[test]
fn timeout_ends_the_subscription() {
    let mut w = World::new();
    w.connect(1);
    let mut s = sub(100, 0, 10, SUB_PORTS);
    s.timeout = 300;
    w.subscribe(1, &s);
    w.subscribe(1, &sub(200, 0, 10, SUB_PORTS));
    assert_eq!(w.srv.next_deadline(), Some(300));
    w.advance(299);
    assert_eq!(w.events(1), []);
    w.advance(1);
    let e = w.events(1);
    assert_eq!(summary(&e), [(SUBSCR_TIMEOUT, 0, 10, 0)]);
    assert_eq!((e[0].port_node, e[0].sub), (0, s));
    assert_eq!(w.srv.subscriptions(), 1);
    assert_eq!(w.srv.next_deadline(), None);
    w.bind(100, 1, 1, 7, Scope::Cluster);
    assert_eq!(w.events(1), []);
}

#[test]
fn cancel_removes_the_identical_subscription() {
    let mut w = World::new();
    w.connect(1);
    let s = sub(100, 0, 10, SUB_PORTS);
    w.subscribe(1, &s);
    let mut other = s;
    other.handle = *b"another!";
    w.subscribe(
        1,
        &Subscription {
            filter: SUB_PORTS | SUB_CANCEL,
            ..other
        },
    );
    assert_eq!(w.srv.subscriptions(), 1);
    w.subscribe(
        1,
        &Subscription {
            filter: SUB_PORTS | SUB_CANCEL,
            ..s
        },
    );
    assert_eq!(w.srv.subscriptions(), 0);
    w.bind(100, 1, 1, 7, Scope::Cluster);
    assert_eq!(w.events(1), []);
}

#[test]
fn the_other_byte_order_is_answered_in_it() {
    let mut w = World::new();
    w.connect(1);
    let mut s = sub(100, 0, 10, SUB_SERVICE);
    s.order = ByteOrder::host().swapped();
    let mut raw = [0u8; 28];
    s.emit(&mut raw).unwrap();
    w.send(1, &raw);
    w.bind(100, 3, 4, 7, Scope::Cluster);
    let m = w.client(1).rx.pop_front().unwrap();
    let payload = Packet::new_checked(&m[..]).unwrap().payload().to_vec();
    assert_eq!(&payload[20..], &raw);
    assert_eq!(&payload[4..8], &s.order.write(3));
    let e = Event::parse(&payload).unwrap();
    assert_eq!(
        (e.event, e.found_lower, e.found_upper, e.port_ref),
        (PUBLISHED, 3, 4, 7)
    );
    // Cancelling in the subscriber's order works too.
    let mut cancel = s;
    cancel.filter |= SUB_CANCEL;
    w.subscribe(1, &cancel);
    assert_eq!(w.srv.subscriptions(), 0);
}

#[test]
fn bad_requests_close_the_connection() {
    for bad in [
        {
            let mut b = [0u8; 28];
            sub(100, 0, 1, SUB_PORTS | SUB_SERVICE)
                .emit(&mut b)
                .unwrap();
            b.to_vec()
        },
        {
            let mut b = [0u8; 28];
            sub(100, 2, 1, SUB_PORTS).emit(&mut b).unwrap();
            b.to_vec()
        },
        std::vec![1u8; 27],
        std::vec![1u8; 1],
    ] {
        let mut w = World::new();
        w.connect(1);
        w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
        w.send(1, &bad);
        let (events, eof) = w.read(1);
        assert!(events.is_empty() && eof, "{bad:?}");
        assert_eq!(w.srv.subscriptions(), 0);
        assert_eq!(w.srv.connections(), 0);
        assert_eq!(w.released, [5000]);
    }
}

#[test]
fn an_empty_message_is_skipped() {
    let mut w = World::new();
    w.connect(1);
    w.send(1, &[]);
    w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
    w.bind(100, 1, 1, 7, Scope::Cluster);
    assert_eq!(w.events(1).len(), 1);
}

#[test]
fn a_timeout_in_the_other_order_keeps_its_range_in_the_hosts() {
    let mut w = World::new();
    w.connect(1);
    let mut s = sub(100, 0x10, 0x20, SUB_PORTS);
    s.order = ByteOrder::host().swapped();
    s.timeout = 5;
    w.subscribe(1, &s);
    w.advance(5);
    let m = w.client(1).rx.pop_front().unwrap();
    let payload = Packet::new_checked(&m[..]).unwrap().payload().to_vec();
    assert_eq!(&payload[..4], &s.order.write(SUBSCR_TIMEOUT));
    assert_eq!(&payload[4..8], &ByteOrder::host().write(0x10));
    assert_eq!(&payload[8..12], &ByteOrder::host().write(0x20));
}

#[test]
fn a_longer_message_is_read_by_its_first_28_bytes() {
    let mut w = World::new();
    w.connect(1);
    let mut b = [0u8; 40];
    sub(100, 0, 10, SUB_PORTS).emit(&mut b).unwrap();
    w.send(1, &b);
    w.bind(100, 1, 1, 7, Scope::Cluster);
    assert_eq!(w.events(1).len(), 1);
}

#[test]
fn stream_subscribers_are_served_alike() {
    let mut w = World::new();
    w.connect_kind(1, SockKind::Stream);
    w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
    w.bind(100, 1, 1, 7, Scope::Cluster);
    assert_eq!(w.events(1).len(), 1);
}

#[test]
fn a_subscriber_that_reads_late_gets_every_event_in_order() {
    let mut w = World::new();
    w.connect(1);
    w.subscribe(1, &sub(100, 0, u32::MAX, SUB_PORTS));
    for i in 0..3000 {
        w.bind(100, i, i, 7, Scope::Cluster);
    }
    assert!(w.client(1).rx.len() < 3000, "the window holds events back");
    let mut got = Vec::new();
    while got.len() < 3000 {
        let e = w.events(1);
        assert!(!e.is_empty());
        got.extend(e);
    }
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, e)| e.found_lower == i as u32));
}

#[test]
fn a_subscriber_that_never_reads_is_closed_past_the_limit() {
    let mut w = World::new();
    w.connect(1);
    w.subscribe(1, &sub(100, 0, u32::MAX, SUB_PORTS));
    for i in 0..(MAX_HELD_EVENTS as u32 + 200) {
        w.bind(100, i, i, 7, Scope::Node);
    }
    assert_eq!(w.srv.counters().overflow, 1);
    assert_eq!(w.srv.connections(), 0);
    let (_, eof) = w.read(1);
    assert!(eof);
}

#[test]
fn the_namespace_limit_closes_the_asking_connection() {
    let mut w = World::new();
    w.connect(1);
    w.connect(2);
    for i in 0..MAX_SUBSCR as u32 {
        w.subscribe(1, &sub(100, i, i, SUB_PORTS | SUB_NO_STATUS));
    }
    assert_eq!(w.srv.subscriptions(), MAX_SUBSCR);
    w.subscribe(2, &sub(100, 0, 0, SUB_PORTS));
    assert_eq!(w.srv.counters().limit, 1);
    assert!(w.read(2).1);
    assert_eq!(w.srv.subscriptions(), MAX_SUBSCR);
    w.close(1);
    assert_eq!(w.srv.subscriptions(), 0);
    assert_eq!(w.srv.connections(), 0);
}

#[test]
fn a_subscriber_that_closes_takes_its_subscriptions() {
    let mut w = World::new();
    w.connect(1);
    w.connect(2);
    w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
    w.subscribe(2, &sub(100, 0, 10, SUB_PORTS));
    w.bind(100, 1, 1, 7, Scope::Cluster);
    w.close(1);
    assert_eq!(w.srv.subscriptions(), 1);
    assert_eq!(w.released, [5000]);
    w.bind(100, 2, 2, 7, Scope::Cluster);
    assert_eq!(w.events(2).len(), 2);
}

proptest! {
    /// Whatever arrives at the server's ports, in any order, it neither panics nor keeps a
    /// subscription of a connection it forgot.
    #[test]
    fn hostile_messages_leave_the_server_consistent(
        msgs in prop::collection::vec((0u32..4, prop::collection::vec(any::<u8>(), 0..80)), 0..40)
    ) {
        let mut w = World::new();
        w.connect(1);
        w.subscribe(1, &sub(100, 0, 10, SUB_PORTS));
        for (to, mut bytes) in msgs {
            if bytes.len() >= 24 {
                // Aim some at the server's ports, as a well-formed header would.
                let dest = [LISTENER, 5000, 5001, 9][to as usize];
                let mut p = Packet::new_unchecked(&mut bytes[..]);
                p.set_destport(dest);
            }
            w.wire.push_back(bytes);
            w.wire.retain(|m| Packet::new_checked(&m[..]).is_ok());
            w.run();
        }
        w.bind(100, 1, 1, 7, Scope::Cluster);
        prop_assert!(w.srv.subscriptions() <= 1);
        if w.srv.connections() == 0 {
            prop_assert_eq!(w.srv.subscriptions(), 0);
        }
    }
}
