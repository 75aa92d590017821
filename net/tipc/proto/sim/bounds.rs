// SPDX-License-Identifier: GPL-2.0

//! The queues stay bounded: after every step of a simulation each link's transmit queue,
//! backlog and deferred queue, and each node's held name distribution updates, are within
//! the limits the core sets.

extern crate std;

use super::net::Net;
use crate::proto::bearer::props::MAX_LINK_WIN;
use crate::proto::bearer::BearerId;
use crate::proto::link::sequence::MAX_AHEAD;
use crate::proto::name_table::distr::MAX_HELD;
use crate::proto::wire::consts::{INT_H_SIZE, MAX_MSG_SIZE};

impl Net {
    /// Panics, naming the node, peer and queue, if a queue is beyond its limit.
    pub(super) fn check_bounds(&self) {
        for (i, n) in self.nodes.iter().enumerate() {
            for p in n.cluster.peers() {
                let peer = p.addr();
                if let Some(names) = &n.names {
                    let held = names.distr.held(peer);
                    assert!(
                        held <= MAX_HELD,
                        "node {i}: {held} updates of {peer:x} held"
                    );
                }
                for l in BearerId::all().filter_map(|b| p.link(b)) {
                    let (transmq, _, deferdq) = l.queue_lens();
                    assert!(
                        transmq <= MAX_LINK_WIN as usize,
                        "node {i} to {peer:x}: {transmq} packets in the transmit queue"
                    );
                    assert!(
                        deferdq <= usize::from(MAX_AHEAD),
                        "node {i} from {peer:x}: {deferdq} packets deferred"
                    );
                    // A message finding room below the limit goes in whole, however many
                    // fragments it makes; one finding the backlog full goes in too, and its
                    // sender waits (system messages are refused instead).
                    let frags = MAX_MSG_SIZE.div_ceil(l.mss() as usize - INT_H_SIZE) as u32;
                    for (imp, (len, limit, waiting)) in l.backlog().into_iter().enumerate() {
                        let most = limit - 1 + frags * (1 + waiting as u32);
                        assert!(
                            len <= most,
                            "node {i} to {peer:x}: {len} packets of importance {imp} backlogged"
                        );
                    }
                }
            }
        }
    }
}
