// SPDX-License-Identifier: GPL-2.0

//! Returned messages: a message refused at its destination goes back to its sender with an
//! error code and at most 1 KiB of its data (`tipc_msg_reverse`).

use crate::proto::wire::consts::{ErrorCode, BASIC_H_SIZE, SHORT_H_SIZE};
use crate::proto::wire::error::{Error, Result};
use crate::proto::wire::header::Packet;

/// `MAX_FORWARD_SIZE`: the most data a returned message carries back.
pub(crate) const MAX_FORWARD_SIZE: usize = 1024;

/// A message that will be returned: how large the returned message is, and how to write it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Returned<'a> {
    /// The refused message, up to its size.
    msg: &'a [u8],
    /// The returned message's header length.
    hlen: usize,
    /// The data it carries back.
    data: &'a [u8],
    /// Its error code.
    code: ErrorCode,
}

/// Whether message `msg`, refused with `code`, is returned, and if so what goes back.
///
/// Never for bytes that are not a valid message, nor for a message that is dest-droppable
/// or already carries an error code. The data is cut to [`MAX_FORWARD_SIZE`] bytes, and to
/// none for a SYN refused with `TIPC_ERR_OVERLOAD` (its sender kept a copy).
pub(crate) fn returned(msg: &[u8], code: ErrorCode) -> Option<Returned<'_>> {
    let p = Packet::new_checked(msg).ok()?;
    if p.flags().dest_droppable || p.errcode() != 0 {
        return None;
    }
    let hlen = match p.header_len() {
        SHORT_H_SIZE => BASIC_H_SIZE,
        h => h,
    };
    let keep = if p.flags().syn && code == ErrorCode::Overload {
        0
    } else {
        MAX_FORWARD_SIZE
    };
    let payload = p.payload_ref();
    Some(Returned {
        msg: p.message_ref(),
        hlen,
        data: payload.get(..keep).unwrap_or(payload),
        code,
    })
}

