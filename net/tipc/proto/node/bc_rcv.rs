// SPDX-License-Identifier: GPL-2.0

//! A peer's broadcast receive link (`n->bc_entry.link`): the peer's broadcast packets in
//! sequence, and the broadcast state this node's unicast messages to the peer carry back.
//!
//! It comes up when the peer's initial synchronisation message (`BCAST_PROTOCOL`, the
//! first packet on its first link) is taken in sequence, which names the first broadcast
//! packet to expect, or when a name distribution message is (`tipc_link_bc_init_rcv`,
//! `tipc_data_input`). From then on broadcast packets from the peer are taken in order as on
//! a unicast link, those ahead deferred; taken messages go up as a link's do, and a
//! reassembly failure loses the message without failing anything.
//!
//! What goes back travels in unicast messages: every sequenced packet carries
//! `bcast_ack`, the last broadcast packet taken; each protocol message says whether that is
//! valid (this link is up) and, in `redundant_link`, that it is up; a `STATE` names the gap
//! before the first deferred packet, or up to the last packet the peer says it sent, with a
//! Gap ACK block for each run deferred. A `STATE` goes at once when the sixteenth packet
//! since the last one is taken and the next number's low four bits are this node's
//! address's complement (`tipc_link_build_state_msg`), when a deferred count matches the
//! address's low four bits (`tipc_link_build_nack_msg`), so that receivers of one
//! broadcast spread their NACKs, and when a `STATE` from the peer shows packets missing;
//! the node's timer sends one at each tick while packets are unacknowledged.
//!
//! The peer learns from this node's messages only once this node has acknowledged the
//! peer's first unicast packet (`bc_peer_is_up`); only then does a peer's `STATE` move the
//! last packet it sent. This node sends no broadcasts: its own last one is always 0, and
//! the peer's acknowledgements of them are not read. Peers without `BCAST_STATE_NACK` (before
//! Linux 4.x) get no broadcast NACK of the older kind; their `STATE` NACKs only.

use super::outbox::Outbox;
use super::transmit::Delivery;
use crate::kalloc::Flags;
use crate::proto::link::buf::PacketBuf;
use crate::proto::link::deferred::Deferred;
use crate::proto::link::proto_msg::ProtoMsg;
use crate::proto::link::reasm::Reasm;
use crate::proto::link::sequence::{ACK_EVERY, MAX_AHEAD};
use crate::proto::link::stats::{bump, LinkStats};
use crate::proto::node::bclink::BCLINK_WIN_DEFAULT;
use crate::proto::seqno::Seqno;
use crate::proto::wire::bcast_proto::BcastProtoRepr;
use crate::proto::wire::common::{BcastWord, Common};
use crate::proto::wire::consts::{Caps, User};
use crate::proto::wire::header::Packet;
use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

/// How far ahead of the next packet the last one the peer says it sent may be
/// (the receive link's window, the broadcast link's default).
const SYNC_WIN: u16 = BCLINK_WIN_DEFAULT as u16;

/// What became of a broadcast packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct BcOutcome {
    /// The receive link is not up: dropped.
    pub(crate) refused: bool,
    /// Old, too far ahead, or deferred already: dropped.
    pub(crate) duplicate: bool,
    /// Kept in the deferred queue.
    pub(crate) deferred: bool,
    /// A `STATE` should go to the peer now, on the link of the bearer the packet came on.
    pub(crate) send_state: bool,
}

/// The receive link; `B` is the glue's packet buffer.
#[derive(Debug)]
pub(crate) struct BcRcv<B> {
    /// Up (`LINK_ESTABLISHED`).
    up: bool,
    /// The peer took this node's first unicast packet (`bc_peer_is_up`).
    peer_is_up: bool,
    rcv_nxt: u16,
    /// The peer's next broadcast number, as its last `STATE` said (the receive link's
    /// `snd_nxt`).
    peer_snd_nxt: u16,
    rcv_unacked: u16,
    deferdq: Deferred<B>,
    reasm: Reasm<B>,
    stats: LinkStats,
}

impl<B> Default for BcRcv<B> {
    fn default() -> Self {
        Self {
            up: false,
            peer_is_up: false,
            rcv_nxt: 1,
            peer_snd_nxt: 1,
            rcv_unacked: 0,
            deferdq: Deferred::default(),
            reasm: Reasm::default(),
            stats: LinkStats::default(),
        }
    }
}

