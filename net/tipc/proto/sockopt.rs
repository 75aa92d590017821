// SPDX-License-Identifier: GPL-2.0

//! The `SOL_TIPC` socket options: what `setsockopt(2)` and `getsockopt(2)` accept, the
//! errors they give, and the per-socket option state with its defaults at `socket(2)`
//! (`tipc_setsockopt`, `tipc_getsockopt`, `tipc_sk_create`, `tsk_set_importance` and the
//! checks of `tipc_sk_join` and `tipc_sk_leave`).
//!
//! `SOL_SOCKET` never comes here: the socket layer handles it before calling the family.

use core::num::NonZeroU16;

use crate::proto::errno::Errno;
use crate::proto::name_table::addr::{Scope, TIPC_NODE_SCOPE, TIPC_RESERVED_TYPES};
use crate::proto::sock_kind::SockKind;

/// `SOL_TIPC`: the option level of TIPC's own options.
pub(crate) const SOL_TIPC: i32 = 271;
/// `IPPROTO_TCP`: accepted and ignored on stream sockets, for compatibility.
pub(crate) const IPPROTO_TCP: i32 = 6;

/// `TIPC_IMPORTANCE`: the importance of sent messages; `u32`, default low.
pub(crate) const TIPC_IMPORTANCE: i32 = 127;
/// `TIPC_SRC_DROPPABLE`: sent messages may be dropped under congestion; `u32` boolean.
pub(crate) const TIPC_SRC_DROPPABLE: i32 = 128;
/// `TIPC_DEST_DROPPABLE`: undeliverable messages are dropped, not returned; `u32` boolean.
pub(crate) const TIPC_DEST_DROPPABLE: i32 = 129;
/// `TIPC_CONN_TIMEOUT`: the connect timeout in milliseconds; `u32`, kept as 16 bits.
pub(crate) const TIPC_CONN_TIMEOUT: i32 = 130;
/// `TIPC_NODE_RECVQ_DEPTH`: obsolete, read-only, always 0.
pub(crate) const TIPC_NODE_RECVQ_DEPTH: i32 = 131;
/// `TIPC_SOCK_RECVQ_DEPTH`: read-only, the number of messages in the receive queue.
pub(crate) const TIPC_SOCK_RECVQ_DEPTH: i32 = 132;
/// `TIPC_MCAST_BROADCAST`: always multicast by broadcast; set-only, no value.
pub(crate) const TIPC_MCAST_BROADCAST: i32 = 133;
/// `TIPC_MCAST_REPLICAST`: always multicast by replicast; set-only, no value.
pub(crate) const TIPC_MCAST_REPLICAST: i32 = 134;
/// `TIPC_GROUP_JOIN`: set takes a `struct tipc_group_req`, get gives the group's type.
pub(crate) const TIPC_GROUP_JOIN: i32 = 135;
/// `TIPC_GROUP_LEAVE`: set-only, no value.
pub(crate) const TIPC_GROUP_LEAVE: i32 = 136;
/// `TIPC_SOCK_RECVQ_USED`: read-only, the bytes charged to the receive buffer.
pub(crate) const TIPC_SOCK_RECVQ_USED: i32 = 137;
/// `TIPC_NODELAY`: disable Nagle on stream sockets; set-only `u32` boolean.
pub(crate) const TIPC_NODELAY: i32 = 138;

/// `TIPC_GROUP_LOOPBACK`: a member receives a copy of what it sends to the group.
pub(crate) const TIPC_GROUP_LOOPBACK: u32 = 0x1;
/// `TIPC_GROUP_MEMBER_EVTS`: a member receives membership events in its socket.
pub(crate) const TIPC_GROUP_MEMBER_EVTS: u32 = 0x2;

/// `sizeof(u32)`: the length of every integer option value.
pub(crate) const OPT_U32_LEN: usize = 4;
/// `sizeof(struct tipc_group_req)`.
pub(crate) const GROUP_REQ_LEN: usize = 16;
/// The connect timeout a new socket has, in milliseconds (`CONN_TIMEOUT_DEFAULT`).
pub(crate) const CONN_TIMEOUT_DEFAULT_MS: u16 = 8000;

