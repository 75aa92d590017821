// SPDX-License-Identifier: GPL-2.0

//! `MSG_FRAGMENTER`: a message larger than the link MTU, cut into pieces.
//!
//! ```text
//! w1: type (FIRST 0, FRAGMENT 1, LAST 2)
//! w4: fragm_no:16 (from 1) nof_fragms:16 (0: the C module's fragmenter leaves it unset)
//! w5: the network id when broadcast   w6: orignode   w7: destnode
//! w9: importance (bits 0-2) of the message cut
//! payload: the next piece of the message, its header first
//! ```
//!
//! [`Fragmenter`] yields the header of each fragment and the range of the message it
//! carries, so the caller copies straight from the message into its packets.

use core::ops::Range;

use super::common::expect_user;
use super::common::{BcastWord, Common};
use super::consts::{Importance, User, INT_H_SIZE, MAX_H_SIZE};
use super::error::{Error, Result};
use super::field::write_bytes;
use super::header::{start, Packet};

/// Smallest MTU a bearer may have: room for the largest header behind a fragment header.
pub(crate) const MIN_MTU: usize = MAX_H_SIZE + INT_H_SIZE;

/// Fragment types.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum FragType {
    /// `FIRST_FRAGMENT`: starts with the message's header.
    First = 0,
    /// `FRAGMENT`.
    Middle = 1,
    /// `LAST_FRAGMENT`.
    Last = 2,
}

/// A fragment's header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct FragmentRepr {
    /// Fragment type.
    pub(crate) msg_type: FragType,
    /// Link-level fields.
    pub(crate) common: Common,
    /// Fragment number, from 1.
    pub(crate) fragm_no: u16,
    /// Number of fragments, or 0 if not given.
    pub(crate) nof_fragms: u16,
    /// Word 5.
    pub(crate) word5: BcastWord,
    /// Originating node.
    pub(crate) orignode: u32,
    /// Destination node.
    pub(crate) destnode: u32,
    /// Importance of the message.
    pub(crate) importance: Importance,
}

impl FragmentRepr {
    /// Reads a checked packet: a known type, a number from 1 (1 for the first) and within the
    /// count if there is one, and a piece that is not empty.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::MsgFragmenter, INT_H_SIZE)?;
        let msg_type = match p.msg_type() {
            0 => FragType::First,
            1 => FragType::Middle,
            2 => FragType::Last,
            _ => return Err(Error::UnknownType),
        };
        let r = Self {
            msg_type,
            common: Common::parse(p),
            fragm_no: p.bits(4, 16, 0xffff) as u16,
            nof_fragms: p.bits(4, 0, 0xffff) as u16,
            word5: BcastWord::parse(p),
            orignode: p.word(6),
            destnode: p.word(7),
            importance: Importance::from_bits(p.bits(9, 0, 7)).ok_or(Error::BadImportance)?,
        };
        let first_ok = (r.msg_type == FragType::First) == (r.fragm_no == 1);
        if r.fragm_no == 0 || !first_ok || (r.nof_fragms != 0 && r.fragm_no > r.nof_fragms) {
            return Err(Error::FragmentNumber);
        }
        if p.payload_len() == 0 {
            return Err(Error::FragmentEmpty);
        }
        Ok(r)
    }

    /// Writes the header and `payload` into `buf`; returns the fragment's length.
    pub(crate) fn emit(&self, buf: &mut [u8], payload: &[u8]) -> Result<usize> {
        let n = start(
            buf,
            User::MsgFragmenter,
            self.msg_type as u32,
            INT_H_SIZE,
            payload.len(),
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_bits(4, 16, 0xffff, self.fragm_no.into());
        p.set_bits(4, 0, 0xffff, self.nof_fragms.into());
        self.word5.emit(&mut p);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        p.set_bits(9, 0, 7, self.importance.bits());
        write_bytes(buf, INT_H_SIZE, payload);
        Ok(n)
    }
}

/// One fragment to send: its header, and the part of the message it carries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Fragment {
    /// The fragment's header, sizes set.
    pub(crate) header: [u8; INT_H_SIZE],
    /// The bytes of the message that follow the header.
    pub(crate) data: Range<usize>,
}

/// Cuts a message into fragments of at most `max_pkt` bytes, as the C module's
/// `tipc_msg_build` does: every fragment full but the last, numbered from 1, the count left 0.
#[derive(Clone, Debug)]
pub(crate) struct Fragmenter {
    total: usize,
    chunk: usize,
    offset: usize,
    no: u16,
    repr: FragmentRepr,
}

impl Fragmenter {
    /// Prepares to cut `msg`, a checked message larger than `max_pkt`. `repr` gives the
    /// fixed fields; type, number and count are the fragmenter's.
    pub(crate) fn new(msg: &[u8], max_pkt: usize, repr: FragmentRepr) -> Result<Self> {
        let p = Packet::new_checked(msg)?;
        if max_pkt < MIN_MTU {
            return Err(Error::MtuTooSmall);
        }
        let total = p.total_len();
        if total <= max_pkt {
            return Err(Error::FitsInOnePacket);
        }
        Ok(Self {
            total,
            chunk: max_pkt - INT_H_SIZE,
            offset: 0,
            no: 0,
            repr,
        })
    }

