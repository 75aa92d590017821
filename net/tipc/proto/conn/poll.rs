// SPDX-License-Identifier: GPL-2.0

//! The events `poll(2)` reports for a connection socket (`tipc_poll`).

use super::machine::Conn;
use super::state::State;

/// `EPOLLIN`: a message can be read.
pub(crate) const EPOLLIN: u32 = 0x1;
/// `EPOLLOUT`: data can be sent.
pub(crate) const EPOLLOUT: u32 = 0x4;
/// `EPOLLHUP`: hung up.
pub(crate) const EPOLLHUP: u32 = 0x10;
/// `EPOLLRDNORM`: normal data can be read.
pub(crate) const EPOLLRDNORM: u32 = 0x40;
/// `EPOLLRDHUP`: the reading side is shut down.
pub(crate) const EPOLLRDHUP: u32 = 0x2000;

impl Conn {
    /// The events of this socket with a receive queue that is or is not empty
    /// (`readable`): after `shutdown(2)`, read hang-up and hang-up; established, writable
    /// while the window is open and the link uncongested; established, listening or
    /// connecting, readable with a message queued; open, writable unless `held` (a link it
    /// sent on is congested, or the group it joined is not open); disconnecting, readable
    /// and hung up, nothing else.
    pub(crate) fn events(&self, readable: bool, held: bool) -> u32 {
        let mut ev = if self.shut {
            EPOLLRDHUP | EPOLLIN | EPOLLRDNORM | EPOLLHUP
        } else {
            0
        };
        match self.state {
            State::Established | State::Listen | State::Connecting => {
                if self.state == State::Established && !self.congested() {
                    ev |= EPOLLOUT;
                }
                if readable {
                    ev |= EPOLLIN | EPOLLRDNORM;
                }
            }
            State::Open => {
                if !held {
                    ev |= EPOLLOUT;
                }
            }
            State::Disconnecting => ev = EPOLLIN | EPOLLRDNORM | EPOLLHUP,
        }
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::sock_kind::SockKind;

    /// A connection socket in `state`.
    fn conn(state: State) -> Conn {
        let mut c = Conn::new(SockKind::Stream, 1).unwrap();
        c.state = state;
        c
    }

    #[test]
    fn by_state() {
        assert_eq!(conn(State::Open).events(true, false), EPOLLOUT);
        assert_eq!(conn(State::Established).events(false, false), EPOLLOUT);
        assert_eq!(conn(State::Established).events(true, false), 0x45);
        for s in [State::Listen, State::Connecting] {
            assert_eq!(conn(s).events(false, false), 0);
            assert_eq!(conn(s).events(true, false), 0x41);
        }
        assert_eq!(conn(State::Disconnecting).events(false, false), 0x51);
    }

    #[test]
    fn an_open_socket_held_by_its_group_or_a_link_is_not_writable() {
        assert_eq!(conn(State::Open).events(false, true), 0);
        assert_eq!(conn(State::Open).events(true, true), 0);
        // Only an open socket is held so.
        assert_eq!(conn(State::Established).events(false, true), EPOLLOUT);
    }

    #[test]
    fn congestion_and_shutdown() {
        let mut c = conn(State::Established);
        c.flow.sent(200);
        assert_eq!(c.events(false, false), 0);
        c.shut = true;
        assert_eq!(c.events(false, false), 0x2051);
        let mut d = conn(State::Disconnecting);
        d.shut = true;
        assert_eq!(
            d.events(false, false),
            0x51,
            "disconnecting overrides read hang-up"
        );
        let mut l = conn(State::Listen);
        l.shut = true;
        assert_eq!(l.events(false, false), 0x2051);
    }
}
