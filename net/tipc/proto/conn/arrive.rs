// SPDX-License-Identifier: GPL-2.0

//! A message arriving at a connection socket (`tipc_sk_filter_rcv` for connection sockets,
//! `tipc_sk_filter_connect`, `tipc_sk_conn_proto_rcv`).
//!
//! A data message is judged by the socket's state: a listener takes SYNs, a connecting
//! socket takes the ACK (or the refusal) that ends its setup, an established one takes
//! messages from its peer (and a peer's FIN or returned message ends it). A taken message
//! must still fit the receive buffer (`sk_rcvbuf`, whatever its importance, for connection
//! messages). `CONN_MANAGER` messages from the peer carry acknowledgements and probes.

use crate::proto::errno::Errno;
use crate::proto::msg::filter::RcvbufUse;
use crate::proto::msg::rcvbuf::{in_group, overloads, rcvbuf_limit, Limit};
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::sockopt::ConnTimeout;
use crate::proto::wire::conn_mgr::ConnMsgType;
use crate::proto::wire::consts::{DataType, ErrorCode, User};
use crate::proto::wire::header::Packet;

use super::ctrl::{ack, importance_of, probe_reply};
use super::effects::Effects;
use super::flow::AckFields;
use super::machine::Conn;
use super::state::State;

/// A connection setup refused as overloaded is retried after a random delay plus this
/// (ms).
pub(crate) const SYN_RETRY_BASE_MS: u64 = 100;

/// The clock and random bits, which only the arrivals that end a connection's setup read:
/// each costs every message when read ahead.
pub(crate) trait Ambient {
    /// The time now (ms).
    fn now(&self) -> u64;
    /// 16 random bits, for the delay of a setup retry.
    fn random(&self) -> u16;
}

/// A fixed time and fixed random bits, for the tests.
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Fixed {
    /// The time (ms).
    pub(crate) now: u64,
    /// The random bits.
    pub(crate) random: u16,
}

#[cfg(test)]
impl Ambient for Fixed {
    fn now(&self) -> u64 {
        self.now
    }

    fn random(&self) -> u16 {
        self.random
    }
}

/// What the arrival of a message meets.
#[derive(Clone, Copy)]
pub(crate) struct Incoming<'a> {
    /// The clock and random bits, read only when needed.
    pub(crate) ambient: &'a dyn Ambient,
    /// This node's address.
    pub(crate) own_node: u32,
    /// The receive buffer and what the message would charge to it.
    pub(crate) rcv: RcvbufUse,
    /// `TIPC_CONN_TIMEOUT`.
    pub(crate) conn_timeout: ConnTimeout,
}

/// What the socket does with the message itself.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Append it to the receive queue, charging it, and wake readers.
    Accept,
    /// Free it: it was handled (a `CONN_MANAGER` message, an empty ACK) or is ignored.
    Drop,
    /// Refuse it: return it to its sender with `code` if
    /// [`crate::proto::msg::reverse::returned`] allows, else free it.
    Reject {
        /// The error code for the returned message.
        code: ErrorCode,
        /// Whether to count a drop on the socket (`sk_drops`): only overload does.
        counts_drop: bool,
    },
}

/// The outcome of an arrival: the verdict on the message, carried out after the effects.
#[derive(Debug)]
pub(crate) struct Arrival {
    /// What to do with the message.
    pub(crate) verdict: Verdict,
    /// What else to do, first.
    pub(crate) effects: Effects,
}

/// The verdict that refuses a message as addressed to no socket.
const NO_PORT: Verdict = Verdict::Reject {
    code: ErrorCode::NoPort,
    counts_drop: false,
};

impl Conn {
    /// Message `msg` arrives at this socket. Allocation (of bundles sent on) uses no flags:
    /// nothing is allocated here.
    ///
    /// A message that is not valid is refused as `TIPC_ERR_NO_PORT`. A `CONN_MANAGER`
    /// message is handled and dropped; other internal users (link congestion wakeups, which
    /// a node alone never sends) are dropped. A data message goes through the state rules
    /// of this module's documentation; if taken, a group message is then refused as
    /// `TIPC_ERR_NO_PORT`, and one that would take the receive buffer to its limit as
    /// `TIPC_ERR_OVERLOAD` (counted as a drop), after its state change.
    pub(crate) fn on_message(&mut self, msg: &[u8], inc: &Incoming<'_>) -> Arrival {
        let mut effects = Effects::default();
        let Ok(p) = Packet::new_checked(msg) else {
            return Arrival {
                verdict: NO_PORT,
                effects,
            };
        };
        let verdict = match p.user() {
            Some(u) if u.is_data() => match self.filter(&p, inc, &mut effects) {
                Verdict::Accept => fit(&p, &inc.rcv),
                v => v,
            },
            Some(User::ConnManager) => {
                self.conn_proto(&p, inc.own_node, &mut effects);
                Verdict::Drop
            }
            _ => Verdict::Drop,
        };
        Arrival { verdict, effects }
    }

