// SPDX-License-Identifier: GPL-2.0

//! The Ethernet media (`eth`): TIPC frames (ethertype `ETH_P_TIPC`) received on any device
//! go to the bearer attached to it; frames the cluster sends leave on the bearer's device;
//! device events reach the bearers.
//!
//! The C module registers a packet type per bearer, on its device; ours registers one for
//! every device while the module is loaded, and a frame arriving on a device no bearer is
//! attached to is dropped in [`cluster::receive`].

use crate::{
    cluster,
    netns::NetSlot,
    proto::{
        bearer::{media_addr::MediaAddr, name::BearerName},
        node::transmit::Dest,
    },
};
use kernel::{
    net::{
        netdev_notifier,
        netdevice::{NetDevice, IFNAMSIZ},
        packet::{self, ETH_P_TIPC},
        pernet::Net,
        skb::OwnedSkBuff,
    },
    prelude::*,
    sync::aref::ARef,
};

/// `PACKET_MULTICAST`: frames classified above it (for another host, or looped back
/// outgoing) are not for this node.
const PACKET_MULTICAST: u8 = 2;

/// A frame built under the cluster's lock, transmitted once it is released.
pub(crate) struct Frame {
    dev: ARef<NetDevice>,
    skb: OwnedSkBuff,
    dest: Dest,
}

impl Frame {
    /// A frame carrying the message in `skb` to `dest` on `dev`; the device's header goes in
    /// front of it, in its headroom if it has enough.
    pub(crate) fn new(dev: &ARef<NetDevice>, dest: Dest, skb: OwnedSkBuff) -> Self {
        Self {
            dev: dev.clone(),
            skb,
            dest,
        }
    }

    /// Transmits the frame: to the device's broadcast address or to the peer's MAC address.
    /// A frame the device drops is lost, as on the wire; the link protocol recovers.
    pub(crate) fn transmit(self) {
        let bcast;
        let peer;
        let dest: &[u8] = match self.dest {
            Dest::Broadcast => {
                bcast = self.dev.broadcast();
                bcast.as_bytes()
            }
            Dest::Peer(m) => match m.eth_mac() {
                Some(mac) => {
                    peer = mac;
                    &peer
                }
                None => return self.skb.consume(),
            },
        };
        let _ = packet::transmit(self.skb, &self.dev, ETH_P_TIPC, dest);
    }
}

/// The device a bearer name names (`eth:<device>`) in namespace `ns`, if there is one.
pub(crate) fn device(ns: &Net, name: &BearerName) -> Option<ARef<NetDevice>> {
    let mut buf = [0u8; IFNAMSIZ + 1];
    let ifname = name.if_name();
    buf.get_mut(..ifname.len())?.copy_from_slice(ifname);
    let ifname = CStr::from_bytes_until_nul(&buf).ok()?;
    NetDevice::get_by_name(ns, ifname).ok()
}

/// This node's address on `dev`: its hardware address (the first six bytes, as C's
/// `tipc_eth_raw2addr` takes them).
pub(crate) fn media_addr(dev: &NetDevice) -> MediaAddr {
    let mut mac = [0u8; 6];
    let hw = dev.addr();
    let hw = hw.as_bytes();
    let n = hw.len().min(mac.len());
    if let (Some(to), Some(from)) = (mac.get_mut(..n), hw.get(..n)) {
        to.copy_from_slice(from);
    }
    MediaAddr::eth(mac)
}

/// The packet type's handler (`tipc_l2_rcv_msg`).
pub(crate) struct Receiver;

impl packet::Receiver for Receiver {
    type NetData = NetSlot;

    fn receive(&self, net: &NetSlot, dev: &NetDevice, mut skb: OwnedSkBuff) {
        if skb.pkt_type() > PACKET_MULTICAST || skb.linearize().is_err() {
            return;
        }
        cluster::receive(net, dev, skb);
    }
}

/// The netdevice notifier's handler.
pub(crate) struct DeviceWatcher;

impl netdev_notifier::Notifier for DeviceWatcher {
    type NetData = NetSlot;

    fn notify(&self, net: &NetSlot, dev: &NetDevice, event: netdev_notifier::Event) {
        cluster::device_event(net, dev, event);
    }
}
