// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_LINK_GET`, `TIPC_NL_LINK_SET` and `TIPC_NL_LINK_RESET_STATS`: the links to the
//! peers and the broadcast link ("broadcast-link").
//!
//! A link's counters and window are the link's own (`Link::stats`, `Link::window`). The
//! broadcast link does not exist yet: its counters are zero, as C reports them for a
//! broadcast link that carried no message.

use super::{
    media::PROP_POLICY, named_nest, namespace, nested_with_name, node::peers_from, put_name,
    tipc_net, TipcGenl,
};
use crate::{
    cluster::{self, Core as Cluster, CorePeer as Peer},
    netns::TipcNet,
    proto::{
        bearer::{props::PropRequest, BearerId},
        errno::Errno,
        link::name::{LinkName, MAX_LINK_NAME},
        link::stats::LinkStats,
        netlink::{cmd, link, nla, prop},
        node::bclink::{rcv_link_name, BcLink, BcRequest, BCLINK_NAME, MODE_SEL},
    },
};
use kernel::{
    net::genetlink::{Dump, Nest, Policy, Progress, Request, Writer},
    prelude::*,
    sync::Arc,
};

/// The policy of a `TIPC_NLA_LINK` nest (`tipc_nl_link_policy`). C's name is an
/// `NLA_NUL_STRING`, which the kernel crate cannot express yet: [`nested_with_name`] completes it.
static LINK_POLICY: [Policy; link::MAX + 1] = [
    Policy::unspec(),
    Policy::string(MAX_LINK_NAME as u16),
    // `TIPC_NLA_LINK_DEST`, which C's policy leaves unchecked.
    Policy::unspec(),
    Policy::u32(),
    Policy::flag(),
    Policy::flag(),
    Policy::flag(),
    Policy::nested(),
    Policy::nested(),
    Policy::u32(),
    Policy::u32(),
];

/// `TIPC_ZONE_CLUSTER_MASK`: the zone and cluster bits of an address.
const ZONE_CLUSTER_MASK: u32 = 0xffff_f000;

/// Writes `attrs` as a nest of `u32`s.
fn put_u32_nest(
    msg: &mut Writer<'_>,
    kind: u16,
    attrs: impl Iterator<Item = (u16, u32)>,
) -> Result {
    msg.nest(kind, |msg| {
        attrs.into_iter().try_for_each(|(k, v)| msg.put_u32(k, v))
    })
}

/// One broadcast link's nest (`tipc_nl_add_bc_link`): always up, its name, no packets, its
/// window, the method and, when selecting, the ratio; counters zero.
fn put_bc_link(msg: &mut Writer<'_>, name: &[u8], bc: &BcLink, stats: &LinkStats) -> Result {
    msg.nest(nla::LINK, |msg| {
        msg.put_flag(link::UP)?;
        msg.put_flag(link::BROADCAST)?;
        put_name(msg, link::NAME, name)?;
        msg.put_u32(link::RX, 0)?;
        msg.put_u32(link::TX, 0)?;
        msg.nest(link::PROP, |msg| {
            msg.put_u32(prop::WIN, bc.window())?;
            msg.put_u32(prop::BROADCAST, bc.mode())?;
            if bc.mode() & MODE_SEL != 0 {
                msg.put_u32(prop::BROADCAST_RATIO, bc.ratio())?;
            }
            Ok(())
        })?;
        put_u32_nest(msg, link::STATS, stats.bc_nl_counters())
    })
}

/// What `TIPC_NL_LINK_GET` says of one link, read under the cluster's lock.
pub(super) struct LinkView {
    pub(super) name: LinkName,
    dest: u32,
    pub(super) mtu: u32,
    pub(super) up: bool,
    pub(super) active: bool,
    pub(super) priority: u32,
    pub(super) tolerance: u32,
    pub(super) window: u32,
    pub(super) stats: LinkStats,
}

impl LinkView {
    /// The link of `peer` on bearer `b`, if there is one.
    pub(super) fn new(core: &Cluster, peer: &Peer, b: BearerId) -> Option<Self> {
        let l = peer.link(b)?;
        Some(Self {
            name: *l.name(),
            dest: core.own().addr() & ZONE_CLUSTER_MASK,
            mtu: l.mtu(),
            up: l.is_up(),
            active: peer.active().contains(&Some(b)),
            priority: l.priority(),
            tolerance: l.tolerance(),
            window: l.window(),
            stats: *l.stats(),
        })
    }

