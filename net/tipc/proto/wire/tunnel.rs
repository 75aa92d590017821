// SPDX-License-Identifier: GPL-2.0

//! `TUNNEL_PROTOCOL`: packets of one link carried over a parallel link, for failover
//! (`FAILOVER`) or to synchronise a second link coming up (`SYNCH`).
//!
//! ```text
//! w1: type (SYNCH 0, FAILOVER 1)
//! w4: fragm_no:16 nof_fragms:16 -- set when a FAILOVER packet too large for the tunnel link
//!     is cut into pieces (peers with TUNNEL_ENHANCED)
//! w5: bearer_id, bits 9-11: the receiver's bearer of the link tunnelled
//! w6: orignode   w7: destnode
//! w9: msgcnt:16 (packets tunnelled; for a dummy SYNCH, the sync point)
//! payload: one whole inner message, a piece of one, or nothing (dummy SYNCH)
//! ```

use super::common::expect_user;
use super::common::Common;
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::field::write_bytes;
use super::header::{start, Packet};

/// Tunnel message types.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum TunnelMsgType {
    /// `SYNCH_MSG`.
    Synch = 0,
    /// `FAILOVER_MSG`.
    Failover = 1,
}

/// A tunnel message header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct TunnelRepr {
    /// Message type.
    pub(crate) msg_type: TunnelMsgType,
    /// Link-level fields of the tunnel link.
    pub(crate) common: Common,
    /// Piece number, from 1, of a cut inner packet; 0 if whole.
    pub(crate) fragm_no: u16,
    /// Pieces of a cut inner packet; 0 if whole.
    pub(crate) nof_fragms: u16,
    /// The receiver's bearer of the tunnelled link (3 bits).
    pub(crate) bearer_id: u8,
    /// Originating node.
    pub(crate) orignode: u32,
    /// Destination node.
    pub(crate) destnode: u32,
    /// Packets tunnelled, or the sync point of a dummy SYNCH.
    pub(crate) msgcnt: u16,
}

impl TunnelRepr {
    /// Reads a checked packet. A whole inner packet (not a piece) must be a valid message
    /// within the payload.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::TunnelProtocol, INT_H_SIZE)?;
        let msg_type = match p.msg_type() {
            0 => TunnelMsgType::Synch,
            1 => TunnelMsgType::Failover,
            _ => return Err(Error::UnknownType),
        };
        let r = Self {
            msg_type,
            common: Common::parse(p),
            fragm_no: p.bits(4, 16, 0xffff) as u16,
            nof_fragms: p.bits(4, 0, 0xffff) as u16,
            bearer_id: p.bits(5, 9, 7) as u8,
            orignode: p.word(6),
            destnode: p.word(7),
            msgcnt: p.bits(9, 16, 0xffff) as u16,
        };
        if r.nof_fragms == 0 {
            if r.fragm_no != 0 {
                return Err(Error::FragmentNumber);
            }
            let inner = p.payload();
            if !inner.is_empty() {
                let ip = Packet::new_checked(inner).map_err(|_| Error::TunnelInner)?;
                if ip.total_len() != inner.len() {
                    return Err(Error::TunnelInner);
                }
            }
        } else if r.fragm_no == 0 || r.fragm_no > r.nof_fragms {
            return Err(Error::FragmentNumber);
        }
        Ok(r)
    }

    /// Writes the header and `payload` into `buf`; returns the message length.
    pub(crate) fn emit(&self, buf: &mut [u8], payload: &[u8]) -> Result<usize> {
        let n = start(
            buf,
            User::TunnelProtocol,
            self.msg_type as u32,
            INT_H_SIZE,
            payload.len(),
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_bits(4, 16, 0xffff, self.fragm_no.into());
        p.set_bits(4, 0, 0xffff, self.nof_fragms.into());
        p.set_bits(5, 9, 7, self.bearer_id.into());
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        p.set_bits(9, 16, 0xffff, self.msgcnt.into());
        write_bytes(buf, INT_H_SIZE, payload);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synch() -> TunnelRepr {
        TunnelRepr {
            msg_type: TunnelMsgType::Synch,
            common: Common::default(),
            fragm_no: 0,
            nof_fragms: 0,
            bearer_id: 1,
            orignode: 1,
            destnode: 2,
            msgcnt: 0x1234,
        }
    }

    #[test]
    fn dummy_synch_bytes() {
        let mut b = [0u8; 40];
        assert_eq!(synch().emit(&mut b, &[]), Ok(40));
        assert_eq!(&b[..4], &[0x55, 0x40, 0, 40]);
        assert_eq!(&b[20..24], &[0, 0, 2, 0]);
        assert_eq!(&b[36..40], &[0x12, 0x34, 0, 0]);
        assert_eq!(
            TunnelRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(synch())
        );
    }

    #[test]
    fn inner_packet_is_checked() {
        let mut b = [0u8; 80];
        let inner = [0u8; 24];
        let n = synch().emit(&mut b, &inner).unwrap();
        assert_eq!(
            TunnelRepr::parse(&Packet::new_checked(&b[..n]).unwrap()),
            Err(Error::TunnelInner)
        );
        let mut inner = [0u8; 24];
        inner[..4].copy_from_slice(&(0x4000_0000u32 | (6 << 21) | 24).to_be_bytes());
        let n = synch().emit(&mut b, &inner).unwrap();
        assert!(TunnelRepr::parse(&Packet::new_checked(&b[..n]).unwrap()).is_ok());
    }
}
