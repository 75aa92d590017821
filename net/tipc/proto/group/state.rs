// SPDX-License-Identifier: GPL-2.0

//! The group one socket joined (`struct tipc_group`): its members, its broadcast state and
//! the lists that order them; join and leave.

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::name_table::addr::{Scope, SocketAddr};
use crate::proto::seqno::Seqno;
use crate::proto::sockopt::GroupJoin;
use crate::proto::topology::subscription::{SUB_CLUSTER_SCOPE, SUB_NODE_SCOPE, SUB_NO_STATUS};
use crate::proto::wire::common::{Common, Ports};
use crate::proto::wire::group_proto::{GroupMsgType, GroupProtoRepr};
use crate::proto::wire::header::Flags as HdrFlags;
use crate::proto::wire::topsrv::SUB_PORTS;

use super::effects::Effects;
use super::event::{EventKind, MemberEvent};
use super::member::{key, MbrState, Member, Queue};
use super::{ADV_ACTIVE, ADV_IDLE};

/// A socket's communication group. `M` is the glue's message buffer, held back in members'
/// queues until its turn. Guarded by the socket's lock, as the C module's group.
#[derive(Debug)]
pub(crate) struct Group<M> {
    /// The other members (and this socket with loopback), by node then port.
    pub(super) members: KVec<Member<M>>,
    /// The group's service type.
    pub(super) group_type: u32,
    /// This member's instance.
    pub(super) instance: u32,
    /// Node or cluster scope.
    pub(super) scope: Scope,
    /// This node's address when the group was made.
    pub(super) own_node: u32,
    /// This socket's port.
    pub(super) own_port: u32,
    /// `TIPC_GROUP_LOOPBACK`: this socket is a member of its own group.
    pub(super) loopback: bool,
    /// `TIPC_GROUP_MEMBER_EVTS`: deliver membership events.
    pub(super) events: bool,
    /// The most members that may send to us at once with the active window.
    pub(super) max_active: u16,
    /// Members in the active, reclaiming or remitted states.
    pub(super) active_cnt: u16,
    /// Our next broadcast's number.
    pub(super) bc_snd_nxt: Seqno,
    /// Acknowledgements our last broadcast still waits for.
    pub(super) bc_ackers: u16,
    /// Senders need not wait (`group_is_open`; poll's `EPOLLOUT`).
    pub(super) open: bool,
    /// The next list stamp: lists are ordered by the stamp of entry.
    pub(super) stamp: u64,
    /// The last broadcast went (or the next must go) as replicast (`mc_method.rcast`).
    pub(super) rcast: bool,
    /// The next broadcast must keep the method and ask for acknowledgements
    /// (`mc_method.mandatory`): a unicast or a join went since the last.
    pub(super) mandatory: bool,
    /// Word 9 of the socket's header as group sends leave it: the last multicast's
    /// instance, 0 after a broadcast.
    pub(super) hdr_inst: u32,
    /// The acknowledgement request bit as the last broadcast left it in word 10.
    pub(super) hdr_ack_req: bool,
    /// Times a peer's message would have taken a window or counter past its bounds (a
    /// bogus or duplicate message); the value was clamped instead.
    pub(super) clamped: u32,
}

impl<M> Group<M> {
    /// Makes the group of `join` for socket `own_port` on node `own_node`
    /// (`tipc_group_create`). The glue then subscribes to the group's type (see
    /// [`Group::subscription`]), adds the members the name table holds
    /// ([`Group::add_member`]), publishes the socket's binding and calls
    /// [`Group::joined`]; if publishing fails it calls [`Group::leave`].
    pub(crate) fn new(join: &GroupJoin, own_node: u32, own_port: u32) -> Self {
        Self {
            members: KVec::new(),
            group_type: join.group_type,
            instance: join.instance,
            scope: join.scope,
            own_node,
            own_port,
            loopback: join.loopback(),
            events: join.member_events(),
            max_active: 0,
            active_cnt: 0,
            bc_snd_nxt: Seqno(0),
            bc_ackers: 0,
            open: false,
            stamp: 0,
            rcast: true,
            mandatory: true,
            hdr_inst: 0,
            hdr_ack_req: false,
            clamped: 0,
        }
    }

