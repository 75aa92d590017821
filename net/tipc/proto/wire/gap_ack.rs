// SPDX-License-Identifier: GPL-2.0

//! Gap ACK blocks: the selective acknowledgements at the start of a `STATE` message's payload
//! when the peer has the `GAP_ACK_BLOCK` capability.
//!
//! ```text
//! len:16 (whole record, bytes)  ugack_cnt:8  bgack_cnt:8
//! then bgack_cnt broadcast blocks, then ugack_cnt unicast blocks, each  ack:16 gap:16
//! ```
//!
//! A block says "received everything up to `ack`, then missing `gap` packets".

use super::error::{Error, Result};
use super::field::{read_u16, write_u16};

/// Largest number of blocks in one record.
pub(crate) const MAX_GAP_ACK_BLKS: usize = 128;
/// Bytes before the blocks.
const HEAD: usize = 4;
/// Bytes per block.
const BLOCK: usize = 4;

/// One Gap ACK block.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct GapAck {
    /// Last packet received before the gap.
    pub(crate) ack: u16,
    /// Number of packets missing after `ack`.
    pub(crate) gap: u16,
}

/// A validated Gap ACK record, borrowed from a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct GapAckBlocks<'a> {
    bytes: &'a [u8],
}

impl<'a> GapAckBlocks<'a> {
    /// Reads the record at the start of `data`: its length field must be exactly the size its
    /// two counts make, at most 128 blocks, and within `data`.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Self> {
        let len = read_u16(data, 0).ok_or(Error::GapAckTruncated)? as usize;
        let (u, b) = match data.get(2..4) {
            Some([u, b]) => (*u as usize, *b as usize),
            _ => return Err(Error::GapAckTruncated),
        };
        if u + b > MAX_GAP_ACK_BLKS {
            return Err(Error::GapAckTooMany);
        }
        if len != HEAD + BLOCK * (u + b) {
            return Err(Error::GapAckLength);
        }
        let bytes = data.get(..len).ok_or(Error::GapAckTruncated)?;
        Ok(Self { bytes })
    }

    /// The record's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The record has no blocks.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.len() <= HEAD
    }

    /// The record's bytes.
    pub(crate) fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of unicast blocks.
    pub(crate) fn ugack_cnt(&self) -> usize {
        self.bytes.get(2).copied().unwrap_or(0).into()
    }

    /// Number of broadcast blocks.
    pub(crate) fn bgack_cnt(&self) -> usize {
        self.bytes.get(3).copied().unwrap_or(0).into()
    }

    /// The broadcast link's blocks.
    pub(crate) fn bcast(&self) -> Blocks<'a> {
        Blocks::new(self.bytes, 0, self.bgack_cnt())
    }

    /// The unicast link's blocks.
    pub(crate) fn unicast(&self) -> Blocks<'a> {
        Blocks::new(self.bytes, self.bgack_cnt(), self.ugack_cnt())
    }
}

/// An iterator over some of a record's blocks.
#[derive(Clone, Debug)]
pub(crate) struct Blocks<'a> {
    bytes: &'a [u8],
    next: usize,
    end: usize,
}

impl<'a> Blocks<'a> {
    /// Blocks `first` to `first + count` of the record in `bytes`.
    fn new(bytes: &'a [u8], first: usize, count: usize) -> Self {
        Self {
            bytes,
            next: first,
            end: first + count,
        }
    }
}

impl Iterator for Blocks<'_> {
    type Item = GapAck;

    fn next(&mut self) -> Option<GapAck> {
        if self.next >= self.end {
            return None;
        }
        let at = HEAD + BLOCK * self.next;
        self.next += 1;
        Some(GapAck {
            ack: read_u16(self.bytes, at)?,
            gap: read_u16(self.bytes, at + 2)?,
        })
    }
}

/// Writes a record of `bcast` then `unicast` blocks at the start of `buf`; returns its length.
pub(crate) fn emit(buf: &mut [u8], bcast: &[GapAck], unicast: &[GapAck]) -> Result<usize> {
    let (b, u) = (bcast.len(), unicast.len());
    if b > 255 || u > 255 || b + u > MAX_GAP_ACK_BLKS {
        return Err(Error::GapAckTooMany);
    }
    let len = HEAD + BLOCK * (b + u);
    let out = buf.get_mut(..len).ok_or(Error::BufferTooSmall)?;
    write_u16(out, 0, len as u16);
    write_u16(out, 2, ((u as u16) << 8) | b as u16);
    for (i, g) in bcast.iter().chain(unicast).enumerate() {
        write_u16(out, HEAD + BLOCK * i, g.ack);
        write_u16(out, HEAD + BLOCK * i + 2, g.gap);
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn record_bytes_and_blocks() {
        let mut b = [0u8; 32];
        let bc = [GapAck { ack: 9, gap: 0 }];
        let uc = [GapAck { ack: 3, gap: 2 }, GapAck { ack: 8, gap: 0 }];
        let n = emit(&mut b, &bc, &uc).unwrap();
        assert_eq!(&b[..n], &[0, 16, 2, 1, 0, 9, 0, 0, 0, 3, 0, 2, 0, 8, 0, 0]);
        let g = GapAckBlocks::parse(&b).unwrap();
        assert_eq!(g.len(), 16);
        assert_eq!(g.bcast().collect::<Vec<_>>(), bc);
        assert_eq!(g.unicast().collect::<Vec<_>>(), uc);
    }

    #[test]
    fn rejections() {
        assert_eq!(GapAckBlocks::parse(&[0, 4, 0]), Err(Error::GapAckTruncated));
        assert_eq!(GapAckBlocks::parse(&[0, 8, 0, 0]), Err(Error::GapAckLength));
        assert_eq!(
            GapAckBlocks::parse(&[0, 8, 1, 0, 0]),
            Err(Error::GapAckTruncated)
        );
        assert_eq!(
            GapAckBlocks::parse(&[2, 8, 200, 100]),
            Err(Error::GapAckTooMany)
        );
        assert!(GapAckBlocks::parse(&[0, 4, 0, 0]).unwrap().is_empty());
    }
}
