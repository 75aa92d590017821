// SPDX-License-Identifier: GPL-2.0

//! The legacy commands answered with a list of TLVs: `TIPC_CMD_GET_NODES`,
//! `_GET_MEDIA_NAMES`, `_GET_BEARER_NAMES`, `_GET_LINKS` and `_GET_NETID`, from what the
//! `TIPCv2` dumps C translates them into read.

use super::{
    super::{link::LinkView, media, node::peers_from},
    no_memory,
};
use crate::{
    kalloc::GFP_KERNEL,
    netns::TipcNet,
    proto::{
        bearer::{media::Media, BearerId},
        errno::Errno,
        legacy::{reply::Reply, tlv_type, MAX_LINK_NAME},
        node::bclink::BCLINK_NAME,
    },
};

/// `TIPC_CMD_GET_NODES`: a `struct tipc_node_info` (address, up) per peer, in address order
/// as `TIPC_NL_NODE_GET` lists them.
pub(super) fn nodes(net: &TipcNet) -> Result<Reply, Errno> {
    let mut r = Reply::list(GFP_KERNEL).map_err(no_memory)?;
    let st = net.cluster.lock();
    for p in peers_from(&st.core, 0) {
        let addr = p.addr().to_be_bytes();
        let up = u32::from(p.is_up()).to_be_bytes();
        if !r.list_item(tlv_type::NODE_INFO, &[&addr, &up]) {
            break;
        }
    }
    Ok(r)
}

/// `TIPC_CMD_GET_MEDIA_NAMES`: each media's name with its NUL, as `TIPC_NL_MEDIA_GET` names
/// them.
pub(super) fn media() -> Result<Reply, Errno> {
    let mut r = Reply::list(GFP_KERNEL).map_err(no_memory)?;
    for m in Media::ALL {
        if !r.list_item(tlv_type::MEDIA_NAME, &[media::name(m).to_bytes_with_nul()]) {
            break;
        }
    }
    Ok(r)
}

/// `TIPC_CMD_GET_BEARER_NAMES`: each bearer's name with its NUL, by slot as
/// `TIPC_NL_BEARER_GET` lists them.
pub(super) fn bearers(net: &TipcNet) -> Result<Reply, Errno> {
    let mut r = Reply::list(GFP_KERNEL).map_err(no_memory)?;
    let st = net.cluster.lock();
    for b in st.core.bearers().iter() {
        if !r.list_item(tlv_type::BEARER_NAME, &[b.name.as_bytes(), &[0]]) {
            break;
        }
    }
    Ok(r)
}

/// A `struct tipc_link_info`'s name: at most `TIPC_MAX_LINK_NAME - 1` bytes and zeros.
fn link_name(name: &[u8]) -> [u8; MAX_LINK_NAME] {
    let mut out = [0; MAX_LINK_NAME];
    let n = name.len().min(MAX_LINK_NAME - 1);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), name.get(..n)) {
        dst.copy_from_slice(src);
    }
    out
}

/// `TIPC_CMD_GET_LINKS`: a `struct tipc_link_info` per link `TIPC_NL_LINK_GET` lists, the
/// broadcast link first. As C fills it, `dest` says whether the link's netlink nest has a
/// destination (1 for a link to a peer, 0 for the broadcast link), not the peer's address.
pub(super) fn links(net: &TipcNet) -> Result<Reply, Errno> {
    let mut r = Reply::list(GFP_KERNEL).map_err(no_memory)?;
    let one = 1u32.to_be_bytes();
    let zero = 0u32.to_be_bytes();
    if !r.list_item(tlv_type::LINK_INFO, &[&zero, &one, &link_name(BCLINK_NAME)]) {
        return Ok(r);
    }
    let st = net.cluster.lock();
    for p in peers_from(&st.core, 0) {
        for b in BearerId::all() {
            let Some(view) = LinkView::new(&st.core, p, b) else {
                continue;
            };
            let up = if view.up { &one } else { &zero };
            let name = link_name(view.name.as_bytes());
            if !r.list_item(tlv_type::LINK_INFO, &[&one, up, &name]) {
                return Ok(r);
            }
        }
    }
    Ok(r)
}

/// `TIPC_CMD_GET_NETID`: the network id, as `TIPC_NL_NET_GET` gives it.
pub(super) fn net_id(net: &TipcNet) -> Result<Reply, Errno> {
    let id = net.cluster.lock().core.own().net_id();
    let mut r = Reply::list(GFP_KERNEL).map_err(no_memory)?;
    // A first TLV always fits.
    let _ = r.add_tlv(tlv_type::UNSIGNED, &[&id.to_be_bytes()]);
    Ok(r)
}
