// SPDX-License-Identifier: GPL-2.0

//! Tests of the `SOL_TIPC` option rules against the C module's behaviour.

use super::*;

/// Every socket kind.
const KINDS: [SockKind; 4] = [
    SockKind::Rdm,
    SockKind::Dgram,
    SockKind::SeqPacket,
    SockKind::Stream,
];

/// Every option that takes a `u32` on set.
const U32_SET: [i32; 5] = [
    TIPC_IMPORTANCE,
    TIPC_SRC_DROPPABLE,
    TIPC_DEST_DROPPABLE,
    TIPC_CONN_TIMEOUT,
    TIPC_NODELAY,
];

/// A user value with an explicit NULL-ness and length, whose reads may fault.
struct User<'a> {
    /// The pointer is NULL.
    null: bool,
    /// `optlen`.
    len: usize,
    /// The readable bytes; a read past them faults.
    bytes: &'a [u8],
}

impl OptSource for User<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn is_null(&self) -> bool {
        self.null
    }

    fn read_into(&self, out: &mut [u8]) -> Result<(), Errno> {
        if self.null {
            return Err(Errno::EFAULT);
        }
        self.bytes.read_into(out)
    }
}

/// NULL and 0: what the no-value options want.
const NONE: User<'static> = User {
    null: true,
    len: 0,
    bytes: &[],
};

/// Sets a `u32` option.
fn set_u32(o: &mut SockOpts, name: i32, v: u32) -> Result<SetEffect, Errno> {
    o.set(SOL_TIPC, name, &v.to_ne_bytes()[..])
}

/// Gets a `u32` option with a 4-byte buffer and no live counts.
fn get_u32(o: &SockOpts, name: i32) -> Result<u32, Errno> {
    let v = o.get(SOL_TIPC, name, 4, &LiveCounts::default())?;
    let b: [u8; 4] = v.as_bytes().try_into().map_err(|_| Errno::EFAULT)?;
    Ok(u32::from_ne_bytes(b))
}

/// A `struct tipc_group_req` as user space lays it out.
fn group_req(ty: u32, inst: u32, scope: u32, flags: u32) -> [u8; 16] {
    let mut out = [0u8; 16];
    let words = [ty, inst, scope, flags].map(u32::to_ne_bytes);
    for (slot, b) in out.iter_mut().zip(words.into_iter().flatten()) {
        *slot = b;
    }
    out
}

#[test]
fn defaults_per_kind() {
    for kind in KINDS {
        let o = SockOpts::new(kind);
        assert_eq!(get_u32(&o, TIPC_IMPORTANCE), Ok(0));
        assert_eq!(get_u32(&o, TIPC_CONN_TIMEOUT), Ok(8000));
        assert_eq!(get_u32(&o, TIPC_GROUP_JOIN), Ok(0));
        assert_eq!(o.mcast(), McastMethod::Auto);
        assert!(!o.nodelay());
        assert_eq!(o.group(), None);
        let (src, dest) = match kind {
            SockKind::Dgram => (1, 1),
            SockKind::Rdm => (0, 1),
            SockKind::SeqPacket | SockKind::Stream => (0, 0),
        };
        assert_eq!(get_u32(&o, TIPC_SRC_DROPPABLE), Ok(src), "{kind:?}");
        assert_eq!(get_u32(&o, TIPC_DEST_DROPPABLE), Ok(dest), "{kind:?}");
    }
}

#[test]
fn importance_round_trip_and_range() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        for v in 0..=3 {
            assert_eq!(set_u32(&mut o, TIPC_IMPORTANCE, v), Ok(SetEffect::Done));
            assert_eq!(get_u32(&o, TIPC_IMPORTANCE), Ok(v));
        }
        for v in [4, 5, 100, 0x7fff_ffff] {
            assert_eq!(set_u32(&mut o, TIPC_IMPORTANCE, v), Err(Errno::EINVAL));
            assert_eq!(o.importance(), Importance::Critical);
        }
    }
}