/// The value `setsockopt(2)` passes, as the glue sees it: its pointer may be NULL and is
/// read only after the length checks, so a bad pointer gives `EFAULT` only where C's does.
///
/// The core reads at most the option's size from the start of the value (4 bytes, or 16
/// for `TIPC_GROUP_JOIN`); bytes beyond are ignored, as in C. A glue that copies the value
/// in before calling must copy `min(len, GROUP_REQ_LEN)` bytes but report the user's full
/// length and NULL-ness, or options without a value would accept what C refuses.
pub(crate) trait OptSource {
    /// The length the user gave (`optlen`).
    fn len(&self) -> usize;
    /// Whether the user's pointer is NULL (`sockptr_is_null`).
    fn is_null(&self) -> bool;
    /// Copies the first `out.len()` bytes; only called with `out.len() <= self.len()`.
    /// `EFAULT` if the memory cannot be read.
    fn read_into(&self, out: &mut [u8]) -> Result<(), Errno>;
}

/// A value already in kernel memory: never NULL, as long as the slice.
impl OptSource for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn is_null(&self) -> bool {
        false
    }

    fn read_into(&self, out: &mut [u8]) -> Result<(), Errno> {
        let src = self.get(..out.len()).ok_or(Errno::EFAULT)?;
        out.copy_from_slice(src);
        Ok(())
    }
}

/// A message importance (`TIPC_LOW_IMPORTANCE` ..= `TIPC_CRITICAL_IMPORTANCE`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) enum Importance {
    /// `TIPC_LOW_IMPORTANCE` (0), the default.
    Low,
    /// `TIPC_MEDIUM_IMPORTANCE` (1).
    Medium,
    /// `TIPC_HIGH_IMPORTANCE` (2).
    High,
    /// `TIPC_CRITICAL_IMPORTANCE` (3).
    Critical,
}

impl Importance {
    /// The importance numbered `n`, if it is one.
    pub(crate) fn from_u32(n: u32) -> Option<Self> {
        match n {
            0 => Some(Self::Low),
            1 => Some(Self::Medium),
            2 => Some(Self::High),
            3 => Some(Self::Critical),
            _ => None,
        }
    }

    /// The uapi number, as messages and `getsockopt` carry it.
    pub(crate) fn as_u32(self) -> u32 {
        match self {
            Self::Low => 0,
            Self::Medium => 1,
            Self::High => 2,
            Self::Critical => 3,
        }
    }
}

/// The connect timeout in milliseconds. C keeps it in a `u16`, so a set value is truncated
/// to its low 16 bits, and 0 is possible (a blocking connect then times out at once).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ConnTimeout(u16);

impl ConnTimeout {
    /// The timeout as set, in milliseconds; what `getsockopt` reports and `connect` waits.
    pub(crate) fn ms(self) -> u16 {
        self.0
    }

    /// The bound of the random delay before retrying a connection setup the peer refused
    /// as overloaded: a quarter of the timeout, at least 1 ms. Never zero, so taking the
    /// delay modulo it cannot divide by zero (CVE-2026-43411: C divided by
    /// `conn_timeout / 4` for timeouts below 4).
    pub(crate) fn retry_window(self) -> NonZeroU16 {
        NonZeroU16::new(self.0 / 4).unwrap_or(NonZeroU16::MIN)
    }
}

/// How multicast is sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum McastMethod {
    /// TIPC chooses per message (the default; `mc_method.mandatory` false).
    Auto,
    /// Always broadcast (`TIPC_MCAST_BROADCAST`).
    Broadcast,
    /// Always replicast (`TIPC_MCAST_REPLICAST`, and after a group join).
    Replicast,
}

/// A validated `TIPC_GROUP_JOIN` request (`struct tipc_group_req`) for the group module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct GroupJoin {
    /// The group: the service type members bind. At least `TIPC_RESERVED_TYPES`.
    pub(crate) group_type: u32,
    /// This member's instance.
    pub(crate) instance: u32,
    /// The scope: node scope if the user asked `TIPC_NODE_SCOPE`, else cluster scope.
    pub(crate) scope: Scope,
    /// The flags as given; C ignores bits other than loopback and member events.
    pub(crate) flags: u32,
}

impl GroupJoin {
    /// `TIPC_GROUP_LOOPBACK`: receive copies of own group messages.
    pub(crate) fn loopback(&self) -> bool {
        self.flags & TIPC_GROUP_LOOPBACK != 0
    }

    /// `TIPC_GROUP_MEMBER_EVTS`: receive membership events.
    pub(crate) fn member_events(&self) -> bool {
        self.flags & TIPC_GROUP_MEMBER_EVTS != 0
    }
}

