// SPDX-License-Identifier: GPL-2.0

//! A bearer's discoverer (`struct tipc_discoverer`): when to send the next request.
//!
//! The first request goes when the bearer is enabled, the next 125 ms later. While the node
//! tries its address the interval stays at 125 ms; after that it doubles at each request,
//! up to 1 s while the bearer has no working link, up to 60 s once it has. When its last
//! link goes and the interval had grown past 1 s (or stopped), it starts again at 125 ms.
//! A bearer whose domain is one node stops once it has a link to it.

use crate::proto::node::own::OwnNode;

/// `TIPC_DISC_INIT` (ms).
pub(crate) const DISC_INIT: u64 = 125;
/// `TIPC_DISC_FAST` (ms).
pub(crate) const DISC_FAST: u64 = 1000;
/// `TIPC_DISC_SLOW` (ms).
pub(crate) const DISC_SLOW: u64 = 60000;
/// The node part of an address (`tipc_node`): a domain naming one node has it.
const NODE_MASK: u32 = 0xfff;

/// What a discoverer's timer does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tick {
    /// Broadcast a request (or an address trial) now.
    Send,
    /// The trial is over: make the trial address the node's address; no request this time.
    Finalize,
    /// Nothing: the one node of the domain is found.
    Stop,
}

/// A bearer's discovery timer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Discoverer {
    domain: u32,
    num_nodes: u32,
    /// The current interval; `None` once stopped (`TIPC_DISC_INACTIVE`).
    interval: Option<u64>,
    deadline: Option<u64>,
}

impl Discoverer {
    /// A discoverer for a bearer of `domain`, enabled at `now`, whose first request the
    /// caller sends with the enabling (`tipc_disc_create`); the next is due in 125 ms.
    pub(crate) const fn new(domain: u32, now: u64) -> Self {
        Self {
            domain,
            num_nodes: 0,
            interval: Some(DISC_INIT),
            deadline: Some(now + DISC_INIT),
        }
    }

    /// When the timer is next due.
    pub(crate) const fn deadline(&self) -> Option<u64> {
        self.deadline
    }

    /// The current interval (ms), `None` when stopped.
    pub(crate) const fn interval(&self) -> Option<u64> {
        self.interval
    }

    /// Peers with a working link on the bearer.
    pub(crate) const fn num_nodes(&self) -> u32 {
        self.num_nodes
    }

    /// The timer fired at `now` (`tipc_disc_timeout`).
    pub(crate) fn on_timeout(&mut self, own: &OwnNode, now: u64) -> Tick {
        self.deadline = None;
        if self.domain & NODE_MASK != 0 && self.num_nodes > 0 {
            self.interval = None;
            return Tick::Stop;
        }
        if !own.in_trial(now) && own.addr() == 0 {
            self.deadline = Some(now + DISC_INIT);
            return Tick::Finalize;
        }
        let intv = if own.in_trial(now) {
            DISC_INIT
        } else {
            let cap = if self.num_nodes > 0 {
                DISC_SLOW
            } else {
                DISC_FAST
            };
            self.interval
                .unwrap_or(DISC_INIT)
                .saturating_mul(2)
                .min(cap)
        };
        self.interval = Some(intv);
        self.deadline = Some(now + intv);
        Tick::Send
    }

    /// A link on the bearer came up (`tipc_disc_add_dest`).
    pub(crate) fn add_dest(&mut self) {
        self.num_nodes += 1;
    }

    /// A link on the bearer went down (`tipc_disc_remove_dest`): with none left, searching
    /// starts again fast.
    pub(crate) fn remove_dest(&mut self, now: u64) {
        self.num_nodes = self.num_nodes.saturating_sub(1);
        if self.num_nodes == 0 && self.interval.is_none_or(|i| i > DISC_FAST) {
            self.interval = Some(DISC_INIT);
            self.deadline = Some(now + DISC_INIT);
        }
    }
}
