// SPDX-License-Identifier: GPL-2.0

//! The links a connectionless socket found congested (`tsk->cong_links`): a send to a
//! node whose link answered `ELINKCONG` was queued all the same, and the socket's next send
//! to that node waits until the link wakes it.
//!
//! A socket rarely waits for more than a few nodes at once; past [`CAPACITY`] the set only
//! remembers that some other node is congested, and then every send waits for the next
//! wakeup from any node. A send that finds the link still congested after that is queued
//! and marks the node again, so the set corrects itself without allocating.
//!
//! The wakeup can come before the mark: the link queues the sender as a waiter under its
//! own lock, and an acknowledgement taken on another CPU, or in the softirq that releasing
//! that lock runs, can wake the socket before the sender has marked the node. (C's socket
//! cannot see that order: its wakeup is a message that waits in the socket's backlog until
//! the sender releases the socket.) Such a wakeup is kept, and the mark it came before is
//! not made; without it the socket would wait for a wakeup that has already come.

/// Nodes the set names one by one.
pub(crate) const CAPACITY: usize = 8;

/// The nodes whose links a socket waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct CongLinks {
    nodes: [u32; CAPACITY],
    len: usize,
    /// A node past the capacity is congested too.
    overflow: bool,
    /// Nodes whose wakeup came before their mark (at most [`CAPACITY`]; one more is not
    /// kept, and its mark then waits for the link's next wakeup).
    early: [u32; CAPACITY],
    early_len: usize,
}

impl CongLinks {
    /// The link to `node` answered `ELINKCONG`: unless it woke the socket already.
    pub(crate) fn add(&mut self, node: u32) {
        if let Some(i) = self
            .early
            .iter()
            .take(self.early_len)
            .position(|&n| n == node)
        {
            self.early_len -= 1;
            self.early.swap(i, self.early_len);
            return;
        }
        if self.nodes.iter().take(self.len).any(|&n| n == node) {
            return;
        }
        match self.nodes.get_mut(self.len) {
            Some(slot) => {
                *slot = node;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    /// The link to `node` woke the socket; if the node is not marked (nor some node past the
    /// capacity), the wakeup came before its mark and is kept for it.
    pub(crate) fn remove(&mut self, node: u32) {
        let overflow = core::mem::take(&mut self.overflow);
        if let Some(i) = self.nodes.iter().take(self.len).position(|&n| n == node) {
            self.len -= 1;
            self.nodes.swap(i, self.len);
        } else if !overflow {
            if let Some(slot) = self.early.get_mut(self.early_len) {
                *slot = node;
                self.early_len += 1;
            }
        }
    }

    /// Whether a send to `node` must wait.
    pub(crate) fn blocks(&self, node: u32) -> bool {
        self.overflow || self.nodes.iter().take(self.len).any(|&n| n == node)
    }

    /// Whether no link is congested: a multicast may go (C waits for `!cong_link_cnt`).
    pub(crate) fn is_empty(&self) -> bool {
        !self.overflow && self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_blocks_until_its_wakeup() {
        let mut c = CongLinks::default();
        assert!(c.is_empty() && !c.blocks(7));
        c.add(7);
        c.add(7);
        assert!(c.blocks(7) && !c.blocks(8) && !c.is_empty());
        c.remove(8);
        assert!(c.blocks(7));
        c.remove(7);
        assert!(c.is_empty() && !c.blocks(7));
    }

    #[test]
    fn a_wakeup_before_the_mark_cancels_it() {
        let mut c = CongLinks::default();
        c.remove(7);
        c.add(7);
        assert!(c.is_empty() && !c.blocks(7));
        // Kept once: the next congestion marks the node.
        c.add(7);
        assert!(c.blocks(7));
        c.remove(7);
        assert!(c.is_empty());
        // Kept per node.
        c.remove(7);
        c.add(8);
        assert!(c.blocks(8) && !c.blocks(7));
    }

    #[test]
    fn past_the_capacity_every_send_waits_for_the_next_wakeup() {
        let mut c = CongLinks::default();
        for n in 0..=CAPACITY as u32 {
            c.add(n);
        }
        assert!(c.blocks(1000));
        c.remove(3);
        assert!(!c.blocks(1000) && !c.blocks(3) && c.blocks(4));
        for n in 0..=CAPACITY as u32 {
            c.remove(n);
        }
        assert!(c.is_empty());
    }
}
