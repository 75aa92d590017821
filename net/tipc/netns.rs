// SPDX-License-Identifier: GPL-2.0

//! What TIPC keeps per network namespace: the name table with the topology server, and the
//! endpoints by port.

use crate::{
    cluster::{self, ClusterState, CLUSTER_TIMER},
    proto::{
        msg::port::allocate_port,
        name_table::{distr::Distributor, table::NameTable},
        topology::server::TopSrv,
    },
    sock_timer::{self, SockTimers, SOCK_TIMER},
    socket::TipcFamily,
    topsrv::{self, TOPSRV_TIMER},
};
use core::ops::Deref;
use kernel::{
    impl_has_delayed_work,
    net::{
        pernet::{NetData, NewNet, Pernet},
        skb_queue::SkBuffQueue,
        sock::Sk,
    },
    new_delayed_work, new_spinlock_bh,
    prelude::*,
    random,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        Arc, SpinLockBh,
    },
    time::{Instant, Monotonic},
    workqueue::{DelayedWork, WorkItem},
    workqueue_cancel::cancel_delayed_sync,
};

/// A socket of this family, referenced.
pub(crate) type SockRef = ARef<Sk<TipcFamily>>;

/// What answers at a port.
#[derive(Clone)]
pub(crate) enum Endpoint {
    /// A socket, referenced from `created` until `release`.
    Sock(SockRef),
    /// The topology server: its listener or one of its connections.
    TopSrv,
}

/// The name table and what must change with it under the same lock.
pub(crate) struct Names {
    /// Every publication this node knows.
    pub(crate) table: NameTable,
    /// The topology server, whose events follow the table's changes in order.
    pub(crate) topsrv: TopSrv,
    /// Name distribution: peers' update sequences and this node's.
    pub(crate) distr: Distributor,
    /// A thread is sending the topology server's output (see [`topsrv::flush`]).
    pub(crate) flushing: bool,
    /// When the timer is armed to fire (ms), if it is.
    pub(crate) timer_at: Option<u64>,
}

/// The TIPC state of one network namespace. It lives in an [`Arc`] so that its timer's work
/// item can hold it.
///
/// # Locking
///
/// Every lock is bottom-half safe: socket calls, timers' work items and netlink handlers take
/// them in process context, frames from bearers in softirq. None is held across user memory
/// access, and allocations under them use `GFP_ATOMIC`. `cluster` is the outermost: `names`
/// may be taken inside it (its events change the name table); `names` and `ports` are never
/// held together. `tx_order` is taken only inside `cluster` and held past its release while
/// frames go to their devices; nothing is taken inside it.
#[pin_data]
pub(crate) struct TipcNet {
    /// The name table and the topology server.
    #[pin]
    pub(crate) names: SpinLockBh<Names>,
    /// This namespace's endpoints by port.
    #[pin]
    ports: SpinLockBh<RBTree<u32, Endpoint>>,
    /// When the namespace's TIPC state was made: the core's clock counts from here.
    epoch: Instant<Monotonic>,
    /// This node's address, 0 until it has one: read on every send and delivery without a
    /// lock. It changes only under `names`, together with the name table's copy.
    own_addr: Atomic<u32>,
    /// The topology server's listening port, fixed when the state is made.
    pub(crate) topsrv_listener: u32,
    /// Fires when the topology server's next subscription times out.
    #[pin]
    timer: DelayedWork<TipcNet, TOPSRV_TIMER>,
    /// The deadlines of the sockets' timers.
    #[pin]
    pub(crate) sock_timers: SpinLockBh<SockTimers>,
    /// Fires at the earliest of them.
    #[pin]
    sock_timer: DelayedWork<TipcNet, SOCK_TIMER>,
    /// The cluster engine: this node's identity, the bearers, the peers and their links.
    /// Taken in process context (netlink, the timer, device events) and in softirq (frames
    /// from bearers); `names` may be taken inside it, never the other way round.
    #[pin]
    pub(crate) cluster: SpinLockBh<ClusterState>,
    /// Fires at the cluster's next deadline.
    #[pin]
    cluster_timer: DelayedWork<TipcNet, CLUSTER_TIMER>,
    /// Guards no data but the order of transmission: a caller of [`cluster::drive`] takes it
    /// before it lets `cluster` go and holds it while it transmits what it built there, so
    /// frames leave in the order the engine built them, whichever CPU built them. Without
    /// it, two CPUs reorder a link's packets (a spurious gap, retransmissions) and its
    /// protocol messages (the peer drops the older `STATE` as stale, and with it a new
    /// tolerance or priority).
    #[pin]
    pub(crate) tx_order: SpinLockBh<()>,
    /// Packets the links took in sequence, waiting for delivery (see [`crate::input`]).
    #[pin]
    pub(crate) input: SkBuffQueue,
    /// A thread is delivering from `input`.
    pub(crate) input_busy: Atomic<bool>,
    /// Messages lost on the way in: a malformed bundle, a user nothing handles yet, no
    /// memory for a bundled message's buffer.
    pub(crate) input_dropped: Atomic<u64>,
}

