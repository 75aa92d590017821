// SPDX-License-Identifier: GPL-2.0

//! A data message header: parsed as a socket receives it, emitted as a socket sends it.

use crate::proto::{
    msg::header::{data_header, emit_header, Addressing, Sender},
    name_table::addr::SocketAddr,
    sock_kind::SockKind,
    sockopt::SockOpts,
    wire::{
        consts::{LookupScope, MAX_H_SIZE},
        data::DataRepr,
        header::Packet,
    },
};
use core::hint::black_box;

/// The node's address.
const NODE: u32 = 0x0100_1001;
/// The payload length the header announces.
const PAYLOAD: usize = 64;

/// A named message's header and a buffer to emit it into.
pub struct Fixture {
    /// The sending socket's part.
    sender: Sender,
    /// Where the message goes.
    to: Addressing,
    /// The emitted header.
    buf: [u8; MAX_H_SIZE + PAYLOAD],
}

impl Fixture {
    /// A named message from port 1 to `{1000, 7}` at port 2.
    #[expect(
        clippy::new_without_default,
        reason = "a fixture is made, not defaulted"
    )]
    pub fn new() -> Self {
        let mut f = Self {
            sender: Sender::new(1, NODE, &SockOpts::new(SockKind::Rdm)),
            to: Addressing::Named {
                ty: 1000,
                instance: 7,
                scope: LookupScope::CLUSTER,
                to: SocketAddr {
                    port: 2,
                    node: NODE,
                },
            },
            buf: [0; MAX_H_SIZE + PAYLOAD],
        };
        f.emit();
        f
    }

    /// Builds the header and writes it (`data_header`, `emit_header`); its length.
    pub fn emit(&mut self) -> usize {
        let repr = data_header(&self.sender, &self.to);
        emit_header(&repr, PAYLOAD, &mut self.buf).unwrap_or(0)
    }

    /// Checks and reads the header (`Packet::new_checked`, `DataRepr::parse`); whether it is
    /// valid.
    pub fn parse(&self) -> bool {
        let Ok(p) = Packet::new_checked(&self.buf[..]) else {
            return false;
        };
        black_box(DataRepr::parse(&p)).is_ok()
    }
}
