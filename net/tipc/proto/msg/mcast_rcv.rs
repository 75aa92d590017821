// SPDX-License-Identifier: GPL-2.0

//! A multicast that arrived from another node (`tipc_sk_mcast_rcv`): it names a service
//! range and no port, and this node gives each of its sockets in that range a copy with the
//! socket's port as the destination. A group broadcast or multicast goes the same way to
//! every socket bound to the group's type with the group's exact scope (this node's group
//! broadcasts reach its members so too).

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::name_table::addr::Scope;
use crate::proto::name_table::lookup::McastScope;
use crate::proto::name_table::table::NameTable;
use crate::proto::wire::consts::{DataType, LookupScope};
use crate::proto::wire::header::Packet;

/// Whether `p` is a multicast this node's sockets get copies of (`msg_mcast`): a
/// service-range multicast (`TIPC_MCAST_MSG`), a group broadcast or a group multicast.
pub(crate) fn is_mcast<T: AsRef<[u8]>>(p: &Packet<T>) -> bool {
    p.user().is_some_and(|u| u.is_data())
        && matches!(
            p.data_type(),
            DataType::Mcast | DataType::GrpBcast | DataType::GrpMcast
        )
}

/// The ports of the sockets here that multicast `p` goes to, ascending, each once: those
/// bound to an instance of its range with cluster scope when it comes from another node
/// (node-scope bindings are this node's alone), with any scope when it comes from this
/// node. A group message goes to every socket bound to the group's type (any instance)
/// with the scope its header names, from wherever it comes. On `Err`, memory ran out and
/// the message reaches no one, as C drops a copy it cannot make.
pub(crate) fn mcast_ports<T: AsRef<[u8]>>(
    p: &Packet<T>,
    table: &NameTable,
    flags: Flags,
) -> Result<KVec<u32>, AllocError> {
    let group = matches!(p.data_type(), DataType::GrpBcast | DataType::GrpMcast);
    let (lower, upper, scope) = if group {
        let scope = if p.lookup_scope() == LookupScope::NODE.bits() {
            Scope::Node
        } else {
            Scope::Cluster
        };
        (0, u32::MAX, McastScope::Exact(scope))
    } else if p.orignode() == table.own_node() {
        (p.name_instance(), p.name_upper(), McastScope::Any)
    } else {
        (
            p.name_instance(),
            p.name_upper(),
            McastScope::Exact(Scope::Cluster),
        )
    };
    let mut ports = KVec::new();
    table.lookup_mcast_sockets(p.name_type(), lower, upper, scope, &mut ports, flags)?;
    Ok(ports)
}

/// Addresses `copy`, a copy of a multicast, to the socket at `port`.
pub(crate) fn address_copy(copy: &mut [u8], port: u32) {
    Packet::new_unchecked(copy).set_destport(port);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::msg::header::{data_header, emit_header, Addressing, Sender};
    use crate::proto::name_table::addr::{ServiceRange, SocketAddr};
    use crate::proto::sock_kind::SockKind;
    use crate::proto::sockopt::SockOpts;
    use crate::proto::wire::consts::MAX_H_SIZE;

    /// This node.
    const OWN: u32 = 0x0100_1001;
    /// Another node.
    const PEER: u32 = 0x0100_1002;

    /// A multicast to `{1000, 2..=9}` from port 7 on `node`.
    fn mcast(node: u32) -> std::vec::Vec<u8> {
        let s = Sender::new(7, node, &SockOpts::new(SockKind::Rdm));
        let to = Addressing::Mcast {
            range: ServiceRange {
                ty: 1000,
                lower: 2,
                upper: 9,
            },
            to: SocketAddr { port: 0, node: OWN },
        };
        let mut b = std::vec![0u8; MAX_H_SIZE + 3];
        let n = emit_header(&data_header(&s, &to), 3, &mut b).unwrap();
        b.truncate(n + 3);
        b
    }

    #[test]
    fn another_nodes_multicast_reaches_cluster_scope_sockets_only() {
        let mut t = NameTable::new(OWN, false);
        for (key, (lower, upper, port, node, scope)) in (1u32..).zip([
            (0, 10, 30, OWN, Scope::Cluster),
            (5, 20, 20, OWN, Scope::Node),
            (8, 8, 30, OWN, Scope::Cluster),
            (3, 3, 99, PEER, Scope::Cluster),
            (30, 40, 50, OWN, Scope::Cluster),
        ]) {
            let range = ServiceRange {
                ty: 1000,
                lower,
                upper,
            };
            t.insert(range, SocketAddr { port, node }, scope, key, GFP_KERNEL)
                .unwrap();
        }
        let from_peer = mcast(PEER);
        let p = Packet::new_checked(&from_peer[..]).unwrap();
        assert!(is_mcast(&p));
        assert_eq!(&mcast_ports(&p, &t, GFP_KERNEL).unwrap()[..], &[30]);
        let own = mcast(OWN);
        let p = Packet::new_checked(&own[..]).unwrap();
        assert_eq!(&mcast_ports(&p, &t, GFP_KERNEL).unwrap()[..], &[20, 30]);

        let mut copy = from_peer.clone();
        address_copy(&mut copy, 30);
        let c = Packet::new_checked(&copy[..]).unwrap();
        assert_eq!(c.destport(), 30);
        assert_eq!(&copy[c.header_len()..], &from_peer[c.header_len()..]);
    }

    #[test]
    fn a_group_broadcast_reaches_every_instance_of_its_exact_scope() {
        let mut t = NameTable::new(OWN, false);
        for (key, (ty, lower, port, scope)) in (1u32..).zip([
            (1000, 1, 20, Scope::Cluster),
            (1000, 7, 21, Scope::Cluster),
            (1000, 7, 22, Scope::Node),
            (1001, 7, 23, Scope::Cluster),
        ]) {
            let range = ServiceRange {
                ty,
                lower,
                upper: lower,
            };
            let sk = SocketAddr { port, node: OWN };
            t.insert(range, sk, scope, key, GFP_KERNEL).unwrap();
        }
        for (ty, scope, from, want) in [
            (
                DataType::GrpBcast,
                LookupScope::CLUSTER,
                PEER,
                &[20, 21][..],
            ),
            (DataType::GrpMcast, LookupScope::CLUSTER, OWN, &[20, 21][..]),
            (DataType::GrpBcast, LookupScope::NODE, OWN, &[22][..]),
        ] {
            let mut b = mcast(from);
            let mut p = Packet::new_unchecked(&mut b[..]);
            p.set_msg_type(ty.bits());
            p.set_lookup_scope(scope.bits());
            p.set_name_instance(99);
            p.set_name_upper(5 << 16);
            let p = Packet::new_checked(&b[..]).unwrap();
            assert!(is_mcast(&p));
            assert_eq!(&mcast_ports(&p, &t, GFP_KERNEL).unwrap()[..], want);
        }
    }

    #[test]
    fn other_messages_are_not_multicasts() {
        let s = Sender::new(7, PEER, &SockOpts::new(SockKind::Rdm));
        let to = Addressing::Direct {
            to: SocketAddr { port: 5, node: OWN },
        };
        let mut b = [0u8; MAX_H_SIZE];
        let n = emit_header(&data_header(&s, &to), 0, &mut b).unwrap();
        assert!(!is_mcast(&Packet::new_checked(&b[..n]).unwrap()));
    }
}
