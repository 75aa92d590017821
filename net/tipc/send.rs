// SPDX-License-Identifier: GPL-2.0

//! `sendmsg(2)` on a connectionless socket (`SOCK_RDM`, `SOCK_DGRAM`).

use crate::{
    group_send,
    kalloc::KVec,
    node::{Sent, Xmit},
    proto::{
        cong_links::CongLinks,
        conn::machine::Wake,
        errno::Errno,
        msg::{
            dest::{send_destination, Destination},
            header::{data_header, emit_header, Addressing, Sender},
            recv::MSG_DONTWAIT,
            route::{resolve, Route},
        },
        name_table::addr::SocketAddr,
        sock_kind::SockKind,
        wire::{consts::MAX_H_SIZE, data::DataRepr},
    },
    socket::{error, msg_error, TipcFamily, TipcSock},
    wait::wait_for,
};
use kernel::{
    ffi::c_long,
    iov::IovIterSource,
    net::{msghdr::SendMsg, skb::OwnedSkBuff, sock::SkGuard, socket::Socket},
    prelude::*,
};

/// Sends the `len` bytes of `msg` as the C module does for a connectionless socket: to the
/// address given, or to the default peer `connect(2)` set; anycast to one socket bound to a
/// service, multicast to a copy per socket bound in a range, or to one socket by its id.
///
/// Messages leave through the node layer ([`Xmit`]), which delivers those for this node and
/// answers `EHOSTUNREACH` for a node it has no link to.
pub(crate) fn sendmsg(
    sock: &Socket<'_, TipcFamily>,
    msg: &mut SendMsg<'_>,
    len: usize,
) -> Result<usize> {
    let state = sock.state();
    let sk = sock.sk();
    if !matches!(state.kind, SockKind::Rdm | SockKind::Dgram) {
        // Connections come with their own change; a bound connection socket refuses to
        // connect as the C module does.
        return Err(error(Errno::EOPNOTSUPP));
    }
    let mut guard = sk.lock();
    let timeo = sk.sndtimeo(msg.flags() & MSG_DONTWAIT != 0);
    let dest = {
        let inner = state.inner.lock();
        if inner.group.is_some() {
            drop(inner);
            return group_send::sendmsg(sock, &mut guard, timeo, msg, len);
        }
        send_destination(msg.name(), inner.peer, len).map_err(msg_error)?
    };
    send_to(sock, &mut guard, timeo, msg, len, dest)
}

/// Sends the `len` bytes of `msg` to `dest` without a connection, from the locked socket:
/// what a connectionless socket sends, and what an open connection socket sends to a
/// service range (C's `tipc_sendmcast`, a multicast that sets up nothing).
pub(crate) fn send_to(
    sock: &Socket<'_, TipcFamily>,
    guard: &mut SkGuard<'_, TipcFamily>,
    mut timeo: c_long,
    msg: &mut SendMsg<'_>,
    len: usize,
    dest: Destination,
) -> Result<usize> {
    let state = sock.state();
    let sk = sock.sk();
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
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    let selector = state.port();
    match route {
        Route::Unicast { addressing } => {
            let dnode = addressing.dest_node();
            wait_uncongested(guard, state, &mut timeo, |c| !c.blocks(dnode))?;
            let skb = build(&sender, &addressing, len, |buf| fill_from(msg.data(), buf))?;
            if xmit.send_to(dnode, skb, selector)? == Sent::Congested {
                state.inner.lock().cong.add(dnode);
            }
        }
        Route::Multicast {
            range,
            local_ports,
            remote_nodes,
        } => {
            // One copy per socket here and one per other node (port 0, for that node to look
            // up): read the data once, then build each copy from it. A node the message
            // cannot reach is left out, as C's replicast leaves it.
            if !remote_nodes.is_empty() {
                wait_uncongested(guard, state, &mut timeo, CongLinks::is_empty)?;
            }
            let data = read_data(msg, len)?;
            let own = sender.node;
            let copies = Iterator::chain(
                local_ports
                    .iter()
                    .map(|&port| (own, SocketAddr { port, node: 0 })),
                remote_nodes
                    .iter()
                    .map(|&node| (node, SocketAddr { port: 0, node })),
            );
            for (node, to) in copies {
                let to = Addressing::Mcast { range, to };
                let skb = build(&sender, &to, len, |buf| {
                    buf.copy_from_slice(&data);
                    Ok(())
                })?;
                if let Ok(Sent::Congested) = xmit.send_to(node, skb, selector) {
                    state.inner.lock().cong.add(node);
                }
            }
        }
    }
    Ok(len)
}

/// Waits until `ready` says the socket's congested links let it send (`tipc_wait_for_cond`
/// on `cong_links`): `EAGAIN` when the send timeout runs out, at once for a non-blocking
/// send.
fn wait_uncongested(
    guard: &mut SkGuard<'_, TipcFamily>,
    state: &TipcSock,
    timeo: &mut c_long,
    ready: impl Fn(&CongLinks) -> bool,
) -> Result {
    wait_for(guard, timeo, |_, _, w| {
        if ready(&state.inner.lock().cong) {
            Ok(Wake::Ready)
        } else if w.time_left {
            Ok(Wake::Sleep)
        } else {
            Err(Errno::EAGAIN)
        }
    })
}

/// A message from `sender` to `to` with `len` bytes of data, which `fill` writes.
fn build(
    sender: &Sender,
    to: &Addressing,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result,
) -> Result<OwnedSkBuff> {
    build_from(&data_header(sender, to), len, fill)
}

/// A message with header `repr` and `len` bytes of data, which `fill` writes.
pub(crate) fn build_from(
    repr: &DataRepr,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result,
) -> Result<OwnedSkBuff> {
    let mut header = [0u8; MAX_H_SIZE];
    let hlen = emit_header(repr, len, &mut header).map_err(|_| EINVAL)?;
    build_with(header.get(..hlen).ok_or(EINVAL)?, len, fill)
}

/// A message of the ready `header` followed by `len` bytes of data, which `fill` writes.
pub(crate) fn build_with(
    header: &[u8],
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result,
) -> Result<OwnedSkBuff> {
    let mut skb = OwnedSkBuff::alloc(header.len() + len, GFP_KERNEL)?;
    skb.put(header.len())?.copy_from_slice(header);
    fill(skb.put(len)?)?;
    Ok(skb)
}

/// The `len` bytes of the user's data, in a buffer of their own.
pub(crate) fn read_data(msg: &mut SendMsg<'_>, len: usize) -> Result<KVec<u8>> {
    let mut data = KVec::with_capacity(len, GFP_KERNEL)?;
    data.resize(len, 0, GFP_KERNEL)?;
    fill_from(msg.data(), &mut data)?;
    Ok(data)
}

/// Fills `buf` from the user's data; `EFAULT` if it cannot all be read.
pub(crate) fn fill_from(src: &mut IovIterSource<'_>, buf: &mut [u8]) -> Result {
    if src.copy_from_iter(buf) != buf.len() {
        return Err(EFAULT);
    }
    Ok(())
}
