// SPDX-License-Identifier: GPL-2.0

//! Test helpers: data messages, and a [`LinkOut`] that keeps what a link puts out.

extern crate std;

use std::vec::Vec;

use super::proto_msg::ProtoMsg;
use super::send::LinkOut;
use crate::kalloc::{Flags, GFP_KERNEL};
use crate::proto::wire::common::Common;
use crate::proto::wire::consts::{DataType, ErrorCode, Importance, LookupScope, User};
use crate::proto::wire::data::DataRepr;

/// A direct data message from `from` to port 1 of `to`, sent by port `port`, carrying
/// `payload`.
pub(crate) fn data_msg(from: u32, to: u32, imp: Importance, port: u32, payload: &[u8]) -> Vec<u8> {
    let repr = DataRepr {
        importance: imp,
        msg_type: DataType::Direct,
        common: Common {
            prevnode: from,
            ..Common::default()
        },
        errcode: ErrorCode::Ok,
        reroute_cnt: 0,
        lookup_scope: LookupScope::CLUSTER,
        header_len: 32,
        origport: port,
        destport: 1,
        orignode: from,
        destnode: to,
        name_type: 0,
        name_lower: 0,
        name_upper: 0,
    };
    let mut b = std::vec![0u8; 32 + payload.len()];
    let n = repr.emit(&mut b, payload).expect("emit");
    b.truncate(n);
    b
}

/// What a link put out.
#[derive(Default, Debug)]
pub(crate) struct Collect {
    pub(crate) now: u64,
    pub(crate) sent: Vec<Vec<u8>>,
    pub(crate) delivered: Vec<(User, Vec<u8>)>,
    pub(crate) woken: Vec<u32>,
    pub(crate) controls: Vec<ProtoMsg>,
    /// The `bcast_ack` sequenced packets carry.
    pub(crate) bcast_ack: u16,
}

impl LinkOut<Vec<u8>> for Collect {
    fn transmit(&mut self, buf: Vec<u8>) {
        self.sent.push(buf);
    }
    fn deliver(&mut self, user: User, buf: Vec<u8>) {
        self.delivered.push((user, buf));
    }
    fn wakeup(&mut self, port: u32) {
        self.woken.push(port);
    }
    fn control(&mut self, msg: ProtoMsg) {
        self.controls.push(msg);
    }
    fn now(&self) -> u64 {
        self.now
    }
    fn bcast_ack(&self) -> u16 {
        self.bcast_ack
    }
    fn flags(&self) -> Flags {
        GFP_KERNEL
    }
}
