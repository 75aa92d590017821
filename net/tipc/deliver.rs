// SPDX-License-Identifier: GPL-2.0

//! Delivery of one message to its socket on this node, and the return of those refused.

use crate::{
    group,
    netns::{Endpoint, TipcNet},
    node::Xmit,
    proto::{
        msg::{
            filter::{filter, RcvbufUse, Verdict},
            reroute::{no_socket, Undeliverable},
            reverse::returned,
        },
        wire::{consts::ErrorCode, header::Packet},
    },
    topsrv,
};
use kernel::{alloc::Flags, net::skb::OwnedSkBuff};

/// Delivers `skb`, a message for this node, to its destination: a socket, the topology
/// server, or, for a port with nothing behind it, a second look-up or a return to its
/// sender. What that gives rise to (a returned message, a rerouted one, what a connection
/// sends) is sent through `xmit`, which delivers it after this returns.
///
/// Each step queues, frees or produces messages that cannot come back forever (returned
/// messages are never returned, reroutes are counted), so a delivery ends.
pub(crate) fn deliver_one(xmit: &mut Xmit<'_>, skb: OwnedSkBuff) {
    let net = xmit.net();
    let Ok(port) = Packet::new_checked(skb.data()).map(|p| p.destport()) else {
        skb.consume();
        return;
    };
    let sk = match net.endpoint(port) {
        Some(Endpoint::Sock(sk)) => sk,
        Some(Endpoint::TopSrv) => return topsrv::arrive(xmit, port, skb),
        None => return no_such_port(xmit, skb),
    };
    if sk.state().kind.is_connection() {
        return crate::conn_arrive::arrive(xmit, &sk, skb);
    }
    let Some(skb) = group::arrive(xmit, &sk, skb) else {
        return;
    };
    let rcv = RcvbufUse {
        used: sk.receive_memory(),
        truesize: skb.truesize(),
        rcvbuf: sk.rcvbuf(),
    };
    match filter(skb.data(), &rcv) {
        Verdict::Accept => sk.queue_rcv(skb),
        // The group's protocol went to `group::arrive`; no other reaches such a socket.
        Verdict::Protocol => skb.consume(),
        Verdict::Reject { code, counts_drop } => {
            if counts_drop {
                sk.count_drop();
            }
            return_to_sender(xmit, skb, code);
        }
    }
}

/// A message whose port has no socket: a named message is looked up once more, anything
/// else is refused.
fn no_such_port(xmit: &mut Xmit<'_>, mut skb: OwnedSkBuff) {
    // A refused message is left as it was: only a reroute rewrites it.
    let verdict = no_socket(skb.data_mut(), &mut xmit.net().names.lock().table);
    match verdict {
        Undeliverable::Rerouted(_) => xmit.send_msg(skb),
        Undeliverable::Reject(code) => return_to_sender(xmit, skb, code),
    }
}

/// Returns the refused `skb` to its sender with `code`, if the rules allow and memory is
/// available; the refused message is freed as a drop.
pub(crate) fn return_to_sender(xmit: &mut Xmit<'_>, skb: OwnedSkBuff, code: ErrorCode) {
    if let Some(back) = returned_message(xmit.net(), &skb, code, xmit.flags()) {
        xmit.send_msg(back);
    }
    drop(skb);
}

/// The message that returns the refused `skb` to its sender with `code`, if the rules allow
/// one and memory is available, allocated with `flags`.
fn returned_message(
    net: &TipcNet,
    skb: &OwnedSkBuff,
    code: ErrorCode,
    flags: Flags,
) -> Option<OwnedSkBuff> {
    let back = returned(skb.data(), code)?;
    let mut out = OwnedSkBuff::alloc(back.len(), flags).ok()?;
    let buf = out.put(back.len()).ok()?;
    back.emit(net.own_node(), buf).ok()?;
    Some(out)
}
