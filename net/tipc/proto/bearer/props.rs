// SPDX-License-Identifier: GPL-2.0

//! Link properties (priority, tolerance, window) and their limits (`tipc_config.h`), with
//! the check `tipc_nl_parse_link_prop` makes of the values netlink gives for a media, a
//! bearer or a link.

use crate::proto::errno::Errno;

/// `TIPC_MIN_LINK_PRI`.
pub(crate) const MIN_LINK_PRI: u32 = 0;
/// `TIPC_DEF_LINK_PRI`.
pub(crate) const DEF_LINK_PRI: u32 = 10;
/// `TIPC_MAX_LINK_PRI`.
pub(crate) const MAX_LINK_PRI: u32 = 31;
/// `TIPC_MEDIA_LINK_PRI`: "the media's priority", when enabling a bearer.
pub(crate) const MEDIA_LINK_PRI: u32 = MAX_LINK_PRI + 1;

/// `TIPC_MIN_LINK_TOL` (ms).
pub(crate) const MIN_LINK_TOL: u32 = 50;
/// `TIPC_DEF_LINK_TOL` (ms).
pub(crate) const DEF_LINK_TOL: u32 = 1500;
/// `TIPC_MAX_LINK_TOL` (ms).
pub(crate) const MAX_LINK_TOL: u32 = 30000;

/// `TIPC_DEF_LINK_WIN`.
pub(crate) const DEF_LINK_WIN: u32 = 50;
/// `TIPC_MAX_LINK_WIN`.
pub(crate) const MAX_LINK_WIN: u32 = 8191;

/// The properties netlink may set, each optional.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct PropRequest {
    /// `TIPC_NLA_PROP_PRIO`.
    pub(crate) priority: Option<u32>,
    /// `TIPC_NLA_PROP_TOL`.
    pub(crate) tolerance: Option<u32>,
    /// `TIPC_NLA_PROP_WIN`.
    pub(crate) window: Option<u32>,
    /// `TIPC_NLA_PROP_MTU`.
    pub(crate) mtu: Option<u32>,
}

impl PropRequest {
    /// `tipc_nl_parse_link_prop`: a priority above 31, a tolerance outside 50..=30000 or a
    /// window outside 50..=8191 is `EINVAL`, with no extack message. The MTU is checked
    /// where it is applied.
    pub(crate) fn validate(&self) -> Result<(), Errno> {
        let bad_prio = self.priority.is_some_and(|p| p > MAX_LINK_PRI);
        let bad_tol = self
            .tolerance
            .is_some_and(|t| !(MIN_LINK_TOL..=MAX_LINK_TOL).contains(&t));
        let bad_win = self
            .window
            .is_some_and(|w| !(DEF_LINK_WIN..=MAX_LINK_WIN).contains(&w));
        if bad_prio || bad_tol || bad_win {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }
}
