// SPDX-License-Identifier: GPL-2.0

//! The checks a received discovery message passes (`tipc_disc_rcv`), in the C module's
//! order, up to the peer it names; the node layer then decides about the link.

use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::table::Bearer;
use crate::proto::node::identity::NodeId;
use crate::proto::node::own::OwnNode;
use crate::proto::wire::consts::Caps;
use crate::proto::wire::discovery::{DiscoveryRepr, DiscoveryType};

/// Who sent a discovery message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PeerInfo {
    /// Its address (or the address it tries).
    pub(crate) addr: u32,
    /// Its identity: the one it sent, or its address in hex.
    pub(crate) id: NodeId,
    /// Its capabilities.
    pub(crate) caps: Caps,
    /// Its signature (16 bits as read, the top one shared with the capabilities).
    pub(crate) signature: u16,
    /// Where it is on the bearer.
    pub(crate) maddr: MediaAddr,
}

/// Why a discovery message was dropped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DiscDrop {
    /// Its media address is unreadable or a broadcast address ("Rcv corrupt discovery
    /// message").
    Corrupt,
    /// It is this node's own message, looped back.
    Own,
    /// Another network id.
    NetId,
    /// Not an address trial, while this node's trial is under way.
    InTrial,
    /// A `TRIAL_FAIL` not for this node's trial.
    TrialFail,
    /// The sender uses this node's address, or none ("Duplicate ... seen").
    DuplicateAddress,
    /// Sent for a domain this node is not in.
    NotForUs,
    /// From a node outside the bearer's domain.
    OutOfDomain,
}

/// What the node layer does with a message that passed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Dropped, for this reason.
    Drop(DiscDrop),
    /// A `TRIAL_FAIL` for this node's trial: it now tries another address.
    Retried,
    /// An address trial: tell the peer if its address is taken (`tipc_node_try_addr`).
    Trial(PeerInfo),
    /// A request or response from a peer: check it against the node table
    /// (`tipc_node_check_dest`), and answer a request if told to.
    Peer {
        /// The sender.
        peer: PeerInfo,
        /// It is a request, which may want a response.
        request: bool,
    },
}

/// What [`receive`] found.
pub(crate) struct Received {
    /// The address this node took now, if any.
    pub(crate) finalized: Option<u32>,
    /// What to do with the message.
    pub(crate) verdict: Verdict,
}

/// `tipc_disc_rcv` and `tipc_disc_addr_trial_msg`: judges `msg`, received on `bearer` at
/// `now`. A message that passes after this node's trial ended makes the trial address the
/// node's address (`finalized`).
pub(crate) fn receive(
    msg: &DiscoveryRepr,
    bearer: &Bearer,
    own: &mut OwnNode,
    now: u64,
) -> Received {
    let done = |verdict| Received {
        finalized: None,
        verdict,
    };
    let src = msg.prevnode;
    let id = match msg.node_id {
        Some(id) if msg.capabilities.has(Caps::NODE_ID128) => NodeId(id),
        _ => NodeId::from_addr(src),
    };
    let maddr = match MediaAddr::from_msg(bearer.media, &msg.media) {
        Some(m) if !m.is_broadcast() => m,
        _ => return done(Verdict::Drop(DiscDrop::Corrupt)),
    };
    if maddr == bearer.addr {
        return done(Verdict::Drop(DiscDrop::Own));
    }
    if msg.net_id != own.net_id() {
        return done(Verdict::Drop(DiscDrop::NetId));
    }
    let peer = PeerInfo {
        addr: src,
        id,
        caps: msg.capabilities,
        signature: msg.node_sig,
        maddr,
    };
    let trial = own.in_trial(now);
    if msg.msg_type == DiscoveryType::TrialFail {
        if !trial || msg.dest_domain != own.trial_addr() {
            return done(Verdict::Drop(DiscDrop::TrialFail));
        }
        own.retry(msg.sugg_addr, now);
        return done(Verdict::Retried);
    }
    let finalized = own.finalize(now);
    let verdict = match msg.msg_type {
        DiscoveryType::Trial => Verdict::Trial(peer),
        _ if trial => Verdict::Drop(DiscDrop::InTrial),
        _ if src == own.addr() || src == 0 => Verdict::Drop(DiscDrop::DuplicateAddress),
        _ if !own.in_scope(msg.dest_domain, own.addr()) => Verdict::Drop(DiscDrop::NotForUs),
        _ if !own.in_scope(bearer.domain, src) => Verdict::Drop(DiscDrop::OutOfDomain),
        ty => Verdict::Peer {
            peer,
            request: ty == DiscoveryType::Request,
        },
    };
    Received { finalized, verdict }
}
