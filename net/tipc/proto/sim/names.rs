// SPDX-License-Identifier: GPL-2.0

//! A simulated node's name table and name distribution, driven as the module's glue drives
//! them (`cluster.rs`): what a link takes is applied before the events of the same step (so
//! a peer's last updates come in before its loss purges them), a lost peer's bindings are
//! withdrawn, a peer that comes up gets this node's bindings in bulk, and a binding made or
//! withdrawn here is numbered and sent to every peer up.

extern crate std;

use std::collections::BTreeSet;

use super::net::Net;
use crate::kalloc::GFP_KERNEL;
use crate::proto::name_table::addr::{Scope, ServiceRange, SocketAddr};
use crate::proto::name_table::distr::{self, Distributor};
use crate::proto::name_table::table::{Binding, NameTable};
use crate::proto::name_table::update::Update;
use crate::proto::node::cluster::Cluster;
use crate::proto::node::event::Event;
use crate::proto::node::named;
use crate::proto::wire::consts::User;

/// A binding as every node's table should show it: node, type, lower, upper, port, key.
pub(super) type Entry = (u32, u32, u32, u32, u32, u32);

/// One node's name table and name distribution.
pub(super) struct Names {
    pub(super) table: NameTable,
    pub(super) distr: Distributor,
}

impl Names {
    /// An empty table of a node without an address.
    pub(super) fn new() -> Self {
        Self {
            table: NameTable::new(0, false),
            distr: Distributor::new(),
        }
    }

    /// A message the link to `peer` took: name distribution, alone or in a bundle.
    pub(super) fn deliver(&mut self, peer: u32, user: User, msg: &[u8]) {
        let (table, distr) = (&mut self.table, &mut self.distr);
        match user {
            User::NameDistributor => distr.receive(table, peer, msg, GFP_KERNEL, |_| {}),
            User::MsgBundler => {
                for m in distr::in_bundle(msg) {
                    distr.receive(table, peer, m, GFP_KERNEL, |_| {});
                }
            }
            _ => {}
        }
    }

    /// An event of the node's core.
    pub(super) fn on_event(&mut self, core: &mut Cluster<std::vec::Vec<u8>>, ev: Event, now: u64) {
        match ev {
            Event::AddressSet(a) => self.table.set_own_node(a, core.own().legacy()),
            Event::NodeDown { peer } => {
                self.distr
                    .node_down(&mut self.table, peer, GFP_KERNEL, |_| {})
            }
            Event::NodeUp { peer, .. } => {
                named::node_up(core, &self.table, &self.distr, peer, now, GFP_KERNEL)
            }
            _ => {}
        }
    }

    /// Every cluster-scope binding the table holds.
    pub(super) fn entries(&self) -> BTreeSet<Entry> {
        let mut all = BTreeSet::new();
        let cluster =
            |p: &crate::proto::name_table::publication::Publication| p.scope == Scope::Cluster;
        let _ = self.table.visit_bindings(cluster, |b: Binding| {
            let r = b.range;
            all.insert((b.sk.node, r.ty, r.lower, r.upper, b.sk.port, b.key));
            core::ops::ControlFlow::<()>::Continue(())
        });
        all
    }
}

impl Net {
    /// Gives every node a name table.
    pub(super) fn with_names(mut self) -> Self {
        for n in &mut self.nodes {
            n.names = Some(Names::new());
        }
        self
    }

    /// Node `i` binds `range` with cluster scope to its socket `port`, under `key`, as
    /// `bind(2)` does (the table, then the update to every peer up); false if refused.
    pub(super) fn bind(&mut self, i: usize, range: ServiceRange, port: u32, key: u32) -> bool {
        self.change(i, range, port, key, false)
    }

    /// Node `i` withdraws that binding; false if it had none.
    pub(super) fn unbind(&mut self, i: usize, range: ServiceRange, port: u32, key: u32) -> bool {
        self.change(i, range, port, key, true)
    }

    fn change(
        &mut self,
        i: usize,
        range: ServiceRange,
        port: u32,
        key: u32,
        withdraw: bool,
    ) -> bool {
        let now = self.now;
        let node = &mut self.nodes[i];
        let Some(names) = node.names.as_mut() else {
            return false;
        };
        let sk = SocketAddr {
            port,
            node: node.cluster.own().addr(),
        };
        let update = if withdraw {
            let Some(w) = names.table.withdraw(range, sk, key) else {
                return false;
            };
            Update::withdrawn(&mut names.distr, &w)
        } else {
            let Ok(p) = names
                .table
                .publish(range, sk, Scope::Cluster, key, GFP_KERNEL)
            else {
                return false;
            };
            Update::published(&mut names.distr, &range, &p.publication)
        };
        if let Some(u) = update {
            named::distribute(&mut node.cluster, &[u], now, GFP_KERNEL);
        }
        self.drain(i);
        true
    }
}
