// SPDX-License-Identifier: GPL-2.0

//! Data messages: users 0 to 3, the importance levels.
//!
//! The header is 24 bytes on a connection inside the cluster (no nodes), 32 with nodes, 40
//! with a service address and 44 with a service range or group fields:
//!
//! ```text
//! w4: origport   w5: destport (broadcast: network id)   w6: orignode   w7: destnode
//! w8: service type
//! w9: instance or lower bound; group: bits 16-31 broadcast sync point / acked / remitted
//! w10: upper bound; group: bits 16-31 broadcast seqno, bit 0 ack request / bits 0-1 event
//! ```

use super::common::Common;
use super::consts::{DataType, ErrorCode, Importance, LookupScope, User, MAX_H_SIZE};
use super::error::{Error, Result};
use super::field::write_bytes;
use super::header::{start, Packet};

/// A data message header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct DataRepr {
    /// Importance: the user field, `Low` to `Critical`.
    pub(crate) importance: Importance,
    /// Message type.
    pub(crate) msg_type: DataType,
    /// Link-level fields.
    pub(crate) common: Common,
    /// Error code: nonzero on a message returned to its sender.
    pub(crate) errcode: ErrorCode,
    /// Times rerouted by a name lookup, up to 15.
    pub(crate) reroute_cnt: u8,
    /// Lookup scope of a named or multicast message.
    pub(crate) lookup_scope: LookupScope,
    /// Header length: a multiple of 4 from the type's minimum to 60.
    pub(crate) header_len: usize,
    /// Originating socket (word 4).
    pub(crate) origport: u32,
    /// Destination socket, or the network id of a broadcast (word 5).
    pub(crate) destport: u32,
    /// Originating node (word 6); absent from a short header.
    pub(crate) orignode: u32,
    /// Destination node (word 7).
    pub(crate) destnode: u32,
    /// Service type (word 8).
    pub(crate) name_type: u32,
    /// Service instance or lower bound, or group fields (word 9).
    pub(crate) name_lower: u32,
    /// Service upper bound, or group fields (word 10).
    pub(crate) name_upper: u32,
}

impl DataRepr {
    /// Reads a data message header; the packet must have passed [`Packet::check`].
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        let user = p.user().ok_or(Error::UnknownUser)?;
        if !user.is_data() {
            return Err(Error::WrongUser);
        }
        let importance = Importance::from_bits(user.bits()).ok_or(Error::WrongUser)?;
        let msg_type = p.data_type();
        let hsz = p.header_len();
        if hsz < msg_type.min_header() {
            return Err(Error::HeaderTooShortForType);
        }
        let word_or_zero = |n: usize| if hsz > n * 4 { p.word(n) } else { 0 };
        Ok(Self {
            importance,
            msg_type,
            common: Common::parse(p),
            errcode: ErrorCode::from_bits(p.errcode()).ok_or(Error::UnknownErrorCode)?,
            reroute_cnt: p.reroute_cnt() as u8,
            lookup_scope: LookupScope::from_bits(p.lookup_scope()),
            header_len: hsz,
            origport: p.origport(),
            destport: p.destport(),
            orignode: word_or_zero(6),
            destnode: word_or_zero(7),
            name_type: word_or_zero(8),
            name_lower: word_or_zero(9),
            name_upper: word_or_zero(10),
        })
    }

    /// The user field this importance makes.
    fn user(&self) -> Result<User> {
        Ok(match self.importance {
            Importance::Low => User::Low,
            Importance::Medium => User::Medium,
            Importance::High => User::High,
            Importance::Critical => User::Critical,
            Importance::System => return Err(Error::WrongUser),
        })
    }

    /// Writes the header and `payload` into `buf`; returns the message length.
    pub(crate) fn emit(&self, buf: &mut [u8], payload: &[u8]) -> Result<usize> {
        let hsz = self.header_len;
        if hsz < self.msg_type.min_header() || hsz > MAX_H_SIZE || hsz % 4 != 0 {
            return Err(Error::HeaderTooShortForType);
        }
        let n = start(buf, self.user()?, self.msg_type.bits(), hsz, payload.len())?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_errcode(self.errcode.bits());
        p.set_reroute_cnt(self.reroute_cnt.into());
        p.set_lookup_scope(self.lookup_scope.bits());
        p.set_origport(self.origport);
        p.set_destport(self.destport);
        let words = [
            self.orignode,
            self.destnode,
            self.name_type,
            self.name_lower,
            self.name_upper,
        ];
        for (i, w) in words.into_iter().enumerate() {
            if hsz > (6 + i) * 4 {
                p.set_word(6 + i, w);
            }
        }
        write_bytes(buf, hsz, payload);
        Ok(n)
    }

    /// Group messages: the broadcast seqno in word 10, bits 16-31.
    pub(crate) fn grp_bc_seqno(&self) -> u16 {
        (self.name_upper >> 16) as u16
    }

    /// Group membership event: the event in word 10, bits 0-1.
    pub(crate) fn grp_evt(&self) -> u32 {
        self.name_upper & 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn named() -> DataRepr {
        DataRepr {
            importance: Importance::Medium,
            msg_type: DataType::Named,
            common: Common {
                seqno: 7,
                ack: 6,
                prevnode: 0x0100_1001,
                ..Common::default()
            },
            errcode: ErrorCode::Ok,
            reroute_cnt: 0,
            lookup_scope: LookupScope::CLUSTER,
            header_len: 40,
            origport: 0x1111_1111,
            destport: 0,
            orignode: 0x0100_1001,
            destnode: 0x0100_1002,
            name_type: 1000,
            name_lower: 5,
            name_upper: 0,
        }
    }

    #[test]
    fn named_message_bytes() {
        let mut b = [0u8; 64];
        let n = named().emit(&mut b, b"hi").unwrap();
        assert_eq!(n, 42);
        let expect: [u8; 42] = [
            0x43, 0x40, 0x00, 0x2a, // v2, user 1, hsize 10 words, size 42
            0x40, 0x10, 0x00, 0x00, // type 2 (named), scope 2
            0x00, 0x06, 0x00, 0x07, // ack 6, seqno 7
            0x01, 0x00, 0x10, 0x01, // prevnode
            0x11, 0x11, 0x11, 0x11, // origport
            0x00, 0x00, 0x00, 0x00, // destport
            0x01, 0x00, 0x10, 0x01, // orignode
            0x01, 0x00, 0x10, 0x02, // destnode
            0x00, 0x00, 0x03, 0xe8, // type 1000
            0x00, 0x00, 0x00, 0x05, // instance 5
            b'h', b'i',
        ];
        assert_eq!(&b[..n], &expect[..]);
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DataRepr::parse(&p), Ok(named()));
        assert_eq!(p.payload(), b"hi");
    }

    #[test]
    fn type_needs_its_header() {
        let mut r = named();
        r.header_len = 32;
        assert_eq!(
            r.emit(&mut [0u8; 64], &[]),
            Err(Error::HeaderTooShortForType)
        );
        let mut b = [0u8; 64];
        let n = named().emit(&mut b, &[]).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..n]);
        p.set_header_len(32);
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DataRepr::parse(&p), Err(Error::HeaderTooShortForType));
    }

    #[test]
    fn unknown_error_code() {
        let mut b = [0u8; 64];
        let n = named().emit(&mut b, &[]).unwrap();
        b[4] |= 0x0e; // errcode 7
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DataRepr::parse(&p), Err(Error::UnknownErrorCode));
    }
}
