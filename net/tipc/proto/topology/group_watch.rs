// SPDX-License-Identifier: GPL-2.0

//! The topology server's kernel-internal subscriptions: each communication group's socket
//! watches the bindings of its group's type (`tipc_topsrv_kern_subscr` with all instances,
//! `TIPC_SUB_PORTS | TIPC_SUB_NO_STATUS` and the group's scope bit). Every publication or
//! withdrawal of that type and exactly that scope becomes a [`TopEvent`] queued for the
//! socket's port, in the order of the table's changes; the glue takes the queue after each
//! change and hands each event to its socket's group.

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::group::event::EventKind;
use crate::proto::group::proto::TopEvent;
use crate::proto::name_table::addr::{Scope, ServiceRange};
use crate::proto::name_table::publication::Publication;

/// One group socket's watch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Watch {
    /// The watching socket.
    port: u32,
    /// The group's service type.
    ty: u32,
    /// The group's scope: only publications of exactly this scope are reported.
    scope: Scope,
}

/// An event for a watching socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct WatchEvent {
    /// The watching socket.
    pub(crate) port: u32,
    /// The type it watched: a socket that left and joined another group since ignores it.
    pub(crate) ty: u32,
    /// What happened.
    pub(crate) event: TopEvent,
}

/// The group sockets' watches and the events they earned, not yet taken.
#[derive(Debug, Default)]
pub(crate) struct GroupWatches {
    /// Every watch, in the order they were made.
    watches: KVec<Watch>,
    /// Events for sockets, in order.
    events: KVec<WatchEvent>,
}

impl GroupWatches {
    /// Socket `port` watches the bindings of type `ty` with scope `scope`.
    pub(crate) fn watch(
        &mut self,
        port: u32,
        ty: u32,
        scope: Scope,
        flags: Flags,
    ) -> Result<(), AllocError> {
        self.watches.push(Watch { port, ty, scope }, flags)
    }

    /// Socket `port` stops watching; events already queued for it stay (its group is gone
    /// by the time they are handed out, so the glue drops them).
    pub(crate) fn unwatch(&mut self, port: u32) {
        self.watches.retain(|w| w.port != port);
    }

    /// Whether events wait to be taken.
    pub(crate) fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Takes the events, in order.
    pub(crate) fn take_events(&mut self) -> KVec<WatchEvent> {
        core::mem::take(&mut self.events)
    }

    /// Publication `p` of `range` was added (`Published`) or removed (`Withdrawn`): each
    /// watch of its type and scope gets an event with the lower bound as instance. An event
    /// there is no memory for is lost, as C loses a kernel subscriber's event it cannot
    /// allocate.
    pub(crate) fn report(
        &mut self,
        range: &ServiceRange,
        p: &Publication,
        kind: EventKind,
        flags: Flags,
    ) {
        for w in self.watches.iter() {
            if w.ty != range.ty || w.scope != p.scope {
                continue;
            }
            let event = TopEvent {
                kind,
                instance: range.lower,
                sk: p.sk,
            };
            let ev = WatchEvent {
                port: w.port,
                ty: w.ty,
                event,
            };
            if self.events.push(ev, flags).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::name_table::addr::SocketAddr;

    /// A publication of `port` on node 1 with `scope`.
    fn publ(port: u32, scope: Scope) -> Publication {
        Publication {
            sk: SocketAddr { port, node: 1 },
            scope,
            key: port + 1,
            id: port,
        }
    }

    /// The range `{ty, lower, lower + 3}`.
    fn range(ty: u32, lower: u32) -> ServiceRange {
        ServiceRange {
            ty,
            lower,
            upper: lower + 3,
        }
    }

    #[test]
    fn a_watch_sees_its_type_and_exact_scope_only() {
        let mut g = GroupWatches::default();
        g.watch(10, 1000, Scope::Cluster, GFP_KERNEL).unwrap();
        g.watch(11, 1000, Scope::Node, GFP_KERNEL).unwrap();
        g.watch(12, 2000, Scope::Cluster, GFP_KERNEL).unwrap();
        for (ty, lower, port, scope, kind) in [
            (1000, 5, 7, Scope::Cluster, EventKind::Published),
            (1000, 6, 8, Scope::Node, EventKind::Published),
            (3000, 6, 9, Scope::Node, EventKind::Published),
            (1000, 5, 7, Scope::Cluster, EventKind::Withdrawn),
        ] {
            g.report(&range(ty, lower), &publ(port, scope), kind, GFP_KERNEL);
        }
        assert!(g.has_events());
        let ev: std::vec::Vec<_> = g.take_events().iter().map(|e| (e.port, e.event)).collect();
        let sk = |port| SocketAddr { port, node: 1 };
        assert_eq!(
            ev,
            [
                (
                    10,
                    TopEvent {
                        kind: EventKind::Published,
                        instance: 5,
                        sk: sk(7)
                    }
                ),
                (
                    11,
                    TopEvent {
                        kind: EventKind::Published,
                        instance: 6,
                        sk: sk(8)
                    }
                ),
                (
                    10,
                    TopEvent {
                        kind: EventKind::Withdrawn,
                        instance: 5,
                        sk: sk(7)
                    }
                ),
            ]
        );
        assert!(!g.has_events());
    }

    #[test]
    fn an_unwatched_socket_gets_no_more_events() {
        let mut g = GroupWatches::default();
        g.watch(10, 1000, Scope::Cluster, GFP_KERNEL).unwrap();
        g.watch(11, 1000, Scope::Cluster, GFP_KERNEL).unwrap();
        g.unwatch(10);
        let p = publ(7, Scope::Cluster);
        g.report(&range(1000, 5), &p, EventKind::Published, GFP_KERNEL);
        let ev: std::vec::Vec<_> = g.take_events().iter().map(|e| (e.port, e.ty)).collect();
        assert_eq!(ev, [(11, 1000)]);
    }
}
