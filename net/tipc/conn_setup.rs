// SPDX-License-Identifier: GPL-2.0

//! Setting connections up: `connect(2)` and the SYN, `listen(2)`, `accept(2)`.

use crate::{
    conn_xmit::ToPeer,
    node::{unreachable, Xmit},
    proto::{
        conn::{
            ctrl::syn_header,
            machine::Conn,
            setup::{AfterSyn, Connect},
        },
        errno::Errno,
        msg::{
            dest::Destination,
            header::Sender,
            route::{resolve, Route},
        },
        name_table::addr::SocketAddr,
    },
    send::{build_from, fill_from},
    sock_timer,
    socket::{error, msg_error, Inner, TipcFamily, TipcSock},
    wait::{ms_to_jiffies, wait_for},
};
use kernel::{
    ffi::c_long,
    iov::IovIterSource,
    net::{
        sock::{Sk, SkGuard},
        socket::{NewConn, Socket},
    },
    prelude::*,
};

/// `O_NONBLOCK`, as the file flags `connect(2)` and `accept(2)` get carry it.
pub(crate) const O_NONBLOCK: i32 = 0o4000;

/// Runs `f` on the socket's connection state, under its lock; `EOPNOTSUPP` for a
/// connectionless socket.
///
/// The pending error lives in the socket's `sk_err` between calls, where `SO_ERROR` reads
/// (and clears) it: it is handed to the core for the call and taken back after, with the
/// state (see [`sync_socket`]).
pub(crate) fn with_conn<R>(
    sk: &Sk<TipcFamily>,
    f: impl FnOnce(&mut Conn) -> Result<R, Errno>,
) -> Result<R, Errno> {
    with_conn_in(sk, &mut sk.state().inner.lock(), f)
}

/// [`with_conn`] with the socket's state locked already, as `inner`: for a call that reads
/// more of that state under the same lock.
pub(crate) fn with_conn_in<R>(
    sk: &Sk<TipcFamily>,
    inner: &mut Inner,
    f: impl FnOnce(&mut Conn) -> Result<R, Errno>,
) -> Result<R, Errno> {
    let conn = inner.conn.as_mut().ok_or(Errno::EOPNOTSUPP)?;
    if let Some(e) = sk.take_error() {
        if let Some(e) = Errno::from_positive(-e.to_errno()) {
            conn.restore_error(e);
        }
    }
    let result = f(conn);
    sync_socket(sk, conn);
    result
}

/// Shows the connection where the socket layer reads it after an event: its pending error,
/// if any, moves to `sk_err` (`SO_ERROR`), and its state to `sk_state` (`ss`).
pub(crate) fn sync_socket(sk: &Sk<TipcFamily>, conn: &mut Conn) {
    if let Some(e) = conn.take_error() {
        sk.set_error(e.get());
    }
    sk.set_sk_state(conn.state().sk_state());
}

/// `connect(2)` on a connection socket.
pub(crate) fn connect(sock: &Socket<'_, TipcFamily>, addr: &[u8], flags: i32) -> Result {
    let sk = sock.sk();
    let state = sock.state();
    let mut guard = sk.lock();
    let plan = {
        let inner = state.inner.lock();
        if inner.group.is_some() {
            // A group member connects nowhere (C's `tipc_connect`, before the address).
            return Err(error(Errno::EINVAL));
        }
        let conn = inner.conn.as_ref().ok_or(error(Errno::EOPNOTSUPP))?;
        conn.connect(
            addr,
            flags & O_NONBLOCK != 0,
            inner.opts.conn_timeout(),
            inner.bindings.is_published(),
        )
        .map_err(error)?
    };
    let ms = match plan {
        Connect::Syn { dest, then } => {
            send_syn(sock, dest, None)?;
            match then {
                AfterSyn::InProgress => return Err(error(Errno::EINPROGRESS)),
                AfterSyn::Wait { ms } => ms,
            }
        }
        Connect::Wait { ms } => ms,
    };
    wait_connected(&mut guard, ms_to_jiffies(ms))
}

/// Waits at most `ms` milliseconds for the setup under way to end, as the core decides.
pub(crate) fn wait_connected(guard: &mut SkGuard<'_, TipcFamily>, mut timeo: c_long) -> Result {
    let sk = guard.sk();
    wait_for(guard, &mut timeo, |_, _, w| {
        with_conn(sk, |c| c.connect_wait(w))
    })
}

