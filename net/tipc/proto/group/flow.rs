// SPDX-License-Identifier: GPL-2.0

//! Group flow control in 1 KiB blocks. Each member advertises to each other member a
//! window: `ADV_IDLE` to a member that does not send to it, `ADV_ACTIVE` to at most
//! `max_active` members that do. A sender spends its window per message and waits for
//! `GRP_ADV` when it is spent; a receiver advertises again as the reader consumes, takes
//! the active window back from its oldest active sender (`GRP_RECLAIM`, answered by
//! `GRP_REMIT`) when too many want it, and sizes the socket's receive buffer for all.

use crate::kalloc::Flags;
use crate::proto::conn::flow::FLOWCTL_BLK_SZ;
use crate::proto::wire::group_proto::GroupMsgType;

use super::effects::{Effects, Outcome};
use super::member::{MbrState, Queue};
use super::state::Group;
use super::{ADV_ACTIVE, ADV_IDLE};

/// Whether a send to one member may go now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendCheck {
    /// The member's window holds the message.
    Clear,
    /// The window is spent: wait (or `EAGAIN`) until an advertisement wakes the socket.
    Congested,
    /// Not a member that may receive (`EHOSTUNREACH` for a unicast).
    NotMember,
}

impl<M> Group<M> {
    /// Spends `blks` of our window to member `i` and files it on the small-window list if
    /// the window fell below `ADV_IDLE` (`tipc_group_update_member`).
    pub(super) fn update_member(&mut self, i: usize, blks: u16) {
        let s = self.next_stamp();
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        if !m.is_receiver() {
            return;
        }
        m.window = match m.window.checked_sub(blks) {
            Some(w) => w,
            None => {
                self.clamped = self.clamped.saturating_add(1);
                0
            }
        };
        if m.window >= ADV_IDLE {
            return;
        }
        m.small_win = Some(s);
    }

    /// Whether `blks` may go to member `port` on `node` now (`tipc_group_cong`). A
    /// congested check closes the group and, unless the member already has all we may
    /// advertise to it, advertises to it so that neither side waits for the other.
    pub(crate) fn cong(
        &mut self,
        node: u32,
        port: u32,
        blks: u16,
        flags: Flags,
    ) -> Outcome<SendCheck, M> {
        let mut effects = Effects::default();
        let value = self.cong_into(node, port, blks, &mut effects, flags);
        Outcome { value, effects }
    }

    /// [`Group::cong`] into `fx`.
    pub(super) fn cong_into(
        &mut self,
        node: u32,
        port: u32,
        blks: u16,
        fx: &mut Effects<M>,
        flags: Flags,
    ) -> SendCheck {
        let Some(i) = self.find(node, port) else {
            return SendCheck::NotMember;
        };
        let Some(m) = self.members.get(i) else {
            return SendCheck::NotMember;
        };
        if !m.is_receiver() {
            return SendCheck::NotMember;
        }
        if m.window >= blks {
            return SendCheck::Clear;
        }
        self.open = false;
        let full = match m.state {
            MbrState::Joined | MbrState::Pending => m.advertised == ADV_IDLE,
            MbrState::Active => m.advertised == ADV_ACTIVE,
            _ => false,
        };
        if !full {
            self.proto_xmit(i, GroupMsgType::Adv, fx, flags);
        }
        SendCheck::Congested
    }

    /// Whether a broadcast of `blks` may go now (`tipc_group_bc_cong`): not while the last
    /// replicast still waits for acknowledgements, nor while the smallest window is too
    /// small. Beyond C, a receiver off the small-window list whose window is below `blks`
    /// (a small advertisement took it off the list) counts too, so no window is overdrawn
    /// where C's 16-bit window would wrap.
    pub(crate) fn bc_cong(&mut self, blks: u16, flags: Flags) -> Outcome<bool, M> {
        let mut effects = Effects::default();
        let value = if self.bc_ackers != 0 {
            self.open = false;
            true
        } else {
            let short = self
                .small_win_head()
                .filter(|&i| self.members.get(i).is_some_and(|m| m.window < blks))
                .or_else(|| {
                    self.members
                        .iter()
                        .position(|m| m.is_receiver() && m.window < blks)
                });
            match short.and_then(|i| self.members.get(i)) {
                Some(m) => {
                    let (node, port) = (m.node, m.port);
                    self.cong_into(node, port, blks, &mut effects, flags) != SendCheck::Clear
                }
                _ => false,
            }
        };
        Outcome { value, effects }
    }