impl_has_delayed_work! {
    impl HasDelayedWork<Self, TOPSRV_TIMER> for TipcNet { self.timer }
    impl HasDelayedWork<Self, SOCK_TIMER> for TipcNet { self.sock_timer }
    impl HasDelayedWork<Self, CLUSTER_TIMER> for TipcNet { self.cluster_timer }
}

impl WorkItem<TOPSRV_TIMER> for TipcNet {
    type Pointer = Arc<TipcNet>;

    fn run(net: Arc<TipcNet>) {
        topsrv::on_timer(&net);
    }
}

impl WorkItem<SOCK_TIMER> for TipcNet {
    type Pointer = Arc<TipcNet>;

    fn run(net: Arc<TipcNet>) {
        sock_timer::on_timer(&net);
    }
}

impl WorkItem<CLUSTER_TIMER> for TipcNet {
    type Pointer = Arc<TipcNet>;

    fn run(net: Arc<TipcNet>) {
        cluster::on_timer(&net);
    }
}

/// Where the kernel keeps each namespace's [`NetSlot`].
static TIPC_NET: Pernet<NetSlot> = Pernet::new();

impl NetData for NetSlot {
    fn pernet() -> &'static Pernet<Self> {
        &TIPC_NET
    }

    fn init(_net: &NewNet) -> impl PinInit<Self, Error> {
        Self::new()
    }
}

impl NetSlot {
    /// The state of a new namespace: a node with no address yet, and the topology server
    /// listening at `{TIPC_TOP_SRV, TIPC_TOP_SRV}`.
    pub(crate) fn new() -> Result<Self> {
        // The table is empty, so any port is free.
        let listener = allocate_port(random::get_u32(), |_| true).ok_or(EINVAL)?;
        let net = Arc::pin_init(
            try_pin_init!(TipcNet {
                names <- new_spinlock_bh!(
                    Names {
                        table: NameTable::new(0, false),
                        topsrv: TopSrv::new(listener),
                        distr: Distributor::new(),
                        flushing: false,
                        timer_at: None,
                    },
                    "tipc_names"
                ),
                ports <- new_spinlock_bh!(RBTree::new(), "tipc_ports"),
                epoch: Instant::now(),
                own_addr: Atomic::new(0),
                topsrv_listener: listener,
                timer <- new_delayed_work!("tipc_topsrv_timer"),
                sock_timers <- new_spinlock_bh!(SockTimers::new(), "tipc_sock_timers"),
                sock_timer <- new_delayed_work!("tipc_sock_timer"),
                cluster <- new_spinlock_bh!(ClusterState::new(), "tipc_cluster"),
                cluster_timer <- new_delayed_work!("tipc_cluster_timer"),
                tx_order <- new_spinlock_bh!((), "tipc_tx_order"),
                input <- SkBuffQueue::new(),
                input_busy: Atomic::new(false),
                input_dropped: Atomic::new(0),
            }),
            GFP_KERNEL,
        )?;
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        net.ports
            .lock()
            .insert(reservation.into_node(listener, Endpoint::TopSrv));
        topsrv::bind_listener(&net, listener)?;
        Ok(Self(net))
    }
}

