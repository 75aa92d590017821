// SPDX-License-Identifier: GPL-2.0

//! Sending in a group (`tipc_send_group_*`): choosing destinations, the header every group
//! message carries, and what each send spends. The glue checks first ([`Group::cong`],
//! [`Group::bc_cong`], waiting while they say congested), builds the message from
//! [`GroupHeader::repr`], sends it, then records it ([`Group::ucast_sent`],
//! [`Group::bc_sent`]).
//!
//! - Unicast (`TIPC_SOCKET_ADDR`): `EHOSTUNREACH` for node and port 0, then wait until
//!   `cong` is clear; `NotMember` is `EHOSTUNREACH`.
//! - Anycast (`TIPC_SERVICE_ADDR`): up to [`ANYCAST_LOOKUPS`] rounds of
//!   [`Group::anycast_pick`]: `NotMember` starts the next round; `Clear` sends (unless the
//!   link is congested); `Congested` waits on `cong` for that member, then sends if it is
//!   still a member, else starts the next round. After the last round, `EHOSTUNREACH`.
//! - Multicast (`TIPC_SERVICE_RANGE`): [`Group::mcast_plan`]: one destination goes as a
//!   unicast to it, more as a broadcast carrying the instance.
//! - Broadcast (no address): wait until `bc_cong` is clear, then [`Group::bc_header`]
//!   (`EHOSTUNREACH` with no member) and send to [`Group::bc_dests`].

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::errno::Errno;
use crate::proto::name_table::addr::{Scope, SocketAddr};
use crate::proto::name_table::lookup::NodeList;
use crate::proto::name_table::table::NameTable;
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::{DataType, ErrorCode, Importance, LookupScope, GROUP_H_SIZE};
use crate::proto::wire::data::DataRepr;
use crate::proto::wire::header::Flags as HdrFlags;

use super::effects::{Effects, Outcome};
use super::flow::SendCheck;
use super::recv::SendKind;
use super::state::Group;

/// The flow control blocks a group message of `dlen` data bytes spends (`tsk_blocks` of
/// the 44-byte group header and the data).
pub(crate) fn send_blocks(dlen: usize) -> u16 {
    crate::proto::conn::flow::blocks(GROUP_H_SIZE + dlen)
}

/// Look-up rounds an anycast makes before `EHOSTUNREACH` (C's `++lookups < 4`).
pub(crate) const ANYCAST_LOOKUPS: u32 = 3;

/// The group fields of a data message's header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct GroupHeader {
    /// The message type: a group broadcast, multicast, unicast or membership event.
    pub(crate) msg_type: DataType,
    /// The destination node (0 for a broadcast).
    pub(crate) destnode: u32,
    /// The destination port (0 for a broadcast).
    pub(crate) destport: u32,
    /// The group's type (word 8).
    pub(crate) name_type: u32,
    /// Word 9: a multicast's instance, else what the socket's last group send left.
    pub(crate) word9: u32,
    /// Word 10: the broadcast number (bits 16-31) and the acknowledgement request (bit 0).
    pub(crate) word10: u32,
    /// The group's scope as the lookup scope.
    pub(crate) lookup_scope: LookupScope,
}

impl GroupHeader {
    /// The whole 44-byte header for a message from `orig` of importance `importance`
    /// (`dest_droppable` set, as the C module's group sockets set it).
    pub(crate) fn repr(&self, importance: Importance, orig: SocketAddr) -> DataRepr {
        DataRepr {
            importance,
            msg_type: self.msg_type,
            common: Common {
                flags: HdrFlags {
                    dest_droppable: true,
                    ..HdrFlags::default()
                },
                prevnode: orig.node,
                ..Common::default()
            },
            errcode: ErrorCode::Ok,
            reroute_cnt: 0,
            lookup_scope: self.lookup_scope,
            header_len: GROUP_H_SIZE,
            origport: orig.port,
            destport: self.destport,
            orignode: orig.node,
            destnode: self.destnode,
            name_type: self.name_type,
            name_lower: self.word9,
            name_upper: self.word10,
        }
    }
}

/// What an anycast round found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Anycast {
    /// A member whose window holds the message.
    Clear(SocketAddr),
    /// Every member tried was congested; wait for this one, the first tried.
    Congested(SocketAddr),
    /// The binding found is not (yet) a member that may receive: try another round.
    NotMember,
}

/// How a multicast goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum McastPlan {
    /// One member has the instance: a unicast to it.
    Unicast(SocketAddr),
    /// Several: a broadcast carrying the instance.
    Broadcast,
}

impl<M> Group<M> {
    /// The header fields every group send shares.
    fn header(&self, kind: SendKind, dest: SocketAddr) -> GroupHeader {
        GroupHeader {
            msg_type: kind.data_type(),
            destnode: dest.node,
            destport: dest.port,
            name_type: self.group_type,
            word9: self.hdr_inst,
            word10: (u32::from(self.bc_snd_nxt.get()) << 16) | u32::from(self.hdr_ack_req),
            lookup_scope: match self.scope {
                Scope::Node => LookupScope::NODE,
                Scope::Cluster => LookupScope::CLUSTER,
            },
        }
    }

    /// The header of a unicast or anycast to `dest` (`tipc_send_group_msg`).
    pub(crate) fn ucast_header(&self, dest: SocketAddr) -> GroupHeader {
        self.header(SendKind::Ucast, dest)
    }

