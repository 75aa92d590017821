// SPDX-License-Identifier: GPL-2.0

//! Link names: "<own>:<interface>-<peer>:<peer's interface>", the peer's interface
//! "unknown" until its `RESET` or `ACTIVATE` names it (`tipc_link_create`).

use core::fmt::Write;

use crate::proto::bearer::name::MAX_IF_NAME;
use crate::proto::node::identity::IdStr;

/// `TIPC_MAX_LINK_NAME`: a name and its NUL.
pub(crate) const MAX_LINK_NAME: usize = 68;

/// A link's name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LinkName {
    bytes: [u8; MAX_LINK_NAME],
    len: u8,
    /// Where the peer's interface name starts.
    peer_if: u8,
}

impl LinkName {
    /// The name of a new link from `own` over interface `if_name` to `peer`.
    pub(crate) fn new(own: &IdStr, if_name: &[u8], peer: &IdStr) -> Self {
        let mut n = Self {
            bytes: [0; MAX_LINK_NAME],
            len: 0,
            peer_if: 0,
        };
        // The parts are at most 32 + 15 + 32 bytes with the separators: they fit.
        n.push(own.as_bytes());
        n.push(b":");
        n.push(if_name);
        n.push(b"-");
        n.push(peer.as_bytes());
        n.push(b":");
        n.peer_if = n.len;
        n.push(b"unknown");
        n
    }

    fn push(&mut self, b: &[u8]) {
        let at = usize::from(self.len);
        let n = b.len().min(MAX_LINK_NAME - 1 - at);
        if let (Some(dst), Some(src)) = (self.bytes.get_mut(at..at + n), b.get(..n)) {
            dst.copy_from_slice(src);
            self.len += n as u8;
        }
    }

    /// Puts the peer's interface name (up to its first NUL, at most 15 bytes) in place of
    /// the last part.
    pub(crate) fn set_peer_if(&mut self, field: &[u8; MAX_IF_NAME]) {
        let n = field
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(MAX_IF_NAME - 1)
            .min(MAX_IF_NAME - 1);
        self.len = self.peer_if;
        self.push(field.get(..n).unwrap_or(&[]));
    }

    /// The name.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl core::fmt::Display for LinkName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for &b in self.as_bytes() {
            f.write_char(char::from(b))?;
        }
        Ok(())
    }
}
