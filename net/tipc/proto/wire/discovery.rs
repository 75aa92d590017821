// SPDX-License-Identifier: GPL-2.0

//! `LINK_CONFIG`: neighbour discovery, broadcast on each bearer until a link is up, and the
//! address trial of a node without an address.
//!
//! ```text
//! hsize 60 (MAX_H_SIZE), non_seq
//! w1: type (REQ 0, RESP 1, TRIAL 2, TRIAL_FAIL 3) capabilities:13 (bits 15-27)
//!     node_sig:16 (bits 0-15)  -- the two overlap at bit 15: the capabilities win
//! w2: dest_domain   w3: prevnode (the sender, or its trial address)   w4: network id
//! w5..w12: media address: 32 bytes, byte 3 the media type, the address from byte 4
//! w13: peer_net_hash   w14: suggested node address (TRIAL_FAIL)
//! payload: the sender's 128-bit node identity (with NODE_ID128)
//! ```

use super::common::expect_user;
use super::consts::{Caps, User, MAX_H_SIZE};
use super::error::{Error, Result};
use super::field::{read_array, write_bytes};
use super::header::{start, Flags, Packet};

/// Length of the media address field.
pub(crate) const MEDIA_INFO_SIZE: usize = 32;
/// Length of a node identity.
pub(crate) const NODE_ID_LEN: usize = 16;
/// Media type: Ethernet.
pub(crate) const MEDIA_TYPE_ETH: u8 = 1;
/// Media type: InfiniBand.
pub(crate) const MEDIA_TYPE_IB: u8 = 2;
/// Media type: UDP.
pub(crate) const MEDIA_TYPE_UDP: u8 = 3;

/// Discovery message types.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum DiscoveryType {
    /// `DSC_REQ_MSG`: is anyone there?
    Request = 0,
    /// `DSC_RESP_MSG`: here I am.
    Response = 1,
    /// `DSC_TRIAL_MSG`: may I use this address?
    Trial = 2,
    /// `DSC_TRIAL_FAIL_MSG`: no; try the suggested one.
    TrialFail = 3,
}

impl DiscoveryType {
    /// The type a field names.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Request,
            1 => Self::Response,
            2 => Self::Trial,
            3 => Self::TrialFail,
            _ => return None,
        })
    }
}

/// A discovery message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct DiscoveryRepr {
    /// Message type.
    pub(crate) msg_type: DiscoveryType,
    /// Word 0 flags; `non_seq` is set.
    pub(crate) flags: Flags,
    /// The sender's random signature; bit 15 is the capabilities' bit 0 on the wire.
    pub(crate) node_sig: u16,
    /// The sender's capabilities (13 bits).
    pub(crate) capabilities: Caps,
    /// Nodes the sender wants links to (0: any).
    pub(crate) dest_domain: u32,
    /// The sender's address, or the address it tries.
    pub(crate) prevnode: u32,
    /// Network id.
    pub(crate) net_id: u32,
    /// The sender's media address.
    pub(crate) media: [u8; MEDIA_INFO_SIZE],
    /// Hash of the sender's network configuration.
    pub(crate) peer_net_hash: u32,
    /// Address the receiver of a `TRIAL_FAIL` should try.
    pub(crate) sugg_addr: u32,
    /// The sender's 128-bit identity, if it sent one.
    pub(crate) node_id: Option<[u8; NODE_ID_LEN]>,
}

