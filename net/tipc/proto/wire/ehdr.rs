// SPDX-License-Identifier: GPL-2.0

//! The encryption header: what a bearer carries once a node encrypts its traffic with AES-GCM
//! (`tipc node set key`). The whole message, header included, becomes ciphertext between this
//! header and a 16-byte authentication tag:
//!
//! ```text
//! byte 0:     version:3 (7)  user:4  destined:1
//! byte 1:     tx_key:2  rx_key_active:2  keepalive:1  master_key:1  rx_nokey:1  reserved:1
//! bytes 2-3:  reserved, zero
//! bytes 4-11: sequence number (64 bits), unique for the key; 0 is never sent
//! bytes 12-15: the sender's node address (word 3 of the message inside)
//!   or, when user is LINK_CONFIG, bytes 12-27: the sender's 128-bit node identity
//! then:       ciphertext (as long as the message inside), tag[16]
//! ```
//!
//! A receiver tells an encrypted frame from a plain one by the version in the top three bits
//! of the first byte: 7 here, 2 for a message. The header's user is 0 for any message but
//! two: `LINK_CONFIG` (discovery, which names the sender by identity, since it may have no
//! address known yet) and `LINK_PROTOCOL` for a `STATE` message (whose keepalive bit then
//! says whether it is a probe or probe reply). The payload is opaque here: this module checks
//! and rebuilds the header and hands over the ciphertext and the tag.
//!
//! Beyond what the C module checks before it decrypts (version, a header and more than a tag
//! in the buffer), a frame is rejected with a user other than 0, 7 or 13, a nonzero reserved
//! field, a keepalive bit outside a `STATE` message, a sequence number of 0, or ciphertext
//! shorter than the smallest header or longer than the largest message: none of these is
//! ever sent, and none could decrypt into a valid message.

use super::consts::{MAX_MSG_SIZE, MIN_H_SIZE};
use super::error::{Error, Result};
use super::field::{read_array, read_u32, read_u64, write_bytes, write_u32, write_u64};

/// The version field of an encryption header.
pub(crate) const EVERSION: u8 = 7;
/// Header size when the sender is named by its node address.
pub(crate) const EHDR_SIZE: usize = 16;
/// Header size of an encrypted discovery message: the sender is named by its identity.
pub(crate) const EHDR_CFG_SIZE: usize = 28;
/// Length of the AES-GCM authentication tag that ends every encrypted frame.
pub(crate) const TAG_SIZE: usize = 16;
/// Length of a node identity.
pub(crate) const NODE_ID_LEN: usize = 16;

/// The header's user field for `LINK_PROTOCOL`.
const USER_LINK_PROTOCOL: u8 = 7;
/// The header's user field for `LINK_CONFIG`.
const USER_LINK_CONFIG: u8 = 13;

/// Whether the frame starting `buf` is encrypted: its version field is 7.
pub(crate) fn is_encrypted(buf: &[u8]) -> bool {
    buf.first().is_some_and(|b| b >> 5 == EVERSION)
}

