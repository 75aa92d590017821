// SPDX-License-Identifier: GPL-2.0

//! Packets the cluster asks the glue to send: a message representation, emitted into the
//! glue's buffer when it polls, the bearer and where on it.

use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::BearerId;
use crate::proto::wire::discovery::DiscoveryRepr;
use crate::proto::wire::error::Result;
use crate::proto::wire::link_proto::LinkProtoRepr;

/// The largest packet the cluster sends: a discovery message with its identity.
pub(crate) const MAX_PACKET: usize = 76;

/// Where a packet goes on its bearer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dest {
    /// The bearer's broadcast address (Ethernet broadcast, UDP multicast group or every
    /// configured remote).
    Broadcast,
    /// One peer.
    Peer(MediaAddr),
}

/// A message to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Message {
    /// `LINK_CONFIG`.
    Discovery(DiscoveryRepr),
    /// `LINK_PROTOCOL`.
    Link(LinkProtoRepr<'static>),
}

impl Message {
    /// Writes the message into `buf` (at least [`MAX_PACKET`] bytes); returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Self::Discovery(d) => d.emit(buf),
            Self::Link(l) => l.emit(buf),
        }
    }
}

/// A packet to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Transmit {
    /// The bearer.
    pub(crate) bearer: BearerId,
    /// Where.
    pub(crate) dest: Dest,
    /// What.
    pub(crate) msg: Message,
}
