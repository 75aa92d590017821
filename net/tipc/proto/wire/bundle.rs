// SPDX-License-Identifier: GPL-2.0

//! `MSG_BUNDLER`: small messages packed into one packet when the link is congested.
//!
//! ```text
//! w1: type 0   w5: the network id when broadcast   w6: orignode   w7: destnode
//! w9: msgcnt:16, importance (bits 0-2)
//! payload: whole messages, each starting at a multiple of 4 from the payload's start
//! ```
//!
//! [`Bundler`] packs messages into a caller's buffer; [`Unbundler`] walks a received bundle,
//! checking every inner message as a received packet is checked.

use super::common::expect_user;
use super::common::{BcastWord, Common};
use super::consts::{Importance, User, INT_H_SIZE, MIN_H_SIZE};
use super::error::{Error, Result};
use super::field::{align4, write_bytes};
use super::header::{start, Packet};

/// A bundle's header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct BundleRepr {
    /// Link-level fields.
    pub(crate) common: Common,
    /// Word 5.
    pub(crate) word5: BcastWord,
    /// Originating node: the first inner message's previous node.
    pub(crate) orignode: u32,
    /// Destination node.
    pub(crate) destnode: u32,
    /// Number of messages inside.
    pub(crate) msgcnt: u16,
    /// Importance of the first message.
    pub(crate) importance: Importance,
}

impl BundleRepr {
    /// Reads a checked packet's header; see [`Unbundler`] for the content.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::MsgBundler, INT_H_SIZE)?;
        if p.msg_type() != 0 {
            return Err(Error::UnknownType);
        }
        Ok(Self {
            common: Common::parse(p),
            word5: BcastWord::parse(p),
            orignode: p.word(6),
            destnode: p.word(7),
            msgcnt: p.bits(9, 16, 0xffff) as u16,
            importance: Importance::from_bits(p.bits(9, 0, 7)).ok_or(Error::BadImportance)?,
        })
    }

    /// Writes the header and `payload` (inner messages, already laid out) into `buf`.
    pub(crate) fn emit(&self, buf: &mut [u8], payload: &[u8]) -> Result<usize> {
        let n = start(buf, User::MsgBundler, 0, INT_H_SIZE, payload.len())?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        self.word5.emit(&mut p);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        p.set_bits(9, 16, 0xffff, self.msgcnt.into());
        p.set_bits(9, 0, 7, self.importance.bits());
        write_bytes(buf, INT_H_SIZE, payload);
        Ok(n)
    }
}

/// The users a bundle may carry: not fragments, tunnelled packets, broadcast protocol
/// messages (the C module never bundles them) or other bundles.
pub(crate) fn bundleable(user: Option<User>) -> bool {
    !matches!(
        user,
        None | Some(User::MsgFragmenter)
            | Some(User::TunnelProtocol)
            | Some(User::BcastProtocol)
            | Some(User::MsgBundler)
            | Some(User::LinkProtocol)
            | Some(User::LinkConfig)
    )
}

/// Walks the messages of a bundle's payload, checking each.
#[derive(Clone, Debug)]
pub(crate) struct Unbundler<'a> {
    data: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Unbundler<'a> {
    /// Walks `payload`, a bundle's payload.
    pub(crate) fn new(payload: &'a [u8]) -> Self {
        Self {
            data: payload,
            pos: 0,
            failed: false,
        }
    }

    /// The next message, or why the bundle is bad.
    fn step(&mut self) -> Result<Packet<&'a [u8]>> {
        let rest = self.data.get(self.pos..).ok_or(Error::BundleTruncated)?;
        if rest.len() < MIN_H_SIZE {
            return Err(Error::BundleTruncated);
        }
        let inner = Packet::new_checked(rest).map_err(|_| Error::BundleInner)?;
        let size = inner.total_len();
        if !bundleable(inner.user()) {
            return Err(Error::BundleInnerUser);
        }
        let msg = rest.get(..size).ok_or(Error::BundleTruncated)?;
        let end = self.pos + size;
        if end < self.data.len() {
            let next = align4(end).ok_or(Error::BundleTruncated)?;
            if next >= self.data.len() {
                return Err(Error::BundleTruncated);
            }
            self.pos = next;
        } else {
            self.pos = end;
        }
        Ok(Packet::new_unchecked(msg))
    }
}

impl<'a> Iterator for Unbundler<'a> {
    type Item = Result<Packet<&'a [u8]>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        let r = self.step();
        self.failed = r.is_err();
        Some(r)
    }
}

/// Checks a whole bundle's content: every message valid and `msgcnt` of them.
pub(crate) fn check_content(payload: &[u8], msgcnt: u16) -> Result<()> {
    let mut n: usize = 0;
    for m in Unbundler::new(payload) {
        m?;
        n += 1;
    }
    if n == 0 || n != usize::from(msgcnt) {
        return Err(Error::BundleCount);
    }
    Ok(())
}

/// Packs messages into a bundle in a caller's buffer, at most `mss` bytes long.
#[derive(Debug)]
pub(crate) struct Bundler<'b> {
    buf: &'b mut [u8],
    len: usize,
    count: u16,
    repr: BundleRepr,
}

