// SPDX-License-Identifier: GPL-2.0

//! `recvmsg(2)` on a connection socket (`tipc_recvmsg` for `SOCK_SEQPACKET`,
//! `tipc_recvstream` for `SOCK_STREAM`) and the acknowledgements reading earns the sender.
//!
//! Both start with [`Conn::recv_check`], then for each queue head ask
//! [`Conn::recv_wait`] (with `first` set on each new head, cleared after a sleep). A
//! `SOCK_SEQPACKET` read takes one message as [`seqpacket_step`] says; a stream read takes
//! messages as [`stream_step`] says while [`stream_more`] holds. Each message removed after
//! being read (not one skipped as empty) goes to [`Conn::consumed`], which may return an
//! acknowledgement to send. Where a step collects metadata, the glue fills `msg_name` and
//! the ancillary data of [`crate::proto::msg`] first.
//!
//! A message with an error code is the connection's end: `TIPC_CONN_SHUTDOWN` (the peer's
//! `shutdown(2)`) reads as end of file, 0; any other (the peer's `close(2)`, a lost peer, a
//! refused setup) is `ECONNRESET` and stays queued, unless the reader asked for ancillary
//! data, which then carries the error code and it reads as 0.

use core::ops::Range;

use crate::proto::errno::Errno;
use crate::proto::msg::recv::{recv_step, RecvStep, MSG_PEEK};
use crate::proto::wire::consts::ErrorCode;
use crate::proto::wire::header::Packet;

use super::ctrl::{ack, CtrlMsg};
use super::machine::Conn;
use super::state::State;

/// `MSG_WAITALL`: a stream read waits for the whole buffer.
pub(crate) const MSG_WAITALL: u32 = 0x100;

/// Whether error code `err` reads as `ECONNRESET`: anything but the peer's
/// `shutdown(2)`, for a reader without a control buffer.
fn resets(err: u32, has_control: bool) -> bool {
    err != ErrorCode::ConnShutdown.bits() && !has_control
}

/// One `SOCK_SEQPACKET` read of message `msg` as [`recv_step`] plans it for connectionless
/// sockets, except that a message with an error code other than `TIPC_CONN_SHUTDOWN` is
/// `ECONNRESET` and stays queued when the reader gave no control buffer (`has_control`).
pub(crate) fn seqpacket_step(
    msg: &[u8],
    bytes_read: usize,
    buflen: usize,
    flags: u32,
    has_control: bool,
) -> Result<RecvStep, Errno> {
    let step = recv_step(msg, bytes_read, buflen, flags);
    if let RecvStep::Read(_) = step {
        let err = Packet::new_unchecked(msg).errcode();
        if err != 0 && resets(err, has_control) {
            return Err(Errno::ECONNRESET);
        }
    }
    Ok(step)
}

/// How much a stream read must copy before it stops waiting (`sock_rcvlowat`): the whole
/// buffer with [`MSG_WAITALL`], else `SO_RCVLOWAT` bounded by the buffer; at least 1.
pub(crate) fn stream_required(buflen: usize, flags: u32, rcvlowat: usize) -> usize {
    let v = if flags & MSG_WAITALL != 0 {
        buflen
    } else {
        rcvlowat.min(buflen)
    };
    v.max(1)
}

/// Whether a stream read goes on after a message: while messages are queued, or less
/// than `required` was copied (then it waits).
pub(crate) fn stream_more(queue_empty: bool, copied: usize, required: usize) -> bool {
    !queue_empty || copied < required
}

/// What a stream read does with the queue head.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum StreamStep {
    /// Empty and without error (a SYN's or ACK's leftovers): free it, go on.
    Discard,
    /// Read it.
    Read(StreamRead),
}

/// How a stream read takes one message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct StreamRead {
    /// Fill `msg_name` and ancillary data from it first (nothing copied yet).
    pub(crate) collect_meta: bool,
    /// The bytes of the message to copy after what was copied, in order.
    pub(crate) copy: Range<usize>,
    /// The offset to keep with the message, which stays queued partly read.
    pub(crate) keep_offset: Option<usize>,
    /// Remove it and count it with [`Conn::consumed`].
    pub(crate) consume: bool,
    /// The call's error, if nothing was copied (else the bytes copied are the result).
    pub(crate) error: Option<Errno>,
    /// Stop after this message.
    pub(crate) stop: bool,
}