impl DiscoveryRepr {
    /// Reads a checked packet: a 60-byte header, a known media type (an Ethernet address
    /// must not be the broadcast address), and the node identity when the capabilities
    /// announce one.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        expect_user(p, User::LinkConfig, MAX_H_SIZE)?;
        let msg_type = DiscoveryType::from_bits(p.msg_type()).ok_or(Error::UnknownType)?;
        let media: [u8; MEDIA_INFO_SIZE] =
            read_array(p.buffer(), 20).ok_or(Error::HeaderTruncated)?;
        match media.get(3).copied() {
            Some(MEDIA_TYPE_ETH) => {
                if media.get(4..10) == Some(&[0xff; 6][..]) {
                    return Err(Error::MediaBroadcast);
                }
            }
            Some(MEDIA_TYPE_IB) | Some(MEDIA_TYPE_UDP) => {}
            _ => return Err(Error::MediaType),
        }
        let capabilities = Caps(p.bits(1, 15, 0x1fff) as u16);
        let payload = p.payload();
        let node_id = if payload.is_empty() && !capabilities.has(Caps::NODE_ID128) {
            None
        } else if payload.len() == NODE_ID_LEN {
            read_array(payload, 0)
        } else {
            return Err(Error::NodeIdLength);
        };
        Ok(Self {
            msg_type,
            flags: p.flags(),
            node_sig: p.bits(1, 0, 0xffff) as u16,
            capabilities,
            dest_domain: p.word(2),
            prevnode: p.word(3),
            net_id: p.word(4),
            media,
            peer_net_hash: p.word(13),
            sugg_addr: p.word(14),
            node_id,
        })
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let id_len = if self.node_id.is_some() {
            NODE_ID_LEN
        } else {
            0
        };
        let n = start(
            buf,
            User::LinkConfig,
            self.msg_type as u32,
            MAX_H_SIZE,
            id_len,
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        p.set_flags(self.flags);
        p.set_bits(1, 0, 0xffff, self.node_sig.into());
        p.set_bits(1, 15, 0x1fff, self.capabilities.0.into());
        p.set_word(2, self.dest_domain);
        p.set_prevnode(self.prevnode);
        p.set_word(4, self.net_id);
        p.set_word(13, self.peer_net_hash);
        p.set_word(14, self.sugg_addr);
        write_bytes(buf, 20, &self.media);
        if let Some(id) = self.node_id {
            write_bytes(buf, MAX_H_SIZE, &id);
        }
        Ok(n)
    }

    /// The Ethernet address, if the media is Ethernet.
    pub(crate) fn eth_addr(&self) -> Option<[u8; 6]> {
        if self.media.get(3) == Some(&MEDIA_TYPE_ETH) {
            read_array(&self.media, 4)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn request() -> DiscoveryRepr {
        let mut media = [0u8; 32];
        media[3] = MEDIA_TYPE_ETH;
        media[4..10].copy_from_slice(&[0x52, 0x54, 0, 0, 0, 1]);
        DiscoveryRepr {
            msg_type: DiscoveryType::Request,
            flags: Flags {
                non_seq: true,
                ..Flags::default()
            },
            node_sig: 0xabcd,
            capabilities: Caps::ALL,
            dest_domain: 0,
            prevnode: 0x1001,
            net_id: 4711,
            media,
            peer_net_hash: 0xdead_beef,
            sugg_addr: 0,
            node_id: Some(*b"0123456789abcdef"),
        }
    }

    #[test]
    fn request_bytes() {
        let mut b = [0u8; 80];
        let n = request().emit(&mut b).unwrap();
        assert_eq!(n, 76);
        // Capability bit 0 lands on the signature's bit 15.
        assert_eq!(&b[..8], &[0x5b, 0xf0, 0, 76, 0x07, 0xff, 0xab, 0xcd]);
        assert_eq!(&b[16..20], &[0, 0, 0x12, 0x67]);
        assert_eq!(&b[20..30], &[0, 0, 0, 1, 0x52, 0x54, 0, 0, 0, 1]);
        assert_eq!(&b[52..56], &[0xde, 0xad, 0xbe, 0xef]);
        let r = DiscoveryRepr::parse(&Packet::new_checked(&b[..n]).unwrap()).unwrap();
        assert_eq!(r, request());
        assert_eq!(r.eth_addr(), Some([0x52, 0x54, 0, 0, 0, 1]));
    }

    #[test]
    fn rejections() {
        let mut b = [0u8; 80];
        let n = request().emit(&mut b).unwrap();
        let p = Packet::new_checked(&b[..n - 1]);
        assert!(p.is_err());
        let mut r = request();
        r.media[4..10].fill(0xff);
        r.emit(&mut b).unwrap();
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DiscoveryRepr::parse(&p), Err(Error::MediaBroadcast));
        let mut r = request();
        r.media[3] = 9;
        r.emit(&mut b).unwrap();
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DiscoveryRepr::parse(&p), Err(Error::MediaType));
        let mut r = request();
        r.node_id = None;
        let n = r.emit(&mut b).unwrap();
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(DiscoveryRepr::parse(&p), Err(Error::NodeIdLength));
    }
}
