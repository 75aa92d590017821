// SPDX-License-Identifier: GPL-2.0

//! The resumable dump.

use std::vec::Vec;

use super::{sk, sr, OWN, PEER};
use crate::{
    kalloc::GFP_KERNEL,
    proto::name_table::{
        addr::Scope,
        dump::{DumpCursor, DumpEntry},
        table::NameTable,
    },
};

/// The whole dump, taken `chunk` entries at a time, the cursor kept between the pieces as
/// the words a netlink dump keeps.
fn dump_in_chunks(t: &NameTable, chunk: usize) -> Vec<DumpEntry> {
    let mut all = Vec::new();
    let mut words = None;
    loop {
        let mut n = 0;
        let resume = words.map(DumpCursor::from_words);
        let cursor = t.dump(resume.as_ref(), |e| {
            if n == chunk {
                return false;
            }
            n += 1;
            all.push(*e);
            true
        });
        match cursor {
            Some(c) => words = Some(c.to_words()),
            None => return all,
        }
    }
}

/// A table with a few types, ranges and publications.
fn sample() -> NameTable {
    let mut t = NameTable::new(OWN, false);
    let mut key = 0;
    for ty in [300, 100, 200] {
        for (l, u) in [(5, 9), (1, 3), (5, 6)] {
            for port in 1..=3 {
                key += 1;
                t.insert(
                    sr(ty, l, u),
                    sk(port, PEER),
                    Scope::Cluster,
                    key,
                    GFP_KERNEL,
                )
                .unwrap();
            }
        }
    }
    t
}

#[test]
fn dump_order_is_type_lower_newest_range_then_round_robin() {
    let t = sample();
    let all = dump_in_chunks(&t, usize::MAX);
    assert_eq!(all.len(), 27);
    let ranges: Vec<_> = all.iter().step_by(3).map(|e| e.range).collect();
    let mut want = Vec::new();
    for ty in [100, 200, 300] {
        want.extend([sr(ty, 1, 3), sr(ty, 5, 6), sr(ty, 5, 9)]);
    }
    assert_eq!(ranges, want);
    let ports: Vec<_> = all.iter().take(3).map(|e| e.publication.sk.port).collect();
    assert_eq!(ports, [3, 2, 1]);
}

#[test]
fn chunked_dump_equals_whole_dump() {
    let t = sample();
    let whole = dump_in_chunks(&t, usize::MAX);
    for chunk in 1..10 {
        assert_eq!(dump_in_chunks(&t, chunk), whole, "chunk {chunk}");
    }
}

#[test]
fn resume_after_withdrawals() {
    let mut t = sample();
    let mut first = Vec::new();
    let cursor = t
        .dump(None, |e| {
            if first.len() == 4 {
                return false;
            }
            first.push(*e);
            true
        })
        .unwrap();
    // The cursor points at the 5th entry: {100,5,6} port 2. Withdraw a later range entirely:
    // the dump goes on past it.
    for (port, key) in [(1, 10), (2, 11), (3, 12)] {
        assert!(t.remove(sr(100, 5, 9), sk(port, PEER), key).is_some());
    }
    let mut rest = Vec::new();
    assert!(t
        .dump(Some(&cursor), |e| {
            rest.push(*e);
            true
        })
        .is_none());
    assert_eq!(rest.len(), 27 - 4 - 3);
    assert_eq!(rest[0].publication.sk.port, 2);
    // If the entry to resume at goes, the dump resumes at the next range.
    let mut t = sample();
    let cursor = t.dump(None, |e| e.publication.sk.port != 2).unwrap();
    assert!(t.remove(sr(100, 1, 3), sk(2, PEER), 14).is_some());
    let mut rest = Vec::new();
    t.dump(Some(&cursor), |e| {
        rest.push(*e);
        true
    });
    assert_eq!(rest.len(), 27 - 3);
    assert_eq!(rest[0].range, sr(100, 5, 6));
}
