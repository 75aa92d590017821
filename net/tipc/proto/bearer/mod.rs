// SPDX-License-Identifier: GPL-2.0

//! Bearers: the media TIPC runs on (Ethernet, UDP), their defaults and limits, bearer names,
//! and the rules for enabling a bearer, as the C module's `bearer.c`, `eth_media.c` and
//! `udp_media.c` have them. The devices and sockets themselves belong to the glue.

pub(crate) mod media;
pub(crate) mod media_addr;
pub(crate) mod name;
pub(crate) mod props;
pub(crate) mod rejection;
pub(crate) mod table;
pub(crate) mod udp_opts;

#[cfg(test)]
mod tests;

/// `MAX_BEARERS`: bearers per namespace, and links per peer at most.
pub(crate) const MAX_BEARERS: usize = 3;

/// A bearer's identity: its slot, 0 to `MAX_BEARERS - 1`; also the `bearer_id` that link
/// protocol messages carry.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub(crate) struct BearerId(u8);

impl BearerId {
    /// The id of slot `i`, if there is such a slot.
    pub(crate) const fn new(i: usize) -> Option<Self> {
        if i < MAX_BEARERS {
            Some(Self(i as u8))
        } else {
            None
        }
    }

    /// The slot index.
    pub(crate) const fn index(self) -> usize {
        self.0 as usize
    }

    /// The network plane of a bearer in this slot: 0 for 'A' (`'A' + identity` in C).
    pub(crate) const fn net_plane(self) -> u8 {
        self.0
    }

    /// Every bearer id, in order.
    pub(crate) fn all() -> impl Iterator<Item = Self> {
        (0..MAX_BEARERS as u8).map(Self)
    }
}
