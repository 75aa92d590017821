// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_MEDIA_GET` and `TIPC_NL_MEDIA_SET`: the media TIPC runs on and the link
//! properties they give new bearers, which every namespace shares, as in the C module.

use super::{Data, TipcGenl};
use crate::proto::{
    bearer::{
        media::{Media, MediaProps, MIN_UDP_MTU},
        props::PropRequest,
        rejection::Rejection,
    },
    netlink::{cmd, media, nla, prop, ListDump},
};
use kernel::{
    net::genetlink::{Attr, Dump, Nest, Policy, Progress, Request, Writer},
    prelude::*,
};

/// The properties of each media, in [`Media::ALL`]'s order.
#[derive(Clone, Copy)]
pub(crate) struct MediaTable([MediaProps; Media::ALL.len()]);

impl MediaTable {
    /// Every media with the C module's defaults.
    pub(crate) fn new() -> Self {
        Self(Media::ALL.map(MediaProps::default_for))
    }

    /// The properties of `media`.
    fn get_mut(&mut self, media: Media) -> &mut MediaProps {
        let [eth, udp] = &mut self.0;
        match media {
            Media::Eth => eth,
            Media::Udp => udp,
        }
    }
}

/// The policy of a `TIPC_NLA_MEDIA` nest (`tipc_nl_media_policy`).
static MEDIA_POLICY: [Policy; media::MAX + 1] =
    [Policy::unspec(), Policy::string(0), Policy::nested()];

/// The policy of a `TIPC_NLA_*_PROP` nest (`tipc_nl_prop_policy`). C also bounds the MTU to
/// `U16_MAX` in the policy, which the kernel crate cannot express yet: [`props`] checks it.
/// C parses this nest without an extended ack, where ours reports a malformed attribute in
/// it with the kernel's text.
pub(super) static PROP_POLICY: [Policy; prop::MAX + 1] = [
    Policy::unspec(),
    Policy::u32(),
    Policy::u32(),
    Policy::u32(),
    Policy::u32(),
    Policy::u32(),
    Policy::u32(),
];

/// The media's name as netlink carries it.
pub(super) fn name(m: Media) -> &'static CStr {
    match m {
        Media::Eth => c"eth",
        Media::Udp => c"udp",
    }
}

/// Writes one `TIPC_NLA_MEDIA` nest, as C's `__tipc_nl_add_media`: the name, then the
/// priority, tolerance and largest window, and the MTU of UDP.
fn put_media(msg: &mut Writer<'_>, m: Media, p: &MediaProps) -> Result {
    msg.nest(nla::MEDIA, |msg| {
        msg.put_string(media::NAME, name(m))?;
        msg.nest(media::PROP, |msg| {
            msg.put_u32(prop::PRIO, p.priority)?;
            msg.put_u32(prop::TOL, p.tolerance)?;
            msg.put_u32(prop::WIN, p.max_win)?;
            if m == Media::Udp {
                msg.put_u32(prop::MTU, p.mtu)?;
            }
            Ok(())
        })
    })
}

/// The request's `TIPC_NLA_MEDIA` nest and the media it names, with C's answers: `EINVAL`
/// without the nest or the name, and "Media not found" for an unknown name.
fn requested<'a>(req: &Request<'a, TipcGenl>) -> Result<(Media, Nest<'a, { media::MAX + 1 }>)> {
    let nest = req
        .attr(nla::MEDIA)
        .ok_or(EINVAL)?
        .nested(&MEDIA_POLICY, req)?;
    let named = nest.get(media::NAME.into()).ok_or(EINVAL)?;
    let Some(m) = Media::find(named.string()) else {
        req.set_err_msg(c"Media not found");
        return Err(EINVAL);
    };
    Ok((m, nest))
}

/// The properties a `TIPC_NLA_MEDIA_PROP` nest asks for.
fn props(req: &Request<'_, TipcGenl>, nest: &Nest<'_, { media::MAX + 1 }>) -> Result<PropRequest> {
    parse_props(req, nest.get(media::PROP.into()))
}

/// The properties a `TIPC_NLA_*_PROP` nest asks for (none without the nest); an MTU past
/// `U16_MAX` is `ERANGE`, as C's policy answers.
pub(super) fn parse_props(
    req: &Request<'_, TipcGenl>,
    attr: Option<Attr<'_>>,
) -> Result<PropRequest> {
    let Some(attr) = attr else {
        return Ok(PropRequest::default());
    };
    let props = attr.nested(&PROP_POLICY, req)?;
    let get = |kind: u16| props.get(kind.into()).map(|a| a.u32()).transpose();
    let mtu = get(prop::MTU)?;
    if mtu.is_some_and(|m| m > u32::from(u16::MAX)) {
        // The answer of C's policy range, which parses properties without an extended ack.
        return Err(ERANGE);
    }
    Ok(PropRequest {
        priority: get(prop::PRIO)?,
        tolerance: get(prop::TOL)?,
        window: get(prop::WIN)?,
        mtu,
    })
}

impl MediaTable {
    /// The properties of `media`, as a bearer enabled now starts from.
    pub(crate) fn props(&self, media: Media) -> MediaProps {
        let [eth, udp] = self.0;
        match media {
            Media::Eth => eth,
            Media::Udp => udp,
        }
    }
}

/// `TIPC_NL_MEDIA_GET` for one media: the reply has its nest.
pub(super) fn get(req: &Request<'_, TipcGenl>, data: &Data) -> Result {
    let (m, _) = requested(req)?;
    let p = *data.media.lock().get_mut(m);
    req.reply(cmd::MEDIA_GET, |msg| put_media(msg, m, &p))
}

/// `TIPC_NL_MEDIA_SET`: changes the properties of a media, for the bearers enabled from now
/// on, with C's checks and answers.
pub(super) fn set(req: &Request<'_, TipcGenl>, data: &Data) -> Result {
    let (m, nest) = requested(req)?;
    let wanted = props(req, &nest)?;
    set_media(data, m, &wanted).map_err(|r| {
        if let Some(text) = r.extack {
            req.set_err_msg(text);
        }
        Error::from_errno(-r.errno.get())
    })
}

/// Changes the properties of media `m` to `wanted`, with C's checks: what `TIPC_NL_MEDIA_SET`
/// does once its request is read (and the legacy `TIPC_CMD_SET_LINK_*` for a media's name).
pub(super) fn set_media(data: &Data, m: Media, wanted: &PropRequest) -> Result<(), Rejection> {
    data.media.lock().get_mut(m).apply(m, wanted, MIN_UDP_MTU)
}

/// `TIPC_NL_MEDIA_GET` as a dump: one message per media, resumed at the one that did not fit.
pub(super) fn dump(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let from = match ListDump::from_words(dump.state()) {
        ListDump::Done => return Ok(Progress::Done),
        ListDump::Start => 0,
        ListDump::From(i) => i,
    };
    let table = dump.data().media.lock().0;
    for (i, (m, p)) in Media::ALL
        .iter()
        .zip(table.iter())
        .enumerate()
        .skip(from as usize)
    {
        if !dump.message(cmd::MEDIA_GET, |msg| put_media(msg, *m, p))? {
            dump.set_state(ListDump::From(i as u32).to_words());
            return Ok(Progress::More);
        }
    }
    Ok(Progress::Done)
}
