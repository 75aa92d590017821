// SPDX-License-Identifier: GPL-2.0

//! What TIPC keeps per network namespace: the name table and the sockets by port.

use crate::{
    proto::{msg::port::allocate_port, name_table::table::NameTable},
    socket::TipcFamily,
};
use kernel::{
    net::sock::Sk,
    new_spinlock,
    prelude::*,
    random,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{aref::ARef, SpinLock},
    time::{Instant, Monotonic},
};

/// A socket of this family, referenced.
pub(crate) type SockRef = ARef<Sk<TipcFamily>>;

/// The TIPC state of one network namespace.
///
/// # Locking
///
/// Both locks are plain spinlocks taken in process context only (socket calls, and delivery
/// from a sender on this node), never one inside the other, and never across user memory
/// access; allocations under them use `GFP_ATOMIC`. Delivery from links, in softirq, will need
/// them to become bottom-half safe.
#[pin_data]
pub(crate) struct TipcNet {
    /// Every publication this node knows.
    #[pin]
    pub(crate) names: SpinLock<NameTable>,
    /// This namespace's sockets by port, each holding a reference from `created` until
    /// `release`.
    #[pin]
    ports: SpinLock<RBTree<u32, SockRef>>,
    /// When the namespace's TIPC state was made: the core's clock counts from here.
    epoch: Instant<Monotonic>,
}

impl TipcNet {
    /// The state of a new namespace: an empty name table for a node with no address yet.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            names <- new_spinlock!(NameTable::new(0, false), "tipc_names"),
            ports <- new_spinlock!(RBTree::new(), "tipc_ports"),
            epoch: Instant::now(),
        })
    }

    /// The core's clock: milliseconds since the state was made.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(0)
    }

    /// This node's address, 0 until it has one.
    pub(crate) fn own_node(&self) -> u32 {
        self.names.lock().own_node()
    }

    /// This node's 128-bit identity: none (all zero) until the node has one, which takes a
    /// bearer or `tipc node set identity`, neither of which exists here yet.
    pub(crate) fn node_id(&self) -> [u8; 16] {
        [0; 16]
    }

    /// Enters `sk` under a free port, chosen as the C module does (from a random start), and
    /// returns the port; `EINVAL` when every port is taken, as in C.
    pub(crate) fn insert_port(&self, sk: &Sk<TipcFamily>) -> Result<u32> {
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let sk = SockRef::from(sk);
        let mut ports = self.ports.lock();
        let port = allocate_port(random::get_u32(), |p| ports.get(&p).is_none()).ok_or(EINVAL)?;
        ports.insert(reservation.into_node(port, sk));
        Ok(port)
    }

    /// Removes the socket of `port`, returning its reference (to be dropped with no lock held).
    pub(crate) fn remove_port(&self, port: u32) -> Option<SockRef> {
        self.ports.lock().remove(&port)
    }

    /// Appends to `out`, in port order from port `from` on, as many sockets as its spare
    /// capacity holds; allocates nothing.
    pub(crate) fn sockets_from(&self, from: u32, out: &mut KVec<SockRef>) {
        let ports = self.ports.lock();
        let mut next = Some(from);
        while let Some(cursor) = next.and_then(|port| ports.cursor_lower_bound(&port)) {
            let (&port, sk) = cursor.current();
            if out.len() == out.capacity() || out.push(sk.clone(), GFP_ATOMIC).is_err() {
                break;
            }
            next = port.checked_add(1);
        }
    }

    /// The socket of `port`, if any.
    pub(crate) fn socket(&self, port: u32) -> Option<SockRef> {
        self.ports.lock().get(&port).cloned()
    }
}
