// SPDX-License-Identifier: GPL-2.0

//! The UDP media's netlink options (`TIPC_NLA_BEARER_UDP_OPTS`): local and remote addresses as
//! `struct sockaddr_in` or `sockaddr_in6` in a `sockaddr_storage`, read as
//! `tipc_parse_udp_addr` reads them and written as `__tipc_nl_add_udp_addr` writes them; and
//! the replicast list of a UDP bearer whose remote address is not a multicast group.

use super::media_addr::{UdpAddr, ETH_P_IP};
use crate::kalloc::{Flags, KVec};
use crate::proto::errno::Errno;

/// `AF_INET`.
const AF_INET: u16 = 2;
/// `AF_INET6`.
const AF_INET6: u16 = 10;
/// `sizeof(struct sockaddr_in)`.
pub(crate) const SOCKADDR_IN_LEN: usize = 16;
/// `sizeof(struct sockaddr_in6)`.
pub(crate) const SOCKADDR_IN6_LEN: usize = 28;
/// `sizeof(struct sockaddr_storage)`, the longest option C reads.
const SOCKADDR_STORAGE_LEN: usize = 128;

/// An address of the options, and the IPv6 scope id it names (0 for IPv4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OptAddr {
    pub(crate) addr: UdpAddr,
    pub(crate) scope_id: u32,
}

/// Reads a socket address from an option's payload (its missing tail reads as zero, as
/// `nla_memcpy` leaves it). `EADDRNOTAVAIL` for a family other than `AF_INET` and `AF_INET6`.
/// For a local address (`local`), an IPv6 address that needs a scope id (link-local unicast,
/// interface- or link-local multicast) without one is `EINVAL`.
pub(crate) fn parse(payload: &[u8], local: bool) -> Result<OptAddr, Errno> {
    let mut sa = [0u8; SOCKADDR_STORAGE_LEN];
    let n = payload.len().min(sa.len());
    if let (Some(to), Some(from)) = (sa.get_mut(..n), payload.get(..n)) {
        to.copy_from_slice(from);
    }
    let [f0, f1, p0, p1, rest @ ..] = sa;
    let port = u16::from_be_bytes([p0, p1]);
    match u16::from_ne_bytes([f0, f1]) {
        AF_INET => {
            let [a, b, c, d, ..] = rest;
            Ok(OptAddr {
                addr: UdpAddr::v4([a, b, c, d], port),
                scope_id: 0,
            })
        }
        AF_INET6 => {
            let (_flowinfo, tail) = rest.split_at(4);
            let (ip, tail) = tail.split_at(16);
            let mut addr = [0u8; 16];
            addr.copy_from_slice(ip);
            let mut scope = [0u8; 4];
            scope.copy_from_slice(&tail[..4]);
            let scope_id = u32::from_ne_bytes(scope);
            if local && needs_scope_id(&addr) && scope_id == 0 {
                return Err(Errno::EINVAL);
            }
            Ok(OptAddr {
                addr: UdpAddr::v6(addr, port),
                scope_id: if local { scope_id } else { 0 },
            })
        }
        _ => Err(Errno::EADDRNOTAVAIL),
    }
}

/// `__ipv6_addr_needs_scope_id(ipv6_addr_type(addr))`: link-local unicast, and multicast of
/// interface-local or link-local scope.
fn needs_scope_id(addr: &[u8; 16]) -> bool {
    match addr {
        [0xfe, b, ..] => b & 0xc0 == 0x80,
        [0xff, b, ..] => matches!(b & 0x0f, 1 | 2),
        _ => false,
    }
}

/// The `sockaddr_in` or `sockaddr_in6` C writes for `addr`: family, port, address, the rest
/// zero; returns the buffer and the length used.
pub(crate) fn sockaddr(addr: &UdpAddr) -> ([u8; SOCKADDR_IN6_LEN], usize) {
    let mut sa = [0u8; SOCKADDR_IN6_LEN];
    let port = addr.port.to_be_bytes();
    if addr.proto == ETH_P_IP {
        sa[..2].copy_from_slice(&AF_INET.to_ne_bytes());
        sa[2..4].copy_from_slice(&port);
        sa[4..8].copy_from_slice(&addr.ip[..4]);
        (sa, SOCKADDR_IN_LEN)
    } else {
        sa[..2].copy_from_slice(&AF_INET6.to_ne_bytes());
        sa[2..4].copy_from_slice(&port);
        sa[8..24].copy_from_slice(&addr.ip);
        (sa, SOCKADDR_IN6_LEN)
    }
}

/// A UDP bearer's replicast peers (`udp_replicast` list), newest first as C's list is, each
/// with what the glue keeps for it (`T`, its route cache).
pub(crate) struct Remotes<T> {
    list: KVec<(UdpAddr, T)>,
}

impl<T> Remotes<T> {
    /// No peer.
    pub(crate) const fn new() -> Self {
        Self { list: KVec::new() }
    }

