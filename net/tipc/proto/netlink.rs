// SPDX-License-Identifier: GPL-2.0

//! The `TIPCv2` generic netlink family as `include/uapi/linux/tipc_netlink.h` defines it:
//! commands, attribute numbers, and what the dumps say.

use super::errno::Errno;
use super::name_table::{
    addr::{ServiceRange, SocketAddr},
    dump::{DumpCursor, DumpEntry},
};

/// The family's version (`TIPC_GENL_V2_VERSION`).
pub(crate) const FAMILY_VERSION: u8 = 1;

/// The commands (`TIPC_NL_*`), in their uapi order.
pub(crate) mod cmd {
    pub(crate) const BEARER_DISABLE: u8 = 2;
    pub(crate) const BEARER_ENABLE: u8 = 3;
    pub(crate) const BEARER_GET: u8 = 4;
    pub(crate) const BEARER_SET: u8 = 5;
    pub(crate) const SOCK_GET: u8 = 6;
    pub(crate) const PUBL_GET: u8 = 7;
    pub(crate) const LINK_GET: u8 = 8;
    pub(crate) const LINK_SET: u8 = 9;
    pub(crate) const LINK_RESET_STATS: u8 = 10;
    pub(crate) const MEDIA_GET: u8 = 11;
    pub(crate) const MEDIA_SET: u8 = 12;
    pub(crate) const NODE_GET: u8 = 13;
    pub(crate) const NET_GET: u8 = 14;
    pub(crate) const NET_SET: u8 = 15;
    pub(crate) const NAME_TABLE_GET: u8 = 16;
    pub(crate) const MON_SET: u8 = 17;
    pub(crate) const MON_GET: u8 = 18;
    pub(crate) const MON_PEER_GET: u8 = 19;
    pub(crate) const PEER_REMOVE: u8 = 20;
    pub(crate) const BEARER_ADD: u8 = 21;
    pub(crate) const UDP_GET_REMOTEIP: u8 = 22;
    pub(crate) const KEY_SET: u8 = 23;
    pub(crate) const KEY_FLUSH: u8 = 24;
    pub(crate) const ADDR_LEGACY_GET: u8 = 25;
}

/// The top-level attributes (`TIPC_NLA_*`), each a nest.
pub(crate) mod nla {
    pub(crate) const BEARER: u16 = 1;
    pub(crate) const SOCK: u16 = 2;
    pub(crate) const PUBL: u16 = 3;
    pub(crate) const LINK: u16 = 4;
    pub(crate) const MEDIA: u16 = 5;
    pub(crate) const NODE: u16 = 6;
    pub(crate) const NET: u16 = 7;
    pub(crate) const NAME_TABLE: u16 = 8;
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "their netlink commands come with the cluster (issue 9)"
        )
    )]
    pub(crate) const MON: u16 = 9;
    /// `TIPC_NLA_MAX` (`TIPC_NLA_MON_PEER`, which the C module's policy leaves unchecked).
    pub(crate) const MAX: u16 = 10;
    /// `NLA_F_NESTED`, the flag `nla_nest_start` sets on a nest's type.
    pub(crate) const F_NESTED: u16 = 0x8000;
}

/// The attributes of a `TIPC_NLA_NET` nest.
pub(crate) mod net {
    /// Padding before 64-bit attributes: the C module pads with attribute 0.
    pub(crate) const PAD: u16 = 0;
    pub(crate) const ID: u16 = 1;
    pub(crate) const ADDR: u16 = 2;
    pub(crate) const NODEID: u16 = 3;
    pub(crate) const NODEID_W1: u16 = 4;
    /// A flag: the node's address was given in the legacy format (`TIPC_NL_NET_SET` with an
    /// address).
    pub(crate) const ADDR_LEGACY: u16 = 5;
    /// `TIPC_NLA_NET_MAX` (`TIPC_NLA_NET_ADDR_LEGACY`).
    pub(crate) const MAX: usize = 5;
}

