// SPDX-License-Identifier: GPL-2.0

//! Data on a connection: `sendmsg(2)` and `recvmsg(2)` on `SOCK_SEQPACKET` and
//! `SOCK_STREAM` sockets.

use crate::{
    conn_setup::{send_syn, wait_connected, with_conn, with_conn_in},
    conn_xmit::ToPeer,
    group_send,
    node::Xmit,
    proto::{
        conn::{
            machine::{Waiting, Wake},
            recv::{seqpacket_step, stream_more, stream_required, stream_step, StreamStep},
            send::{Chunk, SendPlan},
            state::State,
        },
        msg::{
            dest::Destination,
            header::Sender,
            recv::{RecvStep, MSG_DONTWAIT, MSG_PEEK},
        },
    },
    recv::{put_meta, read_planned},
    send::{self, build_with, fill_from, read_data},
    socket::{error, TipcFamily, TipcSock},
    wait::wait_for,
};
use kernel::{
    net::{
        msghdr::{RecvMsg, SendMsg},
        sock::SkGuard,
        socket::Socket,
    },
    prelude::*,
};

/// `SO_RCVLOWAT` as a new socket has it; the option is not read yet.
const RCVLOWAT: usize = 1;

/// Sends `len` bytes on a connection: in a SYN when sent to an address from an open
/// socket, else in messages as the window and Nagle allow. Returns the bytes sent; an error
/// after some were sent ends the call with their count.
pub(crate) fn sendmsg(
    sock: &Socket<'_, TipcFamily>,
    msg: &mut SendMsg<'_>,
    len: usize,
) -> Result<usize> {
    let sk = sock.sk();
    let state = sock.state();
    let nonblocking = msg.flags() & MSG_DONTWAIT != 0;
    let mut guard = sk.lock();
    let plan = {
        let mut inner = state.inner.lock();
        let open = inner
            .conn
            .as_ref()
            .is_some_and(|c| c.state() == State::Open);
        if open && msg.name().is_some() && inner.group.is_some() {
            // An open socket in a group sends to an address as a member: C's
            // `__tipc_sendmsg` looks at the group before the rules of a connection's setup.
            drop(inner);
            let timeo = sk.sndtimeo(nonblocking);
            return group_send::sendmsg(sock, &mut guard, timeo, msg, len);
        }
        let published = inner.bindings.is_published();
        with_conn_in(sk, &mut inner, |c| c.send_begin(msg.name(), len, published)).map_err(error)?
    };
    if let SendPlan::Syn(dest) = plan {
        if let Destination::Range(_) = dest {
            // A service range from an open socket is a multicast, as from a connectionless
            // socket; it sets up nothing (C's `__tipc_sendmsg`).
            return send::send_to(sock, &mut guard, sk.sndtimeo(nonblocking), msg, len, dest);
        }
        send_syn(sock, dest, Some((msg.data(), len)))?;
        if len != 0 && !nonblocking {
            // As in C, a blocking send with data waits for the setup, whatever its outcome,
            // as long as the send timeout allows (the connect timeout plays no part).
            let _ = wait_connected(&mut guard, sk.sndtimeo(false));
        }
        return Ok(len);
    }
    let mut timeo = sk.sndtimeo(nonblocking);
    let mut sent = 0;
    loop {
        let step = send_chunk(&mut guard, state, msg, len - sent, &mut timeo);
        match step {
            Ok(n) => sent += n,
            Err(e) if sent == 0 => return Err(e),
            Err(_) => return Ok(sent),
        }
        if sent >= len {
            return Ok(sent);
        }
    }
}

/// Waits for the window, then sends the next piece of at most `remaining` bytes; returns
/// its length.
fn send_chunk(
    guard: &mut SkGuard<'_, TipcFamily>,
    state: &TipcSock,
    msg: &mut SendMsg<'_>,
    remaining: usize,
    timeo: &mut kernel::ffi::c_long,
) -> Result<usize> {
    let sk = guard.sk();
    let net = sk.net_state();
    // The wait's check plans the piece under the same lock once the window lets it go.
    let mut planned = None;
    wait_for(guard, timeo, |_, _, w| {
        let mut inner = state.inner.lock();
        let sender = Sender::new(state.port(), net.own_node(), &inner.opts);
        with_conn_in(sk, &mut inner, |c| {
            let wake = c.send_wait(w)?;
            if wake == Wake::Ready {
                planned = Some((c.next_chunk(remaining, &sender), sender, c.peer_node()));
            }
            Ok(wake)
        })
    })?;
    let (chunk, sender, dnode) = planned.ok_or(EINVAL)?;
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    let mut out = ToPeer::new(&mut xmit, dnode, state.port());
    let sent = match chunk {
        Chunk::Message { len, header } => {
            let skb = build_with(&header, len, |buf| fill_from(msg.data(), buf))?;
            let held = with_conn(sk, |c| Ok(c.commit_message(len))).map_err(error)?;
            out.send_all(held.iter().map(|m| &m[..]));
            out.send(skb).map(|()| len)
        }
        Chunk::Bundle { len } => {
            let data = read_data(msg, len)?;
            let held = with_conn(sk, |c| c.append(&data, &sender, GFP_ATOMIC)).map_err(error)?;
            out.send_all(held.iter().flatten().map(|m| &m[..]));
            Ok(len)
        }
    };
    out.finish(sk);
    sent
}

