// SPDX-License-Identifier: GPL-2.0

//! Connections between sockets of one simulated node: setup, bulk transfer both ways with a
//! small receive window, acknowledgements, end of file, reset and probing; and the
//! arrival rules one by one.

use std::collections::{BTreeMap, VecDeque};
use std::vec::Vec;

use proptest::prelude::*;

use super::arrive::{Fixed, Incoming, Verdict, SYN_RETRY_BASE_MS};
use super::close::{Queue, Reason};
use super::machine::{Conn, Waiting, Wake};
use super::recv::{seqpacket_step, stream_more, stream_required, stream_step, StreamStep};
use super::send::{Chunk, SendPlan};
use super::setup::{AfterSyn, Connect};
use super::state::State;
use super::timer::Tick;
use crate::kalloc::GFP_KERNEL;
use crate::proto::errno::Errno;
use crate::proto::msg::dest::Destination;
use crate::proto::msg::filter::RcvbufUse;
use crate::proto::msg::header::{emit_header, Addressing, Sender};
use crate::proto::msg::recv::RecvStep;
use crate::proto::msg::reverse::returned;
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::name_table::bind::{SockaddrTipc, TIPC_SOCKET_ADDR};
use crate::proto::sock_kind::SockKind;
use crate::proto::sockopt::{Importance as SockImportance, SockOpts};
use crate::proto::wire::conn_mgr::ConnMsgType;
use crate::proto::wire::consts::{ErrorCode, User};
use crate::proto::wire::header::Packet;
use crate::proto::AF_TIPC;

/// The node's address.
const NODE: u32 = 0x0100_1001;
/// A non-blocking call.
const NOW: Waiting = Waiting {
    time_left: false,
    signal: false,
};
/// A blocking call with time left.
const WAIT: Waiting = Waiting {
    time_left: true,
    signal: false,
};

/// A socket: its connection, options and receive queue (message, bytes read).
struct Sock {
    /// The connection state.
    conn: Conn,
    /// Its options.
    opts: SockOpts,
    /// Queued messages with their read offsets.
    rx: VecDeque<(Vec<u8>, usize)>,
    /// Bytes charged to the receive buffer.
    rmem: u32,
    /// The receive buffer.
    rcvbuf: u32,
}

/// What the node saw.
#[derive(Default)]
struct Stats {
    /// `CONN_ACK`s delivered.
    acks: usize,
    /// Messages that asked for an acknowledgement (Nagle).
    ack_required: usize,
    /// Refusals, by code.
    rejects: Vec<ErrorCode>,
}

/// One node: sockets by port, messages in flight in order, a clock.
struct Node {
    /// The sockets.
    socks: BTreeMap<u32, Sock>,
    /// Messages sent and not yet delivered.
    wire: VecDeque<Vec<u8>>,
    /// Time (ms).
    now: u64,
    /// Counters.
    stats: Stats,
}

/// The truesize the node charges for a message of `len` bytes.
fn truesize(len: usize) -> u32 {
    len as u32 + 512
}

