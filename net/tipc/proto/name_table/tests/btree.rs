// SPDX-License-Identifier: GPL-2.0

//! The augmented B+tree against `std::collections::BTreeMap`.

use core::ops::ControlFlow;
use std::{collections::BTreeMap, vec::Vec};

use proptest::prelude::*;

use crate::{
    kalloc::GFP_KERNEL,
    proto::name_table::btree::{Entry, Tree},
};

/// A test entry: a key and an upper bound.
#[derive(Debug, PartialEq, Eq)]
struct E {
    /// The key.
    key: u32,
    /// The upper bound.
    upper: u32,
}

impl Entry for E {
    type Key = u32;

    fn key(&self) -> u32 {
        self.key
    }

    fn upper(&self) -> u32 {
        self.upper
    }
}

/// The keys `visit` returns for `from..=to` with `upper >= min`.
fn visited(t: &Tree<E>, from: u32, to: u32, min: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let _ = t.visit::<()>(from, to, min, |e| {
        out.push(e.key);
        ControlFlow::Continue(())
    });
    out
}

/// The same from the model.
fn expected(m: &BTreeMap<u32, u32>, from: u32, to: u32, min: u32) -> Vec<u32> {
    m.range(from..=to)
        .filter(|(_, &u)| u >= min)
        .map(|(&k, _)| k)
        .collect()
}

#[test]
fn grows_and_shrinks_in_order() {
    let mut t = Tree::new();
    let mut m = BTreeMap::new();
    // A scrambled order that still covers 0..20000.
    let keys: Vec<u32> = (0..20_000u32)
        .map(|i| i.wrapping_mul(7919) % 20_000)
        .collect();
    for &k in &keys {
        t.insert(
            E {
                key: k,
                upper: k % 97,
            },
            GFP_KERNEL,
        )
        .unwrap();
        m.insert(k, k % 97);
    }
    t.check_invariants().unwrap();
    assert_eq!(t.len(), 20_000);
    assert!(t.height() >= 2, "height {}", t.height());
    assert_eq!(visited(&t, 100, 5000, 90), expected(&m, 100, 5000, 90));
    assert_eq!(
        t.get(&1234),
        Some(&E {
            key: 1234,
            upper: 1234 % 97
        })
    );
    assert_eq!(t.get(&20_001), None);
    for &k in keys.iter().rev().filter(|&&k| k % 3 != 0) {
        assert_eq!(t.remove(&k).map(|e| e.key), Some(k));
        m.remove(&k);
    }
    t.check_invariants().unwrap();
    assert_eq!(visited(&t, 0, u32::MAX, 0), expected(&m, 0, u32::MAX, 0));
    for k in 0..20_000 {
        t.remove(&k);
    }
    t.check_invariants().unwrap();
    assert!(t.is_empty());
    assert_eq!(t.height(), 0);
    assert_eq!(t.remove(&5), None);
}

#[test]
fn first_match_and_get_mut() {
    let mut t = Tree::new();
    for k in 0..1000 {
        t.insert(
            E {
                key: k,
                upper: 1000 - k,
            },
            GFP_KERNEL,
        )
        .unwrap();
    }
    assert_eq!(
        t.first_match_mut(10, 900, 0, |e| e.key % 100 == 42)
            .map(|e| e.key),
        Some(42)
    );
    assert_eq!(
        t.first_match_mut(10, 900, 991, |_| true).map(|e| e.key),
        None
    );
    assert_eq!(
        t.first_match_mut(10, 900, 990, |_| true).map(|e| e.key),
        Some(10)
    );
    t.get_mut(&500).unwrap().key = 500;
    t.for_each_mut(|e| e.upper += 0);
    t.check_invariants().unwrap();
}

proptest! {
    #[test]
    fn matches_btreemap(ops in prop::collection::vec((any::<bool>(), 0u32..300, 0u32..1000), 1..600),
                        queries in prop::collection::vec((0u32..300, 0u32..300, 0u32..1000), 1..20)) {
        let mut t = Tree::new();
        let mut m = BTreeMap::new();
        for (ins, key, upper) in ops {
            if ins {
                if let std::collections::btree_map::Entry::Vacant(v) = m.entry(key) {
                    v.insert(upper);
                    t.insert(E { key, upper }, GFP_KERNEL).unwrap();
                }
            } else {
                prop_assert_eq!(t.remove(&key).map(|e| e.upper), m.remove(&key));
            }
        }
        prop_assert_eq!(t.check_invariants(), Ok(()));
        prop_assert_eq!(t.len(), m.len());
        for (a, b, min) in queries {
            let (from, to) = (a.min(b), a.max(b));
            prop_assert_eq!(visited(&t, from, to, min), expected(&m, from, to, min));
        }
    }
}
