// SPDX-License-Identifier: GPL-2.0

//! A message for a socket that no longer exists on this node: a named message gets one
//! more lookup, anything else is refused (`tipc_sk_rcv`, `tipc_msg_lookup_dest`).

use crate::proto::name_table::addr::SocketAddr;
use crate::proto::name_table::lookup::Anycast;
use crate::proto::name_table::table::NameTable;
use crate::proto::wire::consts::{DataType, ErrorCode, LookupScope};
use crate::proto::wire::header::Packet;

/// What becomes of a message whose destination port has no socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Undeliverable {
    /// The header now names another socket: send the message to its node (this node's
    /// address or another's).
    Rerouted(SocketAddr),
    /// Refuse it with this code: return it if [`super::reverse::returned`] allows.
    Reject(ErrorCode),
}

/// Decides the fate of message `msg`, which reached this node for a port without a socket,
/// and rewrites its header if it is rerouted.
///
/// Only a named data message without an error code that was never rerouted is looked up
/// again, with the lookup domain its lookup scope gives (this node for node scope, else
/// anywhere); it is then rerouted with its reroute count raised, its destination set to the
/// socket found and, when that is on another node, this node as its previous node. A named
/// message that cannot be rerouted is refused with `TIPC_ERR_NO_NAME`; any other message,
/// or bytes that are not a valid message, with `TIPC_ERR_NO_PORT`.
pub(crate) fn no_socket(msg: &mut [u8], table: &mut NameTable) -> Undeliverable {
    let Ok(p) = Packet::new_checked(&*msg) else {
        return Undeliverable::Reject(ErrorCode::NoPort);
    };
    let is_data = p.user().is_some_and(|u| u.is_data());
    if !is_data || p.data_type() != DataType::Named || p.errcode() != 0 {
        return Undeliverable::Reject(ErrorCode::NoPort);
    }
    if p.reroute_cnt() != 0 {
        return Undeliverable::Reject(ErrorCode::NoName);
    }
    let own = table.own_node();
    let domain = if p.lookup_scope() == LookupScope::NODE.bits() {
        own
    } else {
        0
    };
    let (ty, instance, reroutes) = (p.name_type(), p.name_instance(), p.reroute_cnt());
    let to = match table.lookup_anycast(ty, instance, domain) {
        Anycast::Found(sk) => sk,
        Anycast::Deferred | Anycast::NotFound => return Undeliverable::Reject(ErrorCode::NoName),
    };
    let mut p = Packet::new_unchecked(msg);
    p.set_reroute_cnt(reroutes + 1);
    if to.node != own {
        p.set_prevnode(own);
    }
    p.set_destnode(to.node);
    p.set_destport(to.port);
    Undeliverable::Rerouted(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::name_table::addr::{Scope, ServiceRange};
    use crate::proto::wire::consts::User;
    use crate::proto::wire::header::start;

    /// This node.
    const OWN: u32 = 0x0100_1001;
    /// Another node.
    const PEER: u32 = 0x0100_1002;

    /// A named message to 1000/5 for port 9 on this node, from node `PEER`.
    fn named(scope: LookupScope) -> [u8; 40] {
        let mut b = [0u8; 40];
        start(&mut b, User::Low, DataType::Named.bits(), 40, 0).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_lookup_scope(scope.bits());
        p.set_prevnode(PEER);
        p.set_destnode(OWN);
        p.set_destport(9);
        p.set_name_type(1000);
        p.set_name_instance(5);
        b
    }

    /// A table binding 1000/0-10 to `<node:port>`.
    fn table(port: u32, node: u32) -> NameTable {
        let mut t = NameTable::new(OWN, false);
        let range = ServiceRange {
            ty: 1000,
            lower: 0,
            upper: 10,
        };
        t.insert(
            range,
            SocketAddr { port, node },
            Scope::Cluster,
            1,
            GFP_KERNEL,
        )
        .unwrap();
        t
    }

    #[test]
    fn rerouted_to_another_local_socket() {
        let mut b = named(LookupScope::CLUSTER);
        let mut t = table(12, OWN);
        assert_eq!(
            no_socket(&mut b, &mut t),
            Undeliverable::Rerouted(SocketAddr {
                port: 12,
                node: OWN
            })
        );
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!((p.destnode(), p.destport(), p.reroute_cnt()), (OWN, 12, 1));
        assert_eq!(p.prevnode(), PEER);
        assert_eq!(
            no_socket(&mut b, &mut t),
            Undeliverable::Reject(ErrorCode::NoName),
            "only one reroute"
        );
    }

    #[test]
    fn rerouted_to_another_node_marks_this_one() {
        let mut b = named(LookupScope::CLUSTER);
        let mut t = table(12, PEER);
        assert_eq!(
            no_socket(&mut b, &mut t),
            Undeliverable::Rerouted(SocketAddr {
                port: 12,
                node: PEER
            })
        );
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!((p.prevnode(), p.destnode()), (OWN, PEER));
    }

    #[test]
    fn node_scope_looks_here_only() {
        let mut b = named(LookupScope::NODE);
        let mut t = table(12, PEER);
        assert_eq!(
            no_socket(&mut b, &mut t),
            Undeliverable::Reject(ErrorCode::NoName)
        );
        let mut b = named(LookupScope::NODE);
        let mut t = table(12, OWN);
        assert!(matches!(
            no_socket(&mut b, &mut t),
            Undeliverable::Rerouted(_)
        ));
    }

    #[test]
    fn others_have_no_port() {
        let mut t = table(12, OWN);
        let mut direct = named(LookupScope::CLUSTER);
        Packet::new_unchecked(&mut direct[..]).set_msg_type(DataType::Direct.bits());
        assert_eq!(
            no_socket(&mut direct, &mut t),
            Undeliverable::Reject(ErrorCode::NoPort)
        );
        let mut errored = named(LookupScope::CLUSTER);
        Packet::new_unchecked(&mut errored[..]).set_errcode(1);
        assert_eq!(
            no_socket(&mut errored, &mut t),
            Undeliverable::Reject(ErrorCode::NoPort)
        );
        let mut internal = named(LookupScope::CLUSTER);
        Packet::new_unchecked(&mut internal[..]).set_user_bits(User::ConnManager.bits());
        assert_eq!(
            no_socket(&mut internal, &mut t),
            Undeliverable::Reject(ErrorCode::NoPort)
        );
        assert_eq!(
            no_socket(&mut [0u8; 8], &mut t),
            Undeliverable::Reject(ErrorCode::NoPort)
        );
    }

    #[test]
    fn nothing_bound_has_no_name() {
        let mut b = named(LookupScope::CLUSTER);
        let mut t = NameTable::new(OWN, false);
        assert_eq!(
            no_socket(&mut b, &mut t),
            Undeliverable::Reject(ErrorCode::NoName)
        );
        assert_eq!(Packet::new_checked(&b[..]).unwrap().reroute_cnt(), 0);
    }
}