    /// A unicast of `blks` to `dest` was sent (even if its link was congested): spends the
    /// window, and makes the next broadcast ask for acknowledgements so that it cannot
    /// overtake this message on another path.
    pub(crate) fn ucast_sent(&mut self, dest: SocketAddr, blks: u16) {
        if let Some(i) = self.find(dest.node, dest.port) {
            self.update_member(i, blks);
        }
        self.rcast = true;
        self.mandatory = true;
    }

    /// One anycast round (the inner loop of `tipc_send_group_anycast`): looks up members of
    /// `instance` round-robin, leaving this socket out unless loopback, until one is clear
    /// or the first congested one comes round again. `EHOSTUNREACH` when none is bound.
    pub(crate) fn anycast_pick(
        &mut self,
        table: &mut NameTable,
        instance: u32,
        blks: u16,
        flags: Flags,
    ) -> Result<Outcome<Anycast, M>, Errno> {
        let mut effects = Effects::default();
        let mut out = KVec::new();
        let mut first = None;
        let exclude = self.exclude();
        // Each congested try is a different member until the first comes round again.
        for _ in 0..=self.members.len() {
            out.clear();
            let n = table
                .lookup_group(
                    self.group_type,
                    instance,
                    self.scope,
                    exclude,
                    false,
                    &mut out,
                    flags,
                )
                .map_err(|_| Errno::ENOMEM)?;
            let Some(&dest) = out.first().filter(|_| n > 0) else {
                return Err(Errno::EHOSTUNREACH);
            };
            let value = match self.cong_into(dest.node, dest.port, blks, &mut effects, flags) {
                SendCheck::Clear => Anycast::Clear(dest),
                SendCheck::NotMember => Anycast::NotMember,
                SendCheck::Congested if first == Some(dest) => Anycast::Congested(dest),
                SendCheck::Congested => {
                    if first.is_none() {
                        first = Some(dest);
                    }
                    continue;
                }
            };
            return Ok(Outcome { value, effects });
        }
        let value = first.map_or(Anycast::NotMember, Anycast::Congested);
        Ok(Outcome { value, effects })
    }

    /// How a multicast to `instance` goes (`tipc_send_group_mcast`); `EHOSTUNREACH` when no
    /// member other than this socket (unless loopback) has it.
    pub(crate) fn mcast_plan(
        &self,
        table: &mut NameTable,
        instance: u32,
        flags: Flags,
    ) -> Result<McastPlan, Errno> {
        let mut out = KVec::new();
        let n = table
            .lookup_group(
                self.group_type,
                instance,
                self.scope,
                self.exclude(),
                true,
                &mut out,
                flags,
            )
            .map_err(|_| Errno::ENOMEM)?;
        match (n, out.first()) {
            (0, _) | (_, None) => Err(Errno::EHOSTUNREACH),
            (1, Some(&dest)) => Ok(McastPlan::Unicast(dest)),
            _ => Ok(McastPlan::Broadcast),
        }
    }

    /// The nodes a broadcast goes to: every member's, in any state (`tipc_group_dests`);
    /// this node's members get it through the local multicast delivery.
    pub(crate) fn bc_dests(&self, flags: Flags) -> Result<NodeList, AllocError> {
        let mut list = NodeList::default();
        for m in self.members.iter() {
            if m.node == self.own_node {
                list.local = true;
            } else if list.remote.last() != Some(&m.node) {
                list.remote.push(m.node, flags)?;
            }
        }
        Ok(list)
    }

    /// The header of a broadcast, or of a multicast to `instance`
    /// (`tipc_send_group_bcast`); `EHOSTUNREACH` with no member at all. It asks for
    /// acknowledgements if a unicast or the join went since the last broadcast and
    /// broadcasts go as replicast.
    pub(crate) fn bc_header(&mut self, instance: Option<u32>) -> Result<GroupHeader, Errno> {
        if self.members.is_empty() {
            return Err(Errno::EHOSTUNREACH);
        }
        self.hdr_inst = instance.unwrap_or(0);
        self.hdr_ack_req = self.mandatory && self.rcast;
        let kind = if instance.is_some() {
            SendKind::Mcast
        } else {
            SendKind::Bcast
        };
        Ok(self.header(kind, SocketAddr::default()))
    }

    /// Whether the broadcast layer must keep its method for the next broadcast
    /// (`mc_method.mandatory`).
    pub(crate) fn method_mandatory(&self) -> bool {
        self.mandatory
    }

    /// Whether broadcasts go as replicast (`mc_method.rcast`).
    pub(crate) fn method_rcast(&self) -> bool {
        self.rcast
    }

    /// The broadcast of `blks` went, as replicast if `rcast` (the method the broadcast
    /// layer used; unchanged when it had no other node to reach):
    /// spends every receiver's window, numbers the next, and waits for every receiver's
    /// `GRP_ACK` if the header asked (`tipc_group_update_bc_members`).
    pub(crate) fn bc_sent(&mut self, blks: u16, rcast: bool) {
        let ack = self.hdr_ack_req;
        let prev = self.bc_snd_nxt.sub(1);
        let mut ackers: u16 = 0;
        for i in 0..self.members.len() {
            self.update_member(i, blks);
            if let Some(m) = self.members.get_mut(i) {
                if m.is_receiver() {
                    m.bc_acked = prev;
                    m.owes_ack = ack;
                    ackers = ackers.saturating_add(1);
                } else {
                    m.owes_ack = false;
                }
            }
        }
        if ack {
            self.bc_ackers = ackers;
        }
        self.bc_snd_nxt = self.bc_snd_nxt.add(1);
        self.mandatory = false;
        self.rcast = rcast;
    }
}
