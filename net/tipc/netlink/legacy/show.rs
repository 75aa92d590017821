// SPDX-License-Identifier: GPL-2.0

//! The legacy commands answered with text: `TIPC_CMD_SHOW_NAME_TABLE`, `_SHOW_PORTS`,
//! `_SHOW_LINK_STATS` and `_SHOW_STATS`, from what the `TIPCv2` dumps C translates them into
//! read, in their order. Writes to a [`Reply`] never fail (it cuts the text short), so their
//! results are not looked at.

use super::{
    super::{link::LinkView, node::peers_from, sock::sock_info},
    no_memory,
};
use crate::{
    kalloc::{KVec, GFP_KERNEL},
    netns::TipcNet,
    proto::{
        bearer::BearerId,
        errno::Errno,
        legacy::{
            reply::Reply,
            text::{self, Binding, Counters, LinkFigures, NameQuery, PortState},
            tlv, MAX_LINK_NAME,
        },
        netlink::idle_bc_link_stats,
        node::bclink::BCLINK_NAME,
    },
};

/// `TIPC_CMD_SHOW_STATS`: the version line, all C has left of its statistics.
pub(super) fn version() -> Result<Reply, Errno> {
    let mut r = Reply::text(GFP_KERNEL).map_err(no_memory)?;
    let _ = text::version(&mut r);
    Ok(r)
}

/// `TIPC_CMD_SHOW_NAME_TABLE`: the query's header, then each binding it selects in the order
/// of `TIPC_NL_NAME_TABLE_GET`; `EINVAL` for a query shorter than
/// `struct tipc_name_table_query`.
pub(super) fn name_table(net: &TipcNet, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    if arg.value_len() < 16 {
        return Err(Errno::EINVAL);
    }
    let q = NameQuery {
        depth: arg.be32(0),
        ty: arg.be32(4),
        lower: arg.be32(8),
        upper: arg.be32(12),
    };
    let mut r = Reply::text(GFP_KERNEL).map_err(no_memory)?;
    let _ = q.header(&mut r);
    let names = net.names.lock();
    // The whole table in one pass: nothing to resume.
    let _ = names.table.dump(None, |e| {
        let b = Binding {
            ty: e.range.ty,
            lower: e.range.lower,
            upper: e.range.upper,
            scope: e.publication.scope.as_u32(),
            node: e.publication.sk.node,
            port: e.publication.sk.port,
            key: e.publication.key,
        };
        if q.shows(&b) {
            let _ = q.row(&mut r, &b);
        }
        !r.is_full()
    });
    drop(names);
    Ok(r)
}

/// `TIPC_CMD_SHOW_PORTS`: a line per socket in port order, as `TIPC_NL_SOCK_GET` lists them:
/// its peer if connected, else its bindings (newest first, as `TIPC_NL_PUBL_GET` lists them).
pub(super) fn ports(net: &TipcNet) -> Result<Reply, Errno> {
    /// Sockets taken from the port table at a time.
    const BATCH: usize = 32;
    let mut r = Reply::text(GFP_KERNEL).map_err(no_memory)?;
    let mut from = 0;
    loop {
        let mut batch = KVec::with_capacity(BATCH, GFP_KERNEL).map_err(no_memory)?;
        net.sockets_from(from, &mut batch);
        for sk in batch.iter() {
            let info = sock_info(sk.state().port(), &sk.state().inner.lock());
            let state = match info.conn {
                Some((peer, via)) => PortState::Connected {
                    node: peer.node,
                    port: peer.port,
                    via,
                },
                None if info.has_publ => PortState::Bound,
                None => PortState::Idle,
            };
            let _ = text::port_start(&mut r, info.port, &state);
            if state == PortState::Bound {
                let inner = sk.state().inner.lock();
                for (range, _) in inner.bindings.newest_first(None) {
                    let _ = text::binding(&mut r, range.ty, range.lower, range.upper);
                    if r.is_full() {
                        break;
                    }
                }
            }
            let _ = text::port_end(&mut r);
            match info.port.checked_add(1) {
                Some(next) if !r.is_full() => from = next,
                _ => return Ok(r),
            }
        }
        if batch.len() < BATCH {
            return Ok(r);
        }
    }
}

/// `TIPC_CMD_SHOW_LINK_STATS`: the statistics of the link the request names, among those
/// `TIPC_NL_LINK_GET` lists (the broadcast link and the peers' links); nothing for a name no
/// link has. `EINVAL` for a name without its NUL within `TIPC_MAX_LINK_NAME` bytes.
pub(super) fn link_stats(net: &TipcNet, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    let name = arg.name(0, MAX_LINK_NAME)?;
    let mut r = Reply::text(GFP_KERNEL).map_err(no_memory)?;
    let st = net.cluster.lock();
    if name == BCLINK_NAME {
        let window = st.core.bclink().window();
        drop(st);
        let idle = Counters::new(idle_bc_link_stats());
        let _ = text::bc_link_stats(&mut r, name, window, &idle);
        return Ok(r);
    }
    for p in peers_from(&st.core, 0) {
        for b in BearerId::all() {
            let Some(v) = LinkView::new(&st.core, p, b) else {
                continue;
            };
            if v.name.as_bytes() != name {
                continue;
            }
            let figures = LinkFigures {
                active: v.active,
                up: v.up,
                mtu: v.mtu,
                priority: v.priority,
                tolerance: v.tolerance,
                window: v.window,
                rx: v.stats.recv_pkts,
                tx: v.stats.sent_pkts,
            };
            let counters = Counters::new(v.stats.nl_counters());
            let _ = text::link_stats(&mut r, name, &figures, &counters);
            return Ok(r);
        }
    }
    Ok(r)
}
