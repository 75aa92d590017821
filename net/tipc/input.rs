// SPDX-License-Identifier: GPL-2.0

//! The namespace's input queue: packets the links took in sequence, delivered to this
//! node's sockets in the order they were taken; a multicast to each socket here in its
//! range (`tipc_sk_mcast_rcv`).
//!
//! A link takes a packet under the cluster's lock and appends it to the queue there, so the
//! queue holds each link's packets in sequence. Delivery happens once the lock is released,
//! by one thread at a time (the others leave their packets to it), so that a link's
//! packets reach their sockets in order even when frames of one link are received on
//! several CPUs.

use crate::{
    netns::TipcNet,
    node::Xmit,
    proto::{
        msg::mcast_rcv::{address_copy, is_mcast, mcast_ports},
        wire::{bundle::Unbundler, consts::User, header::Packet},
    },
};
use kernel::{
    alloc::flags::GFP_ATOMIC,
    net::skb::OwnedSkBuff,
    sync::{
        atomic::{Acquire, Relaxed, Release},
        Arc,
    },
};

/// Delivers what the queue holds, unless another thread is at it; allocates with `flags`.
pub(crate) fn drain(net: &Arc<TipcNet>, flags: kernel::alloc::Flags) {
    loop {
        if net.input_busy.xchg(true, Acquire) {
            return;
        }
        let mut xmit = Xmit::new(net, flags);
        while let Some(skb) = net.input.dequeue() {
            deliver(&mut xmit, skb);
        }
        net.input_busy.store(false, Release);
        // A packet queued after the last dequeue, by a thread that found the queue busy,
        // is this thread's to deliver.
        if net.input.is_empty() {
            return;
        }
    }
}

/// Delivers one packet a link took: a message, or each message of a bundle.
fn deliver(xmit: &mut Xmit<'_>, skb: OwnedSkBuff) {
    let p = match Packet::new_checked(skb.data()) {
        Ok(p) if p.user() == Some(User::MsgBundler) => p,
        _ => return deliver_msg(xmit, skb),
    };
    for inner in Unbundler::new(p.payload()) {
        let Ok(inner) = inner else {
            count_drop(xmit.net());
            break;
        };
        if inner.user() == Some(User::NameDistributor) {
            // Applied to the name table when the link took the bundle
            // (`cluster::drive`).
            continue;
        }
        if !delivered_here(inner.user()) {
            count_drop(xmit.net());
            continue;
        }
        match xmit.copy(inner.into_inner()) {
            Some(copy) => deliver_msg(xmit, copy),
            None => count_drop(xmit.net()),
        }
    }
    skb.consume();
}

/// Delivers one message: a multicast to each socket here in its range (a group broadcast
/// or multicast to each socket here bound to the group's type), anything else to the
/// destination its header names.
pub(crate) fn deliver_msg(xmit: &mut Xmit<'_>, skb: OwnedSkBuff) {
    let ports = match Packet::new_checked(skb.data()) {
        // Under the name table's lock: an atomic allocation, whatever the caller's context.
        Ok(p) if is_mcast(&p) => mcast_ports(&p, &xmit.net().names.lock().table, GFP_ATOMIC),
        _ => return xmit.send_msg(skb),
    };
    let Ok(ports) = ports else {
        count_drop(xmit.net());
        return skb.consume();
    };
    // Every socket but the last gets a copy; the last gets the message itself.
    let Some((&last, others)) = ports.split_last() else {
        return skb.consume();
    };
    for &port in others {
        match xmit.copy(skb.data()) {
            Some(mut copy) => {
                address_copy(copy.data_mut(), port);
                xmit.send_msg(copy);
            }
            None => count_drop(xmit.net()),
        }
    }
    let mut skb = skb;
    address_copy(skb.data_mut(), last);
    xmit.send_msg(skb);
}

/// Whether messages of `user` go to this node's sockets.
fn delivered_here(user: Option<User>) -> bool {
    user.is_some_and(User::is_for_sockets)
}

/// Counts a message lost on the way in.
fn count_drop(net: &TipcNet) {
    net.input_dropped.fetch_add(1, Relaxed);
}
