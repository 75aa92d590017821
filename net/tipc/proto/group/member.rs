// SPDX-License-Identifier: GPL-2.0

//! One other member of a group as this socket sees it: its state, its windows in both
//! directions, its broadcast sequence numbers and the messages held back until their turn.

use crate::kalloc::KVec;
use crate::proto::seqno::Seqno;

use super::event::MemberEvent;
use super::recv::Incoming;

/// Where a member stands with this socket (`enum mbr_state`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MbrState {
    /// Its `GRP_JOIN` came before the topology server reported its binding.
    Joining,
    /// Its binding is known; its `GRP_JOIN` has not come yet.
    Published,
    /// Both came: a member in service, advertised the idle window.
    Joined,
    /// Wants to send to us but the active places are taken: it keeps the idle window.
    Pending,
    /// Sending to us: advertised the active window.
    Active,
    /// Asked to give back its active window (`GRP_RECLAIM` sent).
    Reclaiming,
    /// Gave it back (`GRP_REMIT`), but messages sent before are still unread.
    Remitted,
    /// Left (`GRP_LEAVE` or withdrawn): removed once its leave event is delivered.
    Leaving,
}

impl MbrState {
    /// Counted among the active senders (`tipc_group_decr_active`'s states).
    pub(crate) fn counts_active(self) -> bool {
        matches!(self, Self::Active | Self::Reclaiming | Self::Remitted)
    }
}

/// Which of the group's ordered lists a member is on (`tipc_member::list`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Queue {
    /// The active senders, oldest first: the first is reclaimed from.
    Active,
    /// The senders waiting for an active place, oldest first.
    Pending,
}

/// A message or event held back in a member's queue until its broadcast turn.
#[derive(Debug)]
pub(crate) enum Held<M> {
    /// A data message from the member.
    Data(M, Incoming),
    /// A membership event this socket made for the member.
    Event(MemberEvent),
}

impl<M> Held<M> {
    /// The broadcast sequence number it waits for.
    pub(crate) fn bc_seqno(&self) -> Seqno {
        match self {
            Self::Data(_, i) => i.bc_seqno,
            Self::Event(e) => e.bc_seqno,
        }
    }

    /// Whether it is a group broadcast or multicast, which unicasts may overtake.
    pub(crate) fn is_broadcast(&self) -> bool {
        matches!(self, Self::Data(_, i) if i.kind.is_broadcast())
    }
}

/// Another member (`struct tipc_member`), keyed by node then port.
#[derive(Debug)]
pub(crate) struct Member<M> {
    /// Its node.
    pub(crate) node: u32,
    /// Its port.
    pub(crate) port: u32,
    /// Its instance in the group (0 until its binding is known).
    pub(crate) instance: u32,
    /// Its state.
    pub(crate) state: MbrState,
    /// Blocks we advertised to it and it has not yet used (our receive window for it).
    pub(crate) advertised: u16,
    /// Blocks it advertised to us and we have not yet used (our send window to it).
    pub(crate) window: u16,
    /// Its next broadcast we expect.
    pub(crate) bc_rcv_nxt: Seqno,
    /// The broadcast number its `GRP_JOIN` or `GRP_LEAVE` gave.
    pub(crate) bc_syncpt: Seqno,
    /// The last of our broadcasts it acknowledged (`GRP_ACK`).
    pub(crate) bc_acked: Seqno,
    /// It owes us a `GRP_ACK` for our last broadcast.
    pub(crate) owes_ack: bool,
    /// Its place on the small-window list (ordered by window, then by this stamp).
    pub(crate) small_win: Option<u64>,
    /// Its place on the active or pending list (ordered by this stamp).
    pub(crate) queue: Option<(Queue, u64)>,
    /// Its messages and events held back, in delivery order.
    pub(crate) deferred: KVec<Held<M>>,
}

impl<M> Member<M> {
    /// A new member in `state`; `bc_acked` is the group's last broadcast.
    pub(crate) fn new(
        node: u32,
        port: u32,
        instance: u32,
        state: MbrState,
        bc_acked: Seqno,
    ) -> Self {
        Self {
            node,
            port,
            instance,
            state,
            advertised: 0,
            window: 0,
            bc_rcv_nxt: Seqno(0),
            bc_syncpt: Seqno(0),
            bc_acked,
            owes_ack: false,
            small_win: None,
            queue: None,
            deferred: KVec::new(),
        }
    }

    /// The tree key: node, then port.
    pub(crate) fn key(&self) -> u64 {
        key(self.node, self.port)
    }

    /// May receive our messages: neither joining nor leaving.
    pub(crate) fn is_receiver(&self) -> bool {
        !matches!(self.state, MbrState::Joining | MbrState::Leaving)
    }

    /// May send to us: its `GRP_JOIN` and binding both arrived.
    pub(crate) fn is_sender(&self) -> bool {
        !matches!(self.state, MbrState::Joining | MbrState::Published)
    }

    /// Whether it is on list `q`.
    pub(crate) fn on(&self, q: Queue) -> bool {
        matches!(self.queue, Some((k, _)) if k == q)
    }
}

/// The key of member `port` on `node`.
pub(crate) fn key(node: u32, port: u32) -> u64 {
    (u64::from(node) << 32) | u64::from(port)
}