impl<B: PacketBuf> BcRcv<B> {
    /// Up.
    pub(crate) const fn is_up(&self) -> bool {
        self.up
    }

    /// The next broadcast number expected.
    pub(crate) const fn rcv_nxt(&self) -> u16 {
        self.rcv_nxt
    }

    /// The counters, as the per-peer broadcast link entry shows them.
    pub(crate) const fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// Zeroes the counters.
    pub(crate) fn reset_stats(&mut self) {
        self.stats = LinkStats::default();
    }

    /// Packets deferred.
    pub(crate) fn deferred(&self) -> usize {
        self.deferdq.len()
    }

    /// Packets taken and not yet acknowledged at once: the node's timer acknowledges them.
    pub(crate) const fn unacked(&self) -> bool {
        self.rcv_unacked != 0
    }

    /// `bcast_ack`: the last packet taken.
    pub(crate) const fn ack(&self) -> u16 {
        self.rcv_nxt.wrapping_sub(1)
    }

    /// `link_bc_rcv_gap`: packets missing before the first deferred one, or up to the
    /// peer's last.
    pub(crate) fn gap(&self) -> u16 {
        if let Some(first) = self.deferdq.first_seqno() {
            return first.wrapping_sub(self.rcv_nxt);
        }
        if Seqno(self.peer_snd_nxt).more(Seqno(self.rcv_nxt)) {
            return self.peer_snd_nxt.wrapping_sub(self.rcv_nxt);
        }
        0
    }

    /// `tipc_link_reset` when the peer is lost: down, from number 1 again, the queues and
    /// counters emptied.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// The peer's initial synchronisation message, taken in sequence on a unicast link:
    /// the link comes up, expecting the packet after the peer's last.
    pub(crate) fn init(&mut self, m: &BcastProtoRepr) {
        if !self.up {
            self.rcv_nxt = m.last_bcast.wrapping_add(1);
            self.up = true;
        }
    }

    /// A name distribution message was taken on a unicast link: the link comes up, at the
    /// number it expects.
    pub(crate) fn establish(&mut self) {
        self.up = true;
    }

    /// A `RESET` or `ACTIVATE` from a peer without `BCAST_SYNCH`, whose node is not up on
    /// another link: its last broadcast number is where to start (the older, less safe
    /// synchronisation).
    pub(crate) fn legacy_init(&mut self, m: &LinkProtoRepr<'_>, caps: Caps) {
        if self.up || caps.has(Caps::BCAST_SYNCH) || m.redundant_link {
            return;
        }
        if m.msg_type != LinkMsgType::State {
            self.rcv_nxt = m.last_bcast.wrapping_add(1);
        }
    }

    /// `tipc_link_bc_sync_rcv`: a `STATE` whose broadcast fields are valid. Once the peer
    /// acknowledged a unicast packet, its last broadcast number (within the window) is
    /// taken; true if that shows packets missing, so that a `STATE` should name them.
    pub(crate) fn sync(&mut self, m: &LinkProtoRepr<'_>) -> bool {
        if !self.up {
            return false;
        }
        if m.common.ack != 0 {
            self.peer_is_up = true;
        }
        if !self.peer_is_up {
            return false;
        }
        let peer_snd_nxt = m.last_bcast.wrapping_add(1);
        if Seqno(peer_snd_nxt).more(Seqno(self.rcv_nxt.wrapping_add(SYNC_WIN))) {
            return false;
        }
        self.peer_snd_nxt = peer_snd_nxt;
        self.gap() != 0
    }

