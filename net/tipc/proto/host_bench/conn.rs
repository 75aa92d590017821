// SPDX-License-Identifier: GPL-2.0

//! The connection's receive path: a 64-byte `SOCK_SEQPACKET` message from the peer arrives
//! at an established connection (`Conn::on_message`), is queued, and is read
//! (`Conn::consumed`, which acknowledges every quarter of the window).

use crate::proto::{
    conn::{
        arrive::{Ambient, Incoming, Verdict},
        ctrl::syn_header,
        machine::Conn,
        send::Chunk,
    },
    msg::{
        filter::RcvbufUse,
        header::{emit_header, Addressing, Sender},
    },
    name_table::{
        addr::SocketAddr,
        bind::{SockaddrTipc, TIPC_SOCKET_ADDR},
    },
    sock_kind::SockKind,
    sockopt::SockOpts,
    wire::consts::MAX_H_SIZE,
    AF_TIPC,
};
use alloc::{vec, vec::Vec};
use core::hint::black_box;

/// The clock at 0 and fixed random bits: the fixture's connections never read them once set
/// up.
struct Start;

impl Ambient for Start {
    fn now(&self) -> u64 {
        0
    }

    fn random(&self) -> u16 {
        7
    }
}

/// The node's address.
const NODE: u32 = 0x0100_1001;
/// The data bytes of each message.
const LEN: usize = 64;
/// The receive buffer.
const RCVBUF: u32 = 1 << 21;
/// What a message charges to the receive buffer.
const TRUESIZE: u32 = 768;

/// An established connection and a message from its peer.
pub struct Fixture {
    /// The receiving end.
    conn: Conn,
    /// The message, header and data.
    msg: Vec<u8>,
    /// What it meets.
    inc: Incoming<'static>,
}

/// The sender part of socket `port`.
fn sender(port: u32) -> Sender {
    Sender::new(port, NODE, &SockOpts::new(SockKind::SeqPacket))
}

impl Fixture {
    /// Socket 1 connects to the listener 10, which accepts it as socket 2; socket 1 writes
    /// one message to socket 2.
    #[expect(
        clippy::new_without_default,
        reason = "a fixture is made, not defaulted"
    )]
    pub fn new() -> Self {
        let kind = SockKind::SeqPacket;
        let opts = SockOpts::new(kind);
        let inc = Incoming {
            ambient: &Start,
            own_node: NODE,
            rcv: RcvbufUse {
                used: 0,
                truesize: TRUESIZE,
                rcvbuf: RCVBUF,
            },
            conn_timeout: opts.conn_timeout(),
        };
        let mut listener = Conn::new(kind, 10).expect("a connection socket");
        listener.listen().expect("listen");
        let mut client = Conn::new(kind, 1).expect("a connection socket");
        let to = SocketAddr {
            port: 10,
            node: NODE,
        };
        let addr = SockaddrTipc {
            family: AF_TIPC,
            addrtype: TIPC_SOCKET_ADDR,
            scope: 0,
            words: [to.port, to.node, 0],
        }
        .to_bytes();
        client
            .connect(&addr, false, opts.conn_timeout(), false)
            .expect("connect");
        let mut syn = vec![0u8; MAX_H_SIZE];
        let hlen = emit_header(
            &syn_header(&sender(1), &Addressing::Direct { to }),
            0,
            &mut syn,
        )
        .expect("a SYN");
        syn.truncate(hlen);
        client.syn_sent(to, hlen, 0);
        let queued = listener.on_message(&syn, &inc);
        assert_eq!(queued.verdict, Verdict::Accept);
        let accepted = listener.accept(&syn, &sender(2), 0).expect("accept");
        let established = client.on_message(&accepted.ack, &inc);
        assert_eq!(established.verdict, Verdict::Drop);
        let Chunk::Message { len, header } = client.next_chunk(LEN, &sender(1)) else {
            panic!("a message of its own");
        };
        client.commit_message(len);
        let mut msg = header.to_vec();
        msg.resize(header.len() + LEN, 0x5a);
        Self {
            conn: accepted.conn,
            msg,
            inc,
        }
    }

    /// The message arrives and is read; whether it was taken.
    pub fn receive(&mut self) -> bool {
        let arrival = self.conn.on_message(&self.msg, &self.inc);
        black_box(self.conn.consumed(self.msg.len(), RCVBUF, NODE));
        arrival.verdict == Verdict::Accept
    }
}
