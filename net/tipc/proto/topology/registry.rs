// SPDX-License-Identifier: GPL-2.0

//! Every subscription of a namespace: by service type, newest first, in the name table's
//! augmented B+tree (so a publication visits only the subscriptions of its type whose
//! range can overlap it), and those with a timeout by deadline.

use core::ops::ControlFlow;

use crate::kalloc::{AllocError, Flags, KVec};
use crate::proto::name_table::btree::Tree;

use super::subscription::{Sub, SubKey};

/// The subscriptions of one namespace.
#[derive(Debug)]
pub(crate) struct Registry {
    /// Every subscription.
    subs: Tree<Sub>,
    /// The subscriptions that time out, by deadline, then key.
    timed: KVec<(u64, SubKey)>,
    /// The next subscription's sequence number.
    next_seq: u64,
}

impl Registry {
    /// No subscriptions; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            subs: Tree::new(),
            timed: KVec::new(),
            next_seq: 0,
        }
    }

    /// Subscriptions held.
    pub(crate) fn len(&self) -> usize {
        self.subs.len()
    }

    /// The sequence number for the next subscription.
    pub(crate) fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Adds `sub`; on failure nothing changed.
    pub(crate) fn add(&mut self, sub: Sub, flags: Flags) -> Result<(), AllocError> {
        if let Some(at) = sub.deadline {
            self.timed.reserve(1, flags)?;
            self.subs.insert(sub, flags)?;
            let entry = (at, sub.key);
            let pos = self.timed.partition_point(|e| *e < entry);
            // Room was reserved above.
            let _ = self.timed.insert_within_capacity(pos, entry);
        } else {
            self.subs.insert(sub, flags)?;
        }
        Ok(())
    }

    /// The subscription with `key`.
    pub(crate) fn get(&self, key: &SubKey) -> Option<&Sub> {
        self.subs.get(key)
    }

    /// Removes the subscription with `key`.
    pub(crate) fn remove(&mut self, key: &SubKey) -> Option<Sub> {
        let sub = self.subs.remove(key)?;
        if let Some(at) = sub.deadline {
            let entry = (at, sub.key);
            let pos = self.timed.partition_point(|e| *e < entry);
            if self.timed.get(pos) == Some(&entry) {
                let _ = self.timed.remove(pos);
            }
        }
        Some(sub)
    }

    /// Calls `f` on every subscription of type `ty` whose range may include an instance of
    /// at least `min_upper`, newest first.
    pub(crate) fn for_type(&self, ty: u32, min_upper: u32, mut f: impl FnMut(&Sub)) {
        let _ = self
            .subs
            .visit(SubKey::first(ty), SubKey::last(ty), min_upper, |s| {
                f(s);
                ControlFlow::<()>::Continue(())
            });
    }

    /// When the earliest timeout falls (ms), if any subscription has one.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.timed.first().map(|e| e.0)
    }

    /// Removes and returns a subscription whose timeout is due at `now`, earliest first.
    pub(crate) fn take_expired(&mut self, now: u64) -> Option<Sub> {
        let &(at, key) = self.timed.first()?;
        if at > now {
            return None;
        }
        let _ = self.timed.remove(0);
        self.subs.remove(&key)
    }
}