    /// A broadcast packet from the peer (checked, its network id this node's), taken in
    /// sequence: what it completes goes to `out` as the peer's deliveries.
    pub(crate) fn receive(
        &mut self,
        buf: B,
        own_addr: u32,
        peer: u32,
        out: &mut Outbox<B>,
        flags: Flags,
    ) -> BcOutcome {
        let mut res = BcOutcome::default();
        if !self.up {
            res.refused = true;
            return res;
        }
        let seqno = Packet::new_unchecked(buf.bytes()).seqno();
        let next = Seqno(self.rcv_nxt);
        let seq = Seqno(seqno);
        if seq.less(next) || seq.more(next.add(MAX_AHEAD)) {
            bump(&mut self.stats.duplicates);
            res.duplicate = true;
            return res;
        }
        if seqno != self.rcv_nxt {
            if self.deferdq.insert(buf, flags) {
                res.deferred = true;
            } else {
                bump(&mut self.stats.duplicates);
                res.duplicate = true;
            }
            bump(&mut self.stats.deferred_recv);
            res.send_state = self.stats.deferred_recv & 0xf == own_addr & 0xf;
            return res;
        }
        let mut next = Some(buf);
        while let Some(b) = next.take() {
            self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
            bump(&mut self.stats.recv_pkts);
            self.input(b, peer, out, flags);
            self.rcv_unacked = self.rcv_unacked.saturating_add(1);
            if self.rcv_unacked >= ACK_EVERY && (u32::from(self.rcv_nxt) ^ own_addr) & 0xf == 0xf {
                self.rcv_unacked = 0;
                self.peer_snd_nxt = self.rcv_nxt;
                res.send_state = true;
            }
            next = self.deferdq.pop(self.rcv_nxt);
        }
        res
    }

    /// A packet taken in sequence goes up, as a link's do: a fragment through reassembly;
    /// users nothing here takes from a broadcast are dropped.
    fn input(&mut self, buf: B, peer: u32, out: &mut Outbox<B>, flags: Flags) {
        let p = Packet::new_unchecked(buf.bytes());
        let Some(user) = p.user() else { return };
        let msg = match user {
            User::MsgBundler => {
                bump(&mut self.stats.recv_bundles);
                let cnt = p.bits(9, 16, 0xffff);
                self.stats.recv_bundled = self.stats.recv_bundled.wrapping_add(cnt);
                buf
            }
            User::MsgFragmenter => {
                bump(&mut self.stats.recv_fragments);
                match self.reasm.push(buf, flags) {
                    Ok(Some(msg)) => {
                        bump(&mut self.stats.recv_fragmented);
                        msg
                    }
                    Ok(None) | Err(_) => return,
                }
            }
            _ => buf,
        };
        let Some(user) = Packet::new_unchecked(msg.bytes()).user() else {
            return;
        };
        if !(user.is_for_sockets() || matches!(user, User::MsgBundler | User::NameDistributor)) {
            return;
        }
        out.deliver(
            Delivery {
                peer,
                user,
                buf: msg,
            },
            flags,
        );
    }

    /// Writes this link's state into a protocol message to the peer
    /// (`tipc_link_build_proto_msg`): the acknowledgement, its validity, `redundant_link`,
    /// this node's last broadcast (none); a `STATE` also gets the gap and the broadcast Gap
    /// ACK blocks.
    pub(crate) fn stamp(&mut self, m: &mut ProtoMsg) {
        m.common.bcast_ack = self.ack();
        m.bc_ack_invalid = !self.up;
        m.redundant_link = self.up;
        m.last_bcast = 0;
        if m.msg_type != LinkMsgType::State {
            return;
        }
        m.bc_gap = self.gap();
        if m.bc_gap != 0 {
            bump(&mut self.stats.sent_nacks);
        }
        if matches!(
            m.payload,
            LinkPayload::State {
                gap_acks: Some(_),
                ..
            }
        ) {
            m.set_bc_gap_acks(self.deferdq.gap_ack_blocks());
        }
    }