    /// Whether `addr` is a peer already (`tipc_udp_rcast_add` then does nothing).
    pub(crate) fn contains(&self, addr: &UdpAddr) -> bool {
        self.list.iter().any(|(a, _)| a == addr)
    }

    /// Adds `addr` in front; `ENOMEM` without memory. The caller checked it is new.
    pub(crate) fn add(&mut self, addr: UdpAddr, value: T, flags: Flags) -> Result<(), Errno> {
        self.list.reserve(1, flags).map_err(|_| Errno::ENOMEM)?;
        self.list
            .insert_within_capacity(0, (addr, value))
            .map_err(|_| Errno::ENOMEM)
    }

    /// The peers, newest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &(UdpAddr, T)> {
        self.list.iter()
    }

    /// Whether there is no peer.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;

    fn sin(port: u16, ip: [u8; 4]) -> KVec<u8> {
        let mut v = KVec::new();
        v.extend_from_slice(&AF_INET.to_ne_bytes(), GFP_KERNEL)
            .unwrap();
        v.extend_from_slice(&port.to_be_bytes(), GFP_KERNEL)
            .unwrap();
        v.extend_from_slice(&ip, GFP_KERNEL).unwrap();
        v.extend_from_slice(&[0; 8], GFP_KERNEL).unwrap();
        v
    }

    fn sin6(port: u16, ip: [u8; 16], scope: u32) -> KVec<u8> {
        let mut v = KVec::new();
        v.extend_from_slice(&AF_INET6.to_ne_bytes(), GFP_KERNEL)
            .unwrap();
        v.extend_from_slice(&port.to_be_bytes(), GFP_KERNEL)
            .unwrap();
        v.extend_from_slice(&[0; 4], GFP_KERNEL).unwrap();
        v.extend_from_slice(&ip, GFP_KERNEL).unwrap();
        v.extend_from_slice(&scope.to_ne_bytes(), GFP_KERNEL)
            .unwrap();
        v
    }

    #[test]
    fn ipv4_round_trips() {
        let a = parse(&sin(6118, [10, 0, 0, 1]), true).unwrap();
        assert_eq!(a.addr, UdpAddr::v4([10, 0, 0, 1], 6118));
        let (sa, len) = sockaddr(&a.addr);
        assert_eq!(&sa[..len], &sin(6118, [10, 0, 0, 1])[..]);
    }

    #[test]
    fn ipv6_round_trips_without_scope() {
        let mut ip = [0u8; 16];
        ip[0] = 0xfd;
        ip[15] = 1;
        let a = parse(&sin6(6118, ip, 0), true).unwrap();
        assert_eq!(a.addr, UdpAddr::v6(ip, 6118));
        let (sa, len) = sockaddr(&a.addr);
        assert_eq!(&sa[..len], &sin6(6118, ip, 0)[..]);
    }

    #[test]
    fn short_payload_reads_as_zero_and_other_families_are_refused() {
        // Family 2, nothing else: 0.0.0.0 port 0.
        let a = parse(&AF_INET.to_ne_bytes(), false).unwrap();
        assert_eq!(a.addr, UdpAddr::v4([0; 4], 0));
        assert_eq!(parse(&[], false), Err(Errno::EADDRNOTAVAIL));
        assert_eq!(parse(&1u16.to_ne_bytes(), true), Err(Errno::EADDRNOTAVAIL));
    }

    #[test]
    fn a_local_link_local_address_needs_a_scope_id() {
        let mut ll = [0u8; 16];
        ll[0] = 0xfe;
        ll[1] = 0x80;
        ll[15] = 2;
        assert_eq!(parse(&sin6(1, ll, 0), true), Err(Errno::EINVAL));
        assert_eq!(parse(&sin6(1, ll, 3), true).unwrap().scope_id, 3);
        // A remote address is read without the rule.
        assert!(parse(&sin6(1, ll, 0), false).is_ok());
        let mut mc = [0u8; 16];
        mc[0] = 0xff;
        mc[1] = 0x02;
        assert_eq!(parse(&sin6(1, mc, 0), true), Err(Errno::EINVAL));
        mc[1] = 0x05;
        assert!(parse(&sin6(1, mc, 0), true).is_ok());
    }

    #[test]
    fn remotes_are_newest_first_and_known_once() {
        let mut r = Remotes::new();
        assert!(r.is_empty());
        let a = UdpAddr::v4([10, 0, 0, 1], 6118);
        let b = UdpAddr::v4([10, 0, 0, 2], 6118);
        r.add(a, 1, GFP_KERNEL).unwrap();
        assert!(r.contains(&a));
        assert!(!r.contains(&b));
        r.add(b, 2, GFP_KERNEL).unwrap();
        let order: KVec<u32> = {
            let mut v = KVec::new();
            for (_, x) in r.iter() {
                v.push(*x, GFP_KERNEL).unwrap();
            }
            v
        };
        assert_eq!(&order[..], &[2, 1]);
    }
}