/// The attributes of a `TIPC_NLA_BEARER` nest.
pub(crate) mod bearer {
    pub(crate) const NAME: u16 = 1;
    pub(crate) const PROP: u16 = 2;
    pub(crate) const DOMAIN: u16 = 3;
    pub(crate) const UDP_OPTS: u16 = 4;
    /// `TIPC_NLA_BEARER_MAX` (`TIPC_NLA_BEARER_UDP_OPTS`).
    pub(crate) const MAX: usize = 4;
}

/// The attributes of a `TIPC_NLA_BEARER_UDP_OPTS` nest; `REMOTE` is also the attribute of a
/// `TIPC_NL_UDP_GET_REMOTEIP` answer.
pub(crate) mod udp {
    pub(crate) const LOCAL: u16 = 1;
    pub(crate) const REMOTE: u16 = 2;
    pub(crate) const MULTI_REMOTEIP: u16 = 3;
    /// `TIPC_NLA_UDP_MAX`.
    pub(crate) const MAX: usize = 3;
}

/// `TIPC_NLA_NAME_TABLE_PUBL`, the one attribute of a `TIPC_NLA_NAME_TABLE` nest.
pub(crate) const NAME_TABLE_PUBL: u16 = 1;

/// The attributes of a publication nest (`TIPC_NLA_PUBL_*`).
pub(crate) mod publ {
    pub(crate) const TYPE: u16 = 1;
    pub(crate) const LOWER: u16 = 2;
    pub(crate) const UPPER: u16 = 3;
    pub(crate) const SCOPE: u16 = 4;
    pub(crate) const NODE: u16 = 5;
    pub(crate) const REF: u16 = 6;
    pub(crate) const KEY: u16 = 7;
}

/// The attributes of a `TIPC_NLA_SOCK` nest.
pub(crate) mod sock {
    pub(crate) const ADDR: u16 = 1;
    pub(crate) const REF: u16 = 2;
    pub(crate) const CON: u16 = 3;
    pub(crate) const HAS_PUBL: u16 = 4;
    /// The rest are sock_diag's (`ss`).
    pub(crate) const STAT: u16 = 5;
    pub(crate) const TYPE: u16 = 6;
    pub(crate) const INO: u16 = 7;
    pub(crate) const UID: u16 = 8;
    pub(crate) const TIPC_STATE: u16 = 9;
    pub(crate) const COOKIE: u16 = 10;
    pub(crate) const PAD: u16 = 11;
    pub(crate) const GROUP: u16 = 12;
    /// `TIPC_NLA_SOCK_MAX`.
    pub(crate) const MAX: usize = 12;
}

/// The attributes of a `TIPC_NLA_SOCK_STAT` nest: numbered from 0 (the uapi has no
/// `UNSPEC` here).
pub(crate) mod sock_stat {
    pub(crate) const RCVQ: u16 = 0;
    pub(crate) const SENDQ: u16 = 1;
    pub(crate) const LINK_CONG: u16 = 2;
    pub(crate) const CONN_CONG: u16 = 3;
    pub(crate) const DROP: u16 = 4;
}

/// The attributes of a `TIPC_NLA_SOCK_GROUP` nest: numbered from 0, as the stat nest's.
pub(crate) mod sock_group {
    pub(crate) const ID: u16 = 0;
    pub(crate) const OPEN: u16 = 1;
    pub(crate) const NODE_SCOPE: u16 = 2;
    pub(crate) const CLUSTER_SCOPE: u16 = 3;
    pub(crate) const INSTANCE: u16 = 4;
    pub(crate) const BC_SEND_NEXT: u16 = 5;
}

/// The attributes of a `TIPC_NLA_SOCK_CON` nest.
pub(crate) mod con {
    pub(crate) const FLAG: u16 = 1;
    pub(crate) const NODE: u16 = 2;
    pub(crate) const SOCK: u16 = 3;
    pub(crate) const TYPE: u16 = 4;
    pub(crate) const INST: u16 = 5;
}

