// SPDX-License-Identifier: GPL-2.0

//! `LINK_PROTOCOL`: link supervision (`STATE`), reset (`RESET`) and activation (`ACTIVATE`).
//!
//! ```text
//! w0: flags: dest_droppable is "keepalive" (a probe or a probe reply)
//! w1: type:3 seq_gap:13 bcast_ack:16
//!     (ACTIVATE: bit 16 dest_session_valid, bits 0-15 the peer's session)
//! w2: ack:16 seqno:16 (seqno: STATE counter, or snd_nxt + 32767 on RESET/ACTIVATE)
//! w4: last_bcast:16 next_sent:16
//! w5: session:16 0:1 bc_ack_invalid:1 peer_stopping:1 redundant_link:1 bearer_id:3
//!     priority:5 net_plane:3 probe:1
//! w6: orignode   w7: destnode   w8: bc_gap:10 (low bits)
//! w9: max_pkt/4:16 tolerance:16
//! payload: STATE: Gap ACK blocks (if the peer has GAP_ACK_BLOCK), then a domain record;
//!          RESET and ACTIVATE: the sender's 16-byte interface name.
//! ```

use super::common::expect_user;
use super::common::Common;
use super::consts::{link_type, Caps, User, INT_H_SIZE};
use super::error::{Error, Result};
use super::field::{read_array, write_bytes};
use super::gap_ack::GapAckBlocks;
use super::header::{start, Packet};
use super::monitor::DomainRecord;

/// Length of the interface name in `RESET` and `ACTIVATE`.
pub(crate) const IF_NAME_LEN: usize = 16;

/// The three link protocol messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum LinkMsgType {
    /// Supervision, acknowledgement and NACK.
    State,
    /// The sender reset its link endpoint.
    Reset,
    /// The sender's endpoint is ready.
    Activate,
}

impl LinkMsgType {
    /// The type a 3-bit field names.
    pub(crate) const fn from_bits(v: u32) -> Option<Self> {
        match v {
            link_type::STATE => Some(Self::State),
            link_type::RESET => Some(Self::Reset),
            link_type::ACTIVATE => Some(Self::Activate),
            _ => None,
        }
    }

    /// The field value.
    pub(crate) const fn bits(self) -> u32 {
        match self {
            Self::State => link_type::STATE,
            Self::Reset => link_type::RESET,
            Self::Activate => link_type::ACTIVATE,
        }
    }
}

/// What follows the header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum LinkPayload<'a> {
    /// `STATE`: optional Gap ACK blocks and an optional domain record.
    State {
        /// Selective acknowledgements, if the peer sends them.
        gap_acks: Option<GapAckBlocks<'a>>,
        /// The monitor's domain record, absent when the monitor is inactive.
        domain: Option<DomainRecord<'a>>,
    },
    /// `RESET` or `ACTIVATE`: the sender's interface name, NUL-padded.
    IfName([u8; IF_NAME_LEN]),
}

/// A link protocol message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct LinkProtoRepr<'a> {
    /// Message type.
    pub(crate) msg_type: LinkMsgType,
    /// Link-level fields; `flags.dest_droppable` is the keepalive flag.
    pub(crate) common: Common,
    /// Packets missing after `ack` (13 bits).
    pub(crate) seq_gap: u16,
    /// `ACTIVATE` only: the session the sender believes the receiver has; when present it
    /// takes the place of `bcast_ack`.
    pub(crate) dest_session: Option<u16>,
    /// Last broadcast packet sent (word 4, bits 16-31).
    pub(crate) last_bcast: u16,
    /// Next link packet the sender will send (word 4, bits 0-15).
    pub(crate) next_sent: u16,
    /// Sender's link session.
    pub(crate) session: u16,
    /// `bcast_ack` is not valid: the peer's broadcast link is not up yet.
    pub(crate) bc_ack_invalid: bool,
    /// The sender is going down.
    pub(crate) peer_stopping: bool,
    /// The sender has another working link to the receiver.
    pub(crate) redundant_link: bool,
    /// Sender's bearer id (3 bits).
    pub(crate) bearer_id: u8,
    /// Link priority (5 bits).
    pub(crate) priority: u8,
    /// Network plane, 0 for 'A' (3 bits).
    pub(crate) net_plane: u8,
    /// The sender asks for a reply.
    pub(crate) probe: bool,
    /// Originating node (word 6).
    pub(crate) orignode: u32,
    /// Destination node (word 7).
    pub(crate) destnode: u32,
    /// Broadcast packets missing (10 bits).
    pub(crate) bc_gap: u16,
    /// Largest packet the sender takes (a multiple of 4); `RESET` and `ACTIVATE`.
    pub(crate) max_pkt: u32,
    /// Link tolerance in ms; 0 for "unchanged".
    pub(crate) tolerance: u16,
    /// What follows the header.
    pub(crate) payload: LinkPayload<'a>,
}

