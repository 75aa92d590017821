// SPDX-License-Identifier: GPL-2.0

//! `MSG_CRYPTO` key exchange (`KEY_DISTR_MSG`): a node sends its transmit key to a peer, or to
//! all peers by broadcast.
//!
//! ```text
//! w1: type KEY_DISTR (0)   w4: key_gen:16, key_mode (bits 0-3)
//! w5: the network id when broadcast   w6: orignode   w7: destnode (0: all)
//! payload: alg_name[32] (NUL-terminated) keylen:32 key[keylen]
//! ```
//!
//! The key length is checked against the message before anything is copied: a length that
//! reaches past the message was the C module's CVE-2021-43267. Here it must be one of the
//! three AES-GCM key sizes plus the 4-byte salt, and fill the payload exactly.

use super::common::expect_user;
use super::common::BcastWord;
use super::common::Common;
use super::consts::{User, INT_H_SIZE};
use super::error::{Error, Result};
use super::field::{read_array, read_u32, write_bytes, write_u32};
use super::header::{start, Packet};

/// Length of the algorithm name field.
pub(crate) const ALG_NAME_LEN: usize = 32;
/// Bytes before the key: the name and the length.
pub(crate) const KEY_HEAD: usize = ALG_NAME_LEN + 4;
/// Shortest key: AES-128 and its salt.
pub(crate) const KEYLEN_MIN: usize = 16 + 4;
/// Longest key: AES-256 and its salt.
pub(crate) const KEYLEN_MAX: usize = 32 + 4;

/// A key exchange message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct KeyDistrRepr<'a> {
    /// Link-level fields.
    pub(crate) common: Common,
    /// Key generation.
    pub(crate) key_gen: u16,
    /// Key mode: cluster or per-node key (4 bits).
    pub(crate) key_mode: u8,
    /// Word 5: the network id when broadcast.
    pub(crate) word5: BcastWord,
    /// Originating node.
    pub(crate) orignode: u32,
    /// Destination node, 0 for all.
    pub(crate) destnode: u32,
    /// Algorithm name, NUL-padded.
    pub(crate) alg_name: [u8; ALG_NAME_LEN],
    /// The key and its salt.
    pub(crate) key: &'a [u8],
}

impl<'a> KeyDistrRepr<'a> {
    /// Reads a checked packet.
    pub(crate) fn parse(p: &Packet<&'a [u8]>) -> Result<Self> {
        expect_user(p, User::MsgCrypto, INT_H_SIZE)?;
        if p.msg_type() != 0 {
            return Err(Error::UnknownType);
        }
        let data = p.payload_ref();
        if data.len() < KEY_HEAD + KEYLEN_MIN {
            return Err(Error::CryptoKeyTruncated);
        }
        let alg_name: [u8; ALG_NAME_LEN] = read_array(data, 0).ok_or(Error::CryptoKeyTruncated)?;
        if !alg_name.contains(&0) {
            return Err(Error::CryptoAlgName);
        }
        let keylen = read_u32(data, ALG_NAME_LEN).ok_or(Error::CryptoKeyTruncated)? as usize;
        if !matches!(keylen, 20 | 28 | 36) {
            return Err(Error::CryptoKeyLength);
        }
        if data.len() != KEY_HEAD + keylen {
            return Err(Error::CryptoKeySize);
        }
        Ok(Self {
            common: Common::parse(p),
            key_gen: p.bits(4, 16, 0xffff) as u16,
            key_mode: p.bits(4, 0, 0xf) as u8,
            word5: BcastWord::parse(p),
            orignode: p.word(6),
            destnode: p.word(7),
            alg_name,
            key: data.get(KEY_HEAD..).ok_or(Error::CryptoKeyTruncated)?,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if !matches!(self.key.len(), 20 | 28 | 36) {
            return Err(Error::CryptoKeyLength);
        }
        let n = start(
            buf,
            User::MsgCrypto,
            0,
            INT_H_SIZE,
            KEY_HEAD + self.key.len(),
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_bits(4, 16, 0xffff, self.key_gen.into());
        p.set_bits(4, 0, 0xf, self.key_mode.into());
        self.word5.emit(&mut p);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        write_bytes(buf, INT_H_SIZE, &self.alg_name);
        write_u32(buf, INT_H_SIZE + ALG_NAME_LEN, self.key.len() as u32);
        write_bytes(buf, INT_H_SIZE + KEY_HEAD, self.key);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &[u8]) -> KeyDistrRepr<'_> {
        let mut alg_name = [0u8; 32];
        alg_name[..8].copy_from_slice(b"gcm(aes)");
        KeyDistrRepr {
            common: Common::default(),
            key_gen: 2,
            key_mode: 1,
            word5: BcastWord::default(),
            orignode: 1,
            destnode: 2,
            alg_name,
            key: k,
        }
    }

    #[test]
    fn key_bytes() {
        let k = [0xaa; 20];
        let mut b = [0u8; 128];
        let n = key(&k).emit(&mut b).unwrap();
        assert_eq!(n, 40 + 36 + 20);
        assert_eq!(&b[..4], &[0x5d, 0x40, 0, 96]);
        assert_eq!(&b[16..20], &[0, 2, 0, 1]);
        assert_eq!(&b[40..48], b"gcm(aes)");
        assert_eq!(&b[72..76], &[0, 0, 0, 20]);
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(KeyDistrRepr::parse(&p), Ok(key(&k)));
    }

    #[test]
    fn key_length_is_checked_against_the_message() {
        let k = [0xaa; 20];
        let mut b = [0u8; 128];
        let n = key(&k).emit(&mut b).unwrap();
        // A key length reaching past the message.
        b[75] = 36;
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(KeyDistrRepr::parse(&p), Err(Error::CryptoKeySize));
        b[75] = 0xff;
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(KeyDistrRepr::parse(&p), Err(Error::CryptoKeyLength));
        b[75] = 20;
        b[40..72].fill(b'a');
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(KeyDistrRepr::parse(&p), Err(Error::CryptoAlgName));
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_total_len(60);
        let p = Packet::new_checked(&b[..60]).unwrap();
        assert_eq!(KeyDistrRepr::parse(&p), Err(Error::CryptoKeyTruncated));
    }
}
