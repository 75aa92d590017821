// SPDX-License-Identifier: GPL-2.0

//! 16-bit sequence numbers that wrap around, compared the way TIPC compares them.
//!
//! TIPC numbers link packets, broadcast packets, name-table updates and monitor generations
//! with 16-bit counters. Two numbers are ordered by the shorter way round the circle: `a` is at
//! or before `b` when going forward from `a` to `b` takes fewer than 32768 steps. Of two numbers
//! exactly half a circle apart, each is "after" the other, as in the C module.

use core::cmp::Ordering;

/// Half the sequence number space: going forward fewer steps than this is "after".
const HALF: u16 = 0x8000;

/// A 16-bit wrapping sequence number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub(crate) struct Seqno(pub(crate) u16);

impl Seqno {
    /// The number as it goes on the wire.
    pub(crate) const fn get(self) -> u16 {
        self.0
    }

    /// The number `n` steps later, wrapping.
    pub(crate) const fn add(self, n: u16) -> Self {
        Self(self.0.wrapping_add(n))
    }

    /// The number `n` steps earlier, wrapping.
    pub(crate) const fn sub(self, n: u16) -> Self {
        Self(self.0.wrapping_sub(n))
    }

    /// How many steps forward from `earlier` to `self`, wrapping.
    pub(crate) const fn distance_from(self, earlier: Self) -> u16 {
        self.0.wrapping_sub(earlier.0)
    }

    /// `self` is `other` or comes before it.
    pub(crate) const fn less_eq(self, other: Self) -> bool {
        other.0.wrapping_sub(self.0) < HALF
    }

    /// `self` comes strictly before `other`.
    pub(crate) const fn less(self, other: Self) -> bool {
        self.less_eq(other) && self.0 != other.0
    }

    /// `self` comes strictly after `other`: not at or before it.
    pub(crate) const fn more(self, other: Self) -> bool {
        !self.less_eq(other)
    }

    /// `self` is in the window from `min` to `max`, both included.
    pub(crate) const fn in_range(self, min: Self, max: Self) -> bool {
        !self.less(min) && !self.more(max)
    }

    /// The order of `self` and `other` on the circle.
    ///
    /// Not an `Ord`: the relation is not transitive over the whole circle.
    pub(crate) const fn compare(self, other: Self) -> Ordering {
        if self.0 == other.0 {
            Ordering::Equal
        } else if self.less(other) {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_order_away_from_the_wrap() {
        assert!(Seqno(1).less(Seqno(2)));
        assert!(Seqno(1).less_eq(Seqno(1)));
        assert!(!Seqno(1).less(Seqno(1)));
        assert!(Seqno(3).more(Seqno(2)));
        assert!(!Seqno(2).more(Seqno(2)));
    }

    #[test]
    fn order_across_the_wrap() {
        assert!(Seqno(0xfffe).less(Seqno(1)));
        assert!(Seqno(1).more(Seqno(0xfffe)));
        assert_eq!(Seqno(0xffff).add(2), Seqno(1));
        assert_eq!(Seqno(1).sub(2), Seqno(0xffff));
        assert_eq!(Seqno(1).distance_from(Seqno(0xffff)), 2);
    }

    #[test]
    fn half_a_circle_apart_is_after_both_ways() {
        let a = Seqno(0);
        let b = Seqno(0x8000);
        assert!(a.more(b));
        assert!(b.more(a));
        let c = Seqno(0x7fff);
        assert!(a.less(c));
        assert!(!c.less(a));
    }

    #[test]
    fn ranges_wrap() {
        assert!(Seqno(0).in_range(Seqno(0xfff0), Seqno(0x10)));
        assert!(Seqno(0xfff0).in_range(Seqno(0xfff0), Seqno(0x10)));
        assert!(Seqno(0x10).in_range(Seqno(0xfff0), Seqno(0x10)));
        assert!(!Seqno(0x11).in_range(Seqno(0xfff0), Seqno(0x10)));
        assert!(!Seqno(0xffef).in_range(Seqno(0xfff0), Seqno(0x10)));
    }

    #[test]
    fn compare_agrees_with_less() {
        assert_eq!(Seqno(5).compare(Seqno(5)), Ordering::Equal);
        assert_eq!(Seqno(0xffff).compare(Seqno(0)), Ordering::Less);
        assert_eq!(Seqno(0).compare(Seqno(0xffff)), Ordering::Greater);
    }
}
