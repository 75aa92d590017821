// SPDX-License-Identifier: GPL-2.0

//! The node layer: the one door between the sockets and the network.
//!
//! Every message this node sends (a socket's data, a connection's acknowledgement or probe, a
//! returned message, the topology server's events) leaves through an [`Xmit`], which alone
//! decides where it goes: a message for this node (destination node 0 or this node's
//! address) is delivered here; a message for another node goes to that node's links, and
//! with no working link to it it is dropped and the send is `EHOSTUNREACH`, as the C
//! module's `tipc_node_xmit` answers for a node it does not know.
//!
//! A connection's messages have a short header, which names no node: their sender gives
//! the destination node, as C's sockets give it to `tipc_node_xmit`.
//!
//! Delivery is iterative. What delivering a message gives rise to (a returned message, an
//! acknowledgement, the backlog a window opening releases) is sent through the same `Xmit`,
//! which queues it while a delivery is under way; the loop that delivered the first message
//! delivers the queue in order until it is empty. Nothing calls back up the stack, so the
//! depth of a delivery does not grow with the messages it causes. The one nesting is the
//! topology server's: a delivery that reaches it sends the server's output through an `Xmit`
//! of its own, and at most one thread does that at a time (`topsrv::flush`), so it is one
//! level deep.

use crate::{
    cluster,
    deliver::deliver_one,
    kalloc::{Flags, KVec},
    netns::TipcNet,
    proto::{
        errno::Errno,
        wire::{consts::SHORT_H_SIZE, header::Packet},
    },
};
use kernel::{net::skb::OwnedSkBuff, prelude::*, sync::Arc};

/// Messages on their way out of one call into TIPC (a socket call, a timer, an arriving
/// message), and the context they are sent in.
///
/// Made by whoever enters TIPC, who knows the context and so the allocation flags: process
/// context passes `GFP_KERNEL`, softirq `GFP_ATOMIC`. Each `send` for this node delivers at
/// once unless a delivery is under way, in which case the message waits in the queue for
/// that delivery's loop, so every message is delivered before the outermost `send` returns.
pub(crate) struct Xmit<'a> {
    net: &'a Arc<TipcNet>,
    flags: Flags,
    /// A delivery is under way: new messages for this node wait in `queue`.
    busy: bool,
    /// Messages for this node waiting for the loop, in the order they were sent.
    queue: KVec<OwnedSkBuff>,
}

impl<'a> Xmit<'a> {
    /// A door for the messages of one call into `net`, allocating with `flags`.
    pub(crate) fn new(net: &'a Arc<TipcNet>, flags: Flags) -> Self {
        Self {
            net,
            flags,
            busy: false,
            queue: KVec::new(),
        }
    }

    /// The namespace the messages are sent in.
    pub(crate) fn net(&self) -> &'a Arc<TipcNet> {
        self.net
    }

    /// The allocation flags of the context the messages are sent in.
    pub(crate) fn flags(&self) -> Flags {
        self.flags
    }

    /// Whether a message for node `dnode` can leave now: it is this node, or a node with a
    /// working link.
    pub(crate) fn reaches(&self, dnode: u32) -> bool {
        self.net.is_own(dnode) || cluster::reaches(self.net, dnode)
    }

    /// Sends `skb` to node `dnode`. `selector` keeps one sender's messages on one link when
    /// the node has several (the sender's port, as in C). `EHOSTUNREACH` for a node with no
    /// working link, the message dropped; a message queued beyond its link's backlog limit
    /// counts as sent (see [`Xmit::send_to`] for a sender that waits for the link).
    pub(crate) fn send(&mut self, dnode: u32, skb: OwnedSkBuff, selector: u32) -> Result {
        self.send_to(dnode, skb, selector).map(|_| ())
    }

    /// Sends `skb` to node `dnode`, as [`Xmit::send`], and says whether the link to another
    /// node is congested: the message was queued all the same, and the sender is to wait
    /// for the link's wakeup before it sends there again.
    pub(crate) fn send_to(&mut self, dnode: u32, skb: OwnedSkBuff, selector: u32) -> Result<Sent> {
        if self.net.is_own(dnode) {
            self.deliver(skb);
            return Ok(Sent::Delivered);
        }
        match cluster::send(self.net, dnode, selector, skb, self.flags) {
            Ok(()) => Ok(Sent::Delivered),
            Err(Errno::ELINKCONG) => Ok(Sent::Congested),
            Err(e) => Err(Error::from_errno(-e.get())),
        }
    }

    /// Sends `skb`, a whole message whose header names its destination (a message with a
    /// short header is for this node): an internal message, or one returned to its sender.
    /// One that cannot reach its node is dropped, as C drops it.
    pub(crate) fn send_msg(&mut self, skb: OwnedSkBuff) {
        let dest = Packet::new_checked(skb.data()).map(|p| {
            let short = p.header_len() == SHORT_H_SIZE;
            (if short { 0 } else { p.destnode() }, p.origport())
        });
        match dest {
            Ok((dnode, selector)) => {
                let _ = self.send(dnode, skb, selector);
            }
            Err(_) => skb.consume(),
        }
    }

    /// Sends `msg`, a whole message the core built whose header names its destination, as
    /// [`Xmit::send_msg`], copying it into a buffer of its own. A message there is no memory
    /// for is lost, as on a link.
    pub(crate) fn send_bytes(&mut self, msg: &[u8]) {
        if let Some(skb) = self.copy(msg) {
            self.send_msg(skb);
        }
    }

    /// Sends a copy of `msg`, a whole message the core built, to node `dnode` (a connection's
    /// message, whose short header names no node), as [`Xmit::send_to`]. A message there is
    /// no memory for is lost, as on a link.
    pub(crate) fn send_bytes_to(&mut self, dnode: u32, msg: &[u8], selector: u32) -> Result<Sent> {
        let skb = self.copy(msg).ok_or(ENOMEM)?;
        self.send_to(dnode, skb, selector)
    }

    /// `msg` in a buffer of its own, allocated with this context's flags; `None` without
    /// memory.
    pub(crate) fn copy(&self, msg: &[u8]) -> Option<OwnedSkBuff> {
        let mut skb = OwnedSkBuff::alloc(msg.len(), self.flags).ok()?;
        skb.put(msg.len()).ok()?.copy_from_slice(msg);
        Some(skb)
    }

    /// Delivers `skb` to its socket on this node, and then everything that gives rise to,
    /// unless a delivery is under way, which this joins.
    ///
    /// A message that finds no room in the queue is lost. The queue becomes a list of the
    /// buffers themselves, which needs no memory, once `rust/` has one.
    fn deliver(&mut self, skb: OwnedSkBuff) {
        if self.busy {
            let _ = self.queue.push(skb, self.flags);
            return;
        }
        self.busy = true;
        deliver_one(self, skb);
        while !self.queue.is_empty() {
            for skb in core::mem::take(&mut self.queue) {
                deliver_one(self, skb);
            }
        }
        self.busy = false;
    }
}

/// How a message left.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Sent {
    /// Delivered here, or on its way to the other node.
    Delivered,
    /// Queued beyond its link's backlog limit (`ELINKCONG`).
    Congested,
}

/// `EHOSTUNREACH`: the answer for a node with no link.
pub(crate) fn unreachable() -> Error {
    Error::from_errno(-Errno::EHOSTUNREACH.get())
}
