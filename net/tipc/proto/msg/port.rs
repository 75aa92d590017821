// SPDX-License-Identifier: GPL-2.0

//! Port numbers of new sockets: a random start, then the next free one upward, wrapping and
//! skipping 0 (`tipc_sk_insert`).

/// `TIPC_MIN_PORT`: the lowest port; 0 names no socket.
pub(crate) const TIPC_MIN_PORT: u32 = 1;
/// `TIPC_MAX_PORT`: the highest port.
pub(crate) const TIPC_MAX_PORT: u32 = u32::MAX;
/// How many ports there are; the glue may pass `get_random_u32_below(PORT_COUNT)` or any
/// random `u32` as the seed.
pub(crate) const PORT_COUNT: u32 = TIPC_MAX_PORT - TIPC_MIN_PORT + 1;

/// The ports to try for a new socket, in order: every port once, starting just above a
/// random one.
#[derive(Clone, Debug)]
pub(crate) struct PortProbe {
    /// The last port offered.
    last: u32,
    /// Ports not yet offered.
    remaining: u32,
}

impl PortProbe {
    /// The probe for the random `seed`: the start is `seed` reduced to a port, and the
    /// first port tried is the one after it.
    pub(crate) fn new(seed: u32) -> Self {
        Self {
            last: seed % PORT_COUNT + TIPC_MIN_PORT,
            remaining: PORT_COUNT,
        }
    }
}

impl Iterator for PortProbe {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        self.remaining = self.remaining.checked_sub(1)?;
        self.last = match self.last.checked_add(1) {
            Some(p) if p >= TIPC_MIN_PORT => p,
            _ => TIPC_MIN_PORT,
        };
        Some(self.last)
    }
}

/// The port a new socket gets: the first of [`PortProbe::new`]`(seed)` that `try_claim`
/// claims (the glue inserts the socket under that port and says whether it was free).
/// `None` when every port is taken: `socket(2)` then fails with `EINVAL`.
pub(crate) fn allocate_port(seed: u32, mut try_claim: impl FnMut(u32) -> bool) -> Option<u32> {
    PortProbe::new(seed).find(|&p| try_claim(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_after_the_seed() {
        assert_eq!(
            PortProbe::new(0).take(3).collect::<std::vec::Vec<_>>(),
            [2, 3, 4]
        );
        assert_eq!(PortProbe::new(41).next(), Some(43));
        assert_eq!(allocate_port(41, |_| true), Some(43));
    }

    #[test]
    fn wraps_to_one_skipping_zero() {
        let v: std::vec::Vec<_> = PortProbe::new(u32::MAX - 2).take(3).collect();
        assert_eq!(v, [u32::MAX, 1, 2]);
        let v: std::vec::Vec<_> = PortProbe::new(u32::MAX - 1).take(2).collect();
        assert_eq!(v, [1, 2], "the seed u32::MAX - 1 is port u32::MAX");
        assert_eq!(
            PortProbe::new(u32::MAX).next(),
            Some(2),
            "seed wraps to port 1"
        );
    }

    #[test]
    fn probes_until_free() {
        let taken = [43u32, 44, 45];
        assert_eq!(allocate_port(41, |p| !taken.contains(&p)), Some(46));
    }

    #[test]
    fn every_port_once_then_none() {
        let mut p = PortProbe::new(7);
        assert_eq!(p.remaining, PORT_COUNT);
        p.remaining = 3;
        assert_eq!(p.collect::<std::vec::Vec<_>>(), [9, 10, 11]);
        let mut tries = 0u64;
        let mut probe = PortProbe::new(7);
        probe.remaining = 5;
        assert_eq!(
            probe.find(|_| {
                tries += 1;
                false
            }),
            None
        );
        assert_eq!(tries, 5);
    }
}
