// SPDX-License-Identifier: GPL-2.0

//! Name distribution over the links: this node's binding updates to every peer up (C's
//! replicast, `tipc_node_broadcast` without the broadcast link) and its bulk to a peer that
//! came up (`tipc_named_node_up`). A message a link cannot take (no working link, no memory)
//! is lost, as in C; one queued beyond the backlog's limit (`ELINKCONG`) is sent.

use super::cluster::Cluster;
use crate::kalloc::Flags;
use crate::proto::link::buf::PacketBuf;
use crate::proto::name_table::{distr::Distributor, table::NameTable, update::Update};
use crate::proto::wire::consts::MAX_MSG_SIZE;

/// Sends `updates` to every peer up, each message in a buffer of its own.
pub(crate) fn distribute<B: PacketBuf>(
    core: &mut Cluster<B>,
    updates: &[Update],
    now: u64,
    flags: Flags,
) {
    let own = core.own().addr();
    for i in 0..core.peers().len() {
        let Some(peer) = core.peers().get(i).filter(|p| p.is_up()).map(|p| p.addr()) else {
            continue;
        };
        for u in updates {
            if let Some(m) = u.msg(own, peer, flags) {
                send(core, peer, &m, now, flags);
            }
        }
    }
}

/// Sends `peer`, which came up, this node's cluster-scope bindings from `table` in bulk, in
/// messages that fit its first active link's mss.
pub(crate) fn node_up<B: PacketBuf>(
    core: &mut Cluster<B>,
    table: &NameTable,
    distr: &Distributor,
    peer: u32,
    now: u64,
    flags: Flags,
) {
    let mss = core
        .peer(peer)
        .and_then(|p| p.active()[0].and_then(|b| p.link(b)))
        .map_or(MAX_MSG_SIZE as u32, |l| l.mss());
    // Without memory the peer misses these bindings, as C's bulk does.
    distr.bulk(table, peer, mss, flags, |m| {
        send(core, peer, &m, now, flags)
    });
}

/// Sends a copy of `msg` to `peer`.
fn send<B: PacketBuf>(core: &mut Cluster<B>, peer: u32, msg: &[u8], now: u64, flags: Flags) {
    if let Some(buf) = B::from_bytes(msg, flags) {
        let _ = core.send(peer, 0, buf, now, flags);
    }
}