/// An encrypted frame in a buffer: encryption header accessors over `T`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct EncPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> EncPacket<T> {
    /// Wraps a buffer without looking at it; accessors past its end read zero.
    pub(crate) const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer holding one whole encrypted frame, after the checks of
    /// [`EncPacket::check`].
    pub(crate) fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check()?;
        Ok(p)
    }

    /// Checks, in this order: the fixed part is there (`EhdrTruncated`), version 7
    /// (`EhdrVersion`), a user the header may name (`EhdrUser`), the whole header is there
    /// (`EhdrTruncated`), reserved bits clear (`EhdrReserved`), keepalive only for a `STATE`
    /// message (`EhdrKeepalive`), a nonzero sequence number (`EhdrSeqno`), and between the
    /// header and the tag room for one message, no more than the largest
    /// (`EhdrCiphertextLength`). The frame is the whole buffer: it has no length field.
    pub(crate) fn check(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < EHDR_SIZE {
            return Err(Error::EhdrTruncated);
        }
        if self.version() != EVERSION {
            return Err(Error::EhdrVersion);
        }
        if !matches!(self.user(), 0 | USER_LINK_PROTOCOL | USER_LINK_CONFIG) {
            return Err(Error::EhdrUser);
        }
        let hlen = self.header_len();
        if len < hlen {
            return Err(Error::EhdrTruncated);
        }
        if self.byte(1) & 1 != 0 || self.reserved() != 0 {
            return Err(Error::EhdrReserved);
        }
        if self.keepalive() && self.user() != USER_LINK_PROTOCOL {
            return Err(Error::EhdrKeepalive);
        }
        if self.seqno() == 0 {
            return Err(Error::EhdrSeqno);
        }
        let ct = len.saturating_sub(hlen).saturating_sub(TAG_SIZE);
        if !(MIN_H_SIZE..=MAX_MSG_SIZE).contains(&ct) {
            return Err(Error::EhdrCiphertextLength);
        }
        Ok(())
    }

    /// The buffer.
    pub(crate) fn into_inner(self) -> T {
        self.buffer
    }

    /// Byte `n`, zero past the end of the buffer.
    fn byte(&self, n: usize) -> u8 {
        self.buffer.as_ref().get(n).copied().unwrap_or(0)
    }

    /// Version (byte 0, bits 5-7); 7.
    pub(crate) fn version(&self) -> u8 {
        self.byte(0) >> 5
    }

    /// The user field (byte 0, bits 1-4): 0, `LINK_PROTOCOL` (7) or `LINK_CONFIG` (13).
    pub(crate) fn user(&self) -> u8 {
        (self.byte(0) >> 1) & 0xf
    }

    /// Sent with the receiver's key state (byte 0, bit 0): the sender knows the peer.
    pub(crate) fn destined(&self) -> bool {
        self.byte(0) & 1 != 0
    }

    /// The key that encrypted the frame (byte 1, bits 6-7): 0 the master key, 1 to 3.
    pub(crate) fn tx_key(&self) -> u8 {
        self.byte(1) >> 6
    }

    /// The key the sender uses to receive from us (byte 1, bits 4-5).
    pub(crate) fn rx_key_active(&self) -> u8 {
        (self.byte(1) >> 4) & 3
    }

    /// A `STATE` message's probe or probe reply (byte 1, bit 3).
    pub(crate) fn keepalive(&self) -> bool {
        self.byte(1) & 0x08 != 0
    }

    /// The sender holds a master key (byte 1, bit 2).
    pub(crate) fn master_key(&self) -> bool {
        self.byte(1) & 0x04 != 0
    }

    /// The sender has no key to receive from us (byte 1, bit 1).
    pub(crate) fn rx_nokey(&self) -> bool {
        self.byte(1) & 0x02 != 0
    }

    /// Bytes 2-3.
    fn reserved(&self) -> u16 {
        u16::from_be_bytes([self.byte(2), self.byte(3)])
    }

    /// The sequence number (bytes 4-11), zero if the buffer is shorter.
    pub(crate) fn seqno(&self) -> u64 {
        read_u64(self.buffer.as_ref(), 4).unwrap_or(0)
    }

    /// The sender's node address (bytes 12-15) when it is not discovery.
    pub(crate) fn addr(&self) -> u32 {
        read_u32(self.buffer.as_ref(), 12).unwrap_or(0)
    }

    /// The sender's node identity (bytes 12-27) for discovery, if the buffer holds it.
    pub(crate) fn node_id(&self) -> Option<[u8; NODE_ID_LEN]> {
        read_array(self.buffer.as_ref(), 12)
    }

    /// The header size its user makes: 28 for discovery, 16 otherwise.
    pub(crate) fn header_len(&self) -> usize {
        if self.user() == USER_LINK_CONFIG {
            EHDR_CFG_SIZE
        } else {
            EHDR_SIZE
        }
    }

    /// The ciphertext: between the header and the tag; empty if the buffer is too short.
    pub(crate) fn ciphertext(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        let end = b.len().saturating_sub(TAG_SIZE);
        b.get(self.header_len()..end).unwrap_or(&[])
    }

    /// The authentication tag: the last 16 bytes, zero if the buffer is too short.
    pub(crate) fn tag(&self) -> [u8; TAG_SIZE] {
        let b = self.buffer.as_ref();
        read_array(b, b.len().saturating_sub(TAG_SIZE)).unwrap_or([0; TAG_SIZE])
    }
}

/// Who sent an encrypted frame, and what the header's user field says.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Sender {
    /// Any message but discovery and link `STATE`: the sender's node address.
    Addr(u32),
    /// A link `STATE` message: the sender's node address, and whether it is a probe or a
    /// probe reply (keepalive).
    LinkState {
        /// The sender's node address.
        addr: u32,
        /// Keepalive: a probe or a probe reply.
        keepalive: bool,
    },
    /// Discovery (`LINK_CONFIG`): the sender's node identity.
    Identity([u8; NODE_ID_LEN]),
}

