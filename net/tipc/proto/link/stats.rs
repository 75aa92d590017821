// SPDX-License-Identifier: GPL-2.0

//! A link's counters (`struct tipc_stats`), as `tipc link stat show` reads them through
//! `TIPC_NLA_LINK_STATS`; they start from zero at every link reset, as in C.

use crate::proto::netlink::stats as nla;

/// The counters of one link.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct LinkStats {
    /// Data packets sent (first transmissions).
    pub(crate) sent_pkts: u32,
    /// Data packets taken in sequence.
    pub(crate) recv_pkts: u32,
    /// `STATE` messages sent.
    pub(crate) sent_states: u32,
    /// `STATE` messages received.
    pub(crate) recv_states: u32,
    /// Probes sent.
    pub(crate) sent_probes: u32,
    /// Probes received.
    pub(crate) recv_probes: u32,
    /// `STATE`s sent naming a gap.
    pub(crate) sent_nacks: u32,
    /// `STATE`s received naming a gap.
    pub(crate) recv_nacks: u32,
    /// Acknowledgements sent at once (every sixteenth packet).
    pub(crate) sent_acks: u32,
    /// Messages sent in bundles.
    pub(crate) sent_bundled: u32,
    /// Bundles sent.
    pub(crate) sent_bundles: u32,
    /// Messages received in bundles.
    pub(crate) recv_bundled: u32,
    /// Bundles received.
    pub(crate) recv_bundles: u32,
    /// Packets retransmitted.
    pub(crate) retransmitted: u32,
    /// Messages sent in fragments.
    pub(crate) sent_fragmented: u32,
    /// Fragments sent.
    pub(crate) sent_fragments: u32,
    /// Messages reassembled.
    pub(crate) recv_fragmented: u32,
    /// Fragments received.
    pub(crate) recv_fragments: u32,
    /// Sends refused for congestion (`ELINKCONG`).
    pub(crate) link_congs: u32,
    /// Packets received out of order (deferred).
    pub(crate) deferred_recv: u32,
    /// Packets received twice, or outside the window.
    pub(crate) duplicates: u32,
    /// The transmit queue's high-water mark.
    pub(crate) max_queue_sz: u32,
    /// The transmit queue's length summed at each tick.
    pub(crate) accu_queue_sz: u32,
    /// Ticks summed in `accu_queue_sz`.
    pub(crate) queue_sz_counts: u32,
    /// Messages sampled for the length profile.
    pub(crate) msg_length_counts: u32,
    /// Their total length.
    pub(crate) msg_lengths_total: u32,
    /// Their lengths: up to 64, 256, 1024, 4096, 16384, 32768 bytes, and longer.
    pub(crate) msg_length_profile: [u32; 7],
}

/// Counts one in `c`, wrapping as C's counters do.
pub(crate) fn bump(c: &mut u32) {
    *c = c.wrapping_add(1);
}

impl LinkStats {
    /// Samples a message length for the profile (`link_profile_stats`).
    pub(crate) fn profile_length(&mut self, length: u32) {
        self.msg_lengths_total = self.msg_lengths_total.wrapping_add(length);
        bump(&mut self.msg_length_counts);
        let bucket = [64, 256, 1024, 4096, 16384, 32768]
            .iter()
            .position(|&lim| length <= lim)
            .unwrap_or(6);
        if let Some(c) = self.msg_length_profile.get_mut(bucket) {
            bump(c);
        }
    }

    /// The nest's attributes for a broadcast link in C's order
    /// (`__tipc_nl_add_bc_link_stat`).
    pub(crate) fn bc_nl_counters(&self) -> impl Iterator<Item = (u16, u32)> {
        let s = self;
        self.traffic(s.recv_pkts, s.sent_pkts)
            .into_iter()
            .chain([
                (nla::RX_NACKS, s.recv_nacks),
                (nla::RX_DEFERRED, s.deferred_recv),
                (nla::TX_NACKS, s.sent_nacks),
                (nla::TX_ACKS, s.sent_acks),
            ])
            .chain(self.queue())
    }

    /// The retransmission, duplicate, congestion and queue counters both nests end with.
    fn queue(&self) -> [(u16, u32); 5] {
        let s = self;
        let avg = s.accu_queue_sz.checked_div(s.queue_sz_counts).unwrap_or(0);
        [
            (nla::RETRANSMITTED, s.retransmitted),
            (nla::DUPLICATES, s.duplicates),
            (nla::LINK_CONGS, s.link_congs),
            (nla::MAX_QUEUE, s.max_queue_sz),
            (nla::AVG_QUEUE, avg),
        ]
    }

    /// The packet, fragment and bundle counters both nests start with; a unicast link's
    /// packet counts are 0 there.
    fn traffic(&self, rx_info: u32, tx_info: u32) -> [(u16, u32); 10] {
        let s = self;
        [
            (nla::RX_INFO, rx_info),
            (nla::RX_FRAGMENTS, s.recv_fragments),
            (nla::RX_FRAGMENTED, s.recv_fragmented),
            (nla::RX_BUNDLES, s.recv_bundles),
            (nla::RX_BUNDLED, s.recv_bundled),
            (nla::TX_INFO, tx_info),
            (nla::TX_FRAGMENTS, s.sent_fragments),
            (nla::TX_FRAGMENTED, s.sent_fragmented),
            (nla::TX_BUNDLES, s.sent_bundles),
            (nla::TX_BUNDLED, s.sent_bundled),
        ]
    }

    /// The nest's attributes in C's order (`__tipc_nl_add_stats`): the profile's total is
    /// 1 when there is no sample, the average queue the accumulated length over its ticks.
    pub(crate) fn nl_counters(&self) -> impl Iterator<Item = (u16, u32)> {
        let s = self;
        let p = &s.msg_length_profile;
        self.traffic(0, 0)
            .into_iter()
            .chain([
                (nla::MSG_PROF_TOT, s.msg_length_counts.max(1)),
                (nla::MSG_LEN_CNT, s.msg_length_counts),
                (nla::MSG_LEN_TOT, s.msg_lengths_total),
                (nla::MSG_LEN_P0, p[0]),
                (nla::MSG_LEN_P0 + 1, p[1]),
                (nla::MSG_LEN_P0 + 2, p[2]),
                (nla::MSG_LEN_P0 + 3, p[3]),
                (nla::MSG_LEN_P0 + 4, p[4]),
                (nla::MSG_LEN_P0 + 5, p[5]),
                (nla::MSG_LEN_P6, p[6]),
                (nla::RX_STATES, s.recv_states),
                (nla::RX_PROBES, s.recv_probes),
                (nla::RX_NACKS, s.recv_nacks),
                (nla::RX_DEFERRED, s.deferred_recv),
                (nla::TX_STATES, s.sent_states),
                (nla::TX_PROBES, s.sent_probes),
                (nla::TX_NACKS, s.sent_nacks),
                (nla::TX_ACKS, s.sent_acks),
            ])
            .chain(self.queue())
    }
}
