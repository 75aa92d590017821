// SPDX-License-Identifier: GPL-2.0

//! The legacy configuration interface: the generic netlink family "TIPC" of
//! `include/uapi/linux/tipc_config.h`, which the C module still serves by translating each
//! `TIPC_CMD_*` into `TIPCv2` operations (`net/tipc/netlink_compat.c`).
//!
//! A request is a `struct tipc_genlmsghdr` (destination, ignored as by C; command) and at most
//! one TLV ([`tlv`]); the answer is a list of TLVs or one text TLV ([`reply`], whose text is
//! written by [`text`]), or an error string TLV. [`Command`] says what each command needs and
//! how a failure is answered.

pub(crate) mod reply;
pub(crate) mod text;
pub(crate) mod tlv;

use super::errno::Errno;

/// `TIPC_GENL_NAME`'s version (`TIPC_GENL_VERSION`).
pub(crate) const VERSION: u8 = 1;
/// The family's only command (`TIPC_GENL_CMD`).
pub(crate) const GENL_CMD: u8 = 1;
/// The family's own header, `struct tipc_genlmsghdr` (`TIPC_GENL_HDRLEN`).
pub(crate) const HDRLEN: usize = 8;

/// The TLV types (`TIPC_TLV_*`).
pub(crate) mod tlv_type {
    pub(crate) const UNSIGNED: u16 = 2;
    pub(crate) const ULTRA_STRING: u16 = 5;
    pub(crate) const ERROR_STRING: u16 = 16;
    pub(crate) const NET_ADDR: u16 = 17;
    pub(crate) const MEDIA_NAME: u16 = 18;
    pub(crate) const BEARER_NAME: u16 = 19;
    pub(crate) const LINK_NAME: u16 = 20;
    pub(crate) const NODE_INFO: u16 = 21;
    pub(crate) const LINK_INFO: u16 = 22;
    pub(crate) const BEARER_CONFIG: u16 = 23;
    pub(crate) const LINK_CONFIG: u16 = 24;
    pub(crate) const NAME_TBL_QUERY: u16 = 25;
}

/// The error strings of an error TLV (`TIPC_CFG_*`), without their NUL.
pub(crate) mod cfg_error {
    /// The request's TLV is wrong (`TIPC_CFG_TLV_ERROR`).
    pub(crate) const TLV_ERROR: &[u8] = b"\x80";
    /// The command needs `CAP_NET_ADMIN` (`TIPC_CFG_NOT_NET_ADMIN`).
    pub(crate) const NOT_NET_ADMIN: &[u8] = b"\x81";
    /// The command is not served (`TIPC_CFG_NOT_SUPPORTED`).
    pub(crate) const NOT_SUPPORTED: &[u8] = b"\x84";
}

/// `TIPC_MAX_BEARER_NAME`, with the NUL.
pub(crate) const MAX_BEARER_NAME: usize = 32;
/// `TIPC_MAX_LINK_NAME`, with the NUL.
pub(crate) const MAX_LINK_NAME: usize = 68;
/// `TIPC_MAX_LINK_PRI`: a bearer's priority above it is left to the media's.
pub(crate) const MAX_LINK_PRI: u32 = 31;
/// `TIPC_NTQ_ALLTYPES`: a name table query for every type.
pub(crate) const NTQ_ALLTYPES: u32 = 0x8000_0000;

/// The commands the C module serves (`TIPC_CMD_*`), with their numbers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Command {
    Noop,
    GetNodes,
    GetMediaNames,
    GetBearerNames,
    GetLinks,
    ShowNameTable,
    ShowPorts,
    ShowLinkStats,
    ShowStats,
    GetNetid,
    EnableBearer,
    DisableBearer,
    SetLinkTol,
    SetLinkPri,
    SetLinkWindow,
    ResetLinkStats,
    SetNodeAddr,
    SetNetid,
}

impl Command {
    /// The command numbered `cmd`; `None` for one C does not serve (obsolete or unknown),
    /// which is answered as not supported.
    pub(crate) fn from_u16(cmd: u16) -> Option<Self> {
        Some(match cmd {
            0x0000 => Self::Noop,
            0x0001 => Self::GetNodes,
            0x0002 => Self::GetMediaNames,
            0x0003 => Self::GetBearerNames,
            0x0004 => Self::GetLinks,
            0x0005 => Self::ShowNameTable,
            0x0006 => Self::ShowPorts,
            0x000B => Self::ShowLinkStats,
            0x000F => Self::ShowStats,
            0x400B => Self::GetNetid,
            0x4101 => Self::EnableBearer,
            0x4102 => Self::DisableBearer,
            0x4107 => Self::SetLinkTol,
            0x4108 => Self::SetLinkPri,
            0x4109 => Self::SetLinkWindow,
            0x410C => Self::ResetLinkStats,
            0x8001 => Self::SetNodeAddr,
            0x800B => Self::SetNetid,
            _ => return None,
        })
    }

    /// The TLV type the request must start with, if the command reads one.
    pub(crate) fn request_type(self) -> Option<u16> {
        use tlv_type::*;
        match self {
            Self::GetLinks | Self::SetNodeAddr => Some(NET_ADDR),
            Self::ShowNameTable => Some(NAME_TBL_QUERY),
            Self::ShowLinkStats | Self::ResetLinkStats => Some(LINK_NAME),
            Self::EnableBearer => Some(BEARER_CONFIG),
            Self::DisableBearer => Some(tlv_type::BEARER_NAME),
            Self::SetLinkTol | Self::SetLinkPri | Self::SetLinkWindow => Some(LINK_CONFIG),
            Self::SetNetid => Some(UNSIGNED),
            _ => None,
        }
    }
}

/// Whether command number `cmd` needs `CAP_NET_ADMIN`: the protected and private ones, whose
/// top two bits are not both clear, served or not.
pub(crate) fn needs_net_admin(cmd: u16) -> bool {
    cmd & 0xC000 != 0
}

/// The error string C answers a failure with, if any: not supported for `EOPNOTSUPP` and
/// `EPERM`, a TLV error for `EINVAL`; any other failure has no reply but the error.
pub(crate) fn error_text(e: Errno) -> Option<&'static [u8]> {
    match e {
        Errno::EOPNOTSUPP | Errno::EPERM => Some(cfg_error::NOT_SUPPORTED),
        Errno::EINVAL => Some(cfg_error::TLV_ERROR),
        _ => None,
    }
}

/// `tipc_zone`, `tipc_cluster` and `tipc_node` of an address, as `<Z.C.N>` shows them.
pub(crate) fn zcn(addr: u32) -> (u32, u32, u32) {
    (addr >> 24, (addr >> 12) & 0xfff, addr & 0xfff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_commands_need_net_admin_served_or_not() {
        assert!(!needs_net_admin(0x000F));
        assert!(needs_net_admin(0x400B));
        assert!(needs_net_admin(0x4004));
        assert!(needs_net_admin(0xC001));
        assert_eq!(Command::from_u16(0x4004), None);
        assert_eq!(Command::from_u16(0x800B), Some(Command::SetNetid));
    }

    #[test]
    fn failures_map_to_cs_error_strings() {
        assert_eq!(error_text(Errno::EPERM), Some(cfg_error::NOT_SUPPORTED));
        assert_eq!(error_text(Errno::EINVAL), Some(cfg_error::TLV_ERROR));
        assert_eq!(error_text(Errno::ENODEV), None);
    }
}
