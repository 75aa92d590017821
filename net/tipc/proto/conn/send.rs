// SPDX-License-Identifier: GPL-2.0

//! `sendmsg(2)` on a connection socket (`tipc_send_packet`, `tipc_sendstream`,
//! `__tipc_sendstream`, and `__tipc_sendmsg` for a SYN).
//!
//! An open socket given an address sets the connection up with the data in its SYN. Else
//! the data goes out in messages of at most `TIPC_MAX_USER_MSG_SIZE` bytes (one for
//! `SOCK_SEQPACKET`, which refuses more), each sent only while the window is open; on a
//! stream, small ones may be bundled by [`super::nagle`]. The call returns the bytes sent
//! if any, else the error.

use crate::kalloc::Flags;
use crate::proto::errno::Errno;
use crate::proto::msg::dest::{Destination, TIPC_MAX_USER_MSG_SIZE};
use crate::proto::msg::header::Sender;
use crate::proto::name_table::bind::SockaddrTipc;
use crate::proto::wire::consts::SHORT_H_SIZE;

use super::ctrl::data_header;
use super::effects::Backlog;
use super::flow::blocks;
use super::machine::Conn;
use super::nagle::Appended;
use super::state::State;

/// How a send proceeds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendPlan {
    /// Set the connection up: send the data in a SYN to `dest` as `connect(2)` does (see
    /// [`super::setup::Connect::Syn`]; a service range is multicast instead, the SYN bit set
    /// and the socket left open, as in C), then [`Conn::syn_sent`]. The result is the
    /// data's length; a blocking send with data first waits for the setup as `connect(2)`
    /// does, ignoring the outcome.
    Syn(Destination),
    /// Send on the connection: loop [`Conn::send_wait`], [`Conn::next_chunk`], then
    /// [`Conn::commit_message`] or [`Conn::append`], until all is sent or an error stops it.
    Connected,
}

/// The next piece of a send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Chunk {
    /// A message of its own: write this header then `len` data bytes, and call
    /// [`Conn::commit_message`] once it is built.
    Message {
        /// The data bytes.
        len: usize,
        /// Its header.
        header: [u8; SHORT_H_SIZE],
    },
    /// Copy `len` data bytes and give them to [`Conn::append`].
    Bundle {
        /// The data bytes.
        len: usize,
    },
}

impl Conn {
    /// The checks of a send of `dlen` bytes with `msg_name` `name` (`None` when NULL) on a
    /// socket that has (`published`) or has not bound names.
    ///
    /// `SOCK_SEQPACKET` refuses more than `TIPC_MAX_USER_MSG_SIZE` bytes first, a stream
    /// more than `INT_MAX`, with `EMSGSIZE`. A name matters only on an open socket: then
    /// more than `TIPC_MAX_USER_MSG_SIZE` bytes is `EMSGSIZE`, a malformed address
    /// `EINVAL`, bound names `EOPNOTSUPP`; elsewhere it is ignored.
    pub(crate) fn send_begin(
        &self,
        name: Option<&[u8]>,
        dlen: usize,
        published: bool,
    ) -> Result<SendPlan, Errno> {
        let max = if self.stream {
            i32::MAX as usize
        } else {
            TIPC_MAX_USER_MSG_SIZE
        };
        if dlen > max {
            return Err(Errno::EMSGSIZE);
        }
        let Some(name) = name.filter(|_| self.state == State::Open) else {
            return Ok(SendPlan::Connected);
        };
        if dlen > TIPC_MAX_USER_MSG_SIZE {
            return Err(Errno::EMSGSIZE);
        }
        let dest = SockaddrTipc::parse(name)
            .as_ref()
            .and_then(Destination::from_sockaddr)
            .ok_or(Errno::EINVAL)?;
        if published {
            return Err(Errno::EOPNOTSUPP);
        }
        Ok(SendPlan::Syn(dest))
    }

    /// The next piece of a send with `remaining` bytes left (at least one piece, even for
    /// an empty send), from `sender`: at most `TIPC_MAX_USER_MSG_SIZE` bytes; bundled when
    /// Nagle says so. Call it only after [`Conn::send_wait`] said ready.
    pub(crate) fn next_chunk(&mut self, remaining: usize, sender: &Sender) -> Chunk {
        let len = remaining.min(TIPC_MAX_USER_MSG_SIZE);
        if self.nagle.bundles(len) {
            Chunk::Bundle { len }
        } else {
            Chunk::Message {
                len,
                header: data_header(sender, self.peer, len),
            }
        }
    }

    /// A [`Chunk::Message`] of `len` data bytes is built: it counts against the window with
    /// the held bundles, which are returned to be sent before it. (A message that could not
    /// be built ends the send without this call.)
    pub(crate) fn commit_message(&mut self, len: usize) -> Backlog {
        let (held, held_blocks) = self.nagle.take();
        self.flow
            .sent(held_blocks.wrapping_add(blocks(len + SHORT_H_SIZE)));
        held
    }

