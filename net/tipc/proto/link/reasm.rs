// SPDX-License-Identifier: GPL-2.0

//! A link's reassembly of fragmented messages (`tipc_buf_append` on `l->reasm_buf`): one
//! message in progress, at most [`MAX_MSG_SIZE`] bytes, its size known from the first
//! fragment (the message's own header). The fragments come in the link's order; a fragment
//! that does not fit (a first one while a message is in progress, a later one without a
//! first, out of number, overrunning or falling short of the size) is an error, which makes
//! the link fail as in C ("Unable to build fragment list").

use super::buf::PacketBuf;
use crate::kalloc::Flags;
use crate::proto::wire::consts::INT_H_SIZE;
use crate::proto::wire::error::{Error, Result};
use crate::proto::wire::fragment::{FragType, FragmentRepr};
use crate::proto::wire::header::Packet;
use crate::proto::wire::reassembly::inner_size;

#[derive(Debug)]
struct InProgress<B> {
    head: B,
    expected: usize,
    next_no: u16,
}

/// The message being reassembled, if any.
#[derive(Debug)]
pub(crate) struct Reasm<B> {
    cur: Option<InProgress<B>>,
}

impl<B> Default for Reasm<B> {
    fn default() -> Self {
        Self { cur: None }
    }
}

impl<B: PacketBuf> Reasm<B> {
    /// Whether a message is in progress.
    pub(crate) fn in_progress(&self) -> bool {
        self.cur.is_some()
    }

    /// Drops the message in progress (link reset).
    pub(crate) fn purge(&mut self) {
        self.cur = None;
    }

    /// Takes fragment `frag`; the whole message once its last fragment came.
    pub(crate) fn push(&mut self, frag: B, flags: Flags) -> Result<Option<B>> {
        let r = self.step(frag, flags);
        if r.is_err() {
            self.cur = None;
        }
        r
    }

    fn step(&mut self, mut frag: B, flags: Flags) -> Result<Option<B>> {
        let p = Packet::new_checked(frag.bytes())?;
        let repr = FragmentRepr::parse(&p)?;
        let data_len = p.payload_len();
        if repr.msg_type == FragType::First {
            if self.cur.is_some() {
                return Err(Error::FragmentUnexpectedFirst);
            }
            let expected = inner_size(p.payload())?;
            if data_len >= expected {
                return Err(Error::ReassemblyLength);
            }
            if !frag.pull(INT_H_SIZE) {
                return Err(Error::ReassemblyLength);
            }
            if !frag.reserve_tail(expected - frag.len(), flags) {
                return Err(Error::ReassemblyTooLarge);
            }
            self.cur = Some(InProgress {
                head: frag,
                expected,
                next_no: 2,
            });
            return Ok(None);
        }
        let Some(cur) = self.cur.as_mut() else {
            return Err(Error::FragmentNoFirst);
        };
        if repr.fragm_no != cur.next_no {
            return Err(Error::FragmentOutOfOrder);
        }
        let end = cur.head.len() + data_len;
        let last = repr.msg_type == FragType::Last;
        if end > cur.expected || (!last && end == cur.expected) || (last && end != cur.expected) {
            return Err(Error::ReassemblyLength);
        }
        cur.head
            .append(frag, INT_H_SIZE, 0, flags)
            .map_err(|_| Error::ReassemblyTooLarge)?;
        cur.next_no = cur
            .next_no
            .checked_add(1)
            .ok_or(Error::FragmentOutOfOrder)?;
        if !last {
            return Ok(None);
        }
        let Some(done) = self.cur.take() else {
            return Err(Error::FragmentNoFirst);
        };
        Packet::new_checked(done.head.bytes()).map_err(|_| Error::ReassemblyInner)?;
        Ok(Some(done.head))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::Reasm;
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::link::buf::PacketBuf;
    use crate::proto::link::testing::data_msg;
    use crate::proto::wire::consts::Importance;
    use crate::proto::wire::fragment::cut;

    #[test]
    fn the_first_fragment_takes_the_whole_messages_room() {
        let msg = data_msg(1, 2, Importance::Low, 7, &[0x5a; 60_000]);
        let mut r = Reasm::default();
        let mut frags = cut(&msg, 1500).into_iter();
        let first = frags.next().unwrap();
        assert_eq!(r.push(first, GFP_KERNEL), Ok(None));
        let cap = r.cur.as_ref().map(|c| c.head.capacity()).unwrap();
        assert!(cap >= msg.len(), "room for {cap} of {} bytes", msg.len());
        let mut whole = None;
        for f in frags {
            whole = r.push(f, GFP_KERNEL).unwrap();
            if whole.is_none() {
                // Appending in that room never moves what came before.
                assert_eq!(r.cur.as_ref().map(|c| c.head.capacity()), Some(cap));
            }
        }
        assert_eq!(whole.as_ref().map(|w| w.bytes()), Some(&msg[..]));
    }
}
