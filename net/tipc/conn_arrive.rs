// SPDX-License-Identifier: GPL-2.0

//! A message arriving at a connection socket (`SOCK_SEQPACKET`, `SOCK_STREAM`).

use crate::{
    conn_setup::sync_socket,
    conn_xmit::ToPeer,
    deliver::return_to_sender,
    group,
    netns::{SockRef, TipcNet},
    node::Xmit,
    proto::{
        conn::{
            arrive::{Ambient, Incoming, Verdict},
            effects::Effects,
        },
        msg::filter::RcvbufUse,
        wire::{consts::User, header::Packet},
    },
    sock_timer,
    socket::TipcFamily,
};
use kernel::{
    net::{skb::OwnedSkBuff, sock::Sk},
    random,
};

/// Hands `skb` to the connection state of `sk`, queues it if taken, and carries out what the
/// core asks: the messages to send (through `xmit`), the wakeups; a refused message goes back
/// to its sender if the rules allow.
///
/// The message is queued under the socket's state lock, so the queue follows the order in
/// which the core saw the messages; what is sent goes out after that lock is released.
pub(crate) fn arrive(xmit: &mut Xmit<'_>, sk: &SockRef, skb: OwnedSkBuff) {
    let net = xmit.net();
    let rcv = RcvbufUse {
        used: sk.receive_memory(),
        truesize: skb.truesize(),
        rcvbuf: sk.rcvbuf(),
    };
    let own_node = net.own_node();
    let mut inner = sk.state().inner.lock();
    if inner.group.is_some() && for_group(&skb) {
        // As in C's `tipc_sk_filter_rcv`, the group's protocol goes to the group, and a
        // member's data meets the group first, which drops what is not the group's (a SYN,
        // or a refused one coming back, leaves the connection's state alone). What the
        // group delivers, the connection's rules then refuse (`group::settle`).
        drop(inner);
        if let Some(skb) = group::arrive(xmit, sk, skb) {
            skb.consume();
        }
        return;
    }
    let inc = Incoming {
        ambient: &Live(net),
        own_node,
        rcv,
        conn_timeout: inner.opts.conn_timeout(),
    };
    let Some(conn) = inner.conn.as_mut() else {
        return;
    };
    let arrival = conn.on_message(skb.data(), &inc);
    let dnode = conn.peer_node();
    sync_socket(sk, conn);
    let keeps_syn = conn.keeps_syn();
    if let Some(importance) = arrival.effects.importance {
        inner.opts.set_importance(importance);
    }
    if arrival.effects.conn_timeout_floor {
        inner.opts.raise_conn_timeout_floor();
    }
    if !keeps_syn {
        inner.syn_copy = None;
    }
    let rejected = match arrival.verdict {
        Verdict::Accept => {
            sk.queue_rcv(skb);
            None
        }
        Verdict::Drop => {
            skb.consume();
            None
        }
        Verdict::Reject { code, counts_drop } => {
            if counts_drop {
                sk.count_drop();
            }
            Some((skb, code))
        }
    };
    drop(inner);
    // Building the returned message allocates, which may sleep: no lock is held here.
    if let Some((skb, code)) = rejected {
        return_to_sender(xmit, skb, code);
    }
    apply(xmit, sk, &arrival.effects, dnode);
}

/// Whether `skb` is for a member's group: data, or the group's protocol (not a
/// connection's protocol message).
fn for_group(skb: &OwnedSkBuff) -> bool {
    Packet::new_checked(skb.data()).is_ok_and(|p| {
        p.user()
            .is_some_and(|u| u.is_data() || u == User::GroupProtocol)
    })
}

/// The namespace's clock and the kernel's random bits, read when the core asks.
struct Live<'a>(&'a TipcNet);

impl Ambient for Live<'_> {
    fn now(&self) -> u64 {
        self.0.now_ms()
    }

    fn random(&self) -> u16 {
        // The low 16 bits.
        random::get_u32() as u16
    }
}

/// Carries out `effects` for `sk` with no lock held: sends the backlog to node `dnode`,
/// then the reply, arms the socket's timer, then wakes whom the core says.
fn apply(xmit: &mut Xmit<'_>, sk: &Sk<TipcFamily>, effects: &Effects, dnode: u32) {
    let mut out = ToPeer::new(xmit, dnode, sk.state().port());
    out.send_all(effects.flush.iter().map(|m| &m[..]));
    out.finish(sk);
    if let Some(reply) = &effects.reply {
        xmit.send_bytes(reply.bytes());
    }
    if let Some(at) = effects.timer {
        sock_timer::arm(xmit.net(), sk.state().port(), at, xmit.flags());
    }
    if effects.state_change {
        sk.wake_all();
    }
    if effects.write_space {
        sk.wake_writers();
    }
}