/// Plans reading message `msg`, of which `bytes_read` data bytes were read before, in a
/// stream read that copied `copied` bytes so far into a buffer of `buflen`, with
/// `recvmsg(2)` flags `flags` and a control buffer or not (`has_control`).
///
/// Data is copied up to the buffer's end; a message not read to its end stays queued with
/// its offset (unchanged when peeking) and ends the read. An error message ends the read:
/// unread when something was copied or it resets; else (end of file) it is removed and
/// the read returns 0. A peek ends after its first message. A whole message is removed,
/// and the read stops when the buffer is full.
pub(crate) fn stream_step(
    msg: &[u8],
    bytes_read: usize,
    copied: usize,
    buflen: usize,
    flags: u32,
    has_control: bool,
) -> StreamStep {
    let Ok(p) = Packet::new_checked(msg) else {
        return StreamStep::Discard;
    };
    let (hlen, dlen, err) = (p.header_len(), p.payload_len(), p.errcode());
    if dlen == 0 && err == 0 {
        return StreamStep::Discard;
    }
    let peek = flags & MSG_PEEK != 0;
    let mut read = StreamRead {
        collect_meta: copied == 0,
        copy: hlen..hlen,
        keep_offset: None,
        consume: false,
        error: None,
        stop: true,
    };
    if err == 0 {
        let offset = bytes_read.min(dlen);
        let n = (dlen - offset).min(buflen.saturating_sub(copied));
        read.copy = hlen + offset..hlen + offset + n;
        if offset + n < dlen {
            read.keep_offset = (!peek).then_some(offset + n);
            return StreamStep::Read(read);
        }
    } else if copied != 0 || resets(err, has_control) {
        read.error = (copied == 0 && resets(err, has_control)).then_some(Errno::ECONNRESET);
        return StreamStep::Read(read);
    }
    if peek {
        return StreamStep::Read(read);
    }
    read.consume = true;
    read.stop = copied + read.copy.len() == buflen || err != 0;
    StreamStep::Read(read)
}

impl Conn {
    /// The checks `recvmsg(2)` makes first: an empty buffer is `EINVAL`, an open socket
    /// `ENOTCONN` (a listener, or a connection that ended, may still read).
    pub(crate) fn recv_check(&self, buflen: usize) -> Result<(), Errno> {
        if buflen == 0 {
            return Err(Errno::EINVAL);
        }
        if self.state == State::Open {
            return Err(Errno::ENOTCONN);
        }
        Ok(())
    }