#[test]
fn importance_negative_as_int_succeeds_without_change() {
    let mut o = SockOpts::new(SockKind::Rdm);
    assert_eq!(set_u32(&mut o, TIPC_IMPORTANCE, 2), Ok(SetEffect::Done));
    for v in [0x8000_0000, 0xffff_fffc, u32::MAX] {
        assert_eq!(set_u32(&mut o, TIPC_IMPORTANCE, v), Ok(SetEffect::Done));
        assert_eq!(get_u32(&o, TIPC_IMPORTANCE), Ok(2));
    }
}

#[test]
fn droppable_booleans_normalise_any_nonzero() {
    for kind in [SockKind::Rdm, SockKind::Dgram, SockKind::SeqPacket] {
        let mut o = SockOpts::new(kind);
        for name in [TIPC_SRC_DROPPABLE, TIPC_DEST_DROPPABLE] {
            for (v, want) in [(0, 0), (1, 1), (2, 1), (0x100, 1), (u32::MAX, 1), (0, 0)] {
                assert_eq!(set_u32(&mut o, name, v), Ok(SetEffect::Done));
                assert_eq!(get_u32(&o, name), Ok(want), "{kind:?} {name} {v}");
            }
        }
    }
}

#[test]
fn src_droppable_on_stream_is_enoprotoopt_after_the_length_check() {
    let mut o = SockOpts::new(SockKind::Stream);
    assert_eq!(
        set_u32(&mut o, TIPC_SRC_DROPPABLE, 1),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(
        o.set(SOL_TIPC, TIPC_SRC_DROPPABLE, &[1u8, 0][..]),
        Err(Errno::EINVAL)
    );
    assert_eq!(get_u32(&o, TIPC_SRC_DROPPABLE), Ok(0));
    // Dest-droppable is settable on streams.
    assert_eq!(set_u32(&mut o, TIPC_DEST_DROPPABLE, 1), Ok(SetEffect::Done));
    assert_eq!(get_u32(&o, TIPC_DEST_DROPPABLE), Ok(1));
}

#[test]
fn conn_timeout_round_trip_truncates_to_16_bits() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        for (v, want) in [
            (0, 0),
            (1, 1),
            (3, 3),
            (4, 4),
            (65_535, 65_535),
            (65_536, 0),
            (70_000, 70_000 - 65_536),
            (u32::MAX, 65_535),
        ] {
            assert_eq!(set_u32(&mut o, TIPC_CONN_TIMEOUT, v), Ok(SetEffect::Done));
            assert_eq!(get_u32(&o, TIPC_CONN_TIMEOUT), Ok(want), "{v}");
        }
    }
}

#[test]
fn conn_timeout_retry_window_is_never_zero() {
    let mut o = SockOpts::new(SockKind::SeqPacket);
    for v in [0u32, 1, 2, 3, 65_536, 65_539] {
        assert_eq!(set_u32(&mut o, TIPC_CONN_TIMEOUT, v), Ok(SetEffect::Done));
        assert_eq!(o.conn_timeout().retry_window().get(), 1, "{v}");
        // The stored value is not clamped: get still reports what was set.
        assert!(o.conn_timeout().ms() < 4);
    }
    for (v, want) in [(4u32, 1u16), (7, 1), (8, 2), (8000, 2000), (65_535, 16_383)] {
        assert_eq!(set_u32(&mut o, TIPC_CONN_TIMEOUT, v), Ok(SetEffect::Done));
        assert_eq!(o.conn_timeout().retry_window().get(), want, "{v}");
    }
    // Every 16-bit timeout gives a usable modulus.
    for ms in 0..=u16::MAX {
        let w = ConnTimeout(ms).retry_window();
        assert_eq!(12_345u16 % w, 12_345u16 % w.get());
    }
}

