// SPDX-License-Identifier: GPL-2.0

//! The topology server of one namespace: the listener at `{TIPC_TOP_SRV, TIPC_TOP_SRV}`,
//! its subscriber connections and every subscription (`tipc_topsrv`, `tipc_conn_rcv_sub`,
//! `tipc_service_subscribe`).
//!
//! The glue owns it under the name table's lock, so that the events of a binding are made
//! in the order of the bindings. Each call leaves its outputs in the server, to be taken
//! right after: [`TopSrv::take_transmits`] (messages, in order), [`TopSrv::take_released`]
//! (ports of connections that ended) and [`TopSrv::next_deadline`] (when to call
//! [`TopSrv::on_timeout`]).

use crate::kalloc::{Flags, KVec};
use crate::proto::conn::arrive::{Ambient, Incoming, Verdict};
use crate::proto::conn::close::Reason;
use crate::proto::conn::machine::Conn;
use crate::proto::conn::state::State;
use crate::proto::group::event::EventKind;
use crate::proto::msg::filter::RcvbufUse;
use crate::proto::msg::header::Sender;
use crate::proto::msg::reverse::returned;
use crate::proto::name_table::addr::ServiceRange;
use crate::proto::name_table::publication::Publication;
use crate::proto::name_table::table::{NameTable, Published, Withdrawn};
use crate::proto::sock_kind::SockKind;
use crate::proto::sockopt::{Importance, SockOpts};
use crate::proto::wire::consts::ErrorCode;
use crate::proto::wire::header::Packet;
use crate::proto::wire::topsrv::{PUBLISHED, SUBSCR_LEN, SUBSCR_TIMEOUT, SUB_PORTS, WITHDRAWN};

use super::group_watch::GroupWatches;
use super::registry::Registry;
use super::subscriber::{QueueError, Subscriber};
use super::subscription::{Request, Sub, SUB_NO_STATUS};
use super::transmit::Transmit;

/// `TIPC_MAX_SUBSCR`: subscriptions in a namespace at most; one more closes the connection
/// that asked for it.
pub(crate) const MAX_SUBSCR: usize = 65535;

/// What a call needs to know of the node and the time.
#[derive(Clone, Copy)]
pub(crate) struct Context {
    /// The time now (ms).
    pub(crate) now: u64,
    /// This node's address.
    pub(crate) own_node: u32,
    /// The receive buffer the server's ends advertise (`tipc_rmem[1]`).
    pub(crate) rcvbuf: u32,
    /// Allocation flags for the caller's context.
    pub(crate) flags: Flags,
}

/// The server's ends never set a connection up, so they never ask for random bits.
impl Ambient for Context {
    fn now(&self) -> u64 {
        self.now
    }

    fn random(&self) -> u16 {
        0
    }
}

/// Why the server closed connections, counted.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Counters {
    /// A message shorter than a subscription.
    pub(crate) short: u64,
    /// An illegal subscription.
    pub(crate) illegal: u64,
    /// The namespace's subscription limit.
    pub(crate) limit: u64,
    /// More events held back than [`super::subscriber::MAX_HELD_EVENTS`].
    pub(crate) overflow: u64,
    /// No memory.
    pub(crate) no_memory: u64,
}

/// The topology server of one namespace.
#[derive(Debug)]
pub(crate) struct TopSrv {
    /// The listener's connection state (always listening).
    listener: Conn,
    /// The options the server's ends start with (`TIPC_CRITICAL_IMPORTANCE`, the rest as
    /// a new `SOCK_SEQPACKET` socket's).
    opts: SockOpts,
    /// Subscriber connections, by port.
    subscribers: KVec<Subscriber>,
    /// Every subscription.
    registry: Registry,
    /// Messages to send, in order.
    out: KVec<Transmit>,
    /// The group sockets' watches of their group's type, and their events.
    pub(crate) groups: GroupWatches,
    /// Ports of the connections that ended, to free.
    released: KVec<u32>,
    /// Why connections were closed.
    counters: Counters,
    /// Some subscriber's events could not be queued: it is to be closed.
    failing: bool,
}

impl TopSrv {
    /// The server listening at port `listener_port`; allocates nothing.
    pub(crate) fn new(listener_port: u32) -> Self {
        let mut listener =
            Conn::new(SockKind::SeqPacket, listener_port).unwrap_or_else(|| unreachable!());
        // An open connection may always listen.
        let _ = listener.listen();
        let mut opts = SockOpts::new(SockKind::SeqPacket);
        opts.set_importance(Importance::Critical);
        Self {
            listener,
            opts,
            subscribers: KVec::new(),
            registry: Registry::new(),
            out: KVec::new(),
            groups: GroupWatches::default(),
            released: KVec::new(),
            counters: Counters::default(),
            failing: false,
        }
    }

