// SPDX-License-Identifier: GPL-2.0

//! The server's end of one subscriber's connection: its connection state, its subscriptions
//! and the events its window holds back (`struct tipc_conn` and its `outqueue`).

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::conn::machine::Conn;
use crate::proto::conn::send::Chunk;
use crate::proto::msg::header::Sender;
use crate::proto::wire::consts::SHORT_H_SIZE;
use crate::proto::wire::topsrv::EVENT_LEN;

use super::subscription::SubKey;
use super::transmit::Transmit;

/// An event message: the connection header, then the event.
pub(crate) const EVENT_MSG_LEN: usize = SHORT_H_SIZE + EVENT_LEN;

/// The most events one connection's window may hold back. The C module holds any number;
/// a subscriber that stops reading while its subscriptions keep matching would take memory
/// without bound, so past this its connection is closed.
pub(crate) const MAX_HELD_EVENTS: usize = 1 << 16;

/// Why an event could not be queued: the connection must be closed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum QueueError {
    /// More than [`MAX_HELD_EVENTS`] wait for the window.
    Overflow,
    /// No memory.
    NoMemory,
}

impl From<AllocError> for QueueError {
    fn from(_: AllocError) -> Self {
        Self::NoMemory
    }
}

/// One subscriber connection, at the server.
#[derive(Debug)]
pub(crate) struct Subscriber {
    /// The port of the server's end.
    pub(crate) port: u32,
    /// The connection, established at accept.
    pub(crate) conn: Conn,
    /// What the server's messages on this connection say of their sender.
    pub(crate) sender: Sender,
    /// The connection's subscriptions, oldest first.
    pub(crate) subs: KVec<SubKey>,
    /// Events the window holds back, oldest first from `held_head`.
    held: KVec<[u8; EVENT_LEN]>,
    /// How many of `held` were already sent.
    held_head: usize,
    /// Set when queueing failed; the server closes the connection once it may.
    pub(crate) failed: Option<QueueError>,
}

impl Subscriber {
    /// The server's end `port` of connection `conn`, sending as `sender`.
    pub(crate) const fn new(port: u32, conn: Conn, sender: Sender) -> Self {
        Self {
            port,
            conn,
            sender,
            subs: KVec::new(),
            held: KVec::new(),
            held_head: 0,
            failed: None,
        }
    }

    /// Events waiting for the window.
    pub(crate) fn held(&self) -> usize {
        self.held.len() - self.held_head
    }

    /// Queues `event`: sent now (appended to `out`) if nothing is held and the window is
    /// open, else held. A failure marks the connection failed.
    pub(crate) fn queue(&mut self, event: [u8; EVENT_LEN], out: &mut KVec<Transmit>, flags: Flags) {
        if self.failed.is_some() {
            return;
        }
        let res = if self.held() == 0 && !self.conn.congested() {
            self.send(&event, out, flags)
        } else if self.held() >= MAX_HELD_EVENTS {
            Err(QueueError::Overflow)
        } else {
            self.held.push(event, flags).map_err(QueueError::from)
        };
        if let Err(e) = res {
            self.failed = Some(e);
        }
    }

    /// Sends held events while the window is open.
    pub(crate) fn release(&mut self, out: &mut KVec<Transmit>, flags: Flags) {
        while self.failed.is_none() && !self.conn.congested() {
            let Some(&event) = self.held.get(self.held_head) else {
                break;
            };
            if let Err(e) = self.send(&event, out, flags) {
                self.failed = Some(e);
                return;
            }
            self.held_head += 1;
        }
        if self.held_head == self.held.len() {
            self.held.clear();
            self.held_head = 0;
        } else if self.held_head >= 64 && self.held_head * 2 >= self.held.len() {
            let mut seen = 0;
            let sent = self.held_head;
            self.held.retain(|_| {
                seen += 1;
                seen > sent
            });
            self.held_head = 0;
        }
    }

    /// Builds the message of `event` into `out` and counts it against the window.
    fn send(
        &mut self,
        event: &[u8; EVENT_LEN],
        out: &mut KVec<Transmit>,
        flags: Flags,
    ) -> Result<(), QueueError> {
        out.reserve(1, flags)?;
        let Chunk::Message { header, .. } = self.conn.next_chunk(EVENT_LEN, &self.sender) else {
            // A packet connection never bundles.
            return Err(QueueError::NoMemory);
        };
        let mut msg = [0u8; EVENT_MSG_LEN];
        let (h, e) = msg.split_at_mut(SHORT_H_SIZE);
        h.copy_from_slice(&header);
        e.copy_from_slice(event);
        // The Nagle backlog of a packet connection is always empty.
        drop(self.conn.commit_message(EVENT_LEN));
        // Room was reserved above.
        let _ = out.insert_within_capacity(out.len(), Transmit::Event(msg));
        Ok(())
    }
}
