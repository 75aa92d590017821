// SPDX-License-Identifier: GPL-2.0

//! The links' buffers are socket buffers: what the cluster engine needs of a buffer
//! ([`PacketBuf`]), done on an [`OwnedSkBuff`].

use crate::{kalloc::Flags, proto::link::buf::PacketBuf};
use core::ops::Range;
use kernel::{
    net::{netdevice::LL_MAX_HEADER, skb::OwnedSkBuff},
    prelude::*,
};

/// The headroom of a packet handed to a bearer: a link-layer header, and for a UDP bearer an
/// IPv6 and a UDP header, so that the bearer puts its headers in front in place.
const FRAME_HEADROOM: usize = LL_MAX_HEADER + 48;

/// A buffer for a frame holding a copy of `msg` (a message the engine built), with room in
/// front for the bearer's headers, allocated with `GFP_ATOMIC` (the caller holds a
/// spinlock); `None` without memory.
pub(crate) fn frame_of(msg: &[u8]) -> Option<OwnedSkBuff> {
    let mut skb = OwnedSkBuff::alloc(FRAME_HEADROOM + msg.len(), GFP_ATOMIC).ok()?;
    skb.reserve(FRAME_HEADROOM).ok()?;
    skb.put(msg.len()).ok()?.copy_from_slice(msg);
    Some(skb)
}

/// The links hold socket buffers. A received frame is linear (`eth.rs` linearises it), and
/// every buffer made here is, so the data is the whole message. Duplicates are full copies,
/// as the link writes the acknowledgement into a retransmission's header; they go to a
/// bearer, so they get its headers' room in front.
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
        self.copy_with_headroom(FRAME_HEADROOM, flags).ok()
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

    fn reserve_tail(&mut self, n: usize, flags: Flags) -> bool {
        if self.tailroom() >= n {
            return true;
        }
        let have = self.data();
        let Ok(mut grown) = OwnedSkBuff::alloc(have.len() + n, flags) else {
            return false;
        };
        match grown.put(have.len()) {
            Ok(dst) => dst.copy_from_slice(have),
            Err(_) => return false,
        }
        core::mem::swap(self, &mut grown);
        grown.consume();
        true
    }

    fn append(&mut self, tail: Self, skip: usize, pad: usize, flags: Flags) -> Result<(), Self> {
        let Some(more) = tail.data().get(skip..) else {
            return Err(tail);
        };
        let need = pad + more.len();
        if !self.reserve_tail(need, flags) {
            return Err(tail);
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
