// SPDX-License-Identifier: GPL-2.0

//! The topology server's glue: messages for its ports go to the core's [`TopSrv`], name
//! table changes become its events, its timer is a delayed work item, and what it asks to
//! send is sent in order by one thread at a time. Name table changes reach the server
//! where they are made, under the table's lock ([`context`]).

use crate::{
    netns::{Endpoint, Names, TipcNet},
    node::Xmit,
    proto::{
        name_table::addr::{Scope, ServiceRange, SocketAddr, TIPC_TOP_SRV},
        topology::server::Context,
    },
    sysctl,
};
use kernel::{
    net::skb::OwnedSkBuff, prelude::*, sync::Arc, time::msecs_to_jiffies, workqueue,
    workqueue_cancel::cancel_delayed,
};

/// The work item of the topology server's timer.
pub(crate) const TOPSRV_TIMER: u64 = 1;

/// What the topology server needs to know of the node and the time now, for allocations
/// in `flags`.
pub(crate) fn context(net: &TipcNet, names: &Names, flags: kernel::alloc::Flags) -> Context {
    context_at(net.now_ms(), names, flags)
}

/// The context of [`context`] for telling the server of a change the caller made to the
/// name table under `names`; the caller calls [`flush`] once it let go of the lock. The
/// clock is read only when a subscription exists: a bind or an unbind with none, the
/// common case, does not read it.
pub(crate) fn change_context(net: &TipcNet, names: &Names, flags: kernel::alloc::Flags) -> Context {
    let now = if names.topsrv.has_subscriptions() {
        net.now_ms()
    } else {
        0
    };
    context_at(now, names, flags)
}

/// The context at time `now`.
fn context_at(now: u64, names: &Names, flags: kernel::alloc::Flags) -> Context {
    Context {
        now,
        own_node: names.table.own_node(),
        rcvbuf: sysctl::default_rcvbuf(),
        flags,
    }
}

/// Binds the listener at `port` to `{TIPC_TOP_SRV, TIPC_TOP_SRV}` with node scope, as the C
/// module binds its listening socket (key: the port plus one, a socket's first binding).
pub(crate) fn bind_listener(net: &TipcNet, port: u32) -> Result {
    let range = ServiceRange {
        ty: TIPC_TOP_SRV,
        lower: TIPC_TOP_SRV,
        upper: TIPC_TOP_SRV,
    };
    let mut names = net.names.lock();
    let sk = SocketAddr {
        port,
        node: names.table.own_node(),
    };
    names
        .table
        .publish(range, sk, Scope::Node, port.wrapping_add(1), GFP_ATOMIC)
        .map_err(|_| ENOMEM)?;
    Ok(())
}

/// `skb` arrives at `port`, one of the topology server's: a connection request to the
/// listener is accepted on a new port; anything else goes to the connection at `port`. The
/// server's output is sent by [`flush`], not through the `xmit` of the delivery that brought
/// `skb`, so that its order holds across threads.
pub(crate) fn arrive(xmit: &mut Xmit<'_>, port: u32, skb: OwnedSkBuff) {
    let net = xmit.net();
    if port == net.topsrv_listener {
        let Ok(new_port) = net.claim_port(Endpoint::TopSrv) else {
            return;
        };
        let taken = {
            let mut names = net.names.lock();
            let ctx = context(net, &names, GFP_ATOMIC);
            let Names { table, topsrv, .. } = &mut *names;
            topsrv.on_listener_message(skb.data(), new_port, &ctx, table)
        };
        if !taken {
            drop(net.remove_port(new_port));
        }
    } else {
        let mut names = net.names.lock();
        let ctx = context(net, &names, GFP_ATOMIC);
        let Names { table, topsrv, .. } = &mut *names;
        topsrv.on_message(port, skb.data(), &ctx, table);
    }
    skb.consume();
    flush(net, xmit.flags());
}

/// The timer fired: subscriptions whose time is up get their last event.
pub(crate) fn on_timer(net: &Arc<TipcNet>) {
    {
        let mut names = net.names.lock();
        names.timer_at = None;
        let ctx = context(net, &names, GFP_ATOMIC);
        names.topsrv.on_timeout(&ctx);
    }
    flush(net, GFP_KERNEL);
}

/// Sends what the topology server asked to send (allocating with `flags`), frees the ports
/// of its connections that ended, and arms its timer.
///
/// One thread at a time sends, so that each connection's messages leave in the order the
/// server made them; a thread that finds another sending leaves its output to that one,
/// which goes on until nothing is left. Delivering an event can bring a message back to the
/// server (an acknowledgement, a returned event): that arrival finds the sender busy, leaves
/// its output and returns, so this nests one level at most.
pub(crate) fn flush(net: &Arc<TipcNet>, flags: kernel::alloc::Flags) {
    let mut names = net.names.lock();
    if names.flushing {
        return;
    }
    names.flushing = true;
    loop {
        arm(net, &mut names);
        let out = names.topsrv.take_transmits();
        let released = names.topsrv.take_released();
        if out.is_empty() && released.is_empty() {
            names.flushing = false;
            return;
        }
        drop(names);
        for port in released.iter() {
            drop(net.remove_port(*port));
        }
        let mut xmit = Xmit::new(net, flags);
        for t in out.iter() {
            xmit.send_bytes(t.bytes());
        }
        names = net.names.lock();
    }
}

/// Arms the timer for the server's next deadline, if that changed. Cancelling and queueing
/// a delayed work item do not sleep, so this runs under the name table's lock, which orders
/// every change of `timer_at`.
fn arm(net: &Arc<TipcNet>, names: &mut Names) {
    let next = names.topsrv.next_deadline();
    if next == names.timer_at {
        return;
    }
    cancel_delayed::<TipcNet, TOPSRV_TIMER>(net);
    names.timer_at = next;
    if let Some(at) = next {
        let ms = at.saturating_sub(net.now_ms());
        let delay = msecs_to_jiffies(u32::try_from(ms).unwrap_or(u32::MAX));
        // Cancelled just above, so not pending: queueing succeeds.
        let _ = workqueue::system().enqueue_delayed::<_, TOPSRV_TIMER>(net.clone(), delay);
    }
}