    /// Its nest (`__tipc_nl_add_link`): name, cluster, MTU, packets, up and active flags,
    /// priority, tolerance, window and, as C has it, the priority again; the counters.
    fn put(&self, msg: &mut Writer<'_>) -> Result {
        msg.nest(nla::LINK, |msg| {
            put_name(msg, link::NAME, self.name.as_bytes())?;
            msg.put_u32(link::DEST, self.dest)?;
            msg.put_u32(link::MTU, self.mtu)?;
            msg.put_u32(link::RX, self.stats.recv_pkts)?;
            msg.put_u32(link::TX, self.stats.sent_pkts)?;
            if self.up {
                msg.put_flag(link::UP)?;
            }
            if self.active {
                msg.put_flag(link::ACTIVE)?;
            }
            msg.nest(link::PROP, |msg| {
                msg.put_u32(prop::PRIO, self.priority)?;
                msg.put_u32(prop::TOL, self.tolerance)?;
                msg.put_u32(prop::WIN, self.window)?;
                msg.put_u32(prop::PRIO, self.priority)
            })?;
            put_u32_nest(msg, link::STATS, self.stats.nl_counters())
        })
    }
}

/// The peer with the link named `name`, and its bearer (`tipc_node_find_by_name`).
fn find<'c>(core: &'c Cluster, name: &[u8]) -> Option<(&'c Peer, BearerId)> {
    core.peers().iter().find_map(|p| {
        let b =
            BearerId::all().find(|&b| p.link(b).is_some_and(|l| l.name().as_bytes() == name))?;
        Some((p, b))
    })
}

/// The request's `TIPC_NLA_LINK` nest and the link name in it: `EINVAL` without either.
fn requested<'a>(req: &Request<'a, TipcGenl>) -> Result<(&'a [u8], Nest<'a, { link::MAX + 1 }>)> {
    named_nest(req, nla::LINK, &LINK_POLICY, link::NAME, MAX_LINK_NAME)
}

/// `TIPC_NL_LINK_GET` for one link (`tipc_nl_node_get_link`): "broadcast-link" or a link's
/// name; `EINVAL` for any other. C marks the broadcast link's reply `NLM_F_MULTI`, which our
/// replies never are.
pub(super) fn get(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    let st = namespace(req).cluster.lock();
    if name == BCLINK_NAME {
        let bc = *st.core.bclink();
        drop(st);
        let idle = LinkStats::default();
        return req.reply(cmd::LINK_GET, |msg| {
            put_bc_link(msg, BCLINK_NAME, &bc, &idle)
        });
    }
    let view = find(&st.core, name).and_then(|(p, b)| LinkView::new(&st.core, p, b));
    drop(st);
    // The reply's buffer is allocated with GFP_KERNEL: not under the lock.
    let view = view.ok_or(EINVAL)?;
    req.reply(cmd::LINK_GET, |msg| view.put(msg))
}

/// How far a link dump has come, in the dump's words: word 0 is 0 before the broadcast
/// link went, 1 after it (then words 1 and 2 say the peer and the slot to go on from: a
/// bearer, or `MAX_BEARERS` for the peer's broadcast receive link), 2 when all went.
#[derive(Clone, Copy)]
enum Cursor {
    Start,
    At { peer: u32, slot: usize },
    Done,
}

impl Cursor {
    fn from_words(w: [u64; 5]) -> Self {
        match w[0] {
            0 => Self::Start,
            1 => Self::At {
                peer: w[1] as u32,
                slot: w[2] as usize,
            },
            _ => Self::Done,
        }
    }

    fn to_words(self) -> [u64; 5] {
        match self {
            Self::Start => [0; 5],
            Self::At { peer, slot } => [1, peer.into(), slot as u64, 0, 0],
            Self::Done => [2, 0, 0, 0, 0],
        }
    }
}

/// Whether the dump asks for the peers' broadcast receive links too: a `TIPC_NLA_LINK` nest
/// with the `BROADCAST` flag; a nest without it is `EINVAL` (`tipc_nl_node_dump_link`).
fn with_rcv_links(dump: &Dump<'_, TipcGenl>) -> Result<bool> {
    let req = dump.request();
    let Some(attr) = req.attr(nla::LINK) else {
        return Ok(false);
    };
    let nest = nested_with_name(attr, &LINK_POLICY, link::NAME, MAX_LINK_NAME, &req)?;
    nest.get(link::BROADCAST.into()).map(|_| true).ok_or(EINVAL)
}

/// `TIPC_NL_LINK_GET` as a dump (`tipc_nl_node_dump_link`): the broadcast link first, then
/// each peer's links by bearer, peers in address order, each followed by its broadcast
/// receive link if asked for. A receive link's window is the broadcast link's now, where C
/// keeps the one it had when the peer was found.
pub(super) fn dump(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
    let mut cur = Cursor::from_words(dump.state());
    if matches!(cur, Cursor::Done) {
        return Ok(Progress::Done);
    }
    let rcv_links = with_rcv_links(dump)?;
    let st = tipc_net(dump).cluster.lock();
    let core = &st.core;
    let bc = *core.bclink();
    if matches!(cur, Cursor::Start) {
        let idle = LinkStats::default();
        if !dump.message(cmd::LINK_GET, |msg| {
            put_bc_link(msg, BCLINK_NAME, &bc, &idle)
        })? {
            return Ok(Progress::More);
        }
        cur = Cursor::At { peer: 0, slot: 0 };
    }
    let Cursor::At {
        peer: from,
        slot: first,
    } = cur
    else {
        return Ok(Progress::Done);
    };
    for p in peers_from(core, from) {
        let start = if p.addr() == from { first } else { 0 };
        for slot in start..=BearerId::all().count() {
            let sent = match BearerId::new(slot) {
                Some(b) => match LinkView::new(core, p, b) {
                    Some(view) => dump.message(cmd::LINK_GET, |msg| view.put(msg))?,
                    None => true,
                },
                None if rcv_links => {
                    let (name, len) = rcv_link_name(p.id(), p.addr());
                    let name = name.get(..len).unwrap_or(&[]);
                    let stats = p.bc().stats();
                    dump.message(cmd::LINK_GET, |msg| put_bc_link(msg, name, &bc, stats))?
                }
                None => true,
            };
            if !sent {
                dump.set_state(
                    Cursor::At {
                        peer: p.addr(),
                        slot,
                    }
                    .to_words(),
                );
                return Ok(Progress::More);
            }
        }
    }
    Ok(Progress::Done)
}

