// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_BEARER_ENABLE`, `_DISABLE`, `_GET`, `_SET` and `_ADD`: the bearers a
//! namespace's node sends and receives on.

use super::{media::parse_props, named_nest, namespace, put_name, tipc_net, Data, TipcGenl};
use crate::{
    cluster::{self, UdpEnable, UdpView},
    netns::TipcNet,
    proto::{
        bearer::{
            media::Media,
            media_addr::UdpAddr,
            name::MAX_BEARER_NAME,
            props::{PropRequest, MEDIA_LINK_PRI},
            rejection::Rejection,
            table::Bearer,
            udp_opts::{self, OptAddr},
        },
        errno::Errno,
        netlink::{bearer, cmd, nla, prop, udp, ListDump},
    },
    udp::Options,
};
use kernel::{
    net::{
        genetlink::{Dump, Nest, Policy, Progress, Request, Writer},
        pernet::Net,
    },
    prelude::*,
    sync::Arc,
};

/// The policy of a `TIPC_NLA_BEARER` nest (`tipc_nl_bearer_policy`): C's name is an
/// `NLA_NUL_STRING`, which [`named_nest`] completes; C leaves the UDP options unchecked
/// (`tipc_udp_enable` parses them when it needs them).
static BEARER_POLICY: [Policy; bearer::MAX + 1] = [
    Policy::unspec(),
    Policy::string(MAX_BEARER_NAME as u16),
    Policy::nested(),
    Policy::u32(),
    Policy::unspec(),
];

/// The policy of a `TIPC_NLA_BEARER_UDP_OPTS` nest (`tipc_nl_udp_policy`): addresses of at
/// most a `sockaddr_storage`.
static UDP_POLICY: [Policy; udp::MAX + 1] = [
    Policy::unspec(),
    Policy::binary(128),
    Policy::binary(128),
    Policy::unspec(),
];

/// The address in attribute `kind` of a UDP options nest: `EINVAL` without it, else as
/// [`udp_opts::parse`] reads it.
fn udp_addr(opts: &Nest<'_, { udp::MAX + 1 }>, kind: u16, local: bool) -> Result<OptAddr, Errno> {
    let a = opts.get(kind.into()).ok_or(Errno::EINVAL)?;
    udp_opts::parse(a.payload(), local)
}

/// The UDP options of a bearer to enable (`tipc_udp_enable`): `EINVAL` without them, for a
/// nest that does not parse, or without both addresses.
fn udp_options(
    req: &Request<'_, TipcGenl>,
    nest: &Nest<'_, { bearer::MAX + 1 }>,
) -> Result<Options, Errno> {
    let attr = nest.get(bearer::UDP_OPTS.into()).ok_or(Errno::EINVAL)?;
    let opts = attr.nested(&UDP_POLICY, req).map_err(|_| Errno::EINVAL)?;
    if opts.get(udp::LOCAL.into()).is_none() || opts.get(udp::REMOTE.into()).is_none() {
        pr_err!("Invalid UDP bearer configuration");
        return Err(Errno::EINVAL);
    }
    Ok(Options {
        local: udp_addr(&opts, udp::LOCAL, true)?,
        remote: udp_addr(&opts, udp::REMOTE, false)?,
    })
}

/// The request's `TIPC_NLA_BEARER` nest and the bearer name in it: `EINVAL` without either.
fn requested<'a>(req: &Request<'a, TipcGenl>) -> Result<(&'a [u8], Nest<'a, { bearer::MAX + 1 }>)> {
    named_nest(
        req,
        nla::BEARER,
        &BEARER_POLICY,
        bearer::NAME,
        MAX_BEARER_NAME,
    )
}

/// The errno of a rejection, its text in the extended ack.
fn rejected(req: &Request<'_, TipcGenl>, r: Rejection) -> Error {
    if let Some(text) = r.extack {
        req.set_err_msg(text);
    }
    Error::from_errno(-r.errno.get())
}

/// `TIPC_NL_BEARER_ENABLE` (`__tipc_nl_bearer_enable`): a name, optionally a discovery
/// domain and a priority (the media's by default).
pub(super) fn enable(req: &Request<'_, TipcGenl>, data: &Data) -> Result {
    let (name, nest) = requested(req)?;
    let domain = nest
        .get(bearer::DOMAIN.into())
        .map(|a| a.u32())
        .transpose()?
        .unwrap_or(0);
    let props = parse_props(req, nest.get(bearer::PROP.into()))?;
    enable_in(data, req.net(), name, domain, &props, || {
        udp_options(req, &nest)
    })
    .map_err(|r| rejected(req, r))
}

