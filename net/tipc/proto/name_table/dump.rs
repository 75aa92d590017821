// SPDX-License-Identifier: GPL-2.0

//! The walk a netlink name table dump makes: every publication in table order (type, lower
//! bound, newest range first, then round-robin order within a range), in as many pieces as
//! the dump needs, each resumed from a cursor.

use core::ops::ControlFlow;

use super::{
    addr::{ServiceRange, SocketAddr},
    publication::Publication,
    range::RangeKey,
    table::NameTable,
};

/// One line of the dump.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DumpEntry {
    /// The range bound.
    pub(crate) range: ServiceRange,
    /// The binding.
    pub(crate) publication: Publication,
}

/// Where a dump stopped: the publication that did not fit, to be emitted first next time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DumpCursor {
    /// Its range.
    range: RangeKey,
    /// Its socket.
    sk: SocketAddr,
    /// Its key.
    key: u32,
}

impl DumpCursor {
    /// The cursor as four words, to keep between the calls of a netlink dump.
    pub(crate) fn to_words(self) -> [u64; 4] {
        [
            u64::from(self.range.ty()) << 32 | u64::from(self.range.lower()),
            self.range.order,
            u64::from(self.sk.port) << 32 | u64::from(self.sk.node),
            u64::from(self.key),
        ]
    }

    /// The cursor that [`DumpCursor::to_words`] gave `words`. Any words make some cursor: a
    /// cursor names a place in the table order, not an entry that must exist.
    pub(crate) fn from_words(words: [u64; 4]) -> Self {
        let [range, order, sk, key] = words;
        Self {
            range: RangeKey::new((range >> 32) as u32, range as u32, order),
            sk: SocketAddr {
                port: (sk >> 32) as u32,
                node: sk as u32,
            },
            key: key as u32,
        }
    }
}

impl NameTable {
    /// Calls `emit` on each publication from `resume` on (from the start if `None`), until
    /// `emit` returns false because the entry did not fit. Returns where to resume, or `None`
    /// when the dump is complete.
    ///
    /// If the publication to resume at was withdrawn meanwhile, the dump goes on with the
    /// next range (the C module ends the dump with `EPIPE` instead); a vanished range is
    /// simply passed.
    pub(crate) fn dump(
        &self,
        resume: Option<&DumpCursor>,
        mut emit: impl FnMut(&DumpEntry) -> bool,
    ) -> Option<DumpCursor> {
        let from = resume.map_or(RangeKey::first(0, 0), |c| c.range);
        let to = RangeKey::last(u32::MAX, u32::MAX);
        let res = self.ranges.visit(from, to, 0, |r| {
            let skip = match resume {
                Some(c) if c.range == r.key => {
                    match r.all().position(|p| p.sk == c.sk && p.key == c.key) {
                        Some(pos) => pos,
                        None => return ControlFlow::Continue(()),
                    }
                }
                _ => 0,
            };
            for p in r.all().skip(skip) {
                let entry = DumpEntry {
                    range: r.service_range(),
                    publication: *p,
                };
                if !emit(&entry) {
                    return ControlFlow::Break(DumpCursor {
                        range: r.key,
                        sk: p.sk,
                        key: p.key,
                    });
                }
            }
            ControlFlow::Continue(())
        });
        match res {
            ControlFlow::Break(cursor) => Some(cursor),
            ControlFlow::Continue(()) => None,
        }
    }
}
