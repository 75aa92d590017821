// SPDX-License-Identifier: GPL-2.0

//! `NAME_DISTRIBUTOR`: publications and withdrawals of service bindings, sent to every node.
//!
//! ```text
//! w1: type (PUBLICATION 0, WITHDRAWAL 1) bulk:1 (bit 28) last_bulk:1 (27) non_legacy:1 (26)
//! w4: named_seqno (bits 0-15)   w5: bc_ack_invalid (bit 14), or the network id when broadcast
//! w6: orignode   w7: destnode
//! payload: items of 20 bytes, each  type lower upper port key  (big-endian)
//! ```
//!
//! The key tells apart two bindings of one socket to the same range. A bulk message carries
//! the node's whole table to a new peer; after the last bulk message the receiver accepts the
//! others in `named_seqno` order (non-legacy peers).

use super::common::expect_user;
use super::common::{BcastWord, Common};
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::field::{read_u32, write_bytes, write_u32};
use super::header::{start, Packet};

/// Length of one item.
pub(crate) const ITEM_SIZE: usize = 20;

/// Publication or withdrawal.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum NameMsgType {
    /// `PUBLICATION`.
    Publication = 0,
    /// `WITHDRAWAL`.
    Withdrawal = 1,
}

/// One binding.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct NameItem {
    /// Service type.
    pub(crate) service: u32,
    /// Lower end of the range.
    pub(crate) lower: u32,
    /// Upper end of the range.
    pub(crate) upper: u32,
    /// Bound socket.
    pub(crate) port: u32,
    /// Publication key.
    pub(crate) key: u32,
}

impl NameItem {
    /// Reads the item at `at`.
    pub(crate) fn read(b: &[u8], at: usize) -> Option<Self> {
        Some(Self {
            service: read_u32(b, at)?,
            lower: read_u32(b, at + 4)?,
            upper: read_u32(b, at + 8)?,
            port: read_u32(b, at + 12)?,
            key: read_u32(b, at + 16)?,
        })
    }

    /// Writes the item at `at`.
    pub(crate) fn write(&self, b: &mut [u8], at: usize) -> bool {
        write_u32(b, at, self.service)
            && write_u32(b, at + 4, self.lower)
            && write_u32(b, at + 8, self.upper)
            && write_u32(b, at + 12, self.port)
            && write_u32(b, at + 16, self.key)
    }
}

/// Validated items, borrowed from a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct NameItems<'a> {
    bytes: &'a [u8],
}

impl<'a> NameItems<'a> {
    /// Reads whole items filling `b`, each with `lower` not above `upper`.
    pub(crate) fn parse(b: &'a [u8]) -> Result<Self> {
        if b.len() % ITEM_SIZE != 0 {
            return Err(Error::NameItemsLength);
        }
        let items = Self { bytes: b };
        if items.iter().any(|i| i.lower > i.upper) {
            return Err(Error::NameRange);
        }
        Ok(items)
    }

    /// The items' bytes.
    pub(crate) fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of items.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len() / ITEM_SIZE
    }

    /// No items.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The items.
    pub(crate) fn iter(&self) -> impl Iterator<Item = NameItem> + 'a {
        let b = self.bytes;
        (0..b.len() / ITEM_SIZE).filter_map(move |i| NameItem::read(b, i * ITEM_SIZE))
    }
}

/// Writes `items` at the start of `buf`; returns their length.
pub(crate) fn emit_items(buf: &mut [u8], items: &[NameItem]) -> Result<usize> {
    let len = items
        .len()
        .checked_mul(ITEM_SIZE)
        .ok_or(Error::BufferTooSmall)?;
    if buf.len() < len {
        return Err(Error::BufferTooSmall);
    }
    for (i, it) in items.iter().enumerate() {
        it.write(buf, i * ITEM_SIZE);
    }
    Ok(len)
}

