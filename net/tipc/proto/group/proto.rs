// SPDX-License-Identifier: GPL-2.0

//! What other members and the topology server tell a group: the `GROUP_PROTOCOL`
//! messages (`tipc_group_proto_rcv`) and the group type's binding events
//! (`tipc_group_member_evt`). A member is in service once both its `GRP_JOIN` and its
//! binding have arrived, in either order. Messages from strangers, duplicates and numbers
//! out of bounds change nothing or are clamped: no counter moves past its range.

use crate::kalloc::Flags;
use crate::proto::name_table::addr::{Scope, SocketAddr};
use crate::proto::seqno::Seqno;
use crate::proto::wire::group_proto::{GroupMsgType, GroupProtoRepr};

use super::effects::Effects;
use super::event::EventKind;
use super::member::MbrState;
use super::state::Group;
use super::ADV_IDLE;

/// A topology event for the group's type, as the group's subscription reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TopEvent {
    /// Published or withdrawn.
    pub(crate) kind: EventKind,
    /// The binding's lower bound (`found_lower`): the member's instance.
    pub(crate) instance: u32,
    /// The bound socket.
    pub(crate) sk: SocketAddr,
}

impl<M> Group<M> {
    /// Adds `a` to window `w`, clamping at the top.
    fn credit(&mut self, w: u16, a: u16) -> u16 {
        w.checked_add(a).unwrap_or_else(|| {
            self.clamped = self.clamped.saturating_add(1);
            u16::MAX
        })
    }

    /// A group protocol message arrived (`tipc_group_proto_rcv`).
    pub(crate) fn on_proto(&mut self, msg: &GroupProtoRepr, flags: Flags) -> Effects<M> {
        let mut fx = Effects::default();
        let (node, port) = (msg.ports.orignode, msg.ports.origport);
        if self.scope == Scope::Node && node != self.own_node {
            return fx;
        }
        let found = self.find(node, port);
        match msg.msg_type {
            GroupMsgType::Join => self.on_join(found, node, port, msg, &mut fx, flags),
            GroupMsgType::Leave => {
                if let Some(i) = found {
                    self.on_leave(i, Seqno(msg.bc_point), &mut fx, flags);
                }
            }
            GroupMsgType::Adv => {
                if let Some(i) = found {
                    self.on_adv(i, msg.adv_win, &mut fx);
                }
            }
            GroupMsgType::Ack => {
                if let Some(i) = found {
                    self.on_ack(i, Seqno(msg.bc_point), &mut fx);
                }
            }
            GroupMsgType::Reclaim => {
                if let Some(i) = found {
                    self.proto_xmit(i, GroupMsgType::Remit, &mut fx, flags);
                    if let Some(m) = self.members.get_mut(i) {
                        m.window = ADV_IDLE;
                    }
                    self.open_member(i, &mut fx);
                }
            }
            GroupMsgType::Remit => {
                if let Some(i) = found {
                    self.on_remit(i, msg.bc_point, &mut fx, flags);
                }
            }
        }
        fx
    }

    /// `GRP_JOIN`: the member's broadcast start and first window; in service if its
    /// binding is known, else remembered as joining.
    fn on_join(
        &mut self,
        found: Option<usize>,
        node: u32,
        port: u32,
        msg: &GroupProtoRepr,
        fx: &mut Effects<M>,
        flags: Flags,
    ) {
        let i = match found {
            Some(i) => i,
            None => match self.create_member(node, port, 0, MbrState::Joining, flags) {
                Ok(Some(i)) => i,
                _ => return,
            },
        };
        let Some(m) = self.members.get(i) else {
            return;
        };
        let window = self.credit(m.window, msg.adv_win);
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        m.bc_syncpt = Seqno(msg.bc_point);
        m.bc_rcv_nxt = m.bc_syncpt;
        m.window = window;
        if m.state != MbrState::Published {
            return;
        }
        m.state = MbrState::Joined;
        let syncpt = m.bc_syncpt;
        self.open_member(i, fx);
        self.update_member(i, 0);
        self.proto_xmit(i, GroupMsgType::Adv, fx, flags);
        if let Some(ev) = self.event_for(i, EventKind::Published, syncpt) {
            self.queue_event(i, ev, fx, flags);
        }
    }

