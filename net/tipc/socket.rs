// SPDX-License-Identifier: GPL-2.0

//! Glue between the kernel's socket layer and the core's socket rules.

use crate::{
    cluster, conn_close, conn_io, conn_setup, group,
    netns::NetSlot,
    node::Xmit,
    proto::{
        cong_links::CongLinks,
        conn::{close::Reason, machine::Conn, state::State},
        errno::Errno,
        group::state::Group,
        ioctl::{Request, LN_REQ_LEN},
        msg::{
            dest::Destination,
            error::MsgError,
            peer::{connect_peer, PeerOp},
        },
        name_table::{
            addr::SocketAddr,
            bind::{bind_op, BindOp, SockaddrTipc, TIPC_SOCKET_ADDR},
            sock_bindings::SockBindings,
            update::Update,
        },
        poll::{open_events, OpenSocket},
        sock_kind::SockKind,
        sockopt::{
            LiveCounts, OptSource, SetEffect, SockOpts, GROUP_REQ_LEN, OPT_U32_LEN, SOL_TIPC,
            TIPC_GROUP_JOIN,
        },
        wire::consts::ErrorCode,
        AF_TIPC,
    },
    recv, send, socket_pair, sysctl, topsrv,
};
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use kernel::{
    net::{
        msghdr::{RecvMsg, SendMsg},
        skb::OwnedSkBuff,
        sock::Sk,
        socket::{
            Family, Name, NewConn, NewSocket, Slot, SockAddrBuf, SockOptIn, SockOptOut, Socket,
        },
    },
    new_spinlock_bh,
    prelude::*,
    sync::SpinLockBh,
    uaccess::{UserPtr, UserSlice},
};

/// The `AF_TIPC` protocol family.
pub(crate) struct TipcFamily;

/// The state of one TIPC socket.
///
/// # Locking
///
/// `inner` is taken in process context only, never while user memory is accessed; when the
/// name table's lock is needed too, `inner` is taken first. Operations that wait, or that
/// must not interleave with another call on the same socket (`bind`, `connect`, `recvmsg`),
/// hold the socket's owner lock (`lock_sock`) around it.
#[pin_data]
pub(crate) struct TipcSock {
    /// What the socket is.
    pub(crate) kind: SockKind,
    /// The socket's port, fixed once `created` entered it into the namespace's table.
    port: AtomicU32,
    /// How much of the first queued message was read in pieces (`MSG_EOR`, or a stream).
    /// Read and changed only under the socket's owner lock, by the calls that take messages
    /// off the queue: an atomic for sharing, not for ordering, so it costs no lock.
    rx_offset: AtomicUsize,
    /// Everything the socket's calls change.
    #[pin]
    pub(crate) inner: SpinLockBh<Inner>,
}

/// The mutable state of a socket.
pub(crate) struct Inner {
    /// The `SOL_TIPC` options.
    pub(crate) opts: SockOpts,
    /// The service ranges the socket bound.
    pub(crate) bindings: SockBindings,
    /// The default destination that `connect(2)` set on a connectionless socket.
    pub(crate) peer: Option<Destination>,
    /// The peer of a connectionless socket made by `socketpair(2)`, which `getpeername(2)`
    /// names.
    pub(crate) paired: Option<SocketAddr>,
    /// The connection state of a `SOCK_SEQPACKET` or `SOCK_STREAM` socket, from `created`.
    pub(crate) conn: Option<Conn>,
    /// The last SYN sent, kept while the connection says so, for a retry.
    pub(crate) syn_copy: Option<KVec<u8>>,
    /// The nodes whose links answered a send with `ELINKCONG`, until they wake the socket.
    pub(crate) cong: CongLinks,
    /// The communication group the socket joined, if any.
    pub(crate) group: Option<Group<OwnedSkBuff>>,
    /// Whether group senders need not wait, as the last group left it (C's
    /// `group_is_open`: true until a join, kept after a leave); while in a group, the
    /// group's own answer counts.
    pub(crate) group_open: bool,
}

impl Inner {
    /// Whether the socket's group lets senders go on (poll's `EPOLLOUT`).
    pub(crate) fn group_is_open(&self) -> bool {
        self.group.as_ref().map_or(self.group_open, |g| g.is_open())
    }
}

/// Whether the socket is an established connection, or one of a `socketpair(2)` of any type:
/// such a socket cannot bind a name, nor join a group (`EINVAL`, C's `tipc_sk_publish`).
pub(crate) fn is_established(sk: &Sk<TipcFamily>) -> bool {
    sk.sk_state() == State::Established.sk_state()
}

