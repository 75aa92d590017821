// SPDX-License-Identifier: GPL-2.0

//! The legacy generic netlink family "TIPC" (`TIPC_GENL_NAME`), which the C module still
//! serves beside `TIPCv2` (`net/tipc/netlink_compat.c`): one command, `TIPC_GENL_CMD`,
//! whose fixed header (`struct tipc_genlmsghdr`) names a `TIPC_CMD_*` and whose TLV carries
//! its argument; the reply repeats the request's headers before its TLVs.
//!
//! Each command is answered from the same namespace state and through the same functions as
//! the `TIPCv2` operation C translates it into: [`list`] for the answers made of TLVs,
//! [`show`] for the text ones, [`config`] for the changes. The rules (which commands need
//! `CAP_NET_ADMIN`, which TLV each reads, how failures are answered) and the formats are the
//! core's ([`crate::proto::legacy`]).

mod config;
mod list;
mod show;

use super::{Data, Sockets};
use crate::{
    kalloc::{AllocError, GFP_KERNEL},
    netns::TipcNet,
    proto::{
        errno::Errno,
        legacy::{
            cfg_error, error_text, needs_net_admin, reply::Reply, tlv, Command, GENL_CMD, HDRLEN,
            VERSION,
        },
    },
};
use kernel::{
    net::{
        genetlink::{
            validate::{DONT_VALIDATE_DUMP, DONT_VALIDATE_STRICT},
            Family, Op, Policy, Request, Slot,
        },
        pernet::Net,
    },
    prelude::*,
    sync::Arc,
};

/// The legacy "TIPC" family.
pub(crate) struct LegacyGenl;

static SLOT: Slot<LegacyGenl> = Slot::new();

/// Its one operation, with C's validation flags: no permission flag, as the command decides.
static OPS: [Op; 1] = [Op::doit(GENL_CMD).validate(DONT_VALIDATE_STRICT | DONT_VALIDATE_DUMP)];

impl Family for LegacyGenl {
    type Data = Arc<Data>;
    const NAME: &'static CStr = c"TIPC";
    const VERSION: u8 = VERSION;
    const HDRSIZE: u32 = HDRLEN as u32;
    const MAX_ATTR: u16 = 0;
    const POLICY: &'static [Policy] = &[];
    const RESV_START_OP: u8 = GENL_CMD + 1;
    const OPS: &'static [Op] = &OPS;

    fn slot() -> &'static Slot<Self> {
        &SLOT
    }

    /// Answers a `TIPC_CMD_*` (`tipc_nl_compat_recv`): the reply (TLVs, or an error string
    /// TLV) goes first, then the error, if any, as the request's acknowledgement.
    fn doit(_cmd: u8, req: &mut Request<'_, Self>) -> Result {
        let payload = req.payload();
        // Generic netlink delivers no request shorter than the family's header.
        let cmd = payload
            .get(4..6)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_ne_bytes);
        let body = payload.get(HDRLEN..).unwrap_or(&[]);
        let (reply, result) = answer(req, cmd, tlv::Request::new(body));
        if let Some(reply) = reply {
            // As in C, whether the reply reached the sender does not change the answer.
            let _ = req.reply_raw(reply.bytes());
        }
        result.map_err(|e| Error::from_errno(-e.get()))
    }
}

/// The reply and the result of command `cmd` with argument `arg`.
fn answer(
    req: &Request<'_, LegacyGenl>,
    cmd: u16,
    arg: tlv::Request<'_>,
) -> (Option<Reply>, Result<(), Errno>) {
    let error = |text: &[u8]| Reply::error(text, GFP_KERNEL).ok();
    if needs_net_admin(cmd) && !req.net_admin() {
        return (error(cfg_error::NOT_NET_ADMIN), Err(Errno::EACCES));
    }
    if !arg.well_formed() {
        return (error(cfg_error::NOT_SUPPORTED), Err(Errno::EOPNOTSUPP));
    }
    match handle(req, cmd, arg) {
        Ok(reply) => (Some(reply), Ok(())),
        Err(e) => (error_text(e).and_then(error), Err(e)),
    }
}

/// Serves command `cmd`: `EOPNOTSUPP` for one C does not serve, `EINVAL` for an argument
/// of the wrong type.
fn handle(req: &Request<'_, LegacyGenl>, cmd: u16, arg: tlv::Request<'_>) -> Result<Reply, Errno> {
    let c = Command::from_u16(cmd).ok_or(Errno::EOPNOTSUPP)?;
    if c.request_type().is_some_and(|ty| !arg.has_type(ty)) {
        return Err(Errno::EINVAL);
    }
    let data = req.data();
    let ns = req.net();
    let net = net_state(&data.sockets, ns);
    match c {
        Command::Noop => Ok(Reply::empty()),
        Command::GetNodes => list::nodes(net),
        Command::GetMediaNames => list::media(),
        Command::GetBearerNames => list::bearers(net),
        Command::GetLinks => list::links(net),
        Command::GetNetid => list::net_id(net),
        Command::ShowNameTable => show::name_table(net, arg),
        Command::ShowPorts => show::ports(net),
        Command::ShowLinkStats => show::link_stats(net, arg),
        Command::ShowStats => show::version(),
        Command::EnableBearer => config::enable_bearer(data, ns, arg),
        Command::DisableBearer => config::disable_bearer(net, arg),
        Command::SetLinkTol | Command::SetLinkPri | Command::SetLinkWindow => {
            config::set_link(data, net, c, arg)
        }
        Command::ResetLinkStats => config::reset_link_stats(net, arg),
        Command::SetNodeAddr | Command::SetNetid => config::set_net(net, c, arg),
    }
}

/// The state of namespace `ns`.
fn net_state<'a>(sockets: &'a Sockets, ns: &'a Net) -> &'a Arc<TipcNet> {
    sockets.net_state(ns)
}

/// `ENOMEM`, for an allocation that failed.
fn no_memory(_: AllocError) -> Errno {
    Errno::ENOMEM
}
