// SPDX-License-Identifier: GPL-2.0

//! One subscription as the server keeps it, and the rules for its events
//! (`tipc_sub_subscribe`, `tipc_sub_report_overlap`, `tipc_sub_send_event`).

use crate::proto::name_table::addr::{Scope, ServiceRange};
use crate::proto::name_table::btree::Entry;
use crate::proto::name_table::publication::Publication;
use crate::proto::wire::field::write_bytes;
use crate::proto::wire::topsrv::{
    ByteOrder, Subscription, EVENT_LEN, SUBSCR_LEN, SUB_CANCEL, SUB_PORTS, WAIT_FOREVER,
};

/// Filter: only publications of cluster scope (the C module's own bit, which a user may set
/// too).
pub(crate) const SUB_CLUSTER_SCOPE: u32 = 0x20;
/// Filter: only publications of node scope.
pub(crate) const SUB_NODE_SCOPE: u32 = 0x40;
/// Filter: no events for what exists when the subscription is made.
pub(crate) const SUB_NO_STATUS: u32 = 0x80;

/// Where a subscription sits in the registry: its service type, then newest first, the
/// order in which the C module walks a service's subscriptions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct SubKey {
    /// The service type.
    pub(crate) ty: u32,
    /// `u64::MAX` less the subscription's sequence number: newer sorts first.
    pub(crate) newest_first: u64,
}

impl SubKey {
    /// The key of subscription number `seq` of type `ty`.
    pub(crate) const fn new(ty: u32, seq: u64) -> Self {
        Self {
            ty,
            newest_first: u64::MAX - seq,
        }
    }

    /// The smallest key of type `ty`.
    pub(crate) const fn first(ty: u32) -> Self {
        Self {
            ty,
            newest_first: 0,
        }
    }

    /// The largest key of type `ty`.
    pub(crate) const fn last(ty: u32) -> Self {
        Self {
            ty,
            newest_first: u64::MAX,
        }
    }
}

/// What a subscription's 28 bytes ask for, once read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Request {
    /// A new subscription.
    Subscribe(Subscription),
    /// Cancel the subscription whose bytes, as sent, are these.
    Cancel([u8; SUBSCR_LEN]),
}

impl Request {
    /// Reads the first 28 bytes of a message; `None` when the request is illegal (both
    /// `PORTS` and `SERVICE`, or `lower` above `upper`), which ends the connection.
    pub(crate) fn parse(raw: &[u8; SUBSCR_LEN]) -> Option<Self> {
        let filter_bytes = [raw[16], raw[17], raw[18], raw[19]];
        let order = ByteOrder::detect(filter_bytes);
        let filter = order.read(filter_bytes);
        if filter & SUB_CANCEL != 0 {
            // The subscription to cancel is the one sent with the cancel bit clear, written
            // back in the order the bits now reveal, as `tipc_sub_write` does.
            let mut target = *raw;
            write_bytes(&mut target, 16, &order.write(filter & !SUB_CANCEL));
            return Some(Self::Cancel(target));
        }
        Subscription::parse(raw).ok().map(Self::Subscribe)
    }
}

/// A live subscription.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Sub {
    /// Its place in the registry.
    pub(crate) key: SubKey,
    /// The range subscribed to.
    pub(crate) lower: u32,
    /// The range's upper end.
    pub(crate) upper: u32,
    /// The `SUB_*` bits, in host order.
    pub(crate) filter: u32,
    /// The subscriber's byte order.
    pub(crate) order: ByteOrder,
    /// The subscription as the subscriber sent it; every event echoes it.
    pub(crate) raw: [u8; SUBSCR_LEN],
    /// The port of the server's end of the connection that made it.
    pub(crate) conn: u32,
    /// When it times out (ms), if ever.
    pub(crate) deadline: Option<u64>,
}

impl Entry for Sub {
    type Key = SubKey;

    fn key(&self) -> SubKey {
        self.key
    }

    fn upper(&self) -> u32 {
        self.upper
    }
}

impl Sub {
    /// Subscription `s`, sent as `raw` on connection `conn`, number `seq`, made at `now`.
    pub(crate) fn new(
        s: &Subscription,
        raw: [u8; SUBSCR_LEN],
        conn: u32,
        seq: u64,
        now: u64,
    ) -> Self {
        Self {
            key: SubKey::new(s.service, seq),
            lower: s.lower,
            upper: s.upper,
            filter: s.filter,
            order: s.order,
            raw,
            conn,
            deadline: (s.timeout != WAIT_FOREVER).then(|| now + u64::from(s.timeout)),
        }
    }

    /// Whether a change to publication `p` of `range` earns an event: it overlaps the
    /// subscribed range, it is the first or last of its exact range (`must`) unless every
    /// publication counts (`PORTS`), and its scope passes the scope bits.
    pub(crate) fn reports(&self, range: &ServiceRange, p: &Publication, must: bool) -> bool {
        let lower = range.lower.max(self.lower);
        let upper = range.upper.min(self.upper);
        if lower > upper {
            return false;
        }
        if !must && self.filter & SUB_PORTS == 0 {
            return false;
        }
        let node_scope = p.scope == Scope::Node;
        if self.filter & SUB_CLUSTER_SCOPE != 0 && node_scope {
            return false;
        }
        self.filter & SUB_NODE_SCOPE == 0 || node_scope
    }

    /// The event `event` about publication `p` of `range`, or with neither (a timeout) about
    /// the subscribed range itself, in the subscriber's order.
    ///
    /// A timeout's range words are the exception, as in the C module: it writes them from
    /// the subscription as sent, swapping them once more for a subscriber of the other
    /// order, so they come out in the host's order whatever the subscriber's.
    pub(crate) fn event(
        &self,
        event: u32,
        found: Option<(&ServiceRange, &Publication)>,
    ) -> [u8; EVENT_LEN] {
        let o = self.order;
        let (lower, upper, port, node) = match found {
            Some((r, p)) => (o.write(r.lower), o.write(r.upper), p.sk.port, p.sk.node),
            None => {
                let host = ByteOrder::host();
                (host.write(self.lower), host.write(self.upper), 0, 0)
            }
        };
        let mut out = [0u8; EVENT_LEN];
        for (i, w) in [o.write(event), lower, upper, o.write(port), o.write(node)]
            .into_iter()
            .enumerate()
        {
            write_bytes(&mut out, 4 * i, &w);
        }
        write_bytes(&mut out, 20, &self.raw);
        out
    }
}