#[test]
fn nodelay_is_set_only() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        assert_eq!(
            set_u32(&mut o, TIPC_NODELAY, 5),
            Ok(SetEffect::NagleChanged)
        );
        assert!(o.nodelay());
        assert_eq!(
            set_u32(&mut o, TIPC_NODELAY, 0),
            Ok(SetEffect::NagleChanged)
        );
        assert!(!o.nodelay());
        assert_eq!(
            o.get(SOL_TIPC, TIPC_NODELAY, 4, &LiveCounts::default()),
            Err(Errno::EINVAL)
        );
    }
}

#[test]
fn mcast_methods_need_null_and_zero() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        assert_eq!(
            o.set(SOL_TIPC, TIPC_MCAST_BROADCAST, &NONE),
            Ok(SetEffect::Done)
        );
        assert_eq!(o.mcast(), McastMethod::Broadcast);
        assert_eq!(
            o.set(SOL_TIPC, TIPC_MCAST_REPLICAST, &NONE),
            Ok(SetEffect::Done)
        );
        assert_eq!(o.mcast(), McastMethod::Replicast);
        for name in [TIPC_MCAST_BROADCAST, TIPC_MCAST_REPLICAST] {
            // A non-NULL pointer, even with length 0, is EINVAL; so is any length.
            assert_eq!(o.set(SOL_TIPC, name, &[][..]), Err(Errno::EINVAL));
            assert_eq!(o.set(SOL_TIPC, name, &[0u8; 4][..]), Err(Errno::EINVAL));
            let null_len = User {
                null: true,
                len: 4,
                bytes: &[],
            };
            assert_eq!(o.set(SOL_TIPC, name, &null_len), Err(Errno::EINVAL));
            assert_eq!(
                o.get(SOL_TIPC, name, 4, &LiveCounts::default()),
                Err(Errno::EINVAL)
            );
        }
    }
}

#[test]
fn read_only_options_are_einval_on_set_and_report_live_counts() {
    let live = LiveCounts {
        recvq_depth: 7,
        recvq_used: 123_456,
    };
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        for name in [
            TIPC_NODE_RECVQ_DEPTH,
            TIPC_SOCK_RECVQ_DEPTH,
            TIPC_SOCK_RECVQ_USED,
        ] {
            assert_eq!(o.set(SOL_TIPC, name, &NONE), Err(Errno::EINVAL));
            assert_eq!(o.set(SOL_TIPC, name, &[0u8; 4][..]), Err(Errno::EINVAL));
        }
        let get = |name| {
            o.get(SOL_TIPC, name, 4, &live)
                .map(|v| v.as_bytes().to_vec())
        };
        assert_eq!(get(TIPC_NODE_RECVQ_DEPTH), Ok(0u32.to_ne_bytes().to_vec()));
        assert_eq!(get(TIPC_SOCK_RECVQ_DEPTH), Ok(7u32.to_ne_bytes().to_vec()));
        assert_eq!(
            get(TIPC_SOCK_RECVQ_USED),
            Ok(123_456u32.to_ne_bytes().to_vec())
        );
    }
}

#[test]
fn value_options_need_four_bytes_and_ignore_the_rest() {
    for kind in [SockKind::Rdm, SockKind::Dgram, SockKind::SeqPacket] {
        let mut o = SockOpts::new(kind);
        for name in U32_SET {
            for len in 0..4 {
                let b = [1u8; 4];
                let short = b.get(..len).unwrap_or(&[]);
                assert_eq!(o.set(SOL_TIPC, name, short), Err(Errno::EINVAL), "{name}");
            }
            // NULL with length 0 is still too short.
            assert_eq!(o.set(SOL_TIPC, name, &NONE), Err(Errno::EINVAL));
            // NULL with a full length faults on the read.
            let null4 = User {
                null: true,
                len: 4,
                bytes: &[],
            };
            assert_eq!(o.set(SOL_TIPC, name, &null4), Err(Errno::EFAULT));
        }
        let mut long = [0u8; 12];
        long[..4].copy_from_slice(&2u32.to_ne_bytes());
        long[4..].fill(0xff);
        assert_eq!(
            o.set(SOL_TIPC, TIPC_IMPORTANCE, &long[..]),
            Ok(SetEffect::Done)
        );
        assert_eq!(get_u32(&o, TIPC_IMPORTANCE), Ok(2));
    }
}