/// Enables bearer `name` in namespace `ns` with discovery domain `domain` and the
/// properties `props` (checked first; the priority is the media's unless given); `opts`
/// gives a UDP bearer's options. What `TIPC_NL_BEARER_ENABLE` and the legacy
/// `TIPC_CMD_ENABLE_BEARER` do once their requests are read.
pub(super) fn enable_in(
    data: &Data,
    ns: &Net,
    name: &[u8],
    domain: u32,
    props: &PropRequest,
    opts: impl FnOnce() -> Result<Options, Errno>,
) -> Result<(), Rejection> {
    props.validate().map_err(Rejection::bare)?;
    let priority = props.priority.unwrap_or(MEDIA_LINK_PRI);
    let media = *data.media.lock();
    let udp = UdpEnable {
        opts: opts(),
        tunnels: &data.udp_tunnels,
        nets: &data.nets,
    };
    cluster::enable_bearer(
        data.sockets.net_state(ns),
        ns,
        |m| media.props(m),
        name,
        domain,
        priority,
        udp,
    )
}

/// `TIPC_NL_BEARER_DISABLE`: "Bearer not found" for a name no bearer has.
pub(super) fn disable(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    cluster::disable_bearer(namespace(req), name).map_err(|r| rejected(req, r))
}

/// "Bearer not found", the answer to a name no bearer has.
const NOT_FOUND: Rejection = Rejection::invalid(c"Bearer not found");

/// Writes a UDP address attribute as C does (`__tipc_nl_add_udp_addr`).
fn put_udp_addr(msg: &mut Writer<'_>, kind: u16, a: &UdpAddr) -> Result {
    let (sa, len) = udp_opts::sockaddr(a);
    msg.put_bytes(kind, sa.get(..len).ok_or(EINVAL)?)
}