/// Sends the SYN of a setup to `dest`, carrying `data` (the user's data and its length) if
/// any, and records the setup. A destination the node layer cannot reach is `EHOSTUNREACH`
/// (once the SYN is built, so data that cannot be read is `EFAULT` first, as in C; before
/// the setup is recorded); a service range makes no SYN (`EOPNOTSUPP`: a send to one from an
/// open socket is a multicast, sent before this is called).
pub(crate) fn send_syn(
    sock: &Socket<'_, TipcFamily>,
    dest: Destination,
    data: Option<(&mut IovIterSource<'_>, usize)>,
) -> Result {
    let sk = sock.sk();
    let state = sock.state();
    let net = sk.net_state();
    let (sender, route) = {
        let inner = state.inner.lock();
        let mut names = net.names.lock();
        let route = resolve(dest, &mut names.table, GFP_ATOMIC).map_err(msg_error)?;
        (
            Sender::new(state.port(), names.table.own_node(), &inner.opts),
            route,
        )
    };
    let Route::Unicast { addressing } = route else {
        return Err(error(Errno::EOPNOTSUPP));
    };
    let to = SocketAddr {
        port: addressing.dest_port(),
        node: addressing.dest_node(),
    };
    let name = match dest {
        Destination::Service { ty, instance, .. } => Some((ty, instance)),
        _ => None,
    };
    let repr = syn_header(&sender, &addressing);
    let (skb, dlen) = match data {
        Some((src, len)) => (build_from(&repr, len, |buf| fill_from(src, buf))?, len),
        None => (build_from(&repr, 0, |_| Ok(()))?, 0),
    };
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    if !xmit.reaches(to.node) {
        // As C's `tipc_node_xmit` refuses, before the setup is recorded.
        return Err(unreachable());
    }
    // A copy is kept for a retry should the peer be overloaded; without memory for it the
    // send fails, as in C.
    let mut copy = KVec::new();
    copy.extend_from_slice(skb.data(), GFP_KERNEL)?;
    with_conn(sk, |c| {
        if let Some((ty, instance)) = name {
            c.set_name(ty, instance);
        }
        c.syn_sent(to, skb.len(), dlen);
        Ok(())
    })
    .map_err(error)?;
    state.inner.lock().syn_copy = Some(copy);
    xmit.send(to.node, skb, state.port())
}

/// `listen(2)`: a connection socket starts taking setups.
pub(crate) fn listen(sock: &Socket<'_, TipcFamily>) -> Result {
    let sk = sock.sk();
    let _guard = sk.lock();
    with_conn(sk, |c| c.listen()).map_err(error)
}

/// `accept(2)`: waits for a SYN on the listener, makes the new socket connected to its
/// sender, moves the SYN's data to it and answers the connector.
pub(crate) fn accept(
    listener: &Socket<'_, TipcFamily>,
    new: NewConn<'_, TipcFamily>,
    flags: i32,
) -> Result {
    let sk = listener.sk();
    let state = listener.state();
    let net = sk.net_state();
    let mut guard = sk.lock();
    with_conn(sk, |c| c.accept_check()).map_err(error)?;
    let mut timeo = sk.rcvtimeo(flags & O_NONBLOCK != 0);
    guard.wait(&mut timeo, |g| {
        g.peek_rcv().is_some() || with_conn(sk, |c| c.accept_check()).is_err()
    })?;
    with_conn(sk, |c| c.accept_check()).map_err(error)?;
    let new_sock = new.create(TipcSock::new(state.kind))?;
    let accepted = {
        let syn = guard.peek_rcv().ok_or(EAGAIN)?;
        let new_state = new_sock.state();
        let sender = {
            let inner = new_state.inner.lock();
            Sender::new(new_state.port(), net.own_node(), &inner.opts)
        };
        let now = net.now_ms();
        with_conn(sk, |c| c.accept(syn.data(), &sender, now)).map_err(error)?
    };
    let dnode = {
        let mut inner = new_sock.state().inner.lock();
        inner.opts.set_importance(accepted.importance);
        let conn = inner.conn.insert(accepted.conn);
        sync_socket(new_sock.sk(), conn);
        conn.peer_node()
    };
    let port = new_sock.state().port();
    sock_timer::arm(net, port, accepted.timer, GFP_KERNEL);
    if let Some(syn) = guard.dequeue_rcv() {
        if accepted.keep_syn {
            new_sock.sk().queue_rcv(syn);
        } else {
            syn.consume();
        }
    }
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    let mut out = ToPeer::new(&mut xmit, dnode, port);
    out.send_all([&accepted.ack[..]]);
    out.finish(new_sock.sk());
    Ok(())
}

/// The connection state a new socket starts with, once it has its port.
pub(crate) fn start(state: &TipcSock) {
    let mut inner = state.inner.lock();
    let nodelay = inner.opts.nodelay();
    inner.conn = Conn::new(state.kind, state.port());
    if let Some(conn) = inner.conn.as_mut() {
        conn.set_nodelay(nodelay);
    }
}
