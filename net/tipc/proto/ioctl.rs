// SPDX-License-Identifier: GPL-2.0

//! The TIPC socket ioctls (`tipc_ioctl`): `SIOCGETLINKNAME` and `SIOCGETNODEID`, with
//! their request layouts from `include/uapi/linux/tipc.h`.

use crate::proto::bearer::BearerId;
use crate::proto::errno::Errno;
use crate::proto::link::buf::PacketBuf;
use crate::proto::node::cluster::Cluster;

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

    /// Answers the request in `req` (already read from the caller) from what `cluster`
    /// knows; `Ok(())` means write `req` back.
    ///
    /// `SIOCGETLINKNAME` (`tipc_node_get_linkname`): the name of the link to the peer on
    /// the bearer (the low 16 bits of the request's bearer id), written with its NUL over the
    /// start of the name field; `EADDRNOTAVAIL` for an unknown peer, bearer or link.
    /// `SIOCGETNODEID` (`tipc_node_get_id`): a node without an identity answers with the
    /// caller's buffer unchanged, as the C module does; else this node's identity for its own
    /// address, a peer's for the peer's, and `EADDRNOTAVAIL` for a node it does not know.
    pub(crate) fn answer<B: PacketBuf>(
        self,
        req: &mut [u8],
        cluster: &Cluster<B>,
    ) -> Result<(), Errno> {
        let word = |req: &[u8], at: usize| {
            req.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_ne_bytes)
        };
        let peer_addr = word(req, 0).ok_or(Errno::EINVAL)?;
        match self {
            Self::LinkName => {
                let bearer = word(req, 4).ok_or(Errno::EINVAL)? & 0xffff;
                let link = BearerId::new(bearer as usize)
                    .and_then(|b| cluster.peer(peer_addr)?.link(b))
                    .ok_or(Errno::EADDRNOTAVAIL)?;
                let name = link.name().as_bytes();
                let field = req.get_mut(8..8 + name.len() + 1).ok_or(Errno::EINVAL)?;
                let (text, nul) = field.split_at_mut(name.len());
                text.copy_from_slice(name);
                nul.fill(0);
                Ok(())
            }
            Self::NodeId => {
                let Some(own) = cluster.own().id() else {
                    return Ok(());
                };
                let id = if peer_addr == cluster.own().addr() {
                    own
                } else {
                    cluster.peer(peer_addr).ok_or(Errno::EADDRNOTAVAIL)?.id()
                };
                req.get_mut(4..NODEID_REQ_LEN)
                    .ok_or(Errno::EINVAL)?
                    .copy_from_slice(&id.0);
                Ok(())
            }
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
        let cluster = Cluster::<std::vec::Vec<u8>>::new(1, 2, 3);
        let mut req = [7u8; NODEID_REQ_LEN];
        assert_eq!(Request::NodeId.answer(&mut req, &cluster), Ok(()));
        assert_eq!(
            req, [7u8; NODEID_REQ_LEN],
            "the buffer comes back unchanged"
        );
        let mut ln = [0u8; LN_REQ_LEN];
        assert_eq!(
            Request::LinkName.answer(&mut ln, &cluster),
            Err(Errno::EADDRNOTAVAIL)
        );
    }

    #[test]
    fn a_node_with_an_identity_gives_its_own_and_knows_no_other() {
        use crate::proto::node::own::NetSet;
        let mut cluster = Cluster::<std::vec::Vec<u8>>::new(1, 2, 3);
        let mut id = [0u8; 16];
        id[..5].copy_from_slice(b"node1");
        let set = NetSet {
            node_id: Some(Some(id)),
            ..NetSet::default()
        };
        cluster.net_set(&set, 0, crate::kalloc::GFP_KERNEL).unwrap();
        // No address yet: address 0 is this node's.
        let mut req = [0u8; NODEID_REQ_LEN];
        assert_eq!(Request::NodeId.answer(&mut req, &cluster), Ok(()));
        assert_eq!(&req[4..], &id);
        req[..4].copy_from_slice(&0x1234u32.to_ne_bytes());
        assert_eq!(
            Request::NodeId.answer(&mut req, &cluster),
            Err(Errno::EADDRNOTAVAIL)
        );
    }
}
