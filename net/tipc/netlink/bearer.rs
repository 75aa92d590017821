// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_BEARER_ENABLE`, `_DISABLE`, `_GET`, `_SET` and `_ADD`: the bearers a
//! namespace's node sends and receives on.

use super::{media::parse_props, namespace, put_name, tipc_net, Data, TipcGenl};
use crate::{
    cluster,
    proto::{
        bearer::{
            media::Media,
            props::{PropRequest, MEDIA_LINK_PRI},
            rejection::Rejection,
            table::Bearer,
        },
        netlink::{bearer, cmd, nla, prop, ListDump},
    },
};
use kernel::{
    net::genetlink::{Dump, Nest, Policy, Progress, Request, Writer},
    prelude::*,
};

/// The policy of a `TIPC_NLA_BEARER` nest (`tipc_nl_bearer_policy`).
static BEARER_POLICY: [Policy; bearer::MAX + 1] = [
    Policy::unspec(),
    Policy::string(crate::proto::bearer::name::MAX_BEARER_NAME as u16),
    Policy::nested(),
    Policy::u32(),
    Policy::nested(),
];

/// The request's `TIPC_NLA_BEARER` nest and the bearer name in it: `EINVAL` without either.
fn requested<'a>(req: &Request<'a, TipcGenl>) -> Result<(&'a [u8], Nest<'a, { bearer::MAX + 1 }>)> {
    let nest = req
        .attr(nla::BEARER)
        .ok_or(EINVAL)?
        .nested(&BEARER_POLICY, req)?;
    let name = nest.get(bearer::NAME.into()).ok_or(EINVAL)?.string();
    Ok((name, nest))
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
    props.validate().map_err(|e| Error::from_errno(-e.get()))?;
    let priority = props.priority.unwrap_or(MEDIA_LINK_PRI);
    let media = *data.media.lock();
    let net = namespace(req);
    cluster::enable_bearer(net, req.net(), |m| media.props(m), name, domain, priority)
        .map_err(|r| rejected(req, r))
}

/// `TIPC_NL_BEARER_DISABLE`: "Bearer not found" for a name no bearer has.
pub(super) fn disable(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    cluster::disable_bearer(namespace(req), name).map_err(|r| rejected(req, r))
}

/// "Bearer not found", the answer to a name no bearer has.
const NOT_FOUND: Rejection = Rejection::invalid(c"Bearer not found");

/// Writes one `TIPC_NLA_BEARER` nest (`__tipc_nl_add_bearer`): the name, then the priority,
/// tolerance and largest window, and a UDP bearer's MTU.
fn put_bearer(msg: &mut Writer<'_>, b: &Bearer) -> Result {
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
        })
    })
}

/// The bearer of the request's namespace named `name` as it is now: "Bearer not found"
/// (`EINVAL`) if there is none.
fn named(req: &Request<'_, TipcGenl>, name: &[u8]) -> Result<Bearer> {
    let found = namespace(req)
        .cluster
        .lock()
        .core
        .bearers()
        .find(name)
        .copied();
    found.ok_or_else(|| rejected(req, NOT_FOUND))
}

/// `TIPC_NL_BEARER_GET` for one bearer, by name.
pub(super) fn get(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    let b = named(req, name)?;
    req.reply(cmd::BEARER_GET, |msg| put_bearer(msg, &b))
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
        if !dump.message(cmd::BEARER_GET, |msg| put_bearer(msg, b))? {
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
    let net = namespace(req);
    let media = named(req, name)?.media;
    let wanted = parse_props(req, nest.get(bearer::PROP.into()))?;
    cluster::drive(net, GFP_KERNEL, |st, now| {
        if wanted.mtu.is_some() && media != Media::Udp {
            let others = PropRequest {
                mtu: None,
                ..wanted
            };
            st.core.set_bearer(name, &others, now, GFP_ATOMIC)?;
            return Err(Rejection::invalid(c"MTU property is unsupported"));
        }
        st.core.set_bearer(name, &wanted, now, GFP_ATOMIC)
    })
    .map_err(|r| rejected(req, r))
}

/// `TIPC_NL_BEARER_ADD` (`tipc_nl_bearer_add`): adds a UDP bearer's remote peer; for any
/// other bearer the UDP options are refused ("UDP option is unsupported") and a request
/// without them does nothing. "Bearer not found" first.
pub(super) fn add(req: &Request<'_, TipcGenl>) -> Result {
    let (name, nest) = requested(req)?;
    let media = named(req, name)?.media;
    if nest.get(bearer::UDP_OPTS.into()).is_some() && media != Media::Udp {
        return Err(rejected(
            req,
            Rejection::invalid(c"UDP option is unsupported"),
        ));
    }
    Ok(())
}
