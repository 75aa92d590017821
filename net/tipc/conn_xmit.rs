// SPDX-License-Identifier: GPL-2.0

//! A connection's messages on their way to its peer.
//!
//! A connection message has a short header, which names no node: it goes to the node of the
//! connection's peer, with the socket's port as the selector (`tipc_node_xmit` with
//! `tsk_peer_node` and `portid`). A link that takes one beyond its backlog limit makes the
//! connection wait until that link wakes the socket (`cong_link_cnt`).

use crate::{
    node::{Sent, Xmit},
    socket::TipcFamily,
};
use kernel::{net::skb::OwnedSkBuff, net::sock::Sk, prelude::*};

/// Sends a connection's messages to its peer through an [`Xmit`], noting link congestion
/// for [`ToPeer::finish`].
pub(crate) struct ToPeer<'x, 'a> {
    xmit: &'x mut Xmit<'a>,
    dnode: u32,
    port: u32,
    congested: bool,
}

impl<'x, 'a> ToPeer<'x, 'a> {
    /// Messages of the socket at `port` for node `dnode`, sent through `xmit`.
    pub(crate) fn new(xmit: &'x mut Xmit<'a>, dnode: u32, port: u32) -> Self {
        Self {
            xmit,
            dnode,
            port,
            congested: false,
        }
    }

    /// Sends `skb`; `EHOSTUNREACH` if the peer's node cannot be reached.
    pub(crate) fn send(&mut self, skb: OwnedSkBuff) -> Result {
        let sent = self.xmit.send_to(self.dnode, skb, self.port)?;
        self.congested |= sent == Sent::Congested;
        Ok(())
    }

    /// Sends a copy of each of `msgs`, messages the core built. One that cannot leave is
    /// lost, as C's `tipc_sk_push_backlog` loses it: the connection ends by its probe or by
    /// the loss of the peer's node.
    pub(crate) fn send_all<'m>(&mut self, msgs: impl IntoIterator<Item = &'m [u8]>) {
        for m in msgs {
            if let Ok(Sent::Congested) = self.xmit.send_bytes_to(self.dnode, m, self.port) {
                self.congested = true;
            }
        }
    }

    /// Marks the connection of `sk` as waiting for its link if a message found it
    /// congested.
    pub(crate) fn finish(self, sk: &Sk<TipcFamily>) {
        if self.congested {
            if let Some(conn) = sk.state().inner.lock().conn.as_mut() {
                conn.set_link_congested(true);
            }
        }
    }
}