    /// `GRP_LEAVE`: the member leaves after its broadcasts up to `syncpt`.
    fn on_leave(&mut self, i: usize, syncpt: Seqno, fx: &mut Effects<M>, flags: Flags) {
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        m.bc_syncpt = syncpt;
        m.queue = None;
        let was_active = m.state.counts_active();
        m.state = MbrState::Leaving;
        self.open_member(i, fx);
        if was_active {
            self.decr_active();
        }
        if let Some(ev) = self.event_for(i, EventKind::Withdrawn, syncpt) {
            self.queue_event(i, ev, fx, flags);
        }
    }

    /// `GRP_ADV`: more window to the member.
    fn on_adv(&mut self, i: usize, adv: u16, fx: &mut Effects<M>) {
        let Some(m) = self.members.get(i) else {
            return;
        };
        let window = self.credit(m.window, adv);
        if let Some(m) = self.members.get_mut(i) {
            m.window = window;
        }
        self.open_member(i, fx);
    }

    /// `GRP_ACK`: the member received our last broadcast; only one it owes counts, once.
    fn on_ack(&mut self, i: usize, acked: Seqno, fx: &mut Effects<M>) {
        if self.bc_ackers == 0 || acked != self.bc_snd_nxt {
            return;
        }
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        if !m.owes_ack || m.bc_acked == acked {
            return;
        }
        m.bc_acked = acked;
        m.owes_ack = false;
        self.bc_ackers = self.bc_ackers.saturating_sub(1);
        if self.bc_ackers != 0 {
            return;
        }
        if let Some(m) = self.members.get_mut(i) {
            m.small_win = None;
        }
        self.open = true;
        fx.wakeup = true;
        self.update_member(i, 0);
    }

    /// `GRP_REMIT`: the member gave back its active window, `remitted` blocks unspent.
    fn on_remit(&mut self, i: usize, remitted: u16, fx: &mut Effects<M>, flags: Flags) {
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        if m.state != MbrState::Reclaiming {
            return;
        }
        if m.advertised > remitted {
            m.state = MbrState::Remitted;
            let in_flight = m.advertised - remitted;
            m.advertised = match ADV_IDLE.checked_add(in_flight) {
                Some(a) => a,
                None => {
                    self.clamped = self.clamped.saturating_add(1);
                    u16::MAX
                }
            };
            return;
        }
        m.state = MbrState::Joined;
        m.advertised = ADV_IDLE;
        self.decr_active();
        self.activate_pending(fx, flags, false);
    }

    /// A topology event for the group's type (`tipc_group_member_evt`). `node_up` says
    /// whether the member's node is up (this node always is): a member withdrawn on a node
    /// that is up sends `GRP_LEAVE`, which brings its leave event; one on a node that went
    /// down gets its leave event now.
    pub(crate) fn member_event(
        &mut self,
        ev: &TopEvent,
        node_up: bool,
        flags: Flags,
    ) -> Effects<M> {
        let mut fx = Effects::default();
        let SocketAddr { node, port } = ev.sk;
        if !self.loopback && node == self.own_node && port == self.own_port {
            return fx;
        }
        let found = self.find(node, port);
        match (ev.kind, found) {
            (EventKind::Published, None) => {
                if let Ok(Some(i)) =
                    self.create_member(node, port, ev.instance, MbrState::Published, flags)
                {
                    self.update_member(i, 0);
                    self.proto_xmit(i, GroupMsgType::Join, &mut fx, flags);
                }
            }
            (EventKind::Published, Some(i)) => {
                let Some(m) = self.members.get_mut(i) else {
                    return fx;
                };
                if m.state == MbrState::Joining {
                    m.instance = ev.instance;
                    m.state = MbrState::Joined;
                    let syncpt = m.bc_syncpt;
                    self.open_member(i, &mut fx);
                    self.update_member(i, 0);
                    self.proto_xmit(i, GroupMsgType::Join, &mut fx, flags);
                    if let Some(e) = self.event_for(i, EventKind::Published, syncpt) {
                        self.queue_event(i, e, &mut fx, flags);
                    }
                }
            }
            (EventKind::Withdrawn, Some(i)) => {
                let Some(m) = self.members.get_mut(i) else {
                    return fx;
                };
                let was_active = m.state.counts_active();
                m.state = MbrState::Leaving;
                m.queue = None;
                let rcv_nxt = m.bc_rcv_nxt;
                if was_active {
                    self.decr_active();
                }
                self.open_member(i, &mut fx);
                if !node_up {
                    if let Some(e) = self.event_for(i, EventKind::Withdrawn, rcv_nxt) {
                        self.queue_event(i, e, &mut fx, flags);
                    }
                }
            }
            (EventKind::Withdrawn, None) => {}
        }
        fx.rcvbuf = Some(self.rcvbuf_limit());
        fx
    }
}
