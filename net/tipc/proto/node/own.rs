// SPDX-License-Identifier: GPL-2.0

//! This node: its identity, its address and the address trial that precedes it, the
//! network id and the random signature it announces (the identity part of `tipc_net`).
//!
//! A node given an identity but no address tries the address its identity hashes to: for
//! `TRIAL_PERIOD` ms its discovery messages are `TRIAL`s, peers that know of a conflict
//! answer `TRIAL_FAIL` with a suggestion, which restarts the trial; when the period ends
//! without one, the trial address becomes the node's address.

use super::identity::NodeId;
use crate::proto::errno::Errno;

/// The network id a namespace starts with.
pub(crate) const DEF_NET_ID: u32 = 4711;
/// How long an address trial lasts (ms).
pub(crate) const TRIAL_PERIOD: u64 = 1000;

/// The identity was already set (`tipc_net_init`: "Cannot configure node identity twice").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct AlreadySet;

/// This node as the cluster sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OwnNode {
    id: Option<NodeId>,
    addr: u32,
    trial_addr: u32,
    trial_end: u64,
    net_id: u32,
    random: u32,
    net_hash: u32,
    legacy: bool,
}

/// What `TIPC_NL_NET_SET` asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct NetSet {
    /// `TIPC_NLA_NET_ID`.
    pub(crate) net_id: Option<u32>,
    /// `TIPC_NLA_NET_ADDR`.
    pub(crate) addr: Option<u32>,
    /// `TIPC_NLA_NET_NODEID` and `_W1`, as the 16 bytes they make (`None` for a word missing:
    /// `EINVAL`).
    pub(crate) node_id: Option<Option<[u8; 16]>>,
}

impl OwnNode {
    /// A node with no identity and no address. `random` is the namespace's random value
    /// (`tn->random`), `net_hash` what `tipc_net_hash_mixes` gives for it.
    pub(crate) const fn new(random: u32, net_hash: u32) -> Self {
        Self {
            id: None,
            addr: 0,
            trial_addr: 0,
            trial_end: 0,
            net_id: DEF_NET_ID,
            random,
            net_hash,
            legacy: false,
        }
    }

    /// `__tipc_nl_net_set`, in C's order: `EPERM` once the node has an address; a network
    /// id outside 1..=9999 or an address of 0 is `EINVAL`; an address switches to the legacy
    /// address format and, on a node with no identity yet, becomes the address at once; an
    /// identity needs both words (`EINVAL`) and is taken if there is none yet. Earlier parts
    /// stay applied when a later one fails, as in C. Returns the address if one was set.
    pub(crate) fn net_set(&mut self, req: &NetSet, now: u64) -> Result<Option<u32>, Errno> {
        if self.addr != 0 {
            return Err(Errno::EPERM);
        }
        if let Some(id) = req.net_id {
            if !(1..=9999).contains(&id) {
                return Err(Errno::EINVAL);
            }
            self.net_id = id;
        }
        let mut set = None;
        if let Some(addr) = req.addr {
            if addr == 0 {
                return Err(Errno::EINVAL);
            }
            self.legacy = true;
            if self.id.is_none() {
                self.set_addr(addr, now);
                set = Some(addr);
            }
        }
        if let Some(id) = req.node_id {
            let id = id.ok_or(Errno::EINVAL)?;
            if let Some(id) = NodeId::from_bytes(&id) {
                let _ = self.set_id(id);
            }
        }
        Ok(set)
    }

    /// `tipc_in_scope`: whether `addr` is within `domain` (0 is every node); with the legacy
    /// address format also a zone or cluster domain.
    pub(crate) const fn in_scope(&self, domain: u32, addr: u32) -> bool {
        const ZONE: u32 = 0xff00_0000;
        const ZONE_CLUSTER: u32 = 0xffff_f000;
        if domain == 0 || domain == addr {
            return true;
        }
        self.legacy && (domain == addr & ZONE_CLUSTER || domain == addr & ZONE)
    }

    /// Whether addresses are in the legacy format (`Z.C.N`), since `TIPC_NL_NET_SET` gave
    /// one.
    pub(crate) const fn legacy(&self) -> bool {
        self.legacy
    }

    /// The identity, once set.
    pub(crate) const fn id(&self) -> Option<NodeId> {
        self.id
    }

    /// The address, 0 until set or tried.
    pub(crate) const fn addr(&self) -> u32 {
        self.addr
    }

    /// The address discovery messages carry: the one on trial, or the address.
    pub(crate) const fn trial_addr(&self) -> u32 {
        self.trial_addr
    }

    /// The network id.
    pub(crate) const fn net_id(&self) -> u32 {
        self.net_id
    }

    /// The random value; its low 16 bits are the signature discovery carries.
    pub(crate) const fn random(&self) -> u32 {
        self.random
    }

    /// The network hash discovery carries.
    pub(crate) const fn net_hash(&self) -> u32 {
        self.net_hash
    }

    /// `tipc_set_node_id`: sets the identity, whose hash becomes the trial address.
    pub(crate) fn set_id(&mut self, id: NodeId) -> Result<(), AlreadySet> {
        if self.id.is_some() {
            return Err(AlreadySet);
        }
        self.id = Some(id);
        self.trial_addr = id.hash();
        Ok(())
    }

    /// `tipc_set_node_addr`: sets the address (making the identity of its hex digits if
    /// there is none) and ends any trial.
    pub(crate) fn set_addr(&mut self, addr: u32, now: u64) {
        self.addr = addr;
        if self.id.is_none() {
            self.id = Some(NodeId::from_addr(addr));
        }
        self.trial_addr = addr;
        self.trial_end = now;
    }

    /// Starts (or extends) a trial of the trial address, when a bearer is enabled on a node
    /// without an address.
    pub(crate) fn start_trial(&mut self, now: u64) {
        self.trial_end = now.saturating_add(TRIAL_PERIOD);
    }

    /// Whether the trial is under way: no address, and the period not over.
    pub(crate) const fn in_trial(&self, now: u64) -> bool {
        self.addr == 0 && now < self.trial_end
    }

    /// A peer refused the trial address and suggested `sugg`: try that one, from now.
    pub(crate) fn retry(&mut self, sugg: u32, now: u64) {
        self.trial_addr = sugg;
        self.start_trial(now);
    }

    /// `tipc_net_finalize`: once the trial is over, the trial address becomes the address.
    /// Returns it if it was set now.
    pub(crate) fn finalize(&mut self, now: u64) -> Option<u32> {
        if self.addr != 0 || self.in_trial(now) || self.id.is_none() {
            return None;
        }
        self.set_addr(self.trial_addr, now);
        Some(self.addr)
    }
}