/// Receives on a connection: one message on `SOCK_SEQPACKET`, bytes across messages on
/// `SOCK_STREAM`.
pub(crate) fn recvmsg(
    sock: &Socket<'_, TipcFamily>,
    msg: &mut RecvMsg<'_>,
    len: usize,
    flags: u32,
) -> Result<usize> {
    let sk = sock.sk();
    let state = sock.state();
    with_conn(sk, |c| c.recv_check(len)).map_err(error)?;
    let mut guard = sk.lock();
    let mut timeo = sk.rcvtimeo(flags & MSG_DONTWAIT != 0);
    if state.kind == crate::proto::sock_kind::SockKind::Stream {
        recv_stream(&mut guard, state, msg, len, flags, &mut timeo)
    } else {
        recv_packet(&mut guard, state, msg, len, flags, &mut timeo)
    }
}

/// Waits for a message at the head of the receive queue; returns how much of it was read
/// already. A read that may not wait (no time from the start: `MSG_DONTWAIT`, a
/// non-blocking socket) is checked as out of time, so that an empty queue is `EAGAIN` even
/// after `shutdown(2)`, as C's `tipc_wait_for_rcvmsg` looks at the shutdown only when it has
/// time to wait.
fn wait_message(
    guard: &mut SkGuard<'_, TipcFamily>,
    timeo: &mut kernel::ffi::c_long,
) -> Result<usize> {
    let sk = guard.sk();
    let may_wait = *timeo != 0;
    wait_for(guard, timeo, |g, first, w| {
        let empty = g.peek_rcv().is_none();
        let w = Waiting {
            time_left: w.time_left && may_wait,
            ..w
        };
        with_conn(sk, |c| c.recv_wait(first, empty, w))
    })?;
    Ok(sk.state().rx_offset())
}

/// The service instance the socket's connection was made to.
fn conn_name(state: &TipcSock) -> Option<(u32, u32)> {
    state.inner.lock().conn.as_ref().and_then(|c| c.name())
}

/// Takes the read head off the queue, leaves the read offset at `rx_offset` for the next
/// message, and sends the acknowledgement reading it earned.
fn consume_head(guard: &mut SkGuard<'_, TipcFamily>, rx_offset: usize) {
    let sk = guard.sk();
    let skb = guard.dequeue_rcv();
    let net = sk.net_state();
    sk.state().set_rx_offset(rx_offset);
    let Some(skb) = skb else {
        return;
    };
    let (own, rcvbuf) = (net.own_node(), sk.rcvbuf());
    let ack = with_conn(sk, |c| Ok(c.consumed(skb.len(), rcvbuf, own)));
    skb.consume();
    if let Ok(Some(ack)) = ack {
        Xmit::new(net, GFP_KERNEL).send_bytes(ack.bytes());
    }
}

/// One `SOCK_SEQPACKET` read.
fn recv_packet(
    guard: &mut SkGuard<'_, TipcFamily>,
    state: &TipcSock,
    msg: &mut RecvMsg<'_>,
    len: usize,
    flags: u32,
    timeo: &mut kernel::ffi::c_long,
) -> Result<usize> {
    loop {
        let offset = wait_message(guard, timeo)?;
        let Some(skb) = guard.peek_rcv() else {
            continue;
        };
        let step =
            seqpacket_step(skb.data(), offset, len, flags, msg.wants_control()).map_err(error)?;
        let plan = match step {
            RecvStep::Discard => None,
            RecvStep::Read(plan) => Some(plan),
        };
        let Some(plan) = plan else {
            drop(guard.dequeue_rcv());
            continue;
        };
        let copied = read_planned(msg, skb, &plan, || conn_name(state))?;
        if plan.consume {
            consume_head(guard, plan.bytes_read);
        } else {
            state.set_rx_offset(plan.bytes_read);
        }
        return Ok(copied);
    }
}

/// A `SOCK_STREAM` read: bytes from as many messages as it takes.
fn recv_stream(
    guard: &mut SkGuard<'_, TipcFamily>,
    state: &TipcSock,
    msg: &mut RecvMsg<'_>,
    len: usize,
    flags: u32,
    timeo: &mut kernel::ffi::c_long,
) -> Result<usize> {
    let required = stream_required(len, flags, RCVLOWAT);
    let mut copied = 0;
    loop {
        let offset = match wait_message(guard, timeo) {
            Ok(offset) => offset,
            Err(e) => return if copied != 0 { Ok(copied) } else { Err(e) },
        };
        let Some(skb) = guard.peek_rcv() else {
            continue;
        };
        let step = stream_step(skb.data(), offset, copied, len, flags, msg.wants_control());
        let read = match step {
            StreamStep::Discard => None,
            StreamStep::Read(read) => Some(read),
        };
        let Some(read) = read else {
            drop(guard.dequeue_rcv());
            continue;
        };
        if read.collect_meta {
            put_meta(msg, skb, || conn_name(state))?;
        }
        let n = read.copy.len();
        skb.copy_to_iter(read.copy.start, n, msg.data())?;
        copied += n;
        if read.consume {
            consume_head(guard, 0);
        } else if let Some(offset) = read.keep_offset {
            state.set_rx_offset(offset);
        }
        if let Some(e) = read.error {
            return if copied != 0 {
                Ok(copied)
            } else {
                Err(error(e))
            };
        }
        let peek = flags & MSG_PEEK != 0;
        if read.stop || peek || !stream_more(guard.peek_rcv().is_none(), copied, required) {
            return Ok(copied);
        }
    }
}
