// SPDX-License-Identifier: GPL-2.0

//! The broadcast link as netlink shows and configures it under the name "broadcast-link"
//! (`bcast.c`): its largest window, the multicast method (broadcast, replicast or chosen per
//! message by the share of destinations) and that share.
//!
//! This node sends no broadcasts (multicast goes by replicast over the unicast links), so
//! this is the send link's configuration only, with C's rules for changing it and C's
//! answers: its counters are zero, as C's are on a node that sent no multicast. Each peer's
//! receive link is `bc_rcv.rs`.

use crate::proto::bearer::props::MAX_LINK_WIN;
use crate::proto::errno::Errno;
use crate::proto::node::identity::{IdStr, NodeId};

/// `tipc_bclink_name`: the name netlink knows the broadcast link by.
pub(crate) const BCLINK_NAME: &[u8] = b"broadcast-link";
/// `BCLINK_WIN_DEFAULT`: the broadcast link's window at first.
pub(crate) const BCLINK_WIN_DEFAULT: u32 = 50;
/// `BCLINK_WIN_MIN`: a smaller window asked for becomes this one.
pub(crate) const BCLINK_WIN_MIN: u32 = 32;
/// `BCLINK_MODE_BCAST`: multicast always by broadcast.
pub(crate) const MODE_BCAST: u32 = 0x1;
/// `BCLINK_MODE_RCAST`: multicast always by replicast.
pub(crate) const MODE_RCAST: u32 = 0x2;
/// `BCLINK_MODE_SEL`: chosen per message by the share of destinations.
pub(crate) const MODE_SEL: u32 = 0x4;

/// What `TIPC_NL_LINK_SET` asks of the broadcast link (after the common property check).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct BcRequest {
    /// `TIPC_NLA_PROP_WIN`.
    pub(crate) window: Option<u32>,
    /// `TIPC_NLA_PROP_BROADCAST`: one of the modes.
    pub(crate) mode: Option<u32>,
    /// `TIPC_NLA_PROP_BROADCAST_RATIO`: percent.
    pub(crate) ratio: Option<u32>,
}

/// The broadcast link's configuration in one namespace (`tipc_bc_base` and the send link's
/// window).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BcLink {
    max_win: u32,
    force_bcast: bool,
    force_rcast: bool,
    /// Whether the bearers in use can broadcast: C decides it when it first picks a primary
    /// bearer, which it does when a link first comes up; until then it is false. Ethernet
    /// (our only media) can.
    bcast_support: bool,
    /// Whether every peer can take replicast: C clears it for a peer without
    /// `TIPC_BCAST_RCAST`, which every peer since Linux 4.16 has.
    rcast_support: bool,
    rc_ratio: u32,
}

impl Default for BcLink {
    fn default() -> Self {
        Self::new()
    }
}

impl BcLink {
    /// `tipc_bcast_init`'s configuration.
    pub(crate) const fn new() -> Self {
        Self {
            max_win: BCLINK_WIN_DEFAULT,
            force_bcast: false,
            force_rcast: false,
            bcast_support: false,
            rcast_support: true,
            rc_ratio: 10,
        }
    }

    /// A link came up: C picks a primary bearer, and Ethernet broadcasts.
    pub(crate) fn link_came_up(&mut self) {
        self.bcast_support = true;
    }

    /// The largest window (`TIPC_NLA_PROP_WIN` of the broadcast link).
    pub(crate) const fn window(&self) -> u32 {
        self.max_win
    }

    /// `tipc_bcast_get_mode`: the forced method, else selection if both methods are there,
    /// else 0.
    pub(crate) const fn mode(&self) -> u32 {
        if self.force_bcast {
            MODE_BCAST
        } else if self.force_rcast {
            MODE_RCAST
        } else if self.bcast_support && self.rcast_support {
            MODE_SEL
        } else {
            0
        }
    }

    /// The share of destinations (percent) above which selection broadcasts.
    pub(crate) const fn ratio(&self) -> u32 {
        self.rc_ratio
    }

