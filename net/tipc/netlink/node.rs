// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_NODE_GET`: the nodes this node knows of, with whether each is up.

use super::{tipc_net, TipcGenl};
use crate::{
    cluster::{Core as Cluster, CorePeer as Peer},
    proto::netlink::{cmd, nla, node, ListDump},
};
use kernel::{
    net::genetlink::{Dump, Progress},
    prelude::*,
};

/// The peers from address `from` on, in address order, as C keeps its node list.
pub(super) fn peers_from(core: &Cluster, from: u32) -> impl Iterator<Item = &Peer> {
    let mut next = Some(from);
    core::iter::from_fn(move || {
        let at = next?;
        let p = core
            .peers()
            .iter()
            .filter(|p| p.addr() >= at)
            .min_by_key(|p| p.addr())?;
        next = p.addr().checked_add(1);
        Some(p)
    })
}

/// `TIPC_NL_NODE_GET` (`tipc_nl_node_dump`): one message per peer, its address and, if it is
/// up, the `UP` flag. This node is not among them, as in C, whose node list holds peers only.
pub(super) fn dump_nodes(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => 0,
        ListDump::From(addr) => addr,
    };
    let st = tipc_net(dump).cluster.lock();
    for p in peers_from(&st.core, from) {
        let sent = dump.message(cmd::NODE_GET, |msg| {
            msg.nest(nla::NODE, |msg| {
                msg.put_u32(node::ADDR, p.addr())?;
                if p.is_up() {
                    msg.put_flag(node::UP)?;
                }
                Ok(())
            })
        })?;
        if !sent {
            dump.set_state(ListDump::From(p.addr()).to_words());
            return Ok(Progress::More);
        }
    }
    Ok(Progress::Done)
}
