// SPDX-License-Identifier: GPL-2.0

//! The neighbour monitor's domain record, carried after the Gap ACK blocks of a `STATE`
//! message. All fields are big-endian (the C module's helpers say "le" but swap to network
//! order).
//!
//! ```text
//! len:16 gen:16 ack_gen:16 member_cnt:16 up_map:64 members:32 * member_cnt
//! ```
//!
//! The member count is checked against the record's length, so a peer cannot make a reader
//! walk past the record (the class of CVE-2022-0435).

use super::error::{Error, Result};
use super::field::{read_u16, read_u32, read_u64, write_u16, write_u32, write_u64};

/// Most members a domain record describes.
pub(crate) const MAX_MON_DOMAIN: usize = 64;
/// Bytes before the members.
const HEAD: usize = 16;

/// The length of a record of `members` members.
pub(crate) const fn record_len(members: usize) -> usize {
    HEAD + 4 * members
}

/// A validated domain record, borrowed from a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct DomainRecord<'a> {
    bytes: &'a [u8],
}

impl<'a> DomainRecord<'a> {
    /// Reads a record that fills `data` exactly, as the C module's `tipc_mon_rcv` requires: at
    /// most 64 members, `data` as long as the count makes, and the length field the same.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Self> {
        if data.len() < HEAD {
            return Err(Error::DomainTruncated);
        }
        let cnt = read_u16(data, 6).ok_or(Error::DomainTruncated)? as usize;
        if cnt > MAX_MON_DOMAIN {
            return Err(Error::DomainTooManyMembers);
        }
        if data.len() != record_len(cnt) {
            return Err(Error::DomainMemberCount);
        }
        if read_u16(data, 0) != Some(record_len(cnt) as u16) {
            return Err(Error::DomainLength);
        }
        Ok(Self { bytes: data })
    }

    /// The record's bytes.
    pub(crate) fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Length field.
    pub(crate) fn len(&self) -> u16 {
        read_u16(self.bytes, 0).unwrap_or(0)
    }

    /// The record describes no members.
    pub(crate) fn is_empty(&self) -> bool {
        self.member_cnt() == 0
    }

    /// Generation of the sender's domain.
    pub(crate) fn gen(&self) -> u16 {
        read_u16(self.bytes, 2).unwrap_or(0)
    }

    /// Latest generation of the receiver's domain the sender has seen.
    pub(crate) fn ack_gen(&self) -> u16 {
        read_u16(self.bytes, 4).unwrap_or(0)
    }

    /// Number of members.
    pub(crate) fn member_cnt(&self) -> usize {
        read_u16(self.bytes, 6).unwrap_or(0).into()
    }

    /// Which members the sender considers up, bit `i` for member `i`.
    pub(crate) fn up_map(&self) -> u64 {
        read_u64(self.bytes, 8).unwrap_or(0)
    }

    /// The members' node addresses.
    pub(crate) fn members(&self) -> impl Iterator<Item = u32> + 'a {
        let bytes = self.bytes;
        (0..self.member_cnt()).filter_map(move |i| read_u32(bytes, HEAD + 4 * i))
    }
}

/// Writes a record at the start of `buf`; returns its length.
pub(crate) fn emit(
    buf: &mut [u8],
    gen: u16,
    ack_gen: u16,
    up_map: u64,
    members: &[u32],
) -> Result<usize> {
    if members.len() > MAX_MON_DOMAIN {
        return Err(Error::DomainTooManyMembers);
    }
    let len = record_len(members.len());
    let out = buf.get_mut(..len).ok_or(Error::BufferTooSmall)?;
    write_u16(out, 0, len as u16);
    write_u16(out, 2, gen);
    write_u16(out, 4, ack_gen);
    write_u16(out, 6, members.len() as u16);
    write_u64(out, 8, up_map);
    for (i, m) in members.iter().enumerate() {
        write_u32(out, HEAD + 4 * i, *m);
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn record_bytes() {
        let mut b = [0u8; 32];
        let n = emit(&mut b, 3, 2, 0b10, &[0x1001, 0x1002]).unwrap();
        assert_eq!(
            &b[..n],
            &[0, 24, 0, 3, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0x10, 1, 0, 0, 0x10, 2]
        );
        let d = DomainRecord::parse(&b[..n]).unwrap();
        assert_eq!((d.len(), d.gen(), d.ack_gen(), d.up_map()), (24, 3, 2, 2));
        assert_eq!(d.members().collect::<Vec<_>>(), [0x1001, 0x1002]);
    }

    #[test]
    fn member_count_is_checked_against_the_length() {
        let mut b = [0u8; 24];
        emit(&mut b, 0, 0, 0, &[1, 2]).unwrap();
        assert_eq!(DomainRecord::parse(&b[..20]), Err(Error::DomainMemberCount));
        b[7] = 200;
        assert_eq!(DomainRecord::parse(&b), Err(Error::DomainTooManyMembers));
        b[7] = 2;
        b[1] = 28;
        assert_eq!(DomainRecord::parse(&b), Err(Error::DomainLength));
        assert_eq!(DomainRecord::parse(&b[..10]), Err(Error::DomainTruncated));
    }
}
