// SPDX-License-Identifier: GPL-2.0

//! `SOCK_WAKEUP`: a node-internal pseudo message that a link queues for a socket blocked on
//! link congestion, to wake it when the congestion clears. It never goes on the wire, and
//! shares its user number (14) with `MSG_CRYPTO`, so only its context tells them apart.
//!
//! ```text
//! w0: dest_droppable   w1: type 0   w4..w7: origport destport (the blocked socket) nodes
//! ```

use super::common::expect_user;
use super::common::{Common, Ports};
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::header::{start, Packet};

/// A wakeup pseudo message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct SockWakeupRepr {
    /// Word 0 to 3 fields.
    pub(crate) common: Common,
    /// Sockets and nodes: `destport` is the socket to wake.
    pub(crate) ports: Ports,
}

impl SockWakeupRepr {
    /// Reads a checked packet.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::SOCK_WAKEUP, INT_H_SIZE)?;
        if p.msg_type() != 0 {
            return Err(Error::UnknownType);
        }
        if p.payload_len() != 0 {
            return Err(Error::UnexpectedPayload);
        }
        Ok(Self {
            common: Common::parse(p),
            ports: Ports::parse(p),
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = start(buf, User::SOCK_WAKEUP, 0, INT_H_SIZE, 0)?;
        let mut p = Packet::new_unchecked(buf);
        self.common.emit(&mut p);
        self.ports.emit(&mut p);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakeup_bytes() {
        let mut r = SockWakeupRepr {
            common: Common::default(),
            ports: Ports {
                destport: 0x42,
                ..Ports::default()
            },
        };
        r.common.flags.dest_droppable = true;
        let mut b = [0u8; 40];
        assert_eq!(r.emit(&mut b), Ok(40));
        assert_eq!(&b[..4], &[0x5d, 0x48, 0, 40]);
        assert_eq!(&b[20..24], &[0, 0, 0, 0x42]);
        assert_eq!(
            SockWakeupRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(r)
        );
    }
}
