// SPDX-License-Identifier: GPL-2.0

//! Ending a connection from this end: `shutdown(2)`, and `close(2)` of a connection socket.

use crate::{
    conn_setup::with_conn,
    conn_xmit::ToPeer,
    deliver::return_to_sender,
    node::Xmit,
    proto::{
        conn::close::{shutdown_check, Queue, Reason, SHUTDOWN_MASK},
        sockopt::CONN_TIMEOUT_DEFAULT_MS,
    },
    socket::{error, TipcFamily},
    wait::{ms_to_jiffies, wait_for},
};
use kernel::{
    net::{sock::SkGuard, socket::Socket},
    prelude::*,
};

/// `shutdown(2)` on a connection socket: only `SHUT_RDWR`; the peer reads end of file.
pub(crate) fn shutdown(sock: &Socket<'_, TipcFamily>, how: i32) -> Result {
    shutdown_check(how).map_err(error)?;
    let mut guard = sock.sk().lock();
    end(&mut guard, Reason::Shutdown)
}

/// Ends the connection of the locked socket for `reason`: waits a bounded time for the
/// window, tells the peer (its first unread message goes back, or a FIN), disposes of the
/// receive queue as the core says and wakes everyone.
pub(crate) fn end(guard: &mut SkGuard<'_, TipcFamily>, reason: Reason) -> Result {
    let sk = guard.sk();
    let state = sk.state();
    let net = sk.net_state();
    let mut timeo = ms_to_jiffies(CONN_TIMEOUT_DEFAULT_MS);
    // Bounded, and its outcome does not matter: the connection ends either way.
    let _ = wait_for(guard, &mut timeo, |_, _, w| {
        with_conn(sk, |c| c.close_wait(w))
    });
    if state.rx_offset() != 0 {
        state.set_rx_offset(0);
        drop(guard.dequeue_rcv());
    }
    let queue_empty = guard.peek_rcv().is_none();
    let own = net.own_node();
    let (closing, dnode) = with_conn(sk, |c| {
        Ok((c.close(reason, queue_empty, own), c.peer_node()))
    })
    .map_err(error)?;
    sk.set_shutdown_mask(SHUTDOWN_MASK);
    let port = state.port();
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    ToPeer::new(&mut xmit, dnode, port).send_all(closing.flush.iter().map(|m| &m[..]));
    match closing.queue {
        Queue::ReturnFirst(code) => {
            if let Some(skb) = guard.dequeue_rcv() {
                return_to_sender(&mut xmit, skb, code);
            }
            while let Some(skb) = guard.dequeue_rcv() {
                drop(skb);
            }
        }
        Queue::ReturnAll(code) => {
            while let Some(skb) = guard.dequeue_rcv() {
                return_to_sender(&mut xmit, skb, code);
            }
        }
        Queue::Purge => {
            while let Some(skb) = guard.dequeue_rcv() {
                drop(skb);
            }
        }
    }
    if let Some(fin) = &closing.fin {
        ToPeer::new(&mut xmit, dnode, port).send_all([fin.bytes()]);
    }
    if closing.purge_after {
        while let Some(skb) = guard.dequeue_rcv() {
            drop(skb);
        }
    }
    sk.wake_all();
    closing.result.map_err(error)
}
