// SPDX-License-Identifier: GPL-2.0

//! Communication groups (`TIPC_GROUP_JOIN`): a socket joins a group by binding the group's
//! type with its instance; the group's members then exchange unicasts, anycasts,
//! multicasts and broadcasts with per-member flow control, ordering that keeps a member's
//! broadcasts and unicasts in its sending order, and membership events. This is the
//! socket's side as sans-IO rules: the glue feeds arriving messages, topology events and
//! reads in, and carries out the [`Effects`] that come back. The C module's `group.c` and
//! its callers in `socket.c` are the reference for every rule and wire field.

pub(crate) mod effects;
pub(crate) mod event;
pub(crate) mod flow;
pub(crate) mod member;
pub(crate) mod proto;
pub(crate) mod recv;
pub(crate) mod send;
pub(crate) mod state;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) use {
    effects::{Delivery, Effects},
    event::{recv_flags, EventKind, MemberEvent, MSG_EOR, MSG_OOB},
    flow::SendCheck,
    proto::TopEvent,
    recv::{Incoming, SendKind},
    send::{Anycast, GroupHeader, McastPlan, ANYCAST_LOOKUPS},
    state::Group,
};

use crate::proto::conn::flow::FLOWCTL_BLK_SZ;
use crate::proto::wire::consts::{MAX_H_SIZE, MAX_MSG_SIZE};

/// `ADV_UNIT`: the blocks of the largest message, 65.
pub(crate) const ADV_UNIT: u16 = ((MAX_MSG_SIZE + MAX_H_SIZE) / FLOWCTL_BLK_SZ + 1) as u16;
/// `ADV_IDLE`: the window advertised to a member that does not send to us.
pub(crate) const ADV_IDLE: u16 = ADV_UNIT;
/// `ADV_ACTIVE`: the window advertised to an active sender, 780 blocks.
pub(crate) const ADV_ACTIVE: u16 = ADV_UNIT * 12;
