// SPDX-License-Identifier: GPL-2.0

//! The name table: which sockets, on which nodes, are bound to which service ranges.
//!
//! A binding ("publication") maps a service range `{type, lower, upper}` to a socket
//! `<node:port>` with a scope and a key. Publications for the same exact range share one
//! [`range::Range`]; ranges live in one augmented B+tree ([`btree::Tree`]) ordered by type, then
//! lower bound, then newest range first, as the C module's red-black tree orders them. Each
//! node of the tree records the largest upper bound below it, so overlap queries skip whole
//! subtrees.
//!
//! [`table::NameTable`] holds the rules for inserting and removing publications,
//! [`lookup`] the translations (anycast, multicast, group), [`dump`] the resumable walk that
//! netlink dumps need, and [`bind`] with [`sock_bindings`] the socket-level `bind(2)` rules.
//! Documentation/name_table.md describes the whole.

pub(crate) mod addr;
pub(crate) mod bind;
pub(crate) mod btree;
pub(crate) mod distr;
pub(crate) mod dump;
pub(crate) mod lookup;
pub(crate) mod publication;
pub(crate) mod range;
pub(crate) mod ring;
pub(crate) mod sock_bindings;
pub(crate) mod table;
pub(crate) mod update;

#[cfg(test)]
mod tests;
