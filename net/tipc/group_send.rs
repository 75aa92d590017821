// SPDX-License-Identifier: GPL-2.0

//! `sendmsg(2)` by a group member (`tipc_send_group_*`): no address is a broadcast, a
//! service address an anycast, a socket address a unicast, a service range a multicast;
//! the type the user names is ignored for the group's. Each send waits as the core's flow
//! control says ([`Group::cong`], [`Group::bc_cong`]) and for the links the socket found
//! congested, with the send timeout (`EAGAIN` once it runs out, at once with
//! `MSG_DONTWAIT`). A connection socket in a group never waits: it is not connected, which
//! C's wait checks first (`tipc_sk_sock_err`), so it gets `ENOTCONN` at once.
//!
//! [`Group::cong`]: crate::proto::group::state::Group::cong
//! [`Group::bc_cong`]: crate::proto::group::state::Group::bc_cong

use crate::{
    group::{settle, After},
    input,
    node::{Sent, Xmit},
    proto::{
        conn::machine::{Waiting, Wake},
        errno::Errno,
        group::{
            flow::SendCheck,
            send::{send_blocks, Anycast, McastPlan, ANYCAST_LOOKUPS},
        },
        msg::{
            dest::{Destination, TIPC_MAX_USER_MSG_SIZE},
            header::wire_importance,
        },
        name_table::{addr::SocketAddr, bind::SockaddrTipc},
        wire::{data::DataRepr, header::Packet},
    },
    send::{build_from, fill_from, read_data},
    socket::{error, Inner, TipcFamily, TipcSock},
    wait::wait_for,
};
use kernel::{
    ffi::c_long,
    net::{
        msghdr::SendMsg,
        sock::{Sk, SkGuard},
        socket::Socket,
    },
    prelude::*,
};

/// Sends the `len` bytes of `msg` from a group member, with the owner lock held in
/// `guard` and `timeo` jiffies to wait; returns `len`.
pub(crate) fn sendmsg<'a>(
    sock: &Socket<'a, TipcFamily>,
    guard: &mut SkGuard<'a, TipcFamily>,
    timeo: c_long,
    msg: &mut SendMsg<'_>,
    len: usize,
) -> Result<usize> {
    if len > TIPC_MAX_USER_MSG_SIZE {
        return Err(error(Errno::EMSGSIZE));
    }
    let dest = match msg.name() {
        None => None,
        Some(bytes) => Some(
            SockaddrTipc::parse(bytes)
                .as_ref()
                .and_then(Destination::from_sockaddr)
                .ok_or(EINVAL)?,
        ),
    };
    let mut s = GroupSend {
        sk: sock.sk(),
        state: sock.state(),
        guard,
        timeo,
        xmit: Xmit::new(sock.sk().net_state(), GFP_KERNEL),
        len,
        blks: send_blocks(len),
    };
    match dest {
        None => s.broadcast(msg, None)?,
        Some(Destination::Socket(to)) => {
            if to.port == 0 && to.node == 0 {
                return Err(error(Errno::EHOSTUNREACH));
            }
            s.unicast(msg, to)?
        }
        Some(Destination::Service { instance, .. }) => s.anycast(msg, instance)?,
        Some(Destination::Range(r)) => s.multicast(msg, r.lower)?,
    }
    Ok(len)
}

/// One group send under way.
struct GroupSend<'a, 'g> {
    sk: &'a Sk<TipcFamily>,
    state: &'a TipcSock,
    guard: &'g mut SkGuard<'a, TipcFamily>,
    /// What is left of the send timeout.
    timeo: c_long,
    xmit: Xmit<'a>,
    /// The data's length.
    len: usize,
    /// The flow control blocks it spends per destination.
    blks: u16,
}

/// A wait's verdict once its check said whether the send may `go`, for a socket that is or
/// is not a connection socket (`conn`).
fn verdict(go: bool, conn: bool, w: Waiting) -> Result<Wake, Errno> {
    if go {
        Ok(Wake::Ready)
    } else if conn {
        Err(Errno::ENOTCONN)
    } else if w.time_left {
        Ok(Wake::Sleep)
    } else {
        Err(Errno::EAGAIN)
    }
}