impl TipcSock {
    /// The state of a new socket of `kind`, before it has a port.
    pub(crate) fn new(kind: SockKind) -> impl PinInit<Self, Error> {
        let opts = SockOpts::new(kind);
        try_pin_init!(TipcSock {
            kind,
            port: AtomicU32::new(0),
            rx_offset: AtomicUsize::new(0),
            inner <- new_spinlock_bh!(
                Inner {
                    opts,
                    bindings: SockBindings::new(),
                    peer: None,
                    paired: None,
                    conn: None,
                    syn_copy: None,
                    cong: CongLinks::default(),
                    group: None,
                    group_open: true,
                },
                "tipc_sock"
            ),
        })
    }

    /// The socket's port.
    pub(crate) fn port(&self) -> u32 {
        self.port.load(Ordering::Relaxed)
    }

    /// How much of the first queued message was read; the caller holds the owner lock.
    pub(crate) fn rx_offset(&self) -> usize {
        self.rx_offset.load(Ordering::Relaxed)
    }

    /// Sets how much of the first queued message was read; the caller holds the owner lock.
    pub(crate) fn set_rx_offset(&self, offset: usize) {
        self.rx_offset.store(offset, Ordering::Relaxed);
    }
}

static SLOT: Slot<TipcFamily> = Slot::new();

#[vtable]
impl Family for TipcFamily {
    type Sock = TipcSock;
    type NetState = NetSlot;
    const FAMILY: u16 = AF_TIPC;
    const NAME: &'static CStr = c"TIPC";

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    fn create(new: &NewSocket) -> Result<impl PinInit<TipcSock, Error>> {
        let kind = SockKind::for_socket(new.sock_type().as_raw(), new.protocol()).map_err(error)?;
        Ok(TipcSock::new(kind))
    }

    fn created(sock: &Socket<'_, Self>) -> Result {
        let sk = sock.sk();
        sk.set_rcvbuf(sysctl::default_rcvbuf());
        let port = sk.net_state().insert_port(sk)?;
        sock.state().port.store(port, Ordering::Relaxed);
        conn_setup::start(sock.state());
        Ok(())
    }

    fn release(sock: &Socket<'_, Self>) {
        let sk = sock.sk();
        let state = sock.state();
        let net = sk.net_state();
        let mut updates = KVec::new();
        let (events, left) = {
            let mut guard = sk.lock();
            if state.kind.is_connection() {
                // The peer is told; whether the connection was up does not matter here.
                let _ = conn_close::end(&mut guard, Reason::Release);
            }
            let mut inner = state.inner.lock();
            let left = group::leave(&mut inner, net, state.port(), &mut updates);
            let events = topsrv::with_names(net, |table, topsrv, distr, ctx| {
                inner.bindings.unbind_all(table, state.port(), |w| {
                    topsrv.withdrawn(w, ctx);
                    note(&mut updates, Update::withdrawn(distr, w));
                });
                topsrv.has_output()
            });
            (events, left)
        };
        // The members hear of the leave before the withdrawal, as from C.
        left.finish(&mut Xmit::new(net, GFP_KERNEL), sk);
        if events {
            topsrv::flush(net, GFP_KERNEL);
        }
        cluster::distribute(net, &updates);
        // Dropped here, with no lock held: the socket still holds its own reference.
        drop(net.remove_port(state.port()));
        if !state.kind.is_connection() {
            recv::reject_queued(sock, ErrorCode::NoPort);
        }
    }

