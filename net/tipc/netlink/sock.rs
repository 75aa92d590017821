// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_SOCK_GET` and `TIPC_NL_PUBL_GET`: the namespace's sockets and one socket's
//! bindings.

use super::{put_u32s, tipc_net, TipcGenl};
use crate::{
    netns::{SockRef, TipcNet},
    proto::{
        conn::state::State,
        netlink::{cmd, con, nla, sock, sock_publ_attrs, ListDump, SockInfo},
    },
    socket::Inner,
};
use kernel::{
    net::genetlink::{Dump, Policy, Progress, Writer},
    prelude::*,
};

/// The policy of a `TIPC_NLA_SOCK` nest (`tipc_nl_sock_policy`).
static SOCK_POLICY: [Policy; sock::MAX + 1] = [
    Policy::unspec(),
    Policy::u32(),
    Policy::u32(),
    Policy::nested(),
    Policy::flag(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
];

/// How many sockets one call of a socket dump looks at.
const SOCKETS_PER_CALL: usize = 32;

/// What the socket dumps say of the socket at `port`, whose locked state is `inner`.
pub(super) fn sock_info(port: u32, inner: &Inner) -> SockInfo {
    let conn = inner
        .conn
        .as_ref()
        .filter(|c| c.state() == State::Established)
        .and_then(|c| c.peer_name(false).ok().map(|peer| (peer, c.name())))
        .or(inner.paired.map(|peer| (peer, None)));
    SockInfo {
        port,
        conn,
        has_publ: inner.bindings.is_published(),
    }
}

/// Writes what both socket dumps say of one socket (`__tipc_nl_add_sk_info`): its port, this
/// node, and its peer or whether it holds bindings.
pub(super) fn put_sock_info(msg: &mut Writer<'_>, info: &SockInfo, own_node: u32) -> Result {
    msg.put_u32(sock::REF, info.port)?;
    msg.put_u32(sock::ADDR, own_node)?;
    if let Some((peer, name)) = info.conn {
        msg.nest(sock::CON, |msg| {
            msg.put_u32(con::NODE, peer.node)?;
            msg.put_u32(con::SOCK, peer.port)?;
            if let Some((ty, instance)) = name {
                msg.put_flag(con::FLAG)?;
                msg.put_u32(con::TYPE, ty)?;
                msg.put_u32(con::INST, instance)?;
            }
            Ok(())
        })
    } else if info.has_publ {
        msg.put_flag(sock::HAS_PUBL)
    } else {
        Ok(())
    }
}

/// Walks the namespace's sockets in port order, from where the dump's `state` says,
/// [`SOCKETS_PER_CALL`] at a time (taken from the port table with references, then each
/// given to `emit`, which reads it under its own state lock, so the port table's lock is never
/// held with a socket's). `emit` adds one message and says whether it fitted. Returns the
/// state to go on from in the next call, or `None` when every socket was given.
pub(super) fn walk_sockets(
    tn: &TipcNet,
    state: [u64; 5],
    mut emit: impl FnMut(&SockRef) -> Result<bool>,
) -> Result<Option<[u64; 5]>> {
    let from = match ListDump::from_words(state) {
        ListDump::Done => return Ok(None),
        ListDump::Start => 0,
        ListDump::From(port) => port,
    };
    let mut batch = KVec::with_capacity(SOCKETS_PER_CALL, GFP_KERNEL)?;
    tn.sockets_from(from, &mut batch);
    let mut next = None;
    for sk in batch.iter() {
        let port = sk.state().port();
        if !emit(sk)? {
            return Ok(Some(ListDump::From(port).to_words()));
        }
        next = port.checked_add(1);
    }
    Ok(match next {
        Some(port) if batch.len() == SOCKETS_PER_CALL => Some(ListDump::From(port).to_words()),
        _ => None,
    })
}

/// What a dump reports after [`walk_sockets`] returned `next`: more to come, once
/// `set_state` kept where to go on from, or done.
pub(super) fn progress(next: Option<[u64; 5]>, set_state: impl FnOnce([u64; 5])) -> Progress {
    match next {
        Some(state) => {
            set_state(state);
            Progress::More
        }
        None => Progress::Done,
    }
}

/// `TIPC_NL_SOCK_GET`: one message per socket of the namespace, in port order, resumed at
/// the port whose message did not fit.
pub(super) fn dump_sockets(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let tn = tipc_net(dump);
    let own_node = tn.own_node();
    let state = dump.state();
    let next = walk_sockets(tn, state, |sk| {
        let info = sock_info(sk.state().port(), &sk.state().inner.lock());
        dump.message(cmd::SOCK_GET, |msg| {
            msg.nest(nla::SOCK, |msg| put_sock_info(msg, &info, own_node))
        })
    })?;
    Ok(progress(next, |state| dump.set_state(state)))
}

/// `TIPC_NL_PUBL_GET`: the bindings of the socket the request names (`TIPC_NLA_SOCK` with
/// `TIPC_NLA_SOCK_REF`), newest first, resumed at the key whose message did not fit.
pub(super) fn dump_sock_publications(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => None,
        ListDump::From(key) => Some(key),
    };
    let req = dump.request();
    let Some(attr) = req.attr(nla::SOCK) else {
        req.set_err_msg(c"missing socket attribute");
        return Err(EINVAL);
    };
    let Some(port) = attr.nested(&SOCK_POLICY, &req)?.get(sock::REF.into()) else {
        req.set_err_msg(c"missing socket reference");
        return Err(EINVAL);
    };
    let Some(sk) = tipc_net(dump).socket(port.u32()?) else {
        req.set_err_msg(c"no such socket");
        return Err(EINVAL);
    };
    let inner = sk.state().inner.lock();
    for (range, key) in inner.bindings.newest_first(from) {
        let attrs = sock_publ_attrs(&range, key);
        if !dump.message(cmd::PUBL_GET, |msg| {
            msg.nest(nla::PUBL, |msg| put_u32s(msg, &attrs))
        })? {
            dump.set_state(ListDump::From(key).to_words());
            return Ok(Progress::More);
        }
    }
    Ok(Progress::Done)
}
