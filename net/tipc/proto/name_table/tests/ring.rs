// SPDX-License-Identifier: GPL-2.0

//! The rotating list behaves as the C module's `list_add` / `list_move_tail`.

use std::vec::Vec;

use crate::{kalloc::GFP_KERNEL, proto::name_table::ring::Ring};

/// The ring's items in logical order.
fn items(r: &Ring<u32>) -> Vec<u32> {
    r.iter().copied().collect()
}

/// A ring made by pushing `xs` to the front in turn.
fn ring_of(xs: &[u32]) -> Ring<u32> {
    let mut r = Ring::new();
    for &x in xs {
        r.push_front(x, GFP_KERNEL).unwrap();
    }
    r
}

#[test]
fn newest_first_then_rotates() {
    let mut r = ring_of(&[1, 2, 3]);
    assert_eq!(items(&r), [3, 2, 1]);
    assert_eq!(r.take_turn(), Some(&3));
    assert_eq!(items(&r), [2, 1, 3]);
    assert_eq!(r.take_turn(), Some(&2));
    assert_eq!(r.take_turn(), Some(&1));
    assert_eq!(r.take_turn(), Some(&3));
    assert_eq!(r.front(), Some(&2));
}

#[test]
fn push_after_rotation_goes_to_front() {
    let mut r = ring_of(&[1, 2, 3]);
    r.take_turn();
    r.push_front(4, GFP_KERNEL).unwrap();
    assert_eq!(items(&r), [4, 2, 1, 3]);
}

#[test]
fn remove_keeps_order() {
    for pos in 0..4 {
        for turns in 0..4 {
            let mut r = ring_of(&[1, 2, 3, 4]);
            for _ in 0..turns {
                r.take_turn();
            }
            let mut want = items(&r);
            let gone = want.remove(pos);
            assert_eq!(r.remove(pos), Some(gone));
            assert_eq!(items(&r), want, "pos {pos} turns {turns}");
        }
    }
    let mut r = ring_of(&[1]);
    assert_eq!(r.remove(1), None);
    assert_eq!(r.remove(0), Some(1));
    assert!(r.is_empty());
    assert_eq!(r.take_turn(), None);
    assert_eq!(r.front(), None);
}

#[test]
fn move_to_back_is_list_move_tail() {
    for pos in 0..4 {
        for turns in 0..4 {
            let mut r = ring_of(&[1, 2, 3, 4]);
            for _ in 0..turns {
                r.take_turn();
            }
            let mut want = items(&r);
            let x = want.remove(pos);
            want.push(x);
            r.move_to_back(pos);
            assert_eq!(items(&r), want, "pos {pos} turns {turns}");
            assert_eq!(r.len(), 4);
        }
    }
}

#[test]
fn iter_mut_visits_in_order() {
    let mut r = ring_of(&[1, 2, 3]);
    r.take_turn();
    let mut seen = Vec::new();
    for x in r.iter_mut() {
        seen.push(*x);
        *x *= 10;
    }
    assert_eq!(seen, [2, 1, 3]);
    assert_eq!(items(&r), [20, 10, 30]);
    assert_eq!(r.position(|&x| x == 30), Some(2));
}
