// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_NET_GET`, `TIPC_NL_NET_SET` and `TIPC_NL_ADDR_LEGACY_GET`: the namespace's
//! network id, node identity and address.

use super::{namespace, tipc_net, TipcGenl};
use crate::{
    cluster,
    proto::{
        netlink::{cmd, net, nla},
        node::{identity::netlink_bytes, own::NetSet},
    },
};
use crate::{netns::TipcNet, proto::errno::Errno};
use kernel::{
    net::genetlink::{Dump, Policy, Progress, Request},
    prelude::*,
    sync::Arc,
};

/// The policy of a `TIPC_NLA_NET` nest (`tipc_nl_net_policy`).
pub(super) static NET_POLICY: [Policy; net::MAX + 1] = [
    Policy::unspec(),
    Policy::u32(),
    Policy::u32(),
    Policy::u64(),
    Policy::u64(),
    Policy::flag(),
];

/// `TIPC_NL_NET_SET` (`__tipc_nl_net_set`): `EINVAL` without the nest; then the network id,
/// the address and the identity, with the rules of [`NetSet`].
pub(super) fn set(req: &Request<'_, TipcGenl>) -> Result {
    let nest = req.attr(nla::NET).ok_or(EINVAL)?.nested(&NET_POLICY, req)?;
    let get32 = |kind: u16| nest.get(kind.into()).map(|a| a.u32()).transpose();
    let get64 = |kind: u16| nest.get(kind.into()).map(|a| a.u64()).transpose();
    let node_id = match (get64(net::NODEID)?, get64(net::NODEID_W1)?) {
        (None, _) => None,
        (Some(_), None) => Some(None),
        (Some(w0), Some(w1)) => Some(Some(netlink_bytes(w0, w1))),
    };
    let wanted = NetSet {
        net_id: get32(net::ID)?,
        addr: get32(net::ADDR)?,
        node_id,
    };
    set_in(namespace(req), &wanted).map_err(|e| Error::from_errno(-e.get()))
}

/// Sets what `wanted` asks for in namespace `net`, with the rules of [`NetSet`]: what
/// `TIPC_NL_NET_SET` does once its request is read (and the legacy `TIPC_CMD_SET_NODE_ADDR`
/// and `TIPC_CMD_SET_NETID`).
pub(super) fn set_in(net: &Arc<TipcNet>, wanted: &NetSet) -> Result<(), Errno> {
    cluster::drive(net, GFP_KERNEL, |st, now| {
        st.core.net_set(wanted, now, GFP_ATOMIC)
    })
}

/// `TIPC_NL_ADDR_LEGACY_GET` (`tipc_nl_net_addr_legacy_get`): a `TIPC_NLA_NET` nest, which
/// C opens with `nla_nest_start` (so flagged `NLA_F_NESTED`, unlike its other nests), holding
/// the `TIPC_NLA_NET_ADDR_LEGACY` flag once `TIPC_NL_NET_SET` gave an address.
pub(super) fn addr_legacy_get(req: &Request<'_, TipcGenl>) -> Result {
    let legacy = namespace(req).cluster.lock().core.own().legacy();
    req.reply(cmd::ADDR_LEGACY_GET, |msg| {
        msg.nest(nla::NET | nla::F_NESTED, |msg| {
            if legacy {
                msg.put_flag(net::ADDR_LEGACY)?;
            }
            Ok(())
        })
    })
}

/// `TIPC_NL_NET_GET`: one message with the network id and the 128-bit node identity.
pub(super) fn dump_net(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let tn = tipc_net(dump);
    let id = tn.node_id();
    let net_id = tn.cluster.lock().core.own().net_id();
    let (w0, w1) = id.split_at(8);
    let word = |b: &[u8]| b.try_into().map(u64::from_ne_bytes).unwrap_or(0);
    let (w0, w1) = (word(w0), word(w1));
    let sent = dump.message(cmd::NET_GET, |msg| {
        msg.nest(nla::NET, |msg| {
            msg.put_u32(net::ID, net_id)?;
            msg.put_u64(net::NODEID, w0, net::PAD)?;
            msg.put_u64(net::NODEID_W1, w1, net::PAD)
        })
    })?;
    // The message goes out with the end of the dump; one that did not fit is tried again.
    Ok(if sent { Progress::Done } else { Progress::More })
}
