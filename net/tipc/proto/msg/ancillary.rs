// SPDX-License-Identifier: GPL-2.0

//! The ancillary data `recvmsg(2)` gives with a message when the user passed a control
//! buffer (`tipc_sk_anc_data_recv`): the error and returned data of a returned message,
//! and the service address a named or multicast message was sent to.

use crate::proto::sockopt::SOL_TIPC;
use crate::proto::wire::consts::DataType;
use crate::proto::wire::header::Packet;

/// `TIPC_ERRINFO`: two native-endian `u32`s, the error code and the returned data length.
pub(crate) const TIPC_ERRINFO: i32 = 1;
/// `TIPC_RETDATA`: the data a returned message carries back.
pub(crate) const TIPC_RETDATA: i32 = 2;
/// `TIPC_DESTNAME`: three native-endian `u32`s, the service type, lower and upper bound.
pub(crate) const TIPC_DESTNAME: i32 = 3;

/// The bytes of one control message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CmsgData<'a> {
    /// Native-endian words; the first `len` bytes count.
    Words([u8; 12], usize),
    /// Bytes of the message.
    Bytes(&'a [u8]),
}

/// One control message for `put_cmsg`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Cmsg<'a> {
    /// `cmsg_level`: `SOL_TIPC`.
    pub(crate) level: i32,
    /// `cmsg_type`: [`TIPC_ERRINFO`], [`TIPC_RETDATA`] or [`TIPC_DESTNAME`].
    pub(crate) ty: i32,
    /// Its data.
    data: CmsgData<'a>,
}

impl<'a> Cmsg<'a> {
    /// A control message of `ty` holding `words`.
    fn words<const N: usize>(ty: i32, words: [u32; N]) -> Self {
        let mut b = [0u8; 12];
        for (chunk, w) in b.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_ne_bytes());
        }
        Self {
            level: SOL_TIPC,
            ty,
            data: CmsgData::Words(b, N * 4),
        }
    }

    /// The data, `cmsg_len` less the header.
    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.data {
            CmsgData::Words(b, len) => b.get(..*len).unwrap_or(b),
            CmsgData::Bytes(b) => b,
        }
    }
}

/// The control messages for one received message, in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Ancillary<'a> {
    /// Up to three messages, the present ones first.
    items: [Option<Cmsg<'a>>; 3],
}

impl<'a> Ancillary<'a> {
    /// The control messages, in the order to put them; the glue stops at the first
    /// `put_cmsg` failure and returns it.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Cmsg<'a>> {
        self.items.iter().flatten()
    }

    /// Appends `c` in the first free slot.
    fn push(&mut self, c: Cmsg<'a>) {
        if let Some(slot) = self.items.iter_mut().find(|s| s.is_none()) {
            *slot = Some(c);
        }
    }
}

/// The control messages for message `msg` on a connectionless socket.
///
/// A returned message (with an error code) first gives [`TIPC_ERRINFO`] with the code and
/// its data length; if it has no data, that is all. Otherwise [`TIPC_RETDATA`] follows with
/// the data. Then a named message gives [`TIPC_DESTNAME`] with its type and instance (twice),
/// a multicast one with its type and range. Bytes that are not a valid message give none.
#[cfg(test)]
pub(crate) fn ancillary(msg: &[u8]) -> Ancillary<'_> {
    ancillary_on(msg, None)
}