    fn bind(sock: &Socket<'_, Self>, addr: &[u8]) -> Result {
        let in_group = sock.state().inner.lock().group.is_some();
        let op = bind_op(addr, in_group).map_err(error)?;
        let sk = sock.sk();
        let state = sock.state();
        let port = state.port();
        let net = sk.net_state();
        let _guard = sk.lock();
        let connected = is_established(sk);
        let mut updates = KVec::new();
        let (result, events) = {
            let mut inner = state.inner.lock();
            topsrv::with_names(net, |table, topsrv, distr, ctx| {
                let result = match op {
                    BindOp::UnbindAll => {
                        inner.bindings.unbind_all(table, port, |w| {
                            topsrv.withdrawn(w, ctx);
                            note(&mut updates, Update::withdrawn(distr, w));
                        });
                        Ok(())
                    }
                    BindOp::Bind(b) => inner
                        .bindings
                        .bind(table, port, &b, connected, GFP_ATOMIC)
                        .map(|p| {
                            topsrv.published(&b.range, &p, ctx);
                            note(
                                &mut updates,
                                Update::published(distr, &b.range, &p.publication),
                            );
                        }),
                    BindOp::Unbind(b) => inner.bindings.unbind(table, port, &b).map(|w| {
                        w.iter().for_each(|w| {
                            topsrv.withdrawn(w, ctx);
                            note(&mut updates, Update::withdrawn(distr, w));
                        })
                    }),
                };
                (result, topsrv.has_output())
            })
        };
        // Only a change that earned events (or closed a subscriber) leaves output to send.
        if events {
            topsrv::flush(net, GFP_KERNEL);
        }
        // The peers up learn of a cluster-scope change.
        cluster::distribute(net, &updates);
        result.map_err(error)
    }

    fn connect(sock: &Socket<'_, Self>, addr: &[u8], flags: i32) -> Result {
        let state = sock.state();
        if state.kind.is_connection() {
            return conn_setup::connect(sock, addr, flags);
        }
        let op = connect_peer(addr, false).map_err(msg_error)?;
        let _guard = sock.sk().lock();
        let mut inner = state.inner.lock();
        if inner.group.is_some() {
            return Err(error(Errno::EINVAL));
        }
        inner.peer = match op {
            PeerOp::Clear => None,
            PeerOp::Set(dest) => Some(dest),
        };
        Ok(())
    }

    fn socketpair(a: &Socket<'_, Self>, b: &Socket<'_, Self>) -> Result {
        socket_pair::connect(a, b)
    }

    fn listen(sock: &Socket<'_, Self>, _backlog: i32) -> Result {
        if !sock.state().kind.is_connection() {
            return Err(error(Errno::EOPNOTSUPP));
        }
        conn_setup::listen(sock)
    }

    fn accept(listener: &Socket<'_, Self>, new: NewConn<'_, Self>, flags: i32) -> Result {
        if !listener.state().kind.is_connection() {
            return Err(error(Errno::EOPNOTSUPP));
        }
        conn_setup::accept(listener, new, flags)
    }

    fn shutdown(sock: &Socket<'_, Self>, how: i32) -> Result {
        if sock.state().kind.is_connection() {
            conn_close::shutdown(sock, how)
        } else {
            recv::shutdown(sock, how)
        }
    }

    fn getname(sock: &Socket<'_, Self>, which: Name, addr: &mut SockAddrBuf) -> Result<usize> {
        let state = sock.state();
        let at = if which != Name::Own {
            let inner = state.inner.lock();
            match (&inner.conn, inner.paired) {
                (Some(conn), _) => conn.peer_name(which == Name::PeerOrFormer).map_err(error)?,
                (None, Some(peer)) => peer,
                (None, None) => return Err(error(Errno::ENOTCONN)),
            }
        } else {
            SocketAddr {
                port: state.port(),
                node: sock.sk().net_state().own_node(),
            }
        };
        let name = SockaddrTipc {
            family: AF_TIPC,
            addrtype: TIPC_SOCKET_ADDR,
            scope: 0,
            words: [at.port, at.node, 0],
        }
        .to_bytes();
        let out = addr.get_mut(..name.len()).ok_or(EINVAL)?;
        out.copy_from_slice(&name);
        Ok(name.len())
    }

    fn poll(sock: &Socket<'_, Self>) -> u32 {
        let sk = sock.sk();
        let readable = !sk.receive_queue_is_empty();
        let congested = {
            let inner = sock.state().inner.lock();
            let held = !inner.cong.is_empty() || !inner.group_is_open();
            if let Some(conn) = inner.conn.as_ref() {
                return conn.events(readable, held);
            }
            held
        };
        open_events(OpenSocket {
            kind: sock.state().kind,
            readable,
            shut: sk.shutdown_mask() != 0,
            congested,
        })
    }

    fn sendmsg(sock: &Socket<'_, Self>, msg: &mut SendMsg<'_>, len: usize) -> Result<usize> {
        if sock.state().kind.is_connection() {
            return conn_io::sendmsg(sock, msg, len);
        }
        send::sendmsg(sock, msg, len)
    }