/// An encrypted frame: the header's fields, and the ciphertext and tag it borrows.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct EhdrRepr<'a> {
    /// The sender and the user field.
    pub(crate) sender: Sender,
    /// The sender knows our key state: `rx_key_active` and `rx_nokey` are meaningful.
    pub(crate) destined: bool,
    /// The key that encrypted the frame (2 bits; 0 is the master key).
    pub(crate) tx_key: u8,
    /// The sender's active receive key (2 bits).
    pub(crate) rx_key_active: u8,
    /// The sender holds a master key.
    pub(crate) master_key: bool,
    /// The sender has no key to receive with.
    pub(crate) rx_nokey: bool,
    /// Sequence number, the nonce's second part; never 0.
    pub(crate) seqno: u64,
    /// The encrypted message.
    pub(crate) ciphertext: &'a [u8],
    /// The authentication tag.
    pub(crate) tag: &'a [u8],
}

impl<'a> EhdrRepr<'a> {
    /// Checks and reads the encrypted frame that fills `buf`.
    pub(crate) fn parse(buf: &'a [u8]) -> Result<Self> {
        let p = EncPacket::new_checked(buf)?;
        let hlen = p.header_len();
        let end = buf
            .len()
            .checked_sub(TAG_SIZE)
            .ok_or(Error::EhdrCiphertextLength)?;
        let sender = match p.user() {
            USER_LINK_CONFIG => Sender::Identity(p.node_id().ok_or(Error::EhdrTruncated)?),
            USER_LINK_PROTOCOL => Sender::LinkState {
                addr: p.addr(),
                keepalive: p.keepalive(),
            },
            _ => Sender::Addr(p.addr()),
        };
        Ok(Self {
            sender,
            destined: p.destined(),
            tx_key: p.tx_key(),
            rx_key_active: p.rx_key_active(),
            master_key: p.master_key(),
            rx_nokey: p.rx_nokey(),
            seqno: p.seqno(),
            ciphertext: buf.get(hlen..end).ok_or(Error::EhdrCiphertextLength)?,
            tag: buf.get(end..).ok_or(Error::EhdrCiphertextLength)?,
        })
    }

    /// The header's size.
    pub(crate) const fn header_len(&self) -> usize {
        match self.sender {
            Sender::Identity(_) => EHDR_CFG_SIZE,
            _ => EHDR_SIZE,
        }
    }

    /// The frame's size: header, ciphertext and tag.
    pub(crate) fn frame_len(&self) -> usize {
        self.header_len()
            .saturating_add(self.ciphertext.len())
            .saturating_add(TAG_SIZE)
    }