impl<'b> Bundler<'b> {
    /// Starts a bundle of at most `mss` bytes (the link MTU) in `buf`. `repr.msgcnt` is
    /// ignored: the bundler counts.
    pub(crate) fn new(buf: &'b mut [u8], mss: usize, repr: BundleRepr) -> Result<Self> {
        let cap = mss.min(buf.len());
        let buf = buf.get_mut(..cap).ok_or(Error::BufferTooSmall)?;
        if cap < INT_H_SIZE + MIN_H_SIZE {
            return Err(Error::BufferTooSmall);
        }
        Ok(Self {
            buf,
            len: INT_H_SIZE,
            count: 0,
            repr,
        })
    }

    /// Whether `msg` could ever go in a bundle of this size: a bundleable user, and room for
    /// it beside the bundle header (the C module's `tipc_msg_try_bundle` rule).
    pub(crate) fn fits_ever(&self, msg: &[u8]) -> bool {
        let p = Packet::new_unchecked(msg);
        bundleable(p.user()) && self.buf.len() > INT_H_SIZE + p.total_len()
    }

    /// Appends a checked message; `Error::BundleFull` if it does not fit now.
    pub(crate) fn push(&mut self, msg: &[u8]) -> Result<()> {
        let p = Packet::new_checked(msg)?;
        if !bundleable(p.user()) {
            return Err(Error::BundleInnerUser);
        }
        let m = p.message();
        let at = if self.count == 0 {
            self.len
        } else {
            align4(self.len).ok_or(Error::BundleFull)?
        };
        let end = at.checked_add(m.len()).ok_or(Error::BundleFull)?;
        if end > self.buf.len() || self.count == u16::MAX {
            return Err(Error::BundleFull);
        }
        if let Some(pad) = self.buf.get_mut(self.len..at) {
            pad.fill(0);
        }
        write_bytes(self.buf, at, m);
        self.len = end;
        self.count += 1;
        Ok(())
    }

    /// Messages so far.
    pub(crate) fn count(&self) -> u16 {
        self.count
    }

    /// Writes the header; returns the bundle's length.
    pub(crate) fn finish(self) -> Result<usize> {
        if self.count == 0 {
            return Err(Error::BundleCount);
        }
        let payload_len = self.len - INT_H_SIZE;
        let repr = BundleRepr {
            msgcnt: self.count,
            ..self.repr
        };
        let n = start(self.buf, User::MsgBundler, 0, INT_H_SIZE, payload_len)?;
        let mut p = Packet::new_unchecked(&mut *self.buf);
        repr.common.emit(&mut p);
        repr.word5.emit(&mut p);
        p.set_orignode(repr.orignode);
        p.set_destnode(repr.destnode);
        p.set_bits(9, 16, 0xffff, repr.msgcnt.into());
        p.set_bits(9, 0, 7, repr.importance.bits());
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn small(len: usize, fill: u8) -> Vec<u8> {
        let mut m = std::vec![fill; 24 + len];
        let w0 = 0x4000_0000u32 | (6 << 21) | (24 + len) as u32;
        m[..4].copy_from_slice(&w0.to_be_bytes());
        m
    }

    fn repr() -> BundleRepr {
        BundleRepr {
            common: Common::default(),
            word5: BcastWord::default(),
            orignode: 1,
            destnode: 2,
            msgcnt: 0,
            importance: Importance::Low,
        }
    }

    #[test]
    fn bundle_and_unbundle() {
        let mut buf = [0u8; 200];
        let mut b = Bundler::new(&mut buf, 150, repr()).unwrap();
        let (a, c) = (small(1, 0xaa), small(3, 0xbb));
        b.push(&a).unwrap();
        b.push(&c).unwrap();
        assert_eq!(b.push(&small(60, 0xcc)), Err(Error::BundleFull));
        assert_eq!(b.count(), 2);
        let n = b.finish().unwrap();
        assert_eq!(n, 40 + 28 + 27);
        assert_eq!(&buf[36..40], &[0, 2, 0, 0]);
        assert_eq!(&buf[40 + 25..40 + 28], &[0, 0, 0]);
        let p = Packet::new_checked(&buf[..n]).unwrap();
        let r = BundleRepr::parse(&p).unwrap();
        assert_eq!(r.msgcnt, 2);
        let inner: Vec<_> = Unbundler::new(p.payload())
            .map(|m| m.unwrap().message().to_vec())
            .collect();
        assert_eq!(inner, [a, c]);
        assert_eq!(check_content(p.payload(), 2), Ok(()));
        assert_eq!(check_content(p.payload(), 3), Err(Error::BundleCount));
    }

    #[test]
    fn bad_inner_messages() {
        let mut m = small(1, 0);
        m[0] = 0x20; // version 1
        assert_eq!(Unbundler::new(&m).next(), Some(Err(Error::BundleInner)));
        let mut m = small(4, 0);
        m.truncate(26);
        assert_eq!(Unbundler::new(&m).next(), Some(Err(Error::BundleInner)));
        let mut m = small(4, 0);
        m.extend_from_slice(&[0u8; 8]);
        let mut u = Unbundler::new(&m);
        assert!(u.next().unwrap().is_ok());
        assert_eq!(u.next(), Some(Err(Error::BundleTruncated)));
        assert_eq!(u.next(), None);
        let mut f = small(4, 0);
        f[0] |= 0x18; // user 12
        assert_eq!(Unbundler::new(&f).next(), Some(Err(Error::BundleInnerUser)));
    }
}