/// What the glue must do after a successful `set`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[must_use]
pub(crate) enum SetEffect {
    /// Nothing more: the option state is updated.
    Done,
    /// An `IPPROTO_TCP` option on a stream socket: accepted and ignored, nothing read.
    Ignored,
    /// `TIPC_NODELAY` changed: recompute the Nagle limit (`tsk_set_nagle`).
    NagleChanged,
    /// Create the group and publish the member; on success call [`SockOpts::joined`].
    /// The group module's failures (`ENOMEM`, publish errors) are the `setsockopt` result.
    Join(GroupJoin),
    /// Delete the group and withdraw this member's binding; cannot fail. The option state
    /// has already left the group.
    Leave(GroupJoin),
}

/// The live counts `getsockopt` reports, which the glue reads under the socket lock.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct LiveCounts {
    /// Messages in the receive queue (`skb_queue_len(&sk->sk_receive_queue)`).
    pub(crate) recvq_depth: u32,
    /// Bytes charged to the receive buffer (`sk_rmem_alloc_get`).
    pub(crate) recvq_used: u32,
}

/// The bytes `getsockopt` writes back, and so the length it reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct GetValue {
    /// The value's bytes; only the first `len` count.
    bytes: [u8; OPT_U32_LEN],
    /// How many bytes to write: 4, or 0 for an ignored `IPPROTO_TCP` option.
    len: usize,
}

impl GetValue {
    /// A native-endian `u32`, as every `SOL_TIPC` option gives.
    fn u32(v: u32) -> Self {
        Self {
            bytes: v.to_ne_bytes(),
            len: OPT_U32_LEN,
        }
    }

    /// No bytes, length 0.
    fn empty() -> Self {
        Self {
            bytes: [0; OPT_U32_LEN],
            len: 0,
        }
    }

    /// The bytes to copy to the user; their count is the `optlen` to write back.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// A socket's `SOL_TIPC` option state. The socket lock serialises `set` and `get`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct SockOpts {
    /// The socket's kind, which some options depend on.
    kind: SockKind,
    /// `TIPC_IMPORTANCE`.
    importance: Importance,
    /// `TIPC_SRC_DROPPABLE` ("unreliable").
    src_droppable: bool,
    /// `TIPC_DEST_DROPPABLE` ("unreturnable").
    dest_droppable: bool,
    /// `TIPC_CONN_TIMEOUT`.
    conn_timeout: ConnTimeout,
    /// `TIPC_MCAST_BROADCAST` / `TIPC_MCAST_REPLICAST`.
    mcast: McastMethod,
    /// `TIPC_NODELAY`.
    nodelay: bool,
    /// The group joined, if any.
    group: Option<GroupJoin>,
}

/// Reads a native-endian `u32` from the start of `src`; its length is already checked.
fn read_u32<S: OptSource + ?Sized>(src: &S) -> Result<u32, Errno> {
    let mut b = [0u8; OPT_U32_LEN];
    src.read_into(&mut b)?;
    Ok(u32::from_ne_bytes(b))
}

/// Reads a `struct tipc_group_req` from the start of `src`; its length is already checked.
fn read_group_req<S: OptSource + ?Sized>(src: &S) -> Result<[u32; 4], Errno> {
    let mut b = [0u8; GROUP_REQ_LEN];
    src.read_into(&mut b)?;
    let [a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3] = b;
    Ok([
        u32::from_ne_bytes([a0, a1, a2, a3]),
        u32::from_ne_bytes([b0, b1, b2, b3]),
        u32::from_ne_bytes([c0, c1, c2, c3]),
        u32::from_ne_bytes([d0, d1, d2, d3]),
    ])
}

/// The value a `setsockopt` of `name` reads.
enum SetArg {
    /// A `u32`.
    U32(u32),
    /// A `struct tipc_group_req` as four words: type, instance, scope, flags.
    GroupReq([u32; 4]),
    /// Nothing: the user passed NULL and 0.
    None,
}

impl SockOpts {
    /// The options of a new socket of `kind` (`tipc_sk_create`): low importance, an 8 s
    /// connect timeout, multicast method chosen by TIPC, Nagle on, no group; RDM and DGRAM
    /// are dest-droppable, and DGRAM is also source-droppable.
    pub(crate) fn new(kind: SockKind) -> Self {
        let connectionless = matches!(kind, SockKind::Rdm | SockKind::Dgram);
        Self {
            kind,
            importance: Importance::Low,
            src_droppable: kind == SockKind::Dgram,
            dest_droppable: connectionless,
            conn_timeout: ConnTimeout(CONN_TIMEOUT_DEFAULT_MS),
            mcast: McastMethod::Auto,
            nodelay: false,
            group: None,
        }
    }

