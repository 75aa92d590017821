// SPDX-License-Identifier: GPL-2.0

//! The numbers of the version-2 header: users, header sizes, data message types, importance,
//! error codes, lookup scope and node capabilities.

/// The only header version TIPC speaks.
pub(crate) const VERSION: u32 = 2;

/// In-cluster data message header (no originating node, no name).
pub(crate) const SHORT_H_SIZE: usize = 24;
/// Data message header with originating and destination node.
pub(crate) const BASIC_H_SIZE: usize = 32;
/// Data message header with a service name.
pub(crate) const NAMED_H_SIZE: usize = 40;
/// Multicast data message header: a service range.
pub(crate) const MCAST_H_SIZE: usize = 44;
/// Group data message header.
pub(crate) const GROUP_H_SIZE: usize = 44;
/// Header of the internal (link-level) users.
pub(crate) const INT_H_SIZE: usize = 40;
/// Smallest legal header.
pub(crate) const MIN_H_SIZE: usize = 24;
/// Largest possible header: the 4-bit size field counts words.
pub(crate) const MAX_H_SIZE: usize = 60;

/// Largest user payload of one message.
pub(crate) const MAX_USER_MSG_SIZE: usize = 66000;
/// Largest message: the largest header and payload.
pub(crate) const MAX_MSG_SIZE: usize = MAX_H_SIZE + MAX_USER_MSG_SIZE;

/// The `user` field of word 0: data importance levels and the internal protocols.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum User {
    /// Data, `TIPC_LOW_IMPORTANCE`.
    Low = 0,
    /// Data, `TIPC_MEDIUM_IMPORTANCE`.
    Medium = 1,
    /// Data, `TIPC_HIGH_IMPORTANCE`.
    High = 2,
    /// Data, `TIPC_CRITICAL_IMPORTANCE`.
    Critical = 3,
    /// Broadcast link synchronisation and (legacy) NACKs.
    BcastProtocol = 5,
    /// Several small messages in one packet.
    MsgBundler = 6,
    /// Link supervision: STATE, RESET, ACTIVATE.
    LinkProtocol = 7,
    /// Connection supervision and flow control.
    ConnManager = 8,
    /// Communication group membership and flow control.
    GroupProtocol = 9,
    /// Failover and synchronisation tunnelling between parallel links.
    TunnelProtocol = 10,
    /// Name table publications and withdrawals.
    NameDistributor = 11,
    /// A fragment of a message larger than the link MTU.
    MsgFragmenter = 12,
    /// Neighbour discovery (link setup).
    LinkConfig = 13,
    /// Encryption: on a bearer, an encrypted packet; inside a link, a key exchange. Inside a
    /// node the same number is the `SOCK_WAKEUP` pseudo user.
    MsgCrypto = 14,
    /// Node-internal: an event from the topology server to a kernel subscriber.
    TopSrv = 15,
}

impl User {
    /// The node-internal pseudo user that wakes a socket blocked on link congestion; it
    /// shares its number with `MSG_CRYPTO`.
    pub(crate) const SOCK_WAKEUP: Self = Self::MsgCrypto;

    /// The user a 4-bit field names; 4 names none.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Low,
            1 => Self::Medium,
            2 => Self::High,
            3 => Self::Critical,
            5 => Self::BcastProtocol,
            6 => Self::MsgBundler,
            7 => Self::LinkProtocol,
            8 => Self::ConnManager,
            9 => Self::GroupProtocol,
            10 => Self::TunnelProtocol,
            11 => Self::NameDistributor,
            12 => Self::MsgFragmenter,
            13 => Self::LinkConfig,
            14 => Self::MsgCrypto,
            15 => Self::TopSrv,
            _ => return None,
        })
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        self as u32
    }

    /// A data user: one of the four importance levels.
    pub(crate) const fn is_data(self) -> bool {
        (self as u32) <= 3
    }

    /// Whether messages of this user go to a node's sockets: data, connection management and
    /// the group protocol.
    pub(crate) const fn is_for_sockets(self) -> bool {
        self.is_data() || matches!(self, Self::ConnManager | Self::GroupProtocol)
    }
}

/// How important a message is: the user of a data message, or word 9 of a bundle or fragment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub(crate) enum Importance {
    /// `TIPC_LOW_IMPORTANCE`.
    Low = 0,
    /// `TIPC_MEDIUM_IMPORTANCE`.
    Medium = 1,
    /// `TIPC_HIGH_IMPORTANCE`.
    High = 2,
    /// `TIPC_CRITICAL_IMPORTANCE`.
    Critical = 3,
    /// `TIPC_SYSTEM_IMPORTANCE`: internal traffic.
    System = 4,
}

impl Importance {
    /// The importance a 3-bit field names.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Low,
            1 => Self::Medium,
            2 => Self::High,
            3 => Self::Critical,
            4 => Self::System,
            _ => return None,
        })
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        self as u32
    }
}

