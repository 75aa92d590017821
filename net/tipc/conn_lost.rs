// SPDX-License-Identifier: GPL-2.0

//! Connections whose peer's node is lost (`tipc_node_lost_contact`): each established
//! connection to that node is handed the message its peer would have sent had it closed
//! with `TIPC_ERR_NO_NODE`, so that reading gets `ECONNRESET` and sending `EPIPE` at once,
//! not after the connection's probe goes unanswered.
//!
//! The sockets are visited in port order, a batch at a time, each batch taken under the
//! port table's lock and each socket's connection read under its state lock; the messages
//! are delivered with neither held. The work is one look per socket of the namespace, done
//! once per lost node.

use crate::{
    kalloc::{Flags, KVec},
    netns::TipcNet,
    node::Xmit,
};
use kernel::sync::Arc;

/// The sockets looked at under one taking of the port table's lock.
const BATCH: usize = 64;

/// Ends every established connection to node `node`, allocating with `flags`. Without
/// memory for a batch the rest end by their probes instead.
pub(crate) fn node_lost(net: &Arc<TipcNet>, node: u32, flags: Flags) {
    let mut xmit = Xmit::new(net, flags);
    let mut from = 0u32;
    loop {
        let Ok(mut batch) = KVec::with_capacity(BATCH, flags) else {
            return;
        };
        net.sockets_from(from, &mut batch);
        let full = batch.len() == batch.capacity();
        for sk in batch {
            let state = sk.state();
            let port = state.port();
            from = port.saturating_add(1);
            let lost = state
                .inner
                .lock()
                .conn
                .as_ref()
                .and_then(|c| c.node_lost(node));
            if let Some(msg) = lost {
                // A message for this node, delivered here: it cannot be congested.
                let _ = xmit.send_bytes_to(0, msg.bytes(), port);
            }
        }
        if !full || from == u32::MAX {
            return;
        }
    }
}
