// SPDX-License-Identifier: GPL-2.0

//! What `recvmsg(2)` on a connectionless socket reads from the message at the head of the
//! receive queue, and what it leaves there (`tipc_recvmsg`).
//!
//! A message may be read in pieces with `MSG_EOR`; the glue keeps the offset reached with
//! the queued message (the C module's `bytes_read`, 0 when it is queued).

use core::ops::Range;

use super::error::MsgError;
use crate::proto::wire::header::Packet;

/// `MSG_PEEK`: read without removing the message.
pub(crate) const MSG_PEEK: u32 = 0x2;
/// `MSG_TRUNC`: in the result, the message did not fit and the rest is lost.
pub(crate) const MSG_TRUNC: u32 = 0x20;
/// `MSG_DONTWAIT`: do not wait for a message (or, sending, for room).
pub(crate) const MSG_DONTWAIT: u32 = 0x40;
/// `MSG_EOR`: asked for, read a message in pieces; in the result, its last piece was read.
pub(crate) const MSG_EOR: u32 = 0x80;

/// The check `recvmsg(2)` makes before taking the socket lock or waiting: an empty buffer
/// is `EINVAL`.
pub(crate) fn check_buffer(buflen: usize) -> Result<(), MsgError> {
    if buflen == 0 {
        return Err(MsgError::Invalid);
    }
    Ok(())
}

/// What to do with the message at the head of the queue.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum RecvStep {
    /// It has neither data nor an error code (or is not a valid message): free it and look
    /// at the next one, waiting if there is none.
    Discard,
    /// Read it.
    Read(RecvPlan),
}

/// How `recvmsg(2)` reads one message. Before copying, the glue fills `msg_name` from
/// [`super::srcaddr`] (if the user gave one) and passes the items of [`super::ancillary`] to
/// `put_cmsg` (if the user gave a control buffer); a failure there is the call's result and
/// leaves the message queued as it was.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct RecvPlan {
    /// The bytes of the message to copy to the user, in order; empty for a returned
    /// message, whose data only goes out as ancillary data. Their count is the call's
    /// result.
    pub(crate) copy: Range<usize>,
    /// Flags to set in the result's `msg_flags`: [`MSG_TRUNC`] or [`MSG_EOR`], or none.
    pub(crate) msg_flags: u32,
    /// The offset to keep with the message for the next read.
    pub(crate) bytes_read: usize,
    /// Whether to remove and free the message afterwards.
    pub(crate) consume: bool,
}

