// SPDX-License-Identifier: GPL-2.0

//! One connection socket's state ([`Conn`]), what it reports, and the checks that open
//! every wait (`tipc_sk_sock_err`, `tipc_wait_for_connect`, `tipc_wait_for_rcvmsg`,
//! `tipc_getname`).

use crate::proto::errno::Errno;
use crate::proto::name_table::addr::SocketAddr;
use crate::proto::sock_kind::SockKind;

use super::flow::Flow;
use super::nagle::Nagle;
use super::state::State;

/// What a waiting call does next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Wake {
    /// Go on: the condition holds.
    Ready,
    /// Sleep on the socket until woken or the time runs out, then ask again.
    Sleep,
    /// A signal is pending: the call ends with `EINTR` or `ERESTARTSYS`, as the kernel's
    /// `sock_intr_errno` says.
    Interrupted,
}

/// Where a wait stands, as the glue sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Waiting {
    /// Time is left (a non-blocking call has none).
    pub(crate) time_left: bool,
    /// A signal is pending.
    pub(crate) signal: bool,
}

/// The connection state of a `SOCK_SEQPACKET` or `SOCK_STREAM` socket. The socket lock
/// guards it; the glue calls its events in the order the module documentation gives.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Stream or packet.
    pub(super) stream: bool,
    /// The socket's own port.
    pub(super) port: u32,
    /// The state.
    pub(super) state: State,
    /// The peer, or the socket a SYN went to; zero before any.
    pub(super) peer: SocketAddr,
    /// Flow control.
    pub(super) flow: Flow,
    /// The link to the peer's node took a message beyond its backlog limit and has not
    /// woken the socket since (`cong_link_cnt`).
    pub(super) link_congested: bool,
    /// The link woke the socket while it was not marked congested: the mark that wakeup
    /// answers is not made.
    link_woken_early: bool,
    /// Nagle state and backlog.
    pub(super) nagle: Nagle,
    /// `TIPC_NODELAY`, as the glue last reported it.
    pub(super) nodelay: bool,
    /// A probe went out and nothing came back from the peer since.
    pub(super) probe_unacked: bool,
    /// A copy of the SYN is kept for a retry after the peer was overloaded.
    pub(super) syn_kept: bool,
    /// The pending socket error (`sk_err`), reported once.
    pub(super) error: Option<Errno>,
    /// `shutdown(2)` or `close(2)` ran (`sk_shutdown` is `SHUTDOWN_MASK`).
    pub(super) shut: bool,
    /// `close(2)` ran: the socket is going, and a listener refuses connection requests that
    /// reach it before it leaves the port table (queued, they would be lost with it).
    pub(super) released: bool,
    /// When the socket's timer fires next (ms), if armed.
    pub(super) timer: Option<u64>,
    /// The service instance the connection was made to, if made to a service address: its
    /// connection messages carry it as `TIPC_DESTNAME`.
    pub(super) name: Option<(u32, u32)>,
}

impl Conn {
    /// The connection state of a new socket of `kind` with port `port`, open; `None` for a
    /// connectionless kind.
    pub(crate) fn new(kind: SockKind, port: u32) -> Option<Self> {
        let stream = match kind {
            SockKind::Stream => true,
            SockKind::SeqPacket => false,
            SockKind::Rdm | SockKind::Dgram => return None,
        };
        Some(Self {
            stream,
            port,
            state: State::Open,
            peer: SocketAddr { port: 0, node: 0 },
            flow: Flow::default(),
            link_congested: false,
            link_woken_early: false,
            nagle: Nagle::default(),
            nodelay: false,
            probe_unacked: false,
            syn_kept: false,
            error: None,
            shut: false,
            released: false,
            timer: None,
            name: None,
        })
    }

    /// The state.
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// The socket's port.
    #[cfg(test)]
    pub(crate) fn port(&self) -> u32 {
        self.port
    }

    /// Flow control counters, for diagnostics.
    #[cfg(test)]
    pub(crate) fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Whether `shutdown(2)` or `close(2)` ran.
    #[cfg(test)]
    pub(crate) fn is_shut(&self) -> bool {
        self.shut
    }

    /// When the socket's timer should fire (ms), if armed.
    pub(crate) fn deadline(&self) -> Option<u64> {
        self.timer
    }