/// Byte `k` of the data direction `d` sends.
fn pattern(d: u8, k: usize) -> u8 {
    (k as u8).wrapping_mul(31).wrapping_add(d.wrapping_mul(7)) ^ (k >> 9) as u8
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

impl Node {
    /// An empty node.
    fn new() -> Self {
        Self {
            socks: BTreeMap::new(),
            wire: VecDeque::new(),
            now: 0,
            stats: Stats::default(),
        }
    }

    /// Adds a socket of `kind` at `port` with receive buffer `rcvbuf`.
    fn add(&mut self, kind: SockKind, port: u32, rcvbuf: u32) {
        let sock = Sock {
            conn: Conn::new(kind, port).unwrap(),
            opts: SockOpts::new(kind),
            rx: VecDeque::new(),
            rmem: 0,
            rcvbuf,
        };
        self.socks.insert(port, sock);
    }

    /// Socket `port`.
    fn sock(&mut self, port: u32) -> &mut Sock {
        self.socks.get_mut(&port).unwrap()
    }

    /// One read of up to `buflen` bytes at socket `port`, as its kind reads.
    fn recv(&mut self, port: u32, buflen: usize) -> Result<Vec<u8>, Errno> {
        if self.sock(port).conn.stream {
            self.recv_stream(port, buflen)
        } else {
            self.recv_packet(port, buflen)
        }
    }

    /// Delivers every message in flight, and what that sends in turn.
    fn run(&mut self) {
        while let Some(m) = self.wire.pop_front() {
            self.deliver(m);
        }
    }

    /// Delivers up to `n` messages in flight.
    fn run_some(&mut self, n: usize) {
        for _ in 0..n {
            let Some(m) = self.wire.pop_front() else {
                return;
            };
            self.deliver(m);
        }
    }

    /// Delivers `m` to its socket, as the glue does.
    fn deliver(&mut self, m: Vec<u8>) {
        let p = Packet::new_checked(&m[..]).unwrap();
        if p.user() == Some(User::ConnManager) && p.msg_type() == ConnMsgType::Ack as u32 {
            self.stats.acks += 1;
        }
        if p.user().is_some_and(|u| u.is_data()) && p.flags().src_droppable {
            self.stats.ack_required += 1;
        }
        let now = self.now;
        let Some(s) = self.socks.get_mut(&p.destport()) else {
            self.reject(&m, ErrorCode::NoPort);
            return;
        };
        let inc = Incoming {
            ambient: &Fixed { now, random: 7 },
            own_node: NODE,
            rcv: RcvbufUse {
                used: s.rmem,
                truesize: truesize(m.len()),
                rcvbuf: s.rcvbuf,
            },
            conn_timeout: s.opts.conn_timeout(),
        };
        let a = s.conn.on_message(&m, &inc);
        if let Some(i) = a.effects.importance {
            s.opts.set_importance(i);
        }
        self.wire.extend(a.effects.flush.iter().map(|b| b.to_vec()));
        self.wire
            .extend(a.effects.reply.map(|r| r.bytes().to_vec()));
        match a.verdict {
            Verdict::Accept => {
                s.rmem += truesize(m.len());
                s.rx.push_back((m, 0));
            }
            Verdict::Drop => {}
            Verdict::Reject { code, .. } => self.reject(&m, code),
        }
    }

    /// Refuses `m` with `code`, returning it if it may be.
    fn reject(&mut self, m: &[u8], code: ErrorCode) {
        self.stats.rejects.push(code);
        if let Some(r) = returned(m, code) {
            let mut out = std::vec![0u8; r.len()];
            r.emit(NODE, &mut out).unwrap();
            self.wire.push_back(out);
        }
    }

    /// The sender part of socket `port`.
    fn sender(&mut self, port: u32) -> Sender {
        Sender::new(port, NODE, &self.sock(port).opts)
    }

    /// Sends a SYN with `data` from `port` to `to`, as connect or an implicit setup does.
    fn syn(&mut self, port: u32, to: SocketAddr, data: &[u8]) {
        let sender = self.sender(port);
        let h = super::ctrl::syn_header(&sender, &Addressing::Direct { to });
        let mut b = std::vec![0u8; 60 + data.len()];
        let hlen = emit_header(&h, data.len(), &mut b).unwrap();
        b.truncate(hlen + data.len());
        b[hlen..].copy_from_slice(data);
        let len = b.len();
        self.wire.push_back(b);
        self.sock(port).conn.syn_sent(to, len, data.len());
    }

    /// `connect(2)` from `port` to socket `to`, blocking; delivers everything and returns
    /// what the wait reports then (success while it would still wait for `accept(2)`).
    fn connect(&mut self, port: u32, to: u32) -> Result<(), Errno> {
        let addr = sa(to);
        let timeout = self.sock(port).opts.conn_timeout();
        let plan = self.sock(port).conn.connect(&addr, false, timeout, false)?;
        let Connect::Syn {
            dest: Destination::Socket(dest),
            then: AfterSyn::Wait { .. },
        } = plan
        else {
            panic!("{plan:?}");
        };
        self.syn(port, dest, &[]);
        self.run();
        match self.sock(port).conn.connect_wait(WAIT)? {
            Wake::Ready | Wake::Sleep => Ok(()),
            Wake::Interrupted => panic!("no signals here"),
        }
    }

    /// `accept(2)` on `listener` into a new socket at `port`; delivers everything.
    fn accept(&mut self, listener: u32, port: u32) -> Result<(), Errno> {
        let kind = if self.sock(listener).conn.stream {
            SockKind::Stream
        } else {
            SockKind::SeqPacket
        };
        self.add(kind, port, 1 << 20);
        let l = self.sock(listener);
        l.conn.accept_check()?;
        let (syn, _) = l.rx.pop_front().ok_or(Errno::EAGAIN)?;
        l.rmem -= truesize(syn.len());
        let sender = self.sender(port);
        let a = self.sock(listener).conn.accept(&syn, &sender, 0)?;
        let s = self.sock(port);
        s.conn = a.conn;
        s.opts.set_importance(a.importance);
        if a.keep_syn {
            s.rmem += truesize(syn.len());
            s.rx.push_front((syn, 0));
        }
        self.wire.push_back(a.ack.to_vec());
        self.run();
        Ok(())
    }

    /// A non-blocking `send(2)` of `data` from `port`; returns the bytes sent.
    fn send(&mut self, port: u32, data: &[u8]) -> Result<usize, Errno> {
        match self.sock(port).conn.send_begin(None, data.len(), false)? {
            SendPlan::Connected => {}
            p => panic!("{p:?}"),
        }
        let mut sent = 0;
        loop {
            match self.sock(port).conn.send_wait(NOW) {
                Ok(Wake::Ready) => {}
                Err(e) if sent == 0 => return Err(e),
                _ => return Ok(sent),
            }
            let sender = self.sender(port);
            let conn = &mut self.sock(port).conn;
            match conn.next_chunk(data.len() - sent, &sender) {
                Chunk::Message { len, header } => {
                    let mut m = header.to_vec();
                    m.extend_from_slice(&data[sent..sent + len]);
                    let held = conn.commit_message(len);
                    self.wire.extend(held.iter().map(|b| b.to_vec()));
                    self.wire.push_back(m);
                    sent += len;
                }
                Chunk::Bundle { len } => {
                    let out = conn.append(&data[sent..sent + len], &sender, GFP_KERNEL)?;
                    sent += len;
                    match out {
                        None => return Ok(sent),
                        Some(msgs) => self.wire.extend(msgs.iter().map(|b| b.to_vec())),
                    }
                }
            }
            if sent >= data.len() {
                return Ok(sent);
            }
        }
    }

    /// Removes the head of `port`'s queue and counts it as read.
    fn consume(&mut self, port: u32) {
        let s = self.sock(port);
        let (m, _) = s.rx.pop_front().unwrap();
        s.rmem -= truesize(m.len());
        let rcvbuf = s.rcvbuf;
        if let Some(a) = s.conn.consumed(m.len(), rcvbuf, NODE) {
            self.wire.push_back(a.bytes().to_vec());
        }
    }

    /// A non-blocking stream `recv(2)` of up to `buflen` bytes on `port`.
    fn recv_stream(&mut self, port: u32, buflen: usize) -> Result<Vec<u8>, Errno> {
        self.sock(port).conn.recv_check(buflen)?;
        let required = stream_required(buflen, 0, 1);
        let mut out = Vec::new();
        loop {
            let s = self.sock(port);
            match s.conn.recv_wait(true, s.rx.is_empty(), NOW) {
                Ok(Wake::Ready) => {}
                Err(e) if out.is_empty() => return Err(e),
                _ => return Ok(out),
            }
            let (m, br) = s.rx.front_mut().unwrap();
            match stream_step(m, *br, out.len(), buflen, 0, false) {
                StreamStep::Discard => {
                    let (m, _) = s.rx.pop_front().unwrap();
                    s.rmem -= truesize(m.len());
                    continue;
                }
                StreamStep::Read(r) => {
                    out.extend_from_slice(&m[r.copy.clone()]);
                    if let Some(off) = r.keep_offset {
                        *br = off;
                    }
                    if r.consume {
                        self.consume(port);
                    }
                    if let Some(e) = r.error {
                        return Err(e);
                    }
                    if r.stop {
                        return Ok(out);
                    }
                }
            }
            let empty = self.sock(port).rx.is_empty();
            if !stream_more(empty, out.len(), required) {
                return Ok(out);
            }
        }
    }

    /// A non-blocking `SOCK_SEQPACKET` `recv(2)` of up to `buflen` bytes on `port`.
    fn recv_packet(&mut self, port: u32, buflen: usize) -> Result<Vec<u8>, Errno> {
        self.sock(port).conn.recv_check(buflen)?;
        loop {
            let s = self.sock(port);
            let Wake::Ready = s.conn.recv_wait(true, s.rx.is_empty(), NOW)? else {
                panic!("non-blocking");
            };
            let (m, br) = s.rx.front_mut().unwrap();
            match seqpacket_step(m, *br, buflen, 0, false)? {
                RecvStep::Discard => {
                    let (m, _) = s.rx.pop_front().unwrap();
                    s.rmem -= truesize(m.len());
                }
                RecvStep::Read(plan) => {
                    let out = m[plan.copy.clone()].to_vec();
                    *br = plan.bytes_read;
                    if plan.consume {
                        self.consume(port);
                    }
                    return Ok(out);
                }
            }
        }
    }

    /// `shutdown(2)` or `close(2)` on `port`, as the glue carries it out.
    fn close(&mut self, port: u32, reason: Reason) -> Result<(), Errno> {
        let s = self.sock(port);
        if s.rx.front().is_some_and(|(_, br)| *br != 0) {
            let (m, _) = s.rx.pop_front().unwrap();
            s.rmem -= truesize(m.len());
        }
        let out = s.conn.close(reason, s.rx.is_empty(), NODE);
        let rx: Vec<Vec<u8>> = s.rx.drain(..).map(|(m, _)| m).collect();
        s.rmem = 0;
        self.wire.extend(out.flush.iter().map(|b| b.to_vec()));
        match out.queue {
            Queue::ReturnFirst(code) => {
                if let Some(first) = rx.first() {
                    self.reject(first, code);
                }
            }
            Queue::ReturnAll(code) => rx.iter().for_each(|m| self.reject(m, code)),
            Queue::Purge => {}
        }
        self.wire.extend(out.fin.map(|f| f.bytes().to_vec()));
        if reason == Reason::Release {
            self.socks.remove(&port);
        }
        self.run();
        out.result
    }
}

/// A `sockaddr_tipc` for socket `port` on this node.
fn sa(port: u32) -> [u8; 16] {
    SockaddrTipc {
        family: AF_TIPC,
        addrtype: TIPC_SOCKET_ADDR,
        scope: 0,
        words: [port, NODE, 0],
    }
    .to_bytes()
}

/// A node with a listener at 10 and a connection from 1 to the accepted socket 2, of
/// `kind`, socket 2 with receive buffer `rcvbuf`.
fn connected(kind: SockKind, rcvbuf: u32) -> Node {
    let mut n = Node::new();
    n.add(kind, 10, 1 << 20);
    n.add(kind, 1, 1 << 20);
    n.sock(10).conn.listen().unwrap();
    n.connect(1, 10).unwrap();
    n.accept(10, 2).unwrap();
    n.sock(2).rcvbuf = rcvbuf;
    n.sock(1).rcvbuf = rcvbuf;
    assert_eq!(n.sock(1).conn.state(), State::Established);
    assert_eq!(n.sock(2).conn.state(), State::Established);
    assert_eq!(
        n.sock(1).conn.peer_name(false),
        Ok(SocketAddr {
            port: 2,
            node: NODE
        })
    );
    n
}

/// Transfers `total` bytes each way between sockets 1 and 2 with random sizes and
/// interleavings from `seed`; checks order, completeness and message boundaries.
fn transfer(n: &mut Node, total: usize, seed: u64) {
    let stream = n.sock(1).conn.stream;
    let mut rng = Rng(seed | 1);
    let ports = [1u32, 2];
    let mut sent = [0usize; 2];
    let mut got: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut sizes_sent: [VecDeque<usize>; 2] = [VecDeque::new(), VecDeque::new()];
    let mut rounds = 0;
    while got[0].len() < total || got[1].len() < total {
        rounds += 1;
        assert!(rounds < 2_000_000, "stuck");
        let d = rng.below(2);
        let (from, to) = (ports[d], ports[1 - d]);
        match rng.below(4) {
            0 if sent[d] < total => {
                let max = if rng.below(2) == 0 { 1500 } else { 66000 };
                let want = (1 + rng.below(max)).min(total - sent[d]);
                let data: Vec<u8> = (sent[d]..sent[d] + want)
                    .map(|k| pattern(d as u8, k))
                    .collect();
                match n.send(from, &data) {
                    Ok(k) => {
                        if !stream {
                            assert_eq!(k, want, "a message goes whole");
                            sizes_sent[d].push_back(k);
                        }
                        sent[d] += k;
                    }
                    Err(e) => assert_eq!(e, Errno::EAGAIN),
                }
            }
            1 => {
                let r = if stream {
                    n.recv_stream(to, 1 + rng.below(100_000))
                } else {
                    n.recv_packet(to, 66000)
                };
                match r {
                    Ok(bytes) => {
                        if !stream {
                            assert_eq!(Some(bytes.len()), sizes_sent[d].pop_front());
                        }
                        got[d].extend_from_slice(&bytes);
                    }
                    Err(e) => assert_eq!(e, Errno::EAGAIN),
                }
            }
            _ => {
                let k = rng.below(8);
                n.run_some(k);
            }
        }
        if got[d].len() > total {
            panic!("duplicated data");
        }
    }
    for (d, g) in got.iter().enumerate() {
        assert_eq!(g.len(), total);
        assert!(
            g.iter().enumerate().all(|(k, b)| *b == pattern(d as u8, k)),
            "data lost, duplicated or reordered"
        );
    }
    n.run();
    assert!(n.stats.rejects.is_empty(), "{:?}", n.stats.rejects);
}

#[test]
fn seqpacket_transfer_both_ways_with_a_small_window() {
    let mut n = connected(SockKind::SeqPacket, 256 * 1024);
    transfer(&mut n, 3 << 20, 0x5eed);
    assert!(n.stats.acks > 10, "{} acks", n.stats.acks);
    assert_eq!(n.stats.ack_required, 0, "no Nagle on SOCK_SEQPACKET");
    for p in [1, 2] {
        let f = *n.sock(p).conn.flow();
        assert_eq!(f.send_window(), 64, "the peer advertised 256 KiB / 4 KiB");
        assert!(f.unacked() <= 64 + 65);
    }
}

#[test]
fn stream_transfer_both_ways_with_a_small_window_and_nagle() {
    let mut n = connected(SockKind::Stream, 256 * 1024);
    transfer(&mut n, 3 << 20, 0xfeed);
    assert!(n.stats.acks > 10);
    assert!(
        n.stats.ack_required > 0,
        "Nagle bundles asked for acknowledgements"
    );
    assert_eq!(n.sock(1).conn.flow().send_window(), 64);
}

#[test]
fn stream_shutdown_reads_end_of_file_then_epipe() {
    let mut n = connected(SockKind::Stream, 256 * 1024);
    assert_eq!(n.send(1, b"last words"), Ok(10));
    n.run();
    assert_eq!(n.close(1, Reason::Shutdown), Ok(()));
    assert_eq!(n.sock(2).conn.state(), State::Disconnecting);
    assert_eq!(n.recv_stream(2, 100).unwrap(), b"last words");
    assert_eq!(n.recv_stream(2, 100), Ok(Vec::new()), "end of file");
    assert_eq!(n.recv_stream(2, 100), Err(Errno::EAGAIN));
    assert_eq!(n.send(2, b"x"), Err(Errno::EPIPE));
    assert_eq!(n.send(1, b"x"), Err(Errno::EPIPE));
    let s = n.sock(1);
    assert_eq!(s.conn.recv_wait(true, true, WAIT), Err(Errno::ENOTCONN));
    assert_eq!(s.conn.events(false, false), 0x51);
    assert_eq!(n.sock(2).conn.peer_name(false), Err(Errno::ENOTCONN));
    assert_eq!(n.close(2, Reason::Shutdown), Ok(()));
}

#[test]
fn seqpacket_shutdown_returns_unread_data_as_the_fin() {
    let mut n = connected(SockKind::SeqPacket, 256 * 1024);
    assert_eq!(n.send(2, b"unread"), Ok(6));
    n.run();
    assert_eq!(n.close(1, Reason::Shutdown), Ok(()));
    assert_eq!(n.sock(2).conn.state(), State::Disconnecting);
    assert_eq!(n.recv_packet(2, 100), Ok(Vec::new()), "end of file");
}

#[test]
fn close_resets_the_peer() {
    for kind in [SockKind::Stream, SockKind::SeqPacket] {
        let mut n = connected(kind, 256 * 1024);
        assert_eq!(n.send(1, b"data"), Ok(4));
        n.run();
        assert_eq!(n.close(1, Reason::Release), Ok(()));
        let r = n.recv(2, 100);
        assert_eq!(r.unwrap(), b"data", "data before the reset is read");
        let r = n.recv(2, 100);
        assert_eq!(r, Err(Errno::ECONNRESET));
        assert_eq!(n.sock(2).rx.len(), 1, "the reset stays queued");
        assert_eq!(n.send(2, b"x"), Err(Errno::EPIPE));
        assert_eq!(n.sock(2).conn.events(true, false), 0x51);
    }
}

#[test]
fn losing_the_peers_node_resets_the_connection() {
    for kind in [SockKind::Stream, SockKind::SeqPacket] {
        let mut n = connected(kind, 256 * 1024);
        assert_eq!(
            n.sock(10).conn.node_lost(NODE),
            None,
            "a listener has no peer"
        );
        assert_eq!(n.sock(1).conn.node_lost(NODE + 1), None, "another node");
        assert_eq!(n.send(2, b"data"), Ok(4));
        n.run();
        let lost = n.sock(1).conn.node_lost(NODE).unwrap();
        let p = Packet::new_checked(lost.bytes()).unwrap();
        assert_eq!((p.orignode(), p.origport(), p.destport()), (NODE, 2, 1));
        assert_eq!(p.errcode(), ErrorCode::NoNode.bits());
        n.wire.push_back(lost.bytes().to_vec());
        n.run();
        assert_eq!(n.sock(1).conn.state(), State::Disconnecting);
        let r = n.recv(1, 100);
        assert_eq!(r.unwrap(), b"data", "data before the loss is read");
        let r = n.recv(1, 100);
        assert_eq!(r, Err(Errno::ECONNRESET));
        assert_eq!(n.send(1, b"x"), Err(Errno::EPIPE));
        assert_eq!(n.sock(1).conn.node_lost(NODE), None, "once");
    }
}

#[test]
fn unanswered_probe_aborts_answered_one_does_not() {
    let mut n = connected(SockKind::Stream, 256 * 1024);
    let t = n.sock(1).conn.deadline().unwrap();
    let Tick::Probe(p) = n.sock(1).conn.tick(t, NODE) else {
        panic!("no probe");
    };
    n.wire.push_back(p.bytes().to_vec());
    n.run();
    let t = n.sock(1).conn.deadline().unwrap();
    assert!(
        matches!(n.sock(1).conn.tick(t, NODE), Tick::Probe(_)),
        "the reply came"
    );
    assert_eq!(
        n.sock(1).conn.tick(t, NODE),
        Tick::Aborted,
        "this one got none"
    );
    assert_eq!(n.send(1, b"x"), Err(Errno::ECONNABORTED));
    assert_eq!(n.send(1, b"x"), Err(Errno::EPIPE));
}

#[test]
fn probe_to_a_vanished_peer_comes_back_and_ends_the_connection() {
    let mut n = connected(SockKind::SeqPacket, 256 * 1024);
    n.socks.remove(&2);
    let t = n.sock(1).conn.deadline().unwrap();
    let Tick::Probe(p) = n.sock(1).conn.tick(t, NODE) else {
        panic!("no probe");
    };
    n.wire.push_back(p.bytes().to_vec());
    n.run();
    assert_eq!(n.sock(1).conn.state(), State::Disconnecting);
    assert!(
        n.sock(1).rx.is_empty(),
        "the C module drops the abort message"
    );
    assert_eq!(n.send(1, b"x"), Err(Errno::EPIPE));
}

#[test]
fn refused_setups() {
    let mut n = Node::new();
    n.add(SockKind::SeqPacket, 1, 1 << 20);
    assert_eq!(n.connect(1, 99), Err(Errno::ECONNREFUSED), "no such socket");
    assert_eq!(n.sock(1).conn.state(), State::Disconnecting);
    assert_eq!(
        n.recv_packet(1, 10),
        Err(Errno::ECONNRESET),
        "the refusal is queued"
    );
    n.add(SockKind::SeqPacket, 3, 1 << 20);
    n.add(SockKind::SeqPacket, 4, 1 << 20);
    assert_eq!(n.connect(3, 4), Err(Errno::ECONNREFUSED), "not listening");
    n.add(SockKind::SeqPacket, 10, 1 << 20);
    n.add(SockKind::SeqPacket, 5, 1 << 20);
    n.sock(10).conn.listen().unwrap();
    let timeout = n.sock(5).opts.conn_timeout();
    assert!(n
        .sock(5)
        .conn
        .connect(&sa(10), true, timeout, false)
        .is_ok());
    n.syn(
        5,
        SocketAddr {
            port: 10,
            node: NODE,
        },
        &[],
    );
    n.run();
    assert_eq!(n.close(10, Reason::Shutdown), Err(Errno::ENOTCONN));
    assert_eq!(n.sock(5).conn.connect_wait(WAIT), Err(Errno::ECONNREFUSED));
}

#[test]
fn implicit_setup_carries_data_to_the_accepted_socket() {
    let mut n = Node::new();
    n.add(SockKind::Stream, 10, 1 << 20);
    n.add(SockKind::Stream, 1, 1 << 20);
    n.sock(10).conn.listen().unwrap();
    n.sock(1).opts.set_importance(SockImportance::High);
    let plan = n.sock(1).conn.send_begin(Some(&sa(10)), 3000, false);
    assert_eq!(
        plan,
        Ok(SendPlan::Syn(Destination::Socket(SocketAddr {
            port: 10,
            node: NODE
        })))
    );
    let data: Vec<u8> = (0..3000).map(|k| pattern(0, k)).collect();
    n.syn(
        1,
        SocketAddr {
            port: 10,
            node: NODE,
        },
        &data,
    );
    assert_eq!(n.sock(1).conn.flow().unacked(), 3);
    n.run();
    n.accept(10, 2).unwrap();
    assert_eq!(n.sock(2).opts.importance(), SockImportance::High);
    assert_eq!(n.sock(1).opts.importance(), SockImportance::High);
    assert_eq!(n.recv_stream(2, 5000).unwrap(), data);
    assert_eq!(n.send(2, b"ok"), Ok(2));
    n.run();
    assert_eq!(n.recv_stream(1, 10).unwrap(), b"ok");
}

#[test]
fn overloaded_listener_makes_the_connector_retry() {
    let mut n = Node::new();
    n.add(SockKind::SeqPacket, 10, 0);
    n.add(SockKind::SeqPacket, 1, 1 << 20);
    n.sock(10).conn.listen().unwrap();
    n.now = 1000;
    let timeout = n.sock(1).opts.conn_timeout();
    assert!(n
        .sock(1)
        .conn
        .connect(&sa(10), true, timeout, false)
        .is_ok());
    n.syn(
        1,
        SocketAddr {
            port: 10,
            node: NODE,
        },
        &[],
    );
    n.run();
    assert_eq!(n.stats.rejects, [ErrorCode::Overload, ErrorCode::NoPort]);
    assert_eq!(n.sock(1).conn.state(), State::Connecting);
    assert_eq!(
        n.sock(1).conn.deadline(),
        Some(1000 + 7 + SYN_RETRY_BASE_MS),
        "random 7 modulo a 2 s window, plus 100 ms"
    );
    assert_eq!(n.sock(1).conn.tick(1107, NODE), Tick::ResendSyn);
}

/// An arrival at `c` of `m` with an empty default receive buffer.
fn arrive(c: &mut Conn, m: &[u8]) -> super::arrive::Arrival {
    c.on_message(
        m,
        &Incoming {
            ambient: &Fixed { now: 0, random: 0 },
            own_node: NODE,
            rcv: RcvbufUse {
                used: 0,
                truesize: 100,
                rcvbuf: 1 << 21,
            },
            conn_timeout: SockOpts::new(SockKind::Stream).conn_timeout(),
        },
    )
}

/// A data message of type `ty` from `<from:NODE>` to port 1, error code `err`, SYN or not,
/// with `dlen` bytes.
fn data(ty: u32, from: u32, err: ErrorCode, syn: bool, dlen: usize) -> Vec<u8> {
    let hlen = if ty == 0 { 24 } else { 32 };
    let mut b = std::vec![0u8; hlen + dlen];
    crate::proto::wire::header::start(&mut b, User::Low, ty, hlen, dlen).unwrap();
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.set_errcode(err.bits());
    p.set_origport(from);
    p.set_prevnode(NODE);
    if hlen > 24 {
        p.set_orignode(NODE);
    }
    p.set_destport(1);
    let mut f = p.flags();
    f.syn = syn;
    p.set_flags(f);
    b
}

/// The no-port refusal.
const NO_PORT: Verdict = Verdict::Reject {
    code: ErrorCode::NoPort,
    counts_drop: false,
};

#[test]
fn listener_takes_only_syns() {
    let mut l = Conn::new(SockKind::Stream, 1).unwrap();
    l.listen().unwrap();
    assert_eq!(
        arrive(&mut l, &data(3, 5, ErrorCode::Ok, true, 0)).verdict,
        Verdict::Accept
    );
    assert_eq!(
        arrive(&mut l, &data(3, 5, ErrorCode::Ok, false, 0)).verdict,
        NO_PORT
    );
    assert_eq!(
        arrive(&mut l, &data(0, 5, ErrorCode::Ok, true, 0)).verdict,
        NO_PORT
    );
    assert_eq!(
        arrive(&mut l, &data(3, 5, ErrorCode::NoPort, true, 0)).verdict,
        NO_PORT
    );
    assert_eq!(
        arrive(&mut l, &data(1, 5, ErrorCode::Ok, true, 0)).verdict,
        NO_PORT
    );
    let mut open = Conn::new(SockKind::Stream, 1).unwrap();
    assert_eq!(
        arrive(&mut open, &data(0, 5, ErrorCode::Ok, false, 1)).verdict,
        NO_PORT
    );
    assert_eq!(arrive(&mut open, &[1, 2, 3]).verdict, NO_PORT);
}

#[test]
fn released_listener_refuses_connection_requests() {
    // A request that reaches a listener between close(2) and its leaving the port table is
    // refused, not queued on a socket about to be freed (the C module loses it: the
    // connector waits forever).
    let mut l = Conn::new(SockKind::SeqPacket, 1).unwrap();
    l.listen().unwrap();
    let _ = l.close(Reason::Release, true, NODE);
    assert_eq!(
        arrive(&mut l, &data(3, 5, ErrorCode::Ok, true, 0)).verdict,
        NO_PORT
    );
    // shutdown(2) leaves a listener taking requests, as in C.
    let mut l = Conn::new(SockKind::SeqPacket, 1).unwrap();
    l.listen().unwrap();
    let _ = l.close(Reason::Shutdown, true, NODE);
    assert_eq!(
        arrive(&mut l, &data(3, 5, ErrorCode::Ok, true, 0)).verdict,
        Verdict::Accept
    );
}

#[test]
fn established_takes_its_peer_only() {
    let (mut c, _) = Conn::pair(SockKind::Stream, 1, 5, NODE, 0).unwrap();
    assert_eq!(
        arrive(&mut c, &data(0, 5, ErrorCode::Ok, false, 3)).verdict,
        Verdict::Accept
    );
    assert_eq!(
        arrive(&mut c, &data(0, 6, ErrorCode::Ok, false, 3)).verdict,
        NO_PORT
    );
    let a = arrive(&mut c, &data(3, 5, ErrorCode::Ok, false, 3));
    assert_eq!(
        a.verdict,
        Verdict::Accept,
        "a direct message from the peer too"
    );
    assert!(!a.effects.state_change);
    let mut big = data(0, 5, ErrorCode::Ok, false, 3);
    let over = c.on_message(
        &big,
        &Incoming {
            ambient: &Fixed { now: 0, random: 0 },
            own_node: NODE,
            rcv: RcvbufUse {
                used: 1000,
                truesize: 24,
                rcvbuf: 1024,
            },
            conn_timeout: SockOpts::new(SockKind::Stream).conn_timeout(),
        },
    );
    assert_eq!(
        over.verdict,
        Verdict::Reject {
            code: ErrorCode::Overload,
            counts_drop: true
        }
    );
    let mut f = Packet::new_unchecked(&big[..]).flags();
    f.src_droppable = true;
    Packet::new_unchecked(&mut big[..]).set_flags(f);
    let a = arrive(&mut c, &big);
    let ack = a.effects.reply.unwrap();
    let p = Packet::new_checked(ack.bytes()).unwrap();
    assert_eq!(p.user(), Some(User::ConnManager));
    assert!(p.flags().src_droppable, "a Nagle ack");
    let fin = arrive(&mut c, &data(0, 5, ErrorCode::ConnShutdown, false, 0));
    assert_eq!(fin.verdict, Verdict::Accept);
    assert!(fin.effects.state_change);
    assert_eq!(c.state(), State::Disconnecting);
    assert_eq!(
        arrive(&mut c, &data(0, 5, ErrorCode::Ok, false, 3)).verdict,
        NO_PORT
    );
}

#[test]
fn acks_are_checked_and_open_the_window() {
    let (mut a, mut b) = Conn::pair(SockKind::SeqPacket, 1, 5, NODE, 0).unwrap();
    a.flow.sent(200);
    for _ in 0..31 {
        assert!(b.consumed(1000, 1 << 20, NODE).is_none());
    }
    let ack = b.consumed(100_000, 1 << 20, NODE).unwrap();
    let r = arrive(&mut a, ack.bytes());
    assert_eq!(r.verdict, Verdict::Drop);
    assert!(r.effects.write_space);
    assert_eq!((a.flow.unacked(), a.flow.send_window()), (200 - 129, 256));
    let r = arrive(&mut a, ack.bytes());
    assert!(!r.effects.write_space, "more than is outstanding: ignored");
    assert_eq!(a.flow.unacked(), 71);
    let mut stranger = ack;
    let mut bytes = stranger.bytes().to_vec();
    Packet::new_unchecked(&mut bytes[..]).set_origport(9);
    let _ = arrive(&mut a, &bytes);
    assert_eq!(a.flow.unacked(), 71, "not from the peer: ignored");
    stranger = super::ctrl::probe(
        NODE,
        5,
        SocketAddr {
            port: 1,
            node: NODE,
        },
    );
    let r = arrive(&mut a, stranger.bytes());
    let reply = Packet::new_checked(r.effects.reply.unwrap().bytes().to_vec()).unwrap();
    assert_eq!(reply.msg_type(), ConnMsgType::ProbeReply as u32);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any interleaving delivers everything once and in order, both kinds, with a receive
    /// buffer that holds the first window (smaller ones may overflow before the first
    /// acknowledgement, which ends the connection, as in C).
    #[test]
    fn any_interleaving_is_lossless(seed in any::<u64>(), stream in any::<bool>(), kib in 1024u32..4096) {
        let kind = if stream { SockKind::Stream } else { SockKind::SeqPacket };
        let mut n = connected(kind, kib * 1024);
        transfer(&mut n, 300_000, seed);
        for p in [1, 2] {
            prop_assert!(n.sock(p).conn.flow().unacked() <= 2 * 65 + 128);
        }
    }

    /// Arbitrary bytes never panic any state, and never take a message the wrong way.
    #[test]
    fn arbitrary_arrivals_are_safe(bytes in proptest::collection::vec(any::<u8>(), 0..128), st in 0u8..5) {
        let (mut c, _) = Conn::pair(SockKind::Stream, 1, 5, NODE, 0).unwrap();
        match st {
            0 => c = Conn::new(SockKind::Stream, 1).unwrap(),
            1 => { c = Conn::new(SockKind::Stream, 1).unwrap(); c.listen().unwrap(); }
            2 => { c = Conn::new(SockKind::Stream, 1).unwrap(); c.syn_sent(SocketAddr { port: 5, node: NODE }, 32, 0); }
            3 => {}
            _ => { let _ = c.close(Reason::Shutdown, true, NODE); }
        }
        let a = arrive(&mut c, &bytes);
        if Packet::new_checked(&bytes[..]).is_err() {
            prop_assert_eq!(a.verdict, NO_PORT);
        }
    }
}
