// SPDX-License-Identifier: GPL-2.0

//! The legacy commands that change the configuration: `TIPC_CMD_ENABLE_BEARER`,
//! `_DISABLE_BEARER`, `_SET_LINK_TOL`, `_SET_LINK_PRI`, `_SET_LINK_WINDOW`,
//! `_RESET_LINK_STATS`, `_SET_NODE_ADDR` and `_SET_NETID`, each through the function the
//! `TIPCv2` operation C translates it into calls. Success is an empty reply; a refusal keeps
//! its errno and loses its extended-ack text, which the legacy interface cannot carry.

use super::{
    super::{bearer, link, media, net, Data},
    Reply,
};
use crate::{
    cluster,
    netns::TipcNet,
    proto::{
        bearer::{media::Media, props::PropRequest},
        errno::Errno,
        legacy::{tlv, Command, MAX_BEARER_NAME, MAX_LINK_NAME, MAX_LINK_PRI},
        node::{bclink::BcRequest, own::NetSet},
    },
};
use kernel::{net::pernet::Net, sync::Arc};

/// `TIPC_CMD_ENABLE_BEARER`: a `struct tipc_bearer_config` (priority, discovery domain,
/// name). A priority above `TIPC_MAX_LINK_PRI` leaves the media's; a UDP bearer cannot be
/// enabled this way (no options: `EINVAL`), as in C.
pub(super) fn enable_bearer(data: &Data, ns: &Net, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    let name = arg.name(8, MAX_BEARER_NAME)?;
    let priority = arg.be32(0);
    let props = PropRequest {
        priority: (priority <= MAX_LINK_PRI).then_some(priority),
        ..PropRequest::default()
    };
    bearer::enable_in(data, ns, name, arg.be32(4), &props, || Err(Errno::EINVAL))
        .map_err(|r| r.errno)?;
    Ok(Reply::empty())
}

/// `TIPC_CMD_DISABLE_BEARER`: a bearer's name.
pub(super) fn disable_bearer(net: &Arc<TipcNet>, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    let name = arg.name(0, MAX_BEARER_NAME)?;
    cluster::disable_bearer(net, name).map_err(|r| r.errno)?;
    Ok(Reply::empty())
}

/// `TIPC_CMD_SET_LINK_TOL`, `_PRI` and `_WINDOW`: a `struct tipc_link_config` (value, name)
/// whose name is a media's, else a bearer's, else a link's, as C looks it up.
pub(super) fn set_link(
    data: &Data,
    net: &Arc<TipcNet>,
    c: Command,
    arg: tlv::Request<'_>,
) -> Result<Reply, Errno> {
    let name = arg.name(4, MAX_LINK_NAME)?;
    let value = Some(arg.be32(0));
    let wanted = match c {
        Command::SetLinkTol => PropRequest {
            tolerance: value,
            ..PropRequest::default()
        },
        Command::SetLinkPri => PropRequest {
            priority: value,
            ..PropRequest::default()
        },
        _ => PropRequest {
            window: value,
            ..PropRequest::default()
        },
    };
    if let Some(m) = Media::find(name) {
        media::set_media(data, m, &wanted).map_err(|r| r.errno)?;
    } else if bearer::find(net, name).is_some() {
        bearer::set_named(net, name, &wanted).map_err(|r| r.errno)?;
    } else {
        let bc = BcRequest {
            window: wanted.window,
            mode: None,
            ratio: None,
        };
        link::set_named(net, name, Some((wanted, bc)))?;
    }
    Ok(Reply::empty())
}

/// `TIPC_CMD_RESET_LINK_STATS`: a link's name.
pub(super) fn reset_link_stats(net: &TipcNet, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    link::reset_named(net, arg.name(0, MAX_LINK_NAME)?)?;
    Ok(Reply::empty())
}

/// `TIPC_CMD_SET_NODE_ADDR` and `TIPC_CMD_SET_NETID`: a 32-bit value, read as C reads it
/// (the first word after the descriptor, whatever the descriptor's length).
pub(super) fn set_net(
    net: &Arc<TipcNet>,
    c: Command,
    arg: tlv::Request<'_>,
) -> Result<Reply, Errno> {
    let value = Some(arg.be32(0));
    let wanted = if c == Command::SetNodeAddr {
        NetSet {
            net_id: None,
            addr: value,
            node_id: None,
        }
    } else {
        NetSet {
            net_id: value,
            addr: None,
            node_id: None,
        }
    };
    net::set_in(net, &wanted)?;
    Ok(Reply::empty())
}
