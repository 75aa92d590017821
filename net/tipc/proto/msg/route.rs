// SPDX-License-Identifier: GPL-2.0

//! A destination resolved against the name table: which socket an anycast goes to, which
//! sockets and nodes a multicast reaches (`__tipc_sendmsg`, `tipc_sendmcast`,
//! `tipc_nametbl_lookup_anycast`, `tipc_nametbl_lookup_mcast_nodes`, and the local part of
//! `tipc_sk_mcast_rcv`).

use super::dest::Destination;
use super::error::MsgError;
use super::header::Addressing;
use crate::kalloc::{Flags, KVec};
use crate::proto::name_table::addr::{ServiceRange, SocketAddr};
use crate::proto::name_table::lookup::{Anycast, McastScope, NodeList};
use crate::proto::name_table::table::NameTable;
use crate::proto::wire::consts::LookupScope;

/// Where the messages of one send go.
#[derive(Debug)]
pub(crate) enum Route {
    /// One message, to the node its addressing names (the node layer decides whether that
    /// is this node).
    Unicast {
        /// Its addressing.
        addressing: Addressing,
    },
    /// A multicast: one copy per socket on this node, one message per other node.
    Multicast {
        /// The range sent to.
        range: ServiceRange,
        /// This node's sockets bound to an overlapping instance, whatever their scope,
        /// ascending, each once: each gets a copy with [`Addressing::Mcast`] and its port.
        local_ports: KVec<u32>,
        /// Other nodes with such a socket, ascending; they get the copy with port 0.
        remote_nodes: KVec<u32>,
    },
}

/// Resolves `dest` against `table` (whose own node is this node's address).
///
/// A service address is looked up by [`NameTable::lookup_anycast`] (round robin); nothing
/// bound is `EHOSTUNREACH`; a domain naming another node sends the message there with port
/// 0, for that node to look up. The lookup scope is node scope when a domain is given, else
/// cluster scope. A socket address is taken as is. A range with no socket bound anywhere is
/// `EHOSTUNREACH`. Running out of memory for the lists is `ENOMEM` (the C module drops the
/// destinations it cannot list instead).
pub(crate) fn resolve(
    dest: Destination,
    table: &mut NameTable,
    flags: Flags,
) -> Result<Route, MsgError> {
    let to = match dest {
        Destination::Service {
            ty,
            instance,
            domain,
        } => {
            let to = match table.lookup_anycast(ty, instance, domain) {
                Anycast::Found(sk) => sk,
                Anycast::Deferred => SocketAddr {
                    port: 0,
                    node: domain,
                },
                Anycast::NotFound => return Err(MsgError::HostUnreachable),
            };
            let scope = if domain == 0 {
                LookupScope::CLUSTER
            } else {
                LookupScope::NODE
            };
            Addressing::Named {
                ty,
                instance,
                scope,
                to,
            }
        }
        Destination::Socket(to) => Addressing::Direct { to },
        Destination::Range(range) => return multicast(range, table, flags),
    };
    Ok(Route::Unicast { addressing: to })
}