/// The attributes of a `TIPC_NLA_MEDIA` nest.
pub(crate) mod media {
    pub(crate) const NAME: u16 = 1;
    pub(crate) const PROP: u16 = 2;
    /// `TIPC_NLA_MEDIA_MAX`.
    pub(crate) const MAX: usize = 2;
}

/// The attributes of a `TIPC_NLA_*_PROP` nest: link properties.
pub(crate) mod prop {
    pub(crate) const PRIO: u16 = 1;
    pub(crate) const TOL: u16 = 2;
    pub(crate) const WIN: u16 = 3;
    pub(crate) const MTU: u16 = 4;
    pub(crate) const BROADCAST: u16 = 5;
    pub(crate) const BROADCAST_RATIO: u16 = 6;
    /// `TIPC_NLA_PROP_MAX` (`TIPC_NLA_PROP_BROADCAST_RATIO`).
    pub(crate) const MAX: usize = 6;
}

/// The attributes of a `TIPC_NLA_LINK` nest.
pub(crate) mod link {
    pub(crate) const NAME: u16 = 1;
    pub(crate) const DEST: u16 = 2;
    pub(crate) const MTU: u16 = 3;
    pub(crate) const BROADCAST: u16 = 4;
    pub(crate) const UP: u16 = 5;
    pub(crate) const ACTIVE: u16 = 6;
    pub(crate) const PROP: u16 = 7;
    pub(crate) const STATS: u16 = 8;
    pub(crate) const RX: u16 = 9;
    pub(crate) const TX: u16 = 10;
    /// `TIPC_NLA_LINK_MAX`.
    pub(crate) const MAX: usize = 10;
}

/// The attributes of a `TIPC_NLA_NODE` nest.
pub(crate) mod node {
    pub(crate) const ADDR: u16 = 1;
    pub(crate) const UP: u16 = 2;
}

/// The counters of a `TIPC_NLA_LINK_STATS` nest (`TIPC_NLA_STATS_*`).
pub(crate) mod stats {
    pub(crate) const RX_INFO: u16 = 1;
    pub(crate) const RX_FRAGMENTS: u16 = 2;
    pub(crate) const RX_FRAGMENTED: u16 = 3;
    pub(crate) const RX_BUNDLES: u16 = 4;
    pub(crate) const RX_BUNDLED: u16 = 5;
    pub(crate) const TX_INFO: u16 = 6;
    pub(crate) const TX_FRAGMENTS: u16 = 7;
    pub(crate) const TX_FRAGMENTED: u16 = 8;
    pub(crate) const TX_BUNDLES: u16 = 9;
    pub(crate) const TX_BUNDLED: u16 = 10;
    pub(crate) const MSG_PROF_TOT: u16 = 11;
    pub(crate) const MSG_LEN_CNT: u16 = 12;
    pub(crate) const MSG_LEN_TOT: u16 = 13;
    pub(crate) const MSG_LEN_P0: u16 = 14;
    pub(crate) const MSG_LEN_P6: u16 = 20;
    pub(crate) const RX_STATES: u16 = 21;
    pub(crate) const RX_PROBES: u16 = 22;
    pub(crate) const RX_NACKS: u16 = 23;
    pub(crate) const RX_DEFERRED: u16 = 24;
    pub(crate) const TX_STATES: u16 = 25;
    pub(crate) const TX_PROBES: u16 = 26;
    pub(crate) const TX_NACKS: u16 = 27;
    pub(crate) const TX_ACKS: u16 = 28;
    pub(crate) const RETRANSMITTED: u16 = 29;
    pub(crate) const DUPLICATES: u16 = 30;
    pub(crate) const LINK_CONGS: u16 = 31;
    pub(crate) const MAX_QUEUE: u16 = 32;
    pub(crate) const AVG_QUEUE: u16 = 33;
}