    fn recvmsg(
        sock: &Socket<'_, Self>,
        msg: &mut RecvMsg<'_>,
        len: usize,
        flags: u32,
    ) -> Result<usize> {
        if sock.state().kind.is_connection() {
            return conn_io::recvmsg(sock, msg, len, flags);
        }
        recv::recvmsg(sock, msg, len, flags)
    }

    fn ioctl(sock: &Socket<'_, Self>, cmd: u32, arg: UserPtr) -> Result<i32> {
        let request = Request::from_cmd(cmd).ok_or(ENOIOCTLCMD)?;
        let mut req = [0u8; LN_REQ_LEN];
        let req = req.get_mut(..request.len()).ok_or(EINVAL)?;
        UserSlice::new(arg, req.len()).reader().read_slice(req)?;
        let answered = request.answer(req, &sock.sk().net_state().cluster.lock().core);
        answered.map_err(error)?;
        UserSlice::new(arg, req.len()).writer().write_slice(req)?;
        Ok(0)
    }

    fn setsockopt(sock: &Socket<'_, Self>, level: i32, name: i32, val: &SockOptIn) -> Result {
        // Copy what the core may read before taking the lock: reading user memory can sleep.
        let value = Prefetched::read(val, name);
        let _owner = sock.sk().lock();
        let mut inner = sock.state().inner.lock();
        let effect = inner.opts.set(level, name, &value).map_err(error)?;
        match effect {
            SetEffect::Done | SetEffect::Ignored => Ok(()),
            SetEffect::NagleChanged => {
                let nodelay = inner.opts.nodelay();
                if let Some(conn) = inner.conn.as_mut() {
                    conn.set_nodelay(nodelay);
                }
                Ok(())
            }
            SetEffect::Join(join) => group::join(sock, inner, join),
            SetEffect::Leave(_) => {
                group::leave_now(sock, inner);
                Ok(())
            }
        }
    }

    fn getsockopt(sock: &Socket<'_, Self>, level: i32, name: i32, out: &SockOptOut) -> Result {
        // The C module reads the caller's length only for its own level.
        let capacity = if level == SOL_TIPC {
            out.capacity()?
        } else {
            0
        };
        let live = LiveCounts {
            recvq_depth: sock.receive_queue_len(),
            recvq_used: sock.receive_memory(),
        };
        let value = sock
            .state()
            .inner
            .lock()
            .opts
            .get(level, name, capacity, &live)
            .map_err(error)?;
        out.write(value.as_bytes())
    }
}

/// An option value copied in from the caller before the core looks at it: as many bytes as
/// the core may read for that option, with the caller's length and NULL-ness, and a fault
/// kept until the core actually reads (so the errors come in the C module's order).
struct Prefetched {
    bytes: [u8; GROUP_REQ_LEN],
    copied: usize,
    len: usize,
    null: bool,
    fault: bool,
}

impl Prefetched {
    fn read(val: &SockOptIn, name: i32) -> Self {
        let want = if name == TIPC_GROUP_JOIN {
            GROUP_REQ_LEN
        } else {
            OPT_U32_LEN
        };
        let copied = want.min(val.len());
        let mut bytes = [0; GROUP_REQ_LEN];
        let null = val.is_null();
        let fault = null
            || bytes
                .get_mut(..copied)
                .is_none_or(|buf| val.read_into(buf).is_err());
        Self {
            bytes,
            copied,
            len: val.len(),
            null,
            fault,
        }
    }
}

impl OptSource for Prefetched {
    fn len(&self) -> usize {
        self.len
    }

    fn is_null(&self) -> bool {
        self.null
    }

    fn read_into(&self, out: &mut [u8]) -> Result<(), Errno> {
        if self.fault || out.len() > self.copied {
            return Err(Errno::EFAULT);
        }
        let src = self.bytes.get(..out.len()).ok_or(Errno::EFAULT)?;
        out.copy_from_slice(src);
        Ok(())
    }
}

/// The kernel error for a core errno.
pub(crate) fn error(e: Errno) -> Error {
    Error::from_errno(-e.get())
}

/// The kernel error for a messaging error of the core.
pub(crate) fn msg_error(e: MsgError) -> Error {
    Error::from_errno(-e.errno())
}

/// Keeps a binding change for the peers; without memory they miss it, as C's peers miss a
/// publication it could not allocate.
pub(crate) fn note(updates: &mut KVec<Update>, u: Option<Update>) {
    if let Some(u) = u {
        let _ = updates.push(u, GFP_ATOMIC);
    }
}
