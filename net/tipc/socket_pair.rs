// SPDX-License-Identifier: GPL-2.0

//! `socketpair(2)`: two sockets of this node connected to each other (`tipc_socketpair`).

use crate::{
    conn_setup::sync_socket,
    proto::{
        conn::{machine::Conn, state::State},
        msg::dest::Destination,
        name_table::addr::SocketAddr,
    },
    sock_timer,
    socket::TipcFamily,
};
use kernel::{net::socket::Socket, prelude::*};

/// Connects `a` and `b`, both just created with the same type.
///
/// A `SOCK_STREAM` or `SOCK_SEQPACKET` pair is an established connection, probed as any
/// other. A `SOCK_RDM` or `SOCK_DGRAM` pair, as in the C module, is established too: each
/// socket's default destination is the other's socket id, and `getpeername(2)` names it.
/// Unlike the C module, such a pair is not probed, so it does not turn disconnecting some
/// seconds after its peer is closed.
pub(crate) fn connect(a: &Socket<'_, TipcFamily>, b: &Socket<'_, TipcFamily>) -> Result {
    let net = a.sk().net_state();
    let own = net.own_node();
    let kind = a.state().kind;
    let (pa, pb) = (a.state().port(), b.state().port());
    let at = |port| SocketAddr { port, node: own };
    if !kind.is_connection() {
        for (sock, peer) in [(a, at(pb)), (b, at(pa))] {
            let mut inner = sock.state().inner.lock();
            inner.peer = Some(Destination::Socket(peer));
            inner.paired = Some(peer);
            sock.sk().set_sk_state(State::Established.sk_state());
        }
        return Ok(());
    }
    let (x, y) = Conn::pair(kind, pa, pb, own, net.now_ms()).ok_or(EINVAL)?;
    for (sock, conn) in [(a, x), (b, y)] {
        let deadline = {
            let mut inner = sock.state().inner.lock();
            let nodelay = inner.opts.nodelay();
            let conn = inner.conn.insert(conn);
            conn.set_nodelay(nodelay);
            sync_socket(sock.sk(), conn);
            conn.deadline()
        };
        if let Some(at) = deadline {
            sock_timer::arm(net, sock.state().port(), at, GFP_KERNEL);
        }
    }
    Ok(())
}