#[test]
fn levels_other_than_sol_tipc() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        for level in [0, 1, 41, 270, 272, -1] {
            assert_eq!(
                o.set(level, TIPC_IMPORTANCE, &[0u8; 4][..]),
                Err(Errno::ENOPROTOOPT)
            );
            assert_eq!(
                o.get(level, TIPC_IMPORTANCE, 4, &LiveCounts::default()),
                Err(Errno::ENOPROTOOPT)
            );
        }
        let tcp_set = o.set(IPPROTO_TCP, 1, &[0u8; 1][..]);
        let tcp_get = o.get(IPPROTO_TCP, 1, 0, &LiveCounts::default());
        if kind == SockKind::Stream {
            assert_eq!(tcp_set, Ok(SetEffect::Ignored));
            assert_eq!(tcp_get.map(|v| v.as_bytes().len()), Ok(0));
        } else {
            assert_eq!(tcp_set, Err(Errno::ENOPROTOOPT));
            assert_eq!(tcp_get, Err(Errno::ENOPROTOOPT));
        }
    }
}

#[test]
fn unknown_options() {
    let mut o = SockOpts::new(SockKind::Rdm);
    for name in [0, 126, 139, 1000, -1] {
        assert_eq!(o.set(SOL_TIPC, name, &NONE), Err(Errno::EINVAL));
        assert_eq!(o.set(SOL_TIPC, name, &[0u8; 4][..]), Err(Errno::EINVAL));
        assert_eq!(
            o.get(SOL_TIPC, name, 4, &LiveCounts::default()),
            Err(Errno::EINVAL)
        );
    }
}

#[test]
fn get_needs_four_bytes_and_writes_exactly_four() {
    let o = SockOpts::new(SockKind::Rdm);
    for name in [
        TIPC_IMPORTANCE,
        TIPC_SRC_DROPPABLE,
        TIPC_DEST_DROPPABLE,
        TIPC_CONN_TIMEOUT,
        TIPC_NODE_RECVQ_DEPTH,
        TIPC_SOCK_RECVQ_DEPTH,
        TIPC_SOCK_RECVQ_USED,
        TIPC_GROUP_JOIN,
    ] {
        for cap in 0..4 {
            assert_eq!(
                o.get(SOL_TIPC, name, cap, &LiveCounts::default()),
                Err(Errno::EINVAL)
            );
        }
        for cap in [4, 5, 100, usize::MAX] {
            let v = o.get(SOL_TIPC, name, cap, &LiveCounts::default());
            assert_eq!(v.map(|v| v.as_bytes().len()), Ok(4));
        }
    }
}

#[test]
fn group_join_validation_order() {
    let mut o = SockOpts::new(SockKind::Rdm);
    // Too short.
    let req = group_req(100, 1, 2, 0);
    assert_eq!(
        o.set(SOL_TIPC, TIPC_GROUP_JOIN, &req[..15]),
        Err(Errno::EINVAL)
    );
    assert_eq!(o.set(SOL_TIPC, TIPC_GROUP_JOIN, &NONE), Err(Errno::EINVAL));
    // Reserved type before bad scope.
    let req = group_req(63, 1, 9, 0);
    assert_eq!(
        o.set(SOL_TIPC, TIPC_GROUP_JOIN, &req[..]),
        Err(Errno::EACCES)
    );
    let req = group_req(64, 1, 4, 0);
    assert_eq!(
        o.set(SOL_TIPC, TIPC_GROUP_JOIN, &req[..]),
        Err(Errno::EINVAL)
    );
    // Scopes 0, 1 and 2 are cluster, 3 is node.
    for (scope, want) in [
        (0, Scope::Cluster),
        (1, Scope::Cluster),
        (2, Scope::Cluster),
        (3, Scope::Node),
    ] {
        let req = group_req(64, 7, scope, 0xff);
        let mut long = [0u8; 20];
        long[..16].copy_from_slice(&req);
        let want = GroupJoin {
            group_type: 64,
            instance: 7,
            scope: want,
            flags: 0xff,
        };
        assert_eq!(
            o.set(SOL_TIPC, TIPC_GROUP_JOIN, &long[..]),
            Ok(SetEffect::Join(want))
        );
        assert!(want.loopback() && want.member_events());
    }
    // The request alone changes nothing.
    assert_eq!(o.group(), None);
    assert_eq!(get_u32(&o, TIPC_GROUP_JOIN), Ok(0));
}