    /// A message of `len` bytes (header included) was read and removed: counts it, and
    /// once a quarter of the window is consumed returns the `CONN_ACK` to send, from this
    /// node `own_node`, advertising a window from the receive buffer `rcvbuf` (only while
    /// established).
    pub(crate) fn consumed(&mut self, len: usize, rcvbuf: u32, own_node: u32) -> Option<CtrlMsg> {
        if !self.flow.consumed(len) || self.state != State::Established {
            return None;
        }
        let fields = self.flow.take_ack(rcvbuf);
        Some(ack(own_node, self.port, self.peer, fields, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::msg::recv::{RecvPlan, MSG_EOR, MSG_TRUNC};
    use crate::proto::sock_kind::SockKind;
    use crate::proto::wire::conn_mgr::{ConnMgrRepr, ConnMsgType};
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::start;

    /// A connection message of `dlen` bytes (byte i is i) with error code `err`.
    fn msg(dlen: usize, err: ErrorCode) -> std::vec::Vec<u8> {
        let mut b = std::vec![0u8; 24 + dlen];
        start(&mut b, User::Low, DataType::Conn.bits(), 24, dlen).unwrap();
        Packet::new_unchecked(&mut b[..]).set_errcode(err.bits());
        for (i, x) in b[24..].iter_mut().enumerate() {
            *x = i as u8;
        }
        b
    }

    /// The read of a stream step.
    fn read(s: StreamStep) -> StreamRead {
        match s {
            StreamStep::Read(r) => r,
            StreamStep::Discard => panic!("discarded"),
        }
    }

    #[test]
    fn first_checks() {
        let open = Conn::new(SockKind::Stream, 1).unwrap();
        assert_eq!(open.recv_check(0), Err(Errno::EINVAL));
        assert_eq!(open.recv_check(1), Err(Errno::ENOTCONN));
        let (c, _) = Conn::pair(SockKind::SeqPacket, 1, 2, 7, 0).unwrap();
        assert_eq!(c.recv_check(1), Ok(()));
    }

    #[test]
    fn seqpacket_reads_like_connectionless_but_resets() {
        let m = msg(10, ErrorCode::Ok);
        assert_eq!(
            seqpacket_step(&m, 0, 4, 0, false),
            Ok(RecvStep::Read(RecvPlan {
                copy: 24..28,
                msg_flags: MSG_TRUNC,
                bytes_read: 0,
                consume: true
            }))
        );
        assert!(matches!(
            seqpacket_step(&m, 0, 100, MSG_EOR, false),
            Ok(RecvStep::Read(RecvPlan {
                msg_flags: MSG_EOR,
                ..
            }))
        ));
        let fin = msg(0, ErrorCode::ConnShutdown);
        assert!(matches!(
            seqpacket_step(&fin, 0, 1, 0, false),
            Ok(RecvStep::Read(RecvPlan {
                copy: Range { start: 24, end: 24 },
                consume: true,
                ..
            }))
        ));
        for code in [ErrorCode::NoPort, ErrorCode::Overload, ErrorCode::NoName] {
            let abort = msg(3, code);
            assert_eq!(
                seqpacket_step(&abort, 0, 10, 0, false),
                Err(Errno::ECONNRESET)
            );
            assert!(matches!(
                seqpacket_step(&abort, 0, 10, 0, true),
                Ok(RecvStep::Read(RecvPlan { consume: true, .. }))
            ));
        }
        assert_eq!(
            seqpacket_step(&msg(0, ErrorCode::Ok), 0, 1, 0, false),
            Ok(RecvStep::Discard)
        );
    }

    #[test]
    fn stream_partial_and_whole_reads() {
        let m = msg(10, ErrorCode::Ok);
        let r = read(stream_step(&m, 0, 0, 4, 0, false));
        assert_eq!(
            (r.copy, r.keep_offset, r.consume, r.stop),
            (24..28, Some(4), false, true)
        );
        assert!(r.collect_meta);
        let r = read(stream_step(&m, 4, 0, 100, 0, false));
        assert_eq!(
            (r.copy, r.keep_offset, r.consume, r.stop),
            (28..34, None, true, false)
        );
        let r = read(stream_step(&m, 0, 90, 100, 0, false));
        assert_eq!((r.copy, r.consume, r.stop), (24..34, true, true));
        assert!(!r.collect_meta);
        let r = read(stream_step(&m, 2, 0, 4, MSG_PEEK, false));
        assert_eq!((r.copy, r.keep_offset, r.consume), (26..30, None, false));
        let r = read(stream_step(&m, 0, 0, 100, MSG_PEEK, false));
        assert_eq!((r.copy, r.consume, r.stop), (24..34, false, true));
        assert_eq!(
            stream_step(&msg(0, ErrorCode::Ok), 0, 0, 1, 0, false),
            StreamStep::Discard
        );
    }

    #[test]
    fn stream_end_of_file_and_reset() {
        let fin = msg(0, ErrorCode::ConnShutdown);
        let r = read(stream_step(&fin, 0, 0, 10, 0, false));
        assert_eq!((r.consume, r.stop, r.error), (true, true, None));
        let r = read(stream_step(&fin, 0, 5, 10, 0, false));
        assert_eq!(
            (r.consume, r.stop, r.error),
            (false, true, None),
            "data first"
        );
        let rst = msg(0, ErrorCode::NoPort);
        let r = read(stream_step(&rst, 0, 0, 10, 0, false));
        assert_eq!((r.consume, r.error), (false, Some(Errno::ECONNRESET)));
        let r = read(stream_step(&rst, 0, 3, 10, 0, false));
        assert_eq!((r.consume, r.error), (false, None));
        let r = read(stream_step(&rst, 0, 0, 10, 0, true));
        assert_eq!((r.consume, r.error, r.stop), (true, None, true));
    }

    #[test]
    fn stream_loop_rules() {
        assert_eq!(stream_required(100, 0, 1), 1);
        assert_eq!(stream_required(100, MSG_WAITALL, 1), 100);
        assert_eq!(stream_required(10, 0, 50), 10);
        assert_eq!(stream_required(10, 0, 0), 1);
        assert!(stream_more(false, 100, 1));
        assert!(stream_more(true, 0, 1));
        assert!(!stream_more(true, 1, 1));
    }

    #[test]
    fn acks_at_a_quarter_of_the_window_while_established() {
        let (mut c, _) = Conn::pair(SockKind::Stream, 1, 2, 7, 0).unwrap();
        for _ in 0..31 {
            assert!(c.consumed(1000, 1 << 20, 7).is_none());
        }
        let a = c.consumed(1000, 1 << 20, 7).unwrap();
        let r = ConnMgrRepr::parse(&Packet::new_checked(a.bytes()).unwrap()).unwrap();
        assert_eq!(r.msg_type, ConnMsgType::Ack);
        assert_eq!((r.conn_ack, r.adv_win), (32, 256));
        assert_eq!((r.ports.origport, r.ports.destport), (1, 2));
        assert!(!r.common.flags.src_droppable);
        for _ in 0..63 {
            assert!(c.consumed(0, 1 << 20, 7).is_none());
        }
        assert!(c.consumed(0, 1 << 20, 7).is_some(), "64 blocks is 256 / 4");
    }
}