    /// The `data` of a [`Chunk::Bundle`], from `sender`, allocating with `flags`: returns
    /// the bundles to send now, or none when they are held (the send is then complete).
    /// Allocation failure is `ENOMEM`.
    pub(crate) fn append(
        &mut self,
        data: &[u8],
        sender: &Sender,
        flags: Flags,
    ) -> Result<Option<Backlog>, Errno> {
        let header = data_header(sender, self.peer, 0);
        match self.nagle.append(data, &header, flags)? {
            Appended::Held => Ok(None),
            Appended::Flush { msgs, blocks } => {
                self.flow.sent(blocks);
                Ok(Some(msgs))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::name_table::addr::SocketAddr;
    use crate::proto::name_table::bind::{TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR};
    use crate::proto::sock_kind::SockKind;
    use crate::proto::sockopt::SockOpts;
    use crate::proto::wire::header::Packet;
    use crate::proto::AF_TIPC;

    /// This node.
    const NODE: u32 = 0x0100_1001;

    /// A connected pair of `kind`, ports 1 and 2.
    fn pair(kind: SockKind) -> (Conn, Conn) {
        Conn::pair(kind, 1, 2, NODE, 0).unwrap()
    }

    /// Socket 1's sender part.
    fn sender() -> Sender {
        Sender::new(1, NODE, &SockOpts::new(SockKind::Stream))
    }

    /// An address of `addrtype` as bytes: socket `<2:NODE>` or range `{2, 3, NODE}`.
    fn name(addrtype: u8) -> [u8; 16] {
        SockaddrTipc {
            family: AF_TIPC,
            addrtype,
            scope: 0,
            words: [
                2,
                if addrtype == TIPC_SOCKET_ADDR {
                    NODE
                } else {
                    3
                },
                NODE,
            ],
        }
        .to_bytes()
    }

    #[test]
    fn sizes() {
        let (seq, _) = pair(SockKind::SeqPacket);
        assert_eq!(seq.send_begin(None, 66001, false), Err(Errno::EMSGSIZE));
        assert_eq!(seq.send_begin(None, 66000, false), Ok(SendPlan::Connected));
        let (st, _) = pair(SockKind::Stream);
        assert_eq!(st.send_begin(None, 1 << 30, false), Ok(SendPlan::Connected));
        assert_eq!(st.send_begin(None, 1 << 31, false), Err(Errno::EMSGSIZE));
    }

    #[test]
    fn implicit_setup_on_open_sockets_only() {
        let open = Conn::new(SockKind::Stream, 1).unwrap();
        let n = name(TIPC_SOCKET_ADDR);
        assert_eq!(
            open.send_begin(Some(&n), 10, false),
            Ok(SendPlan::Syn(Destination::Socket(SocketAddr {
                port: 2,
                node: NODE
            })))
        );
        assert_eq!(
            open.send_begin(Some(&n), 66001, false),
            Err(Errno::EMSGSIZE)
        );
        assert_eq!(
            open.send_begin(Some(&n[..15]), 1, false),
            Err(Errno::EINVAL)
        );
        assert_eq!(open.send_begin(Some(&n), 1, true), Err(Errno::EOPNOTSUPP));
        assert!(matches!(
            open.send_begin(Some(&name(TIPC_SERVICE_RANGE)), 1, false),
            Ok(SendPlan::Syn(Destination::Range(_)))
        ));
        assert_eq!(open.send_begin(None, 1, false), Ok(SendPlan::Connected));
        let (est, _) = pair(SockKind::Stream);
        assert_eq!(
            est.send_begin(Some(&[0; 3]), 1, true),
            Ok(SendPlan::Connected)
        );
    }

    #[test]
    fn stream_segments_and_window() {
        let (mut a, _) = pair(SockKind::Stream);
        a.set_nodelay(true);
        let mut left = 200_000usize;
        let mut sizes = std::vec::Vec::new();
        while left > 0 {
            let Chunk::Message { len, header } = a.next_chunk(left, &sender()) else {
                panic!("no bundles with TIPC_NODELAY");
            };
            assert_eq!(Packet::new_unchecked(&header[..]).total_len(), len + 24);
            assert!(a.commit_message(len).is_empty());
            sizes.push(len);
            left -= len;
        }
        assert_eq!(sizes, [66000, 66000, 66000, 2000]);
        assert_eq!(a.flow.unacked(), 65 * 3 + 2);
        assert!(a.congested());
    }

    #[test]
    fn empty_send_is_one_empty_message() {
        let (mut a, _) = pair(SockKind::SeqPacket);
        assert!(matches!(
            a.next_chunk(0, &sender()),
            Chunk::Message { len: 0, .. }
        ));
        let _ = a.commit_message(0);
        assert_eq!(a.flow.unacked(), 1);
    }

    #[test]
    fn small_stream_sends_bundle_after_four_one_way_sends() {
        let (mut a, _) = pair(SockKind::Stream);
        for _ in 0..4 {
            assert!(matches!(a.next_chunk(10, &sender()), Chunk::Message { .. }));
            let _ = a.commit_message(10);
        }
        assert_eq!(a.next_chunk(10, &sender()), Chunk::Bundle { len: 10 });
        let first = a.append(&[1; 10], &sender(), GFP_KERNEL).unwrap().unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(a.next_chunk(10, &sender()), Chunk::Bundle { len: 10 });
        assert!(a.append(&[2; 10], &sender(), GFP_KERNEL).unwrap().is_none());
        let Chunk::Message { .. } = a.next_chunk(5000, &sender()) else {
            panic!("too big to bundle");
        };
        let held = a.commit_message(5000);
        assert_eq!(held.len(), 1, "the held bundle goes first");
        assert_eq!(a.flow.unacked(), 4 + 1 + 1 + 5);
    }
}
