// SPDX-License-Identifier: GPL-2.0

//! The `TIPCv2` generic netlink family: the C module's operations, with its permissions and
//! validation, answered from each namespace's state.
//!
//! Operations whose subsystem does not exist yet (bearers, links, media, monitor, keys) are
//! registered all the same, so that permissions and validation behave as with the C module;
//! they answer `EOPNOTSUPP` with a message in the extended ack.

use crate::{
    netns::SockRef,
    netns::TipcNet,
    proto::{
        conn::state::State,
        netlink::{
            cmd, con, net, nla, publ_attrs, sock, sock_publ_attrs, ListDump, SockInfo, TableDump,
            DEFAULT_NET_ID, FAMILY_VERSION, NAME_TABLE_PUBL,
        },
    },
    socket::TipcFamily,
};
use kernel::{
    net::{
        genetlink::{
            flags::UNS_ADMIN_PERM,
            not_supported,
            validate::{DONT_VALIDATE_DUMP, DONT_VALIDATE_DUMP_STRICT, DONT_VALIDATE_STRICT},
            Dump, Family, Op, Policy, Progress, Request, Slot, Writer,
        },
        socket,
    },
    prelude::*,
};

/// The `TIPCv2` family.
pub(crate) struct TipcGenl;

static SLOT: Slot<TipcGenl> = Slot::new();

/// The sockets' registration, which owns every namespace's state: the family's handlers reach
/// that state through it, and it outlives the family, which owns it.
pub(crate) type Sockets = socket::Registration<TipcFamily>;

/// The top-level policy: every attribute a nest, as in the C module (`TIPC_NLA_MON_PEER`
/// unchecked).
static POLICY: [Policy; nla::MAX as usize + 1] = [
    Policy::unspec(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::nested(),
    Policy::unspec(),
];

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

/// The validation flags of almost every operation.
const LOOSE: u8 = DONT_VALIDATE_STRICT | DONT_VALIDATE_DUMP;
/// The flags of dumps that parse their request's attributes.
const LOOSE_DUMP: u8 = DONT_VALIDATE_STRICT | DONT_VALIDATE_DUMP_STRICT;

/// The operations, in the C module's order, with its flags.
static OPS: [Op; 24] = [
    Op::doit(cmd::BEARER_DISABLE)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit(cmd::BEARER_ENABLE)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit_and_dump(cmd::BEARER_GET).validate(LOOSE),
    Op::doit(cmd::BEARER_ADD)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit(cmd::BEARER_SET)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::dump(cmd::SOCK_GET).validate(LOOSE),
    Op::dump(cmd::PUBL_GET).validate(LOOSE_DUMP),
    Op::doit_and_dump(cmd::LINK_GET).validate(DONT_VALIDATE_STRICT),
    Op::doit(cmd::LINK_SET)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit(cmd::LINK_RESET_STATS)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit_and_dump(cmd::MEDIA_GET).validate(LOOSE),
    Op::doit(cmd::MEDIA_SET)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::dump(cmd::NODE_GET).validate(LOOSE),
    Op::dump(cmd::NET_GET).validate(LOOSE),
    Op::doit(cmd::NET_SET).validate(LOOSE).flags(UNS_ADMIN_PERM),
    Op::dump(cmd::NAME_TABLE_GET).validate(LOOSE),
    Op::doit(cmd::MON_SET).validate(LOOSE).flags(UNS_ADMIN_PERM),
    Op::doit_and_dump(cmd::MON_GET).validate(LOOSE),
    Op::dump(cmd::MON_PEER_GET).validate(LOOSE_DUMP),
    Op::doit(cmd::PEER_REMOVE)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::dump(cmd::UDP_GET_REMOTEIP).validate(LOOSE_DUMP),
    Op::doit(cmd::KEY_SET).validate(LOOSE).flags(UNS_ADMIN_PERM),
    Op::doit(cmd::KEY_FLUSH)
        .validate(LOOSE)
        .flags(UNS_ADMIN_PERM),
    Op::doit(cmd::ADDR_LEGACY_GET).validate(LOOSE),
];

impl Family for TipcGenl {
    type Data = Sockets;
    const NAME: &'static CStr = c"TIPCv2";
    const VERSION: u8 = FAMILY_VERSION;
    const MAX_ATTR: u16 = nla::MAX;
    const POLICY: &'static [Policy] = &POLICY;
    const RESV_START_OP: u8 = cmd::ADDR_LEGACY_GET + 1;
    const OPS: &'static [Op] = &OPS;

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    fn doit(_cmd: u8, req: &mut Request<'_, Self>) -> Result {
        req.set_err_msg(c"not supported by tipc-rs yet");
        Err(not_supported())
    }

    fn dumpit(cmd: u8, dump: &mut Dump<'_, Self>) -> Result<Progress> {
        match cmd {
            cmd::NET_GET => dump_net(dump),
            cmd::NAME_TABLE_GET => dump_name_table(dump),
            cmd::SOCK_GET => dump_sockets(dump),
            cmd::PUBL_GET => dump_sock_publications(dump),
            _ => {
                dump.request().set_err_msg(c"not supported by tipc-rs yet");
                Err(not_supported())
            }
        }
    }
}

/// The namespace state of the dump's requester.
fn tipc_net<'a>(dump: &Dump<'a, TipcGenl>) -> &'a TipcNet {
    dump.data().net_state(dump.net())
}

