// SPDX-License-Identifier: GPL-2.0

//! Bearer names: "<media>:<interface>", e.g. "eth:eth0" or "udp:bearer1"
//! (`bearer_name_validate`).

/// `TIPC_MAX_BEARER_NAME`: a name and its NUL.
pub(crate) const MAX_BEARER_NAME: usize = 32;
/// `TIPC_MAX_MEDIA_NAME`.
pub(crate) const MAX_MEDIA_NAME: usize = 16;
/// `TIPC_MAX_IF_NAME`: an interface name and its NUL.
pub(crate) const MAX_IF_NAME: usize = 16;

/// A valid bearer name.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct BearerName {
    bytes: [u8; MAX_BEARER_NAME],
    len: u8,
    colon: u8,
}

impl BearerName {
    /// Checks `name` (the bytes before any NUL) as C does: shorter than 32 bytes, a colon,
    /// a media name of 1 to 15 bytes before it and an interface name of 1 to 15 after it.
    pub(crate) fn parse(name: &[u8]) -> Option<Self> {
        let name = name.split(|&b| b == 0).next().unwrap_or(&[]);
        if name.len() >= MAX_BEARER_NAME {
            return None;
        }
        let colon = name.iter().position(|&b| b == b':')?;
        let if_len = name.len() - colon - 1;
        if colon == 0 || colon >= MAX_MEDIA_NAME || if_len == 0 || if_len >= MAX_IF_NAME {
            return None;
        }
        let mut bytes = [0; MAX_BEARER_NAME];
        bytes[..name.len()].copy_from_slice(name);
        Some(Self {
            bytes,
            len: name.len() as u8,
            colon: colon as u8,
        })
    }

    /// The whole name.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The media part.
    pub(crate) fn media_name(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.colon)).unwrap_or(&[])
    }

    /// The interface part (the device for Ethernet, any name for UDP).
    pub(crate) fn if_name(&self) -> &[u8] {
        let start = usize::from(self.colon) + 1;
        self.bytes.get(start..usize::from(self.len)).unwrap_or(&[])
    }

    /// The interface part NUL-padded to 16 bytes, as `RESET` and `ACTIVATE` carry it.
    pub(crate) fn if_name_field(&self) -> [u8; MAX_IF_NAME] {
        let mut f = [0; MAX_IF_NAME];
        let n = self.if_name().len().min(MAX_IF_NAME - 1);
        f[..n].copy_from_slice(self.if_name().get(..n).unwrap_or(&[]));
        f
    }
}
