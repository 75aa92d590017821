// SPDX-License-Identifier: GPL-2.0

//! The two media: Ethernet and UDP, with the C module's defaults (`eth_media_info`,
//! `udp_media_info`), which netlink may change per namespace.

use super::props::{PropRequest, DEF_LINK_PRI, DEF_LINK_TOL, DEF_LINK_WIN, MAX_LINK_WIN};
use super::rejection::Rejection;
use crate::proto::wire::consts::{INT_H_SIZE, MAX_H_SIZE};
use crate::proto::wire::discovery::{MEDIA_TYPE_ETH, MEDIA_TYPE_UDP};

/// `TIPC_MIN_BEARER_MTU`: the smallest MTU a bearer may have (one header of each size).
pub(crate) const MIN_BEARER_MTU: u32 = (MAX_H_SIZE + INT_H_SIZE) as u32;
/// `TIPC_DEF_LINK_UDP_MTU`: the UDP media's MTU.
pub(crate) const DEF_LINK_UDP_MTU: u32 = 14000;
/// The smallest MTU a UDP media may be given (`tipc_udp_mtu_bad`).
pub(crate) const MIN_UDP_MTU: u32 = MIN_BEARER_MTU + UDP4_ENCAP_HLEN;
/// IPv4 and UDP headers: what the UDP media adds to each packet over IPv4.
pub(crate) const UDP4_ENCAP_HLEN: u32 = 20 + 8;
/// IPv6 and UDP headers.
pub(crate) const UDP6_ENCAP_HLEN: u32 = 40 + 8;
/// The MTU of a UDP bearer over IPv6, whatever the media says.
pub(crate) const UDP6_MTU: u32 = 1280;

/// A media TIPC can run on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Media {
    /// Ethernet, `ETH_P_TIPC` frames; discovery by broadcast.
    Eth,
    /// UDP over IPv4 or IPv6; discovery by multicast or to configured peers.
    Udp,
}

impl Media {
    /// Both media, in the C module's order.
    pub(crate) const ALL: [Self; 2] = [Self::Eth, Self::Udp];

    /// `tipc_media_find`: the media of this name.
    pub(crate) fn find(name: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name().as_bytes() == name)
    }

    /// The media's name, the first part of its bearers' names.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Eth => "eth",
            Self::Udp => "udp",
        }
    }

    /// The media type a discovery message's media address carries.
    pub(crate) const fn type_id(self) -> u8 {
        match self {
            Self::Eth => MEDIA_TYPE_ETH,
            Self::Udp => MEDIA_TYPE_UDP,
        }
    }
}

/// The link properties of a media, which it gives its new bearers, or of a bearer, which
/// it gives its new links.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MediaProps {
    /// Link priority.
    pub(crate) priority: u32,
    /// Link tolerance (ms).
    pub(crate) tolerance: u32,
    /// Smallest send window.
    pub(crate) min_win: u32,
    /// Largest send window.
    pub(crate) max_win: u32,
    /// MTU (a media's: UDP only; an Ethernet bearer takes its device's).
    pub(crate) mtu: u32,
}

impl MediaProps {
    /// The C module's defaults for `media`.
    pub(crate) const fn default_for(media: Media) -> Self {
        match media {
            Media::Eth => Self {
                priority: DEF_LINK_PRI,
                tolerance: DEF_LINK_TOL,
                min_win: DEF_LINK_WIN,
                max_win: MAX_LINK_WIN,
                mtu: 0,
            },
            Media::Udp => Self {
                priority: DEF_LINK_PRI,
                tolerance: DEF_LINK_TOL,
                min_win: DEF_LINK_WIN,
                max_win: DEF_LINK_WIN,
                mtu: DEF_LINK_UDP_MTU,
            },
        }
    }

    /// `__tipc_nl_media_set` and `__tipc_nl_bearer_set` after the common check: an MTU only
    /// for UDP ("MTU property is unsupported") and at least `min_mtu` ("MTU value is
    /// out-of-range"): the smallest bearer MTU plus IPv4 and UDP headers for the media,
    /// plus the bearer's own encapsulation for a bearer.
    pub(crate) fn apply(
        &mut self,
        media: Media,
        req: &PropRequest,
        min_mtu: u32,
    ) -> Result<(), Rejection> {
        req.validate().map_err(Rejection::bare)?;
        if let Some(mtu) = req.mtu {
            if media != Media::Udp {
                return Err(Rejection::invalid(c"MTU property is unsupported"));
            }
            if mtu < min_mtu {
                return Err(Rejection::invalid(c"MTU value is out-of-range"));
            }
        }
        if let Some(t) = req.tolerance {
            self.tolerance = t;
        }
        if let Some(p) = req.priority {
            self.priority = p;
        }
        if let Some(w) = req.window {
            self.max_win = w;
        }
        if let Some(m) = req.mtu {
            self.mtu = m;
        }
        Ok(())
    }
}