    /// The state rules for data message `p` (`tipc_sk_filter_connect`).
    fn filter(&mut self, p: &Packet<&[u8]>, inc: &Incoming<'_>, fx: &mut Effects) -> Verdict {
        if p.data_type() == DataType::Mcast {
            return NO_PORT;
        }
        self.nagle.received();
        let con_msg = p.data_type() == DataType::Conn;
        let err = p.errcode();
        let orig = SocketAddr {
            port: p.origport(),
            node: p.orignode(),
        };
        match self.state {
            State::Open | State::Disconnecting => NO_PORT,
            State::Listen if p.flags().syn && !con_msg && err == 0 && !self.released => {
                Verdict::Accept
            }
            State::Listen => NO_PORT,
            State::Connecting if con_msg && err != 0 => self.refused(fx),
            State::Connecting if con_msg => {
                self.establish(orig, inc.ambient.now());
                fx.timer = self.timer;
                fx.importance = Some(importance_of(p));
                if p.payload_len() != 0 {
                    return Verdict::Accept;
                }
                fx.state_change = true;
                Verdict::Drop
            }
            State::Connecting if orig != self.peer => NO_PORT,
            State::Connecting if err != ErrorCode::Overload.bits() || !self.syn_kept => {
                self.refused(fx)
            }
            State::Connecting => {
                let window = inc.conn_timeout.retry_window().get();
                fx.conn_timeout_floor = inc.conn_timeout.ms() < 4;
                let delay = u64::from(inc.ambient.random() % window) + SYN_RETRY_BASE_MS;
                self.timer = Some(inc.ambient.now().saturating_add(delay));
                fx.timer = self.timer;
                NO_PORT
            }
            State::Established => {
                self.push_backlog(false, fx);
                if con_msg && err == 0 && orig == self.peer {
                    if p.flags().src_droppable {
                        let fields = self.flow.take_ack(inc.rcv.rcvbuf);
                        fx.reply = Some(ack(inc.own_node, self.port, self.peer, fields, true));
                    }
                    return Verdict::Accept;
                }
                if !self.is_peer(orig, inc.own_node) {
                    return NO_PORT;
                }
                if err != 0 {
                    self.set_state(State::Disconnecting);
                    fx.state_change = true;
                }
                Verdict::Accept
            }
        }
    }

    /// The setup failed: disconnecting, `ECONNREFUSED` pending, sleepers woken; the refusal
    /// is queued.
    fn refused(&mut self, fx: &mut Effects) -> Verdict {
        self.set_state(State::Disconnecting);
        self.error = Some(Errno::ECONNREFUSED);
        fx.state_change = true;
        Verdict::Accept
    }

    /// Sends the Nagle backlog on, if any (`tipc_sk_push_backlog`).
    pub(super) fn push_backlog(&mut self, nagle_ack: bool, fx: &mut Effects) {
        if let Some((msgs, blocks)) = self.nagle.push(nagle_ack) {
            self.flow.sent(blocks);
            fx.flush = msgs;
        }
    }

    /// A `CONN_MANAGER` message (`tipc_sk_conn_proto_rcv`): ignored unless from the peer of
    /// an established connection. A returned one (the peer socket is gone) ends the
    /// connection: disconnecting, sleepers woken, nothing queued (the C module turns it
    /// into an abort message that the now disconnecting socket then refuses). Otherwise the
    /// probe is answered; an acknowledgement of no more than is outstanding sends the Nagle
    /// backlog, takes the acknowledged blocks off and the advertised window on, and wakes
    /// writers if that opened the window.
    fn conn_proto(&mut self, p: &Packet<&[u8]>, own_node: u32, fx: &mut Effects) {
        let orig = SocketAddr {
            port: p.origport(),
            node: p.orignode(),
        };
        if !self.is_peer(orig, own_node) {
            return;
        }
        if p.errcode() != 0 {
            self.set_state(State::Disconnecting);
            fx.state_change = true;
            return;
        }
        self.probe_unacked = false;
        match ConnMsgType::from_bits(p.msg_type()) {
            Some(ConnMsgType::Probe) => fx.reply = Some(probe_reply(own_node, p)),
            Some(ConnMsgType::Ack) => {
                let fields = AckFields {
                    conn_ack: p.bits(9, 16, 0xffff) as u16,
                    adv_win: p.bits(9, 0, 0xffff) as u16,
                };
                if !self.flow.ack_valid(fields.conn_ack) {
                    return;
                }
                let was_congested = self.flow.congested();
                self.push_backlog(p.flags().src_droppable, fx);
                self.flow.acked(fields);
                fx.write_space = was_congested && !self.flow.congested();
            }
            Some(ConnMsgType::ProbeReply) | None => {}
        }
    }
}

/// Whether a taken data message `p` fits: a group message has no place on a connection
/// socket; a connection message may take the receive buffer up to `sk_rcvbuf`, another
/// (a SYN, a returned message) up to `sk_rcvbuf` shifted by its importance.
fn fit(p: &Packet<&[u8]>, rcv: &RcvbufUse) -> Verdict {
    if in_group(p.data_type()) {
        return NO_PORT;
    }
    let limit = match rcvbuf_limit(p, rcv.rcvbuf) {
        Limit::Connection => rcv.rcvbuf,
        Limit::Bytes(limit) => limit,
    };
    if overloads(rcv.used, rcv.truesize, limit) {
        return Verdict::Reject {
            code: ErrorCode::Overload,
            counts_drop: true,
        };
    }
    Verdict::Accept
}
