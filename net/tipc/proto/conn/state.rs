// SPDX-License-Identifier: GPL-2.0

//! The states of a connection socket and the moves between them (`tipc_set_sk_state`).

/// A connection socket's state. The C module keeps it in `sk_state` with TCP's numbers,
/// which `ss` shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum State {
    /// `TIPC_OPEN` (`TCP_CLOSE`, 7): neither connected nor listening.
    Open,
    /// `TIPC_LISTEN` (`TCP_LISTEN`, 10): takes SYNs for `accept(2)`.
    Listen,
    /// `TIPC_CONNECTING` (`TCP_SYN_SENT`, 2): a SYN went out, no answer yet.
    Connecting,
    /// `TIPC_ESTABLISHED` (`TCP_ESTABLISHED`, 1): connected to a peer socket.
    Established,
    /// `TIPC_DISCONNECTING` (`TCP_CLOSE_WAIT`, 8): the connection ended or was refused.
    Disconnecting,
}

impl State {
    /// The `sk_state` number.
    pub(crate) const fn sk_state(self) -> u8 {
        match self {
            Self::Open => 7,
            Self::Listen => 10,
            Self::Connecting => 2,
            Self::Established => 1,
            Self::Disconnecting => 8,
        }
    }

    /// Whether the C module allows the move from `self` to `to`: anything may go back to
    /// open; listening and connecting start from open; a connection is established from
    /// open (`socketpair`, `accept`) or connecting; it ends from connecting or established.
    pub(crate) const fn may_become(self, to: State) -> bool {
        match to {
            Self::Open => true,
            Self::Listen | Self::Connecting => matches!(self, Self::Open),
            Self::Established => matches!(self, Self::Open | Self::Connecting),
            Self::Disconnecting => matches!(self, Self::Connecting | Self::Established),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every state.
    const ALL: [State; 5] = [
        State::Open,
        State::Listen,
        State::Connecting,
        State::Established,
        State::Disconnecting,
    ];

    #[test]
    fn tcp_numbers() {
        let n: [u8; 5] = ALL.map(State::sk_state);
        assert_eq!(n, [7, 10, 2, 1, 8]);
    }

    #[test]
    fn moves() {
        let allowed = |from: State, to: State| from.may_become(to);
        for s in ALL {
            assert!(allowed(s, State::Open));
        }
        let ok = [
            (State::Open, State::Listen),
            (State::Open, State::Connecting),
            (State::Open, State::Established),
            (State::Connecting, State::Established),
            (State::Connecting, State::Disconnecting),
            (State::Established, State::Disconnecting),
        ];
        for from in ALL {
            for to in ALL {
                if to == State::Open {
                    continue;
                }
                assert_eq!(
                    allowed(from, to),
                    ok.contains(&(from, to)),
                    "{from:?}->{to:?}"
                );
            }
        }
    }
}
