// SPDX-License-Identifier: GPL-2.0

//! Node identities: 128 bits, often a printable string, from which the 32-bit node address
//! is derived (`hash128to32`) and which `tipc_nodeid2string` prints.

use core::fmt::Write;

use crate::proto::wire::discovery::NODE_ID_LEN;

/// Characters that keep an identity printable as it is.
fn printable(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b':' | b'_' | b'-' | b'@')
}

/// The bytes of an identity netlink carries as two `u64` attributes (`TIPC_NLA_NET_NODEID`
/// and `TIPC_NLA_NET_NODEID_W1`), each in the host's byte order.
pub(crate) fn netlink_bytes(w0: u64, w1: u64) -> [u8; NODE_ID_LEN] {
    let mut id = [0u8; NODE_ID_LEN];
    let (a, b) = id.split_at_mut(8);
    a.copy_from_slice(&w0.to_ne_bytes());
    b.copy_from_slice(&w1.to_ne_bytes());
    id
}

/// A 128-bit node identity.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct NodeId(pub(crate) [u8; NODE_ID_LEN]);

impl NodeId {
    /// An identity made of `bytes` (at most 16, zero-padded), if it makes one: an identity
    /// whose string is empty (all zero, or starting with a zero byte in a printable one) is
    /// none, as `tipc_own_id` sees it.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut id = [0; NODE_ID_LEN];
        let n = bytes.len().min(NODE_ID_LEN);
        id[..n].copy_from_slice(bytes.get(..n)?);
        let id = Self(id);
        if id.to_str().as_bytes().is_empty() {
            None
        } else {
            Some(id)
        }
    }

    /// The identity of a node whose address was set first: the address in lower-case hex.
    pub(crate) fn from_addr(addr: u32) -> Self {
        let mut s = IdStr::default();
        // At most 8 digits: always fits.
        let _ = write!(s, "{addr:x}");
        let mut id = [0; NODE_ID_LEN];
        id[..s.as_bytes().len()].copy_from_slice(s.as_bytes());
        Self(id)
    }

    /// `hash128to32`: the four big-endian words XORed, or ORed if that is 0.
    pub(crate) fn hash(self) -> u32 {
        let w = |i: usize| {
            let b = self.0.get(i * 4..i * 4 + 4).unwrap_or(&[0; 4]);
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        };
        let x = w(0) ^ w(1) ^ w(2) ^ w(3);
        if x != 0 {
            x
        } else {
            w(0) | w(1) | w(2) | w(3)
        }
    }

    /// `tipc_nodeid2string`: the identity as it is if every byte is printable or zero (up to
    /// the first zero), else 32 hex digits less trailing '0's.
    pub(crate) fn to_str(self) -> IdStr {
        let mut s = IdStr::default();
        if self.0.iter().all(|&c| c == 0 || printable(c)) {
            let n = self.0.iter().position(|&c| c == 0).unwrap_or(NODE_ID_LEN);
            s.bytes[..n].copy_from_slice(&self.0[..n]);
            s.len = n as u8;
            s.printable = true;
            return s;
        }
        for b in self.0 {
            let _ = write!(s, "{b:02x}");
        }
        while s.len > 1 && s.bytes.get(usize::from(s.len) - 1) == Some(&b'0') {
            s.len -= 1;
        }
        s
    }

    /// How links and logs name the node: its identity's string if that is printable or at
    /// most 16 hex digits, else its address in hex (`tipc_link_create`).
    pub(crate) fn link_name_part(self, addr: u32) -> IdStr {
        let s = self.to_str();
        if s.printable || s.len as usize <= NODE_ID_LEN {
            return s;
        }
        let mut a = IdStr::default();
        let _ = write!(a, "{addr:x}");
        a
    }
}

/// An identity's string: at most 32 characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct IdStr {
    bytes: [u8; 2 * NODE_ID_LEN],
    len: u8,
    printable: bool,
}

impl IdStr {
    /// The characters.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl Write for IdStr {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let start = usize::from(self.len);
        let dst = self
            .bytes
            .get_mut(start..start + s.len())
            .ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len += s.len() as u8;
        Ok(())
    }
}