    /// The reader consumed a message of `blks` from member `port` on `node`, or a
    /// multicast for another instance was dropped (`tipc_group_update_rcv_win`): advertise
    /// again, make the member active or pending, reclaim from the oldest active member.
    pub(crate) fn consumed(&mut self, node: u32, port: u32, blks: u16, flags: Flags) -> Effects<M> {
        let mut fx = Effects::default();
        if let Some(i) = self.find(node, port) {
            self.update_rcv_win(i, blks, &mut fx, flags);
        }
        fx
    }

    /// [`Group::consumed`] for member `i`, into `fx`.
    pub(super) fn update_rcv_win(
        &mut self,
        i: usize,
        blks: u16,
        fx: &mut Effects<M>,
        flags: Flags,
    ) {
        let max_active = self.max_active;
        let reclaim_limit = max_active * 3 / 4;
        let active_cnt = self.active_cnt;
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        m.advertised = match m.advertised.checked_sub(blks) {
            Some(a) => a,
            None => {
                self.clamped = self.clamped.saturating_add(1);
                0
            }
        };
        match m.state {
            MbrState::Joined => {
                if active_cnt <= max_active {
                    m.state = MbrState::Active;
                    self.enqueue(i, Queue::Active);
                    self.active_cnt = self.active_cnt.saturating_add(1);
                    self.proto_xmit(i, GroupMsgType::Adv, fx, flags);
                } else {
                    m.state = MbrState::Pending;
                    self.enqueue(i, Queue::Pending);
                }
                if active_cnt < reclaim_limit {
                    return;
                }
                if let Some(r) = self.queue_head(Queue::Active) {
                    if let Some(rm) = self.members.get_mut(r) {
                        rm.state = MbrState::Reclaiming;
                        rm.queue = None;
                    }
                    self.proto_xmit(r, GroupMsgType::Reclaim, fx, flags);
                } else if let Some(p) = self.queue_head(Queue::Pending) {
                    if let Some(pm) = self.members.get_mut(p) {
                        pm.queue = None;
                        pm.state = MbrState::Joined;
                    }
                    self.proto_xmit(p, GroupMsgType::Adv, fx, flags);
                }
            }
            MbrState::Active => {
                let advertised = m.advertised;
                self.enqueue(i, Queue::Active);
                if advertised <= ADV_ACTIVE * 3 / 4 {
                    self.proto_xmit(i, GroupMsgType::Adv, fx, flags);
                }
            }
            MbrState::Remitted => {
                if m.advertised > ADV_IDLE {
                    return;
                }
                m.state = MbrState::Joined;
                let short = m.advertised < ADV_IDLE;
                self.decr_active();
                if short {
                    self.proto_xmit(i, GroupMsgType::Adv, fx, flags);
                }
                self.activate_pending(fx, flags, true);
            }
            _ => {}
        }
    }

    /// Makes the oldest pending member active and advertises to it, if `always` or if it
    /// has used a quarter of the active window.
    pub(super) fn activate_pending(&mut self, fx: &mut Effects<M>, flags: Flags, always: bool) {
        let Some(p) = self.queue_head(Queue::Pending) else {
            return;
        };
        let Some(pm) = self.members.get_mut(p) else {
            return;
        };
        pm.state = MbrState::Active;
        let advertised = pm.advertised;
        self.enqueue(p, Queue::Active);
        self.active_cnt = self.active_cnt.saturating_add(1);
        if always || advertised <= ADV_ACTIVE * 3 / 4 {
            self.proto_xmit(p, GroupMsgType::Adv, fx, flags);
        }
    }

    /// The receive buffer the group needs (`tipc_group_rcvbuf_limit`): the active window
    /// for up to `max_active` members (an eighth of them, 16 to 64), the idle window for
    /// the rest, in bytes, times four for the buffers' overhead. Sets `max_active`.
    /// Beyond C (whose `int` overflows past about 7300 members), it saturates.
    pub(super) fn rcvbuf_limit(&mut self) -> u32 {
        let mcnt = i64::try_from(self.members.len()).unwrap_or(i64::MAX / 2) + 1;
        let max_active = (mcnt / 8).clamp(16, 64);
        self.max_active = max_active as u16;
        let active_pool = max_active * i64::from(ADV_ACTIVE);
        let idle_pool = (mcnt - max_active) * i64::from(ADV_IDLE);
        let bytes = (active_pool + idle_pool) * FLOWCTL_BLK_SZ as i64 * 4;
        bytes.clamp(0, i64::from(i32::MAX)) as u32
    }
}