    /// Whether a copy of the SYN is to be kept, for a retry after an overloaded peer (the
    /// glue keeps the bytes; once this is false it may drop them).
    pub(crate) fn keeps_syn(&self) -> bool {
        self.syn_kept
    }

    /// Whether a send must wait: for the peer's acknowledgement, or for the link to the
    /// peer's node to wake the socket (`tsk_conn_cong`, `cong_link_cnt`).
    pub(crate) fn congested(&self) -> bool {
        self.flow.congested() || self.link_congested
    }

    /// What sock_diag reports of the connection's congestion (`TIPC_NLA_SOCK_STAT_*_CONG`):
    /// whether the link to the peer's node is congested, and whether the peer's window is
    /// full (`tsk_conn_cong`).
    pub(crate) fn congestion(&self) -> (bool, bool) {
        (self.link_congested, self.flow.congested())
    }

    /// The bundles Nagle holds, which C keeps on the socket's write queue.
    pub(crate) fn held_bundles(&self) -> usize {
        self.nagle.held()
    }

    /// The link to the peer's node is congested (`true`: a message was queued beyond its
    /// backlog limit) or woke the socket (`false`). A wakeup can come before the mark it
    /// answers (see [`crate::proto::cong_links`]): it is kept, and cancels that mark.
    pub(crate) fn set_link_congested(&mut self, congested: bool) {
        match (congested, self.link_congested) {
            (true, _) if core::mem::take(&mut self.link_woken_early) => {}
            (true, _) => self.link_congested = true,
            (false, true) => self.link_congested = false,
            (false, false) => self.link_woken_early = true,
        }
    }

    /// The node the connection's messages go to: the peer's, or the node a SYN went to.
    pub(crate) fn peer_node(&self) -> u32 {
        self.peer.node
    }

    /// Takes the pending socket error (`sock_error`; also `SO_ERROR`).
    pub(crate) fn take_error(&mut self) -> Option<Errno> {
        self.error.take()
    }

    /// Makes `e` the pending socket error again: the glue keeps it in the socket's
    /// `sk_err` between events, where `SO_ERROR` reads it, and hands it back here.
    pub(crate) fn restore_error(&mut self, e: Errno) {
        self.error = Some(e);
    }

    /// The service instance the connection was made to, for `TIPC_DESTNAME`.
    pub(crate) fn name(&self) -> Option<(u32, u32)> {
        self.name
    }

    /// The connection is being made to service instance `instance` of type `ty`.
    pub(crate) fn set_name(&mut self, ty: u32, instance: u32) {
        self.name = Some((ty, instance));
    }

    /// Whether `orig` (a message's origin) is the peer: the ports match and so do the nodes,
    /// node 0 standing for this node `own_node` (`tsk_peer_msg`). Only while established.
    pub(super) fn is_peer(&self, orig: SocketAddr, own_node: u32) -> bool {
        if self.state != State::Established || orig.port != self.peer.port {
            return false;
        }
        orig.node == self.peer.node
            || (orig.node == 0 && self.peer.node == own_node)
            || (self.peer.node == 0 && orig.node == own_node)
    }

    /// Moves to `to` if the C module allows it; true if it moved.
    pub(super) fn set_state(&mut self, to: State) -> bool {
        let ok = self.state.may_become(to);
        if ok {
            self.state = to;
        }
        ok
    }

    /// `getpeername(2)` (and, with `former`, the kernel's "current or former peer"): the
    /// peer while established, or after the connection ended when `former`; else
    /// `ENOTCONN`.
    pub(crate) fn peer_name(&self, former: bool) -> Result<SocketAddr, Errno> {
        match self.state {
            State::Established => Ok(self.peer),
            State::Disconnecting if former => Ok(self.peer),
            _ => Err(Errno::ENOTCONN),
        }
    }

    /// The check before each wait of a blocking send (`tipc_wait_for_cond` with
    /// `tipc_sk_sock_err`): ready when established and the window is open; otherwise, in
    /// this order, the pending error, `EPIPE` when disconnecting, `ENOTCONN` when not
    /// connected (also while connecting), `EAGAIN` without time, or the signal.
    pub(crate) fn send_wait(&mut self, w: Waiting) -> Result<Wake, Errno> {
        if self.state == State::Established && !self.congested() {
            return Ok(Wake::Ready);
        }
        self.not_ready(w)
    }

