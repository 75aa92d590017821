// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_BEARER_ENABLE` and `TIPC_NL_BEARER_DISABLE`: the bearers a namespace's node
//! sends and receives on.

use super::{media::parse_props, namespace, Data, TipcGenl};
use crate::{
    cluster,
    proto::{
        bearer::{props::MEDIA_LINK_PRI, rejection::Rejection},
        netlink::{bearer, nla},
    },
};
use kernel::{
    net::genetlink::{Nest, Policy, Request},
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
    props
        .validate()
        .map_err(|e| Error::from_errno(-e.get()))?;
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
