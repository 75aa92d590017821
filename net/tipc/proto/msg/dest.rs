// SPDX-License-Identifier: GPL-2.0

//! Where a connectionless `sendmsg(2)` goes: the user's `msg_name`, or the default peer a
//! `connect(2)` stored, checked in the C module's order (`__tipc_sendmsg`,
//! `tipc_uaddr_valid`). `SOCK_RDM` and `SOCK_DGRAM` follow the same rules.

use super::error::MsgError;
use crate::proto::name_table::addr::{ServiceRange, SocketAddr};
use crate::proto::name_table::bind::{
    SockaddrTipc, TIPC_SERVICE_ADDR, TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR,
};
use crate::proto::wire::consts::MAX_USER_MSG_SIZE;
use crate::proto::AF_TIPC;

/// `TIPC_MAX_USER_MSG_SIZE`: the most data one message carries.
pub(crate) const TIPC_MAX_USER_MSG_SIZE: usize = MAX_USER_MSG_SIZE;

/// A destination as the user named it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Destination {
    /// A service address: anycast to one socket bound to `instance` of `ty`.
    Service {
        /// The service type.
        ty: u32,
        /// The instance.
        instance: u32,
        /// The lookup domain: 0 for anywhere, else the node that looks up.
        domain: u32,
    },
    /// A service range: a copy to every socket bound to an overlapping instance.
    Range(ServiceRange),
    /// One socket; node 0 is this node.
    Socket(SocketAddr),
}

impl Destination {
    /// The destination a well-formed `sockaddr_tipc` names: family `AF_TIPC`, a service or
    /// socket address, or a range whose upper bound is not below its lower bound
    /// (`tipc_uaddr_valid`, `tipc_sockaddr_is_sane`). `None` for anything else.
    pub(crate) fn from_sockaddr(sa: &SockaddrTipc) -> Option<Self> {
        if sa.family != AF_TIPC {
            return None;
        }
        let [w0, w1, w2] = sa.words;
        match sa.addrtype {
            TIPC_SERVICE_ADDR => Some(Self::Service {
                ty: w0,
                instance: w1,
                domain: w2,
            }),
            TIPC_SOCKET_ADDR => Some(Self::Socket(SocketAddr { port: w0, node: w1 })),
            TIPC_SERVICE_RANGE if w2 >= w1 => Some(Self::Range(ServiceRange {
                ty: w0,
                lower: w1,
                upper: w2,
            })),
            _ => None,
        }
    }
}

/// The destination of a send of `dlen` bytes on a connectionless socket that is not a
/// group member.
///
/// `name` is `msg_name` with `msg_namelen` bytes, `None` only when `msg_name` is NULL (a
/// `sendto(2)` with an address and a length of 0 passes `Some(&[])`); `peer` is the default
/// peer of [`super::peer`]. In the C module's order: more than
/// [`TIPC_MAX_USER_MSG_SIZE`] bytes is `EMSGSIZE`; a name shorter than `sockaddr_tipc` (extra
/// bytes are ignored), of another family, of an unknown type or with an inverted range is
/// `EINVAL`; no name and no peer is `EDESTADDRREQ`.
pub(crate) fn send_destination(
    name: Option<&[u8]>,
    peer: Option<Destination>,
    dlen: usize,
) -> Result<Destination, MsgError> {
    if dlen > TIPC_MAX_USER_MSG_SIZE {
        return Err(MsgError::MsgSize);
    }
    match name {
        Some(bytes) => SockaddrTipc::parse(bytes)
            .as_ref()
            .and_then(Destination::from_sockaddr)
            .ok_or(MsgError::Invalid),
        None => peer.ok_or(MsgError::DestAddrRequired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `sockaddr_tipc` with these fields, as bytes.
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
    fn each_address_type() {
        let b = sa(AF_TIPC, TIPC_SERVICE_ADDR, [1000, 5, 0x0100_1001]);
        assert_eq!(
            send_destination(Some(&b), None, 10),
            Ok(Destination::Service {
                ty: 1000,
                instance: 5,
                domain: 0x0100_1001
            })
        );
        let b = sa(AF_TIPC, TIPC_SERVICE_RANGE, [1000, 5, 5]);
        assert_eq!(
            send_destination(Some(&b), None, 0),
            Ok(Destination::Range(ServiceRange {
                ty: 1000,
                lower: 5,
                upper: 5
            }))
        );
        let b = sa(AF_TIPC, TIPC_SOCKET_ADDR, [77, 0, 9]);
        assert_eq!(
            send_destination(Some(&b), None, 0),
            Ok(Destination::Socket(SocketAddr { port: 77, node: 0 }))
        );
    }

    #[test]
    fn malformed_names_are_einval() {
        let good = sa(AF_TIPC, TIPC_SOCKET_ADDR, [77, 0, 0]);
        assert_eq!(
            send_destination(Some(&good[..15]), None, 0),
            Err(MsgError::Invalid)
        );
        assert_eq!(send_destination(Some(&[]), None, 0), Err(MsgError::Invalid));
        let mut long = [0u8; 20];
        long[..16].copy_from_slice(&good);
        assert!(send_destination(Some(&long), None, 0).is_ok());
        for bad in [
            sa(0, TIPC_SOCKET_ADDR, [77, 0, 0]),
            sa(AF_TIPC, 0, [77, 0, 0]),
            sa(AF_TIPC, 4, [77, 0, 0]),
            sa(AF_TIPC, TIPC_SERVICE_RANGE, [1000, 6, 5]),
        ] {
            assert_eq!(
                send_destination(Some(&bad), None, 0),
                Err(MsgError::Invalid)
            );
        }
    }

    #[test]
    fn no_name_takes_the_peer_or_is_edestaddrreq() {
        assert_eq!(
            send_destination(None, None, 1),
            Err(MsgError::DestAddrRequired)
        );
        let peer = Destination::Socket(SocketAddr { port: 3, node: 0 });
        assert_eq!(send_destination(None, Some(peer), 1), Ok(peer));
        let named = sa(AF_TIPC, TIPC_SOCKET_ADDR, [4, 0, 0]);
        assert_eq!(
            send_destination(Some(&named), Some(peer), 1),
            Ok(Destination::Socket(SocketAddr { port: 4, node: 0 }))
        );
    }

    #[test]
    fn size_is_checked_first() {
        let bad = sa(0, 0, [0; 3]);
        assert!(send_destination(None, None, TIPC_MAX_USER_MSG_SIZE).is_err());
        assert_eq!(
            send_destination(None, None, TIPC_MAX_USER_MSG_SIZE),
            Err(MsgError::DestAddrRequired)
        );
        assert_eq!(
            send_destination(Some(&bad), None, TIPC_MAX_USER_MSG_SIZE + 1),
            Err(MsgError::MsgSize)
        );
        assert_eq!(
            send_destination(None, None, usize::MAX),
            Err(MsgError::MsgSize)
        );
    }
}
