// SPDX-License-Identifier: GPL-2.0

//! The request's TLV: a `struct tlv_desc` (big-endian length, descriptor included, and type)
//! and its value, read with the C module's checks and no more, and never past the request.

use crate::proto::errno::Errno;

/// The size of a TLV descriptor (`TLV_LENGTH(0)`).
pub(crate) const DESC_LEN: usize = 4;

/// What follows the family's header in a request: a TLV, or nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    bytes: &'a [u8],
}

impl<'a> Request<'a> {
    /// The request whose bytes after the family's header are `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The descriptor's length field, if the request holds a descriptor.
    fn tlv_len(&self) -> Option<u16> {
        self.bytes.first_chunk().copied().map(u16::from_be_bytes)
    }

    /// Whether the request is empty or starts with a descriptor whose length fits in it
    /// (`TLV_OK`, which takes the request's size as a 16-bit number).
    pub(crate) fn well_formed(&self) -> bool {
        let space = self.bytes.len() as u16;
        self.bytes.is_empty()
            || (usize::from(space) >= DESC_LEN && self.tlv_len().is_some_and(|l| l <= space))
    }

    /// Whether the request has a TLV of type `ty` (`TLV_CHECK_TYPE` on a nonempty request).
    pub(crate) fn has_type(&self, ty: u16) -> bool {
        self.bytes
            .get(2..4)
            .and_then(|b| b.try_into().ok())
            .is_some_and(|b| u16::from_be_bytes(b) == ty)
    }

    /// The length of the value as the descriptor gives it (`TLV_GET_DATA_LEN`): negative for
    /// a length shorter than the descriptor.
    pub(crate) fn value_len(&self) -> i32 {
        i32::from(self.tlv_len().unwrap_or(0)) - DESC_LEN as i32
    }

    /// The big-endian word at `offset` in the value, read as C reads it: whatever the
    /// descriptor says; bytes past the end of the request read as zero.
    pub(crate) fn be32(&self, offset: usize) -> u32 {
        let mut word = [0u8; 4];
        let start = DESC_LEN + offset;
        for (i, b) in word.iter_mut().enumerate() {
            *b = self.bytes.get(start + i).copied().unwrap_or(0);
        }
        u32::from_be_bytes(word)
    }

    /// The name at `offset` in the value, as C checks it: `EINVAL` unless the value goes past
    /// `offset` and a NUL comes within the first `max` bytes of what it has there. The name
    /// is returned without its NUL.
    pub(crate) fn name(&self, offset: usize, max: usize) -> Result<&'a [u8], Errno> {
        let len = self.value_len() - offset as i32;
        if len <= 0 {
            return Err(Errno::EINVAL);
        }
        let len = (len as usize).min(max);
        let start = DESC_LEN + offset;
        let field = self.bytes.get(start..start + len).ok_or(Errno::EINVAL)?;
        let nul = field.iter().position(|&b| b == 0).ok_or(Errno::EINVAL)?;
        Ok(field.get(..nul).unwrap_or(&[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(ty: u16, value: &[u8]) -> std::vec::Vec<u8> {
        let mut v = std::vec::Vec::new();
        v.extend_from_slice(&((value.len() + 4) as u16).to_be_bytes());
        v.extend_from_slice(&ty.to_be_bytes());
        v.extend_from_slice(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn well_formed_is_cs_tlv_ok() {
        assert!(Request::new(&[]).well_formed());
        assert!(!Request::new(&[0, 4, 0]).well_formed());
        assert!(Request::new(&[0, 4, 0, 20]).well_formed());
        assert!(!Request::new(&[0, 9, 0, 20, 0, 0, 0, 0]).well_formed());
        // A descriptor shorter than itself passes, as in C.
        assert!(Request::new(&[0, 1, 0, 20]).well_formed());
    }

    #[test]
    fn names_need_a_nul_within_bounds() {
        let r = tlv(20, b"broadcast-link\0");
        let req = Request::new(&r);
        assert!(req.has_type(20));
        assert_eq!(req.name(0, 68), Ok(&b"broadcast-link"[..]));
        let r = tlv(20, b"abc");
        assert_eq!(Request::new(&r).name(0, 68), Err(Errno::EINVAL));
        let r = tlv(20, &[b'a'; 80]);
        assert_eq!(Request::new(&r).name(0, 68), Err(Errno::EINVAL));
        let r = tlv(23, &[0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(Request::new(&r).name(8, 32), Err(Errno::EINVAL));
        assert_eq!(Request::new(&[0, 2, 0, 20]).name(0, 68), Err(Errno::EINVAL));
    }

    #[test]
    fn words_past_the_request_read_as_zero() {
        let r = tlv(2, &[0, 0, 0x12, 0x67]);
        assert_eq!(Request::new(&r).be32(0), 4711);
        assert_eq!(Request::new(&r[..6]).be32(0), 0);
    }
}
