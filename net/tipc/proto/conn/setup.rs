// SPDX-License-Identifier: GPL-2.0

//! Setting a connection up: `connect(2)` and the SYN, `listen(2)`, `accept(2)` and
//! `socketpair(2)` (`tipc_connect`, `__tipc_sendmsg` with a SYN, `tipc_listen`,
//! `tipc_accept`, `tipc_socketpair`, `tipc_sk_finish_conn`).
//!
//! A connector sends a SYN (a named or direct data message with the SYN bit, maybe with
//! data) to a listener, which queues it; `accept(2)` makes a new socket connected to the
//! SYN's origin, moves the SYN to it if it carries data, and answers with an empty
//! connection message, the ACK, that establishes the connector.

use crate::proto::errno::Errno;
use crate::proto::msg::dest::Destination;
use crate::proto::msg::header::Sender;
use crate::proto::msg::peer::AF_UNSPEC;
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::name_table::bind::{SockaddrTipc, SOCKADDR_TIPC_LEN};
use crate::proto::sock_kind::SockKind;
use crate::proto::sockopt::{ConnTimeout, Importance as SockImportance};
use crate::proto::wire::consts::{DataType, SHORT_H_SIZE};
use crate::proto::wire::header::Packet;

use super::ctrl::{data_header, importance_of};
use super::flow::blocks;
use super::machine::Conn;
use super::state::State;
use super::timer::CONN_PROBING_INTV_MS;

/// What `connect(2)` does after its checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Connect {
    /// Send a SYN to `dest`: resolve it with [`crate::proto::msg::route::resolve`] (its
    /// error, such as `EHOSTUNREACH`, is the call's, the socket staying open), write the
    /// header of [`super::ctrl::syn_header`], send it, keep a copy, call [`Conn::syn_sent`],
    /// then do as `then` says.
    Syn {
        /// Where to.
        dest: Destination,
        /// What follows the SYN.
        then: AfterSyn,
    },
    /// A setup is under way: wait for it as [`AfterSyn::Wait`] says.
    Wait {
        /// The most to wait, in ms.
        ms: u16,
    },
}

/// What `connect(2)` does once its SYN is out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AfterSyn {
    /// Return `EINPROGRESS`: non-blocking, or `TIPC_CONN_TIMEOUT` is 0.
    InProgress,
    /// Wait at most `ms` milliseconds, asking [`Conn::connect_wait`] before each sleep and
    /// after each wake-up; its `Ready` makes the call return 0.
    Wait {
        /// `TIPC_CONN_TIMEOUT`.
        ms: u16,
    },
}

/// What `accept(2)` produced.
#[derive(Debug)]
pub(crate) struct Accepted {
    /// The new socket's connection, established.
    pub(crate) conn: Conn,
    /// The new socket's importance (`TIPC_IMPORTANCE`): the SYN's.
    pub(crate) importance: SockImportance,
    /// The SYN carries data: move it to the head of the new socket's receive queue (charged
    /// there); otherwise free it. Either way it leaves the listener's queue.
    pub(crate) keep_syn: bool,
    /// The ACK to send to the connector: this header, no data.
    pub(crate) ack: [u8; SHORT_H_SIZE],
    /// Arm the new socket's timer at this time (ms).
    pub(crate) timer: u64,
}

impl Conn {
    /// `connect(2)` with the address bytes `addr` (as long as the length says), on a
    /// socket that has (`published`) or has not bound names, `nonblocking` (`O_NONBLOCK`),
    /// with connect timeout `timeout`.
    ///
    /// In the C module's order: a length other than `sockaddr_tipc`'s is `EINVAL`; so is
    /// family `AF_UNSPEC` (which only connectionless sockets may use), a malformed address,
    /// and a service range. Then by state: connecting waits again (non-blocking:
    /// `EALREADY`), established is `EISCONN`, listening or disconnecting `EINVAL`; an open
    /// socket with bound names is `EOPNOTSUPP`, else it sends a SYN.
    pub(crate) fn connect(
        &self,
        addr: &[u8],
        nonblocking: bool,
        timeout: ConnTimeout,
        published: bool,
    ) -> Result<Connect, Errno> {
        if addr.len() != SOCKADDR_TIPC_LEN {
            return Err(Errno::EINVAL);
        }
        let sa = SockaddrTipc::parse(addr).ok_or(Errno::EINVAL)?;
        if sa.family == AF_UNSPEC {
            return Err(Errno::EINVAL);
        }
        let dest = match Destination::from_sockaddr(&sa) {
            Some(Destination::Range(_)) | None => return Err(Errno::EINVAL),
            Some(d) => d,
        };
        let ms = if nonblocking { 0 } else { timeout.ms() };
        match self.state {
            State::Connecting if ms == 0 => Err(Errno::EALREADY),
            State::Connecting => Ok(Connect::Wait { ms }),
            State::Established => Err(Errno::EISCONN),
            State::Listen | State::Disconnecting => Err(Errno::EINVAL),
            State::Open if published => Err(Errno::EOPNOTSUPP),
            State::Open => Ok(Connect::Syn {
                dest,
                then: if ms == 0 {
                    AfterSyn::InProgress
                } else {
                    AfterSyn::Wait { ms }
                },
            }),
        }
    }

