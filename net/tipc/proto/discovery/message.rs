// SPDX-License-Identifier: GPL-2.0

//! The discovery messages this node sends (`tipc_disc_init_msg`): its trial address or
//! address, signature, capabilities, network id, media address, network hash and identity.

use crate::proto::bearer::table::Bearer;
use crate::proto::node::own::OwnNode;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::discovery::{DiscoveryRepr, DiscoveryType};
use crate::proto::wire::header::Flags;

/// The capabilities this node announces (`TIPC_NODE_CAPABILITIES`): only what it implements,
/// so that peers fall back for the rest. It takes multicast replicated over the unicast
/// links (`BCAST_RCAST`), which a C peer uses for few destinations, but has no broadcast
/// link: it leaves out `BCAST_SYNCH`, `BCAST_STATE_NACK` and `MCAST_RBCTL`; without
/// `NAMED_BCAST` peers send it later name distribution by unicast (C's `rc_dests`);
/// without failover tunnelling it leaves out `TUNNEL_ENHANCED`.
pub(crate) const NODE_CAPABILITIES: Caps = Caps(
    Caps::SYN_BIT
        | Caps::BLOCK_FLOWCTL
        | Caps::BCAST_RCAST
        | Caps::NODE_ID128
        | Caps::LINK_PROTO_SEQNO
        | Caps::GAP_ACK_BLOCK
        | Caps::NAGLE,
);

/// A discovery message of `msg_type` on `bearer` to nodes of `dest_domain`, suggesting
/// `sugg_addr` (a `TRIAL_FAIL`) or 0.
pub(crate) fn discovery_msg(
    own: &OwnNode,
    bearer: &Bearer,
    msg_type: DiscoveryType,
    dest_domain: u32,
    sugg_addr: u32,
) -> DiscoveryRepr {
    DiscoveryRepr {
        msg_type,
        flags: Flags {
            non_seq: true,
            ..Flags::default()
        },
        node_sig: own.random() as u16,
        capabilities: NODE_CAPABILITIES,
        dest_domain,
        prevnode: own.trial_addr(),
        net_id: own.net_id(),
        media: bearer.addr.to_msg(),
        peer_net_hash: own.net_hash(),
        sugg_addr,
        node_id: Some(own.id().unwrap_or_default().0),
    }
}

/// The request a bearer broadcasts: an address trial while the node has no address.
pub(crate) fn request(own: &OwnNode, bearer: &Bearer) -> DiscoveryRepr {
    let ty = if own.addr() == 0 {
        DiscoveryType::Trial
    } else {
        DiscoveryType::Request
    };
    discovery_msg(own, bearer, ty, bearer.domain, 0)
}
