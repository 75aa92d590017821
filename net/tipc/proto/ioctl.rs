// SPDX-License-Identifier: GPL-2.0

//! The TIPC socket ioctls (`tipc_ioctl`): `SIOCGETLINKNAME` and `SIOCGETNODEID`, with
//! their request layouts from `include/uapi/linux/tipc.h`.

use crate::proto::errno::Errno;

/// `SIOCPROTOPRIVATE`: the first protocol-private socket ioctl.
const SIOCPROTOPRIVATE: u32 = 0x89e0;
/// `SIOCGETLINKNAME`: the name of the link to a peer over a bearer.
pub(crate) const SIOCGETLINKNAME: u32 = SIOCPROTOPRIVATE;
/// `SIOCGETNODEID`: the 128-bit identity of a peer node.
pub(crate) const SIOCGETNODEID: u32 = SIOCPROTOPRIVATE + 1;

/// `sizeof(struct tipc_sioc_ln_req)`: peer, bearer id, then a 68-byte link name.
pub(crate) const LN_REQ_LEN: usize = 4 + 4 + 68;
/// `sizeof(struct tipc_sioc_nodeid_req)`: peer, then a 16-byte node identity.
pub(crate) const NODEID_REQ_LEN: usize = 4 + 16;

/// What an ioctl asks of TIPC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Request {
    /// `SIOCGETLINKNAME`, reading (and on success writing back) a `tipc_sioc_ln_req`.
    LinkName,
    /// `SIOCGETNODEID`, reading (and on success writing back) a `tipc_sioc_nodeid_req`.
    NodeId,
}

impl Request {
    /// The request `cmd` makes; `None` for a command TIPC leaves to the socket layer.
    pub(crate) fn from_cmd(cmd: u32) -> Option<Self> {
        match cmd {
            SIOCGETLINKNAME => Some(Self::LinkName),
            SIOCGETNODEID => Some(Self::NodeId),
            _ => None,
        }
    }

    /// The length of the request structure the caller passes.
    pub(crate) fn len(self) -> usize {
        match self {
            Self::LinkName => LN_REQ_LEN,
            Self::NodeId => NODEID_REQ_LEN,
        }
    }

    /// Answers the request in `req` (already read from the caller) on a node with no links
    /// and, if `own_id` is `None`, no node identity yet; `Ok(())` means write `req` back.
    ///
    /// With no link there is no link name: `EADDRNOTAVAIL`. A node without an identity
    /// answers any node id request with the caller's buffer unchanged, as the C module
    /// does; with one, a peer it does not know is `EADDRNOTAVAIL`.
    pub(crate) fn answer(self, _req: &mut [u8], own_id: Option<&[u8; 16]>) -> Result<(), Errno> {
        match (self, own_id) {
            (Self::NodeId, None) => Ok(()),
            _ => Err(Errno::EADDRNOTAVAIL),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(Request::from_cmd(0x89e0), Some(Request::LinkName));
        assert_eq!(Request::from_cmd(0x89e1), Some(Request::NodeId));
        assert_eq!(Request::from_cmd(0x89e2), None);
        assert_eq!(Request::LinkName.len(), 76);
        assert_eq!(Request::NodeId.len(), 20);
    }

    #[test]
    fn answers_without_links_or_identity() {
        let mut req = [7u8; NODEID_REQ_LEN];
        assert_eq!(Request::NodeId.answer(&mut req, None), Ok(()));
        assert_eq!(
            req, [7u8; NODEID_REQ_LEN],
            "the buffer comes back unchanged"
        );
        assert_eq!(
            Request::NodeId.answer(&mut req, Some(&[1; 16])),
            Err(Errno::EADDRNOTAVAIL)
        );
        let mut ln = [0u8; LN_REQ_LEN];
        assert_eq!(
            Request::LinkName.answer(&mut ln, None),
            Err(Errno::EADDRNOTAVAIL)
        );
    }
}
