// SPDX-License-Identifier: GPL-2.0

//! The links a connectionless socket found congested (`tsk->cong_links`): a send to a
//! node whose link answered `ELINKCONG` was queued all the same, and the socket's next send
//! to that node waits until the link wakes it.
//!
//! A socket rarely waits for more than a few nodes at once; past [`CAPACITY`] the set only
//! remembers that some other node is congested, and then every send waits for the next
//! wakeup from any node. A send that finds the link still congested after that is queued
//! and marks the node again, so the set corrects itself without allocating.

/// Nodes the set names one by one.
pub(crate) const CAPACITY: usize = 8;

/// The nodes whose links a socket waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct CongLinks {
    nodes: [u32; CAPACITY],
    len: usize,
    /// A node past the capacity is congested too.
    overflow: bool,
}

impl CongLinks {
    /// The link to `node` answered `ELINKCONG`.
    pub(crate) fn add(&mut self, node: u32) {
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

    /// The link to `node` woke the socket.
    pub(crate) fn remove(&mut self, node: u32) {
        self.overflow = false;
        let Some(i) = self.nodes.iter().take(self.len).position(|&n| n == node) else {
            return;
        };
        self.len -= 1;
        self.nodes.swap(i, self.len);
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