impl GroupSend<'_, '_> {
    /// This socket's address.
    fn own(&self) -> SocketAddr {
        SocketAddr {
            port: self.state.port(),
            node: self.sk.net_state().own_node(),
        }
    }

    /// Waits until neither the link to `to`'s node nor `to`'s window holds a unicast back
    /// (C's wait in `tipc_send_group_unicast`); returns whether `to` is still a member that
    /// may receive.
    fn wait_member(&mut self, to: SocketAddr) -> Result<bool> {
        let (sk, state) = (self.sk, self.state);
        let conn = state.kind.is_connection();
        let xmit = &mut self.xmit;
        let blks = self.blks;
        let mut member = true;
        wait_for(self.guard, &mut self.timeo, |_, _, w| {
            let mut inner = state.inner.lock();
            let Inner { group, cong, .. } = &mut *inner;
            let (go, after) = match group.as_mut() {
                Some(g) if !cong.blocks(to.node) => {
                    let out = g.cong(to.node, to.port, blks, GFP_ATOMIC);
                    member = out.value != SendCheck::NotMember;
                    let after = settle(sk, out.effects, GFP_ATOMIC);
                    (out.value != SendCheck::Congested, after)
                }
                // A group left while this send slept waits out its time, as in C.
                _ => (false, After::none()),
            };
            drop(inner);
            after.finish(xmit, sk);
            verdict(go, conn, w)
        })?;
        Ok(member)
    }

    /// A unicast to member `to` once it may go.
    fn unicast(&mut self, msg: &mut SendMsg<'_>, to: SocketAddr) -> Result {
        if !self.wait_member(to)? {
            return Err(error(Errno::EHOSTUNREACH));
        }
        self.send_unicast(msg, to)
    }

    /// Sends the unicast to `to` and spends its window (`tipc_send_group_msg`); as in C,
    /// a node that cannot be reached loses the message without an error.
    fn send_unicast(&mut self, msg: &mut SendMsg<'_>, to: SocketAddr) -> Result {
        let state = self.state;
        let own = self.own();
        let repr = {
            let inner = state.inner.lock();
            let g = inner.group.as_ref().ok_or(error(Errno::EHOSTUNREACH))?;
            let importance = wire_importance(inner.opts.importance());
            g.ucast_header(to).repr(importance, own)
        };
        let skb = build_from(&repr, self.len, |buf| fill_from(msg.data(), buf))?;
        // Recorded before it leaves: what it brings back from a member on this node (an
        // advertisement) finds the books as they are after the send, as in C, where it
        // waits in the socket's backlog until the send is done.
        if let Some(g) = state.inner.lock().group.as_mut() {
            g.ucast_sent(to, self.blks);
        }
        if let Ok(Sent::Congested) = self.xmit.send_to(to.node, skb, own.port) {
            state.inner.lock().cong.add(to.node);
        }
        Ok(())
    }

    /// An anycast to a member bound to `instance` (`tipc_send_group_anycast`): rounds of
    /// look-ups that skip congested members, then a wait for the first one found.
    fn anycast(&mut self, msg: &mut SendMsg<'_>, instance: u32) -> Result {
        let sk = self.sk;
        let net = sk.net_state();
        for _ in 0..ANYCAST_LOOKUPS {
            let (pick, link_cong, after) = {
                let mut inner = self.state.inner.lock();
                let Inner { group, cong, .. } = &mut *inner;
                let g = group.as_mut().ok_or(error(Errno::EHOSTUNREACH))?;
                let out = {
                    let mut names = net.names.lock();
                    g.anycast_pick(&mut names.table, instance, self.blks, GFP_ATOMIC)
                }
                .map_err(error)?;
                let link_cong = match out.value {
                    Anycast::Clear(to) | Anycast::Congested(to) => cong.blocks(to.node),
                    Anycast::NotMember => false,
                };
                (out.value, link_cong, settle(sk, out.effects, GFP_ATOMIC))
            };
            after.finish(&mut self.xmit, sk);
            let to = match pick {
                Anycast::NotMember => continue,
                Anycast::Clear(to) if !link_cong => return self.send_unicast(msg, to),
                Anycast::Clear(to) | Anycast::Congested(to) => to,
            };
            if self.wait_member(to)? {
                return self.send_unicast(msg, to);
            }
        }
        Err(error(Errno::EHOSTUNREACH))
    }

