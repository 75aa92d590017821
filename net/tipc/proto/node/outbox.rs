// SPDX-License-Identifier: GPL-2.0

//! What the cluster has to say to the glue, queued until polled: packets to send and
//! events, each in order.

use super::event::Event;
use super::transmit::{Dest, Message, Transmit};
use crate::kalloc::{Flags, KVec};
use crate::proto::bearer::BearerId;

/// The queues, and what did not fit in them.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    transmits: KVec<Transmit>,
    events: KVec<Event>,
    /// Packets and events lost to a failed allocation.
    pub(crate) lost: u64,
}

impl Outbox {
    /// Queues a packet.
    pub(crate) fn send(&mut self, bearer: BearerId, dest: Dest, msg: Message, flags: Flags) {
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
    pub(crate) fn pop_transmit(&mut self) -> Option<Transmit> {
        self.transmits.remove(0).ok()
    }

    /// The oldest event.
    pub(crate) fn pop_event(&mut self) -> Option<Event> {
        self.events.remove(0).ok()
    }
}