/// The control messages for message `msg` on a socket whose connection was made to the
/// service instance `conn_name` (`None` for a connectionless socket, or a connection made to
/// a socket address): as [`ancillary`], and a connection message gives [`TIPC_DESTNAME`]
/// with that type and instance (twice).
pub(crate) fn ancillary_on(msg: &[u8], conn_name: Option<(u32, u32)>) -> Ancillary<'_> {
    let mut out = Ancillary::default();
    let Ok(p) = Packet::new_checked(msg) else {
        return out;
    };
    let data = p.payload_ref();
    if p.errcode() != 0 {
        let dlen = u32::try_from(data.len()).unwrap_or(u32::MAX);
        out.push(Cmsg::words(TIPC_ERRINFO, [p.errcode(), dlen]));
        if data.is_empty() {
            return out;
        }
        out.push(Cmsg {
            level: SOL_TIPC,
            ty: TIPC_RETDATA,
            data: CmsgData::Bytes(data),
        });
    }
    let (ty, lower) = (p.name_type(), p.name_instance());
    match p.data_type() {
        DataType::Named => out.push(Cmsg::words(TIPC_DESTNAME, [ty, lower, lower])),
        DataType::Mcast => out.push(Cmsg::words(TIPC_DESTNAME, [ty, lower, p.name_upper()])),
        DataType::Conn => {
            if let Some((ty, instance)) = conn_name {
                out.push(Cmsg::words(TIPC_DESTNAME, [ty, instance, instance]));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::consts::User;
    use crate::proto::wire::header::start;
    use std::vec::Vec;

    /// A message of type `ty` from 1000/5-9 with error `err` and `payload`.
    fn msg(ty: DataType, err: u32, payload: &[u8]) -> Vec<u8> {
        let mut b = std::vec![0u8; 44 + payload.len()];
        start(&mut b, User::Low, ty.bits(), 44, payload.len()).unwrap();
        b[44..].copy_from_slice(payload);
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_errcode(err);
        p.set_name_type(1000);
        p.set_name_instance(5);
        p.set_name_upper(9);
        b
    }

    #[test]
    fn connection_messages_name_the_service_the_connection_was_made_to() {
        let m = msg(DataType::Conn, 0, b"x");
        assert_eq!(ancillary_on(&m, None).iter().count(), 0);
        let a = ancillary_on(&m, Some((77, 3)));
        let items: Vec<_> = a.iter().map(|c| (c.ty, c.bytes().to_vec())).collect();
        assert_eq!(items, [(TIPC_DESTNAME, ne(&[77, 3, 3]))]);
        let returned = msg(DataType::Conn, 2, b"back");
        let a = ancillary_on(&returned, Some((77, 3)));
        let types: Vec<_> = a.iter().map(|c| c.ty).collect();
        assert_eq!(types, [TIPC_ERRINFO, TIPC_RETDATA, TIPC_DESTNAME]);
    }

    /// Native-endian bytes of `words`.
    fn ne(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    /// The (level, type, bytes) items.
    fn items(m: &[u8]) -> Vec<(i32, i32, Vec<u8>)> {
        ancillary(m)
            .iter()
            .map(|c| (c.level, c.ty, c.bytes().to_vec()))
            .collect()
    }

    #[test]
    fn destination_names() {
        assert_eq!(
            items(&msg(DataType::Named, 0, b"x")),
            [(SOL_TIPC, TIPC_DESTNAME, ne(&[1000, 5, 5]))]
        );
        assert_eq!(
            items(&msg(DataType::Mcast, 0, b"x")),
            [(SOL_TIPC, TIPC_DESTNAME, ne(&[1000, 5, 9]))]
        );
        assert!(items(&msg(DataType::Direct, 0, b"x")).is_empty());
        assert!(items(&msg(DataType::Conn, 0, b"x")).is_empty());
    }

    #[test]
    fn returned_message() {
        assert_eq!(
            items(&msg(DataType::Named, 1, b"abc")),
            [
                (SOL_TIPC, TIPC_ERRINFO, ne(&[1, 3])),
                (SOL_TIPC, TIPC_RETDATA, b"abc".to_vec()),
                (SOL_TIPC, TIPC_DESTNAME, ne(&[1000, 5, 5])),
            ]
        );
        assert_eq!(
            items(&msg(DataType::Direct, 2, b"abc")),
            [
                (SOL_TIPC, TIPC_ERRINFO, ne(&[2, 3])),
                (SOL_TIPC, TIPC_RETDATA, b"abc".to_vec()),
            ]
        );
    }

    #[test]
    fn returned_without_data_gives_only_errinfo() {
        assert_eq!(
            items(&msg(DataType::Mcast, 4, b"")),
            [(SOL_TIPC, TIPC_ERRINFO, ne(&[4, 0]))]
        );
    }

    #[test]
    fn invalid_bytes_give_nothing() {
        assert!(items(&[0u8; 3]).is_empty());
    }
}
