// SPDX-License-Identifier: GPL-2.0

//! The namespace's bearers: at most three, each in a slot that is its identity, and the
//! rules of `tipc_enable_bearer` for adding one.
//!
//! Enabling is two steps around the glue's work: [`Bearers::admit`] checks the name and
//! priority and picks the slot; the glue then finds the device (or opens the UDP socket)
//! and hands what it found to [`Bearers::attach`].

use super::media::{Media, MediaProps, MIN_BEARER_MTU, UDP4_ENCAP_HLEN, UDP6_ENCAP_HLEN, UDP6_MTU};
use super::media_addr::{MediaAddr, ETH_P_IP};
use super::name::BearerName;
use super::props::{PropRequest, MAX_LINK_PRI, MEDIA_LINK_PRI, MIN_LINK_PRI};
use super::rejection::Rejection;
use super::{BearerId, MAX_BEARERS};
use crate::proto::errno::Errno;

/// An enabled bearer's configuration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Bearer {
    /// Its slot.
    pub(crate) id: BearerId,
    /// Its name.
    pub(crate) name: BearerName,
    /// Its media.
    pub(crate) media: Media,
    /// Priority, tolerance and windows for new links, and the MTU they advertise.
    pub(crate) props: MediaProps,
    /// Bytes the media adds in front of each packet (UDP's IP and UDP headers).
    pub(crate) encap_hlen: u32,
    /// Discovery domain: 0, or the one node it wants links to.
    pub(crate) domain: u32,
    /// This node's address on the media.
    pub(crate) addr: MediaAddr,
}

impl Bearer {
    /// `tipc_bearer_min_mtu`: the smallest MTU a peer may announce on this bearer.
    pub(crate) const fn min_mtu(&self) -> u32 {
        MIN_BEARER_MTU + self.encap_hlen
    }

    /// `__tipc_nl_bearer_set` after the common check (see [`MediaProps::apply`]); the caller
    /// applies a new tolerance to the existing links.
    pub(crate) fn apply(&mut self, req: &PropRequest) -> Result<(), Rejection> {
        let min_mtu = self.min_mtu();
        self.props.apply(self.media, req, min_mtu)
    }
}

/// A bearer that may be enabled: checked, with its slot and final priority.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Admission {
    /// The slot it will take.
    pub(crate) id: BearerId,
    /// Its name.
    pub(crate) name: BearerName,
    /// Its media.
    pub(crate) media: Media,
    /// Its priority, after the media default and any lowering.
    pub(crate) priority: u32,
    /// The media's properties when it was admitted, which the bearer starts from.
    pub(crate) props: MediaProps,
}

/// What the glue found when it attached the bearer to its device or socket.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Attachment {
    /// This node's address on the media.
    pub(crate) addr: MediaAddr,
    /// The device's MTU (Ethernet; a UDP bearer has the media's over IPv4, 1280 over IPv6).
    pub(crate) dev_mtu: u32,
}

/// `enable_media` failed with `errno` (the device is missing, its MTU is below 100, it is
/// the loopback device, no identity could be made): "Failed to enable media".
pub(crate) const fn media_failed(errno: Errno) -> Rejection {
    Rejection {
        errno,
        extack: Some(c"Failed to enable media"),
    }
}

/// `tipc_mtu_bad`: a device MTU too small for a bearer.
pub(crate) const fn mtu_bad(mtu: u32) -> bool {
    mtu < MIN_BEARER_MTU
}

/// The bearers of a namespace.
#[derive(Clone, Debug, Default)]
pub(crate) struct Bearers {
    slots: [Option<Bearer>; MAX_BEARERS],
}

impl Bearers {
    /// `tipc_enable_bearer`'s checks, in C's order: the name ("Illegal name"), the priority
    /// ("Illegal priority"), the media ("Media not registered"), then against the enabled
    /// bearers: the same name ("Already enabled"); a third bearer of one priority is lowered
    /// by one, again and again, unless it is 0 ("Cannot adjust to lower"); and a free slot,
    /// the lowest ("Max 3 bearers permitted"). All `EINVAL`. `priority` is
    /// `MEDIA_LINK_PRI` for the media's.
    pub(crate) fn admit(
        &self,
        name: &[u8],
        priority: u32,
        media_props: impl Fn(Media) -> MediaProps,
    ) -> Result<Admission, Rejection> {
        let name = BearerName::parse(name).ok_or(Rejection::invalid(c"Illegal name"))?;
        if priority > MAX_LINK_PRI && priority != MEDIA_LINK_PRI {
            return Err(Rejection::invalid(c"Illegal priority"));
        }
        let media =
            Media::find(name.media_name()).ok_or(Rejection::invalid(c"Media not registered"))?;
        let props = media_props(media);
        let mut prio = if priority == MEDIA_LINK_PRI {
            props.priority
        } else {
            priority
        };
        'scan: loop {
            let mut free = None;
            let mut with_this_prio = 1;
            for (i, slot) in self.slots.iter().enumerate().rev() {
                let Some(b) = slot else {
                    free = BearerId::new(i);
                    continue;
                };
                if b.name == name {
                    return Err(Rejection::invalid(c"Already enabled"));
                }
                if b.props.priority == prio {
                    with_this_prio += 1;
                    if with_this_prio > 2 {
                        if prio == MIN_LINK_PRI {
                            return Err(Rejection::invalid(c"Cannot adjust to lower"));
                        }
                        prio -= 1;
                        continue 'scan;
                    }
                }
            }
            let id = free.ok_or(Rejection::invalid(c"Max 3 bearers permitted"))?;
            return Ok(Admission {
                id,
                name,
                media,
                priority: prio,
                props,
            });
        }
    }

    /// Enables an admitted bearer with what the glue found.
    pub(crate) fn attach(&mut self, adm: &Admission, domain: u32, att: &Attachment) -> Bearer {
        let props = &adm.props;
        let (mtu, encap_hlen) = match att.addr.udp_addr() {
            None => (att.dev_mtu, 0),
            Some(u) if u.proto == ETH_P_IP => (props.mtu, UDP4_ENCAP_HLEN),
            Some(_) => (UDP6_MTU, UDP6_ENCAP_HLEN),
        };
        let b = Bearer {
            id: adm.id,
            name: adm.name,
            media: adm.media,
            props: MediaProps {
                priority: adm.priority,
                mtu,
                ..*props
            },
            encap_hlen,
            domain,
            addr: att.addr,
        };
        if let Some(s) = self.slots.get_mut(adm.id.index()) {
            *s = Some(b);
        }
        b
    }

    /// The bearer in slot `id`.
    pub(crate) fn get(&self, id: BearerId) -> Option<&Bearer> {
        self.slots.get(id.index())?.as_ref()
    }

    /// The bearer in slot `id`, to change.
    pub(crate) fn get_mut(&mut self, id: BearerId) -> Option<&mut Bearer> {
        self.slots.get_mut(id.index())?.as_mut()
    }

    /// `tipc_bearer_find`: the bearer of this name.
    pub(crate) fn find(&self, name: &[u8]) -> Option<&Bearer> {
        self.iter().find(|b| b.name.as_bytes() == name)
    }

    /// Removes the bearer in slot `id`.
    pub(crate) fn remove(&mut self, id: BearerId) -> Option<Bearer> {
        self.slots.get_mut(id.index())?.take()
    }

    /// The enabled bearers, by slot.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Bearer> {
        self.slots.iter().flatten()
    }
}