impl<'a> LinkProtoRepr<'a> {
    /// Reads a link protocol message from a checked packet. Whether a `STATE` message starts
    /// with Gap ACK blocks depends on the peer's capabilities.
    pub(crate) fn parse(p: &Packet<&'a [u8]>, peer_caps: Caps) -> Result<Self> {
        expect_user(p, User::LinkProtocol, INT_H_SIZE)?;
        let msg_type = LinkMsgType::from_bits(p.msg_type()).ok_or(Error::UnknownType)?;
        let data = p.payload_ref();
        let payload = match msg_type {
            LinkMsgType::State => {
                let gap_acks = if peer_caps.has(Caps::GAP_ACK_BLOCK) {
                    Some(GapAckBlocks::parse(data)?)
                } else {
                    None
                };
                let rest = data.get(gap_acks.map_or(0, |g| g.len())..).unwrap_or(&[]);
                let domain = if rest.is_empty() {
                    None
                } else {
                    Some(DomainRecord::parse(rest)?)
                };
                LinkPayload::State { gap_acks, domain }
            }
            LinkMsgType::Reset | LinkMsgType::Activate => {
                if data.len() != IF_NAME_LEN {
                    return Err(Error::IfNameLength);
                }
                LinkPayload::IfName(read_array(data, 0).ok_or(Error::IfNameLength)?)
            }
        };
        let mut common = Common::parse(p);
        let mut seq_gap = p.bits(1, 16, 0x1fff) as u16;
        let mut dest_session = None;
        if msg_type == LinkMsgType::Activate && seq_gap & 1 != 0 {
            dest_session = Some(common.bcast_ack);
            common.bcast_ack = 0;
            seq_gap &= !1;
        }
        Ok(Self {
            msg_type,
            common,
            seq_gap,
            dest_session,
            last_bcast: p.bits(4, 16, 0xffff) as u16,
            next_sent: p.bits(4, 0, 0xffff) as u16,
            session: p.bits(5, 16, 0xffff) as u16,
            bc_ack_invalid: p.bits(5, 14, 1) != 0,
            peer_stopping: p.bits(5, 13, 1) != 0,
            redundant_link: p.bits(5, 12, 1) != 0,
            bearer_id: p.bits(5, 9, 7) as u8,
            priority: p.bits(5, 4, 0x1f) as u8,
            net_plane: p.bits(5, 1, 7) as u8,
            probe: p.bits(5, 0, 1) != 0,
            orignode: p.word(6),
            destnode: p.word(7),
            bc_gap: p.bits(8, 0, 0x3ff) as u16,
            max_pkt: p.bits(9, 16, 0xffff) * 4,
            tolerance: p.bits(9, 0, 0xffff) as u16,
            payload,
        })
    }

    /// The payload's length.
    pub(crate) fn payload_len(&self) -> usize {
        match self.payload {
            LinkPayload::State { gap_acks, domain } => {
                gap_acks.map_or(0, |g| g.len()) + domain.map_or(0, |d| d.as_bytes().len())
            }
            LinkPayload::IfName(_) => IF_NAME_LEN,
        }
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if self.max_pkt % 4 != 0 || self.max_pkt / 4 > 0xffff {
            return Err(Error::BadMaxPacket);
        }
        let n = start(
            buf,
            User::LinkProtocol,
            self.msg_type.bits(),
            INT_H_SIZE,
            self.payload_len(),
        )?;
        let mut p = Packet::new_unchecked(&mut *buf);
        self.common.emit(&mut p);
        p.set_bits(1, 16, 0x1fff, self.seq_gap.into());
        if let Some(s) = self.dest_session {
            p.set_bits(1, 16, 1, 1);
            p.set_bcast_ack(s);
        }
        p.set_bits(4, 16, 0xffff, self.last_bcast.into());
        p.set_bits(4, 0, 0xffff, self.next_sent.into());
        p.set_bits(5, 16, 0xffff, self.session.into());
        p.set_bits(5, 14, 1, self.bc_ack_invalid.into());
        p.set_bits(5, 13, 1, self.peer_stopping.into());
        p.set_bits(5, 12, 1, self.redundant_link.into());
        p.set_bits(5, 9, 7, self.bearer_id.into());
        p.set_bits(5, 4, 0x1f, self.priority.into());
        p.set_bits(5, 1, 7, self.net_plane.into());
        p.set_bits(5, 0, 1, self.probe.into());
        p.set_orignode(self.orignode);
        p.set_destnode(self.destnode);
        p.set_bits(8, 0, 0x3ff, self.bc_gap.into());
        p.set_bits(9, 16, 0xffff, self.max_pkt / 4);
        p.set_bits(9, 0, 0xffff, self.tolerance.into());
        match self.payload {
            LinkPayload::State { gap_acks, domain } => {
                let g = gap_acks.map_or(&[][..], |g| g.as_bytes());
                write_bytes(buf, INT_H_SIZE, g);
                let d = domain.map_or(&[][..], |d| d.as_bytes());
                write_bytes(buf, INT_H_SIZE + g.len(), d);
            }
            LinkPayload::IfName(name) => {
                write_bytes(buf, INT_H_SIZE, &name);
            }
        }
        Ok(n)
    }

