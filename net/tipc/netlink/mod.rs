// SPDX-License-Identifier: GPL-2.0

//! The `TIPCv2` generic netlink family: the C module's operations, with its permissions and
//! validation, answered from each namespace's state.
//!
//! Operations whose subsystem does not exist yet (bearers, links, monitor, keys) are
//! registered all the same, so that permissions and validation behave as with the C module;
//! they answer `EOPNOTSUPP` with a message in the extended ack. One file per group of
//! commands.

mod bearer;
mod legacy;
mod link;
mod media;
mod name_table;
mod net;
mod node;
mod peer;
mod sock;
mod sock_diag;

use crate::{
    netns::{NetSlot, TipcNet},
    proto::netlink::{cmd, nla, nul_string_refusal, FAMILY_VERSION},
    socket::TipcFamily,
    udp,
};
use kernel::{
    net::{
        genetlink::{
            flags::UNS_ADMIN_PERM,
            not_supported,
            validate::{DONT_VALIDATE_DUMP, DONT_VALIDATE_DUMP_STRICT, DONT_VALIDATE_STRICT},
            Attr, Dump, Family, Nest, Op, Policy, Progress, Request, Slot, Writer,
        },
        pernet, socket,
    },
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};
pub(crate) use legacy::LegacyGenl;
use media::MediaTable;
pub(crate) use sock_diag::TipcDiag;

/// The `TIPCv2` family.
pub(crate) struct TipcGenl;

static SLOT: Slot<TipcGenl> = Slot::new();

/// The sockets' registration, which holds every namespace's state: the family's handlers reach
/// that state through it, and it outlives the family, which owns it.
pub(crate) type Sockets = socket::Registration<TipcFamily>;

/// What the handlers of both families (`TIPCv2` and the legacy "TIPC") share.
pub(crate) struct Data {
    /// The UDP bearers' sockets of every namespace: unregistered first, which releases them.
    udp_tunnels: udp::Tunnels,
    /// Every namespace's state, which UDP bearers' sockets hand their datagrams to.
    nets: Arc<pernet::Registration<NetSlot>>,
    /// The socket family's registration, with every namespace's state.
    sockets: Sockets,
    /// The media's properties, which every namespace shares, as in C. Netlink handlers only
    /// (process context).
    media: Pin<KBox<SpinLock<MediaTable>>>,
}

impl Data {
    /// The handlers' data around the socket family's registration.
    pub(crate) fn new(
        sockets: Sockets,
        udp_tunnels: udp::Tunnels,
        nets: Arc<pernet::Registration<NetSlot>>,
    ) -> Result<Self> {
        Ok(Self {
            udp_tunnels,
            nets,
            sockets,
            media: KBox::pin_init(new_spinlock!(MediaTable::new(), "tipc_media"), GFP_KERNEL)?,
        })
    }
}

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
    type Data = Arc<Data>;
    const NAME: &'static CStr = c"TIPCv2";
    const VERSION: u8 = FAMILY_VERSION;
    const MAX_ATTR: u16 = nla::MAX;
    const POLICY: &'static [Policy] = &POLICY;
    const RESV_START_OP: u8 = cmd::ADDR_LEGACY_GET + 1;
    const OPS: &'static [Op] = &OPS;

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    fn doit(cmd: u8, req: &mut Request<'_, Self>) -> Result {
        let data = req.data();
        match cmd {
            cmd::BEARER_ENABLE => bearer::enable(req, data),
            cmd::BEARER_DISABLE => bearer::disable(req),
            cmd::NET_SET => net::set(req),
            cmd::BEARER_GET => bearer::get(req),
            cmd::BEARER_SET => bearer::set(req),
            cmd::BEARER_ADD => bearer::add(req),
            cmd::LINK_GET => link::get(req),
            cmd::LINK_SET => link::set(req),
            cmd::LINK_RESET_STATS => link::reset_stats(req),
            cmd::MEDIA_GET => media::get(req, data),
            cmd::MEDIA_SET => media::set(req, data),
            cmd::PEER_REMOVE => peer::remove(req),
            cmd::ADDR_LEGACY_GET => net::addr_legacy_get(req),
            _ => {
                req.set_err_msg(c"not supported by tipc-rs yet");
                Err(not_supported())
            }
        }
    }

    fn dumpit(cmd: u8, dump: &mut Dump<'_, Self>) -> Result<Progress> {
        match cmd {
            cmd::NET_GET => net::dump_net(dump),
            cmd::NAME_TABLE_GET => name_table::dump_name_table(dump),
            cmd::SOCK_GET => sock::dump_sockets(dump),
            cmd::PUBL_GET => sock::dump_sock_publications(dump),
            cmd::MEDIA_GET => media::dump(dump),
            cmd::BEARER_GET => bearer::dump(dump),
            cmd::UDP_GET_REMOTEIP => bearer::dump_udp_remotes(dump),
            cmd::LINK_GET => link::dump(dump),
            cmd::NODE_GET => node::dump_nodes(dump),
            _ => {
                dump.request().set_err_msg(c"not supported by tipc-rs yet");
                Err(not_supported())
            }
        }
    }
}

