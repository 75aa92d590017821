// SPDX-License-Identifier: GPL-2.0

//! One link endpoint: its configuration from the bearer, its sessions, its negotiated MTU,
//! tolerance and priority, and the counters supervision and (later) the reliable link use.

use super::buf::PacketBuf;
use super::deferred::Deferred;
use super::name::LinkName;
use super::reasm::Reasm;
use super::state::{LinkEvent, LinkState};
use super::stats::LinkStats;
use crate::kalloc::KVec;
use crate::proto::bearer::name::MAX_IF_NAME;
use crate::proto::bearer::table::Bearer;
use crate::proto::bearer::BearerId;
use crate::proto::node::identity::NodeId;
use crate::proto::wire::consts::{Caps, INT_H_SIZE};
use crate::proto::wire::ehdr::{EHDR_SIZE, TAG_SIZE};

/// `TIPC_MAX_PUBL`: bindings a bulk may carry.
const MAX_PUBL: u32 = 65535;
/// `ITEM_SIZE`: the size of one binding in a name distribution message.
const ITEM_SIZE: u32 = 20;

/// A link came up or went down, for the node layer (`TIPC_LINK_UP_EVT`,
/// `TIPC_LINK_DOWN_EVT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Change {
    /// The link may be taken up.
    Up,
    /// The link went down.
    Down,
}

/// Who the link is between.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Ends {
    /// This node's address.
    pub(crate) own_addr: u32,
    /// This node's identity.
    pub(crate) own_id: NodeId,
    /// The peer's address.
    pub(crate) peer_addr: u32,
    /// The peer's identity.
    pub(crate) peer_id: NodeId,
    /// The peer's capabilities.
    pub(crate) peer_caps: Caps,
}

/// A packet in the transmit queue, with its retransmission stamps (`TIPC_SKB_CB`).
#[derive(Debug)]
pub(crate) struct TxPkt<B> {
    pub(super) buf: B,
    pub(super) seqno: u16,
    /// Not retransmitted before this time (ms).
    pub(super) nxt_retr: u64,
    /// Times retransmitted.
    pub(super) retr_cnt: u32,
    /// When it was first retransmitted (ms).
    pub(super) retr_stamp: u64,
    /// Acknowledged: to be released.
    pub(super) acked: bool,
}

/// A socket waiting for a congested link (`link_schedule_user`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Waiter {
    /// Its port.
    pub(crate) port: u32,
    /// The importance it sends at.
    pub(super) imp: usize,
}

/// A link endpoint, holding packets of the glue's buffer type `B`.
#[derive(Debug)]
pub(crate) struct Link<B> {
    pub(super) name: LinkName,
    pub(super) bearer: BearerId,
    pub(super) if_name: [u8; MAX_IF_NAME],
    pub(super) own_addr: u32,
    pub(super) addr: u32,
    pub(super) peer_caps: Caps,
    pub(super) peer_bearer: u8,
    pub(super) state: LinkState,
    pub(super) session: u16,
    pub(super) peer_session: u16,
    pub(super) in_session: bool,
    pub(super) tolerance: u32,
    pub(super) priority: u32,
    pub(super) net_plane: u8,
    pub(super) advertised_mtu: u32,
    pub(super) mtu: u32,
    pub(super) min_mtu: u32,
    pub(super) abort_limit: u32,
    pub(super) silent_intv_cnt: u32,
    pub(super) rst_cnt: u16,
    pub(super) snd_nxt: u16,
    pub(super) rcv_nxt: u16,
    /// Packets taken since the last acknowledgement sent.
    pub(super) rcv_unacked: u16,
    pub(super) snd_nxt_state: u16,
    pub(super) rcv_nxt_state: u16,
    pub(super) checkpoint: u16,
    /// Sent and not yet acknowledged, in sequence (`transmq`).
    pub(super) transmq: KVec<TxPkt<B>>,
    /// Waiting for room in the window, in order (`backlogq`).
    pub(super) backlogq: KVec<B>,
    /// Packets of each importance in the backlog, and the limits.
    pub(super) backlog_len: [u32; IMPORTANCES],
    pub(super) backlog_limit: [u32; IMPORTANCES],
    /// Each importance's last backlogged packet, which the next message may join in a
    /// bundle (`target_bskb`), as a position counted from the link's first backlogged
    /// packet; `backlog_base` is the position of the backlog's head.
    pub(super) bundle_target: [Option<u64>; IMPORTANCES],
    pub(super) backlog_base: u64,
    /// Sockets to wake when their importance's backlog has room (`wakeupq`).
    pub(super) wakeupq: KVec<Waiter>,
    /// Received ahead of `rcv_nxt`, in sequence (`deferdq`).
    pub(super) deferdq: Deferred<B>,
    /// The message being reassembled.
    pub(super) reasm: Reasm<B>,
    /// Congestion control: the window, its bounds, the slow start threshold and the
    /// acknowledgements counted in congestion avoidance.
    pub(super) window: u32,
    pub(super) min_win: u32,
    pub(super) max_win: u32,
    pub(super) ssthresh: u32,
    pub(super) cong_acks: u32,
    /// Counters.
    pub(super) stats: LinkStats,
    /// Acknowledgements refused: beyond what was sent, or Gap ACK blocks out of order or
    /// out of range.
    pub(super) bogus_acks: u64,
}

