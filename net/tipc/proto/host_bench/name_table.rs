// SPDX-License-Identifier: GPL-2.0

//! The name table as a socket uses it: `bind(2)` and its unbind on a socket that holds a
//! batch of bindings, and the anycast look-up of a `sendto(2)` to a service address, hit and
//! miss, with 10^3, 10^5 and 10^6 bindings in the table.
//!
//! As in `tools/bench/tipc-bench.c`: the table holds one service type, instances 0, 2, 4,
//! ... in scrambled order, 1000 per socket; another socket binds [`CHURN`] free (odd)
//! instances, then unbinds them in the same order. The fill uses `NameTable::insert`,
//! which has no per-node limit, so that the table can hold more than the 65,534 bindings a
//! node may make through `bind(2)`.

use crate::{
    bench::rng::Rng,
    kalloc::GFP_ATOMIC,
    proto::{
        errno::Errno,
        msg::{dest::send_destination, route::resolve, route::Route},
        name_table::{
            addr::{Scope, ServiceRange, SocketAddr},
            bind::{bind_op, BindOp, SockaddrTipc, TIPC_SERVICE_ADDR, TIPC_SERVICE_RANGE},
            sock_bindings::SockBindings,
            table::NameTable,
        },
        AF_TIPC,
    },
};
use alloc::vec::Vec;
use core::hint::black_box;

/// Table sizes, in bindings.
pub const SIZES: [u32; 3] = [1_000, 100_000, 1_000_000];
/// Bindings made, then unbound, at a time.
pub const CHURN: usize = 100;
/// The service type.
const TYPE: u32 = 1000;
/// The node's address.
const NODE: u32 = 0x0100_1001;
/// Bindings per filling socket.
const PER_SOCKET: u32 = 1000;
/// The churning socket's port; the filling sockets' follow it.
const PORT: u32 = 1;
/// `TIPC_NODE_SCOPE`.
const NODE_SCOPE: i8 = 3;

/// A batch of bind or unbind addresses, as `bind(2)` receives them.
pub type Batch = [[u8; 16]; CHURN];

/// A filled table and the churning socket's bindings.
pub struct Fixture {
    /// The table.
    table: NameTable,
    /// The churning socket's bindings.
    churner: SockBindings,
    /// Bindings in the fill.
    n: u32,
    /// Picks instances.
    rng: Rng,
}

/// A `sockaddr_tipc` for `{TYPE, instance}` with `scope`, as user space lays it out.
fn sockaddr(addrtype: u8, instance: u32, scope: i8) -> [u8; 16] {
    let words = if addrtype == TIPC_SERVICE_RANGE {
        [TYPE, instance, instance]
    } else {
        [TYPE, instance, 0]
    };
    SockaddrTipc {
        family: AF_TIPC,
        addrtype,
        scope,
        words,
    }
    .to_bytes()
}

impl Fixture {
    /// A table of `n` bindings.
    pub fn new(n: u32) -> Self {
        let mut table = NameTable::new(NODE, false);
        let mut perm: Vec<u32> = (0..n).collect();
        let mut rng = Rng::new(0x5eed);
        for i in (1..perm.len()).rev() {
            let j = rng.below(i as u32 + 1) as usize;
            perm.swap(i, j);
        }
        for (i, &inst) in (0u32..).zip(perm.iter()) {
            let range = ServiceRange {
                ty: TYPE,
                lower: 2 * inst,
                upper: 2 * inst,
            };
            let port = PORT + 1 + i / PER_SOCKET;
            let sk = SocketAddr { port, node: NODE };
            let inserted = table.insert(
                range,
                sk,
                Scope::Node,
                port + 1 + i % PER_SOCKET,
                GFP_ATOMIC,
            );
            assert!(inserted.is_ok(), "filling the table");
        }
        Self {
            table,
            churner: SockBindings::new(),
            n,
            rng,
        }
    }

    /// [`CHURN`] free instances, scrambled; the addresses that bind them and those that
    /// unbind them.
    pub fn churn(&mut self) -> (Batch, Batch) {
        let base = self.rng.below(self.n);
        let mut bind = [[0; 16]; CHURN];
        let mut unbind = [[0; 16]; CHURN];
        for (i, (b, u)) in (0u32..).zip(bind.iter_mut().zip(unbind.iter_mut())) {
            let inst = 2 * (base.wrapping_add(i.wrapping_mul(7919)) % self.n) + 1;
            *b = sockaddr(TIPC_SERVICE_RANGE, inst, NODE_SCOPE);
            *u = sockaddr(TIPC_SERVICE_RANGE, inst, -NODE_SCOPE);
        }
        (bind, unbind)
    }

    /// `bind(2)` of the churning socket with `addr`, as the glue runs it.
    fn bind(&mut self, addr: &[u8]) -> Result<(), Errno> {
        match bind_op(addr, false)? {
            BindOp::Bind(b) => self
                .churner
                .bind(&mut self.table, PORT, &b, false, GFP_ATOMIC)
                .map(drop),
            BindOp::Unbind(b) => self.churner.unbind(&mut self.table, PORT, &b).map(drop),
            BindOp::UnbindAll => Err(Errno::EINVAL),
        }
    }

    /// Applies `bind(2)` with each address of `batch`.
    pub fn apply_all(&mut self, batch: &Batch) {
        for a in batch {
            let bound = self.bind(a);
            assert!(bound.is_ok(), "bind(2)");
        }
    }

    /// The address of a bound instance (`hit`) or a free one.
    pub fn target(&mut self, hit: bool) -> [u8; 16] {
        let inst = 2 * self.rng.below(self.n) + u32::from(!hit);
        sockaddr(TIPC_SERVICE_ADDR, inst, 0)
    }

    /// `sendto(2)` of a 1-byte message to `addr`: the destination read and looked up, as
    /// the glue does before it builds the message; whether a socket was found.
    pub fn lookup(&mut self, addr: &[u8]) -> bool {
        let Ok(dest) = send_destination(Some(addr), None, 1) else {
            return false;
        };
        matches!(
            black_box(resolve(dest, &mut self.table, GFP_ATOMIC)),
            Ok(Route::Unicast { .. })
        )
    }
}