/// Plans reading message `msg`, of which `bytes_read` data bytes were read before, into a
/// buffer of `buflen` bytes with `recvmsg(2)` flags `flags`.
///
/// A returned message (with an error code) copies nothing and returns 0. Otherwise up to
/// `buflen` of the remaining data is copied. If data remains: with [`MSG_EOR`] the offset
/// advances (unless peeking) and the message stays queued; without it the rest is lost,
/// [`MSG_TRUNC`] is reported and the offset goes back to 0, even when peeking. If none
/// remains, [`MSG_EOR`] is reported when asked for. The result is the bytes copied, never
/// the message's full length, whatever the flags. A message is removed once read unless
/// peeking or part of it is left for the next read.
pub(crate) fn recv_step(msg: &[u8], bytes_read: usize, buflen: usize, flags: u32) -> RecvStep {
    let Ok(p) = Packet::new_checked(msg) else {
        return RecvStep::Discard;
    };
    let (hlen, dlen) = (p.header_len(), p.payload_len());
    let peek = flags & MSG_PEEK != 0;
    if p.errcode() != 0 {
        return RecvStep::Read(RecvPlan {
            copy: hlen..hlen,
            msg_flags: 0,
            bytes_read,
            consume: !peek && bytes_read == 0,
        });
    }
    if dlen == 0 {
        return RecvStep::Discard;
    }
    let offset = bytes_read.min(dlen);
    let copied = (dlen - offset).min(buflen);
    let end = offset + copied;
    let (msg_flags, bytes_read) = match (end < dlen, flags & MSG_EOR != 0) {
        (true, true) if peek => (0, bytes_read),
        (true, true) => (0, end),
        (true, false) => (MSG_TRUNC, 0),
        (false, eor) => (if eor { MSG_EOR } else { 0 }, 0),
    };
    RecvStep::Read(RecvPlan {
        copy: hlen + offset..hlen + end,
        msg_flags,
        bytes_read,
        consume: !peek && bytes_read == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::start;

    /// A direct message of `dlen` bytes with error code `err`.
    fn msg(dlen: usize, err: u32) -> std::vec::Vec<u8> {
        let mut b = std::vec![0u8; 32 + dlen];
        start(&mut b, User::Low, DataType::Direct.bits(), 32, dlen).unwrap();
        Packet::new_unchecked(&mut b[..]).set_errcode(err);
        b
    }

    /// The plan, which must be a read.
    fn read(msg: &[u8], bytes_read: usize, buflen: usize, flags: u32) -> RecvPlan {
        match recv_step(msg, bytes_read, buflen, flags) {
            RecvStep::Read(p) => p,
            RecvStep::Discard => panic!("discarded"),
        }
    }

    /// A plan from its parts.
    fn plan(copy: Range<usize>, msg_flags: u32, bytes_read: usize, consume: bool) -> RecvPlan {
        RecvPlan {
            copy,
            msg_flags,
            bytes_read,
            consume,
        }
    }

    #[test]
    fn empty_buffer_is_einval() {
        assert_eq!(check_buffer(0), Err(MsgError::Invalid));
        assert_eq!(check_buffer(1), Ok(()));
    }

    #[test]
    fn whole_message() {
        let m = msg(10, 0);
        assert_eq!(read(&m, 0, 10, 0), plan(32..42, 0, 0, true));
        assert_eq!(read(&m, 0, 100, MSG_EOR), plan(32..42, MSG_EOR, 0, true));
        assert_eq!(read(&m, 0, 100, MSG_PEEK), plan(32..42, 0, 0, false));
    }

    #[test]
    fn truncated() {
        let m = msg(10, 0);
        assert_eq!(read(&m, 0, 4, 0), plan(32..36, MSG_TRUNC, 0, true));
        assert_eq!(read(&m, 0, 4, MSG_TRUNC), plan(32..36, MSG_TRUNC, 0, true));
        assert_eq!(read(&m, 0, 4, MSG_PEEK), plan(32..36, MSG_TRUNC, 0, false));
        assert_eq!(read(&m, 6, 3, MSG_PEEK), plan(38..41, MSG_TRUNC, 0, false));
    }

    #[test]
    fn in_pieces_with_eor() {
        let m = msg(10, 0);
        assert_eq!(read(&m, 0, 4, MSG_EOR), plan(32..36, 0, 4, false));
        assert_eq!(
            read(&m, 4, 4, MSG_EOR | MSG_PEEK),
            plan(36..40, 0, 4, false)
        );
        assert_eq!(read(&m, 4, 4, MSG_EOR), plan(36..40, 0, 8, false));
        assert_eq!(read(&m, 8, 4, MSG_EOR), plan(40..42, MSG_EOR, 0, true));
        assert_eq!(read(&m, 8, 4, 0), plan(40..42, 0, 0, true));
    }

    #[test]
    fn returned_messages_copy_nothing() {
        let m = msg(10, 2);
        assert_eq!(read(&m, 0, 1, 0), plan(32..32, 0, 0, true));
        assert_eq!(read(&m, 0, 1, MSG_PEEK), plan(32..32, 0, 0, false));
        let empty = msg(0, 4);
        assert_eq!(read(&empty, 0, 1, 0), plan(32..32, 0, 0, true));
    }

    #[test]
    fn empty_or_invalid_messages_are_discarded() {
        assert_eq!(recv_step(&msg(0, 0), 0, 10, 0), RecvStep::Discard);
        assert_eq!(recv_step(&msg(0, 0), 0, 10, MSG_PEEK), RecvStep::Discard);
        assert_eq!(recv_step(&[1, 2, 3], 0, 10, 0), RecvStep::Discard);
    }
}
