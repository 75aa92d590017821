// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_NET_GET`: the namespace's network id and node identity.

use super::{tipc_net, TipcGenl};
use crate::proto::netlink::{cmd, net, nla, DEFAULT_NET_ID};
use kernel::{
    net::genetlink::{Dump, Progress},
    prelude::*,
};

/// `TIPC_NL_NET_GET`: one message with the network id and the 128-bit node identity.
pub(super) fn dump_net(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let id = tipc_net(dump).node_id();
    let (w0, w1) = id.split_at(8);
    let word = |b: &[u8]| b.try_into().map(u64::from_ne_bytes).unwrap_or(0);
    let (w0, w1) = (word(w0), word(w1));
    let sent = dump.message(cmd::NET_GET, |msg| {
        msg.nest(nla::NET, |msg| {
            msg.put_u32(net::ID, DEFAULT_NET_ID)?;
            msg.put_u64(net::NODEID, w0, net::PAD)?;
            msg.put_u64(net::NODEID_W1, w1, net::PAD)
        })
    })?;
    // The message goes out with the end of the dump; one that did not fit is tried again.
    Ok(if sent { Progress::Done } else { Progress::More })
}
