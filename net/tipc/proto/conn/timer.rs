// SPDX-License-Identifier: GPL-2.0

//! The socket timer of a connection (`tipc_sk_timeout`, `tipc_sk_check_probing_state`,
//! `tipc_sk_retry_connect`): an established connection probes its peer every hour and
//! gives up when the previous probe went unanswered; a connecting one resends its SYN
//! when the retry after an overloaded peer is due.

use super::ctrl::{probe, CtrlMsg};
use super::machine::Conn;
use super::state::State;
use crate::proto::errno::Errno;

/// `CONN_PROBING_INTV`: one hour between probes, in ms.
pub(crate) const CONN_PROBING_INTV_MS: u64 = 3_600_000;

/// What the timer firing asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tick {
    /// Nothing.
    Idle,
    /// Send this probe; the timer is armed again at [`Conn::deadline`].
    Probe(CtrlMsg),
    /// Send the kept SYN again.
    ResendSyn,
    /// The peer did not answer: the connection is aborted (disconnecting, `ECONNABORTED`
    /// pending, nothing sent to the peer); wake everyone waiting.
    Aborted,
}

impl Conn {
    /// The timer fired at `now` on node `own_node` (the glue retries later while the socket
    /// is owned by a user, as C does). The timer is disarmed unless a probe rearms it.
    pub(crate) fn tick(&mut self, now: u64, own_node: u32) -> Tick {
        self.timer = None;
        match self.state {
            State::Established if self.probe_unacked => {
                self.set_state(State::Disconnecting);
                self.error = Some(Errno::ECONNABORTED);
                Tick::Aborted
            }
            State::Established => {
                self.probe_unacked = true;
                self.timer = Some(now.saturating_add(CONN_PROBING_INTV_MS));
                Tick::Probe(probe(own_node, self.port, self.peer))
            }
            State::Connecting if self.syn_kept => Tick::ResendSyn,
            _ => Tick::Idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::name_table::addr::SocketAddr;
    use crate::proto::sock_kind::SockKind;
    use crate::proto::wire::conn_mgr::{ConnMgrRepr, ConnMsgType};
    use crate::proto::wire::header::Packet;

    #[test]
    fn probe_then_abort() {
        let (mut a, _) = Conn::pair(SockKind::Stream, 1, 2, 7, 0).unwrap();
        assert_eq!(a.deadline(), Some(CONN_PROBING_INTV_MS));
        let Tick::Probe(m) = a.tick(CONN_PROBING_INTV_MS, 7) else {
            panic!("no probe");
        };
        let r = ConnMgrRepr::parse(&Packet::new_checked(m.bytes()).unwrap()).unwrap();
        assert_eq!(r.msg_type, ConnMsgType::Probe);
        assert_eq!(
            (r.ports.origport, r.ports.destport, r.ports.destnode),
            (1, 2, 7)
        );
        assert_eq!(a.deadline(), Some(2 * CONN_PROBING_INTV_MS));
        assert_eq!(a.tick(2 * CONN_PROBING_INTV_MS, 7), Tick::Aborted);
        assert_eq!(a.state(), State::Disconnecting);
        assert_eq!(a.take_error(), Some(Errno::ECONNABORTED));
        assert_eq!(a.deadline(), None);
        assert_eq!(a.tick(0, 7), Tick::Idle);
    }

    #[test]
    fn connecting_resends_a_kept_syn() {
        let mut c = Conn::new(SockKind::SeqPacket, 1).unwrap();
        assert_eq!(c.tick(0, 7), Tick::Idle);
        c.syn_sent(SocketAddr { port: 2, node: 7 }, 32, 0);
        assert_eq!(c.tick(0, 7), Tick::ResendSyn);
    }
}
