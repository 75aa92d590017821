// SPDX-License-Identifier: GPL-2.0

//! The version-2 header as a typed view over a byte buffer.
//!
//! Every TIPC message starts with 6 to 15 big-endian 32-bit words. Words 0 to 3 mean the same
//! for every user:
//!
//! ```text
//! w0: ver:3 user:4 hsize:4 non_seq:1 dest_droppable:1 src_droppable:1 syn:1 size:17
//! w1: type:3 errcode:4 reroute:4 scope:2 (3 bits) bcast_ack:16
//! w2: ack:16 seqno:16
//! w3: prevnode
//! w4: origport          w5: destport          w6: orignode         w7: destnode
//! w8: name type         w9: name instance     w10: name upper
//! ```
//!
//! Data messages use words 4 to 10 as shown; each internal user gives words 1 and 4 to 14 its
//! own meaning, in its own file of this module. `hsize` counts words, so the header is always
//! a multiple of 4 bytes; `size` is the whole message, header included.

use super::consts::{DataType, User, MAX_H_SIZE, MAX_USER_MSG_SIZE, MIN_H_SIZE, VERSION};
use super::error::{Error, Result};
use super::field::{bits, read_u32, with_bits, write_u32};

/// A TIPC message in a buffer: header accessors over `T`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