/// Whether an attribute's `payload` has the NUL C's `NLA_NUL_STRING` policy of at most `max`
/// bytes wants: within its first `max + 1` bytes.
pub(crate) fn nul_string_ok(payload: &[u8], max: usize) -> bool {
    payload.iter().take(max.saturating_add(1)).any(|&b| b == 0)
}

/// What C's `NLA_NUL_STRING` policy of at most `max` bytes answers for the first attribute
/// `name` of a nest's `payload` it refuses: `EINVAL` without the NUL [`nul_string_ok`] looks
/// for, `ERANGE` for a string longer than `max` once a final NUL is dropped; `None` when
/// every attribute `name` passes (duplicates too, as C checks each). C's bearer and link names
/// are such strings, which the kernel crate cannot express yet: this runs before the nest's
/// parse checks the rest. (C stops at the first attribute that fails, so it answers a
/// malformed attribute of another kind first when one comes before the name.)
pub(crate) fn nul_string_refusal(payload: &[u8], name: u16, max: usize) -> Option<Errno> {
    /// `NLA_TYPE_MASK`: the type without `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER`.
    const TYPE_MASK: u16 = 0x3fff;
    let mut rest = payload;
    while let (Some(len), Some(kind)) = (rest.get(0..2), rest.get(2..4)) {
        let len = usize::from(u16::from_ne_bytes(len.try_into().ok()?));
        let kind = u16::from_ne_bytes(kind.try_into().ok()?) & TYPE_MASK;
        if len < 4 || len > rest.len() {
            break;
        }
        if kind == name {
            let data = rest.get(4..len).unwrap_or(&[]);
            if !nul_string_ok(data, max) {
                return Some(Errno::EINVAL);
            }
            let n = data.len() - usize::from(data.last() == Some(&0));
            if n > max {
                return Some(Errno::ERANGE);
            }
        }
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
    }
    None
}

/// The counters of a broadcast link's `TIPC_NLA_LINK_STATS` nest, in C's order
/// (`__tipc_nl_add_bc_link_stat`), for a link that carried no message: all zero.
pub(crate) fn idle_bc_link_stats() -> impl Iterator<Item = (u16, u32)> {
    use stats::*;
    (RX_INFO..=TX_BUNDLED)
        .chain([
            RX_NACKS,
            RX_DEFERRED,
            TX_NACKS,
            TX_ACKS,
            RETRANSMITTED,
            DUPLICATES,
        ])
        .chain([LINK_CONGS, MAX_QUEUE, AVG_QUEUE])
        .map(|k| (k, 0))
}

/// The publication attributes of one name table dump message, in the C module's order.
pub(crate) fn publ_attrs(e: &DumpEntry) -> [(u16, u32); 7] {
    [
        (publ::TYPE, e.range.ty),
        (publ::LOWER, e.range.lower),
        (publ::UPPER, e.range.upper),
        (publ::SCOPE, e.publication.scope.as_u32()),
        (publ::NODE, e.publication.sk.node),
        (publ::REF, e.publication.sk.port),
        (publ::KEY, e.publication.key),
    ]
}

/// The publication attributes of one `TIPC_NL_PUBL_GET` message (a socket's binding with its
/// key), in the C module's order.
pub(crate) fn sock_publ_attrs(range: &ServiceRange, key: u32) -> [(u16, u32); 4] {
    [
        (publ::KEY, key),
        (publ::TYPE, range.ty),
        (publ::LOWER, range.lower),
        (publ::UPPER, range.upper),
    ]
}

/// What `TIPC_NL_SOCK_GET` says of one socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct SockInfo {
    /// The socket's port.
    pub(crate) port: u32,
    /// The peer and, when the connection was made by service address, that service
    /// instance; `None` unless established.
    pub(crate) conn: Option<(SocketAddr, Option<(u32, u32)>)>,
    /// Whether the socket holds bindings (said only of a socket not connected).
    pub(crate) has_publ: bool,
}