    /// The topology subscription the group needs (`tipc_topsrv_kern_subscr`): type, lower,
    /// upper and filter (`TIPC_SUB_PORTS | TIPC_SUB_NO_STATUS` and the scope bit). Its
    /// events go to [`Group::member_event`].
    pub(crate) fn subscription(&self) -> (u32, u32, u32, u32) {
        let scope = match self.scope {
            Scope::Node => SUB_NODE_SCOPE,
            Scope::Cluster => SUB_CLUSTER_SCOPE,
        };
        (
            self.group_type,
            0,
            u32::MAX,
            SUB_PORTS | SUB_NO_STATUS | scope,
        )
    }

    /// The binding the socket holds as a member (`tipc_group_self`): type, instance, scope.
    pub(crate) fn binding(&self) -> (u32, u32, Scope) {
        (self.group_type, self.instance, self.scope)
    }

    /// Whether senders need not wait (`group_is_open`): poll reports `EPOLLOUT` when it is
    /// and no link is congested.
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// The port group look-ups leave out (`tipc_group_exclude`): this socket's, unless
    /// loopback makes it a destination too; 0 leaves none out.
    pub(crate) fn exclude(&self) -> u32 {
        if self.loopback {
            0
        } else {
            self.own_port
        }
    }

    /// The number of members known, in any state.
    pub(crate) fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Our next broadcast's number (netlink's `TIPC_NLA_SOCK_GROUP_BC_SEND_NEXT`).
    pub(crate) fn bc_snd_nxt(&self) -> u16 {
        self.bc_snd_nxt.get()
    }

    /// Adds a member the name table holds at join (`tipc_nametbl_build_group`: every
    /// binding of the group's type and scope, with its lower bound as instance).
    pub(crate) fn add_member(
        &mut self,
        sk: SocketAddr,
        instance: u32,
        flags: Flags,
    ) -> Result<(), AllocError> {
        self.create_member(sk.node, sk.port, instance, MbrState::Published, flags)
            .map(|_| ())
    }

    /// The socket's binding is published (`tipc_group_join`): sends `GRP_JOIN` to every
    /// member, and sets the receive buffer.
    pub(crate) fn joined(&mut self, flags: Flags) -> Effects<M> {
        let mut fx = Effects::default();
        for i in 0..self.members.len() {
            self.proto_xmit(i, GroupMsgType::Join, &mut fx, flags);
            self.update_member(i, 0);
        }
        fx.rcvbuf = Some(self.rcvbuf_limit());
        fx
    }

    /// Leaves the group (`tipc_group_delete`): a `GRP_LEAVE` to every member; held
    /// messages are dropped. The glue withdraws the binding afterwards and cancels the
    /// subscription.
    pub(crate) fn leave(mut self, flags: Flags) -> Effects<M> {
        let mut fx = Effects::default();
        for i in 0..self.members.len() {
            self.proto_xmit(i, GroupMsgType::Leave, &mut fx, flags);
        }
        fx
    }

    /// The index of member `port` on `node`.
    pub(super) fn find(&self, node: u32, port: u32) -> Option<usize> {
        let k = key(node, port);
        self.members.binary_search_by_key(&k, |m| m.key()).ok()
    }

    /// Adds a member in `state`; `None` if it exists (`tipc_group_create_member`).
    pub(super) fn create_member(
        &mut self,
        node: u32,
        port: u32,
        instance: u32,
        state: MbrState,
        flags: Flags,
    ) -> Result<Option<usize>, AllocError> {
        let k = key(node, port);
        let Err(at) = self.members.binary_search_by_key(&k, |m| m.key()) else {
            return Ok(None);
        };
        self.members.reserve(1, flags)?;
        let m = Member::new(node, port, instance, state, self.bc_snd_nxt.sub(1));
        if self.members.insert_within_capacity(at, m).is_err() {
            return Err(AllocError);
        }
        Ok(Some(at))
    }

    /// Removes member `i` (`tipc_group_delete_member`): an acknowledgement it owed is no
    /// longer awaited.
    pub(super) fn delete_member(&mut self, i: usize, fx: &mut Effects<M>) {
        let Ok(m) = self.members.remove(i) else {
            return;
        };
        if m.owes_ack {
            self.bc_ackers = self.bc_ackers.saturating_sub(1);
            if self.bc_ackers == 0 {
                self.open = true;
                fx.wakeup = true;
            }
        }
        if m.state.counts_active() {
            self.decr_active();
        }
    }

    /// One fewer active member.
    pub(super) fn decr_active(&mut self) {
        match self.active_cnt.checked_sub(1) {
            Some(n) => self.active_cnt = n,
            None => self.clamped = self.clamped.saturating_add(1),
        }
    }

    /// A fresh list stamp.
    pub(super) fn next_stamp(&mut self) -> u64 {
        self.stamp = self.stamp.wrapping_add(1);
        self.stamp
    }

    /// Puts member `i` at the tail of list `q`, off any other.
    pub(super) fn enqueue(&mut self, i: usize, q: Queue) {
        let s = self.next_stamp();
        if let Some(m) = self.members.get_mut(i) {
            m.queue = Some((q, s));
        }
    }

    /// The head of list `q`.
    pub(super) fn queue_head(&self, q: Queue) -> Option<usize> {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.queue {
                Some((k, s)) if k == q => Some((s, i)),
                _ => None,
            })
            .min()
            .map(|(_, i)| i)
    }

    /// The head of the small-window list: the smallest window, the earliest entered first.
    pub(super) fn small_win_head(&self) -> Option<usize> {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.small_win.map(|s| ((m.window, s), i)))
            .min()
            .map(|(_, i)| i)
    }

    /// Takes member `i` off the small-window list; if it was on it, senders may go on
    /// (`tipc_group_open`).
    pub(super) fn open_member(&mut self, i: usize, fx: &mut Effects<M>) {
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        if m.small_win.take().is_some() {
            self.open = true;
            fx.wakeup = true;
        }
    }

    /// Builds protocol message `ty` for member `i` and records what it advertises
    /// (`tipc_group_proto_xmit`); a message that finds no memory is not sent and changes
    /// nothing, as in C.
    pub(super) fn proto_xmit(
        &mut self,
        i: usize,
        ty: GroupMsgType,
        fx: &mut Effects<M>,
        flags: Flags,
    ) {
        let bc_snd_nxt = self.bc_snd_nxt.get();
        let (own_node, own_port) = (self.own_node, self.own_port);
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        let target = match m.state {
            MbrState::Active => ADV_ACTIVE,
            MbrState::Joined | MbrState::Pending => ADV_IDLE,
            _ => m.advertised,
        };
        // What C computes as an int and truncates to the 16-bit field.
        let adv = target.wrapping_sub(m.advertised);
        let (bc_point, adv_win) = match ty {
            GroupMsgType::Join => (bc_snd_nxt, adv),
            GroupMsgType::Leave => (bc_snd_nxt, 0),
            GroupMsgType::Adv => (0, adv),
            GroupMsgType::Ack => (m.bc_rcv_nxt.get(), 0),
            GroupMsgType::Remit => (m.window, 0),
            GroupMsgType::Reclaim => (0, 0),
        };
        let repr = GroupProtoRepr {
            msg_type: ty,
            common: Common {
                flags: HdrFlags {
                    dest_droppable: true,
                    ..HdrFlags::default()
                },
                prevnode: own_node,
                ..Common::default()
            },
            ports: Ports {
                origport: own_port,
                destport: m.port,
                orignode: own_node,
                destnode: m.node,
            },
            bc_point,
            adv_win,
        };
        if fx.xmit.push(repr, flags).is_err() {
            return;
        }
        if matches!(ty, GroupMsgType::Join | GroupMsgType::Adv) {
            m.advertised = m.advertised.wrapping_add(adv);
        }
    }

    /// An event for member `i`, waiting for broadcast `seqno`.
    pub(super) fn event_for(&self, i: usize, kind: EventKind, seqno: Seqno) -> Option<MemberEvent> {
        let m = self.members.get(i)?;
        Some(MemberEvent {
            kind,
            group_type: self.group_type,
            instance: m.instance,
            node: m.node,
            port: m.port,
            own_node: self.own_node,
            own_port: self.own_port,
            bc_seqno: seqno,
        })
    }
}
