// SPDX-License-Identifier: GPL-2.0

//! The topology server's subscription and event, as subscribers send and receive them over a
//! connection to service {1, 1}.
//!
//! ```text
//! subscription (28 bytes): type lower upper timeout filter usr_handle[8]
//! event (48 bytes): event found_lower found_upper port.ref port.node subscription
//! ```
//!
//! The words are in the subscriber's byte order, not the network's. The server tells the order
//! from the filter: if the filter, read in the server's own order, has none of the three known
//! bits (`PORTS`, `SERVICE`, `CANCEL`) set, the subscriber is of the other order and every
//! field is swapped, in the subscription as in the events sent back.

use super::error::{Error, Result};
use super::field::{read_array, write_bytes};

/// Length of a subscription.
pub(crate) const SUBSCR_LEN: usize = 28;
/// Length of an event.
pub(crate) const EVENT_LEN: usize = 48;
/// Filter: an event per matching publication.
pub(crate) const SUB_PORTS: u32 = 0x01;
/// Filter: an event at the first publication and after the last withdrawal.
pub(crate) const SUB_SERVICE: u32 = 0x02;
/// Filter: cancel the subscription that is otherwise identical.
pub(crate) const SUB_CANCEL: u32 = 0x04;
/// The filter bits the server knows; their absence reveals the byte order.
pub(crate) const FILTER_MASK: u32 = SUB_PORTS | SUB_SERVICE | SUB_CANCEL;
/// A subscription timeout that never expires.
pub(crate) const WAIT_FOREVER: u32 = u32::MAX;
/// Event: a matching publication appeared.
pub(crate) const PUBLISHED: u32 = 1;
/// Event: a matching publication went.
pub(crate) const WITHDRAWN: u32 = 2;
/// Event: the subscription timed out.
pub(crate) const SUBSCR_TIMEOUT: u32 = 3;

/// The byte order of a subscriber's words.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum ByteOrder {
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
}

impl ByteOrder {
    /// The order of the machine this code runs on.
    pub(crate) const fn host() -> Self {
        if cfg!(target_endian = "big") {
            Self::Big
        } else {
            Self::Little
        }
    }

    /// The other order.
    pub(crate) const fn swapped(self) -> Self {
        match self {
            Self::Little => Self::Big,
            Self::Big => Self::Little,
        }
    }

    /// The subscriber's order, told by the raw filter bytes the way the C module tells it:
    /// read in the host's order, a filter with a known bit is the host's order; otherwise the
    /// other order.
    pub(crate) fn detect(filter: [u8; 4]) -> Self {
        if u32::from_ne_bytes(filter) & FILTER_MASK != 0 {
            Self::host()
        } else {
            Self::host().swapped()
        }
    }

    /// Reads a word in this order.
    pub(crate) const fn read(self, b: [u8; 4]) -> u32 {
        match self {
            Self::Little => u32::from_le_bytes(b),
            Self::Big => u32::from_be_bytes(b),
        }
    }

    /// Writes a word in this order.
    pub(crate) const fn write(self, v: u32) -> [u8; 4] {
        match self {
            Self::Little => v.to_le_bytes(),
            Self::Big => v.to_be_bytes(),
        }
    }
}

/// A subscription, its words in host values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct Subscription {
    /// Service type.
    pub(crate) service: u32,
    /// Lower end of the range.
    pub(crate) lower: u32,
    /// Upper end of the range.
    pub(crate) upper: u32,
    /// Lifetime in ms, or [`WAIT_FOREVER`].
    pub(crate) timeout: u32,
    /// `SUB_*` bits.
    pub(crate) filter: u32,
    /// Opaque to the server, returned in events.
    pub(crate) handle: [u8; 8],
    /// The subscriber's byte order.
    pub(crate) order: ByteOrder,
}

/// Reads word `i` of `b` in `order`.
fn word(b: &[u8], i: usize, order: ByteOrder) -> Result<u32> {
    Ok(order.read(read_array(b, 4 * i).ok_or(Error::TopSrvTruncated)?))
}

impl Subscription {
    /// Reads a subscription in the order its filter reveals. A request that is not a cancel
    /// must be one the server can serve: not both `PORTS` and `SERVICE`, and `lower` not
    /// above `upper` (the C module's `tipc_sub_subscribe` rejects both).
    pub(crate) fn parse(b: &[u8]) -> Result<Self> {
        if b.len() != SUBSCR_LEN {
            return Err(Error::TopSrvTruncated);
        }
        let order = ByteOrder::detect(read_array(b, 16).ok_or(Error::TopSrvTruncated)?);
        let s = Self {
            service: word(b, 0, order)?,
            lower: word(b, 1, order)?,
            upper: word(b, 2, order)?,
            timeout: word(b, 3, order)?,
            filter: word(b, 4, order)?,
            handle: read_array(b, 20).ok_or(Error::TopSrvTruncated)?,
            order,
        };
        if s.filter & SUB_CANCEL == 0 {
            if s.filter & SUB_PORTS != 0 && s.filter & SUB_SERVICE != 0 {
                return Err(Error::SubscrFilter);
            }
            if s.lower > s.upper {
                return Err(Error::SubscrRange);
            }
        }
        Ok(s)
    }

