// SPDX-License-Identifier: GPL-2.0

//! `BCAST_PROTOCOL`: broadcast link synchronisation (and, with peers older than
//! `BCAST_STATE_NACK`, broadcast NACKs).
//!
//! ```text
//! w1: type STATE (0), bcast_ack:16
//! w2: bcgap_after:16 bcgap_to:16 -- the bits of ack and seqno: when the message goes out on a
//!     unicast link (the initial synchronisation) the link overwrites them
//! w4: last_bcast:16   w5: bc_ack_invalid (bit 14), or the network id when broadcast
//! w6: orignode   w7: destnode
//! ```

use super::common::expect_user;
use super::common::{BcastWord, Common};
use super::consts::{link_type, User, INT_H_SIZE};
use super::error::{Error, Result};
use super::header::{start, Packet};

/// A broadcast protocol message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct BcastProtoRepr {
    /// Link-level fields; `ack` and `seqno` are `bcgap_after` and `bcgap_to` when broadcast.
    pub(crate) common: Common,
    /// Last broadcast packet sent; the receiver expects `last_bcast + 1` next.
    pub(crate) last_bcast: u16,
    /// Word 5.
    pub(crate) word5: BcastWord,
    /// Originating node.
    pub(crate) orignode: u32,
    /// Destination node.
    pub(crate) destnode: u32,
}

impl BcastProtoRepr {
    /// Reads a checked packet.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::BcastProtocol, INT_H_SIZE)?;
        if p.payload_len() != 0 {
            return Err(Error::UnexpectedPayload);
        }
        if p.msg_type() != link_type::STATE {
            return Err(Error::UnknownType);
        }
        Ok(Self {
            common: Common::parse(p),
            last_bcast: p.bits(4, 16, 0xffff) as u16,
            word5: BcastWord::parse(p),
            orignode: p.word(6),
            destnode: p.word(7),
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = start(buf, User::BcastProtocol, link_type::STATE, INT_H_SIZE, 0)?;
        let mut p = Packet::new_unchecked(buf);
        self.common.emit(&mut p);
        p.set_bits(4, 16, 0xffff, self.last_bcast.into());
        self.word5.emit(&mut p);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bc_init_bytes() {
        let r = BcastProtoRepr {
            common: Common {
                bcast_ack: 0xffff,
                ack: 0xffff,
                seqno: 1,
                prevnode: 5,
                ..Common::default()
            },
            last_bcast: 0xffff,
            word5: BcastWord::Unicast {
                bc_ack_invalid: true,
            },
            orignode: 5,
            destnode: 6,
        };
        let mut b = [0u8; 40];
        assert_eq!(r.emit(&mut b), Ok(40));
        assert_eq!(&b[..8], &[0x4b, 0x40, 0, 40, 0, 0, 0xff, 0xff]);
        assert_eq!(&b[16..24], &[0xff, 0xff, 0, 0, 0, 0, 0x40, 0]);
        assert_eq!(
            BcastProtoRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(r)
        );
    }
}
