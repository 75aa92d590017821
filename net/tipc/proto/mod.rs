// SPDX-License-Identifier: GPL-2.0

//! The TIPC protocol core: sans-IO rules shared by the module and the host tests.
//!
//! Nothing here touches the kernel: no `unsafe`, no kernel types. The module compiles these
//! files as its `proto` module; `host.rs` compiles the same files as a host crate for
//! `cargo test`.

pub(crate) mod bearer;
pub(crate) mod cong_links;
pub(crate) mod conn;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the cluster core is ahead of its glue (issue 9)")
)]
pub(crate) mod discovery;
pub(crate) mod errno;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "communication groups' glue comes with issue 8")
)]
pub(crate) mod group;
pub(crate) mod ioctl;
pub(crate) mod legacy;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the cluster core is ahead of its glue (issue 9)")
)]
pub(crate) mod link;
pub(crate) mod msg;
pub(crate) mod name_table;
pub(crate) mod netlink;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the cluster core is ahead of its glue (issue 9)")
)]
pub(crate) mod node;
pub(crate) mod poll;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "sequence numbers are for the links (issue 9)")
)]
pub(crate) mod seqno;
#[cfg(test)]
mod sim;
pub(crate) mod sock_diag;
pub(crate) mod sock_kind;
pub(crate) mod sockopt;
pub(crate) mod topology;
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the codecs of every TIPC message exist ahead of the links that carry them"
    )
)]
pub(crate) mod wire;

/// The TIPC address family, `AF_TIPC`.
pub(crate) const AF_TIPC: u16 = 30;