/// Importance levels, `TIPC_LOW_IMPORTANCE` to `TIPC_SYSTEM_IMPORTANCE`.
pub(crate) const IMPORTANCES: usize = 5;

impl<B: PacketBuf> Link<B> {
    /// A new link on `bearer` between `ends`, with a random `session`; reset, so that it
    /// starts sending `RESET` (`tipc_link_create`, `tipc_link_reset`, `LINK_RESET_EVT`).
    pub(crate) fn new(bearer: &Bearer, ends: &Ends, session: u16) -> Self {
        let own = ends.own_id.link_name_part(ends.own_addr);
        let peer = ends.peer_id.link_name_part(ends.peer_addr);
        let mut l = Self {
            name: LinkName::new(&own, bearer.name.if_name(), &peer),
            bearer: bearer.id,
            if_name: bearer.name.if_name_field(),
            own_addr: ends.own_addr,
            addr: ends.peer_addr,
            peer_caps: ends.peer_caps,
            peer_bearer: 0,
            state: LinkState::Resetting,
            session,
            peer_session: 0,
            in_session: false,
            tolerance: bearer.props.tolerance,
            priority: bearer.props.priority,
            net_plane: bearer.id.net_plane(),
            advertised_mtu: bearer.props.mtu,
            mtu: bearer.props.mtu,
            min_mtu: bearer.min_mtu(),
            abort_limit: 0,
            silent_intv_cnt: 0,
            rst_cnt: 0,
            snd_nxt: 1,
            rcv_nxt: 1,
            rcv_unacked: 0,
            snd_nxt_state: 1,
            rcv_nxt_state: 1,
            checkpoint: 0,
            transmq: KVec::new(),
            backlogq: KVec::new(),
            backlog_len: [0; IMPORTANCES],
            backlog_limit: [0; IMPORTANCES],
            bundle_target: [None; IMPORTANCES],
            backlog_base: 0,
            wakeupq: KVec::new(),
            deferdq: Deferred::default(),
            reasm: Reasm::default(),
            window: 0,
            min_win: 0,
            max_win: 0,
            ssthresh: 0,
            cong_acks: 0,
            stats: LinkStats::default(),
            bogus_acks: 0,
        };
        l.set_queue_limits(bearer.props.min_win, bearer.props.max_win);
        l.reset();
        l.fsm(LinkEvent::Reset);
        l
    }

    /// `tipc_link_reset`: a new session, the advertised MTU again, counters from the start,
    /// the queues purged. Returns the sockets waiting for the link, which C wakes up here.
    pub(crate) fn reset(&mut self) -> KVec<Waiter> {
        self.in_session = false;
        self.peer_session = self.peer_session.wrapping_sub(1);
        self.session = self.session.wrapping_add(1);
        self.mtu = self.advertised_mtu;
        self.snd_nxt = 1;
        self.rcv_nxt = 1;
        self.rcv_unacked = 0;
        self.snd_nxt_state = 1;
        self.rcv_nxt_state = 1;
        self.silent_intv_cnt = 0;
        self.rst_cnt = 0;
        self.transmq.clear();
        self.backlogq.clear();
        self.backlog_len = [0; IMPORTANCES];
        self.bundle_target = [None; IMPORTANCES];
        self.deferdq.clear();
        self.reasm.purge();
        self.stats = LinkStats::default();
        let mut waiters = KVec::new();
        core::mem::swap(&mut waiters, &mut self.wakeupq);
        waiters
    }

    /// `tipc_link_set_queue_limits`: the window from `min_win` (slow start up to
    /// `max_win`), and each importance's backlog limit: 2, 4, 6 and 8 windows, and for
    /// system messages as many as a bulk of bindings takes (`TIPC_MAX_PUBL` over the items
    /// an MTU holds).
    pub(crate) fn set_queue_limits(&mut self, min_win: u32, max_win: u32) {
        let items = (self.mtu / ITEM_SIZE).max(1);
        self.min_win = min_win;
        self.ssthresh = max_win;
        self.max_win = max_win;
        self.window = min_win;
        self.backlog_limit = [
            min_win * 2,
            min_win * 4,
            min_win * 6,
            min_win * 8,
            MAX_PUBL / items,
        ];
    }