    /// The listener's port.
    #[cfg(test)]
    pub(crate) fn listener_port(&self) -> u32 {
        self.listener.port()
    }

    /// Subscriber connections open.
    #[cfg(test)]
    pub(crate) fn connections(&self) -> usize {
        self.subscribers.len()
    }

    /// Subscriptions held.
    #[cfg(test)]
    pub(crate) fn subscriptions(&self) -> usize {
        self.registry.len()
    }

    /// Why connections were closed so far.
    #[cfg(test)]
    pub(crate) fn counters(&self) -> Counters {
        self.counters
    }

    /// Whether any subscription exists: without one, a change of the name table reads no
    /// time from the context it is given (the group watches need none).
    pub(crate) fn has_subscriptions(&self) -> bool {
        self.registry.len() != 0
    }

    /// Whether messages, released ports or group events wait to be taken.
    pub(crate) fn has_output(&self) -> bool {
        !self.out.is_empty() || !self.released.is_empty() || self.groups.has_events()
    }

    /// Takes the messages to send, in order.
    pub(crate) fn take_transmits(&mut self) -> KVec<Transmit> {
        core::mem::take(&mut self.out)
    }

    /// Takes the ports of the connections that ended; the glue frees them.
    pub(crate) fn take_released(&mut self) -> KVec<u32> {
        core::mem::take(&mut self.released)
    }

