// SPDX-License-Identifier: GPL-2.0

//! sock_diag's requests for `AF_TIPC` (`ss --tipc`): `struct tipc_sock_diag_req` and its
//! filter by socket state.

/// The length of `struct tipc_sock_diag_req`: family, protocol, padding, then the states.
pub(crate) const REQUEST_LEN: usize = 8;

/// A `struct tipc_sock_diag_req`. Only `tidiag_states` counts: the C module checks neither
/// the protocol nor the padding, and neither does this.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DiagRequest {
    /// `tidiag_states`: bit `n` asks for the sockets whose `sk_state` is `n`.
    states: u32,
}

impl DiagRequest {
    /// Reads the request at the start of `payload`, in host byte order; `None` if it is
    /// shorter than [`REQUEST_LEN`].
    pub(crate) fn parse(payload: &[u8]) -> Option<Self> {
        let states = payload.get(4..REQUEST_LEN)?;
        let mut word = [0; 4];
        word.copy_from_slice(states);
        Some(Self {
            states: u32::from_ne_bytes(word),
        })
    }

    /// Whether the reply describes a socket in `sk_state`. The C module answers a socket
    /// the filter leaves out with an empty message all the same.
    pub(crate) fn wants(&self, sk_state: u8) -> bool {
        1u32.checked_shl(sk_state.into())
            .is_some_and(|bit| self.states & bit != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::conn::state::State;

    fn request(states: u32) -> [u8; REQUEST_LEN] {
        let mut req = [0; REQUEST_LEN];
        req[0] = 30;
        req[4..].copy_from_slice(&states.to_ne_bytes());
        req
    }

    #[test]
    fn short_requests_are_refused() {
        assert_eq!(DiagRequest::parse(&request(1)[..7]), None);
        assert!(DiagRequest::parse(&[]).is_none());
    }

    #[test]
    fn longer_requests_read_their_header() {
        let mut long = [0xff; 12];
        long[..REQUEST_LEN].copy_from_slice(&request(1 << 7));
        let req = DiagRequest::parse(&long).unwrap();
        assert!(req.wants(State::Open.sk_state()));
        assert!(!req.wants(State::Listen.sk_state()));
    }

    #[test]
    fn states_filter_by_sk_state() {
        let listen_or_established =
            (1 << State::Listen.sk_state()) | (1 << State::Established.sk_state());
        let req = DiagRequest::parse(&request(listen_or_established)).unwrap();
        assert!(req.wants(State::Listen.sk_state()));
        assert!(req.wants(State::Established.sk_state()));
        assert!(!req.wants(State::Open.sk_state()));
        assert!(!req.wants(State::Connecting.sk_state()));
        assert!(!req.wants(State::Disconnecting.sk_state()));
    }

    #[test]
    fn all_states_and_none() {
        let all = DiagRequest::parse(&request(u32::MAX)).unwrap();
        let none = DiagRequest::parse(&request(0)).unwrap();
        for sk_state in 0..32 {
            assert!(all.wants(sk_state));
            assert!(!none.wants(sk_state));
        }
        assert!(!all.wants(32));
        assert!(!all.wants(u8::MAX));
    }
}
