// SPDX-License-Identifier: GPL-2.0

//! sock_diag for `AF_TIPC`: what `ss --tipc` asks (C's `tipc_diag` module, here part of
//! `tipc.ko`). One `SOCK_DIAG_BY_FAMILY` message per socket of the requester's namespace, in
//! port order: the `TIPC_NLA_SOCK` nest of `TIPC_NL_SOCK_GET` (the same code writes it) with
//! the socket's type, state, inode, owner, cookie, queue figures and group.
//!
//! As in C, a socket the request's `tidiag_states` leaves out still gets a message, an empty
//! one. The sockets are read as `TIPC_NL_SOCK_GET` reads them: each under its own state lock,
//! never with the port table's.

use super::sock::{progress, put_sock_info, sock_info, walk_sockets};
use crate::{
    netns::{NetSlot, SockRef},
    proto::{
        name_table::addr::Scope,
        netlink::{nla, sock, sock_group, sock_stat, SockInfo},
        sock_diag::{DiagRequest, REQUEST_LEN},
        AF_TIPC,
    },
};
use kernel::{
    net::{
        genetlink::{Progress, Writer},
        pernet,
        sock_diag::{Dump, Handler, Slot, SockFields},
    },
    prelude::*,
    sync::Arc,
};

/// The `AF_TIPC` handler.
pub(crate) struct TipcDiag;

static SLOT: Slot<TipcDiag> = Slot::new();

impl Handler for TipcDiag {
    /// Every namespace's state.
    type Data = Arc<pernet::Registration<NetSlot>>;
    const FAMILY: u8 = AF_TIPC as u8;
    const REQUEST_LEN: usize = REQUEST_LEN;

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    fn dump(dump: &mut Dump<'_, Self>) -> Result<Progress> {
        let req = DiagRequest::parse(dump.request()).ok_or(EINVAL)?;
        let tn = dump.data().get(dump.net());
        let own_node = tn.own_node();
        let state = dump.state();
        let next = walk_sockets(tn, state, |sk| {
            let fields = dump.sock_fields(sk);
            if !req.wants(fields.state) {
                return dump.message(|_| Ok(()));
            }
            let info = DiagInfo::read(sk);
            dump.message(|msg| info.put(msg, &fields, own_node))
        })?;
        Ok(progress(next, |state| dump.set_state(state)))
    }
}

/// What a sock_diag reply says of a TIPC socket beyond the socket layer's [`SockFields`],
/// read under its state lock.
struct DiagInfo {
    /// What `TIPC_NL_SOCK_GET` says of it.
    sock: SockInfo,
    /// Messages in the receive queue.
    rcvq: u32,
    /// Messages held to be sent (C's write queue): Nagle's bundles and a kept SYN.
    sendq: u32,
    /// A link the socket sends on is congested (`cong_link_cnt`).
    link_cong: bool,
    /// The connection's peer window is full (`tsk_conn_cong`).
    conn_cong: bool,
    /// The group it joined: type, instance, scope, next broadcast number, open.
    group: Option<(u32, u32, Scope, u16, bool)>,
}

impl DiagInfo {
    fn read(sk: &SockRef) -> Self {
        let inner = sk.state().inner.lock();
        let sock = sock_info(sk.state().port(), &inner);
        let (conn_link_cong, conn_cong, held) =
            inner.conn.as_ref().map_or((false, false, 0), |c| {
                let (link, conn) = c.congestion();
                (link, conn, c.held_bundles())
            });
        let sendq = held.saturating_add(usize::from(inner.syn_copy.is_some()));
        let group = inner.group.as_ref().map(|g| {
            let (ty, instance, scope) = g.binding();
            (ty, instance, scope, g.bc_snd_nxt(), g.is_open())
        });
        Self {
            sock,
            rcvq: sk.receive_queue_len(),
            sendq: u32::try_from(sendq).unwrap_or(u32::MAX),
            link_cong: conn_link_cong || !inner.cong.is_empty(),
            conn_cong,
            group,
        }
    }

    /// Writes the `TIPC_NLA_SOCK` nest in C's order (`tipc_sk_fill_sock_diag`).
    fn put(&self, msg: &mut Writer<'_>, fields: &SockFields, own_node: u32) -> Result {
        msg.nest(nla::SOCK, |msg| {
            put_sock_info(msg, &self.sock, own_node)?;
            msg.put_u32(sock::TYPE, fields.sk_type.into())?;
            msg.put_u32(sock::TIPC_STATE, fields.state.into())?;
            // C's attribute is 32 bits wide.
            msg.put_u32(sock::INO, fields.ino as u32)?;
            msg.put_u32(sock::UID, fields.uid)?;
            msg.put_u64(sock::COOKIE, fields.cookie, sock::PAD)?;
            msg.nest(sock::STAT, |msg| {
                msg.put_u32(sock_stat::RCVQ, self.rcvq)?;
                msg.put_u32(sock_stat::SENDQ, self.sendq)?;
                msg.put_u32(sock_stat::DROP, fields.drops)?;
                if self.link_cong {
                    msg.put_flag(sock_stat::LINK_CONG)?;
                }
                if self.conn_cong {
                    msg.put_flag(sock_stat::CONN_CONG)?;
                }
                Ok(())
            })?;
            if let Some((ty, instance, scope, bc_snd_nxt, open)) = self.group {
                msg.nest(sock::GROUP, |msg| {
                    msg.put_u32(sock_group::ID, ty)?;
                    msg.put_u32(sock_group::INSTANCE, instance)?;
                    msg.put_u32(sock_group::BC_SEND_NEXT, bc_snd_nxt.into())?;
                    msg.put_flag(match scope {
                        Scope::Node => sock_group::NODE_SCOPE,
                        Scope::Cluster => sock_group::CLUSTER_SCOPE,
                    })?;
                    if open {
                        msg.put_flag(sock_group::OPEN)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
    }
}