    /// Writes the subscription in its order into `buf`; returns its length. A filter without a
    /// known bit is read back in the host's other order, so write one.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let out = buf.get_mut(..SUBSCR_LEN).ok_or(Error::BufferTooSmall)?;
        let o = self.order;
        for (i, w) in [
            self.service,
            self.lower,
            self.upper,
            self.timeout,
            self.filter,
        ]
        .into_iter()
        .enumerate()
        {
            write_bytes(out, 4 * i, &o.write(w));
        }
        write_bytes(out, 20, &self.handle);
        Ok(SUBSCR_LEN)
    }
}

/// An event the server sends a subscriber.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct Event {
    /// `PUBLISHED`, `WITHDRAWN` or `SUBSCR_TIMEOUT`.
    pub(crate) event: u32,
    /// Lower end of the matching publication.
    pub(crate) found_lower: u32,
    /// Upper end of the matching publication.
    pub(crate) found_upper: u32,
    /// Publishing socket.
    pub(crate) port_ref: u32,
    /// Publishing node.
    pub(crate) port_node: u32,
    /// The subscription, as the subscriber sent it; its order is the event's.
    pub(crate) sub: Subscription,
}

impl Event {
    /// Reads an event, in the order of the subscription it carries. Checks only the length
    /// and the event type: the subscription inside is returned as it was sent.
    pub(crate) fn parse(b: &[u8]) -> Result<Self> {
        if b.len() != EVENT_LEN {
            return Err(Error::TopSrvTruncated);
        }
        let s = b.get(20..).ok_or(Error::TopSrvTruncated)?;
        let order = ByteOrder::detect(read_array(s, 16).ok_or(Error::TopSrvTruncated)?);
        let sub = Subscription {
            service: word(s, 0, order)?,
            lower: word(s, 1, order)?,
            upper: word(s, 2, order)?,
            timeout: word(s, 3, order)?,
            filter: word(s, 4, order)?,
            handle: read_array(s, 20).ok_or(Error::TopSrvTruncated)?,
            order,
        };
        let event = word(b, 0, order)?;
        if !(PUBLISHED..=SUBSCR_TIMEOUT).contains(&event) {
            return Err(Error::TopSrvEvent);
        }
        Ok(Self {
            event,
            found_lower: word(b, 1, order)?,
            found_upper: word(b, 2, order)?,
            port_ref: word(b, 3, order)?,
            port_node: word(b, 4, order)?,
            sub,
        })
    }

    /// Writes the event in its subscription's order; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let out = buf.get_mut(..EVENT_LEN).ok_or(Error::BufferTooSmall)?;
        let o = self.sub.order;
        for (i, w) in [
            self.event,
            self.found_lower,
            self.found_upper,
            self.port_ref,
            self.port_node,
        ]
        .into_iter()
        .enumerate()
        {
            write_bytes(out, 4 * i, &o.write(w));
        }
        let s = out.get_mut(20..).ok_or(Error::BufferTooSmall)?;
        self.sub.emit(s)?;
        Ok(EVENT_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(order: ByteOrder) -> Subscription {
        Subscription {
            service: 1000,
            lower: 0,
            upper: 99,
            timeout: WAIT_FOREVER,
            filter: SUB_PORTS,
            handle: *b"handle\0\0",
            order,
        }
    }

    #[test]
    fn both_orders_are_detected() {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let mut b = [0u8; 28];
            sub(order).emit(&mut b).unwrap();
            assert_eq!(Subscription::parse(&b), Ok(sub(order)));
        }
        let mut b = [0u8; 28];
        sub(ByteOrder::Big).emit(&mut b).unwrap();
        assert_eq!(&b[..4], &[0, 0, 3, 0xe8]);
        assert_eq!(&b[16..20], &[0, 0, 0, 1]);
    }

    #[test]
    fn illegal_requests() {
        let mut s = sub(ByteOrder::host());
        s.filter = SUB_PORTS | SUB_SERVICE;
        let mut b = [0u8; 28];
        s.emit(&mut b).unwrap();
        assert_eq!(Subscription::parse(&b), Err(Error::SubscrFilter));
        s.filter |= SUB_CANCEL;
        s.emit(&mut b).unwrap();
        assert!(Subscription::parse(&b).is_ok());
        let mut s = sub(ByteOrder::host());
        s.lower = 100;
        s.emit(&mut b).unwrap();
        assert_eq!(Subscription::parse(&b), Err(Error::SubscrRange));
        assert_eq!(Subscription::parse(&b[..27]), Err(Error::TopSrvTruncated));
    }

    #[test]
    fn event_in_the_subscribers_order() {
        let e = Event {
            event: PUBLISHED,
            found_lower: 5,
            found_upper: 6,
            port_ref: 7,
            port_node: 8,
            sub: sub(ByteOrder::Big),
        };
        let mut b = [0u8; 48];
        assert_eq!(e.emit(&mut b), Ok(48));
        assert_eq!(&b[..8], &[0, 0, 0, 1, 0, 0, 0, 5]);
        assert_eq!(Event::parse(&b), Ok(e));
        b[3] = 9;
        assert_eq!(Event::parse(&b), Err(Error::TopSrvEvent));
    }
}
