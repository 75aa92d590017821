// SPDX-License-Identifier: GPL-2.0

//! `TOP_SRV`: a node-internal pseudo message carrying a topology event from the server to a
//! subscriber inside the kernel. It never goes on the wire.
//!
//! ```text
//! w0: dest_droppable   w1: type 0   w4..w7: origport destport orignode destnode
//! payload: one event (48 bytes, see `topsrv`)
//! ```

use super::common::expect_user;
use super::common::{Common, Ports};
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::header::{start, Packet};
use super::topsrv::{Event, EVENT_LEN};

/// A topology event for a kernel subscriber.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct TopSrvRepr {
    /// Words 0 to 3.
    pub(crate) common: Common,
    /// Sockets and nodes: both the subscriber's.
    pub(crate) ports: Ports,
    /// The event.
    pub(crate) event: Event,
}

impl TopSrvRepr {
    /// Reads a checked packet.
    pub(crate) fn parse(p: &Packet<&[u8]>) -> Result<Self> {
        expect_user(p, User::TopSrv, INT_H_SIZE)?;
        if p.msg_type() != 0 {
            return Err(Error::UnknownType);
        }
        Ok(Self {
            common: Common::parse(p),
            ports: Ports::parse(p),
            event: Event::parse(p.payload_ref())?,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = start(buf, User::TopSrv, 0, INT_H_SIZE, EVENT_LEN)?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        self.ports.emit(&mut p);
        let out = buf.get_mut(INT_H_SIZE..).ok_or(Error::BufferTooSmall)?;
        self.event.emit(out)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::topsrv::{ByteOrder, Subscription, SUBSCR_TIMEOUT, SUB_SERVICE};
    use super::*;

    #[test]
    fn event_message_round_trip() {
        let r = TopSrvRepr {
            common: Common::default(),
            ports: Ports {
                origport: 9,
                destport: 9,
                orignode: 1,
                destnode: 1,
            },
            event: Event {
                event: SUBSCR_TIMEOUT,
                found_lower: 0,
                found_upper: 0,
                port_ref: 0,
                port_node: 0,
                sub: Subscription {
                    service: 0,
                    lower: 0,
                    upper: 10,
                    timeout: 100,
                    filter: SUB_SERVICE,
                    handle: [9, 0, 0, 0, 0, 0, 0, 0],
                    order: ByteOrder::Little,
                },
            },
        };
        let mut b = [0u8; 88];
        assert_eq!(r.emit(&mut b), Ok(88));
        assert_eq!(&b[..4], &[0x5f, 0x40, 0, 88]);
        assert_eq!(&b[40..44], &[3, 0, 0, 0]);
        assert_eq!(
            TopSrvRepr::parse(&Packet::new_checked(&b[..]).unwrap()),
            Ok(r)
        );
    }
}
