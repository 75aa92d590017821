// SPDX-License-Identifier: GPL-2.0

//! What the node layer makes of a discovery message that passed the discoverer's checks:
//! address trials of others (`tipc_node_try_addr`), and a peer's request or response
//! (`tipc_node_check_dest`), which may make the peer, its link on the bearer and a response.

use super::cluster::Cluster;
use super::drops::Drops;
use super::event::Event;
use super::identity::NodeId;
use super::peer::{LinkEntry, Peer};
use super::peer_links::Ctx;
use super::transmit::{Dest, Message};
use crate::kalloc::Flags;
use crate::proto::bearer::table::Bearer;
use crate::proto::discovery::message::discovery_msg;
use crate::proto::discovery::receive::{receive, PeerInfo, Verdict};
use crate::proto::link::buf::PacketBuf;
use crate::proto::link::endpoint::{Ends, Link};
use crate::proto::wire::discovery::{DiscoveryRepr, DiscoveryType};

/// Links a peer may have at most (`tipc_node_check_dest`).
const MAX_LINKS_PER_PEER: usize = 2;

impl<B: PacketBuf> Cluster<B> {
    /// A parsed discovery message on `bearer`.
    pub(super) fn on_discovery(
        &mut self,
        bearer: &Bearer,
        msg: &DiscoveryRepr,
        now: u64,
        flags: Flags,
    ) {
        let r = receive(msg, bearer, &mut self.own, now);
        if let Some(a) = r.finalized {
            self.out.event(Event::AddressSet(a), flags);
        }
        let (ty, peer, sugg) = match r.verdict {
            Verdict::Drop(why) => return self.drops.discovery(why),
            Verdict::Retried => return,
            Verdict::Trial(peer) => match self.try_addr(&peer.id, peer.addr) {
                0 => return,
                sugg => (DiscoveryType::TrialFail, peer, sugg),
            },
            Verdict::Peer { peer, request } => {
                let (respond, dupl) = self.check_dest(bearer, &peer, now, flags);
                if dupl {
                    Drops::count(&mut self.drops.duplicate_address);
                }
                if !(respond && request) {
                    return;
                }
                (DiscoveryType::Response, peer, 0)
            }
        };
        let m = discovery_msg(&self.own, bearer, ty, peer.addr, sugg);
        self.out.send(
            bearer.id,
            Dest::Peer(peer.maddr),
            Message::Discovery(m),
            flags,
        );
    }

    fn find(&self, addr: u32) -> Option<usize> {
        self.peers.iter().position(|p| p.addr() == addr)
    }

    /// `tipc_node_suggest_addr`: `addr` mixed with this node's random value, then the next
    /// one no peer has.
    fn suggest_addr(&self, addr: u32) -> u32 {
        let mut a = addr ^ self.own.random();
        while self.find(a).is_some() {
            a = a.wrapping_add(1);
        }
        a
    }

    /// `tipc_node_try_addr`: the address a peer trying `addr` should take instead, or 0: a
    /// peer of that address and another identity makes a suggestion; a known identity gets
    /// its old address back; this node's own trial address is suggested away too.
    fn try_addr(&self, id: &NodeId, addr: u32) -> u32 {
        if let Some(i) = self.find(addr) {
            return match self.peers.get(i) {
                Some(p) if p.id() == *id => 0,
                _ => self.suggest_addr(addr),
            };
        }
        if let Some(p) = self.peers.iter().find(|p| p.id() == *id) {
            return p.addr();
        }
        if self.own.trial_addr() == addr {
            return self.suggest_addr(addr);
        }
        0
    }

    /// The peer of `addr` or else of identity `id` (`tipc_node_create`), made if new; a
    /// known peer takes the capabilities it announces now.
    fn find_or_create(&mut self, info: &PeerInfo, now: u64, flags: Flags) -> Option<usize> {
        let found = self
            .find(info.addr)
            .or_else(|| self.peers.iter().position(|p| p.id() == info.id));
        if let Some(i) = found {
            if let Some(p) = self.peers.get_mut(i) {
                p.update_caps(info.caps);
            }
            return Some(i);
        }
        let p = Peer::new(info.addr, info.id, info.caps, now);
        self.peers.push(p, flags).ok()?;
        Some(self.peers.len() - 1)
    }

    /// `tipc_node_check_dest`: judges the peer's signature and media address against what
    /// this node knows, makes its link on the bearer if it is new, and says whether to
    /// respond and whether the sender looks like a duplicate of a known peer.
    fn check_dest(&mut self, b: &Bearer, info: &PeerInfo, now: u64, flags: Flags) -> (bool, bool) {
        let Some(i) = self.find_or_create(info, now, flags) else {
            Drops::count(&mut self.drops.nomem);
            return (false, false);
        };
        let session = self.session();
        let ends = self.own.id().map(|own_id| Ends {
            own_addr: self.own.addr(),
            own_id,
            peer_addr: info.addr,
            peer_id: info.id,
            peer_caps: info.caps,
        });
        let Some(p) = self.peers.get_mut(i) else {
            return (false, false);
        };
        let entry = p.links.get(b.id.index()).and_then(|e| e.as_ref());
        let link_up = entry.is_some_and(|e| e.link.is_up());
        let mut link_is_reset = entry.is_some_and(|e| e.link.state().is_reset());
        let addr_match = entry.is_some_and(|e| e.maddr == info.maddr);
        let sign_match = p.signature == Some(info.signature);
        let (mut respond, mut dupl, mut accept) = (false, false, false);
        match (sign_match, addr_match, link_up) {
            (true, true, true) => {}
            (true, true, false) => respond = true,
            (_, false, true) => dupl = true,
            (true, false, false) => (accept, respond) = (true, true),
            (false, true, true) => p.signature = Some(info.signature),
            (false, true, false) => (p.signature, respond) = (Some(info.signature), true),
            (false, false, false) => {
                p.signature = Some(info.signature);
                (accept, respond) = (true, true);
            }
        }
        if !accept {
            return (respond, dupl);
        }
        let full = p.link_cnt() == MAX_LINKS_PER_PEER;
        let Some(slot) = p.links.get_mut(b.id.index()) else {
            return (respond, dupl);
        };
        match slot {
            Some(e) => e.maddr = info.maddr,
            None => {
                if full {
                    return (respond, dupl);
                }
                let Some(ends) = ends else {
                    return (false, dupl);
                };
                *slot = Some(LinkEntry {
                    link: Link::new(b, &ends, session),
                    maddr: info.maddr,
                });
                link_is_reset = true;
                p.calculate_timer(b.id);
                if p.link_cnt() == 1 {
                    p.timer = now + p.keepalive_intv();
                }
            }
        }
        if !link_is_reset {
            let mut cx = Ctx {
                out: &mut self.out,
                discs: &mut self.discs,
                now,
                flags,
            };
            p.link_down(b.id, false, &mut cx);
        }
        (respond, dupl)
    }
}