    /// This node's initial synchronisation message to the peer (`tipc_link_build_bc_init_msg`),
    /// to send in sequence on the first link: this node's last broadcast is 0, and the
    /// acknowledgement it carries is not valid.
    pub(crate) fn init_msg(&self, own_addr: u32, peer: u32) -> BcastProtoRepr {
        let gap_to = self.deferdq.first_seqno().unwrap_or(0).wrapping_sub(1);
        BcastProtoRepr {
            common: Common {
                bcast_ack: self.ack(),
                ack: self.ack(),
                seqno: gap_to,
                prevnode: own_addr,
                ..Common::default()
            },
            last_bcast: 0,
            word5: BcastWord::Unicast {
                bc_ack_invalid: true,
            },
            orignode: own_addr,
            destnode: peer,
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::vec::Vec;

    use proptest::prelude::*;

    use super::{BcRcv, SYNC_WIN};
    use crate::kalloc::GFP_KERNEL;
    use crate::proto::link::proto_msg::ProtoMsg;
    use crate::proto::link::testing::data_msg;
    use crate::proto::node::outbox::Outbox;
    use crate::proto::wire::bcast_proto::BcastProtoRepr;
    use crate::proto::wire::common::{BcastWord, Common};
    use crate::proto::wire::consts::{Caps, Importance, User};
    use crate::proto::wire::fragment::cut;
    use crate::proto::wire::gap_ack::{GapAck, GapAckBlocks};
    use crate::proto::wire::header::{Flags, Packet};
    use crate::proto::wire::link_proto::{LinkMsgType, LinkPayload, LinkProtoRepr};

    const PEER: u32 = 0x1001;
    const OWN: u32 = 0x2002;
    const NET_ID: u32 = 4711;
    const NO_GAP_ACKS: [u8; 4] = [0, 4, 0, 0];

    /// Broadcast packet `seqno` from the peer, carrying `payload` (or `msg` as it is).
    fn frame(seqno: u16, msg: &[u8]) -> Vec<u8> {
        let mut b = msg.to_vec();
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_flags(Flags {
            non_seq: true,
            ..p.flags()
        });
        p.set_seqno(seqno);
        p.set_word(5, NET_ID);
        p.set_prevnode(PEER);
        b
    }

    fn data(id: u8) -> Vec<u8> {
        data_msg(PEER, 0, Importance::Low, 7, &[id; 10])
    }

    fn init(last_bcast: u16) -> BcastProtoRepr {
        BcastProtoRepr {
            common: Common {
                prevnode: PEER,
                ..Common::default()
            },
            last_bcast,
            word5: BcastWord::Unicast {
                bc_ack_invalid: true,
            },
            orignode: PEER,
            destnode: OWN,
        }
    }

    fn up(last_bcast: u16) -> BcRcv<Vec<u8>> {
        let mut bc = BcRcv::default();
        bc.init(&init(last_bcast));
        bc
    }

    /// A `STATE` from the peer: its unicast acknowledgement, its last broadcast.
    fn state(ack: u16, last_bcast: u16) -> LinkProtoRepr<'static> {
        LinkProtoRepr {
            msg_type: LinkMsgType::State,
            common: Common {
                ack,
                prevnode: PEER,
                ..Common::default()
            },
            seq_gap: 0,
            dest_session: None,
            last_bcast,
            next_sent: 1,
            session: 1,
            bc_ack_invalid: false,
            peer_stopping: false,
            redundant_link: true,
            bearer_id: 0,
            priority: 0,
            net_plane: 0,
            probe: false,
            orignode: PEER,
            destnode: OWN,
            bc_gap: 0,
            max_pkt: 0,
            tolerance: 0,
            payload: LinkPayload::State {
                gap_acks: GapAckBlocks::parse(&NO_GAP_ACKS).ok(),
                domain: None,
            },
        }
    }

    /// What this node's `STATE` says of the broadcast link.
    fn stamped(bc: &mut BcRcv<Vec<u8>>) -> ProtoMsg {
        let mut m = ProtoMsg::new(state(1, 0));
        m.bc_ack_invalid = true;
        m.redundant_link = false;
        m.last_bcast = 7;
        bc.stamp(&mut m);
        m
    }

    /// The payload bytes of what was delivered, in order.
    fn delivered(out: &mut Outbox<Vec<u8>>) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        while let Some(d) = out.pop_delivery() {
            assert_eq!(d.peer, PEER);
            v.push(Packet::new_checked(&d.buf[..]).unwrap().payload().to_vec());
        }
        v
    }

    fn rx(
        bc: &mut BcRcv<Vec<u8>>,
        out: &mut Outbox<Vec<u8>>,
        seqno: u16,
        msg: &[u8],
    ) -> super::BcOutcome {
        bc.receive(frame(seqno, msg), OWN, PEER, out, GFP_KERNEL)
    }

    #[test]
    fn nothing_is_taken_before_the_peers_init_and_the_ack_is_not_valid() {
        let mut bc = BcRcv::default();
        let mut out = Outbox::default();
        assert!(rx(&mut bc, &mut out, 1, &data(1)).refused);
        assert!(delivered(&mut out).is_empty());
        let m = stamped(&mut bc);
        assert!(m.bc_ack_invalid && !m.redundant_link);
        assert_eq!((m.common.bcast_ack, m.last_bcast, m.bc_gap), (0, 0, 0));
        // Nor does a STATE move anything.
        assert!(!bc.sync(&state(5, 40)));
    }

