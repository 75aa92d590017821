// SPDX-License-Identifier: GPL-2.0

//! `/proc/sys/net/tipc`: the C module's sysctls, with its names, defaults and bounds.

use crate::proto::msg::rcvbuf::{RCVBUF_DEF, RCVBUF_MAX, RCVBUF_MIN};
use kernel::{
    prelude::*,
    sysctl::{Ints, Registration, Table, ULongs},
};

/// `tipc_rmem`: the receive buffer sizes; a new socket's `SO_RCVBUF` is the middle one.
pub(crate) static TIPC_RMEM: Ints<3> =
    Ints::new([RCVBUF_MIN as i32, RCVBUF_DEF as i32, RCVBUF_MAX as i32]);
/// `named_timeout`: how long (ms) a name distribution may wait for a lost node.
static NAMED_TIMEOUT: Ints<1> = Ints::new([2000]);
/// `sk_filter`: the socket tuple that selects sockets for tracing.
static SK_FILTER: ULongs<5> = ULongs::new([0; 5]);
/// `max_tfms`: the most crypto transforms per key.
static MAX_TFMS: Ints<1> = Ints::new([10]);
/// `key_exchange_enabled`: whether session keys are exchanged.
static KEY_EXCHANGE_ENABLED: Ints<1> = Ints::new([1]);
/// `bc_retruni`: whether broadcast retransmissions go as unicast.
static BC_RETRUNI: ULongs<1> = ULongs::new([0]);

/// The entries, in the C module's order.
static TABLE: Table<6> = Table::new([
    Table::<6>::int(c"tipc_rmem", &TIPC_RMEM, Some(1), None),
    Table::<6>::int(c"named_timeout", &NAMED_TIMEOUT, Some(0), None),
    Table::<6>::ulong(c"sk_filter", &SK_FILTER),
    Table::<6>::int(c"max_tfms", &MAX_TFMS, Some(1), None),
    Table::<6>::int(
        c"key_exchange_enabled",
        &KEY_EXCHANGE_ENABLED,
        Some(0),
        Some(1),
    ),
    Table::<6>::ulong(c"bc_retruni", &BC_RETRUNI),
]);

/// Registers `/proc/sys/net/tipc` while the returned value lives.
pub(crate) fn register() -> Result<Registration> {
    Registration::new(c"net/tipc", &TABLE)
}

/// The receive buffer a new socket gets (`tipc_rmem[1]`).
pub(crate) fn default_rcvbuf() -> u32 {
    TIPC_RMEM
        .get(1)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(RCVBUF_DEF)
}