    /// The importance of sent messages.
    pub(crate) fn importance(&self) -> Importance {
        self.importance
    }

    /// Sets the importance outside `setsockopt`: an accepted socket takes the SYN's.
    pub(crate) fn set_importance(&mut self, importance: Importance) {
        self.importance = importance;
    }

    /// Whether sent messages may be dropped under congestion.
    pub(crate) fn src_droppable(&self) -> bool {
        self.src_droppable
    }

    /// Whether undeliverable messages are dropped rather than returned.
    pub(crate) fn dest_droppable(&self) -> bool {
        self.dest_droppable
    }

    /// Sets dest-droppable outside `setsockopt`: a refused connection setup sets it.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the glue does not yet set dest-droppable on a refused setup"
        )
    )]
    pub(crate) fn set_dest_droppable(&mut self, on: bool) {
        self.dest_droppable = on;
    }

    /// The connect timeout.
    pub(crate) fn conn_timeout(&self) -> ConnTimeout {
        self.conn_timeout
    }

    /// Raises a connect timeout below 4 ms to 4 ms, as a setup retry after an overloaded
    /// peer does (`tipc_sk_filter_connect`).
    pub(crate) fn raise_conn_timeout_floor(&mut self) {
        self.conn_timeout = ConnTimeout(self.conn_timeout.0.max(4));
    }

    /// How multicast is sent.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "communication groups come with issue 8")
    )]
    pub(crate) fn mcast(&self) -> McastMethod {
        self.mcast
    }

    /// Whether Nagle is disabled.
    pub(crate) fn nodelay(&self) -> bool {
        self.nodelay
    }

    /// The group joined, if any.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "communication groups come with issue 8")
    )]
    pub(crate) fn group(&self) -> Option<GroupJoin> {
        self.group
    }

    /// Records a join the group module completed: as `tipc_sk_join`, the socket becomes
    /// dest-droppable and multicasts by replicast only.
    pub(crate) fn joined(&mut self, join: GroupJoin) {
        self.group = Some(join);
        self.dest_droppable = true;
        self.mcast = McastMethod::Replicast;
    }

    /// `setsockopt(level, name, value)`, in the C module's order: an `IPPROTO_TCP` option
    /// on a stream socket is ignored; any level but `SOL_TIPC` is `ENOPROTOOPT`; an option
    /// taking a value shorter than its size is `EINVAL`; any other option (no-value,
    /// read-only or unknown) is `EINVAL` unless the pointer is NULL and the length 0;
    /// then each option's own rules.
    pub(crate) fn set<S: OptSource + ?Sized>(
        &mut self,
        level: i32,
        name: i32,
        value: &S,
    ) -> Result<SetEffect, Errno> {
        if level == IPPROTO_TCP && self.kind == SockKind::Stream {
            return Ok(SetEffect::Ignored);
        }
        if level != SOL_TIPC {
            return Err(Errno::ENOPROTOOPT);
        }
        let arg = match name {
            TIPC_IMPORTANCE | TIPC_SRC_DROPPABLE | TIPC_DEST_DROPPABLE | TIPC_CONN_TIMEOUT
            | TIPC_NODELAY => {
                if value.len() < OPT_U32_LEN {
                    return Err(Errno::EINVAL);
                }
                SetArg::U32(read_u32(value)?)
            }
            TIPC_GROUP_JOIN => {
                if value.len() < GROUP_REQ_LEN {
                    return Err(Errno::EINVAL);
                }
                SetArg::GroupReq(read_group_req(value)?)
            }
            _ => {
                if !value.is_null() || value.len() != 0 {
                    return Err(Errno::EINVAL);
                }
                SetArg::None
            }
        };
        match (name, arg) {
            (TIPC_IMPORTANCE, SetArg::U32(v)) => self.set_importance_opt(v),
            (TIPC_SRC_DROPPABLE, SetArg::U32(v)) => {
                if self.kind == SockKind::Stream {
                    return Err(Errno::ENOPROTOOPT);
                }
                self.src_droppable = v != 0;
                Ok(SetEffect::Done)
            }
            (TIPC_DEST_DROPPABLE, SetArg::U32(v)) => {
                self.dest_droppable = v != 0;
                Ok(SetEffect::Done)
            }
            (TIPC_CONN_TIMEOUT, SetArg::U32(v)) => {
                let [lo, hi, _, _] = v.to_le_bytes();
                self.conn_timeout = ConnTimeout(u16::from_le_bytes([lo, hi]));
                Ok(SetEffect::Done)
            }
            (TIPC_NODELAY, SetArg::U32(v)) => {
                self.nodelay = v != 0;
                Ok(SetEffect::NagleChanged)
            }
            (TIPC_MCAST_BROADCAST, _) => {
                self.mcast = McastMethod::Broadcast;
                Ok(SetEffect::Done)
            }
            (TIPC_MCAST_REPLICAST, _) => {
                self.mcast = McastMethod::Replicast;
                Ok(SetEffect::Done)
            }
            (TIPC_GROUP_JOIN, SetArg::GroupReq(req)) => self.check_join(req),
            (TIPC_GROUP_LEAVE, _) => self.group.take().map(SetEffect::Leave).ok_or(Errno::EINVAL),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `TIPC_IMPORTANCE` (`tsk_set_importance`). C takes the `u32` as an `int`: 4 up to
    /// `i32::MAX` is `EINVAL`; a value that is negative as an `int` passes the check and
    /// is then refused by `msg_set_importance` with only a warning, so it succeeds and
    /// changes nothing.
    fn set_importance_opt(&mut self, v: u32) -> Result<SetEffect, Errno> {
        if let Some(imp) = Importance::from_u32(v) {
            self.importance = imp;
            return Ok(SetEffect::Done);
        }
        if i32::try_from(v).is_ok() {
            return Err(Errno::EINVAL);
        }
        Ok(SetEffect::Done)
    }

    /// The checks of `tipc_sk_join`, in its order: a reserved type is `EACCES`, a scope
    /// above `TIPC_NODE_SCOPE` is `EINVAL`, already being in a group is `EACCES`.
    fn check_join(&self, req: [u32; 4]) -> Result<SetEffect, Errno> {
        let [group_type, instance, scope, flags] = req;
        if group_type < TIPC_RESERVED_TYPES {
            return Err(Errno::EACCES);
        }
        let node_scope = u32::from(TIPC_NODE_SCOPE.unsigned_abs());
        if scope > node_scope {
            return Err(Errno::EINVAL);
        }
        if self.group.is_some() {
            return Err(Errno::EACCES);
        }
        let scope = if scope == node_scope {
            Scope::Node
        } else {
            Scope::Cluster
        };
        Ok(SetEffect::Join(GroupJoin {
            group_type,
            instance,
            scope,
            flags,
        }))
    }

    /// `getsockopt(level, name)` into a buffer of `capacity` bytes, in the C module's
    /// order: an `IPPROTO_TCP` option on a stream socket gives 0 bytes; any level but
    /// `SOL_TIPC` is `ENOPROTOOPT`; an option that cannot be read (set-only or unknown) is
    /// `EINVAL`; a buffer shorter than 4 bytes is `EINVAL`. Every value is a native-endian
    /// `u32`, and exactly 4 bytes are written however large the buffer. A negative user
    /// length is the glue's `EINVAL`, before calling.
    pub(crate) fn get(
        &self,
        level: i32,
        name: i32,
        capacity: usize,
        live: &LiveCounts,
    ) -> Result<GetValue, Errno> {
        if level == IPPROTO_TCP && self.kind == SockKind::Stream {
            return Ok(GetValue::empty());
        }
        if level != SOL_TIPC {
            return Err(Errno::ENOPROTOOPT);
        }
        let value = match name {
            TIPC_IMPORTANCE => self.importance.as_u32(),
            TIPC_SRC_DROPPABLE => u32::from(self.src_droppable),
            TIPC_DEST_DROPPABLE => u32::from(self.dest_droppable),
            TIPC_CONN_TIMEOUT => u32::from(self.conn_timeout.ms()),
            TIPC_NODE_RECVQ_DEPTH => 0,
            TIPC_SOCK_RECVQ_DEPTH => live.recvq_depth,
            TIPC_SOCK_RECVQ_USED => live.recvq_used,
            TIPC_GROUP_JOIN => self.group.map_or(0, |g| g.group_type),
            _ => return Err(Errno::EINVAL),
        };
        if capacity < OPT_U32_LEN {
            return Err(Errno::EINVAL);
        }
        Ok(GetValue::u32(value))
    }
}

#[cfg(test)]
mod tests;
