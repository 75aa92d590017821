// SPDX-License-Identifier: GPL-2.0

//! One of this node's cluster-scope binding changes, numbered for name distribution
//! (`tipc_named_publish`, `tipc_named_withdraw`): made under the name table's lock where the
//! change was made, sent to every peer up once that lock is released.

use super::{
    addr::ServiceRange,
    distr::Distributor,
    publication::Publication,
    table::{Binding, Withdrawn},
};
use crate::kalloc::{Flags, KVec};

/// A binding made or withdrawn, with the number of its update.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Update {
    withdraw: bool,
    seqno: u16,
    binding: Binding,
}

impl Update {
    /// The update for publication `p` of `range`, numbered by `distr`; `None` if it is of
    /// node scope.
    pub(crate) fn published(
        distr: &mut Distributor,
        range: &ServiceRange,
        p: &Publication,
    ) -> Option<Self> {
        Self::numbered(distr, Binding::of(*range, p), false)
    }

    /// The update for withdrawal `w`, as [`Update::published`].
    pub(crate) fn withdrawn(distr: &mut Distributor, w: &Withdrawn) -> Option<Self> {
        Self::numbered(distr, Binding::of(w.range, &w.publication), true)
    }

    fn numbered(distr: &mut Distributor, binding: Binding, withdraw: bool) -> Option<Self> {
        distr.local_change(&binding).map(|seqno| Self {
            withdraw,
            seqno,
            binding,
        })
    }

    /// Its `PUBLICATION` or `WITHDRAWAL` message from `own` to `dest`; `None` without memory.
    pub(crate) fn msg(&self, own: u32, dest: u32, flags: Flags) -> Option<KVec<u8>> {
        Distributor::update_msg(own, dest, self.withdraw, self.seqno, &self.binding, flags)
    }
}