/// Parses `attr` as C's `nla_parse_nested_deprecated` with `policy` parses it, attribute
/// `name` being an `NLA_NUL_STRING` of at most `max` bytes, which [`Policy`] cannot express
/// yet (the policy has it as `NLA_STRING`): a name without its NUL is `EINVAL`, with the
/// kernel's text ([`nul_string_refusal`]).
pub(super) fn nested_with_name<'a, const N: usize>(
    attr: Attr<'a>,
    policy: &'static [Policy; N],
    name: u16,
    max: usize,
    req: &Request<'_, TipcGenl>,
) -> Result<Nest<'a, N>> {
    if let Some(e) = nul_string_refusal(attr.payload(), name, max) {
        req.set_err_msg(c"Attribute failed policy validation");
        return Err(Error::from_errno(-e.get()));
    }
    attr.nested(policy, req)
}

/// The request's nest `attr`, parsed by [`nested_with_name`], and the name in it: `EINVAL`
/// without either (the bearer and link commands' `requested`).
pub(super) fn named_nest<'a, const N: usize>(
    req: &Request<'a, TipcGenl>,
    attr: u16,
    policy: &'static [Policy; N],
    name: u16,
    max: usize,
) -> Result<(&'a [u8], Nest<'a, N>)> {
    let nest = nested_with_name(req.attr(attr).ok_or(EINVAL)?, policy, name, max, req)?;
    let name = nest.get(name.into()).ok_or(EINVAL)?.string();
    Ok((name, nest))
}

/// The namespace state of the request's sender.
pub(super) fn namespace<'a>(req: &Request<'a, TipcGenl>) -> &'a Arc<TipcNet> {
    req.data().sockets.net_state(req.net())
}

/// The namespace state of the dump's requester.
pub(super) fn tipc_net<'a>(dump: &Dump<'a, TipcGenl>) -> &'a TipcNet {
    dump.data().sockets.net_state(dump.net())
}

/// Writes a string attribute of `bytes` and the NUL C's `nla_put_string` adds; a name longer
/// than any TIPC name (79 bytes) is cut short.
pub(super) fn put_name(msg: &mut Writer<'_>, kind: u16, bytes: &[u8]) -> Result {
    let mut buf = [0u8; 80];
    let n = bytes.len().min(buf.len() - 1);
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    msg.put_bytes(kind, buf.get(..=n).unwrap_or(&[]))
}

/// Writes `u32` attributes in order.
pub(super) fn put_u32s(msg: &mut Writer<'_>, attrs: &[(u16, u32)]) -> Result {
    attrs.iter().try_for_each(|&(kind, v)| msg.put_u32(kind, v))
}
