// SPDX-License-Identifier: GPL-2.0

//! TIPC (Transparent Inter Process Communication), written in Rust.
//!
//! The module registers the `AF_TIPC` socket family. Protocol decisions live in [`proto`], the
//! sans-IO core that is also built and tested on the host; the rest of the crate is glue that
//! turns kernel callbacks into core calls.

#![forbid(unsafe_code)]

mod cluster;
mod conn_arrive;
mod conn_close;
mod conn_io;
mod conn_lost;
mod conn_setup;
mod conn_xmit;
mod deliver;
mod eth;
mod group;
mod group_send;
mod input;
mod kalloc;
mod netlink;
mod netns;
mod node;
mod proto;
mod recv;
mod send;
mod skb_buf;
mod sock_timer;
mod socket;
mod socket_pair;
mod sysctl;
mod topsrv;
mod udp;
mod wait;

use kernel::{
    net::{genetlink, netdev_notifier, packet, pernet, sock_diag},
    prelude::*,
    sync::Arc,
};
use netns::NetSlot;

module! {
    type: Tipc,
    name: "tipc",
    authors: ["tipc-rs developers"],
    description: "TIPC: Transparent Inter Process Communication (Rust)",
    license: "GPL",
    alias: [
        "net-pf-30",
        "net-pf-16-proto-16-family-TIPCv2",
        "net-pf-16-proto-16-family-TIPC",
        "net-pf-16-proto-4-type-30"
    ],
}

/// The loaded module: what it registered with the kernel, unregistered when it is dropped.
struct Tipc {
    /// The `AF_TIPC` sock_diag handler (`ss --tipc`), which holds the namespaces' state.
    _diag: sock_diag::Registration<netlink::TipcDiag>,
    /// The legacy "TIPC" family, which shares the `TIPCv2` family's data.
    _legacy: genetlink::Registration<netlink::LegacyGenl>,
    /// The `TIPCv2` family, which owns the socket family's registration (with the legacy
    /// family): netlink handlers reach namespace state through it, so it goes after both.
    _netlink: genetlink::Registration<netlink::TipcGenl>,
    /// The Ethernet media's frame handler.
    _eth: packet::Registration<eth::Receiver>,
    /// Device events for the bearers.
    _devices: netdev_notifier::Registration<eth::DeviceWatcher>,
    _sysctl: kernel::sysctl::Registration,
}

impl kernel::Module for Tipc {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let sysctl = sysctl::register()?;
        // Each namespace's state, registered before the socket family that holds it and
        // unregistered after it.
        let nets = Arc::new(pernet::Registration::<NetSlot>::new()?, GFP_KERNEL)?;
        let devices =
            netdev_notifier::Registration::new(nets.clone(), eth::DeviceWatcher, GFP_KERNEL)?;
        let eth = packet::Registration::new(
            packet::ETH_P_TIPC,
            None,
            nets.clone(),
            eth::Receiver,
            GFP_KERNEL,
        )?;
        // The UDP bearers' sockets, released by each namespace's exit before its state goes.
        let tunnels = udp::Tunnels::new()?;
        let sockets = netlink::Sockets::new(module, nets.clone())?;
        let data = Arc::new(
            netlink::Data::new(sockets, tunnels, nets.clone())?,
            GFP_KERNEL,
        )?;
        let netlink = genetlink::Registration::new(module, data.clone())?;
        let legacy = genetlink::Registration::new(module, data)?;
        // Last, so that `ss` finds the sockets registered.
        let diag = sock_diag::Registration::new(module, nets)?;
        pr_info!("Activated (tipc-rs)\n");
        Ok(Self {
            _diag: diag,
            _legacy: legacy,
            _netlink: netlink,
            _eth: eth,
            _devices: devices,
            _sysctl: sysctl,
        })
    }
}

impl Drop for Tipc {
    fn drop(&mut self) {
        pr_info!("Deactivated\n");
    }
}
