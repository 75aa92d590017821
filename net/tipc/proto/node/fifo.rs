// SPDX-License-Identifier: GPL-2.0

//! A first-in first-out queue on a vector that grows fallibly: pushed at the back, popped
//! from the front in constant time (a vector's `remove(0)` moves every element behind the
//! first, which made draining `n` queued packets cost `n²/2` moves of a packet's size).
//! Popped slots are reclaimed when the queue empties, and when they outnumber those held.

use crate::kalloc::{AllocError, Flags, KVec};

/// The queue.
#[derive(Debug)]
pub(crate) struct Fifo<T> {
    /// Popped slots (`None`) up to `head`, then the queued values in order.
    slots: KVec<Option<T>>,
    head: usize,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Self {
            slots: KVec::new(),
            head: 0,
        }
    }
}

impl<T> Fifo<T> {
    /// Queues `v` at the back.
    pub(crate) fn push(&mut self, v: T, flags: Flags) -> Result<(), AllocError> {
        self.slots.push(Some(v), flags)
    }

    /// The value at the front.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let v = self.slots.get_mut(self.head)?.take();
        self.head += 1;
        if self.head == self.slots.len() {
            self.slots.clear();
            self.head = 0;
        } else if self.head > self.slots.len() / 2 {
            self.slots.retain(|s| s.is_some());
            self.head = 0;
        }
        v
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::Fifo;
    use crate::kalloc::GFP_KERNEL;

    #[test]
    fn values_come_out_in_order_whatever_the_interleaving() {
        let mut q = Fifo::default();
        let mut next_in = 0u32;
        let mut next_out = 0u32;
        for round in 1..50u32 {
            for _ in 0..round % 7 + 1 {
                q.push(next_in, GFP_KERNEL).unwrap();
                next_in += 1;
            }
            for _ in 0..round % 5 {
                if let Some(v) = q.pop() {
                    assert_eq!(v, next_out);
                    next_out += 1;
                }
            }
            assert_eq!((q.slots.len() - q.head) as u32, next_in - next_out);
            // Popped slots never outnumber the held ones by much.
            assert!(
                q.head <= q.slots.len() / 2 + 1,
                "{} of {}",
                q.head,
                q.slots.len()
            );
        }
        while let Some(v) = q.pop() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
        assert_eq!((next_out, q.head, q.slots.len()), (next_in, 0, 0));
    }
}
