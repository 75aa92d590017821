// SPDX-License-Identifier: GPL-2.0

//! The sockets' timers (`sk_timer`, `tipc_sk_timeout`): one delayed work item per namespace
//! fires at the earliest deadline a connection's core state asked for, and each due socket's
//! state decides what firing means: an hourly probe of the peer, giving up on a silent peer,
//! or sending the kept SYN again after a peer refused it as overloaded.

use crate::{
    conn_setup::sync_socket, kalloc::Flags, netns::TipcNet, node::Xmit, proto::conn::timer::Tick,
    socket::TipcFamily,
};
use kernel::{
    net::sock::Sk,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::Arc,
    time::msecs_to_jiffies,
    workqueue,
    workqueue_cancel::cancel_delayed,
};

/// The work item of the sockets' timers, beside the topology server's.
pub(crate) const SOCK_TIMER: u64 = 2;

/// The deadlines the namespace's sockets asked for.
///
/// An entry may be stale (its socket was closed, or rearmed for another time): the socket's
/// own state is checked when the entry falls due, so a stale entry costs one look-up.
pub(crate) struct SockTimers {
    /// `(deadline in ms, port)`, earliest first.
    due: RBTree<(u64, u32), ()>,
    /// When the work item is armed to fire (ms), if it is.
    armed_at: Option<u64>,
}

impl SockTimers {
    /// No deadlines.
    pub(crate) fn new() -> Self {
        Self {
            due: RBTree::new(),
            armed_at: None,
        }
    }
}

/// Queues the work item to fire at `at` (ms), replacing an earlier arming. Neither
/// cancelling nor queueing sleeps, so the caller may hold the timers' lock.
fn arm_work(net: &Arc<TipcNet>, timers: &mut SockTimers, at: u64) {
    cancel_delayed::<TipcNet, SOCK_TIMER>(net);
    timers.armed_at = Some(at);
    let ms = at.saturating_sub(net.now_ms());
    let delay = msecs_to_jiffies(u32::try_from(ms).unwrap_or(u32::MAX));
    // Cancelled just above, so not pending: queueing succeeds.
    let _ = workqueue::system().enqueue_delayed::<_, SOCK_TIMER>(net.clone(), delay);
}

/// The earliest entry.
fn earliest(due: &RBTree<(u64, u32), ()>) -> Option<(u64, u32)> {
    due.cursor_front().map(|c| *c.current().0)
}

/// The socket at `port` wants its timer to fire at `at` (ms). Without memory for the entry
/// the deadline is lost, as a timer that never fires: the probe or the retry does not
/// happen, which the connection survives (a lost SYN retry ends in the connect timeout).
/// Allocates with `flags`: a message arriving in softirq arms timers too.
pub(crate) fn arm(net: &Arc<TipcNet>, port: u32, at: u64, flags: Flags) {
    let Ok(reservation) = RBTreeNodeReservation::new(flags) else {
        return;
    };
    let mut timers = net.sock_timers.lock();
    timers.due.insert(reservation.into_node((at, port), ()));
    if timers.armed_at.is_none_or(|armed| at < armed) {
        arm_work(net, &mut timers, at);
    }
}

/// The work item fired: every socket whose deadline passed gets its tick.
pub(crate) fn on_timer(net: &Arc<TipcNet>) {
    let now = net.now_ms();
    let mut fired = KVec::new();
    {
        let mut timers = net.sock_timers.lock();
        timers.armed_at = None;
        while let Some((at, port)) = earliest(&timers.due) {
            if at > now || fired.push(port, GFP_ATOMIC).is_err() {
                break;
            }
            timers.due.remove(&(at, port));
        }
        if let Some((at, _)) = earliest(&timers.due) {
            arm_work(net, &mut timers, at);
        }
    }
    for port in fired.iter() {
        if let Some(sk) = net.socket(*port) {
            tick(net, &sk, now);
        }
    }
}

/// The timer of `sk` fired at `now`: the connection says what to do, if its deadline is
/// really due (the entry may be stale).
fn tick(net: &Arc<TipcNet>, sk: &Sk<TipcFamily>, now: u64) {
    let port = sk.state().port();
    let own = net.own_node();
    let mut inner = sk.state().inner.lock();
    let Some(conn) = inner.conn.as_mut() else {
        return;
    };
    match conn.deadline() {
        Some(at) if at <= now => {}
        Some(at) => {
            drop(inner);
            arm(net, port, at, GFP_KERNEL);
            return;
        }
        None => return,
    }
    let tick = conn.tick(now, own);
    let next = conn.deadline();
    sync_socket(sk, conn);
    // The kept SYN is lent out while it is sent, with no lock held.
    let syn = match tick {
        Tick::ResendSyn => inner.syn_copy.take(),
        _ => None,
    };
    drop(inner);
    match tick {
        Tick::Idle => {}
        Tick::Probe(probe) => Xmit::new(net, GFP_KERNEL).send_bytes(probe.bytes()),
        Tick::ResendSyn => {
            if let Some(syn) = syn {
                Xmit::new(net, GFP_KERNEL).send_bytes(&syn);
                let mut inner = sk.state().inner.lock();
                if inner.syn_copy.is_none() {
                    inner.syn_copy = Some(syn);
                }
            }
        }
        Tick::Aborted => sk.wake_all(),
    }
    if let Some(at) = next {
        arm(net, port, at, GFP_KERNEL);
    }
}
