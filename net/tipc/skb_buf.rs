// SPDX-License-Identifier: GPL-2.0

//! The links' buffers are socket buffers: what the cluster engine needs of a buffer
//! ([`PacketBuf`]), done on an [`OwnedSkBuff`].

use crate::{kalloc::Flags, proto::link::buf::PacketBuf};
use core::ops::Range;
use kernel::net::skb::OwnedSkBuff;

/// The links hold socket buffers. A received frame is linear (`eth.rs` linearises it), and
/// every buffer made here is, so the data is the whole message. Duplicates are full copies
/// (`skb_copy`), as the link writes the acknowledgement into a retransmission's header.
impl PacketBuf for OwnedSkBuff {
    fn bytes(&self) -> &[u8] {
        self.data()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.data_mut()
    }

    fn from_bytes(bytes: &[u8], flags: Flags) -> Option<Self> {
        let mut skb = OwnedSkBuff::alloc(bytes.len(), flags).ok()?;
        skb.put(bytes.len()).ok()?.copy_from_slice(bytes);
        Some(skb)
    }

    fn dup(&self, flags: Flags) -> Option<Self> {
        self.copy(flags).ok()
    }

    fn fragment(&self, header: &[u8], range: Range<usize>, flags: Flags) -> Option<Self> {
        let body = self.data().get(range)?;
        let len = header.len() + body.len();
        let mut skb = OwnedSkBuff::alloc(len, flags).ok()?;
        let (h, b) = skb.put(len).ok()?.split_at_mut(header.len());
        h.copy_from_slice(header);
        b.copy_from_slice(body);
        Some(skb)
    }

    fn pull(&mut self, n: usize) -> bool {
        OwnedSkBuff::pull(self, n).is_ok()
    }

    fn append(&mut self, tail: Self, skip: usize, pad: usize, flags: Flags) -> Result<(), Self> {
        let Some(more) = tail.data().get(skip..) else {
            return Err(tail);
        };
        let need = pad + more.len();
        if self.tailroom() < need {
            let have = self.data();
            let Ok(mut grown) = OwnedSkBuff::alloc(have.len() + need, flags) else {
                return Err(tail);
            };
            match grown.put(have.len()) {
                Ok(dst) => dst.copy_from_slice(have),
                Err(_) => return Err(tail),
            }
            core::mem::swap(self, &mut grown);
            grown.consume();
        }
        match self.put(need) {
            Ok(dst) => {
                let (zeros, bytes) = dst.split_at_mut(pad);
                zeros.fill(0);
                bytes.copy_from_slice(more);
            }
            Err(_) => return Err(tail),
        }
        tail.consume();
        Ok(())
    }
}
