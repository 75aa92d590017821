// SPDX-License-Identifier: GPL-2.0

//! Receive ordering (`tipc_group_filter_msg`): a member's messages reach the reader only
//! once the member is a sender, in its broadcast order. Each message carries the sender's
//! broadcast number (word 10): a broadcast or multicast takes the number, a unicast carries
//! the next one. A broadcast that a unicast (or a later broadcast) overtook is sorted back
//! in before it; a message whose number is ahead waits. Membership events wait in the same
//! queue, so the join event comes first and the leave event last.

use crate::kalloc::{AllocError, Flags};
use crate::proto::seqno::Seqno;
use crate::proto::wire::consts::DataType;
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::group_proto::GroupMsgType;
use crate::proto::wire::header::Packet;

use super::effects::{Delivery, Effects};
use super::event::MemberEvent;
use super::member::{Held, MbrState};
use super::state::Group;

/// How a member sent a data message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendKind {
    /// `TIPC_GRP_BCAST_MSG`: to every member.
    Bcast,
    /// `TIPC_GRP_MCAST_MSG`: to the members of one instance.
    Mcast,
    /// `TIPC_GRP_UCAST_MSG`: to one member (unicast or anycast).
    Ucast,
}

impl SendKind {
    /// Whether it takes a broadcast number.
    pub(crate) fn is_broadcast(self) -> bool {
        matches!(self, Self::Bcast | Self::Mcast)
    }

    /// The message type.
    pub(crate) fn data_type(self) -> DataType {
        match self {
            Self::Bcast => DataType::GrpBcast,
            Self::Mcast => DataType::GrpMcast,
            Self::Ucast => DataType::GrpUcast,
        }
    }
}

/// What the group reads from an arriving data message's header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Incoming {
    /// How it was sent.
    pub(crate) kind: SendKind,
    /// The sending member's node.
    pub(crate) orignode: u32,
    /// The sending member's port.
    pub(crate) origport: u32,
    /// Its broadcast number (word 10, bits 16-31).
    pub(crate) bc_seqno: Seqno,
    /// A broadcast asks for `GRP_ACK` (word 10, bit 0).
    pub(crate) ack_req: bool,
    /// A multicast's instance (word 9).
    pub(crate) instance: u32,
    /// Its size in flow control blocks (`msg_blocks`).
    pub(crate) blocks: u16,
}

impl Incoming {
    /// Reads a group data message of `size` bytes; `None` for any other type. A membership
    /// event (type 4) is never accepted from outside: this socket makes its own, and the
    /// C module never sends one.
    pub(crate) fn from_repr(h: &DataRepr, size: usize) -> Option<Self> {
        let kind = match h.msg_type {
            DataType::GrpBcast => SendKind::Bcast,
            DataType::GrpMcast => SendKind::Mcast,
            DataType::GrpUcast => SendKind::Ucast,
            _ => return None,
        };
        Some(Self {
            kind,
            orignode: h.orignode,
            origport: h.origport,
            bc_seqno: Seqno(h.grp_bc_seqno()),
            ack_req: h.name_upper & 1 != 0,
            instance: h.name_lower,
            blocks: crate::proto::conn::flow::blocks(size),
        })
    }
}

/// What reading queued message `msg` to its end credits (`tipc_group_update_rcv_win` in
/// `tipc_recvmsg`): the sending member's node and port and the message's blocks, for a
/// group data message; `None` for a membership event or any other message.
pub(crate) fn read_credit(msg: &[u8]) -> Option<(u32, u32, u16)> {
    let p = Packet::new_checked(msg).ok()?;
    if !p.user().is_some_and(|u| u.is_data()) {
        return None;
    }
    match p.data_type() {
        DataType::GrpBcast | DataType::GrpMcast | DataType::GrpUcast => Some((
            p.orignode(),
            p.origport(),
            crate::proto::conn::flow::blocks(p.total_len()),
        )),
        _ => None,
    }
}

