// SPDX-License-Identifier: GPL-2.0

//! Connection flow control in 1 KiB blocks: what the sender may have unacknowledged, and
//! when the reader acknowledges what it consumed (`tsk_blocks`, `tsk_adv_blocks`,
//! `tsk_conn_cong`, `tipc_sk_build_ack`). A peer on this node has block-based flow control,
//! so the C module's message-counting fallback for old peers is not modelled.

use crate::proto::msg::rcvbuf::RCVBUF_MIN;

/// `FLOWCTL_BLK_SZ`: the flow control block, 1 KiB.
pub(crate) const FLOWCTL_BLK_SZ: usize = 1024;
/// `TIPC_ACK_RATE`: the reader acknowledges once it consumed a quarter of its window.
pub(crate) const TIPC_ACK_RATE: u16 = 4;
/// The most blocks a Nagle backlog holds before it is sent anyway.
pub(crate) const NAGLE_MAX_BLOCKS: u16 = 64;

/// The blocks a message of `len` bytes (header included) counts for: one per started KiB,
/// plus one, truncated to 16 bits as in C.
pub(crate) const fn blocks(len: usize) -> u16 {
    (len / FLOWCTL_BLK_SZ + 1) as u16
}

/// The window a receive buffer of `rcvbuf` bytes advertises: a quarter of its blocks, since
/// a buffer's truesize is less than four times its length; truncated to 16 bits as in C.
pub(crate) const fn adv_blocks(rcvbuf: u32) -> u16 {
    (rcvbuf as usize / FLOWCTL_BLK_SZ / 4) as u16
}

/// The flow control counters of one connection; all arithmetic wraps in 16 bits, as C's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Flow {
    /// Blocks sent and not yet acknowledged (`snt_unacked`).
    snt_unacked: u16,
    /// The peer's advertised window (`snd_win`).
    snd_win: u16,
    /// Blocks consumed by the reader and not yet acknowledged (`rcv_unacked`).
    rcv_unacked: u16,
    /// The window this end advertised last (`rcv_win`).
    rcv_win: u16,
}

impl Default for Flow {
    /// A new socket's windows: what `RCVBUF_MIN` advertises (128 blocks), both ways, until
    /// the peer advertises its own.
    fn default() -> Self {
        let win = adv_blocks(RCVBUF_MIN);
        Self {
            snt_unacked: 0,
            snd_win: win,
            rcv_unacked: 0,
            rcv_win: win,
        }
    }
}

/// What a `CONN_ACK` carries: blocks acknowledged and the window advertised.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct AckFields {
    /// Blocks consumed since the last acknowledgement.
    pub(crate) conn_ack: u16,
    /// The receive window, in blocks.
    pub(crate) adv_win: u16,
}

impl Flow {
    /// Whether the sender must wait for an acknowledgement: more blocks outstanding than
    /// the peer's window (one send may overshoot it).
    pub(crate) const fn congested(&self) -> bool {
        self.snt_unacked > self.snd_win
    }

    /// Blocks sent and not acknowledged.
    #[cfg(test)]
    pub(crate) const fn unacked(&self) -> u16 {
        self.snt_unacked
    }

    /// The peer's window.
    #[cfg(test)]
    pub(crate) const fn send_window(&self) -> u16 {
        self.snd_win
    }

    /// The window this end advertised last.
    #[cfg(test)]
    pub(crate) const fn receive_window(&self) -> u16 {
        self.rcv_win
    }

    /// Counts `n` blocks sent.
    pub(crate) fn sent(&mut self, n: u16) {
        self.snt_unacked = self.snt_unacked.wrapping_add(n);
    }

    /// Sets the blocks outstanding, as an implicit connection setup does for its SYN.
    pub(crate) fn set_unacked(&mut self, n: u16) {
        self.snt_unacked = n;
    }

    /// Whether an acknowledgement of `conn_ack` blocks is believable: not more than are
    /// outstanding. Others are ignored.
    pub(crate) const fn ack_valid(&self, conn_ack: u16) -> bool {
        self.snt_unacked >= conn_ack
    }

    /// Applies an acknowledgement: `conn_ack` blocks less outstanding, the peer's window
    /// becomes `adv_win`.
    pub(crate) fn acked(&mut self, ack: AckFields) {
        self.snt_unacked = self.snt_unacked.wrapping_sub(ack.conn_ack);
        self.snd_win = ack.adv_win;
    }

    /// Counts a message of `len` bytes (header included) consumed by the reader; true when
    /// an acknowledgement is due.
    pub(crate) fn consumed(&mut self, len: usize) -> bool {
        self.rcv_unacked = self.rcv_unacked.wrapping_add(blocks(len));
        self.rcv_unacked >= self.rcv_win / TIPC_ACK_RATE
    }

    /// Takes the fields of an acknowledgement with the receive buffer now `rcvbuf` bytes:
    /// everything consumed is acknowledged and the window recomputed and advertised.
    pub(crate) fn take_ack(&mut self, rcvbuf: u32) -> AckFields {
        let conn_ack = core::mem::take(&mut self.rcv_unacked);
        self.rcv_win = adv_blocks(rcvbuf);
        AckFields {
            conn_ack,
            adv_win: self.rcv_win,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::msg::rcvbuf::{RCVBUF_DEF, RCVBUF_MAX};

    #[test]
    fn block_counts() {
        assert_eq!(blocks(0), 1);
        assert_eq!(blocks(24), 1);
        assert_eq!(blocks(1023), 1);
        assert_eq!(blocks(1024), 2);
        assert_eq!(blocks(66024), 65);
        assert_eq!(adv_blocks(RCVBUF_MIN), 128);
        assert_eq!(adv_blocks(RCVBUF_DEF), 512);
        assert_eq!(adv_blocks(RCVBUF_MAX), 4096);
        assert_eq!(adv_blocks(1 << 28), 0, "truncated to 16 bits as in C");
    }

    #[test]
    fn window_and_congestion() {
        let mut f = Flow::default();
        assert_eq!((f.send_window(), f.receive_window()), (128, 128));
        f.sent(128);
        assert!(!f.congested(), "at the window is not over it");
        f.sent(1);
        assert!(f.congested());
        assert!(!f.ack_valid(130));
        assert!(f.ack_valid(129));
        f.acked(AckFields {
            conn_ack: 100,
            adv_win: 16,
        });
        assert_eq!((f.unacked(), f.send_window()), (29, 16));
        assert!(f.congested());
    }

    #[test]
    fn ack_at_a_quarter_of_the_window() {
        let mut f = Flow::default();
        for _ in 0..31 {
            assert!(!f.consumed(100));
        }
        assert!(f.consumed(100), "32 blocks is 128 / 4");
        assert_eq!(
            f.take_ack(RCVBUF_DEF),
            AckFields {
                conn_ack: 32,
                adv_win: 512
            }
        );
        assert_eq!(f.receive_window(), 512);
        assert!(!f.consumed(126 * 1024));
        assert!(f.consumed(0));
    }
}
