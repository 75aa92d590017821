// SPDX-License-Identifier: GPL-2.0

//! `TIPC_NL_NAME_TABLE_GET`: every publication of the namespace's name table.

use super::{put_u32s, tipc_net, TipcGenl};
use crate::proto::netlink::{cmd, nla, publ_attrs, TableDump, NAME_TABLE_PUBL};
use kernel::{
    net::genetlink::{Dump, Progress},
    prelude::*,
};

/// `TIPC_NL_NAME_TABLE_GET`: one message per publication, in table order, resumed where the
/// last buffer filled up.
pub(super) fn dump_name_table(dump: &mut Dump<'_, TipcGenl>) -> Result<Progress> {
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