impl<M> Group<M> {
    /// A group data message arrived for this socket: hold it back or deliver it with what
    /// it releases. A message from a non-sender or older than the member's next broadcast
    /// is dropped; so is one that finds no memory, before anything changes.
    pub(crate) fn on_data(&mut self, msg: M, inc: Incoming, flags: Flags) -> Effects<M> {
        let mut fx = Effects::default();
        let Some(i) = self.find(inc.orignode, inc.origport) else {
            return fx;
        };
        let Some(m) = self.members.get(i) else {
            return fx;
        };
        if !m.is_sender() || inc.bc_seqno.less(m.bc_rcv_nxt) {
            return fx;
        }
        if self.hold(i, Held::Data(msg, inc), &mut fx, flags).is_ok() {
            self.drain(i, &mut fx, flags);
        }
        fx
    }

    /// Queues event `ev` for member `i` and delivers what is due (`tipc_group_create_event`
    /// then the filter); an event older than the member's next broadcast is dropped, as C.
    pub(super) fn queue_event(
        &mut self,
        i: usize,
        ev: MemberEvent,
        fx: &mut Effects<M>,
        flags: Flags,
    ) {
        let Some(m) = self.members.get(i) else {
            return;
        };
        if !m.is_sender() || ev.bc_seqno.less(m.bc_rcv_nxt) {
            return;
        }
        if self.hold(i, Held::Event(ev), fx, flags).is_ok() {
            self.drain(i, fx, flags);
        }
    }

    /// Sorts `h` into member `i`'s queue (`tipc_group_sort_msg`): a broadcast before the
    /// first held message numbered after it, anything else at the tail. Reserves room for
    /// what draining may deliver.
    fn hold(
        &mut self,
        i: usize,
        h: Held<M>,
        fx: &mut Effects<M>,
        flags: Flags,
    ) -> Result<(), AllocError> {
        let m = self.members.get_mut(i).ok_or(AllocError)?;
        let due = m.deferred.len() + 1;
        fx.deliver.reserve(due, flags)?;
        m.deferred.reserve(1, flags)?;
        let seq = h.bc_seqno();
        let at = if h.is_broadcast() {
            m.deferred
                .iter()
                .position(|o| seq.less(o.bc_seqno()))
                .unwrap_or(m.deferred.len())
        } else {
            m.deferred.len()
        };
        m.deferred
            .insert_within_capacity(at, h)
            .map_err(|_| AllocError)
    }

    /// Delivers member `i`'s held messages that are due, in order, acknowledging
    /// broadcasts that ask for it; a delivered leave event removes the member.
    fn drain(&mut self, i: usize, fx: &mut Effects<M>, flags: Flags) {
        loop {
            let Some(m) = self.members.get_mut(i) else {
                return;
            };
            match m.deferred.first() {
                Some(h) if !h.bc_seqno().more(m.bc_rcv_nxt) => {}
                _ => return,
            }
            let Ok(h) = m.deferred.remove(0) else {
                return;
            };
            let instance = m.instance;
            match h {
                Held::Data(msg, inc) => {
                    let mut update = false;
                    if inc.kind.is_broadcast() {
                        m.bc_rcv_nxt = m.bc_rcv_nxt.add(1);
                        if inc.kind == SendKind::Mcast && inc.instance != self.instance {
                            update = true;
                        }
                    }
                    if !update {
                        self.push_delivery(
                            Delivery::Data {
                                msg,
                                member: instance,
                            },
                            fx,
                            flags,
                        );
                    }
                    if inc.kind.is_broadcast() && inc.ack_req {
                        self.proto_xmit(i, GroupMsgType::Ack, fx, flags);
                    }
                    if update {
                        self.update_rcv_win(i, inc.blocks, fx, flags);
                    }
                }
                Held::Event(ev) => {
                    let leave = m.state == MbrState::Leaving;
                    if self.events {
                        self.push_delivery(Delivery::Event(ev), fx, flags);
                    }
                    if leave {
                        self.delete_member(i, fx);
                        return;
                    }
                }
            }
        }
    }

    /// Queues a delivery in the room [`Group::hold`] reserved.
    fn push_delivery(&mut self, d: Delivery<M>, fx: &mut Effects<M>, flags: Flags) {
        // `hold` reserved a place for every held message, so this does not allocate.
        let _ = fx.deliver.push(d, flags);
    }
}