impl Returned<'_> {
    /// The returned message's length: the buffer [`Returned::emit`] needs.
    pub(crate) fn len(&self) -> usize {
        self.hlen + self.data.len()
    }

    /// Writes the returned message into `out` as this node, `own_node`, sends it; returns
    /// its length.
    ///
    /// The refused message's header is kept, a 24-byte one widened to 32 bytes, with the
    /// error code set, `non_seq` cleared, the ports swapped, the destination node set to the
    /// refused message's previous node, this node as previous and originating node, and the
    /// size fixed; the data follows. As in C, the originating and destination nodes are
    /// words 6 and 7 even when the header is shorter (28 bytes, which no sender makes): they
    /// then overwrite the start of the data, as far as the message reaches.
    pub(crate) fn emit(&self, own_node: u32, out: &mut [u8]) -> Result<usize> {
        let total = self.len();
        let out = out.get_mut(..total).ok_or(Error::BufferTooSmall)?;
        let old = Packet::new_unchecked(self.msg);
        let old_header = old.header();
        let (head, data) = out.split_at_mut(self.hlen);
        head.fill(0);
        head.get_mut(..old_header.len())
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(old_header);
        data.copy_from_slice(self.data);
        let mut p = Packet::new_unchecked(out);
        let mut flags = p.flags();
        flags.non_seq = false;
        p.set_flags(flags);
        p.set_header_len(self.hlen);
        p.set_total_len(total);
        p.set_errcode(self.code.bits());
        p.set_origport(old.destport());
        p.set_destport(old.origport());
        p.set_destnode(old.prevnode());
        p.set_prevnode(own_node);
        p.set_orignode(own_node);
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::common::Common;
    use crate::proto::wire::consts::{DataType, Importance, LookupScope};
    use crate::proto::wire::data::DataRepr;
    use crate::proto::wire::header::Flags;

    /// Sender node.
    const A: u32 = 0x0100_1001;
    /// Receiver node.
    const B: u32 = 0x0100_1002;

    /// A named message from `<A:11>` to `<B:22>`, previous node `A`, reverse-able.
    fn named() -> DataRepr {
        DataRepr {
            importance: Importance::High,
            msg_type: DataType::Named,
            common: Common {
                flags: Flags {
                    non_seq: true,
                    src_droppable: true,
                    ..Flags::default()
                },
                bcast_ack: 3,
                ack: 4,
                seqno: 5,
                prevnode: A,
            },
            errcode: ErrorCode::Ok,
            reroute_cnt: 1,
            lookup_scope: LookupScope::NODE,
            header_len: 40,
            origport: 11,
            destport: 22,
            orignode: A,
            destnode: B,
            name_type: 1000,
            name_lower: 7,
            name_upper: 0,
        }
    }

    /// `r` emitted with `payload`.
    fn bytes(r: &DataRepr, payload: &[u8]) -> std::vec::Vec<u8> {
        let mut b = std::vec![0u8; r.header_len + payload.len()];
        r.emit(&mut b, payload).unwrap();
        b
    }

    /// The message `msg` returned by node `B` with `code`.
    fn reverse(msg: &[u8], code: ErrorCode) -> Option<std::vec::Vec<u8>> {
        let r = returned(msg, code)?;
        let mut out = std::vec![0xeeu8; r.len() + 3];
        let n = r.emit(B, &mut out).unwrap();
        assert_eq!(n, r.len());
        assert_eq!(&out[n..], &[0xee; 3]);
        out.truncate(n);
        Some(out)
    }

    #[test]
    fn named_message_returned() {
        let out = reverse(&bytes(&named(), b"hello"), ErrorCode::NoName).unwrap();
        let p = Packet::new_checked(&out[..]).unwrap();
        let r = DataRepr::parse(&p).unwrap();
        let mut expect = named();
        expect.common.flags.non_seq = false;
        expect.common.prevnode = B;
        expect.errcode = ErrorCode::NoName;
        expect.origport = 22;
        expect.destport = 11;
        expect.orignode = B;
        expect.destnode = A;
        assert_eq!(r, expect);
        assert_eq!(p.payload(), b"hello");
    }

    #[test]
    fn short_header_widened() {
        let mut m = named();
        m.msg_type = DataType::Conn;
        m.header_len = 24;
        let out = reverse(&bytes(&m, b"xy"), ErrorCode::NoPort).unwrap();
        let p = Packet::new_checked(&out[..]).unwrap();
        assert_eq!((p.header_len(), p.total_len()), (32, 34));
        assert_eq!((p.origport(), p.destport()), (22, 11));
        assert_eq!((p.orignode(), p.destnode(), p.prevnode()), (B, A, B));
        assert_eq!(p.payload(), b"xy");
    }

    #[test]
    fn odd_header_loses_its_first_data_word_as_in_c() {
        let mut m = named();
        m.msg_type = DataType::Conn;
        m.header_len = 28;
        let out = reverse(&bytes(&m, b"abcdef"), ErrorCode::NoPort).unwrap();
        let p = Packet::new_checked(&out[..]).unwrap();
        assert_eq!((p.header_len(), p.total_len()), (28, 34));
        assert_eq!(p.payload(), &[0x01, 0x00, 0x10, 0x01, b'e', b'f']);
        let out = reverse(&bytes(&m, b"ab"), ErrorCode::NoPort).unwrap();
        assert_eq!(&out[28..], b"ab", "nothing is written past the message");
    }

    #[test]
    fn data_capped_at_1024() {
        let payload = [0x5au8; 3000];
        let out = reverse(&bytes(&named(), &payload), ErrorCode::Overload).unwrap();
        let p = Packet::new_checked(&out[..]).unwrap();
        assert_eq!(p.payload(), &payload[..1024]);
        assert_eq!(out.len(), 40 + 1024);
    }

    #[test]
    fn syn_overload_carries_no_data() {
        let mut m = named();
        m.common.flags.syn = true;
        let msg = bytes(&m, b"data");
        assert_eq!(reverse(&msg, ErrorCode::Overload).unwrap().len(), 40);
        assert_eq!(reverse(&msg, ErrorCode::NoPort).unwrap().len(), 44);
    }

    #[test]
    fn never_returned() {
        let mut m = named();
        m.common.flags.dest_droppable = true;
        assert_eq!(returned(&bytes(&m, b"a"), ErrorCode::NoPort), None);
        let mut m = named();
        m.errcode = ErrorCode::NoPort;
        assert_eq!(returned(&bytes(&m, b"a"), ErrorCode::NoPort), None);
        assert_eq!(returned(&[0u8; 10], ErrorCode::NoPort), None);
        let once = reverse(&bytes(&named(), b"a"), ErrorCode::NoPort).unwrap();
        assert_eq!(returned(&once, ErrorCode::Overload), None);
    }

    #[test]
    fn bytes_past_the_size_are_ignored() {
        let mut msg = bytes(&named(), b"ab");
        msg.extend_from_slice(b"trailer");
        let out = reverse(&msg, ErrorCode::NoPort).unwrap();
        assert_eq!(out.len(), 42);
    }

    #[test]
    fn small_buffer() {
        let msg = bytes(&named(), b"ab");
        let r = returned(&msg, ErrorCode::NoPort).unwrap();
        assert_eq!(r.emit(B, &mut [0u8; 41]), Err(Error::BufferTooSmall));
    }
}
