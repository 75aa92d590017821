// SPDX-License-Identifier: GPL-2.0

//! The TIPC wire format, version 2: typed views over byte buffers and parse/emit
//! representations of every message kind, sans-IO and without allocation.
//!
//! [`header::Packet`] wraps a buffer and checks it as the C module's `tipc_msg_validate`
//! does; each user's `*Repr` reads and writes that user's fields and checks its payload;
//! [`message::Message`] picks the parser by user. Fragmentation, reassembly, bundling and
//! unbundling work on caller-provided buffers. See Documentation/wire.md.

pub(crate) mod bcast_proto;
pub(crate) mod bundle;
pub(crate) mod common;
pub(crate) mod conn_mgr;
pub(crate) mod consts;
pub(crate) mod crypto;
pub(crate) mod data;
pub(crate) mod discovery;
pub(crate) mod ehdr;
pub(crate) mod error;
pub(crate) mod field;
pub(crate) mod fragment;
pub(crate) mod gap_ack;
pub(crate) mod group_proto;
pub(crate) mod header;
pub(crate) mod link_proto;
pub(crate) mod message;
pub(crate) mod monitor;
pub(crate) mod name_distr;
pub(crate) mod reassembly;
pub(crate) mod sock_wakeup;
pub(crate) mod topsrv;
pub(crate) mod topsrv_msg;
pub(crate) mod tunnel;

#[cfg(test)]
mod tests;