    #[test]
    fn the_init_names_the_first_packet_and_packets_go_up_in_order_once() {
        let mut bc = up(41);
        let mut out = Outbox::default();
        let r = rx(&mut bc, &mut out, 43, &data(43));
        assert!(r.deferred && !r.refused);
        assert!(rx(&mut bc, &mut out, 43, &data(43)).duplicate);
        rx(&mut bc, &mut out, 42, &data(42));
        assert!(rx(&mut bc, &mut out, 42, &data(42)).duplicate);
        assert!(rx(&mut bc, &mut out, 41, &data(41)).duplicate);
        assert_eq!(delivered(&mut out), [[42u8; 10], [43u8; 10]]);
        assert_eq!(bc.stats().recv_pkts, 2);
        assert_eq!(bc.stats().duplicates, 3);
        let m = stamped(&mut bc);
        assert!(!m.bc_ack_invalid && m.redundant_link);
        assert_eq!((m.common.bcast_ack, m.last_bcast, m.bc_gap), (43, 0, 0));
        // A second init (a peer's link coming back) changes nothing while up.
        bc.init(&init(7));
        assert_eq!(bc.ack(), 43);
    }

    #[test]
    fn a_gap_is_named_with_blocks_until_it_is_filled() {
        let mut bc = up(0);
        let mut out = Outbox::default();
        for s in [1, 3, 4, 6] {
            rx(&mut bc, &mut out, s, &data(s as u8));
        }
        assert_eq!(delivered(&mut out).len(), 1);
        let m = stamped(&mut bc);
        assert_eq!((m.common.bcast_ack, m.bc_gap), (1, 1));
        assert_eq!(
            m.bc_gap_acks(),
            [GapAck { ack: 4, gap: 1 }, GapAck { ack: 6, gap: 0 }]
        );
        assert_eq!(bc.stats().sent_nacks, 1);
        // The record goes out with the broadcast blocks first.
        let mut buf = [0u8; crate::proto::link::proto_msg::MAX_PROTO_MSG];
        let n = m.emit(&mut buf).unwrap();
        let p = Packet::new_checked(&buf[..n]).unwrap();
        let back = LinkProtoRepr::parse(&p, Caps(Caps::GAP_ACK_BLOCK)).unwrap();
        let LinkPayload::State {
            gap_acks: Some(g), ..
        } = back.payload
        else {
            panic!("no record");
        };
        assert_eq!(g.bcast().count(), 2);
        assert_eq!((back.bc_gap, back.common.bcast_ack), (1, 1));
        rx(&mut bc, &mut out, 2, &data(2));
        assert_eq!(delivered(&mut out), [[2u8; 10], [3; 10], [4; 10]]);
        assert_eq!(bc.gap(), 1);
        rx(&mut bc, &mut out, 5, &data(5));
        assert_eq!(delivered(&mut out), [[5u8; 10], [6; 10]]);
        let m = stamped(&mut bc);
        assert_eq!((m.common.bcast_ack, m.bc_gap), (6, 0));
        assert!(m.bc_gap_acks().is_empty());
        // Without a Gap ACK record (a peer without GAP_ACK_BLOCK) none is added.
        rx(&mut bc, &mut out, 8, &data(8));
        let mut m = ProtoMsg::new(LinkProtoRepr {
            payload: LinkPayload::State {
                gap_acks: None,
                domain: None,
            },
            ..state(1, 0)
        });
        bc.stamp(&mut m);
        assert_eq!(m.bc_gap, 1);
        assert!(m.bc_gap_acks().is_empty());
    }

    #[test]
    fn acknowledgements_and_nacks_go_at_this_nodes_slot() {
        // Address 0x2002: an acknowledgement when 16 were taken and the next number's low
        // bits are 0xd (0xd ^ 0x2 == 0xf); a NACK when the deferred count's are 0x2.
        let mut bc = up(0);
        let mut out = Outbox::default();
        let acks: Vec<u16> = (1..=64u16)
            .filter(|&s| rx(&mut bc, &mut out, s, &data(0)).send_state)
            .collect();
        assert_eq!(acks, [28, 44, 60]);
        assert!(bc.unacked());
        let mut bc = up(0);
        let nacks: Vec<u16> = (2..=40u16)
            .filter(|&s| rx(&mut bc, &mut out, s, &data(0)).send_state)
            .collect();
        assert_eq!(nacks, [3, 19, 35]);
        assert!(!bc.unacked());
    }