    /// The network plane as a letter, 'A' to 'H'.
    pub(crate) fn net_plane_letter(&self) -> char {
        char::from(b'A' + (self.net_plane & 7))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{gap_ack, monitor};
    use super::*;

    fn reset() -> LinkProtoRepr<'static> {
        let mut name = [0u8; 16];
        name[..4].copy_from_slice(b"eth0");
        LinkProtoRepr {
            msg_type: LinkMsgType::Reset,
            common: Common {
                seqno: 0x7fff,
                ack: 0xffff,
                bcast_ack: 0xffff,
                prevnode: 0x0100_1001,
                ..Common::default()
            },
            seq_gap: 0,
            dest_session: None,
            last_bcast: 0xffff,
            next_sent: 1,
            session: 0x2a2a,
            bc_ack_invalid: true,
            peer_stopping: false,
            redundant_link: false,
            bearer_id: 0,
            priority: 10,
            net_plane: 1,
            probe: false,
            orignode: 0x0100_1001,
            destnode: 0x0100_1002,
            bc_gap: 0,
            max_pkt: 1500,
            tolerance: 1500,
            payload: LinkPayload::IfName(name),
        }
    }

    #[test]
    fn reset_bytes() {
        let mut b = [0u8; 64];
        let n = reset().emit(&mut b).unwrap();
        let expect: [u8; 56] = [
            0x4f, 0x40, 0x00, 0x38, // v2, user 7, hsize 10, size 56
            0x20, 0x00, 0xff, 0xff, // RESET, bcast_ack
            0xff, 0xff, 0x7f, 0xff, // ack, seqno
            0x01, 0x00, 0x10, 0x01, // prevnode
            0xff, 0xff, 0x00, 0x01, // last_bcast, next_sent
            0x2a, 0x2a, 0x40, 0xa2, // session, bc_ack_invalid, prio 10, plane B
            0x01, 0x00, 0x10, 0x01, // orignode
            0x01, 0x00, 0x10, 0x02, // destnode
            0x00, 0x00, 0x00, 0x00, // bc_gap
            0x01, 0x77, 0x05, 0xdc, // max_pkt 1500/4, tolerance 1500
            b'e', b't', b'h', b'0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(&b[..n], &expect[..]);
        let p = Packet::new_checked(&b[..n]).unwrap();
        let r = LinkProtoRepr::parse(&p, Caps::ALL).unwrap();
        assert_eq!(r, reset());
        assert_eq!(r.net_plane_letter(), 'B');
    }

    #[test]
    fn activate_carries_the_dest_session() {
        let mut r = reset();
        r.msg_type = LinkMsgType::Activate;
        r.common.bcast_ack = 0;
        r.dest_session = Some(0x1234);
        let mut b = [0u8; 64];
        let n = r.emit(&mut b).unwrap();
        assert_eq!(&b[4..8], &[0x40, 0x01, 0x12, 0x34]);
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(LinkProtoRepr::parse(&p, Caps::ALL), Ok(r));
    }

    #[test]
    fn state_with_gap_acks_and_domain() {
        let mut g = [0u8; 8];
        gap_ack::emit(&mut g, &[gap_ack::GapAck { ack: 5, gap: 0 }], &[]).unwrap();
        let mut d = [0u8; 20];
        monitor::emit(&mut d, 1, 0, 1, &[0x1002]).unwrap();
        let mut r = reset();
        r.msg_type = LinkMsgType::State;
        r.max_pkt = 0;
        r.common.flags.dest_droppable = true;
        r.probe = true;
        r.seq_gap = 3;
        r.payload = LinkPayload::State {
            gap_acks: Some(GapAckBlocks::parse(&g).unwrap()),
            domain: Some(DomainRecord::parse(&d).unwrap()),
        };
        let mut b = [0u8; 128];
        let n = r.emit(&mut b).unwrap();
        assert_eq!(n, 40 + 8 + 20);
        let p = Packet::new_checked(&b[..n]).unwrap();
        assert_eq!(LinkProtoRepr::parse(&p, Caps::ALL), Ok(r));
        // Without the capability the Gap ACK record is read as a domain record, and fails.
        assert_eq!(
            LinkProtoRepr::parse(&p, Caps(0)).err(),
            Some(Error::DomainMemberCount)
        );
    }

    #[test]
    fn reset_needs_its_interface_name() {
        let mut b = [0u8; 64];
        let n = reset().emit(&mut b).unwrap();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_total_len(n - 1);
        let p = Packet::new_checked(&b[..n - 1]).unwrap();
        assert_eq!(
            LinkProtoRepr::parse(&p, Caps::ALL),
            Err(Error::IfNameLength)
        );
    }
}