/// The route of a multicast to `range`.
fn multicast(range: ServiceRange, table: &NameTable, flags: Flags) -> Result<Route, MsgError> {
    let mut nodes = NodeList::default();
    table
        .lookup_mcast_nodes(range.ty, range.lower, range.upper, &mut nodes, flags)
        .map_err(|_| MsgError::NoMemory)?;
    if !nodes.local && nodes.remote.is_empty() {
        return Err(MsgError::HostUnreachable);
    }
    let mut local_ports = KVec::new();
    if nodes.local {
        table
            .lookup_mcast_sockets(
                range.ty,
                range.lower,
                range.upper,
                McastScope::Any,
                &mut local_ports,
                flags,
            )
            .map_err(|_| MsgError::NoMemory)?;
    }
    Ok(Route::Multicast {
        range,
        local_ports,
        remote_nodes: nodes.remote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::name_table::addr::Scope;

    /// This node.
    const OWN: u32 = 0x0100_1001;
    /// Another node.
    const PEER: u32 = 0x0100_1002;

    /// A table with `(type, lower, upper, port, node, scope)` bindings.
    fn table(binds: &[(u32, u32, u32, u32, u32, Scope)]) -> NameTable {
        let mut t = NameTable::new(OWN, false);
        for (key, &(ty, lower, upper, port, node, scope)) in (1u32..).zip(binds) {
            t.insert(
                ServiceRange { ty, lower, upper },
                SocketAddr { port, node },
                scope,
                key,
                GFP_KERNEL,
            )
            .unwrap();
        }
        t
    }

    /// The unicast destination of `dest` and whether it is this node, or the error.
    fn unicast(t: &mut NameTable, dest: Destination) -> Result<(Addressing, bool), MsgError> {
        match resolve(dest, t, GFP_KERNEL)? {
            Route::Unicast { addressing } => Ok((addressing, t.is_own(addressing.dest_node()))),
            Route::Multicast { .. } => panic!("multicast"),
        }
    }

    #[test]
    fn anycast_round_robin() {
        let mut t = table(&[
            (1000, 0, 10, 11, OWN, Scope::Cluster),
            (1000, 0, 10, 12, OWN, Scope::Node),
        ]);
        let dest = Destination::Service {
            ty: 1000,
            instance: 5,
            domain: 0,
        };
        let mut ports = [0; 3];
        for p in &mut ports {
            let (a, local) = unicast(&mut t, dest).unwrap();
            assert!(local);
            let Addressing::Named { scope, to, .. } = a else {
                panic!("not named");
            };
            assert_eq!(scope, LookupScope::CLUSTER);
            assert_eq!(to.node, OWN);
            *p = to.port;
        }
        assert_eq!(ports, [12, 11, 12], "newest binding first");
    }

    #[test]
    fn anycast_with_nothing_bound_is_ehostunreach() {
        let mut t = table(&[(1000, 0, 10, 11, OWN, Scope::Cluster)]);
        for (ty, instance, domain) in [(1000, 11, 0), (1001, 5, 0), (1000, 11, OWN)] {
            assert_eq!(
                unicast(
                    &mut t,
                    Destination::Service {
                        ty,
                        instance,
                        domain
                    }
                ),
                Err(MsgError::HostUnreachable)
            );
        }
        let (a, _) = unicast(
            &mut t,
            Destination::Service {
                ty: 1000,
                instance: 1,
                domain: OWN,
            },
        )
        .unwrap();
        assert!(matches!(a, Addressing::Named { scope, .. } if scope == LookupScope::NODE));
    }

    #[test]
    fn other_domain_is_left_to_that_node() {
        let mut t = table(&[]);
        let (a, local) = unicast(
            &mut t,
            Destination::Service {
                ty: 1000,
                instance: 1,
                domain: PEER,
            },
        )
        .unwrap();
        assert!(!local);
        assert_eq!(
            a,
            Addressing::Named {
                ty: 1000,
                instance: 1,
                scope: LookupScope::NODE,
                to: SocketAddr {
                    port: 0,
                    node: PEER
                }
            }
        );
    }

    #[test]
    fn socket_addresses_as_given() {
        let mut t = table(&[]);
        for (node, local) in [(0, true), (OWN, true), (PEER, false)] {
            let to = SocketAddr { port: 7, node };
            assert_eq!(
                unicast(&mut t, Destination::Socket(to)),
                Ok((Addressing::Direct { to }, local))
            );
        }
    }

    #[test]
    fn multicast_lists_local_sockets_of_any_scope_and_remote_nodes() {
        let mut t = table(&[
            (1000, 0, 10, 30, OWN, Scope::Cluster),
            (1000, 5, 20, 20, OWN, Scope::Node),
            (1000, 8, 8, 30, OWN, Scope::Node),
            (1000, 3, 3, 99, PEER, Scope::Cluster),
            (1000, 30, 40, 50, OWN, Scope::Cluster),
            (1001, 0, 10, 60, OWN, Scope::Cluster),
        ]);
        let range = ServiceRange {
            ty: 1000,
            lower: 2,
            upper: 9,
        };
        let Route::Multicast {
            range: r,
            local_ports,
            remote_nodes,
        } = resolve(Destination::Range(range), &mut t, GFP_KERNEL).unwrap()
        else {
            panic!("not multicast");
        };
        assert_eq!(r, range);
        assert_eq!(&local_ports[..], &[20, 30]);
        assert_eq!(&remote_nodes[..], &[PEER]);
    }

    #[test]
    fn multicast_to_nobody_is_ehostunreach() {
        let mut t = table(&[(1000, 0, 10, 30, OWN, Scope::Cluster)]);
        let range = ServiceRange {
            ty: 1000,
            lower: 11,
            upper: 20,
        };
        assert!(matches!(
            resolve(Destination::Range(range), &mut t, GFP_KERNEL),
            Err(MsgError::HostUnreachable)
        ));
        let mut t = table(&[(1000, 15, 15, 30, PEER, Scope::Cluster)]);
        let Ok(Route::Multicast {
            local_ports,
            remote_nodes,
            ..
        }) = resolve(Destination::Range(range), &mut t, GFP_KERNEL)
        else {
            panic!("not multicast");
        };
        assert!(local_ports.is_empty());
        assert_eq!(&remote_nodes[..], &[PEER]);
    }
}
