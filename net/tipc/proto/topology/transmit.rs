// SPDX-License-Identifier: GPL-2.0

//! A message the topology server asks the glue to send, in the order it asked.

use crate::kalloc::KVec;
use crate::proto::conn::ctrl::CtrlMsg;
use crate::proto::wire::consts::SHORT_H_SIZE;

use super::subscriber::EVENT_MSG_LEN;

/// A whole message, ready to send.
#[derive(Debug)]
pub(crate) enum Transmit {
    /// An event on a subscriber's connection.
    Event([u8; EVENT_MSG_LEN]),
    /// The empty message that accepts a connection.
    Accept([u8; SHORT_H_SIZE]),
    /// A connection control message: an acknowledgement, a probe reply, a FIN.
    Ctrl(CtrlMsg),
    /// A message the server refused, going back to its sender.
    Returned(KVec<u8>),
}

impl Transmit {
    /// The message's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Self::Event(b) => b,
            Self::Accept(b) => b,
            Self::Ctrl(m) => m.bytes(),
            Self::Returned(v) => v,
        }
    }
}