    /// A multicast to the members bound to `instance` (`tipc_send_group_mcast`): a
    /// unicast when one member has it, else a broadcast carrying the instance.
    fn multicast(&mut self, msg: &mut SendMsg<'_>, instance: u32) -> Result {
        let net = self.sk.net_state();
        let plan = {
            let inner = self.state.inner.lock();
            let g = inner.group.as_ref().ok_or(error(Errno::EHOSTUNREACH))?;
            let mut names = net.names.lock();
            g.mcast_plan(&mut names.table, instance, GFP_ATOMIC)
        }
        .map_err(error)?;
        match plan {
            McastPlan::Unicast(to) => self.unicast(msg, to),
            McastPlan::Broadcast => self.broadcast(msg, Some(instance)),
        }
    }

    /// A broadcast to every member, or a multicast to those of `instance`
    /// (`tipc_send_group_bcast`): once no link of the socket is congested and every
    /// member's window holds it, one copy for this node's members (delivered as a
    /// multicast here) and one per other node with members, replicast.
    fn broadcast(&mut self, msg: &mut SendMsg<'_>, instance: Option<u32>) -> Result {
        let (sk, state) = (self.sk, self.state);
        let conn = state.kind.is_connection();
        let blks = self.blks;
        let xmit = &mut self.xmit;
        wait_for(self.guard, &mut self.timeo, |_, _, w| {
            let mut inner = state.inner.lock();
            let Inner { group, cong, .. } = &mut *inner;
            let (go, after) = match group.as_mut() {
                Some(g) if cong.is_empty() => {
                    let out = g.bc_cong(blks, GFP_ATOMIC);
                    (!out.value, settle(sk, out.effects, GFP_ATOMIC))
                }
                _ => (false, After::none()),
            };
            drop(inner);
            after.finish(xmit, sk);
            verdict(go, conn, w)
        })?;
        let own = self.own();
        let (repr, dests): (DataRepr, _) = {
            let mut inner = state.inner.lock();
            let importance = wire_importance(inner.opts.importance());
            let g = inner.group.as_mut().ok_or(error(Errno::EHOSTUNREACH))?;
            let header = g.bc_header(instance).map_err(error)?;
            (header.repr(importance, own), g.bc_dests(GFP_ATOMIC)?)
        };
        if !dests.local && dests.remote.is_empty() {
            return Err(error(Errno::EHOSTUNREACH));
        }
        let data = read_data(msg, self.len)?;
        let copy = |buf: &mut [u8]| {
            buf.copy_from_slice(&data);
            Ok(())
        };
        let local = match dests.local {
            true => Some(build_from(&repr, self.len, copy)?),
            false => None,
        };
        let mut remote = KVec::with_capacity(dests.remote.len(), GFP_KERNEL)?;
        for &node in dests.remote.iter() {
            let mut skb = build_from(&repr, self.len, copy)?;
            Packet::new_unchecked(skb.data_mut()).set_destnode(node);
            remote.push((node, skb), GFP_KERNEL)?;
        }
        // Recorded before the copies leave: the acknowledgements members on this node send
        // at once must find the broadcast counted (C's wait in the socket's backlog).
        if let Some(g) = state.inner.lock().group.as_mut() {
            let rcast = g.method_rcast();
            g.bc_sent(blks, rcast);
        }
        if let Some(skb) = local {
            input::deliver_msg(&mut self.xmit, skb);
        }
        for (node, skb) in remote {
            if let Ok(Sent::Congested) = self.xmit.send_to(node, skb, own.port) {
                state.inner.lock().cong.add(node);
            }
        }
        Ok(())
    }
}
