// SPDX-License-Identifier: GPL-2.0

//! Media addresses (`struct tipc_media_addr`): where a bearer sends to reach a peer, as the
//! media writes it into discovery messages and reads it back.
//!
//! ```text
//! discovery message, 32 bytes: 0 0 0 type, then the address:
//!   Ethernet: the 6-byte MAC address
//!   UDP:      proto:16 (0x0800 IPv4, 0x86dd IPv6) port:16 address:128 (IPv4 in the first 4)
//! ```

use super::media::Media;
use crate::proto::wire::discovery::MEDIA_INFO_SIZE;

/// Offset of the media type in a discovery message's address field.
const TYPE_OFFSET: usize = 3;
/// Offset of the address in that field.
const ADDR_OFFSET: usize = 4;
/// `ETH_P_IP`.
pub(crate) const ETH_P_IP: u16 = 0x0800;
/// `ETH_P_IPV6`.
pub(crate) const ETH_P_IPV6: u16 = 0x86dd;
/// Length of a UDP media address: protocol, port and a 16-byte IP address.
const UDP_ADDR_LEN: usize = 20;

/// A peer's or a bearer's address on its media.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct MediaAddr {
    media: Media,
    value: [u8; UDP_ADDR_LEN],
    broadcast: bool,
}

/// An IP address and UDP port, as the UDP media keeps them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct UdpAddr {
    /// `ETH_P_IP` or `ETH_P_IPV6`.
    pub(crate) proto: u16,
    /// The UDP port.
    pub(crate) port: u16,
    /// The address; an IPv4 address in the first four bytes, the rest zero.
    pub(crate) ip: [u8; 16],
}

impl UdpAddr {
    /// An IPv4 address and port.
    pub(crate) fn v4(ip: [u8; 4], port: u16) -> Self {
        let mut a = [0; 16];
        a[..4].copy_from_slice(&ip);
        Self {
            proto: ETH_P_IP,
            port,
            ip: a,
        }
    }

    /// An IPv6 address and port.
    pub(crate) const fn v6(ip: [u8; 16], port: u16) -> Self {
        Self {
            proto: ETH_P_IPV6,
            port,
            ip,
        }
    }

    /// `tipc_udp_is_mcast_addr`: an IPv4 multicast address for IPv4, else an IPv6 one.
    pub(crate) const fn is_multicast(&self) -> bool {
        if self.proto == ETH_P_IP {
            self.ip[0] & 0xf0 == 0xe0
        } else {
            self.ip[0] == 0xff
        }
    }

    fn bytes(&self) -> [u8; UDP_ADDR_LEN] {
        let mut b = [0; UDP_ADDR_LEN];
        b[..2].copy_from_slice(&self.proto.to_be_bytes());
        b[2..4].copy_from_slice(&self.port.to_be_bytes());
        b[4..].copy_from_slice(&self.ip);
        b
    }
}

impl MediaAddr {
    /// An Ethernet address (`tipc_eth_raw2addr`).
    pub(crate) fn eth(mac: [u8; 6]) -> Self {
        let mut value = [0; UDP_ADDR_LEN];
        value[..6].copy_from_slice(&mac);
        Self {
            media: Media::Eth,
            value,
            broadcast: mac == [0xff; 6],
        }
    }

    /// A UDP address (`tipc_udp_media_addr_set`); a multicast group is a broadcast address.
    pub(crate) fn udp(a: UdpAddr) -> Self {
        Self {
            media: Media::Udp,
            value: a.bytes(),
            broadcast: a.is_multicast(),
        }
    }

    /// A broadcast or multicast address: a peer may not claim one.
    pub(crate) const fn is_broadcast(&self) -> bool {
        self.broadcast
    }

    /// The MAC address of an Ethernet address.
    pub(crate) fn eth_mac(&self) -> Option<[u8; 6]> {
        match self.media {
            Media::Eth => self.value.first_chunk().copied(),
            Media::Udp => None,
        }
    }

    /// The IP address and port of a UDP address.
    pub(crate) fn udp_addr(&self) -> Option<UdpAddr> {
        let [p0, p1, q0, q1, ip @ ..] = self.value;
        match self.media {
            Media::Udp => Some(UdpAddr {
                proto: u16::from_be_bytes([p0, p1]),
                port: u16::from_be_bytes([q0, q1]),
                ip,
            }),
            Media::Eth => None,
        }
    }

    /// The 32-byte field of a discovery message (`addr2msg`).
    pub(crate) fn to_msg(self) -> [u8; MEDIA_INFO_SIZE] {
        let mut m = [0; MEDIA_INFO_SIZE];
        m[TYPE_OFFSET] = self.media.type_id();
        let n = match self.media {
            Media::Eth => 6,
            Media::Udp => UDP_ADDR_LEN,
        };
        m[ADDR_OFFSET..ADDR_OFFSET + n].copy_from_slice(&self.value[..n]);
        m
    }

    /// The address a discovery message's field gives, read as `media` reads it
    /// (`msg2addr`): Ethernet takes the six bytes whatever the type says; UDP wants its own
    /// type.
    pub(crate) fn from_msg(media: Media, m: &[u8; MEDIA_INFO_SIZE]) -> Option<Self> {
        let [_, _, _, ty, rest @ ..] = m;
        match media {
            Media::Eth => rest.first_chunk().copied().map(Self::eth),
            Media::Udp if *ty == Media::Udp.type_id() => {
                let [p0, p1, q0, q1, ip @ ..] = *rest.first_chunk::<UDP_ADDR_LEN>()?;
                Some(Self::udp(UdpAddr {
                    proto: u16::from_be_bytes([p0, p1]),
                    port: u16::from_be_bytes([q0, q1]),
                    ip,
                }))
            }
            Media::Udp => None,
        }
    }
}
