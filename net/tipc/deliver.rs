// SPDX-License-Identifier: GPL-2.0

//! Delivery of messages to sockets on this node, and the return of those refused.

use crate::{
    netns::{Endpoint, TipcNet},
    proto::{
        msg::{
            filter::{filter, RcvbufUse, Verdict},
            reroute::{no_socket, Undeliverable},
            reverse::returned,
        },
        wire::{
            consts::{ErrorCode, SHORT_H_SIZE},
            header::Packet,
        },
    },
    topsrv,
};
use kernel::{net::skb::OwnedSkBuff, prelude::*, sync::Arc};

/// Delivers `skb`, a message for this node, to its destination socket, and any message that
/// comes back from that (a returned message, or a message rerouted to another socket).
///
/// A message no socket takes is returned to its sender when the rules allow it, else freed.
/// Each step either queues, frees or produces a message that cannot come back again (returned
/// messages are never returned, reroutes are counted), so this ends.
pub(crate) fn deliver(net: &Arc<TipcNet>, skb: OwnedSkBuff) {
    let mut next = Some(skb);
    while let Some(skb) = next.take() {
        next = deliver_one(net, skb);
    }
}

/// Sends `msg`, a whole message the core built, to its destination on this node; a
/// message for another node is dropped, as no link exists yet. Allocation failure drops it,
/// as a lost message on a link would be.
pub(crate) fn transmit(net: &Arc<TipcNet>, msg: &[u8]) {
    let Ok(mut skb) = OwnedSkBuff::alloc(msg.len(), GFP_KERNEL) else {
        return;
    };
    let Ok(buf) = skb.put(msg.len()) else {
        return;
    };
    buf.copy_from_slice(msg);
    let local = Packet::new_checked(skb.data()).is_ok_and(|p| {
        p.header_len() == SHORT_H_SIZE || net.names.lock().table.is_own(p.destnode())
    });
    if local {
        deliver(net, skb);
    }
}

/// Delivers one message; returns the message it gives rise to, if any.
fn deliver_one(net: &Arc<TipcNet>, skb: OwnedSkBuff) -> Option<OwnedSkBuff> {
    let port = Packet::new_checked(skb.data()).ok()?.destport();
    let sk = match net.endpoint(port) {
        Some(Endpoint::Sock(sk)) => sk,
        Some(Endpoint::TopSrv) => {
            topsrv::arrive(net, port, skb);
            return None;
        }
        None => return no_such_port(net, skb),
    };
    if sk.state().kind.is_connection() {
        return crate::conn_arrive::arrive(net, &sk, skb);
    }
    let rcv = RcvbufUse {
        used: sk.receive_memory(),
        truesize: skb.truesize(),
        rcvbuf: sk.rcvbuf(),
    };
    match filter(skb.data(), &rcv) {
        Verdict::Accept => {
            sk.queue_rcv(skb);
            None
        }
        // No internal protocol reaches a socket on a single node yet.
        Verdict::Protocol => None,
        Verdict::Reject { code, counts_drop } => {
            if counts_drop {
                sk.count_drop();
            }
            returned_message(net, &skb, code)
        }
    }
}

/// A message whose port has no socket: a named message is looked up once more, anything
/// else is refused.
fn no_such_port(net: &TipcNet, mut skb: OwnedSkBuff) -> Option<OwnedSkBuff> {
    // A refused message is left as it was: only a reroute rewrites it.
    let verdict = no_socket(skb.data_mut(), &mut net.names.lock().table);
    match verdict {
        Undeliverable::Rerouted(_) => Some(skb),
        Undeliverable::Reject(code) => returned_message(net, &skb, code),
    }
}

/// The message that returns the refused `skb` to its sender with `code`, if the rules allow
/// one and memory is available; the refused message is freed by the caller.
pub(crate) fn returned_message(
    net: &TipcNet,
    skb: &OwnedSkBuff,
    code: ErrorCode,
) -> Option<OwnedSkBuff> {
    let back = returned(skb.data(), code)?;
    let own = net.own_node();
    let mut out = OwnedSkBuff::alloc(back.len(), GFP_KERNEL).ok()?;
    let buf = out.put(back.len()).ok()?;
    back.emit(own, buf).ok()?;
    Some(out)
}