/// The four flags of word 0, bits 17 to 20; users name some of them differently.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct Flags {
    /// Bit 20: not sent in sequence on a link (broadcast, discovery).
    pub(crate) non_seq: bool,
    /// Bit 19: drop rather than return if undeliverable; for `LINK_PROTOCOL`, keepalive.
    pub(crate) dest_droppable: bool,
    /// Bit 18: drop under congestion; also "ack required", "Nagle ack" and "replicast".
    pub(crate) src_droppable: bool,
    /// Bit 17: a connection's SYN.
    pub(crate) syn: bool,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without looking at it; accessors past its end read zero.
    pub(crate) const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer after the checks the C module's `tipc_msg_validate` makes: a header of
    /// 24 to 60 bytes, version 2, a size no smaller than the header, a payload of at most
    /// 66000 bytes, and a buffer that holds the whole message. Bytes past `size` are ignored.
    pub(crate) fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check()?;
        Ok(p)
    }

    /// The checks of [`Packet::new_checked`].
    pub(crate) fn check(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < MIN_H_SIZE {
            return Err(Error::Truncated);
        }
        let hsz = self.header_len();
        if hsz < MIN_H_SIZE {
            return Err(Error::HeaderTooShort);
        }
        if len < hsz {
            return Err(Error::HeaderTruncated);
        }
        if self.version() != VERSION {
            return Err(Error::BadVersion);
        }
        let size = self.total_len();
        if size < hsz {
            return Err(Error::SizeBelowHeader);
        }
        if size - hsz > MAX_USER_MSG_SIZE {
            return Err(Error::PayloadTooLarge);
        }
        if len < size {
            return Err(Error::MessageTruncated);
        }
        Ok(())
    }

    /// The buffer.
    pub(crate) fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole buffer, including anything past the message.
    pub(crate) fn buffer(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Word `n` of the header, zero past the end of the buffer.
    pub(crate) fn word(&self, n: usize) -> u32 {
        n.checked_mul(4)
            .and_then(|at| read_u32(self.buffer.as_ref(), at))
            .unwrap_or(0)
    }

    /// The `mask` bits at `pos` of word `n`.
    pub(crate) fn bits(&self, n: usize, pos: u32, mask: u32) -> u32 {
        bits(self.word(n), pos, mask)
    }

    /// Header version (word 0, bits 29-31); 2.
    pub(crate) fn version(&self) -> u32 {
        self.bits(0, 29, 7)
    }

    /// The raw user field (word 0, bits 25-28).
    pub(crate) fn user_bits(&self) -> u32 {
        self.bits(0, 25, 0xf)
    }

    /// The user, if the field names one.
    pub(crate) fn user(&self) -> Option<User> {
        User::from_bits(self.user_bits())
    }

    /// Header length in bytes (word 0, bits 21-24, in words).
    pub(crate) fn header_len(&self) -> usize {
        (self.bits(0, 21, 0xf) as usize) << 2
    }

    /// Message size in bytes, header included (word 0, bits 0-16).
    pub(crate) fn total_len(&self) -> usize {
        self.bits(0, 0, 0x1_ffff) as usize
    }

    /// Payload length: size less header, zero if the header claims more than the size.
    pub(crate) fn payload_len(&self) -> usize {
        self.total_len().saturating_sub(self.header_len())
    }

    /// The flags of word 0.
    pub(crate) fn flags(&self) -> Flags {
        Flags {
            non_seq: self.bits(0, 20, 1) != 0,
            dest_droppable: self.bits(0, 19, 1) != 0,
            src_droppable: self.bits(0, 18, 1) != 0,
            syn: self.bits(0, 17, 1) != 0,
        }
    }

    /// Message type (word 1, bits 29-31); its meaning depends on the user.
    pub(crate) fn msg_type(&self) -> u32 {
        self.bits(1, 29, 7)
    }

    /// The type of a data message.
    pub(crate) fn data_type(&self) -> DataType {
        DataType::from_bits(self.msg_type())
    }

    /// Error code (word 1, bits 25-28).
    pub(crate) fn errcode(&self) -> u32 {
        self.bits(1, 25, 0xf)
    }

    /// Times the message was rerouted by a name lookup (word 1, bits 21-24).
    pub(crate) fn reroute_cnt(&self) -> u32 {
        self.bits(1, 21, 0xf)
    }

    /// Lookup scope (word 1, bits 19-20).
    pub(crate) fn lookup_scope(&self) -> u32 {
        self.bits(1, 19, 3)
    }

    /// Last broadcast packet the sender acknowledges (word 1, bits 0-15).
    pub(crate) fn bcast_ack(&self) -> u16 {
        self.bits(1, 0, 0xffff) as u16
    }

    /// Last link packet the sender acknowledges (word 2, bits 16-31).
    pub(crate) fn ack(&self) -> u16 {
        self.bits(2, 16, 0xffff) as u16
    }

    /// Link sequence number (word 2, bits 0-15).
    pub(crate) fn seqno(&self) -> u16 {
        self.bits(2, 0, 0xffff) as u16
    }

    /// The node that sent this packet on the link (word 3).
    pub(crate) fn prevnode(&self) -> u32 {
        self.word(3)
    }

    /// Originating socket (word 4).
    pub(crate) fn origport(&self) -> u32 {
        self.word(4)
    }

    /// Destination socket (word 5); for a broadcast, the network id.
    pub(crate) fn destport(&self) -> u32 {
        self.word(5)
    }

    /// Originating node (word 6); a short header has none and means the previous node.
    pub(crate) fn orignode(&self) -> u32 {
        if self.header_len() == super::consts::SHORT_H_SIZE {
            self.prevnode()
        } else {
            self.word(6)
        }
    }

    /// Destination node (word 7).
    pub(crate) fn destnode(&self) -> u32 {
        self.word(7)
    }

    /// Service type (word 8).
    pub(crate) fn name_type(&self) -> u32 {
        self.word(8)
    }

    /// Service instance, or the lower end of a range (word 9).
    pub(crate) fn name_instance(&self) -> u32 {
        self.word(9)
    }

    /// Upper end of a service range (word 10).
    pub(crate) fn name_upper(&self) -> u32 {
        self.word(10)
    }

    /// The header bytes, as far as the buffer holds them.
    pub(crate) fn header(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        b.get(..self.header_len()).unwrap_or(b)
    }

    /// The payload: from the header's end to the message size, empty if the buffer or the size
    /// fall short (not after [`Packet::new_checked`]).
    pub(crate) fn payload(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.header_len()..self.total_len())
            .unwrap_or(&[])
    }

    /// The message: the buffer up to `size`, or all of it if shorter.
    pub(crate) fn message(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        b.get(..self.total_len()).unwrap_or(b)
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload, borrowed for as long as the buffer: from the header's end to the message
    /// size, empty if the buffer or the size fall short (not after [`Packet::new_checked`]).
    pub(crate) fn payload_ref(&self) -> &'a [u8] {
        self.buffer
            .get(self.header_len()..self.total_len())
            .unwrap_or(&[])
    }

    /// The message up to `size`, borrowed for as long as the buffer.
    pub(crate) fn message_ref(&self) -> &'a [u8] {
        self.buffer.get(..self.total_len()).unwrap_or(self.buffer)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets word `n`; does nothing past the end of the buffer.
    pub(crate) fn set_word(&mut self, n: usize, v: u32) {
        if let Some(at) = n.checked_mul(4) {
            write_u32(self.buffer.as_mut(), at, v);
        }
    }

    /// Sets the `mask` bits at `pos` of word `n` to `v`.
    pub(crate) fn set_bits(&mut self, n: usize, pos: u32, mask: u32, v: u32) {
        let w = self.word(n);
        self.set_word(n, with_bits(w, pos, mask, v));
    }

    /// Starts a header: zeroes `hsize` bytes and sets version, user, type, header size, and a
    /// size of just the header, as the C module's `tipc_msg_init` does (without the nodes).
    /// The caller checks that the buffer holds `hsize` bytes and that `hsize` is a multiple of
    /// 4 from 24 to 60.
    pub(crate) fn init(&mut self, user: User, msg_type: u32, hsize: usize) {
        if let Some(h) = self.buffer.as_mut().get_mut(..hsize) {
            h.fill(0);
        }
        self.set_bits(0, 29, 7, VERSION);
        self.set_bits(0, 25, 0xf, user.bits());
        self.set_header_len(hsize);
        self.set_total_len(hsize);
        self.set_msg_type(msg_type);
    }

    /// Sets the raw user field.
    pub(crate) fn set_user_bits(&mut self, v: u32) {
        self.set_bits(0, 25, 0xf, v);
    }

    /// Sets the header length in bytes (kept as words, so cut to a multiple of 4).
    pub(crate) fn set_header_len(&mut self, n: usize) {
        self.set_bits(0, 21, 0xf, (n.min(MAX_H_SIZE) >> 2) as u32);
    }

    /// Sets the message size (17 bits).
    pub(crate) fn set_total_len(&mut self, n: usize) {
        self.set_bits(0, 0, 0x1_ffff, n as u32);
    }

    /// Sets the flags of word 0.
    pub(crate) fn set_flags(&mut self, f: Flags) {
        self.set_bits(0, 20, 1, u32::from(f.non_seq));
        self.set_bits(0, 19, 1, u32::from(f.dest_droppable));
        self.set_bits(0, 18, 1, u32::from(f.src_droppable));
        self.set_bits(0, 17, 1, u32::from(f.syn));
    }

    /// Sets the message type.
    pub(crate) fn set_msg_type(&mut self, v: u32) {
        self.set_bits(1, 29, 7, v);
    }

    /// Sets the error code.
    pub(crate) fn set_errcode(&mut self, v: u32) {
        self.set_bits(1, 25, 0xf, v);
    }

    /// Sets the reroute count.
    pub(crate) fn set_reroute_cnt(&mut self, v: u32) {
        self.set_bits(1, 21, 0xf, v);
    }

    /// Sets the lookup scope.
    pub(crate) fn set_lookup_scope(&mut self, v: u32) {
        self.set_bits(1, 19, 3, v);
    }

    /// Sets the broadcast acknowledge.
    pub(crate) fn set_bcast_ack(&mut self, v: u16) {
        self.set_bits(1, 0, 0xffff, v.into());
    }

    /// Sets the link acknowledge.
    pub(crate) fn set_ack(&mut self, v: u16) {
        self.set_bits(2, 16, 0xffff, v.into());
    }

    /// Sets the link sequence number.
    pub(crate) fn set_seqno(&mut self, v: u16) {
        self.set_bits(2, 0, 0xffff, v.into());
    }

    /// Sets the previous node.
    pub(crate) fn set_prevnode(&mut self, v: u32) {
        self.set_word(3, v);
    }

    /// Sets the originating socket.
    pub(crate) fn set_origport(&mut self, v: u32) {
        self.set_word(4, v);
    }

    /// Sets the destination socket.
    pub(crate) fn set_destport(&mut self, v: u32) {
        self.set_word(5, v);
    }

    /// Sets the originating node.
    pub(crate) fn set_orignode(&mut self, v: u32) {
        self.set_word(6, v);
    }

    /// Sets the destination node.
    pub(crate) fn set_destnode(&mut self, v: u32) {
        self.set_word(7, v);
    }

    /// Sets the service type.
    pub(crate) fn set_name_type(&mut self, v: u32) {
        self.set_word(8, v);
    }

    /// Sets the service instance or lower bound.
    pub(crate) fn set_name_instance(&mut self, v: u32) {
        self.set_word(9, v);
    }

    /// Sets the upper bound of the service range.
    pub(crate) fn set_name_upper(&mut self, v: u32) {
        self.set_word(10, v);
    }

    /// The payload, writable: from the header's end to the message size.
    pub(crate) fn payload_mut(&mut self) -> &mut [u8] {
        let (h, s) = (self.header_len(), self.total_len());
        self.buffer.as_mut().get_mut(h..s).unwrap_or(&mut [])
    }
}

