// SPDX-License-Identifier: GPL-2.0

//! `recvmsg(2)` on a connectionless socket, and what happens to the messages a closing
//! socket never read.

use crate::{
    deliver::return_to_sender,
    group,
    node::Xmit,
    proto::{
        conn::close::{shutdown_check, RCV_SHUTDOWN, SHUTDOWN_MASK},
        errno::Errno,
        group::{event::queued_recv_flags, recv::read_credit},
        msg::{
            ancillary::ancillary_on,
            recv::{check_buffer, recv_step, RecvPlan, RecvStep, MSG_DONTWAIT},
            srcaddr::{member_addr, source_addr},
        },
        name_table::bind::SOCKADDR_TIPC_LEN,
        wire::consts::ErrorCode,
    },
    socket::{error, msg_error, TipcFamily},
};
use kernel::{
    net::{msghdr::RecvMsg, skb::SkBuff, socket::Socket},
    prelude::*,
};

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
    let sk = sock.sk();
    let mut guard = sk.lock();
    let mut timeo = sk.rcvtimeo(flags & MSG_DONTWAIT != 0);
    loop {
        // As C's `tipc_wait_for_rcvmsg`: after `shutdown(2)` an empty queue ends a read that
        // may wait with `ENOTCONN`, but one that may not is `EAGAIN`, as before.
        let may_wait = timeo != 0;
        guard.wait(&mut timeo, |g| {
            g.peek_rcv().is_some() || (may_wait && g.sk().shutdown_mask() & RCV_SHUTDOWN != 0)
        })?;
        if guard.peek_rcv().is_none() {
            return Err(error(Errno::ENOTCONN));
        }
        let offset = state.rx_offset();
        let Some(skb) = guard.peek_rcv() else {
            continue;
        };
        let plan = match recv_step(skb.data(), offset, len, flags) {
            RecvStep::Discard => None,
            RecvStep::Read(plan) => Some(plan),
        };
        // A group message credits its sender once it leaves the queue.
        let credit = read_credit(skb.data());
        let Some(plan) = plan else {
            if let Some(skb) = guard.dequeue_rcv() {
                skb.consume();
            }
            if let Some((node, port, blks)) = credit {
                group::consumed(sk, node, port, blks);
            }
            continue;
        };
        let copied = read_planned(msg, skb, &plan, || None)?;
        // A membership event's bytes are copied, but the call returns 0 (C).
        let event = queued_recv_flags(skb.data());
        state.set_rx_offset(plan.bytes_read);
        if plan.consume {
            if let Some(skb) = guard.dequeue_rcv() {
                skb.consume();
            }
            if let Some((node, port, blks)) = credit {
                group::consumed(sk, node, port, blks);
            }
        }
        if let Some(flags) = event {
            msg.add_flags(flags);
            return Ok(0);
        }
        return Ok(copied);
    }
}

/// Gives the caller the source address and ancillary data of `skb`, received on a
/// connection made to service instance `conn_name()`, if any (asked only for ancillary
/// data). As in C, with no control buffer there is no ancillary data, and no `MSG_CTRUNC`.
pub(crate) fn put_meta(
    msg: &mut RecvMsg<'_>,
    skb: &SkBuff,
    conn_name: impl FnOnce() -> Option<(u32, u32)>,
) -> Result {
    if let Some(addr) = source_addr(skb.data()) {
        match member_addr(skb.data()) {
            // A group message names the sending member too (`struct sockaddr_pair`).
            Some(member) => {
                let mut pair = [0u8; 2 * SOCKADDR_TIPC_LEN];
                let (sock, group) = pair.split_at_mut(SOCKADDR_TIPC_LEN);
                sock.copy_from_slice(&addr.to_bytes());
                group.copy_from_slice(&member.to_bytes());
                msg.set_name(&pair);
            }
            None => msg.set_name(&addr.to_bytes()),
        }
    }
    if msg.wants_control() {
        for cmsg in ancillary_on(skb.data(), conn_name()).iter() {
            msg.put_cmsg(cmsg.level, cmsg.ty, cmsg.bytes())?;
        }
    }
    Ok(())
}

/// Reads message `skb` as `plan` says (one message: the connectionless types and
/// `SOCK_SEQPACKET`): its source address and ancillary data, the bytes to copy and the
/// result flags; returns the bytes copied. The caller keeps the offset and removes the
/// message if the plan says so.
pub(crate) fn read_planned(
    msg: &mut RecvMsg<'_>,
    skb: &SkBuff,
    plan: &RecvPlan,
    conn_name: impl FnOnce() -> Option<(u32, u32)>,
) -> Result<usize> {
    put_meta(msg, skb, conn_name)?;
    let copied = plan.copy.len();
    skb.copy_to_iter(plan.copy.start, copied, msg.data())?;
    msg.add_flags(plan.msg_flags);
    Ok(copied)
}

/// `shutdown(2)` on a connectionless socket: only `SHUT_RDWR` (else `EINVAL`); queued
/// messages go back to their senders with `TIPC_ERR_CONN_SHUTDOWN`, later reads fail with
/// `ENOTCONN`, and the call itself reports `ENOTCONN`, as in C.
pub(crate) fn shutdown(sock: &Socket<'_, TipcFamily>, how: i32) -> Result {
    shutdown_check(how).map_err(error)?;
    reject_queued(sock, ErrorCode::ConnShutdown);
    let sk = sock.sk();
    sk.set_shutdown_mask(SHUTDOWN_MASK);
    sk.wake_all();
    Err(error(Errno::ENOTCONN))
}

/// Returns every message still queued on the socket to its sender with `code`, where the
/// rules allow, as the C module does when a connectionless socket closes or shuts down; a
/// message already partly read is just freed.
pub(crate) fn reject_queued(sock: &Socket<'_, TipcFamily>, code: ErrorCode) {
    let sk = sock.sk();
    let net = sk.net_state();
    let mut guard = sk.lock();
    let partly_read = sock.state().rx_offset() != 0;
    sock.state().set_rx_offset(0);
    if partly_read {
        drop(guard.dequeue_rcv());
    }
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    while let Some(skb) = guard.dequeue_rcv() {
        return_to_sender(&mut xmit, skb, code);
    }
}
