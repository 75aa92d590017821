// SPDX-License-Identifier: GPL-2.0

//! `GROUP_PROTOCOL`: membership and flow control between members of a communication group.
//!
//! ```text
//! w1: type (JOIN 0, LEAVE 1, ADV 2, ACK 3, RECLAIM 4, REMIT 5)
//! w4..w7: origport destport orignode destnode
//! w9: bits 16-31: JOIN/LEAVE broadcast sync point, ACK broadcast acked, REMIT remitted;
//!     bits 0-15: advertised window (JOIN, ADV)
//! ```

use super::common::expect_user;
use super::common::{Common, Ports};
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::header::{start, Packet};

/// Group protocol message types.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum GroupMsgType {
    /// `GRP_JOIN_MSG`.
    Join = 0,
    /// `GRP_LEAVE_MSG`.
    Leave = 1,
    /// `GRP_ADV_MSG`: window advertisement.
    Adv = 2,
    /// `GRP_ACK_MSG`: broadcast acknowledgement.
    Ack = 3,
    /// `GRP_RECLAIM_MSG`: give back the window.
    Reclaim = 4,
    /// `GRP_REMIT_MSG`: window given back.
    Remit = 5,
}

impl GroupMsgType {
    /// The type a field names.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Join,
            1 => Self::Leave,
            2 => Self::Adv,
            3 => Self::Ack,
            4 => Self::Reclaim,
            5 => Self::Remit,
            _ => return None,
        })
    }
}

/// A group protocol message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct GroupProtoRepr {
    /// Message type.
    pub(crate) msg_type: GroupMsgType,
    /// Link-level fields.
    pub(crate) common: Common,
    /// The two members' sockets.
    pub(crate) ports: Ports,
    /// Sync point, acked or remitted, as the type says (word 9, bits 16-31).
    pub(crate) bc_point: u16,
    /// Window advertised, in blocks (word 9, bits 0-15).
    pub(crate) adv_win: u16,
}

impl GroupProtoRepr {
    /// Reads a checked packet.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::GroupProtocol, INT_H_SIZE)?;
        if p.payload_len() != 0 {
            return Err(Error::UnexpectedPayload);
        }
        Ok(Self {
            msg_type: GroupMsgType::from_bits(p.msg_type()).ok_or(Error::UnknownType)?,
            common: Common::parse(p),
            ports: Ports::parse(p),
            bc_point: p.bits(9, 16, 0xffff) as u16,
            adv_win: p.bits(9, 0, 0xffff) as u16,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = start(
            buf,
            User::GroupProtocol,
            self.msg_type as u32,
            INT_H_SIZE,
            0,
        )?;
        let mut p = Packet::new_unchecked(buf);
        self.common.emit(&mut p);
        self.ports.emit(&mut p);
        p.set_bits(9, 16, 0xffff, self.bc_point.into());
        p.set_bits(9, 0, 0xffff, self.adv_win.into());
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_bytes() {
        let r = GroupProtoRepr {
            msg_type: GroupMsgType::Join,
            common: Common {
                flags: super::super::header::Flags {
                    dest_droppable: true,
                    ..Default::default()
                },
                ..Common::default()
            },
            ports: Ports::default(),
            bc_point: 0x0102,
            adv_win: 0x0304,
        };
        let mut b = [0u8; 40];
        assert_eq!(r.emit(&mut b), Ok(40));
        assert_eq!(&b[..8], &[0x53, 0x48, 0, 40, 0, 0, 0, 0]);
        assert_eq!(&b[36..], &[1, 2, 3, 4]);
        assert_eq!(
            GroupProtoRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(r)
        );
    }
}
