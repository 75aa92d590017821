// SPDX-License-Identifier: GPL-2.0

//! A reply's TLVs, within the C module's bounds: `TIPC_SKB_MAX` bytes in all
//! (`TLV_SPACE(ULTRA_STRING_MAX_LEN)`), a text TLV at most one byte short of it.

use super::tlv::DESC_LEN;
use crate::kalloc::{AllocError, Flags, KVec, GFP_ATOMIC};
use core::fmt;

/// The most a reply's TLVs take (`TIPC_SKB_MAX`).
pub(crate) const SKB_MAX: usize = 32768 + DESC_LEN;

/// The reply has no room for a TLV (C's `EMSGSIZE`, which ends a listing without error).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Full;

/// The TLVs of a reply, in a buffer allocated once: adding to it never allocates, so it may
/// be written under a spinlock.
pub(crate) struct Reply {
    buf: KVec<u8>,
}

/// `TLV_SPACE(len)`: a TLV of a `len`-byte value with its padding.
fn space(len: usize) -> usize {
    (DESC_LEN + len + 3) & !3
}

impl Reply {
    /// No TLV: the legacy answer of success.
    pub(crate) fn empty() -> Self {
        Self { buf: KVec::new() }
    }

    /// A reply to list TLVs into.
    pub(crate) fn list(flags: Flags) -> Result<Self, AllocError> {
        Ok(Self {
            buf: KVec::with_capacity(SKB_MAX, flags)?,
        })
    }

    /// A text reply: one `TIPC_TLV_ULTRA_STRING`, written through [`fmt::Write`]. As in C, its
    /// descriptor's length counts the text only, not the descriptor.
    pub(crate) fn text(flags: Flags) -> Result<Self, AllocError> {
        let mut r = Self::list(flags)?;
        r.push(&[0, 0])?;
        r.push(&super::tlv_type::ULTRA_STRING.to_be_bytes())?;
        Ok(r)
    }

    /// An error reply: `text` and its NUL in a `TIPC_TLV_ERROR_STRING`.
    pub(crate) fn error(text: &[u8], flags: Flags) -> Result<Self, AllocError> {
        let mut r = Self {
            buf: KVec::with_capacity(space(text.len() + 1), flags)?,
        };
        r.put_tlv(super::tlv_type::ERROR_STRING, &[text, &[0]])?;
        Ok(r)
    }

    /// Appends within the buffer's capacity.
    fn push(&mut self, bytes: &[u8]) -> Result<(), AllocError> {
        self.buf.extend_from_slice(bytes, GFP_ATOMIC)
    }

    /// Appends a TLV whose value is `parts`, zero-padded, if the buffer has room.
    fn put_tlv(&mut self, ty: u16, parts: &[&[u8]]) -> Result<(), AllocError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let total = space(len);
        if self.buf.capacity() - self.buf.len() < total {
            return Err(AllocError);
        }
        self.push(&((DESC_LEN + len) as u16).to_be_bytes())?;
        self.push(&ty.to_be_bytes())?;
        for p in parts {
            self.push(p)?;
        }
        self.push(&[0; 3][..total - DESC_LEN - len])
    }

    /// Adds a TLV of type `ty` whose value is `parts` one after the other (`tipc_add_tlv`):
    /// [`Full`] when fewer than its space is left of `TIPC_SKB_MAX`.
    pub(crate) fn add_tlv(&mut self, ty: u16, parts: &[&[u8]]) -> Result<(), Full> {
        let len = parts.iter().map(|p| p.len()).sum();
        if SKB_MAX.saturating_sub(self.buf.len()) < space(len) {
            return Err(Full);
        }
        self.put_tlv(ty, parts).map_err(|_| Full)
    }

    /// Adds one item of a listing ([`Reply::add_tlv`]); whether the listing goes on: not
    /// when the item did not fit or one byte or none is left, as C's listings stop.
    pub(crate) fn list_item(&mut self, ty: u16, parts: &[&[u8]]) -> bool {
        self.add_tlv(ty, parts).is_ok() && !self.is_full()
    }

    /// Whether a listing is to stop here: one byte or none left (C's check after each item).
    pub(crate) fn is_full(&self) -> bool {
        SKB_MAX.saturating_sub(self.buf.len()) <= 1
    }

    /// The reply's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }
}

impl fmt::Write for Reply {
    /// Appends text to the text TLV (`tipc_tlv_sprintf`), cut short one byte before
    /// `TIPC_SKB_MAX` as `vscnprintf` cuts it; never fails.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = (SKB_MAX - 1).saturating_sub(self.buf.len());
        let n = s.len().min(room);
        if n == 0 || self.push(s.as_bytes().get(..n).unwrap_or(&[])).is_err() {
            return Ok(());
        }
        if let Some(len) = self.buf.first_chunk_mut::<2>() {
            *len = u16::from_be_bytes(*len)
                .wrapping_add(n as u16)
                .to_be_bytes();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use core::fmt::Write;

    #[test]
    fn error_is_the_string_and_its_nul_padded() {
        let r = Reply::error(b"\x80", GFP_KERNEL).unwrap();
        assert_eq!(r.bytes(), &[0, 6, 0, 16, 0x80, 0, 0, 0]);
    }

    #[test]
    fn text_length_counts_the_text_only() {
        let mut r = Reply::text(GFP_KERNEL).unwrap();
        r.write_str("TIPC version 2.0.0\n").unwrap();
        assert_eq!(&r.bytes()[..4], &[0, 19, 0, 5]);
        assert_eq!(&r.bytes()[4..], b"TIPC version 2.0.0\n");
    }

    #[test]
    fn text_stops_one_byte_short_of_the_limit() {
        let mut r = Reply::text(GFP_KERNEL).unwrap();
        for _ in 0..5000 {
            r.write_str("0123456789").unwrap();
        }
        assert_eq!(r.bytes().len(), SKB_MAX - 1);
        assert!(r.is_full());
        assert_eq!(&r.bytes()[..2], &32767u16.to_be_bytes());
    }

    #[test]
    fn lists_end_when_the_next_tlv_does_not_fit() {
        let mut r = Reply::list(GFP_KERNEL).unwrap();
        let mut n = 0;
        while r.add_tlv(21, &[&[0; 4], &[0; 4]]).is_ok() {
            n += 1;
        }
        assert_eq!(n, SKB_MAX / 12);
        assert_eq!(r.bytes()[..4], [0, 12, 0, 21]);
    }
}