/// `TIPC_NL_NET_GET`: one message with the network id and the 128-bit node identity.
fn dump_net(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let id = tipc_net(dump).node_id();
    let (w0, w1) = id.split_at(8);
    let word = |b: &[u8]| b.try_into().map(u64::from_ne_bytes).unwrap_or(0);
    let (w0, w1) = (word(w0), word(w1));
    let sent = dump.message(cmd::NET_GET, |msg| {
        msg.nest(nla::NET, |msg| {
            msg.put_u32(net::ID, DEFAULT_NET_ID)?;
            msg.put_u64(net::NODEID, w0, net::PAD)?;
            msg.put_u64(net::NODEID_W1, w1, net::PAD)
        })
    })?;
    // The message goes out with the end of the dump; one that did not fit is tried again.
    Ok(if sent { Progress::Done } else { Progress::More })
}

/// `TIPC_NL_NAME_TABLE_GET`: one message per publication, in table order, resumed where the
/// last buffer filled up.
fn dump_name_table(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let resume = match TableDump::from_words(dump.state()) {
        TableDump::Done => return Ok(Progress::Done),
        TableDump::Start => None,
        TableDump::Resume(cursor) => Some(cursor),
    };
    let tn = tipc_net(dump);
    let mut failed = Ok(());
    let next = tn.names.lock().table.dump(resume.as_ref(), |e| {
        let written = dump.message(cmd::NAME_TABLE_GET, |msg| {
            msg.nest(nla::NAME_TABLE, |msg| {
                msg.nest(NAME_TABLE_PUBL, |msg| put_u32s(msg, &publ_attrs(e)))
            })
        });
        written.unwrap_or_else(|e| {
            failed = Err(e);
            false
        })
    });
    failed?;
    match next {
        Some(cursor) => {
            dump.set_state(TableDump::Resume(cursor).to_words());
            Ok(Progress::More)
        }
        None => Ok(Progress::Done),
    }
}

/// Writes `u32` attributes in order.
fn put_u32s(msg: &mut Writer<'_>, attrs: &[(u16, u32)]) -> Result {
    attrs.iter().try_for_each(|&(kind, v)| msg.put_u32(kind, v))
}

/// What `TIPC_NL_SOCK_GET` says of `sk`, read under its state lock.
fn sock_info(sk: &SockRef) -> SockInfo {
    let st = sk.state();
    let inner = st.inner.lock();
    let conn = inner
        .conn
        .as_ref()
        .filter(|c| c.state() == State::Established)
        .and_then(|c| c.peer_name(false).ok().map(|peer| (peer, c.name())));
    SockInfo {
        port: st.port(),
        conn,
        has_publ: inner.bindings.is_published(),
    }
}

/// Writes the `TIPC_NLA_SOCK` nest of one socket, as the C module does.
fn put_sock(msg: &mut Writer<'_>, info: &SockInfo, own_node: u32) -> Result {
    msg.nest(nla::SOCK, |msg| {
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
    })
}

/// `TIPC_NL_SOCK_GET`: one message per socket of the namespace, in port order, resumed at
/// the port whose message did not fit.
fn dump_sockets(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => 0,
        ListDump::From(port) => port,
    };
    let tn = tipc_net(dump);
    let own_node = tn.own_node();
    let mut batch = KVec::with_capacity(SOCKETS_PER_CALL, GFP_KERNEL)?;
    tn.sockets_from(from, &mut batch);
    let mut next = None;
    for sk in batch.iter() {
        let info = sock_info(sk);
        if !dump.message(cmd::SOCK_GET, |msg| put_sock(msg, &info, own_node))? {
            dump.set_state(ListDump::From(info.port).to_words());
            return Ok(Progress::More);
        }
        next = info.port.checked_add(1);
    }
    match next {
        Some(port) if batch.len() == SOCKETS_PER_CALL => {
            dump.set_state(ListDump::From(port).to_words());
            Ok(Progress::More)
        }
        _ => Ok(Progress::Done),
    }
}

/// `TIPC_NL_PUBL_GET`: the bindings of the socket the request names (`TIPC_NLA_SOCK` with
/// `TIPC_NLA_SOCK_REF`), newest first, resumed at the key whose message did not fit.
fn dump_sock_publications(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
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
