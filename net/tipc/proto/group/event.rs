// SPDX-License-Identifier: GPL-2.0

//! Membership events: the messages a group socket reads when a member joins or leaves
//! (`tipc_group_create_event`), and how `recvmsg(2)` reports them.
//!
//! An event is a `TIPC_GRP_MEMBER_EVT` data message of importance `CRITICAL` that seems to
//! come from the member itself: 44-byte group header, word 10 holding the event (bits 0-1)
//! and the member's broadcast sequence number (bits 16-31), then a 48-byte `struct
//! tipc_event` in the host's byte order. It waits in the member's queue like the member's
//! own messages, so a join event comes before anything the member sent and a leave event
//! after everything it broadcast.

use crate::proto::name_table::addr::SocketAddr;
use crate::proto::seqno::Seqno;
use crate::proto::wire::consts::{DataType, Importance, LookupScope, GROUP_H_SIZE};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::error::Result;
use crate::proto::wire::field::write_bytes;
use crate::proto::wire::header::Packet;
use crate::proto::wire::topsrv::{EVENT_LEN, PUBLISHED, WITHDRAWN};

use super::send::GroupHeader;

/// What happened to a member.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EventKind {
    /// `TIPC_PUBLISHED`: the member joined.
    Published,
    /// `TIPC_WITHDRAWN`: the member left.
    Withdrawn,
}

impl EventKind {
    /// The `struct tipc_event` number.
    pub(crate) fn number(self) -> u32 {
        match self {
            Self::Published => PUBLISHED,
            Self::Withdrawn => WITHDRAWN,
        }
    }
}

/// A membership event for this socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MemberEvent {
    /// Joined or left.
    pub(crate) kind: EventKind,
    /// The group's service type.
    pub(crate) group_type: u32,
    /// The member's instance.
    pub(crate) instance: u32,
    /// The member's node.
    pub(crate) node: u32,
    /// The member's port.
    pub(crate) port: u32,
    /// This node, the event's destination.
    pub(crate) own_node: u32,
    /// This socket's port.
    pub(crate) own_port: u32,
    /// The member's broadcast number the event waits for.
    pub(crate) bc_seqno: Seqno,
}

impl MemberEvent {
    /// The event message's length: header and `struct tipc_event`.
    pub(crate) const LEN: usize = GROUP_H_SIZE + EVENT_LEN;

    /// The header the message carries: it seems to come from the member.
    fn header(&self) -> DataRepr {
        let h = GroupHeader {
            msg_type: DataType::GrpMemberEvt,
            destnode: self.own_node,
            destport: self.own_port,
            name_type: self.group_type,
            word9: 0,
            word10: (u32::from(self.bc_seqno.get()) << 16) | self.kind.number(),
            lookup_scope: LookupScope::from_bits(0),
        };
        h.repr(
            Importance::Critical,
            SocketAddr {
                node: self.node,
                port: self.port,
            },
        )
    }

    /// The `struct tipc_event` it carries, in the host's byte order.
    fn payload(&self) -> [u8; EVENT_LEN] {
        let i = self.instance;
        let words = [
            self.kind.number(),
            i,
            i,
            self.port,
            self.node,
            self.group_type,
            i,
            i,
        ];
        let mut out = [0u8; EVENT_LEN];
        for (n, w) in words.into_iter().enumerate() {
            write_bytes(&mut out, 4 * n, &w.to_ne_bytes());
        }
        out
    }

    /// Writes the whole message into `buf` (at least [`Self::LEN`] bytes); returns its
    /// length. The glue queues it with the member's instance as its sender's identity.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        self.header().emit(buf, &self.payload())
    }
}

/// `MSG_OOB`: the message read was a membership event.
pub(crate) const MSG_OOB: u32 = 1;
/// `MSG_EOR`: with `MSG_OOB`, the member left.
pub(crate) const MSG_EOR: u32 = 0x80;

/// What `recvmsg(2)` adds to `msg_flags` for a message of word 10 `word10` and type
/// `msg_type`, and whether it returns 0 instead of the bytes it copied: an event reads as
/// 0 bytes with `MSG_OOB`, and `MSG_EOR` too when the member left. The event's bytes are
/// still copied to the user's buffer first, and no ancillary data describes it.
pub(crate) fn recv_flags(msg_type: DataType, word10: u32) -> Option<u32> {
    if msg_type != DataType::GrpMemberEvt {
        return None;
    }
    if word10 & 3 == WITHDRAWN {
        Some(MSG_OOB | MSG_EOR)
    } else {
        Some(MSG_OOB)
    }
}

/// [`recv_flags`] for a queued message's bytes: `None` for anything but a membership event.
pub(crate) fn queued_recv_flags(msg: &[u8]) -> Option<u32> {
    let p = Packet::new_checked(msg).ok()?;
    if !p.user().is_some_and(|u| u.is_data()) {
        return None;
    }
    recv_flags(p.data_type(), p.word(10))
}
