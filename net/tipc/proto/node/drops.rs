// SPDX-License-Identifier: GPL-2.0

//! Packets the cluster dropped, counted by reason.

use crate::proto::discovery::receive::DiscDrop;
use crate::proto::wire::error::{Error, RejectCounters};

/// Drop counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Drops {
    /// Malformed packets, by the wire's reason.
    pub(crate) malformed: RejectCounters,
    /// Discovery messages, by reason.
    pub(crate) corrupt: u64,
    /// This node's own discovery messages.
    pub(crate) own: u64,
    /// Discovery and broadcast packets of another network id.
    pub(crate) net_id: u64,
    /// Non-trial discovery during this node's trial.
    pub(crate) in_trial: u64,
    /// `TRIAL_FAIL`s not for this node's trial.
    pub(crate) trial_fail: u64,
    /// A sender using this node's address.
    pub(crate) duplicate_address: u64,
    /// Discovery for another domain, or from outside the bearer's.
    pub(crate) out_of_scope: u64,
    /// Packets on a bearer that is not enabled.
    pub(crate) no_bearer: u64,
    /// Link packets for another node.
    pub(crate) not_for_us: u64,
    /// Link packets from a node without a link on the bearer, or none at all.
    pub(crate) unknown_peer: u64,
    /// Link protocol messages refused by the session rules, the link's or the node's state,
    /// and packets acknowledging more than was sent (not of the link's session).
    pub(crate) refused: u64,
    /// Broadcast packets from a peer whose broadcast receive link is not up, broadcast
    /// NACKs of the older kind and broadcast link protocol messages.
    pub(crate) broadcast: u64,
    /// Packets taken in sequence whose user nothing handles yet (failover, crypto), and
    /// unreadable broadcast synchronisation messages.
    pub(crate) unhandled: u64,
    /// Sequenced packets already received, or too far ahead.
    pub(crate) duplicates: u64,
    /// Sequenced packets ahead of the next one: kept in the deferred queue (not dropped;
    /// counted here as the link's `deferred_recv`), or dropped as duplicates.
    pub(crate) out_of_order: u64,
    /// Outputs lost to a failed allocation.
    pub(crate) nomem: u64,
}

fn bump(c: &mut u64) {
    *c = c.saturating_add(1);
}

impl Drops {
    /// Counts a malformed packet.
    pub(crate) fn malformed(&mut self, e: Error) {
        self.malformed.record(e);
    }

    /// Counts a discovery message dropped for `why`.
    pub(crate) fn discovery(&mut self, why: DiscDrop) {
        bump(match why {
            DiscDrop::Corrupt => &mut self.corrupt,
            DiscDrop::Own => &mut self.own,
            DiscDrop::NetId => &mut self.net_id,
            DiscDrop::InTrial => &mut self.in_trial,
            DiscDrop::TrialFail => &mut self.trial_fail,
            DiscDrop::DuplicateAddress => &mut self.duplicate_address,
            DiscDrop::NotForUs | DiscDrop::OutOfDomain => &mut self.out_of_scope,
        });
    }

    /// Counts one in `c`.
    pub(crate) fn count(c: &mut u64) {
        bump(c);
    }

    /// Every drop but the wire's (deferred packets are not dropped).
    pub(crate) fn total(&self) -> u64 {
        [
            self.corrupt,
            self.own,
            self.net_id,
            self.in_trial,
            self.trial_fail,
            self.duplicate_address,
            self.out_of_scope,
            self.no_bearer,
            self.not_for_us,
            self.unknown_peer,
            self.refused,
            self.broadcast,
            self.unhandled,
            self.duplicates,
            self.nomem,
        ]
        .iter()
        .fold(self.malformed.total(), |a, c| a.saturating_add(*c))
    }
}
