// SPDX-License-Identifier: GPL-2.0

//! Reassembly of fragmented messages into a caller's buffer.
//!
//! What a peer can make a node hold is bounded: one message in progress per reassembler, no
//! larger than its buffer and than the largest message (66060 bytes), with the size known from
//! the first fragment (the message's own header), so a fragment that would overrun it is
//! refused at once. Fragments must come in order, numbered from 1 without gaps, as a link
//! delivers them; anything else drops the message in progress, as the C module does.

use super::consts::{User, MAX_MSG_SIZE, MIN_H_SIZE, VERSION};
use super::error::{Error, Result};
use super::field::write_bytes;
use super::fragment::{FragType, FragmentRepr};
use super::header::Packet;

/// Collects one message's fragments into a borrowed buffer.
#[derive(Debug)]
pub(crate) struct Reassembler<'b> {
    buf: &'b mut [u8],
    len: usize,
    expected: usize,
    next_no: u16,
    active: bool,
}

impl<'b> Reassembler<'b> {
    /// A reassembler holding at most `buf.len()` bytes.
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            expected: 0,
            next_no: 0,
            active: false,
        }
    }

    /// A message is in progress.
    pub(crate) fn in_progress(&self) -> bool {
        self.active
    }

    /// Bytes held for the message in progress.
    pub(crate) fn held(&self) -> usize {
        self.len
    }

    /// Drops the message in progress.
    pub(crate) fn reset(&mut self) {
        self.active = false;
        self.len = 0;
        self.expected = 0;
        self.next_no = 0;
    }

    /// The reassembled message, after [`Reassembler::push`] returned its length.
    pub(crate) fn message(&self, len: usize) -> &[u8] {
        self.buf.get(..len).unwrap_or(&[])
    }

    /// Takes a checked fragment. Returns the length of the whole message, now at the start of
    /// the buffer, when the last fragment completes it; on an error the message in progress is
    /// dropped.
    pub(crate) fn push(&mut self, frag: &Packet<&[u8]>) -> Result<Option<usize>> {
        let r = self.step(frag);
        if r.is_err() {
            self.reset();
        }
        r
    }

    /// [`Reassembler::push`] without the reset.
    fn step(&mut self, frag: &Packet<&[u8]>) -> Result<Option<usize>> {
        let repr = FragmentRepr::parse(frag)?;
        let data = frag.payload_ref();
        if repr.msg_type == FragType::First {
            if self.active {
                return Err(Error::FragmentUnexpectedFirst);
            }
            let expected = inner_size(data)?;
            if expected > self.buf.len() {
                return Err(Error::ReassemblyTooLarge);
            }
            if data.len() >= expected {
                return Err(Error::ReassemblyLength);
            }
            write_bytes(self.buf, 0, data);
            self.len = data.len();
            self.expected = expected;
            self.next_no = 2;
            self.active = true;
            return Ok(None);
        }
        if !self.active {
            return Err(Error::FragmentNoFirst);
        }
        if repr.fragm_no != self.next_no {
            return Err(Error::FragmentOutOfOrder);
        }
        let end = self.len + data.len();
        let last = repr.msg_type == FragType::Last;
        if end > self.expected || (!last && end == self.expected) || (last && end != self.expected)
        {
            return Err(Error::ReassemblyLength);
        }
        if !write_bytes(self.buf, self.len, data) {
            return Err(Error::ReassemblyTooLarge);
        }
        self.len = end;
        self.next_no = self
            .next_no
            .checked_add(1)
            .ok_or(Error::FragmentOutOfOrder)?;
        if !last {
            return Ok(None);
        }
        let whole = self.buf.get(..end).ok_or(Error::ReassemblyLength)?;
        Packet::new_checked(whole).map_err(|_| Error::ReassemblyInner)?;
        self.reset();
        Ok(Some(end))
    }
}

/// The size the message in a first fragment declares, after checking its header as far as
/// the fragment holds it: version, header length, size, and a user that may be fragmented.
pub(crate) fn inner_size(data: &[u8]) -> Result<usize> {
    if data.len() < MIN_H_SIZE {
        return Err(Error::ReassemblyInner);
    }
    let p = Packet::new_unchecked(data);
    let (hsz, size) = (p.header_len(), p.total_len());
    if p.version() != VERSION || hsz < MIN_H_SIZE || size < hsz || data.len() < hsz {
        return Err(Error::ReassemblyInner);
    }
    if size > MAX_MSG_SIZE {
        return Err(Error::ReassemblyTooLarge);
    }
    if matches!(
        p.user(),
        None | Some(User::MsgFragmenter) | Some(User::LinkConfig)
    ) {
        return Err(Error::ReassemblyInner);
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::super::fragment::cut;
    use super::*;
    use std::vec::Vec;

    fn message(len: usize) -> Vec<u8> {
        let mut m: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let w0 = 0x4000_0000u32 | (6 << 21) | len as u32;
        m[..4].copy_from_slice(&w0.to_be_bytes());
        m
    }

    #[test]
    fn largest_message_round_trip() {
        let msg = message(66024);
        let frags = cut(&msg, 1500);
        assert_eq!(frags.len(), 46);
        let mut buf = std::vec![0u8; MAX_MSG_SIZE];
        let mut r = Reassembler::new(&mut buf);
        let mut done = None;
        for f in &frags {
            done = r.push(&Packet::new_checked(&f[..]).unwrap()).unwrap();
        }
        let n = done.unwrap();
        assert_eq!(r.message(n), &msg[..]);
        assert!(!r.in_progress());
    }

    #[test]
    fn order_and_limits() {
        let msg = message(1000);
        let frags = cut(&msg, 400);
        let p = |i: usize| Packet::new_checked(&frags[i][..]).unwrap();
        let mut buf = [0u8; 2000];
        let mut r = Reassembler::new(&mut buf);
        assert_eq!(r.push(&p(1)), Err(Error::FragmentNoFirst));
        assert_eq!(r.push(&p(0)), Ok(None));
        assert_eq!(r.push(&p(0)), Err(Error::FragmentUnexpectedFirst));
        assert!(!r.in_progress());
        assert_eq!(r.push(&p(0)), Ok(None));
        assert_eq!(r.push(&p(2)), Err(Error::FragmentOutOfOrder));
        let mut small = [0u8; 500];
        let mut r = Reassembler::new(&mut small);
        assert_eq!(r.push(&p(0)), Err(Error::ReassemblyTooLarge));
        assert_eq!(r.held(), 0);
    }
}