#[test]
fn group_join_then_leave() {
    for kind in KINDS {
        let mut o = SockOpts::new(kind);
        assert_eq!(o.set(SOL_TIPC, TIPC_GROUP_LEAVE, &NONE), Err(Errno::EINVAL));
        let req = group_req(4711, 3, 3, TIPC_GROUP_LOOPBACK);
        let Ok(SetEffect::Join(join)) = o.set(SOL_TIPC, TIPC_GROUP_JOIN, &req[..]) else {
            panic!("join refused");
        };
        assert!(join.loopback() && !join.member_events());
        o.joined(join);
        assert_eq!(get_u32(&o, TIPC_GROUP_JOIN), Ok(4711));
        assert_eq!(get_u32(&o, TIPC_DEST_DROPPABLE), Ok(1));
        assert_eq!(o.mcast(), McastMethod::Replicast);
        // Already a member: EACCES, but only after the request's own checks.
        let again = group_req(5000, 1, 2, 0);
        assert_eq!(
            o.set(SOL_TIPC, TIPC_GROUP_JOIN, &again[..]),
            Err(Errno::EACCES)
        );
        let bad_scope = group_req(5000, 1, 4, 0);
        assert_eq!(
            o.set(SOL_TIPC, TIPC_GROUP_JOIN, &bad_scope[..]),
            Err(Errno::EINVAL)
        );
        // Leave needs NULL and 0.
        assert_eq!(
            o.set(SOL_TIPC, TIPC_GROUP_LEAVE, &[0u8; 4][..]),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            o.set(SOL_TIPC, TIPC_GROUP_LEAVE, &NONE),
            Ok(SetEffect::Leave(join))
        );
        assert_eq!(get_u32(&o, TIPC_GROUP_JOIN), Ok(0));
        // Leaving keeps dest-droppable and the multicast method.
        assert_eq!(get_u32(&o, TIPC_DEST_DROPPABLE), Ok(1));
        assert_eq!(o.mcast(), McastMethod::Replicast);
        assert_eq!(o.set(SOL_TIPC, TIPC_GROUP_LEAVE, &NONE), Err(Errno::EINVAL));
    }
}

#[test]
fn accepted_socket_takes_importance_and_refusal_sets_dest_droppable() {
    let mut o = SockOpts::new(SockKind::Stream);
    o.set_importance(Importance::High);
    assert_eq!(get_u32(&o, TIPC_IMPORTANCE), Ok(2));
    o.set_dest_droppable(true);
    assert!(o.dest_droppable());
}

#[test]
fn importance_numbers_round_trip() {
    for n in 0..8 {
        assert_eq!(
            Importance::from_u32(n).map(Importance::as_u32),
            (n < 4).then_some(n)
        );
    }
}

#[test]
fn a_setup_retry_raises_a_tiny_connect_timeout_to_4_ms() {
    let mut o = SockOpts::new(SockKind::SeqPacket);
    for (set, want) in [(0, 4), (3, 4), (4, 4), (9000, 9000)] {
        assert_eq!(set_u32(&mut o, TIPC_CONN_TIMEOUT, set), Ok(SetEffect::Done));
        o.raise_conn_timeout_floor();
        assert_eq!(get_u32(&o, TIPC_CONN_TIMEOUT), Ok(want), "{set}");
    }
}