    /// When [`TopSrv::on_timeout`] must run next (ms), if any subscription times out.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.registry.next_deadline()
    }

    /// The index of the subscriber at `port`.
    fn find(&self, port: u32) -> Result<usize, usize> {
        self.subscribers.binary_search_by_key(&port, |s| s.port)
    }

    /// Whether `port` is one of the server's: the listener or a subscriber connection.
    #[cfg(test)]
    pub(crate) fn serves(&self, port: u32) -> bool {
        port == self.listener.port() || self.find(port).is_ok()
    }

    /// How a message arriving at the server's end meets its receive buffer: the server reads
    /// at once, so nothing is ever charged.
    fn incoming<'a>(&self, msg: &[u8], ctx: &'a Context) -> Incoming<'a> {
        Incoming {
            ambient: ctx,
            own_node: ctx.own_node,
            rcv: RcvbufUse {
                used: 0,
                truesize: u32::try_from(msg.len()).unwrap_or(u32::MAX),
                rcvbuf: ctx.rcvbuf,
            },
            conn_timeout: self.opts.conn_timeout(),
        }
    }

    /// Returns `msg` to its sender with `code`, if the rules allow.
    fn refuse(&mut self, msg: &[u8], code: ErrorCode, ctx: &Context) {
        let Some(back) = returned(msg, code) else {
            return;
        };
        let mut buf = KVec::new();
        if buf.resize(back.len(), 0, ctx.flags).is_err() || self.out.reserve(1, ctx.flags).is_err()
        {
            return;
        }
        if back.emit(ctx.own_node, &mut buf).is_ok() {
            let _ = self
                .out
                .insert_within_capacity(self.out.len(), Transmit::Returned(buf));
        }
    }

    /// Queues `t`; false when there is no memory for it.
    fn send(&mut self, t: Transmit, flags: Flags) -> bool {
        self.out.push(t, flags).is_ok()
    }

    /// Message `msg` arrives at the listener. A connection request is accepted on port
    /// `new_port`, which the glue reserved; returns whether it took the port (else the glue
    /// frees it). Anything else is refused as a listening socket refuses it.
    pub(crate) fn on_listener_message(
        &mut self,
        msg: &[u8],
        new_port: u32,
        ctx: &Context,
        table: &NameTable,
    ) -> bool {
        let inc = self.incoming(msg, ctx);
        let arrival = self.listener.on_message(msg, &inc);
        match arrival.verdict {
            Verdict::Accept => {}
            Verdict::Drop => return false,
            Verdict::Reject { code, .. } => {
                self.refuse(msg, code, ctx);
                return false;
            }
        }
        let Err(at) = self.find(new_port) else {
            return false;
        };
        let sender = Sender::new(new_port, ctx.own_node, &self.opts);
        let Ok(accepted) = self.listener.accept(msg, &sender, ctx.now) else {
            return false;
        };
        if self.subscribers.reserve(1, ctx.flags).is_err()
            || !self.send(Transmit::Accept(accepted.ack), ctx.flags)
        {
            self.counters.no_memory += 1;
            return false;
        }
        let sender = Sender {
            importance: accepted.importance,
            ..sender
        };
        let sub = Subscriber::new(new_port, accepted.conn, sender);
        // Room was reserved above.
        let _ = self.subscribers.insert_within_capacity(at, sub);
        if accepted.keep_syn {
            self.on_data(new_port, msg, ctx, table);
        }
        true
    }

    /// Message `msg` arrives at subscriber connection `port`.
    pub(crate) fn on_message(&mut self, port: u32, msg: &[u8], ctx: &Context, table: &NameTable) {
        let inc = self.incoming(msg, ctx);
        let Ok(at) = self.find(port) else {
            return;
        };
        let Some(s) = self.subscribers.get_mut(at) else {
            return;
        };
        let arrival = s.conn.on_message(msg, &inc);
        let open = s.conn.state() == State::Established;
        if let Some(reply) = arrival.effects.reply {
            self.send(Transmit::Ctrl(reply), ctx.flags);
        }
        match arrival.verdict {
            Verdict::Accept if open => self.on_data(port, msg, ctx, table),
            Verdict::Accept | Verdict::Drop => {}
            Verdict::Reject { code, .. } => self.refuse(msg, code, ctx),
        }
        if !open {
            // The subscriber closed or aborted: its subscriptions go with the connection.
            self.end(port, ctx);
            return;
        }
        self.release(port, ctx.flags);
        self.close_failed(ctx);
    }

    /// Connection data from subscriber `port` (`tipc_conn_rcv_from_sock`): its first 28
    /// bytes are a request; a shorter message closes the connection. An empty one is
    /// skipped, as a socket's read skips it.
    fn on_data(&mut self, port: u32, msg: &[u8], ctx: &Context, table: &NameTable) {
        let Ok(p) = Packet::new_checked(msg) else {
            return;
        };
        if p.payload_len() == 0 {
            return;
        }
        let request = p
            .payload()
            .get(..SUBSCR_LEN)
            .and_then(|b| <[u8; SUBSCR_LEN]>::try_from(b).ok());
        let Ok(at) = self.find(port) else {
            return;
        };
        let Some(s) = self.subscribers.get_mut(at) else {
            return;
        };
        if let Some(ack) = s.conn.consumed(msg.len(), ctx.rcvbuf, ctx.own_node) {
            self.send(Transmit::Ctrl(ack), ctx.flags);
        }
        let Some(raw) = request else {
            self.counters.short += 1;
            return self.close(port, ctx);
        };
        match Request::parse(&raw) {
            None => {
                self.counters.illegal += 1;
                self.close(port, ctx);
            }
            Some(Request::Cancel(target)) => self.cancel(at, &target),
            Some(Request::Subscribe(sub)) => {
                if self.registry.len() >= MAX_SUBSCR {
                    self.counters.limit += 1;
                    return self.close(port, ctx);
                }
                let seq = self.registry.next_seq();
                let sub = Sub::new(&sub, raw, port, seq, ctx.now);
                if self.subscribe(at, sub, ctx, table).is_err() {
                    self.counters.no_memory += 1;
                    self.close(port, ctx);
                }
            }
        }
        self.close_failed(ctx);
    }

    /// Removes the newest subscription of subscriber `at` sent as `target`, if any.
    fn cancel(&mut self, at: usize, target: &[u8; SUBSCR_LEN]) {
        let Some(s) = self.subscribers.get_mut(at) else {
            return;
        };
        let registry = &self.registry;
        let found = s
            .subs
            .iter()
            .rposition(|k| registry.get(k).is_some_and(|sub| &sub.raw == target));
        if let Some(i) = found {
            if let Ok(key) = s.subs.remove(i) {
                self.registry.remove(&key);
            }
        }
    }

    /// Adds `sub` for subscriber `at`, then reports what the table already holds in its
    /// range unless it asked not to (`tipc_service_subscribe`): with `PORTS` every
    /// publication, else the oldest of each exact range, oldest first.
    fn subscribe(
        &mut self,
        at: usize,
        sub: Sub,
        ctx: &Context,
        table: &NameTable,
    ) -> Result<(), ()> {
        let s = self.subscribers.get_mut(at).ok_or(())?;
        s.subs.reserve(1, ctx.flags).map_err(|_| ())?;
        self.registry.add(sub, ctx.flags).map_err(|_| ())?;
        // Room was reserved above.
        let _ = s.subs.insert_within_capacity(s.subs.len(), sub.key);
        if sub.filter & SUB_NO_STATUS != 0 {
            return Ok(());
        }
        let mut found: KVec<(ServiceRange, Publication)> = KVec::new();
        let ty = sub.key.ty;
        table
            .for_each_overlapping(ty, sub.lower, sub.upper, |r| {
                let range = r.service_range();
                if sub.filter & SUB_PORTS != 0 {
                    for p in r.all() {
                        found.push((range, *p), ctx.flags)?;
                    }
                } else if let Some(p) = r.all().min_by_key(|p| p.id) {
                    found.push((range, *p), ctx.flags)?;
                }
                Ok(())
            })
            .map_err(|_: crate::kalloc::AllocError| ())?;
        found.sort_unstable_by_key(|(_, p)| p.id);
        for (range, p) in found.iter() {
            if sub.reports(range, p, true) {
                s.queue(
                    sub.event(PUBLISHED, Some((range, p))),
                    &mut self.out,
                    ctx.flags,
                );
            }
        }
        self.failing |= s.failed.is_some();
        Ok(())
    }

    /// A publication was added to the table: the subscriptions it matches get their events.
    pub(crate) fn published(&mut self, range: &ServiceRange, p: &Published, ctx: &Context) {
        self.groups
            .report(range, &p.publication, EventKind::Published, ctx.flags);
        self.report(range, &p.publication, p.first, PUBLISHED, ctx);
    }

    /// A publication was removed from the table.
    pub(crate) fn withdrawn(&mut self, w: &Withdrawn, ctx: &Context) {
        self.groups
            .report(&w.range, &w.publication, EventKind::Withdrawn, ctx.flags);
        self.report(&w.range, &w.publication, w.last, WITHDRAWN, ctx);
    }

    /// Queues `event` about publication `p` of `range` for every subscription it matches,
    /// newest subscription first (`tipc_sub_report_overlap` over a service's list).
    fn report(
        &mut self,
        range: &ServiceRange,
        p: &Publication,
        must: bool,
        event: u32,
        ctx: &Context,
    ) {
        if self.registry.len() == 0 {
            return;
        }
        let subscribers = &mut self.subscribers;
        let out = &mut self.out;
        let failing = &mut self.failing;
        self.registry.for_type(range.ty, range.lower, |sub| {
            if !sub.reports(range, p, must) {
                return;
            }
            if let Ok(at) = subscribers.binary_search_by_key(&sub.conn, |s| s.port) {
                if let Some(s) = subscribers.get_mut(at) {
                    s.queue(sub.event(event, Some((range, p))), out, ctx.flags);
                    *failing |= s.failed.is_some();
                }
            }
        });
        self.close_failed(ctx);
    }

    /// Time is `now`: every subscription whose timeout fell gets its last event and ends.
    pub(crate) fn on_timeout(&mut self, ctx: &Context) {
        while let Some(sub) = self.registry.take_expired(ctx.now) {
            let Ok(at) = self.find(sub.conn) else {
                continue;
            };
            let Some(s) = self.subscribers.get_mut(at) else {
                continue;
            };
            if let Some(i) = s.subs.iter().position(|k| *k == sub.key) {
                let _ = s.subs.remove(i);
            }
            s.queue(sub.event(SUBSCR_TIMEOUT, None), &mut self.out, ctx.flags);
            self.failing |= s.failed.is_some();
        }
        self.close_failed(ctx);
    }

    /// Sends what subscriber `port`'s window now lets through.
    fn release(&mut self, port: u32, flags: Flags) {
        if let Ok(at) = self.find(port) {
            if let Some(s) = self.subscribers.get_mut(at) {
                s.release(&mut self.out, flags);
                self.failing |= s.failed.is_some();
            }
        }
    }

    /// Closes every connection whose events could not be queued.
    fn close_failed(&mut self, ctx: &Context) {
        if !core::mem::take(&mut self.failing) {
            return;
        }
        while let Some(s) = self.subscribers.iter().find(|s| s.failed.is_some()) {
            match s.failed {
                Some(QueueError::Overflow) => self.counters.overflow += 1,
                _ => self.counters.no_memory += 1,
            }
            let port = s.port;
            self.close(port, ctx);
        }
    }

    /// Closes subscriber connection `port` from the server's side (`tipc_conn_close`): its
    /// subscriptions and held events go, and the subscriber reads end of file.
    fn close(&mut self, port: u32, ctx: &Context) {
        let Ok(at) = self.find(port) else {
            return;
        };
        if let Some(s) = self.subscribers.get_mut(at) {
            let closing = s.conn.close(Reason::Shutdown, true, ctx.own_node);
            if let Some(fin) = closing.fin {
                self.send(Transmit::Ctrl(fin), ctx.flags);
            }
        }
        self.end(port, ctx);
    }

    /// Forgets subscriber connection `port` and its subscriptions; its port is released.
    fn end(&mut self, port: u32, ctx: &Context) {
        let Ok(at) = self.find(port) else {
            return;
        };
        let Ok(s) = self.subscribers.remove(at) else {
            return;
        };
        for key in s.subs.iter() {
            self.registry.remove(key);
        }
        // A port not recorded here stays reserved until the namespace goes: better than
        // handing it to another socket while a message may still reach it.
        let _ = self.released.push(port, ctx.flags);
    }
}