    /// The counters.
    pub(crate) const fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// Zeroes the counters (`TIPC_NL_LINK_RESET_STATS`).
    pub(crate) fn reset_stats(&mut self) {
        self.stats = LinkStats::default();
    }

    /// Acknowledgements refused as bogus.
    pub(crate) const fn bogus_acks(&self) -> u64 {
        self.bogus_acks
    }

    /// `tipc_link_mss`: the largest message sent whole, and the size of fragments and
    /// bundles: the MTU less a link header and the encryption overhead C reserves when built
    /// with `CONFIG_TIPC_CRYPTO` (as the test kernel's and distributions' modules are).
    pub(crate) const fn mss(&self) -> u32 {
        self.mtu
            .saturating_sub(INT_H_SIZE as u32)
            .saturating_sub((EHDR_SIZE + TAG_SIZE) as u32)
    }

    /// The smallest send window.
    pub(crate) const fn min_win(&self) -> u32 {
        self.min_win
    }

    /// The send window now.
    pub(crate) const fn window(&self) -> u32 {
        self.window
    }

    /// Packets in the transmit queue, in the backlog, and deferred.
    pub(crate) fn queue_lens(&self) -> (usize, usize, usize) {
        (self.transmq.len(), self.backlogq.len(), self.deferdq.len())
    }

    /// Senders waiting for room.
    pub(crate) fn waiting(&self) -> usize {
        self.wakeupq.len()
    }

    /// Each importance's backlog: packets, limit and senders waiting for room.
    #[cfg(test)]
    pub(crate) fn backlog(&self) -> [(u32, u32, usize); IMPORTANCES] {
        core::array::from_fn(|imp| {
            let waiting = self.wakeupq.iter().filter(|w| w.imp == imp).count();
            (self.backlog_len[imp], self.backlog_limit[imp], waiting)
        })
    }

    /// The next sequence number to send.
    pub(crate) const fn snd_nxt(&self) -> u16 {
        self.snd_nxt
    }

    /// Feeds the state machine; `Some(Down)` if the link went down.
    pub(crate) fn fsm(&mut self, evt: LinkEvent) -> Option<Change> {
        let (next, down) = self.state.on(evt);
        self.state = next;
        down.then_some(Change::Down)
    }

    /// The state.
    pub(crate) const fn state(&self) -> LinkState {
        self.state
    }

    /// Up (`ESTABLISHED`).
    pub(crate) const fn is_up(&self) -> bool {
        self.state.is_up()
    }

    /// The name.
    pub(crate) const fn name(&self) -> &LinkName {
        &self.name
    }

    /// This node's address.
    pub(crate) const fn own_addr(&self) -> u32 {
        self.own_addr
    }

    /// The bearer it runs on.
    pub(crate) const fn bearer(&self) -> BearerId {
        self.bearer
    }

    /// The peer's bearer, as its messages say.
    pub(crate) const fn peer_bearer(&self) -> u8 {
        self.peer_bearer
    }

    /// `tipc_link_id`: the peer's bearer above this one's.
    pub(crate) const fn id(&self) -> u32 {
        (self.peer_bearer as u32) << 16 | self.bearer.index() as u32
    }

    /// The priority, which may have been raised by the peer's.
    pub(crate) const fn priority(&self) -> u32 {
        self.priority
    }

    /// The tolerance (ms), which the peer may have changed.
    pub(crate) const fn tolerance(&self) -> u32 {
        self.tolerance
    }

    /// The network plane, 0 for 'A'.
    pub(crate) const fn net_plane(&self) -> u8 {
        self.net_plane
    }

    /// The MTU: the smaller of this end's and the peer's.
    pub(crate) const fn mtu(&self) -> u32 {
        self.mtu
    }

    /// The current session; the peer's, once in session.
    pub(crate) const fn sessions(&self) -> (u16, Option<u16>) {
        let peer = if self.in_session {
            Some(self.peer_session)
        } else {
            None
        };
        (self.session, peer)
    }

    /// `tipc_link_set_abort_limit`: supervision intervals without a word from the peer
    /// after which the link fails.
    pub(crate) fn set_abort_limit(&mut self, limit: u32) {
        self.abort_limit = limit;
    }

    /// `tipc_link_update_caps`: the peer announced other capabilities.
    pub(crate) fn update_caps(&mut self, caps: Caps) {
        self.peer_caps = caps;
    }
}