    /// Writes the frame into `buf`; returns its length. Refuses what parsing refuses: key
    /// fields over 2 bits (`EhdrReserved`), a sequence number of 0 (`EhdrSeqno`), ciphertext
    /// of a length no message has (`EhdrCiphertextLength`), a tag that is not 16 bytes.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if self.tx_key > 3 || self.rx_key_active > 3 {
            return Err(Error::EhdrReserved);
        }
        if self.seqno == 0 {
            return Err(Error::EhdrSeqno);
        }
        if !(MIN_H_SIZE..=MAX_MSG_SIZE).contains(&self.ciphertext.len())
            || self.tag.len() != TAG_SIZE
        {
            return Err(Error::EhdrCiphertextLength);
        }
        let hlen = self.header_len();
        let n = self.frame_len();
        let frame = buf.get_mut(..n).ok_or(Error::BufferTooSmall)?;
        let (user, keepalive) = match self.sender {
            Sender::Addr(_) => (0, false),
            Sender::LinkState { keepalive, .. } => (USER_LINK_PROTOCOL, keepalive),
            Sender::Identity(_) => (USER_LINK_CONFIG, false),
        };
        let b0 = (EVERSION << 5) | (user << 1) | u8::from(self.destined);
        let b1 = (self.tx_key << 6)
            | (self.rx_key_active << 4)
            | (u8::from(keepalive) << 3)
            | (u8::from(self.master_key) << 2)
            | (u8::from(self.rx_nokey) << 1);
        let ok = write_bytes(frame, 0, &[b0, b1, 0, 0])
            && write_u64(frame, 4, self.seqno)
            && match self.sender {
                Sender::Addr(a) | Sender::LinkState { addr: a, .. } => write_u32(frame, 12, a),
                Sender::Identity(id) => write_bytes(frame, 12, &id),
            }
            && write_bytes(frame, hlen, self.ciphertext)
            && write_bytes(frame, n - TAG_SIZE, self.tag);
        if ok {
            Ok(n)
        } else {
            Err(Error::BufferTooSmall)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: [u8; 40] = [0x5a; 40];
    const TAG: [u8; 16] = [0xc3; 16];

    fn repr(sender: Sender) -> EhdrRepr<'static> {
        EhdrRepr {
            sender,
            destined: true,
            tx_key: 2,
            rx_key_active: 1,
            master_key: true,
            rx_nokey: false,
            seqno: 0x0102_0304_0506_0708,
            ciphertext: &CT,
            tag: &TAG,
        }
    }

    #[test]
    fn message_bytes() {
        let r = repr(Sender::Addr(0x1001_0002));
        let mut b = [0u8; 128];
        let n = r.emit(&mut b).unwrap();
        assert_eq!(n, 16 + 40 + 16);
        assert_eq!(
            &b[..16],
            &[0xe1, 0x94, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 1, 0, 2]
        );
        assert_eq!(&b[16..56], &CT);
        assert_eq!(&b[56..72], &TAG);
        assert!(is_encrypted(&b));
        assert_eq!(EhdrRepr::parse(&b[..n]), Ok(r));
        let p = EncPacket::new_checked(&b[..n]).unwrap();
        assert_eq!(p.ciphertext(), &CT);
        assert_eq!(p.tag(), TAG);
        assert_eq!(p.into_inner().len(), n);
    }

    #[test]
    fn link_state_and_discovery_bytes() {
        let r = repr(Sender::LinkState {
            addr: 7,
            keepalive: true,
        });
        let mut b = [0u8; 128];
        let n = r.emit(&mut b).unwrap();
        assert_eq!(&b[..2], &[0xef, 0x9c]);
        assert_eq!(EhdrRepr::parse(&b[..n]), Ok(r));

        let id = *b"0123456789abcdef";
        let r = repr(Sender::Identity(id));
        let n = r.emit(&mut b).unwrap();
        assert_eq!(n, 28 + 40 + 16);
        assert_eq!(b[0], 0xfb);
        assert_eq!(&b[12..28], &id);
        assert_eq!(&b[28..68], &CT);
        assert_eq!(EhdrRepr::parse(&b[..n]), Ok(r));
    }

    #[test]
    fn plain_messages_are_not_encrypted() {
        assert!(!is_encrypted(&[0x40, 0, 0, 24]));
        assert!(!is_encrypted(&[]));
        assert_eq!(EhdrRepr::parse(&[0x40; 80]), Err(Error::EhdrVersion));
    }

    #[test]
    fn rejections() {
        let mut b = [0u8; 128];
        let n = repr(Sender::Addr(1)).emit(&mut b).unwrap();
        let parse = |b: &[u8]| EhdrRepr::parse(b).map(|_| ());
        assert_eq!(parse(&b[..15]), Err(Error::EhdrTruncated));
        assert_eq!(parse(&b[..16 + 16 + 23]), Err(Error::EhdrCiphertextLength));
        assert_eq!(parse(&b[..16 + 16 + 24]), Ok(()));
        let mut c = b;
        c[0] = 0xe0 | (5 << 1);
        assert_eq!(parse(&c[..n]), Err(Error::EhdrUser));
        c[0] = 0xe0 | (13 << 1);
        assert_eq!(parse(&c[..27]), Err(Error::EhdrTruncated));
        assert_eq!(parse(&c[..28 + 16 + 23]), Err(Error::EhdrCiphertextLength));
        let mut c = b;
        c[1] |= 1;
        assert_eq!(parse(&c[..n]), Err(Error::EhdrReserved));
        let mut c = b;
        c[3] = 1;
        assert_eq!(parse(&c[..n]), Err(Error::EhdrReserved));
        let mut c = b;
        c[1] |= 0x08;
        assert_eq!(parse(&c[..n]), Err(Error::EhdrKeepalive));
        let mut c = b;
        c[4..12].fill(0);
        assert_eq!(parse(&c[..n]), Err(Error::EhdrSeqno));
        let mut big = std::vec![0u8; 16 + MAX_MSG_SIZE + 1 + 16];
        big[..16].copy_from_slice(&b[..16]);
        assert_eq!(parse(&big), Err(Error::EhdrCiphertextLength));
        assert_eq!(parse(&big[..big.len() - 1]), Ok(()));
    }

    #[test]
    fn emit_refuses_what_parse_refuses() {
        let mut b = [0u8; 128];
        let mut r = repr(Sender::Addr(1));
        r.seqno = 0;
        assert_eq!(r.emit(&mut b), Err(Error::EhdrSeqno));
        let mut r = repr(Sender::Addr(1));
        r.tx_key = 4;
        assert_eq!(r.emit(&mut b), Err(Error::EhdrReserved));
        let mut r = repr(Sender::Addr(1));
        r.tag = &TAG[1..];
        assert_eq!(r.emit(&mut b), Err(Error::EhdrCiphertextLength));
        let mut r = repr(Sender::Addr(1));
        r.ciphertext = &CT[..23];
        assert_eq!(r.emit(&mut b), Err(Error::EhdrCiphertextLength));
        assert_eq!(
            repr(Sender::Addr(1)).emit(&mut b[..71]),
            Err(Error::BufferTooSmall)
        );
    }
}
