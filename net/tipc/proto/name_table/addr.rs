// SPDX-License-Identifier: GPL-2.0

//! TIPC addressing as the name table sees it: service ranges, socket addresses, scopes and
//! the node-domain rule, with the uapi constants (`include/uapi/linux/tipc.h`).

/// `TIPC_NODE_STATE`: the node state service type, published by TIPC itself.
pub(crate) const TIPC_NODE_STATE: u32 = 0;
/// `TIPC_TOP_SRV`: the topology server's service type.
pub(crate) const TIPC_TOP_SRV: u32 = 1;
/// `TIPC_LINK_STATE`: the link state service type.
pub(crate) const TIPC_LINK_STATE: u32 = 2;
/// `TIPC_RESERVED_TYPES`: the lowest service type a user may bind.
pub(crate) const TIPC_RESERVED_TYPES: u32 = 64;
/// `TIPC_MAX_PUBL`: the most publications one node may hold; one is kept for the node state
/// service, so users get one less.
pub(crate) const TIPC_MAX_PUBL: u32 = 65535;

/// `TIPC_NODE_SCOPE` as a number.
pub(crate) const TIPC_NODE_SCOPE: i8 = 3;

/// `TIPC_ZONE_CLUSTER_MASK`: the zone and cluster bits of a legacy `<Z.C.N>` address.
const ZONE_CLUSTER_MASK: u32 = 0xffff_f000;
/// `TIPC_ZONE_MASK`: the zone bits of a legacy `<Z.C.N>` address.
const ZONE_MASK: u32 = 0xff00_0000;

/// Whether a service type is one TIPC publishes for itself (node state, topology server,
/// link state): those do not count against the per-node publication limit.
pub(crate) fn is_protocol_type(ty: u32) -> bool {
    matches!(ty, TIPC_NODE_STATE | TIPC_TOP_SRV | TIPC_LINK_STATE)
}

/// A service range: a service type and an inclusive instance range (`struct
/// tipc_service_range`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash, Default)]
pub(crate) struct ServiceRange {
    /// The service type.
    pub(crate) ty: u32,
    /// The lowest instance.
    pub(crate) lower: u32,
    /// The highest instance, at least `lower`.
    pub(crate) upper: u32,
}

/// A socket address: a port on a node (`struct tipc_socket_addr`; the port is its `ref`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash, Default)]
pub(crate) struct SocketAddr {
    /// The port number (socket reference) on its node.
    pub(crate) port: u32,
    /// The node address; 0 for "this node" before it has an address.
    pub(crate) node: u32,
}

/// How far a publication is visible.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash, Default)]
pub(crate) enum Scope {
    /// `TIPC_CLUSTER_SCOPE`: distributed to every node of the cluster.
    #[default]
    Cluster,
    /// `TIPC_NODE_SCOPE`: seen on this node only.
    Node,
}

impl Scope {
    /// The scope a user's positive scope number means: `TIPC_NODE_SCOPE` is node scope, any
    /// other value (0, the deprecated zone scope 1, 2, ...) is cluster scope.
    pub(crate) fn from_user(scope: i8) -> Self {
        if scope == TIPC_NODE_SCOPE {
            Self::Node
        } else {
            Self::Cluster
        }
    }

    /// The uapi number of the scope, as netlink dumps and name distribution carry it.
    pub(crate) fn as_u32(self) -> u32 {
        match self {
            Self::Cluster => 2,
            Self::Node => 3,
        }
    }
}

/// Whether the node `addr` lies in the lookup domain `domain` (`tipc_in_scope`).
///
/// Domain 0 and the node's own address always match. Only with legacy `<Z.C.N>` addressing
/// do the cluster domain `<Z.C.0>` and the zone domain `<Z.0.0>` match too.
pub(crate) fn in_scope(legacy: bool, domain: u32, addr: u32) -> bool {
    if domain == 0 || domain == addr {
        return true;
    }
    legacy && (domain == addr & ZONE_CLUSTER_MASK || domain == addr & ZONE_MASK)
}