    /// `tipc_nl_bc_link_set` after the common property check: `EOPNOTSUPP` if none of the
    /// window, mode and ratio is asked for; then the mode (`ENOPROTOOPT` for a method the
    /// bearers or peers lack, `EINVAL` for no method), the ratio (`ENOPROTOOPT` unless both
    /// methods are there, `EINVAL` outside 1..=100) and the window (at least
    /// `BCLINK_WIN_MIN`), each applied before the next is checked, as in C.
    pub(crate) fn set(&mut self, req: &BcRequest) -> Result<(), Errno> {
        if req.window.is_none() && req.mode.is_none() && req.ratio.is_none() {
            return Err(Errno::EOPNOTSUPP);
        }
        if let Some(mode) = req.mode {
            let (bcast, rcast) = match mode {
                MODE_BCAST if self.bcast_support => (true, false),
                MODE_RCAST if self.rcast_support => (false, true),
                MODE_SEL if self.bcast_support && self.rcast_support => (false, false),
                MODE_BCAST | MODE_RCAST | MODE_SEL => return Err(Errno::ENOPROTOOPT),
                _ => return Err(Errno::EINVAL),
            };
            self.force_bcast = bcast;
            self.force_rcast = rcast;
        }
        if let Some(ratio) = req.ratio {
            if !(self.bcast_support && self.rcast_support) {
                return Err(Errno::ENOPROTOOPT);
            }
            if !(1..=100).contains(&ratio) {
                return Err(Errno::EINVAL);
            }
            self.rc_ratio = ratio;
        }
        if let Some(win) = req.window {
            let win = win.max(BCLINK_WIN_MIN);
            if win > MAX_LINK_WIN {
                return Err(Errno::EINVAL);
            }
            self.max_win = win;
        }
        Ok(())
    }
}

/// The name of the broadcast receive link from a peer (`tipc_link_bc_create`):
/// "broadcast-link:" and the peer as link names give it (its identity's string, or its
/// address in hex when that string is longer than 16 characters). Returns the buffer and
/// the name's length, at most 47 bytes.
pub(crate) fn rcv_link_name(peer_id: NodeId, peer_addr: u32) -> ([u8; 48], usize) {
    let part: IdStr = peer_id.link_name_part(peer_addr);
    let mut out = [0; 48];
    let mut n = 0;
    for &b in BCLINK_NAME.iter().chain(b":").chain(part.as_bytes()) {
        // At most 14 + 1 + 32 bytes: it fits.
        if let Some(slot) = out.get_mut(n) {
            *slot = b;
            n += 1;
        }
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_without_links_has_no_method_and_takes_only_replicast() {
        let mut bc = BcLink::new();
        assert_eq!((bc.mode(), bc.window(), bc.ratio()), (0, 50, 10));
        let mode = |m| BcRequest {
            mode: Some(m),
            ..BcRequest::default()
        };
        assert_eq!(bc.set(&mode(MODE_BCAST)), Err(Errno::ENOPROTOOPT));
        assert_eq!(bc.set(&mode(MODE_SEL)), Err(Errno::ENOPROTOOPT));
        assert_eq!(bc.set(&mode(3)), Err(Errno::EINVAL));
        let ratio = BcRequest {
            ratio: Some(20),
            ..BcRequest::default()
        };
        assert_eq!(bc.set(&ratio), Err(Errno::ENOPROTOOPT));
        assert_eq!(bc.set(&mode(MODE_RCAST)), Ok(()));
        assert_eq!(bc.mode(), MODE_RCAST);
        assert_eq!(bc.set(&BcRequest::default()), Err(Errno::EOPNOTSUPP));
    }

    #[test]
    fn once_a_link_was_up_every_method_and_ratio_is_taken() {
        let mut bc = BcLink::new();
        bc.link_came_up();
        assert_eq!(bc.mode(), MODE_SEL);
        let req = BcRequest {
            mode: Some(MODE_BCAST),
            ratio: Some(0),
            window: Some(100),
        };
        // The mode is applied before the ratio fails; the window is not reached.
        assert_eq!(bc.set(&req), Err(Errno::EINVAL));
        assert_eq!((bc.mode(), bc.ratio(), bc.window()), (MODE_BCAST, 10, 50));
        let req = BcRequest {
            mode: Some(MODE_SEL),
            ratio: Some(100),
            window: Some(8191),
        };
        assert_eq!(bc.set(&req), Ok(()));
        assert_eq!((bc.mode(), bc.ratio(), bc.window()), (MODE_SEL, 100, 8191));
    }

    #[test]
    fn receive_link_names_follow_the_peers_identity() {
        let id = NodeId::from_bytes(b"node2").unwrap();
        let (buf, n) = rcv_link_name(id, 0x1234);
        assert_eq!(&buf[..n], b"broadcast-link:node2");
        let id = NodeId::from_bytes(&[0xab; 16]).unwrap();
        let (buf, n) = rcv_link_name(id, 0x1234);
        assert_eq!(&buf[..n], b"broadcast-link:1234");
    }
}
