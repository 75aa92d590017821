// SPDX-License-Identifier: GPL-2.0

//! A neighbour node (`struct tipc_node`): its address, identity, capabilities and
//! signature, its links by bearer with the media address each reaches it at, which links
//! are active, its broadcast receive link, the node state and the node's timer.

use super::bc_rcv::BcRcv;
use super::identity::NodeId;
use super::state::{NodeEvent, NodeState};
use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::{BearerId, MAX_BEARERS};
use crate::proto::link::buf::PacketBuf;
use crate::proto::link::endpoint::Link;
use crate::proto::wire::consts::Caps;

/// `NODE_CLEANUP_AFTER`: a peer without a working link is forgotten after this long (ms).
pub(crate) const NODE_CLEANUP_AFTER: u64 = 300_000;
/// The node timer's interval before a link sets a shorter one (ms).
pub(crate) const SLOW_TIMER: u64 = 10_000;

/// A link to the peer and where the peer is on that bearer.
#[derive(Debug)]
pub(crate) struct LinkEntry<B> {
    /// The link.
    pub(crate) link: Link<B>,
    /// The peer's media address on the bearer.
    pub(crate) maddr: MediaAddr,
}

/// A neighbour.
#[derive(Debug)]
pub(crate) struct Peer<B> {
    pub(super) addr: u32,
    pub(super) id: NodeId,
    pub(super) caps: Caps,
    /// The signature of its discovery messages; `None` until one is accepted.
    pub(super) signature: Option<u16>,
    pub(super) state: NodeState,
    pub(super) links: [Option<LinkEntry<B>>; MAX_BEARERS],
    /// The bearers of the active links: both the best one, or two of equal priority.
    pub(super) active: [Option<BearerId>; 2],
    pub(super) working_links: u32,
    /// Its broadcasts, taken.
    pub(super) bc: BcRcv<B>,
    pub(super) keepalive_intv: u64,
    pub(super) timer: u64,
    pub(super) delete_at: u64,
}

impl<B: PacketBuf> Peer<B> {
    /// A peer discovered at `now` (`tipc_node_create`): "leaving" until it shows it reset.
    pub(crate) fn new(addr: u32, id: NodeId, caps: Caps, now: u64) -> Self {
        Self {
            addr,
            id,
            caps,
            signature: None,
            state: NodeState::SelfDownPeerLeaving,
            links: core::array::from_fn(|_| None),
            active: [None; 2],
            working_links: 0,
            bc: BcRcv::default(),
            keepalive_intv: SLOW_TIMER,
            timer: now + SLOW_TIMER,
            delete_at: now + NODE_CLEANUP_AFTER,
        }
    }

    /// Its address.
    pub(crate) const fn addr(&self) -> u32 {
        self.addr
    }

    /// Its identity.
    pub(crate) const fn id(&self) -> NodeId {
        self.id
    }

    /// Its capabilities.
    pub(crate) const fn caps(&self) -> Caps {
        self.caps
    }

    /// The node state.
    pub(crate) const fn state(&self) -> NodeState {
        self.state
    }

    /// Up: it has an active link (`node_is_up`).
    pub(crate) const fn is_up(&self) -> bool {
        self.active[0].is_some()
    }

    /// The link on `bearer`.
    pub(crate) fn link(&self, bearer: BearerId) -> Option<&Link<B>> {
        self.links.get(bearer.index())?.as_ref().map(|e| &e.link)
    }

    /// The bearers of the active links.
    pub(crate) const fn active(&self) -> [Option<BearerId>; 2] {
        self.active
    }

    /// Links that are up.
    pub(crate) const fn working_links(&self) -> u32 {
        self.working_links
    }

    /// The node timer's interval: the shortest of its links' (ms).
    pub(crate) const fn keepalive_intv(&self) -> u64 {
        self.keepalive_intv
    }

    /// When its timer is due.
    pub(crate) const fn deadline(&self) -> u64 {
        self.timer
    }

    /// Its broadcast receive link.
    pub(crate) const fn bc(&self) -> &BcRcv<B> {
        &self.bc
    }

    /// Its broadcast receive link, to zero its counters.
    pub(crate) fn bc_mut(&mut self) -> &mut BcRcv<B> {
        &mut self.bc
    }

    /// Number of links.
    pub(crate) fn link_cnt(&self) -> usize {
        self.links.iter().flatten().count()
    }

    pub(super) fn fsm(&mut self, evt: NodeEvent) {
        self.state = self.state.on(evt);
    }

    pub(super) fn entry(&mut self, bearer: BearerId) -> Option<&mut LinkEntry<B>> {
        self.links.get_mut(bearer.index())?.as_mut()
    }

    /// The link named `name`, to change.
    pub(crate) fn link_named_mut(&mut self, name: &[u8]) -> Option<&mut Link<B>> {
        self.links
            .iter_mut()
            .flatten()
            .map(|e| &mut e.link)
            .find(|l| l.name().as_bytes() == name)
    }

    /// A new largest window for the link on `b` (`TIPC_NL_LINK_SET`).
    pub(super) fn set_window(&mut self, b: BearerId, win: u32) {
        if let Some(e) = self.entry(b) {
            let min = e.link.min_win();
            e.link.set_queue_limits(min, win);
        }
    }

    /// The peer came back with other capabilities: its links read its messages by them.
    pub(super) fn update_caps(&mut self, caps: Caps) {
        if self.caps == caps {
            return;
        }
        self.caps = caps;
        for e in self.links.iter_mut().flatten() {
            e.link.update_caps(caps);
        }
    }
}