    /// A SYN of `syn_len` bytes (header included) carrying `dlen` data bytes went to `to`
    /// (the socket the name table chose, or as addressed): the socket is connecting to it,
    /// keeping a copy of the SYN for a retry. A SYN with data counts against the window.
    pub(crate) fn syn_sent(&mut self, to: SocketAddr, syn_len: usize, dlen: usize) {
        if self.set_state(State::Connecting) {
            self.peer = to;
            self.syn_kept = true;
            if dlen != 0 {
                self.flow.set_unacked(blocks(syn_len));
            }
        }
    }

    /// `listen(2)`: only an open socket may listen; else `EINVAL`.
    pub(crate) fn listen(&mut self) -> Result<(), Errno> {
        if self.set_state(State::Listen) {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }

    /// The check `accept(2)` makes first: only a listener accepts; else `EINVAL`.
    pub(crate) fn accept_check(&self) -> Result<(), Errno> {
        if self.state == State::Listen {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }

    /// The connection of a new socket accepted from SYN `syn` (the head of the listener's
    /// queue) at time `now`: `sender` is the new socket's sender part (its port, this
    /// node, its options); its importance is replaced by the SYN's. A SYN that is not a
    /// valid message (never queued by [`Conn::on_message`]) is `EINVAL`.
    pub(crate) fn accept(&self, syn: &[u8], sender: &Sender, now: u64) -> Result<Accepted, Errno> {
        let p = Packet::new_checked(syn).map_err(|_| Errno::EINVAL)?;
        let kind = if self.stream {
            SockKind::Stream
        } else {
            SockKind::SeqPacket
        };
        let mut conn = Conn::new(kind, sender.port).ok_or(Errno::EINVAL)?;
        let peer = SocketAddr {
            port: p.origport(),
            node: p.orignode(),
        };
        conn.establish(peer, now);
        if p.data_type() == DataType::Named {
            conn.name = Some((p.name_type(), p.name_instance()));
        }
        let importance = importance_of(&p);
        let sender = Sender {
            importance,
            ..*sender
        };
        conn.nagle.bundles(0);
        conn.flow.sent(blocks(SHORT_H_SIZE));
        let timer = conn.timer.unwrap_or(now);
        Ok(Accepted {
            conn,
            importance,
            keep_syn: p.payload_len() != 0,
            ack: data_header(&sender, peer, 0),
            timer,
        })
    }

    /// `socketpair(2)`: two sockets of `kind` with ports `a` and `b` on node `own_node`,
    /// connected to each other at `now`. Both arm their timers at the returned time.
    pub(crate) fn pair(
        kind: SockKind,
        a: u32,
        b: u32,
        own_node: u32,
        now: u64,
    ) -> Option<(Conn, Conn)> {
        let mut x = Conn::new(kind, a)?;
        let mut y = Conn::new(kind, b)?;
        x.establish(
            SocketAddr {
                port: b,
                node: own_node,
            },
            now,
        );
        y.establish(
            SocketAddr {
                port: a,
                node: own_node,
            },
            now,
        );
        Some((x, y))
    }

    /// Completes a setup with `peer` at `now` (`tipc_sk_finish_conn`): established, the
    /// probe timer armed, Nagle set for a peer on this node, any SYN copy dropped.
    pub(super) fn establish(&mut self, peer: SocketAddr, now: u64) {
        if self.set_state(State::Established) {
            self.peer = peer;
            self.timer = Some(now.saturating_add(CONN_PROBING_INTV_MS));
            self.nagle.configure(self.stream, self.nodelay);
            self.syn_kept = false;
        }
    }

    /// `TIPC_NODELAY` is `nodelay` (at creation, and after each
    /// [`crate::proto::sockopt::SetEffect::NagleChanged`]): Nagle is recomputed for an
    /// established stream, and a later setup uses it.
    pub(crate) fn set_nodelay(&mut self, nodelay: bool) {
        self.nodelay = nodelay;
        if self.state == State::Established {
            self.nagle.configure(self.stream, nodelay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::name_table::bind::{TIPC_SERVICE_ADDR, TIPC_SERVICE_RANGE, TIPC_SOCKET_ADDR};
    use crate::proto::sockopt::{SockOpts, SOL_TIPC, TIPC_CONN_TIMEOUT};
    use crate::proto::wire::consts::{DataType, User};
    use crate::proto::wire::header::start;
    use crate::proto::AF_TIPC;

    /// This node.
    const NODE: u32 = 0x0100_1001;

    /// A `sockaddr_tipc`.
    fn sa(family: u16, addrtype: u8, words: [u32; 3]) -> [u8; 16] {
        SockaddrTipc {
            family,
            addrtype,
            scope: 0,
            words,
        }
        .to_bytes()
    }

    /// A socket address to port 7.
    fn to7() -> [u8; 16] {
        sa(AF_TIPC, TIPC_SOCKET_ADDR, [7, NODE, 0])
    }

    /// The default timeout.
    fn t8000() -> ConnTimeout {
        SockOpts::new(SockKind::Stream).conn_timeout()
    }

    /// A connection socket in `state`.
    fn conn(state: State) -> Conn {
        let mut c = Conn::new(SockKind::SeqPacket, 5).unwrap();
        c.state = state;
        c
    }

    #[test]
    fn connect_address_checks_come_first() {
        let c = conn(State::Established);
        assert_eq!(
            c.connect(&to7()[..15], false, t8000(), false),
            Err(Errno::EINVAL)
        );
        let mut long = [0u8; 17];
        long[..16].copy_from_slice(&to7());
        assert_eq!(c.connect(&long, false, t8000(), false), Err(Errno::EINVAL));
        let unspec = sa(AF_UNSPEC, TIPC_SOCKET_ADDR, [7, 0, 0]);
        assert_eq!(
            conn(State::Open).connect(&unspec, false, t8000(), false),
            Err(Errno::EINVAL)
        );
        let bad = sa(AF_TIPC, 9, [7, 0, 0]);
        assert_eq!(
            conn(State::Open).connect(&bad, false, t8000(), false),
            Err(Errno::EINVAL)
        );
        let range = sa(AF_TIPC, TIPC_SERVICE_RANGE, [1000, 1, 2]);
        assert_eq!(
            conn(State::Open).connect(&range, false, t8000(), false),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            c.connect(&to7(), false, t8000(), false),
            Err(Errno::EISCONN)
        );
    }

    #[test]
    fn connect_by_state() {
        let open = conn(State::Open);
        let dest = Destination::Socket(SocketAddr {
            port: 7,
            node: NODE,
        });
        assert_eq!(
            open.connect(&to7(), false, t8000(), false),
            Ok(Connect::Syn {
                dest,
                then: AfterSyn::Wait { ms: 8000 }
            })
        );
        assert_eq!(
            open.connect(&to7(), true, t8000(), false),
            Ok(Connect::Syn {
                dest,
                then: AfterSyn::InProgress
            })
        );
        let mut opts = SockOpts::new(SockKind::SeqPacket);
        let _ = opts.set(SOL_TIPC, TIPC_CONN_TIMEOUT, &0u32.to_ne_bytes()[..]);
        assert_eq!(
            open.connect(&to7(), false, opts.conn_timeout(), false),
            Ok(Connect::Syn {
                dest,
                then: AfterSyn::InProgress
            }),
            "a zero timeout makes connect non-blocking"
        );
        assert_eq!(
            open.connect(&to7(), false, t8000(), true),
            Err(Errno::EOPNOTSUPP)
        );
        let svc = sa(AF_TIPC, TIPC_SERVICE_ADDR, [1000, 1, 0]);
        assert!(matches!(
            open.connect(&svc, false, t8000(), false),
            Ok(Connect::Syn {
                dest: Destination::Service {
                    ty: 1000,
                    instance: 1,
                    domain: 0
                },
                ..
            })
        ));
        let connecting = conn(State::Connecting);
        assert_eq!(
            connecting.connect(&to7(), true, t8000(), false),
            Err(Errno::EALREADY)
        );
        assert_eq!(
            connecting.connect(&to7(), false, t8000(), false),
            Ok(Connect::Wait { ms: 8000 })
        );
        for s in [State::Listen, State::Disconnecting] {
            assert_eq!(
                conn(s).connect(&to7(), false, t8000(), false),
                Err(Errno::EINVAL)
            );
        }
    }

    #[test]
    fn syn_sent_and_listen() {
        let mut c = conn(State::Open);
        let to = SocketAddr {
            port: 7,
            node: NODE,
        };
        c.syn_sent(to, 40 + 2000, 2000);
        assert_eq!(
            (c.state(), c.peer, c.syn_kept),
            (State::Connecting, to, true)
        );
        assert_eq!(c.flow.unacked(), 2);
        let mut empty = conn(State::Open);
        empty.syn_sent(to, 32, 0);
        assert_eq!(empty.flow.unacked(), 0);
        assert_eq!(conn(State::Open).listen(), Ok(()));
        for s in [
            State::Listen,
            State::Connecting,
            State::Established,
            State::Disconnecting,
        ] {
            assert_eq!(conn(s).listen(), Err(Errno::EINVAL));
        }
        assert_eq!(conn(State::Listen).accept_check(), Ok(()));
        assert_eq!(conn(State::Open).accept_check(), Err(Errno::EINVAL));
    }

    /// A SYN from `<11:NODE>` to `<7:NODE>` with `dlen` data bytes and user `user`.
    fn syn(dlen: usize, user: User) -> std::vec::Vec<u8> {
        let mut b = std::vec![0u8; 32 + dlen];
        start(&mut b, user, DataType::Direct.bits(), 32, dlen).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_origport(11);
        p.set_orignode(NODE);
        p.set_destport(7);
        b
    }

    #[test]
    fn accept_connects_to_the_syn_origin() {
        let listener = conn(State::Listen);
        let sender = Sender::new(20, NODE, &SockOpts::new(SockKind::SeqPacket));
        let a = listener.accept(&syn(0, User::High), &sender, 1000).unwrap();
        assert_eq!(a.conn.state(), State::Established);
        assert_eq!(
            a.conn.peer_name(false),
            Ok(SocketAddr {
                port: 11,
                node: NODE
            })
        );
        assert_eq!(a.importance, SockImportance::High);
        assert!(!a.keep_syn);
        assert_eq!(a.timer, 1000 + CONN_PROBING_INTV_MS);
        assert_eq!(a.conn.flow.unacked(), 1, "the empty ACK counts one block");
        let p = Packet::new_checked(&a.ack[..]).unwrap();
        assert_eq!(
            (p.user(), p.data_type()),
            (Some(User::High), DataType::Conn)
        );
        assert_eq!((p.origport(), p.destport(), p.total_len()), (20, 11, 24));
        assert!(
            listener
                .accept(&syn(3, User::Low), &sender, 0)
                .unwrap()
                .keep_syn
        );
        assert!(matches!(
            listener.accept(&[0; 3], &sender, 0),
            Err(Errno::EINVAL)
        ));
    }

    #[test]
    fn socketpair_and_nodelay() {
        let (mut x, y) = Conn::pair(SockKind::Stream, 1, 2, NODE, 0).unwrap();
        assert_eq!(
            x.peer_name(false),
            Ok(SocketAddr {
                port: 2,
                node: NODE
            })
        );
        assert_eq!(
            y.peer_name(false),
            Ok(SocketAddr {
                port: 1,
                node: NODE
            })
        );
        assert_eq!(x.nagle.max(), 1500);
        x.set_nodelay(true);
        assert_eq!(x.nagle.max(), 0);
        let (s, _) = Conn::pair(SockKind::SeqPacket, 1, 2, NODE, 0).unwrap();
        assert_eq!(s.nagle.max(), 0);
        assert!(Conn::pair(SockKind::Rdm, 1, 2, NODE, 0).is_none());
    }
}
