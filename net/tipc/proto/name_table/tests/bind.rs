// SPDX-License-Identifier: GPL-2.0

//! The `bind(2)` address checks and their errnos.

use super::sr;
use crate::proto::{
    errno::Errno,
    name_table::{
        addr::Scope,
        bind::{
            bind_op, BindOp, Binding, SockaddrTipc, SOCKADDR_TIPC_LEN, TIPC_SERVICE_ADDR,
            TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR,
        },
    },
    AF_TIPC,
};

/// The bytes of a `sockaddr_tipc`.
fn addr(family: u16, addrtype: u8, scope: i8, words: [u32; 3]) -> [u8; SOCKADDR_TIPC_LEN] {
    SockaddrTipc {
        family,
        addrtype,
        scope,
        words,
    }
    .to_bytes()
}

/// `bind_op` on a service range address.
fn range(scope: i8, ty: u32, lower: u32, upper: u32) -> Result<BindOp, Errno> {
    bind_op(
        &addr(AF_TIPC, TIPC_SERVICE_RANGE, scope, [ty, lower, upper]),
        false,
    )
}

/// The binding of `{ty, lower, upper}` with `scope`.
fn binding(ty: u32, lower: u32, upper: u32, scope: Scope) -> Binding {
    Binding {
        range: sr(ty, lower, upper),
        scope,
    }
}

#[test]
fn parse_round_trips_native_order() {
    let a = SockaddrTipc {
        family: AF_TIPC,
        addrtype: 2,
        scope: -3,
        words: [1, 0x1234_5678, u32::MAX],
    };
    let bytes = a.to_bytes();
    assert_eq!(&bytes[4..8], &1u32.to_ne_bytes());
    assert_eq!(SockaddrTipc::parse(&bytes), Some(a));
    let mut long = [0u8; 32];
    long[..16].copy_from_slice(&bytes);
    assert_eq!(SockaddrTipc::parse(&long), Some(a));
    assert_eq!(SockaddrTipc::parse(&bytes[..15]), None);
}

#[test]
fn empty_address_unbinds_all_even_in_a_group() {
    assert_eq!(bind_op(&[], false), Ok(BindOp::UnbindAll));
    assert_eq!(bind_op(&[], true), Ok(BindOp::UnbindAll));
}

#[test]
fn invalid_addresses_are_einval() {
    let good = addr(AF_TIPC, TIPC_SERVICE_RANGE, 2, [100, 1, 2]);
    assert_eq!(bind_op(&good[..15], false), Err(Errno::EINVAL));
    assert_eq!(bind_op(&good[..1], false), Err(Errno::EINVAL));
    assert_eq!(
        bind_op(&addr(2, TIPC_SERVICE_RANGE, 2, [100, 1, 2]), false),
        Err(Errno::EINVAL)
    );
    for atype in [0, 4, 255] {
        assert_eq!(
            bind_op(&addr(AF_TIPC, atype, 2, [100, 1, 2]), false),
            Err(Errno::EINVAL)
        );
    }
    // Upper below lower, checked before the reserved types.
    assert_eq!(range(2, 100, 5, 4), Err(Errno::EINVAL));
    assert_eq!(range(2, 1, 5, 4), Err(Errno::EINVAL));
    // Validity comes before the group check.
    let bad = addr(AF_TIPC, TIPC_SERVICE_RANGE, 2, [100, 5, 4]);
    assert_eq!(bind_op(&bad, true), Err(Errno::EINVAL));
}

#[test]
fn socket_address_is_eafnosupport() {
    let a = addr(AF_TIPC, TIPC_SOCKET_ADDR, 2, [1, 2, 0]);
    assert_eq!(bind_op(&a, false), Err(Errno::EAFNOSUPPORT));
    assert_eq!(bind_op(&a, true), Err(Errno::EAFNOSUPPORT));
}

#[test]
fn reserved_types_and_groups_are_eacces() {
    for ty in [0, 1, 2, 3, 63] {
        assert_eq!(range(2, ty, 0, 0), Err(Errno::EACCES), "type {ty}");
        assert_eq!(range(-2, ty, 0, 0), Err(Errno::EACCES), "type {ty}");
    }
    assert!(range(2, 64, 0, 0).is_ok());
    let a = addr(AF_TIPC, TIPC_SERVICE_RANGE, 2, [64, 0, 0]);
    assert_eq!(bind_op(&a, true), Err(Errno::EACCES));
    let a = addr(AF_TIPC, TIPC_SERVICE_RANGE, -2, [64, 0, 0]);
    assert_eq!(bind_op(&a, true), Err(Errno::EACCES));
}

#[test]
fn scopes_and_forms() {
    assert_eq!(
        range(3, 100, 1, 9),
        Ok(BindOp::Bind(binding(100, 1, 9, Scope::Node)))
    );
    for scope in [0, 1, 2, 4, 127] {
        assert_eq!(
            range(scope, 100, 1, 9),
            Ok(BindOp::Bind(binding(100, 1, 9, Scope::Cluster))),
            "scope {scope}"
        );
    }
    assert_eq!(
        range(-3, 100, 1, 9),
        Ok(BindOp::Unbind(binding(100, 1, 9, Scope::Node)))
    );
    for scope in [-1, -2, -4, -128] {
        assert_eq!(
            range(scope, 100, 1, 9),
            Ok(BindOp::Unbind(binding(100, 1, 9, Scope::Cluster))),
            "scope {scope}"
        );
    }
    // The service address form (and the old TIPC_ADDR_NAME) binds one instance; its
    // third word is the lookup domain, ignored here.
    let a = addr(AF_TIPC, TIPC_SERVICE_ADDR, 3, [100, 7, 0x1001]);
    assert_eq!(
        bind_op(&a, false),
        Ok(BindOp::Bind(binding(100, 7, 7, Scope::Node)))
    );
    assert_eq!(
        range(2, 100, 7, 7),
        Ok(BindOp::Bind(binding(100, 7, 7, Scope::Cluster)))
    );
    assert_eq!(
        range(2, 100, 0, u32::MAX),
        Ok(BindOp::Bind(binding(100, 0, u32::MAX, Scope::Cluster)))
    );
}