    /// Number of fragments the message makes.
    pub(crate) fn fragments(&self) -> usize {
        self.total.div_ceil(self.chunk)
    }
}

impl Iterator for Fragmenter {
    type Item = Fragment;

    fn next(&mut self) -> Option<Fragment> {
        if self.offset >= self.total {
            return None;
        }
        let end = self.total.min(self.offset + self.chunk);
        self.no = self.no.checked_add(1)?;
        let msg_type = if self.offset == 0 {
            FragType::First
        } else if end == self.total {
            FragType::Last
        } else {
            FragType::Middle
        };
        let repr = FragmentRepr {
            msg_type,
            fragm_no: self.no,
            nof_fragms: 0,
            ..self.repr
        };
        let mut header = [0u8; INT_H_SIZE];
        // The header has room: emit writes INT_H_SIZE bytes and no payload.
        repr.emit(&mut header, &[]).ok()?;
        Packet::new_unchecked(&mut header[..]).set_total_len(INT_H_SIZE + end - self.offset);
        let data = self.offset..end;
        self.offset = end;
        Some(Fragment { header, data })
    }
}

/// A first fragment's fields from node 1 to node 2, of `importance` (for tests).
#[cfg(test)]
pub(crate) fn test_repr(importance: Importance) -> FragmentRepr {
    FragmentRepr {
        msg_type: FragType::First,
        common: Common::default(),
        fragm_no: 1,
        nof_fragms: 0,
        word5: BcastWord::default(),
        orignode: 1,
        destnode: 2,
        importance,
    }
}

/// The packets `msg` makes cut at `mtu` bytes, from node 1 to node 2 (for tests).
#[cfg(test)]
pub(crate) fn cut(msg: &[u8], mtu: usize) -> std::vec::Vec<std::vec::Vec<u8>> {
    let Ok(frags) = Fragmenter::new(msg, mtu, test_repr(Importance::Low)) else {
        return std::vec::Vec::new();
    };
    frags
        .map(|f| {
            let mut v = f.header.to_vec();
            v.extend_from_slice(msg.get(f.data).unwrap_or_default());
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn cuts_at_the_mtu() {
        let mut msg = std::vec![7u8; 1000];
        let w0 = 0x4000_0000u32 | (6 << 21) | 1000;
        msg[..4].copy_from_slice(&w0.to_be_bytes());
        let f = Fragmenter::new(&msg, 400, test_repr(Importance::High)).unwrap();
        assert_eq!(f.fragments(), 3);
        let frags: Vec<_> = f.collect();
        assert_eq!(
            frags.iter().map(|f| f.data.clone()).collect::<Vec<_>>(),
            [0..360, 360..720, 720..1000]
        );
        assert_eq!(&frags[0].header[..8], &[0x59, 0x40, 0x01, 0x90, 0, 0, 0, 0]);
        assert_eq!(&frags[1].header[16..20], &[0, 2, 0, 0]);
        assert_eq!(&frags[2].header[4..8], &[0x40, 0, 0, 0]);
        assert_eq!(&frags[2].header[36..40], &[0, 0, 0, 2]);
        assert_eq!(
            Fragmenter::new(&msg, 1000, test_repr(Importance::High)).err(),
            Some(Error::FitsInOnePacket)
        );
        assert_eq!(
            Fragmenter::new(&msg, 99, test_repr(Importance::High)).err(),
            Some(Error::MtuTooSmall)
        );
    }

    #[test]
    fn numbering_is_checked() {
        let mut b = [0u8; 48];
        let n = test_repr(Importance::High).emit(&mut b, &[1; 8]).unwrap();
        assert!(FragmentRepr::parse(&Packet::new_checked(&b[..n]).unwrap()).is_ok());
        let mut r = test_repr(Importance::High);
        r.fragm_no = 2;
        r.emit(&mut b, &[1; 8]).unwrap();
        assert_eq!(
            FragmentRepr::parse(&Packet::new_checked(&b[..n]).unwrap()),
            Err(Error::FragmentNumber)
        );
        let mut r = test_repr(Importance::High);
        r.nof_fragms = 3;
        r.fragm_no = 4;
        r.msg_type = FragType::Last;
        r.emit(&mut b, &[1; 8]).unwrap();
        assert_eq!(
            FragmentRepr::parse(&Packet::new_checked(&b[..n]).unwrap()),
            Err(Error::FragmentNumber)
        );
        let n = test_repr(Importance::High).emit(&mut b, &[]).unwrap();
        assert_eq!(
            FragmentRepr::parse(&Packet::new_checked(&b[..n]).unwrap()),
            Err(Error::FragmentEmpty)
        );
    }
}