    #[test]
    fn a_state_moves_the_peers_last_packet_once_the_peer_took_ours() {
        let mut bc = up(0);
        let mut out = Outbox::default();
        // Before the peer acknowledged this node's first unicast packet: ignored.
        assert!(!bc.sync(&state(0, 5)));
        assert_eq!(bc.gap(), 0);
        assert!(bc.sync(&state(1, 5)));
        assert_eq!(bc.gap(), 5);
        // From now on, whatever its unicast acknowledgement.
        assert!(bc.sync(&state(0, 6)));
        assert_eq!(bc.gap(), 6);
        // Beyond the window: ignored.
        assert!(!bc.sync(&state(0, SYNC_WIN + 10)));
        assert_eq!(bc.gap(), 6);
        for s in 1..=6 {
            rx(&mut bc, &mut out, s, &data(0));
        }
        assert!(!bc.sync(&state(0, 6)));
        assert_eq!(stamped(&mut bc).bc_gap, 0);
    }

    #[test]
    fn fragments_reassemble_and_a_broken_message_fails_nothing() {
        let mut bc = up(0);
        let mut out = Outbox::default();
        let long = data_msg(PEER, 0, Importance::Low, 7, &[0x5a; 4000]);
        let frags = cut(&long, 1500);
        assert!(frags.len() > 2);
        let mut s = 1;
        // A message whose first fragment is lost, then a whole one.
        for f in frags.iter().skip(1) {
            rx(&mut bc, &mut out, s, f);
            s += 1;
        }
        for f in &frags {
            rx(&mut bc, &mut out, s, f);
            s += 1;
        }
        let d = {
            let mut v = Vec::new();
            while let Some(d) = out.pop_delivery() {
                v.push(d);
            }
            v
        };
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].user, User::Low);
        assert_eq!(d[0].buf, long);
        assert!(bc.is_up());
    }

    #[test]
    fn losing_the_peer_starts_over() {
        let mut bc = up(9);
        let mut out = Outbox::default();
        rx(&mut bc, &mut out, 12, &data(0));
        bc.reset();
        assert!(!bc.is_up());
        assert_eq!((bc.ack(), bc.gap(), bc.deferred()), (0, 0, 0));
        assert_eq!(bc.stats().deferred_recv, 0);
    }

    #[test]
    fn a_name_distribution_message_or_an_older_peers_reset_synchronises() {
        let mut bc = BcRcv::<Vec<u8>>::default();
        let reset = LinkProtoRepr {
            msg_type: LinkMsgType::Reset,
            redundant_link: false,
            ..state(0, 30)
        };
        bc.legacy_init(&reset, Caps(Caps::BCAST_SYNCH));
        assert_eq!(bc.ack(), 0);
        bc.legacy_init(&reset, Caps(0));
        assert_eq!(bc.ack(), 30);
        assert!(!bc.is_up());
        bc.establish();
        assert!(bc.is_up());
        assert_eq!(bc.ack(), 30);
    }

    proptest! {
        /// Any arrival order, with duplicates, delivers each packet once, in order.
        #[test]
        fn any_order_delivers_each_packet_once_in_order(
            order in prop::collection::vec(0u16..40, 0..200),
            first in any::<u16>(),
        ) {
            let mut bc = up(first.wrapping_sub(1));
            let mut out = Outbox::default();
            for &i in &order {
                rx(&mut bc, &mut out, first.wrapping_add(i), &data(i as u8));
            }
            for i in 0..40u16 {
                rx(&mut bc, &mut out, first.wrapping_add(i), &data(i as u8));
            }
            let want: Vec<Vec<u8>> = (0..40u8).map(|i| std::vec![i; 10]).collect();
            prop_assert_eq!(delivered(&mut out), want);
            prop_assert_eq!(bc.deferred(), 0);
            prop_assert_eq!(bc.ack(), first.wrapping_add(39));
        }
    }
}