/// Starts a message of `hsize` header bytes and `payload_len` payload bytes in `buf`: checks
/// that it fits, then writes version, user, type and sizes. Returns the message length.
pub(crate) fn start(
    buf: &mut [u8],
    user: User,
    msg_type: u32,
    hsize: usize,
    payload_len: usize,
) -> Result<usize> {
    if payload_len > MAX_USER_MSG_SIZE {
        return Err(Error::PayloadTooLarge);
    }
    let total = hsize + payload_len;
    if buf.len() < total {
        return Err(Error::BufferTooSmall);
    }
    let mut p = Packet::new_unchecked(buf);
    p.init(user, msg_type, hsize);
    p.set_total_len(total);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(w0: u32) -> [u8; 28] {
        let mut b = [0u8; 28];
        b[..4].copy_from_slice(&w0.to_be_bytes());
        b
    }

    #[test]
    fn validation_reasons() {
        // version 2, user 0, hsize 6 words (24), size 28
        let good = msg(0x4000_0000 | (6 << 21) | 28);
        assert!(Packet::new_checked(&good[..]).is_ok());
        assert_eq!(
            Packet::new_checked(&good[..20]).err(),
            Some(Error::Truncated)
        );
        let short_hdr = msg(0x4000_0000 | (5 << 21) | 28);
        assert_eq!(
            Packet::new_checked(&short_hdr[..]).err(),
            Some(Error::HeaderTooShort)
        );
        let long_hdr = msg(0x4000_0000 | (8 << 21) | 32);
        assert_eq!(
            Packet::new_checked(&long_hdr[..]).err(),
            Some(Error::HeaderTruncated)
        );
        let v1 = msg(0x2000_0000 | (6 << 21) | 28);
        assert_eq!(Packet::new_checked(&v1[..]).err(), Some(Error::BadVersion));
        let small = msg(0x4000_0000 | (6 << 21) | 20);
        assert_eq!(
            Packet::new_checked(&small[..]).err(),
            Some(Error::SizeBelowHeader)
        );
        let big = msg(0x4000_0000 | (6 << 21) | 0x1_ffff);
        assert_eq!(
            Packet::new_checked(&big[..]).err(),
            Some(Error::PayloadTooLarge)
        );
        let cut = msg(0x4000_0000 | (6 << 21) | 29);
        assert_eq!(
            Packet::new_checked(&cut[..]).err(),
            Some(Error::MessageTruncated)
        );
    }

    #[test]
    fn generic_fields() {
        let mut b = [0u8; 44];
        let n = start(&mut b, User::High, DataType::Mcast.bits(), 44, 0);
        assert_eq!(n, Ok(44));
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_flags(Flags {
            non_seq: true,
            dest_droppable: false,
            src_droppable: true,
            syn: true,
        });
        p.set_errcode(4);
        p.set_reroute_cnt(3);
        p.set_lookup_scope(2);
        p.set_bcast_ack(0xbeef);
        p.set_ack(0x1234);
        p.set_seqno(0x5678);
        p.set_prevnode(0x0100_1001);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.user(), Some(User::High));
        assert_eq!(p.data_type(), DataType::Mcast);
        assert_eq!((p.errcode(), p.reroute_cnt(), p.lookup_scope()), (4, 3, 2));
        assert_eq!(
            (p.bcast_ack(), p.ack(), p.seqno()),
            (0xbeef, 0x1234, 0x5678)
        );
        assert_eq!(p.prevnode(), 0x0100_1001);
        assert_eq!(
            &b[..12],
            &[0x45, 0x76, 0x00, 44, 0x28, 0x70, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78]
        );
    }

    #[test]
    fn short_header_orignode_is_prevnode() {
        let mut b = [0u8; 32];
        start(&mut b, User::Low, 0, 24, 8).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_prevnode(7);
        p.set_word(6, 9);
        assert_eq!(p.orignode(), 7);
        assert_eq!(p.payload().len(), 8);
    }
}
