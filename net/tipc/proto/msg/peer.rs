// SPDX-License-Identifier: GPL-2.0

//! The default peer of a connectionless socket: `connect(2)` on `SOCK_RDM` or `SOCK_DGRAM`
//! only stores the address that later sends without a name go to (`tipc_connect`).

use super::dest::Destination;
use super::error::MsgError;
use crate::proto::name_table::bind::{SockaddrTipc, SOCKADDR_TIPC_LEN};

/// `AF_UNSPEC`: the family that clears the default peer.
pub(crate) const AF_UNSPEC: u16 = 0;

/// What `connect(2)` does to the default peer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PeerOp {
    /// Forget the default peer: sends without a name are `EDESTADDRREQ` again.
    Clear,
    /// Make this the default peer.
    Set(Destination),
}

/// Decides `connect(2)` with the `addr` bytes (as long as the address length says) on a
/// connectionless socket that is (`in_group`) or is not a group member.
///
/// In the C module's order: a length other than exactly `sockaddr_tipc`'s is `EINVAL`; so
/// is being a group member; family `AF_UNSPEC` clears the peer; an address
/// [`Destination::from_sockaddr`] refuses is `EINVAL`. Nothing is sent.
pub(crate) fn connect_peer(addr: &[u8], in_group: bool) -> Result<PeerOp, MsgError> {
    if addr.len() != SOCKADDR_TIPC_LEN {
        return Err(MsgError::Invalid);
    }
    if in_group {
        return Err(MsgError::Invalid);
    }
    let sa = SockaddrTipc::parse(addr).ok_or(MsgError::Invalid)?;
    if sa.family == AF_UNSPEC {
        return Ok(PeerOp::Clear);
    }
    Destination::from_sockaddr(&sa)
        .map(PeerOp::Set)
        .ok_or(MsgError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::name_table::addr::{ServiceRange, SocketAddr};
    use crate::proto::name_table::bind::{TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR};
    use crate::proto::AF_TIPC;

    /// A `sockaddr_tipc` as bytes.
    fn sa(family: u16, addrtype: u8, words: [u32; 3]) -> [u8; 16] {
        SockaddrTipc {
            family,
            addrtype,
            scope: 0,
            words,
        }
        .to_bytes()
    }

    #[test]
    fn stores_clears_and_refuses() {
        let b = sa(AF_TIPC, TIPC_SOCKET_ADDR, [5, 0, 0]);
        assert_eq!(
            connect_peer(&b, false),
            Ok(PeerOp::Set(Destination::Socket(SocketAddr {
                port: 5,
                node: 0
            })))
        );
        let b = sa(AF_TIPC, TIPC_SERVICE_RANGE, [100, 1, 2]);
        assert_eq!(
            connect_peer(&b, false),
            Ok(PeerOp::Set(Destination::Range(ServiceRange {
                ty: 100,
                lower: 1,
                upper: 2
            })))
        );
        assert_eq!(
            connect_peer(&sa(AF_UNSPEC, 9, [0; 3]), false),
            Ok(PeerOp::Clear)
        );
        assert_eq!(
            connect_peer(&sa(AF_TIPC, TIPC_SERVICE_RANGE, [100, 2, 1]), false),
            Err(MsgError::Invalid)
        );
        assert_eq!(
            connect_peer(&sa(2, TIPC_SOCKET_ADDR, [5, 0, 0]), false),
            Err(MsgError::Invalid)
        );
    }

    #[test]
    fn length_must_be_exact_and_comes_first() {
        let b = sa(AF_UNSPEC, 0, [0; 3]);
        assert_eq!(connect_peer(&b[..15], false), Err(MsgError::Invalid));
        let mut long = [0u8; 17];
        long[..16].copy_from_slice(&b);
        assert_eq!(connect_peer(&long, false), Err(MsgError::Invalid));
        assert_eq!(connect_peer(&b, true), Err(MsgError::Invalid));
    }
}
