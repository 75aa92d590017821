// SPDX-License-Identifier: GPL-2.0

//! A small deterministic generator, so every run measures the same operations.

/// Xorshift32.
pub(crate) struct Rng(u32);

impl Rng {
    /// A generator from a non-zero seed.
    pub(crate) const fn new(seed: u32) -> Self {
        Self(seed | 1)
    }

    /// A number below `n` (n > 0).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 % n
    }
}