/// A name distributor message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct NameDistrRepr<'a> {
    /// Publication or withdrawal.
    pub(crate) msg_type: NameMsgType,
    /// Link-level fields.
    pub(crate) common: Common,
    /// Part of the bulk table transfer.
    pub(crate) bulk: bool,
    /// The last bulk message.
    pub(crate) last_bulk: bool,
    /// The sender orders updates by `named_seqno`; clear from legacy peers.
    pub(crate) non_legacy: bool,
    /// Update sequence number.
    pub(crate) named_seqno: u16,
    /// Word 5.
    pub(crate) word5: BcastWord,
    /// Originating node: the publisher.
    pub(crate) orignode: u32,
    /// Destination node, 0 for all.
    pub(crate) destnode: u32,
    /// The bindings.
    pub(crate) items: NameItems<'a>,
}

impl<'a> NameDistrRepr<'a> {
    /// Reads a checked packet.
    pub(crate) fn parse(p: &Packet<&'a [u8]>) -> Result<Self> {
        expect_user(p, User::NameDistributor, INT_H_SIZE)?;
        let msg_type = match p.msg_type() {
            0 => NameMsgType::Publication,
            1 => NameMsgType::Withdrawal,
            _ => return Err(Error::UnknownType),
        };
        Ok(Self {
            msg_type,
            common: Common::parse(p),
            bulk: p.bits(1, 28, 1) != 0,
            last_bulk: p.bits(1, 27, 1) != 0,
            non_legacy: p.bits(1, 26, 1) != 0,
            named_seqno: p.bits(4, 0, 0xffff) as u16,
            word5: BcastWord::parse(p),
            orignode: p.word(6),
            destnode: p.word(7),
            items: NameItems::parse(p.payload_ref())?,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let items = self.items.as_bytes();
        let n = start(
            buf,
            User::NameDistributor,
            self.msg_type as u32,
            INT_H_SIZE,
            items.len(),
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_bits(1, 28, 1, self.bulk.into());
        p.set_bits(1, 27, 1, self.last_bulk.into());
        p.set_bits(1, 26, 1, self.non_legacy.into());
        p.set_bits(4, 0, 0xffff, self.named_seqno.into());
        self.word5.emit(&mut p);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        write_bytes(buf, INT_H_SIZE, items);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn publication_bytes() {
        let item = NameItem {
            service: 1000,
            lower: 0,
            upper: 99,
            port: 0x1234_5678,
            key: 0x1234_5679,
        };
        let mut ib = [0u8; 20];
        emit_items(&mut ib, &[item]).unwrap();
        let r = NameDistrRepr {
            msg_type: NameMsgType::Publication,
            common: Common::default(),
            bulk: false,
            last_bulk: false,
            non_legacy: true,
            named_seqno: 3,
            word5: BcastWord::default(),
            orignode: 1,
            destnode: 0,
            items: NameItems::parse(&ib).unwrap(),
        };
        let mut b = [0u8; 60];
        assert_eq!(r.emit(&mut b), Ok(60));
        assert_eq!(&b[..8], &[0x57, 0x40, 0, 60, 0x04, 0, 0, 0]);
        assert_eq!(&b[16..20], &[0, 0, 0, 3]);
        assert_eq!(
            &b[40..],
            &[
                0, 0, 3, 0xe8, 0, 0, 0, 0, 0, 0, 0, 99, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56,
                0x79
            ]
        );
        let p = Packet::new_checked(&b[..]).unwrap();
        let back = NameDistrRepr::parse(&p).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.items.iter().collect::<Vec<_>>(), [item]);
    }

    #[test]
    fn item_rejections() {
        assert_eq!(NameItems::parse(&[0u8; 21]), Err(Error::NameItemsLength));
        let mut ib = [0u8; 20];
        emit_items(
            &mut ib,
            &[NameItem {
                lower: 2,
                upper: 1,
                ..NameItem::default()
            }],
        )
        .unwrap();
        assert_eq!(NameItems::parse(&ib), Err(Error::NameRange));
    }
}