impl TipcNet {
    /// The core's clock: milliseconds since the state was made.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(0)
    }

    /// This node's address, 0 until it has one.
    pub(crate) fn own_node(&self) -> u32 {
        self.own_addr.load(Relaxed)
    }

    /// Whether `node` names this node: its address, or 0.
    pub(crate) fn is_own(&self, node: u32) -> bool {
        node == 0 || node == self.own_node()
    }

    /// Gives the node its address; the caller holds `names` and changes the name table's
    /// copy with it.
    pub(crate) fn set_own_node(&self, addr: u32) {
        self.own_addr.store(addr, Relaxed);
    }

    /// This node's 128-bit identity: none (all zero) until the node has one, from its first
    /// bearer or `tipc node set identity`.
    pub(crate) fn node_id(&self) -> [u8; 16] {
        self.cluster
            .lock()
            .core
            .own()
            .id()
            .map_or([0; 16], |id| id.0)
    }

    /// Enters `sk` under a free port, chosen as the C module does (from a random start), and
    /// returns the port; `EINVAL` when every port is taken, as in C.
    pub(crate) fn insert_port(&self, sk: &Sk<TipcFamily>) -> Result<u32> {
        self.claim_port(Endpoint::Sock(SockRef::from(sk)))
    }

    /// Claims a free port for `endpoint`.
    pub(crate) fn claim_port(&self, endpoint: Endpoint) -> Result<u32> {
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let mut ports = self.ports.lock();
        let port = allocate_port(random::get_u32(), |p| ports.get(&p).is_none()).ok_or(EINVAL)?;
        ports.insert(reservation.into_node(port, endpoint));
        Ok(port)
    }

    /// Removes the endpoint of `port`, returning it (a socket reference is to be dropped with
    /// no lock held).
    pub(crate) fn remove_port(&self, port: u32) -> Option<Endpoint> {
        self.ports.lock().remove(&port)
    }

    /// Appends to `out`, in port order from port `from` on, as many sockets as its spare
    /// capacity holds; allocates nothing.
    pub(crate) fn sockets_from(&self, from: u32, out: &mut KVec<SockRef>) {
        let ports = self.ports.lock();
        let mut next = Some(from);
        while let Some(cursor) = next.and_then(|port| ports.cursor_lower_bound(&port)) {
            let (&port, endpoint) = cursor.current();
            if let Endpoint::Sock(sk) = endpoint {
                if out.len() == out.capacity() || out.push(sk.clone(), GFP_ATOMIC).is_err() {
                    break;
                }
            }
            next = port.checked_add(1);
        }
    }

    /// The socket of `port`, if a socket has it.
    pub(crate) fn socket(&self, port: u32) -> Option<SockRef> {
        match self.ports.lock().get(&port) {
            Some(Endpoint::Sock(sk)) => Some(sk.clone()),
            _ => None,
        }
    }

    /// What answers at `port`, if anything.
    pub(crate) fn endpoint(&self, port: u32) -> Option<Endpoint> {
        self.ports.lock().get(&port).cloned()
    }
}

/// A namespace's TIPC state as the namespace holds it: dropping it stops the timer before
/// the state goes.
pub(crate) struct NetSlot(Arc<TipcNet>);

impl Deref for NetSlot {
    type Target = Arc<TipcNet>;

    fn deref(&self) -> &Arc<TipcNet> {
        &self.0
    }
}

impl Drop for NetSlot {
    fn drop(&mut self) {
        // No socket of the namespace is left, and its devices are gone (or the module is
        // going, with no frame handler left), so nothing arms the timers again once the
        // bearers are disabled.
        cluster::disable_all(&self.0);
        cancel_delayed_sync::<TipcNet, TOPSRV_TIMER>(&self.0);
        cancel_delayed_sync::<TipcNet, SOCK_TIMER>(&self.0);
        cancel_delayed_sync::<TipcNet, CLUSTER_TIMER>(&self.0);
    }
}