    /// The errors of a wait whose condition does not hold, as `tipc_sk_sock_err` orders
    /// them.
    fn not_ready(&mut self, w: Waiting) -> Result<Wake, Errno> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.state {
            State::Disconnecting => return Err(Errno::EPIPE),
            State::Established => {}
            _ => return Err(Errno::ENOTCONN),
        }
        if !w.time_left {
            return Err(Errno::EAGAIN);
        }
        if w.signal {
            return Ok(Wake::Interrupted);
        }
        Ok(Wake::Sleep)
    }

    /// The check of `shutdown(2)` and `close(2)` before they end a connection: wait (at
    /// most `CONN_TIMEOUT_DEFAULT`, whatever the result) while the window is closed.
    pub(crate) fn close_wait(&mut self, w: Waiting) -> Result<Wake, Errno> {
        if !self.congested() {
            return Ok(Wake::Ready);
        }
        self.not_ready(w)
    }

    /// The check before each wait of a blocking `connect(2)`: the pending error first (a
    /// refused setup is `ECONNREFUSED`), then `ETIMEDOUT` without time, the signal, and
    /// ready once established or disconnecting (a connection already closed by its peer
    /// still connects successfully).
    pub(crate) fn connect_wait(&mut self, w: Waiting) -> Result<Wake, Errno> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !w.time_left {
            return Err(Errno::ETIMEDOUT);
        }
        if w.signal {
            return Ok(Wake::Interrupted);
        }
        match self.state {
            State::Established | State::Disconnecting => Ok(Wake::Ready),
            _ => Ok(Wake::Sleep),
        }
    }

    /// The check before reading (`tipc_wait_for_rcvmsg`), `first` before the first wait and
    /// again after each: the pending error (only at first), then ready if a message is
    /// queued; `EAGAIN` without time; the signal; the pending error (after a wait);
    /// `ENOTCONN` after `shutdown(2)`; else sleep. A non-blocking read of an empty queue is
    /// `EAGAIN` even after `shutdown(2)`.
    pub(crate) fn recv_wait(
        &mut self,
        first: bool,
        queue_empty: bool,
        w: Waiting,
    ) -> Result<Wake, Errno> {
        if first {
            if let Some(e) = self.error.take() {
                return Err(e);
            }
        }
        if !queue_empty {
            return Ok(Wake::Ready);
        }
        if !w.time_left {
            return Err(Errno::EAGAIN);
        }
        if w.signal {
            return Ok(Wake::Interrupted);
        }
        if !first {
            if let Some(e) = self.error.take() {
                return Err(e);
            }
        }
        if self.shut {
            return Err(Errno::ENOTCONN);
        }
        Ok(Wake::Sleep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plenty of time, no signal.
    const WAIT: Waiting = Waiting {
        time_left: true,
        signal: false,
    };
    /// No time.
    const NOW: Waiting = Waiting {
        time_left: false,
        signal: false,
    };

    /// A stream connection in `state` with peer `<9:node 1>`.
    fn conn(state: State) -> Conn {
        let mut c = Conn::new(SockKind::Stream, 5).unwrap();
        c.state = state;
        c.peer = SocketAddr { port: 9, node: 1 };
        c
    }

    #[test]
    fn only_connection_kinds() {
        assert!(Conn::new(SockKind::Rdm, 1).is_none());
        assert!(Conn::new(SockKind::Dgram, 1).is_none());
        let c = Conn::new(SockKind::SeqPacket, 1).unwrap();
        assert_eq!((c.state(), c.port(), c.deadline()), (State::Open, 1, None));
    }

    #[test]
    fn peer_messages() {
        let c = conn(State::Established);
        let at = |port, node| SocketAddr { port, node };
        assert!(c.is_peer(at(9, 1), 1));
        assert!(c.is_peer(at(9, 0), 1), "node 0 is this node");
        assert!(!c.is_peer(at(9, 0), 2));
        assert!(!c.is_peer(at(8, 1), 1));
        let mut zero = conn(State::Established);
        zero.peer.node = 0;
        assert!(zero.is_peer(at(9, 3), 3));
        assert!(!conn(State::Disconnecting).is_peer(at(9, 1), 1));
    }

    #[test]
    fn getpeername() {
        let peer = SocketAddr { port: 9, node: 1 };
        assert_eq!(conn(State::Established).peer_name(false), Ok(peer));
        assert_eq!(
            conn(State::Disconnecting).peer_name(false),
            Err(Errno::ENOTCONN)
        );
        assert_eq!(conn(State::Disconnecting).peer_name(true), Ok(peer));
        for s in [State::Open, State::Listen, State::Connecting] {
            assert_eq!(conn(s).peer_name(true), Err(Errno::ENOTCONN));
        }
    }

    #[test]
    fn send_wait_errors_in_order() {
        assert_eq!(conn(State::Established).send_wait(NOW), Ok(Wake::Ready));
        let mut c = conn(State::Disconnecting);
        c.error = Some(Errno::ECONNREFUSED);
        assert_eq!(c.send_wait(WAIT), Err(Errno::ECONNREFUSED));
        assert_eq!(c.send_wait(WAIT), Err(Errno::EPIPE));
        for s in [State::Open, State::Listen, State::Connecting] {
            assert_eq!(conn(s).send_wait(WAIT), Err(Errno::ENOTCONN));
        }
        let mut full = conn(State::Established);
        full.flow.sent(129);
        assert_eq!(full.send_wait(NOW), Err(Errno::EAGAIN));
        let sig = Waiting {
            time_left: true,
            signal: true,
        };
        assert_eq!(full.send_wait(sig), Ok(Wake::Interrupted));
        assert_eq!(full.send_wait(WAIT), Ok(Wake::Sleep));
        assert_eq!(full.close_wait(WAIT), Ok(Wake::Sleep));
        assert_eq!(conn(State::Open).close_wait(WAIT), Ok(Wake::Ready));
    }

    #[test]
    fn a_wakeup_before_the_congestion_mark_cancels_it() {
        let mut c = conn(State::Established);
        c.set_link_congested(false);
        c.set_link_congested(true);
        assert_eq!(c.send_wait(NOW), Ok(Wake::Ready));
        c.set_link_congested(true);
        assert_eq!(c.send_wait(NOW), Err(Errno::EAGAIN));
    }

    #[test]
    fn a_congested_link_holds_sends_until_it_wakes_the_socket() {
        let mut c = conn(State::Established);
        c.set_link_congested(true);
        assert_eq!(c.send_wait(NOW), Err(Errno::EAGAIN));
        assert_eq!(c.send_wait(WAIT), Ok(Wake::Sleep));
        assert_eq!(c.close_wait(WAIT), Ok(Wake::Sleep));
        assert_eq!(c.events(false, false) & super::super::poll::EPOLLOUT, 0);
        c.set_link_congested(false);
        assert_eq!(c.send_wait(NOW), Ok(Wake::Ready));
        assert_eq!(c.close_wait(NOW), Ok(Wake::Ready));
        assert_ne!(c.events(false, false) & super::super::poll::EPOLLOUT, 0);
    }

    #[test]
    fn connect_wait_order() {
        let mut c = conn(State::Disconnecting);
        c.error = Some(Errno::ECONNREFUSED);
        assert_eq!(c.connect_wait(NOW), Err(Errno::ECONNREFUSED));
        assert_eq!(c.connect_wait(NOW), Err(Errno::ETIMEDOUT));
        assert_eq!(c.connect_wait(WAIT), Ok(Wake::Ready));
        assert_eq!(conn(State::Connecting).connect_wait(WAIT), Ok(Wake::Sleep));
        assert_eq!(conn(State::Established).connect_wait(WAIT), Ok(Wake::Ready));
    }

    #[test]
    fn recv_wait_order() {
        let mut c = conn(State::Established);
        c.error = Some(Errno::ECONNABORTED);
        assert_eq!(c.recv_wait(true, false, WAIT), Err(Errno::ECONNABORTED));
        assert_eq!(c.recv_wait(true, false, WAIT), Ok(Wake::Ready));
        c.error = Some(Errno::ECONNABORTED);
        assert_eq!(
            c.recv_wait(false, false, WAIT),
            Ok(Wake::Ready),
            "queued wins after a wait"
        );
        assert_eq!(c.recv_wait(false, true, WAIT), Err(Errno::ECONNABORTED));
        assert_eq!(c.recv_wait(true, true, NOW), Err(Errno::EAGAIN));
        assert_eq!(c.recv_wait(true, true, WAIT), Ok(Wake::Sleep));
        c.shut = true;
        assert_eq!(c.recv_wait(true, true, WAIT), Err(Errno::ENOTCONN));
        assert_eq!(
            c.recv_wait(true, true, NOW),
            Err(Errno::EAGAIN),
            "non-blocking: EAGAIN"
        );
    }
}
