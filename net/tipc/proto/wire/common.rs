// SPDX-License-Identifier: GPL-2.0

//! The link-level fields that most users share: word 0's flags, the broadcast and link
//! acknowledges and sequence number that the sending link writes into every packet, and the
//! previous node.

use super::consts::User;
use super::error::{Error, Result};
use super::header::{Flags, Packet};

/// Checks that a packet belongs to internal user `user` and has the header size that user's
/// messages have, the first checks of every internal user's parser.
pub(crate) fn expect_user<T: AsRef<[u8]>>(
    p: &Packet<T>,
    user: User,
    header_len: usize,
) -> Result<()> {
    if p.user() != Some(user) {
        return Err(Error::WrongUser);
    }
    if p.header_len() != header_len {
        return Err(Error::BadHeaderSize);
    }
    Ok(())
}

/// Words 0 to 3 less user, type, sizes and the user-specific bits of word 1.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct Common {
    /// Word 0 flags.
    pub(crate) flags: Flags,
    /// Last broadcast packet acknowledged (word 1, bits 0-15).
    pub(crate) bcast_ack: u16,
    /// Last link packet acknowledged (word 2, bits 16-31).
    pub(crate) ack: u16,
    /// Link sequence number (word 2, bits 0-15).
    pub(crate) seqno: u16,
    /// Node that sent the packet on the link (word 3).
    pub(crate) prevnode: u32,
}

impl Common {
    /// Reads the shared fields.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Self {
        Self {
            flags: p.flags(),
            bcast_ack: p.bcast_ack(),
            ack: p.ack(),
            seqno: p.seqno(),
            prevnode: p.prevnode(),
        }
    }

    /// Writes the shared fields.
    pub(crate) fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, p: &mut Packet<T>) {
        p.set_flags(self.flags);
        p.set_bcast_ack(self.bcast_ack);
        p.set_ack(self.ack);
        p.set_seqno(self.seqno);
        p.set_prevnode(self.prevnode);
    }
}

/// Words 4 to 7 of a message between two sockets: the connection manager, group protocol and
/// node-internal users.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub(crate) struct Ports {
    /// Originating socket (word 4).
    pub(crate) origport: u32,
    /// Destination socket (word 5).
    pub(crate) destport: u32,
    /// Originating node (word 6).
    pub(crate) orignode: u32,
    /// Destination node (word 7).
    pub(crate) destnode: u32,
}

impl Ports {
    /// Reads words 4 to 7.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Self {
        Self {
            origport: p.word(4),
            destport: p.word(5),
            orignode: p.word(6),
            destnode: p.word(7),
        }
    }

    /// Writes words 4 to 7.
    pub(crate) fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, p: &mut Packet<T>) {
        p.set_origport(self.origport);
        p.set_destport(self.destport);
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
    }
}

/// Word 5 of an internal message that may travel on the broadcast link: the bearer writes the
/// network id there on broadcast (`non_seq`); on a unicast link bit 14 says the broadcast
/// acknowledge is not valid.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum BcastWord {
    /// Sent on a unicast link: whether `bcast_ack` is invalid.
    Unicast {
        /// `bc_ack_invalid`, bit 14.
        bc_ack_invalid: bool,
    },
    /// Sent by broadcast: the network id.
    NetId(u32),
}

impl Default for BcastWord {
    fn default() -> Self {
        Self::Unicast {
            bc_ack_invalid: false,
        }
    }
}

impl BcastWord {
    /// Reads word 5, as `non_seq` says.
    pub(crate) fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Self {
        if p.flags().non_seq {
            Self::NetId(p.word(5))
        } else {
            Self::Unicast {
                bc_ack_invalid: p.bits(5, 14, 1) != 0,
            }
        }
    }

    /// Writes word 5.
    pub(crate) fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, p: &mut Packet<T>) {
        match *self {
            Self::Unicast { bc_ack_invalid } => p.set_word(5, u32::from(bc_ack_invalid) << 14),
            Self::NetId(id) => p.set_word(5, id),
        }
    }
}
