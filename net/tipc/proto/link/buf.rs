// SPDX-License-Identifier: GPL-2.0

//! The buffers a link holds: the glue's packet type (the socket buffer in the kernel, a
//! `Vec<u8>` in the host tests), seen through [`PacketBuf`].
//!
//! The core never copies a message's bytes itself: it writes header fields in place (the
//! sequence number and acknowledgements as a packet enters the transmit queue) and asks the
//! buffer for the rest (a duplicate to transmit while the original stays queued, a fragment
//! of a long message, the concatenation of fragments). Every operation that allocates may
//! fail; the link then retransmits later or drops, never panics.

use core::ops::Range;

use crate::kalloc::Flags;

/// A packet buffer: a TIPC message, header first, in contiguous bytes.
pub(crate) trait PacketBuf: Sized {
    /// The packet's bytes (linear: a received frame is linearised by the glue first).
    fn bytes(&self) -> &[u8];

    /// The packet's bytes, to write header fields. Only the header is written, and only
    /// while the buffer is not shared with a duplicate handed out earlier.
    fn bytes_mut(&mut self) -> &mut [u8];

    /// Its length.
    #[allow(clippy::len_without_is_empty, reason = "a packet is never empty")]
    fn len(&self) -> usize {
        self.bytes().len()
    }

    /// A new packet holding a copy of `bytes` (a message the core built); `None` without
    /// memory.
    fn from_bytes(bytes: &[u8], flags: Flags) -> Option<Self>;

    /// A copy to hand to the bearer while this one stays in the transmit queue, whose header
    /// may be written without changing this one's (`pskb_copy`); `None` without memory.
    fn dup(&self, flags: Flags) -> Option<Self>;

    /// A new packet made of `header` followed by the bytes `range` of this one (a fragment
    /// of a long message); `None` without memory.
    fn fragment(&self, header: &[u8], range: Range<usize>, flags: Flags) -> Option<Self>;

    /// Drops the first `n` bytes (`skb_pull`); false if it has fewer.
    fn pull(&mut self, n: usize) -> bool;

    /// Makes room for `n` more bytes after the data, so that appending them moves nothing
    /// already held (a message being reassembled takes its whole size at the first
    /// fragment, a new bundle the link's segment size); false without memory.
    fn reserve_tail(&mut self, n: usize, flags: Flags) -> bool;

    /// Appends `pad` zero bytes, then `tail`'s bytes after its first `skip` (the next
    /// fragment of a message being reassembled, less its fragment header; a message joining
    /// a bundle, aligned); gives `tail` back without memory.
    fn append(&mut self, tail: Self, skip: usize, pad: usize, flags: Flags) -> Result<(), Self>;
}

#[cfg(test)]
impl PacketBuf for std::vec::Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }

    fn from_bytes(bytes: &[u8], _flags: Flags) -> Option<Self> {
        Some(bytes.to_vec())
    }

    fn dup(&self, _flags: Flags) -> Option<Self> {
        Some(self.clone())
    }

    fn fragment(&self, header: &[u8], range: Range<usize>, _flags: Flags) -> Option<Self> {
        let mut v = header.to_vec();
        v.extend_from_slice(self.get(range)?);
        Some(v)
    }

    fn pull(&mut self, n: usize) -> bool {
        if n > self.len() {
            return false;
        }
        self.drain(..n);
        true
    }

    fn reserve_tail(&mut self, n: usize, _flags: Flags) -> bool {
        self.try_reserve_exact(n).is_ok()
    }

    fn append(&mut self, tail: Self, skip: usize, pad: usize, _flags: Flags) -> Result<(), Self> {
        match tail.get(skip..) {
            Some(b) => {
                self.resize(self.len() + pad, 0);
                self.extend_from_slice(b);
                Ok(())
            }
            None => Err(tail),
        }
    }
}
