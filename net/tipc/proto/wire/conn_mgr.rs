// SPDX-License-Identifier: GPL-2.0

//! `CONN_MANAGER`: connection supervision probes and flow-control acknowledgements.
//!
//! ```text
//! w1: type (PROBE 0, PROBE_REPLY 1, ACK 2) and an error code on a returned probe
//! w4..w7: origport destport orignode destnode
//! w9: conn_ack:16 (messages consumed, old flow control) adv_win:16 (blocks advertised)
//! ```

use super::common::expect_user;
use super::common::{Common, Ports};
use super::consts::{ErrorCode, User, INT_H_SIZE};
use super::error::{Error, Result};
use super::header::{start, Packet};

/// Connection manager message types.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum ConnMsgType {
    /// `CONN_PROBE`: is the peer socket still there?
    Probe = 0,
    /// `CONN_PROBE_REPLY`.
    ProbeReply = 1,
    /// `CONN_ACK`: the receiver consumed data.
    Ack = 2,
}

impl ConnMsgType {
    /// The type a field names.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::Probe),
            1 => Some(Self::ProbeReply),
            2 => Some(Self::Ack),
            _ => None,
        }
    }
}

/// A connection manager message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct ConnMgrRepr {
    /// Message type.
    pub(crate) msg_type: ConnMsgType,
    /// Link-level fields.
    pub(crate) common: Common,
    /// Error code: set when a probe comes back undeliverable.
    pub(crate) errcode: ErrorCode,
    /// The two sockets.
    pub(crate) ports: Ports,
    /// Messages acknowledged (word 9, bits 16-31).
    pub(crate) conn_ack: u16,
    /// Receive window advertised, in blocks (word 9, bits 0-15).
    pub(crate) adv_win: u16,
}

impl ConnMgrRepr {
    /// Reads a checked packet.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::ConnManager, INT_H_SIZE)?;
        if p.payload_len() != 0 {
            return Err(Error::UnexpectedPayload);
        }
        Ok(Self {
            msg_type: ConnMsgType::from_bits(p.msg_type()).ok_or(Error::UnknownType)?,
            common: Common::parse(p),
            errcode: ErrorCode::from_bits(p.errcode()).ok_or(Error::UnknownErrorCode)?,
            ports: Ports::parse(p),
            conn_ack: p.bits(9, 16, 0xffff) as u16,
            adv_win: p.bits(9, 0, 0xffff) as u16,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = start(buf, User::ConnManager, self.msg_type as u32, INT_H_SIZE, 0)?;
        let mut p = Packet::new_unchecked(buf);
        self.common.emit(&mut p);
        p.set_errcode(self.errcode.bits());
        self.ports.emit(&mut p);
        p.set_bits(9, 16, 0xffff, self.conn_ack.into());
        p.set_bits(9, 0, 0xffff, self.adv_win.into());
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_bytes() {
        let r = ConnMgrRepr {
            msg_type: ConnMsgType::Ack,
            common: Common::default(),
            errcode: ErrorCode::Ok,
            ports: Ports {
                origport: 1,
                destport: 2,
                orignode: 3,
                destnode: 4,
            },
            conn_ack: 5,
            adv_win: 6,
        };
        let mut b = [0u8; 40];
        assert_eq!(r.emit(&mut b), Ok(40));
        assert_eq!(&b[..8], &[0x51, 0x40, 0, 40, 0x40, 0, 0, 0]);
        assert_eq!(
            &b[16..40],
            &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 5, 0, 6]
        );
        assert_eq!(
            ConnMgrRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(r)
        );
        b[4] = 0x60;
        assert_eq!(
            ConnMgrRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Err(Error::UnknownType)
        );
    }
}