/// The type of a data message (word 1, bits 29-31).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum DataType {
    /// `TIPC_CONN_MSG`: on a connection; short header inside the cluster.
    Conn = 0,
    /// `TIPC_MCAST_MSG`: to a service range.
    Mcast = 1,
    /// `TIPC_NAMED_MSG`: to a service address.
    Named = 2,
    /// `TIPC_DIRECT_MSG`: to a socket address.
    Direct = 3,
    /// `TIPC_GRP_MEMBER_EVT`: group membership event.
    GrpMemberEvt = 4,
    /// `TIPC_GRP_BCAST_MSG`: group broadcast.
    GrpBcast = 5,
    /// `TIPC_GRP_MCAST_MSG`: group multicast.
    GrpMcast = 6,
    /// `TIPC_GRP_UCAST_MSG`: group unicast.
    GrpUcast = 7,
}

impl DataType {
    /// The type a 3-bit field names.
    pub(crate) const fn from_bits(v: u32) -> Self {
        match v & 7 {
            0 => Self::Conn,
            1 => Self::Mcast,
            2 => Self::Named,
            3 => Self::Direct,
            4 => Self::GrpMemberEvt,
            5 => Self::GrpBcast,
            6 => Self::GrpMcast,
            _ => Self::GrpUcast,
        }
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        self as u32
    }

    /// The smallest header this type needs for the fields it carries.
    pub(crate) const fn min_header(self) -> usize {
        match self {
            Self::Conn => SHORT_H_SIZE,
            Self::Direct => BASIC_H_SIZE,
            Self::Named | Self::GrpMemberEvt => NAMED_H_SIZE,
            Self::Mcast | Self::GrpBcast | Self::GrpMcast | Self::GrpUcast => MCAST_H_SIZE,
        }
    }
}

/// The error code of a data or connection message (word 1, bits 25-28).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum ErrorCode {
    /// `TIPC_OK`.
    Ok = 0,
    /// `TIPC_ERR_NO_NAME`: no socket bound to the service.
    NoName = 1,
    /// `TIPC_ERR_NO_PORT`: no such socket.
    NoPort = 2,
    /// `TIPC_ERR_NO_NODE`: no such node.
    NoNode = 3,
    /// `TIPC_ERR_OVERLOAD`: the receiver is overloaded.
    Overload = 4,
    /// `TIPC_CONN_SHUTDOWN`: the peer closed the connection.
    ConnShutdown = 5,
}

impl ErrorCode {
    /// The code a 4-bit field names; 6 to 15 name none.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Ok,
            1 => Self::NoName,
            2 => Self::NoPort,
            3 => Self::NoNode,
            4 => Self::Overload,
            5 => Self::ConnShutdown,
            _ => return None,
        })
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        self as u32
    }
}

/// The lookup scope of a named or multicast message (word 1, bits 19-20), as the sender's
/// address gave it: 2 (`TIPC_CLUSTER_SCOPE`, also written 0) or 3 (`TIPC_NODE_SCOPE`); 1
/// was the zone scope of old.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct LookupScope(u8);

impl LookupScope {
    /// Cluster scope, as most senders write it.
    pub(crate) const CLUSTER: Self = Self(2);
    /// Node scope.
    pub(crate) const NODE: Self = Self(3);

    /// The scope in a 2-bit field.
    pub(crate) const fn from_bits(v: u32) -> Self {
        Self((v & 3) as u8)
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        self.0 as u32
    }
}

/// Optional features a node announces in discovery (`TIPC_NODE_CAPABILITIES`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct Caps(pub(crate) u16);

impl Caps {
    /// Connection setup with SYN.
    pub(crate) const SYN_BIT: u16 = 1;
    /// Broadcast link synchronisation.
    pub(crate) const BCAST_SYNCH: u16 = 1 << 1;
    /// Broadcast NACKs in STATE messages.
    pub(crate) const BCAST_STATE_NACK: u16 = 1 << 2;
    /// Block-based flow control.
    pub(crate) const BLOCK_FLOWCTL: u16 = 1 << 3;
    /// Broadcast by replication.
    pub(crate) const BCAST_RCAST: u16 = 1 << 4;
    /// 128-bit node identities.
    pub(crate) const NODE_ID128: u16 = 1 << 5;
    /// Sequence numbers on link protocol messages.
    pub(crate) const LINK_PROTO_SEQNO: u16 = 1 << 6;
    /// Multicast flow control.
    pub(crate) const MCAST_RBCTL: u16 = 1 << 7;
    /// Gap ACK blocks in STATE messages.
    pub(crate) const GAP_ACK_BLOCK: u16 = 1 << 8;
    /// Enhanced tunnelling: SYNCH without data, fragmented FAILOVER.
    pub(crate) const TUNNEL_ENHANCED: u16 = 1 << 9;
    /// Nagle-style bundling on connections.
    pub(crate) const NAGLE: u16 = 1 << 10;
    /// Name distribution over the broadcast link.
    pub(crate) const NAMED_BCAST: u16 = 1 << 11;
    /// Everything the current C module supports.
    pub(crate) const ALL: Self = Self(0x0fff);

    /// The node has capability `bit`.
    pub(crate) const fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}

/// Link protocol message types (`LINK_PROTOCOL`, and `STATE` of `BCAST_PROTOCOL`).
pub(crate) mod link_type {
    /// Link supervision, acknowledgement and NACK.
    pub(crate) const STATE: u32 = 0;
    /// Link reset.
    pub(crate) const RESET: u32 = 1;
    /// Link activation.
    pub(crate) const ACTIVATE: u32 = 2;
}
