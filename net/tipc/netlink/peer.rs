// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_PEER_REMOVE`: `tipc peer remove`, forgetting a node that is down.

use super::{namespace, net::NET_POLICY, TipcGenl};
use crate::{
    cluster,
    proto::{
        netlink::{net, nla},
        node::identity::{netlink_bytes, NodeId},
    },
};
use kernel::{net::genetlink::Request, prelude::*};

/// `TIPC_NL_PEER_REMOVE` (`tipc_nl_peer_rm`): the peer is named by its address
/// (`TIPC_NLA_NET_ADDR`, not 0) or its identity (`TIPC_NLA_NET_NODEID` with `_W1`), inside
/// the `TIPC_NLA_NET` nest; `EINVAL` otherwise. The C module reads an address it never set
/// when the nest names neither; ours answers `EINVAL` then too. The rest is
/// [`Cluster::remove_peer`](crate::proto::node::cluster::Cluster::remove_peer)'s.
pub(super) fn remove(req: &Request<'_, TipcGenl>) -> Result {
    let nest = req.attr(nla::NET).ok_or(EINVAL)?.nested(&NET_POLICY, req)?;
    let get64 = |kind: u16| nest.get(kind.into()).map(|a| a.u64()).transpose();
    let by_addr = nest.get(net::ADDR.into()).map(|a| a.u32()).transpose()?;
    if by_addr == Some(0) {
        return Err(EINVAL);
    }
    let addr = match get64(net::NODEID)? {
        Some(w0) => {
            let w1 = get64(net::NODEID_W1)?.ok_or(EINVAL)?;
            NodeId(netlink_bytes(w0, w1)).hash()
        }
        None => by_addr.ok_or(EINVAL)?,
    };
    cluster::drive(namespace(req), GFP_KERNEL, |st, _| {
        st.core.remove_peer(addr)
    })
    .map_err(|e| Error::from_errno(-e.get()))
}