/// Writes one `TIPC_NLA_BEARER` nest (`__tipc_nl_add_bearer`): the name, then the priority,
/// tolerance and largest window, and a UDP bearer's MTU; then a UDP bearer's addresses
/// (`tipc_udp_nl_add_bearer_data`).
fn put_bearer(msg: &mut Writer<'_>, b: &Bearer, udp: Option<&UdpView>) -> Result {
    msg.nest(nla::BEARER, |msg| {
        put_name(msg, bearer::NAME, b.name.as_bytes())?;
        msg.nest(bearer::PROP, |msg| {
            msg.put_u32(prop::PRIO, b.props.priority)?;
            msg.put_u32(prop::TOL, b.props.tolerance)?;
            msg.put_u32(prop::WIN, b.props.max_win)?;
            if b.media == Media::Udp {
                msg.put_u32(prop::MTU, b.props.mtu)?;
            }
            Ok(())
        })?;
        if let Some(u) = udp {
            msg.nest(bearer::UDP_OPTS, |msg| {
                put_udp_addr(msg, udp::LOCAL, &u.local)?;
                put_udp_addr(msg, udp::REMOTE, &u.remote)?;
                if u.replicast {
                    msg.put_flag(udp::MULTI_REMOTEIP)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

/// The bearer of namespace `net` named `name` as it is now, if there is one.
pub(super) fn find(net: &TipcNet, name: &[u8]) -> Option<(Bearer, Option<UdpView>)> {
    let st = net.cluster.lock();
    let found = st
        .core
        .bearers()
        .find(name)
        .map(|b| (*b, st.udp_view(b.id)));
    drop(st);
    found
}

/// The bearer of the request's namespace named `name` as it is now: "Bearer not found"
/// (`EINVAL`) if there is none.
fn named(req: &Request<'_, TipcGenl>, name: &[u8]) -> Result<(Bearer, Option<UdpView>)> {
    find(namespace(req), name).ok_or_else(|| rejected(req, NOT_FOUND))
}

/// `TIPC_NL_BEARER_GET` for one bearer, by name.
pub(super) fn get(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    let (b, udp) = named(req, name)?;
    req.reply(cmd::BEARER_GET, |msg| put_bearer(msg, &b, udp.as_ref()))
}

/// `TIPC_NL_BEARER_GET` as a dump: one message per bearer, by slot.
pub(super) fn dump(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => 0,
        ListDump::From(i) => i as usize,
    };
    let st = tipc_net(dump).cluster.lock();
    for b in st.core.bearers().iter().filter(|b| b.id.index() >= from) {
        let udp = st.udp_view(b.id);
        if !dump.message(cmd::BEARER_GET, |msg| put_bearer(msg, b, udp.as_ref()))? {
            dump.set_state(ListDump::From(b.id.index() as u32).to_words());
            return Ok(Progress::More);
        }
    }
    Ok(Progress::Done)
}

/// `TIPC_NL_BEARER_SET` (`__tipc_nl_bearer_set`): "Bearer not found", then the property
/// check (`EINVAL`, no text); a tolerance goes to the bearer's links. An MTU is for UDP
/// bearers only ("MTU property is unsupported"), refused after the other properties were
/// applied, as in C.
pub(super) fn set(req: &Request<'_, TipcGenl>) -> Result {
    let (name, nest) = requested(req)?;
    named(req, name)?;
    let wanted = parse_props(req, nest.get(bearer::PROP.into()))?;
    set_named(namespace(req), name, &wanted).map_err(|r| rejected(req, r))
}

/// Sets the properties `wanted` of bearer `name` of namespace `net`, as `TIPC_NL_BEARER_SET`
/// does once its request is read (and the legacy `TIPC_CMD_SET_LINK_*` for a bearer's name).
pub(super) fn set_named(
    net: &Arc<TipcNet>,
    name: &[u8],
    wanted: &PropRequest,
) -> Result<(), Rejection> {
    let media = find(net, name).ok_or(NOT_FOUND)?.0.media;
    cluster::drive(net, GFP_KERNEL, |st, now| {
        if wanted.mtu.is_some() && media != Media::Udp {
            let others = PropRequest {
                mtu: None,
                ..*wanted
            };
            st.core.set_bearer(name, &others, now, GFP_ATOMIC)?;
            return Err(Rejection::invalid(c"MTU property is unsupported"));
        }
        st.core.set_bearer(name, wanted, now, GFP_ATOMIC)
    })
}

/// `TIPC_NL_BEARER_ADD` (`tipc_nl_bearer_add`): adds a UDP bearer's remote peer; for any
/// other bearer the UDP options are refused ("UDP option is unsupported") and a request
/// without them does nothing. "Bearer not found" first; then (`tipc_udp_nl_bearer_add`)
/// `EINVAL` for options that do not parse or lack the remote address, `EADDRNOTAVAIL` for
/// one of another family, `EINVAL` for a bearer whose remote address is a multicast group.
pub(super) fn add(req: &Request<'_, TipcGenl>) -> Result {
    let (name, nest) = requested(req)?;
    let media = named(req, name)?.0.media;
    let Some(attr) = nest.get(bearer::UDP_OPTS.into()) else {
        return Ok(());
    };
    if media != Media::Udp {
        return Err(rejected(
            req,
            Rejection::invalid(c"UDP option is unsupported"),
        ));
    }
    let opts = attr
        .nested(&UDP_POLICY, req)
        .map_err(|_| Error::from_errno(-Errno::EINVAL.get()))?;
    let remote = udp_addr(&opts, udp::REMOTE, false).map_err(|e| Error::from_errno(-e.get()))?;
    cluster::add_udp_remote(namespace(req), name, remote.addr).map_err(|r| rejected(req, r))
}

/// `TIPC_NL_UDP_GET_REMOTEIP` (`tipc_udp_nl_dump_remoteip`): the replicast peers of the UDP
/// bearer the request names, newest first, one message each; `EINVAL` without a name or for
/// a name no UDP bearer has.
pub(super) fn dump_udp_remotes(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    /// Peers read under the lock per round.
    const BATCH: usize = 16;
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => 0,
        ListDump::From(i) => i as usize,
    };
    let req = dump.request();
    let (name, _) = requested(&req)?;
    let mut peers = KVec::with_capacity(BATCH, GFP_KERNEL)?;
    cluster::udp_remotes(tipc_net(dump), name, from, &mut peers).ok_or(EINVAL)?;
    for (i, a) in peers.iter().enumerate() {
        if !dump.message(cmd::BEARER_GET, |msg| put_udp_addr(msg, udp::REMOTE, a))? {
            dump.set_state(ListDump::From((from + i) as u32).to_words());
            return Ok(Progress::More);
        }
    }
    if peers.len() == BATCH {
        dump.set_state(ListDump::From((from + BATCH) as u32).to_words());
        return Ok(Progress::More);
    }
    Ok(Progress::Done)
}