/// How far a dump of sockets (by port) or of one socket's publications (by key) has come,
/// kept in word 0 (started) and word 1 (where to go on).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ListDump {
    /// Nothing sent yet.
    Start,
    /// Go on from this port or key.
    From(u32),
    /// Everything was sent.
    Done,
}

impl ListDump {
    /// The state the words say.
    pub(crate) fn from_words(w: [u64; 5]) -> Self {
        match w[0] {
            0 => Self::Start,
            1 => Self::From(w[1] as u32),
            _ => Self::Done,
        }
    }

    /// The words that keep this state.
    pub(crate) fn to_words(self) -> [u64; 5] {
        match self {
            Self::Start => [0; 5],
            Self::From(at) => [1, u64::from(at), 0, 0, 0],
            Self::Done => [2, 0, 0, 0, 0],
        }
    }
}

/// How far a dump of the name table has come, kept in the dump's five words between calls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TableDump {
    /// Nothing sent yet (the words are all zero).
    Start,
    /// Go on from this publication.
    Resume(DumpCursor),
    /// Everything was sent.
    Done,
}

impl TableDump {
    const START: u64 = 0;
    const RESUME: u64 = 1;
    const DONE: u64 = 2;

    /// The state the words say; words no call wrote (an unknown tag) end the dump.
    pub(crate) fn from_words(w: [u64; 5]) -> Self {
        match w[0] {
            Self::START => Self::Start,
            Self::RESUME => Self::Resume(DumpCursor::from_words([w[1], w[2], w[3], w[4]])),
            _ => Self::Done,
        }
    }

