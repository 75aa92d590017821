// SPDX-License-Identifier: GPL-2.0

//! `recvmsg(2)` on a connectionless socket, and what happens to the messages a closing
//! socket never read.

use crate::{
    deliver::{deliver, returned_message},
    proto::{
        errno::Errno,
        msg::{
            ancillary::ancillary,
            recv::{check_buffer, recv_step, RecvStep},
            srcaddr::source_addr,
        },
        sock_kind::SockKind,
        wire::consts::ErrorCode,
    },
    socket::{error, msg_error, TipcFamily},
};
use kernel::{
    net::{msghdr::RecvMsg, socket::Socket},
    prelude::*,
};

/// `MSG_DONTWAIT`: do not wait for a message.
const MSG_DONTWAIT: u32 = 0x40;

/// Receives one message (or the next piece of one, with `MSG_EOR`) into `msg`, waiting for
/// one as the socket's receive timeout and the flags allow; returns the bytes copied.
pub(crate) fn recvmsg(
    sock: &Socket<'_, TipcFamily>,
    msg: &mut RecvMsg<'_>,
    len: usize,
    flags: u32,
) -> Result<usize> {
    check_buffer(len).map_err(msg_error)?;
    let state = sock.state();
    if !matches!(state.kind, SockKind::Rdm | SockKind::Dgram) {
        // Connection sockets are never connected yet.
        return Err(error(Errno::ENOTCONN));
    }
    let sk = sock.sk();
    let mut guard = sk.lock();
    let mut timeo = sk.rcvtimeo(flags & MSG_DONTWAIT != 0);
    loop {
        guard.wait(&mut timeo, |g| g.peek_rcv().is_some())?;
        let offset = state.inner.lock().rx_offset;
        let Some(skb) = guard.peek_rcv() else {
            continue;
        };
        let data = skb.data();
        let plan = match recv_step(data, offset, len, flags) {
            RecvStep::Discard => None,
            RecvStep::Read(plan) => Some(plan),
        };
        let Some(plan) = plan else {
            if let Some(skb) = guard.dequeue_rcv() {
                skb.consume();
            }
            continue;
        };
        if let Some(addr) = source_addr(data) {
            msg.set_name(&addr.to_bytes());
        }
        // As in C, with no control buffer there is no ancillary data, and no MSG_CTRUNC.
        if msg.wants_control() {
            for cmsg in ancillary(data).iter() {
                msg.put_cmsg(cmsg.level, cmsg.ty, cmsg.bytes())?;
            }
        }
        let copied = plan.copy.len();
        skb.copy_to_iter(plan.copy.start, copied, msg.data())?;
        msg.add_flags(plan.msg_flags);
        state.inner.lock().rx_offset = plan.bytes_read;
        if plan.consume {
            if let Some(skb) = guard.dequeue_rcv() {
                skb.consume();
            }
        }
        return Ok(copied);
    }
}

/// Returns every message still queued on a closing socket to its sender with
/// `TIPC_ERR_NO_PORT`, where the rules allow, as the C module does for connectionless
/// sockets; a message already partly read is just freed.
pub(crate) fn reject_queued(sock: &Socket<'_, TipcFamily>) {
    let sk = sock.sk();
    let net = sk.net_state();
    let mut guard = sk.lock();
    let partly_read = core::mem::take(&mut sock.state().inner.lock().rx_offset) != 0;
    if partly_read {
        drop(guard.dequeue_rcv());
    }
    while let Some(skb) = guard.dequeue_rcv() {
        if let Some(back) = returned_message(net, &skb, ErrorCode::NoPort) {
            deliver(net, back);
        }
    }
}
