// SPDX-License-Identifier: GPL-2.0

//! What a group event asks of the glue: protocol messages to send, messages and events to
//! queue for the reader, a wakeup, a new receive buffer size.

use crate::kalloc::KVec;
use crate::proto::wire::group_proto::GroupProtoRepr;

use super::event::MemberEvent;

/// A message for the socket's receive queue, in order.
#[derive(Debug)]
pub(crate) enum Delivery<M> {
    /// A member's data message; `member` is its instance (`TIPC_SKB_CB(skb)->orig_member`,
    /// the second address `recvmsg(2)` gives).
    Data {
        /// The message as the glue passed it in.
        msg: M,
        /// The sending member's instance.
        member: u32,
    },
    /// A membership event: build it with [`MemberEvent::emit`]; its member is
    /// `event.instance`.
    Event(MemberEvent),
}

/// The side effects of a group event, in the order the glue carries them out: queue
/// `deliver` (each under the receive buffer check, `sk_rcvbuf` for group messages), set
/// `rcvbuf`, send `xmit` (`tipc_node_distr_xmit`, after the socket's lock is released),
/// then wake writers if `wakeup`.
#[derive(Debug)]
#[must_use]
pub(crate) struct Effects<M> {
    /// Protocol messages to send, each to its `ports.destnode`; emit with
    /// [`GroupProtoRepr::emit`].
    pub(crate) xmit: KVec<GroupProtoRepr>,
    /// Messages for the receive queue.
    pub(crate) deliver: KVec<Delivery<M>>,
    /// Wake writers (`sk_write_space`): a send window opened.
    pub(crate) wakeup: bool,
    /// Set `sk_rcvbuf` to this (`tipc_group_rcvbuf_limit`).
    pub(crate) rcvbuf: Option<u32>,
}

impl<M> Default for Effects<M> {
    fn default() -> Self {
        Self {
            xmit: KVec::new(),
            deliver: KVec::new(),
            wakeup: false,
            rcvbuf: None,
        }
    }
}

impl<M> Effects<M> {
    /// Whether there is nothing to do.
    pub(crate) fn is_empty(&self) -> bool {
        self.xmit.is_empty() && self.deliver.is_empty() && !self.wakeup && self.rcvbuf.is_none()
    }
}

/// A send-side answer with the effects its check had (an advertisement to send).
#[derive(Debug)]
#[must_use]
pub(crate) struct Outcome<T, M> {
    /// The answer.
    pub(crate) value: T,
    /// What the check asks of the glue.
    pub(crate) effects: Effects<M>,
}

/// Whether a group message or event of `truesize` bytes fits a receive queue holding `used`
/// of `rcvbuf` (`rcvbuf_limit`: a group's messages are held to `sk_rcvbuf` whatever their
/// importance); one that does not is dropped and counted, as C drops it (group messages
/// are never returned).
pub(crate) fn fits(used: u32, truesize: u32, rcvbuf: u32) -> bool {
    used.saturating_add(truesize) < rcvbuf
}