    /// The words that keep this state.
    pub(crate) fn to_words(self) -> [u64; 5] {
        match self {
            Self::Start => [Self::START, 0, 0, 0, 0],
            Self::Resume(c) => {
                let [a, b, c, d] = c.to_words();
                [Self::RESUME, a, b, c, d]
            }
            Self::Done => [Self::DONE, 0, 0, 0, 0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        kalloc::GFP_KERNEL,
        proto::name_table::{
            addr::{Scope, ServiceRange, SocketAddr},
            table::NameTable,
        },
    };

    fn nla(kind: u16, payload: &[u8]) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec::Vec::new();
        v.extend_from_slice(&u16::try_from(4 + payload.len()).unwrap().to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(payload);
        v.resize((v.len() + 3) & !3, 0);
        v
    }

    #[test]
    fn a_nul_string_needs_its_nul_within_the_longest_name_and_one() {
        assert!(nul_string_ok(b"eth:nf0\0", 32));
        assert!(nul_string_ok(b"eth:nf0\0junk", 32));
        assert!(!nul_string_ok(b"", 32));
        assert!(!nul_string_ok(b"eth:nf0", 32));
        let mut long = [b'a'; 40];
        long[32] = 0;
        assert!(nul_string_ok(&long, 32));
        long[32] = b'a';
        long[33] = 0;
        assert!(!nul_string_ok(&long, 32));
    }

    #[test]
    fn nul_string_refusals_as_c_answers_them() {
        let ok = [nla(3, &[0; 4]), nla(1, b"eth:nf0\0")].concat();
        assert_eq!(nul_string_refusal(&ok, 1, 32), None);
        // Without its NUL, flagged or not; an empty one.
        assert_eq!(
            nul_string_refusal(&nla(1, b"eth:nf0"), 1, 32),
            Some(Errno::EINVAL)
        );
        assert_eq!(
            nul_string_refusal(&nla(0x8001, b"eth"), 1, 32),
            Some(Errno::EINVAL)
        );
        assert_eq!(nul_string_refusal(&nla(1, b""), 1, 32), Some(Errno::EINVAL));
        // 40 bytes and a NUL: no NUL in the first 33 bytes.
        let long = [[b'x'; 40].as_slice(), b"\0"].concat();
        assert_eq!(
            nul_string_refusal(&nla(1, &long), 1, 32),
            Some(Errno::EINVAL)
        );
        // A NUL early, then more than 32 bytes: too long.
        let junk = [b"eth\0".as_slice(), &[b'y'; 40]].concat();
        assert_eq!(
            nul_string_refusal(&nla(1, &junk), 1, 32),
            Some(Errno::ERANGE)
        );
        // 32 bytes and the NUL fit.
        let full = [[b'z'; 32].as_slice(), b"\0"].concat();
        assert_eq!(nul_string_refusal(&nla(1, &full), 1, 32), None);
        // A second, bad name counts; an attribute cut short ends the walk.
        let dup = [nla(1, b"a\0"), nla(1, b"b")].concat();
        assert_eq!(nul_string_refusal(&dup, 1, 32), Some(Errno::EINVAL));
        let cut = [nla(2, &[0; 4]), alloc::vec![40, 0, 1, 0, b'x']].concat();
        assert_eq!(nul_string_refusal(&cut, 1, 32), None);
    }

    #[test]
    fn publication_attributes_in_c_order() {
        let mut t = NameTable::new(0x1001, false);
        let range = ServiceRange {
            ty: 1000,
            lower: 5,
            upper: 9,
        };
        let sk = SocketAddr {
            port: 77,
            node: 0x1001,
        };
        t.insert(range, sk, Scope::Node, 42, GFP_KERNEL).unwrap();
        let mut got = None;
        t.dump(None, |e| {
            got = Some(publ_attrs(e));
            true
        });
        assert_eq!(
            got,
            Some([
                (1, 1000),
                (2, 5),
                (3, 9),
                (4, 3),
                (5, 0x1001),
                (6, 77),
                (7, 42)
            ])
        );
    }

    #[test]
    fn idle_link_counters_in_c_order() {
        let idle = crate::proto::link::stats::LinkStats::default();
        let uc: std::vec::Vec<_> = idle.nl_counters().collect();
        assert_eq!(uc.len(), 33);
        assert!(uc.iter().map(|&(k, _)| k).eq(1..=33));
        assert_eq!(uc.iter().filter(|&&(_, v)| v != 0).count(), 1);
        assert_eq!(uc[10], (stats::MSG_PROF_TOT, 1));
        let bc: std::vec::Vec<u16> = idle_bc_link_stats().map(|(k, _)| k).collect();
        assert_eq!(
            bc,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 23, 24, 27, 28, 29, 30, 31, 32, 33]
        );
        // A receive link's nest has the same attributes, its packets counted.
        let mut rcv = idle;
        rcv.recv_pkts = 5;
        let keys: std::vec::Vec<u16> = rcv.bc_nl_counters().map(|(k, _)| k).collect();
        assert_eq!(keys, bc);
        assert_eq!(rcv.bc_nl_counters().next(), Some((stats::RX_INFO, 5)));
    }

    #[test]
    fn table_dump_states_round_trip_through_words() {
        assert_eq!(TableDump::from_words([0; 5]), TableDump::Start);
        let cursor = DumpCursor::from_words([u64::MAX, 7, 1 << 40 | 3, 9]);
        for st in [TableDump::Start, TableDump::Resume(cursor), TableDump::Done] {
            assert_eq!(TableDump::from_words(st.to_words()), st);
        }
        assert_eq!(TableDump::from_words([9, 1, 2, 3, 4]), TableDump::Done);
    }

    #[test]
    fn list_dump_states_round_trip_through_words() {
        assert_eq!(ListDump::from_words([0; 5]), ListDump::Start);
        for st in [ListDump::Start, ListDump::From(u32::MAX), ListDump::Done] {
            assert_eq!(ListDump::from_words(st.to_words()), st);
        }
    }

    #[test]
    fn cursor_words_keep_every_field() {
        let w = [
            0xdead_beef_0000_0001,
            u64::MAX - 3,
            0x1234_5678_9abc_def0,
            0xffff_ffff,
        ];
        assert_eq!(DumpCursor::from_words(w).to_words(), w);
    }
}