/// The properties a `TIPC_NLA_LINK_PROP` nest asks for, with the broadcast link's two
/// (`tipc_nl_parse_link_prop`; [`set_named`] checks their values).
fn link_props(
    req: &Request<'_, TipcGenl>,
    nest: &Nest<'_, { link::MAX + 1 }>,
) -> Result<Option<(PropRequest, BcRequest)>> {
    let Some(attr) = nest.get(link::PROP.into()) else {
        return Ok(None);
    };
    let props = super::media::parse_props(req, Some(attr))?;
    let raw = attr.nested(&PROP_POLICY, req)?;
    let get = |kind: u16| raw.get(kind.into()).map(|a| a.u32()).transpose();
    let bc = BcRequest {
        window: props.window,
        mode: get(prop::BROADCAST)?,
        ratio: get(prop::BROADCAST_RATIO)?,
    };
    Ok(Some((props, bc)))
}

/// The kernel error of a core errno.
fn errno(e: Errno) -> Error {
    Error::from_errno(-e.get())
}

/// `TIPC_NL_LINK_SET` (`tipc_nl_node_set_link`): for "broadcast-link", the properties are
/// required (`EINVAL`) and go by [`BcLink::set`]; for another name, `EINVAL` unless a link
/// has it, then the property check (`EINVAL`), then tolerance and priority go to the link
/// and its peer. A window is accepted and changes nothing a link reports yet (C's too stays
/// at its smallest until traffic widens it).
pub(super) fn set(req: &Request<'_, TipcGenl>) -> Result {
    let (name, nest) = requested(req)?;
    let net = namespace(req);
    if name != BCLINK_NAME && find(&net.cluster.lock().core, name).is_none() {
        return Err(EINVAL);
    }
    set_named(net, name, link_props(req, &nest)?).map_err(errno)
}

/// Sets the properties `props` asks for (values checked here, bad ones `EINVAL`) of the
/// link named `name` in namespace `net`: what `TIPC_NL_LINK_SET` does once its request is
/// read (and the legacy `TIPC_CMD_SET_LINK_*` for a link's name).
pub(super) fn set_named(
    net: &Arc<TipcNet>,
    name: &[u8],
    props: Option<(PropRequest, BcRequest)>,
) -> Result<(), Errno> {
    if name == BCLINK_NAME {
        let (props, bc) = props.ok_or(Errno::EINVAL)?;
        props.validate()?;
        return net.cluster.lock().core.bclink_mut().set(&bc);
    }
    if find(&net.cluster.lock().core, name).is_none() {
        return Err(Errno::EINVAL);
    }
    let Some((props, _)) = props else {
        return Ok(());
    };
    props.validate()?;
    cluster::drive(net, GFP_KERNEL, |st, now| {
        st.core.set_link(name, &props, now, GFP_ATOMIC)
    })
}

/// `TIPC_NL_LINK_RESET_STATS` (`tipc_nl_node_reset_link_stats`): the broadcast link, a
/// peer's broadcast receive link ("broadcast-link:<peer>") or a link, by name; `EINVAL` for
/// a name none has. The broadcast links' counters are zero already (no broadcast link yet).
pub(super) fn reset_stats(req: &Request<'_, TipcGenl>) -> Result {
    let (name, _) = requested(req)?;
    reset_named(namespace(req), name).map_err(errno)
}

/// Resets the counters of the link named `name` in namespace `net`: what
/// `TIPC_NL_LINK_RESET_STATS` does once its request is read (and the legacy
/// `TIPC_CMD_RESET_LINK_STATS`).
pub(super) fn reset_named(net: &TipcNet, name: &[u8]) -> Result<(), Errno> {
    if name == BCLINK_NAME {
        return Ok(());
    }
    let mut st = net.cluster.lock();
    let found = if name.windows(BCLINK_NAME.len()).any(|w| w == BCLINK_NAME) {
        st.core.reset_bc_rcv_stats(name).is_ok()
    } else {
        st.core.reset_link_stats(name).is_ok()
    };
    if found {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}
