// SPDX-License-Identifier: GPL-2.0

//! What the cluster has to say to the glue, queued until polled: packets to send and
//! events, each in order.

use super::event::Event;
use super::fifo::Fifo;
use super::transmit::{Delivery, Dest, Message, Transmit};
use crate::kalloc::Flags;
use crate::proto::bearer::BearerId;

/// The queues, and what did not fit in them.
#[derive(Debug)]
pub(crate) struct Outbox<B> {
    transmits: Fifo<Transmit<B>>,
    events: Fifo<Event>,
    deliveries: Fifo<Delivery<B>>,
    /// Packets, messages and events lost to a failed allocation.
    pub(crate) lost: u64,
}

impl<B> Default for Outbox<B> {
    fn default() -> Self {
        Self {
            transmits: Fifo::default(),
            events: Fifo::default(),
            deliveries: Fifo::default(),
            lost: 0,
        }
    }
}

impl<B> Outbox<B> {
    /// Queues a message for this node.
    pub(crate) fn deliver(&mut self, d: Delivery<B>, flags: Flags) {
        if self.deliveries.push(d, flags).is_err() {
            self.lost = self.lost.saturating_add(1);
        }
    }

    /// The oldest message for this node.
    pub(crate) fn pop_delivery(&mut self) -> Option<Delivery<B>> {
        self.deliveries.pop()
    }

    /// Queues a packet.
    pub(crate) fn send(&mut self, bearer: BearerId, dest: Dest, msg: Message<B>, flags: Flags) {
        let t = Transmit { bearer, dest, msg };
        if self.transmits.push(t, flags).is_err() {
            self.lost = self.lost.saturating_add(1);
        }
    }

    /// Queues an event.
    pub(crate) fn event(&mut self, e: Event, flags: Flags) {
        if self.events.push(e, flags).is_err() {
            self.lost = self.lost.saturating_add(1);
        }
    }

    /// The oldest packet.
    pub(crate) fn pop_transmit(&mut self) -> Option<Transmit<B>> {
        self.transmits.pop()
    }

    /// The oldest event.
    pub(crate) fn pop_event(&mut self) -> Option<Event> {
        self.events.pop()
    }
}
