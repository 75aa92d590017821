// SPDX-License-Identifier: GPL-2.0

//! Packets the cluster asks the glue to send: a message representation, emitted into the
//! glue's buffer when it polls, or a data packet as the buffer the link holds; the bearer
//! and where on it. And messages the links took for this node.

use crate::proto::bearer::media_addr::MediaAddr;
use crate::proto::bearer::BearerId;
use crate::proto::link::proto_msg::{ProtoMsg, MAX_PROTO_MSG};
use crate::proto::wire::consts::User;
use crate::proto::wire::discovery::DiscoveryRepr;
use crate::proto::wire::error::{Error, Result};

/// The largest packet the cluster emits: a `STATE` with all its Gap ACK blocks (a discovery
/// message with its identity is 76 bytes).
pub(crate) const MAX_PACKET: usize = MAX_PROTO_MSG;

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
#[derive(Clone, PartialEq, Eq, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "a STATE carries its Gap ACK blocks; boxing them would allocate per message"
)]
pub(crate) enum Message<B> {
    /// `LINK_CONFIG`.
    Discovery(DiscoveryRepr),
    /// `LINK_PROTOCOL`.
    Link(ProtoMsg),
    /// A packet in the link's sequence (data, fragment, ...): sent as it is.
    Data(B),
}

impl<B> Message<B> {
    /// Writes a discovery or link protocol message into `buf` (at least [`MAX_PACKET`]
    /// bytes); returns its length. A [`Message::Data`] packet is not emitted: the glue
    /// sends its buffer (`BufferTooSmall`).
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Self::Discovery(d) => d.emit(buf),
            Self::Link(l) => l.emit(buf),
            Self::Data(_) => Err(Error::BufferTooSmall),
        }
    }
}

/// A message a link took for this node, in its link's order.
#[derive(Debug)]
pub(crate) struct Delivery<B> {
    /// The peer it came from.
    pub(crate) peer: u32,
    /// Its user: data (`Low` to `Critical`), `ConnManager`, `NameDistributor` (for the
    /// name table), or `MsgBundler` (the glue delivers each message inside). A reassembled message is its own user.
    pub(crate) user: User,
    /// The message.
    pub(crate) buf: B,
}

/// A packet to send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Transmit<B> {
    /// The bearer.
    pub(crate) bearer: BearerId,
    /// Where.
    pub(crate) dest: Dest,
    /// What.
    pub(crate) msg: Message<B>,
}
