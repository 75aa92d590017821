// SPDX-License-Identifier: GPL-2.0

//! Communication groups on sockets: `TIPC_GROUP_JOIN` and `TIPC_GROUP_LEAVE`, what reaches
//! a member (group protocol messages, group data, the binding events of its group's type)
//! and the effects the core's [`Group`] asks for (Documentation/group.md).
//!
//! A socket's group lives in its state ([`Inner::group`]) under the state lock, as C's
//! `tsk->group` lives under the socket's lock. Every call here runs the core under that lock,
//! queues what the core delivers there too (so the receive queue keeps the order the core
//! chose, whichever thread delivers) and sets the receive buffer; the protocol messages it
//! asks to send and the wakeup of writers wait until the lock is released ([`After`]).

use crate::{
    cluster,
    netns::{SockRef, TipcNet},
    node::Xmit,
    proto::{
        group::{
            effects::{fits, Delivery, Effects},
            event::MemberEvent,
            recv::Incoming,
            state::Group,
        },
        msg::srcaddr::mark_member,
        name_table::{addr::ServiceRange, bind::Binding, update::Update},
        sockopt::GroupJoin,
        topology::group_watch::WatchEvent,
        wire::{
            consts::{User, INT_H_SIZE},
            data::DataRepr,
            group_proto::GroupProtoRepr,
            header::Packet,
        },
    },
    socket::{error, note, Inner, TipcFamily},
    topsrv,
};
use kernel::{
    alloc::Flags,
    net::{skb::OwnedSkBuff, sock::Sk, socket::Socket},
    prelude::*,
    sync::SpinLockBhGuard,
};

/// What is left of a group's effects once the socket's state lock is released: protocol
/// messages to send and whether writers are to be woken.
#[must_use]
pub(crate) struct After {
    xmit: KVec<GroupProtoRepr>,
    wakeup: bool,
}

impl After {
    /// Nothing to do.
    pub(crate) fn none() -> Self {
        Self {
            xmit: KVec::new(),
            wakeup: false,
        }
    }

    /// Sends the protocol messages through `xmit` and wakes `sk`'s writers if asked; called
    /// with no lock of the socket held, as a message may come back to it.
    pub(crate) fn finish(self, xmit: &mut Xmit<'_>, sk: &Sk<TipcFamily>) {
        for m in self.xmit.iter() {
            let mut buf = [0u8; INT_H_SIZE];
            if let Ok(n) = m.emit(&mut buf) {
                if let Some(bytes) = buf.get(..n) {
                    xmit.send_bytes(bytes);
                }
            }
        }
        if self.wakeup {
            sk.wake_writers();
        }
    }
}

/// Carries out the part of `fx` that belongs under the socket's state lock: deliveries to
/// `sk`'s receive queue, in order, and the receive buffer; allocates with `flags`
/// (`GFP_ATOMIC`: the caller holds the lock).
///
/// A connection socket takes no delivery: in C its connection's rules refuse what its
/// group delivers (`tipc_sk_filter_connect` takes nothing in the states a member can be
/// in), and as every group message and membership event may be dropped, none goes back.
pub(crate) fn settle(sk: &Sk<TipcFamily>, fx: Effects<OwnedSkBuff>, flags: Flags) -> After {
    let refused = sk.state().kind.is_connection();
    for d in fx.deliver {
        if refused {
            continue;
        }
        let msg = match d {
            Delivery::Data { mut msg, member } => {
                mark_member(msg.data_mut(), member);
                Some(msg)
            }
            Delivery::Event(ev) => event_message(&ev, flags),
        };
        let Some(msg) = msg else {
            sk.count_drop();
            continue;
        };
        if fits(sk.receive_memory(), msg.truesize(), sk.rcvbuf()) {
            sk.queue_rcv(msg);
        } else {
            sk.count_drop();
            drop(msg);
        }
    }
    if let Some(bytes) = fx.rcvbuf {
        sk.set_rcvbuf(bytes);
    }
    After {
        xmit: fx.xmit,
        wakeup: fx.wakeup,
    }
}

/// The message of membership event `ev`, with the member's instance kept for `recvmsg(2)`;
/// `None` without memory.
fn event_message(ev: &MemberEvent, flags: Flags) -> Option<OwnedSkBuff> {
    let mut skb = OwnedSkBuff::alloc(MemberEvent::LEN, flags).ok()?;
    let buf = skb.put(MemberEvent::LEN).ok()?;
    let n = ev.emit(buf).ok()?;
    if n != MemberEvent::LEN {
        return None;
    }
    mark_member(skb.data_mut(), ev.instance);
    Some(skb)
}

/// `TIPC_GROUP_JOIN` (`tipc_sk_join`), with the socket's owner lock held and its state
/// locked in `inner`: makes the group, watches the group's type, takes the members the
/// name table holds and publishes the socket's binding, all under the name table's lock so
/// that no change of the type is missed or seen twice; then `GRP_JOIN` goes to every
/// member. A failure leaves the socket as it was.
pub(crate) fn join(
    sock: &Socket<'_, TipcFamily>,
    mut inner: SpinLockBhGuard<'_, Inner>,
    join: GroupJoin,
) -> Result {
    let sk = sock.sk();
    let port = sock.state().port();
    let net = sk.net_state();
    let connected = crate::socket::is_established(sk);
    let mut updates = KVec::new();
    let binding = Binding {
        range: ServiceRange {
            ty: join.group_type,
            lower: join.instance,
            upper: join.instance,
        },
        scope: join.scope,
    };
    let fx = topsrv::with_names(
        net,
        |table, topsrv, distr, ctx| -> Result<Effects<OwnedSkBuff>> {
            let mut group = Group::new(&join, table.own_node(), port);
            table
                .for_each_group_member(join.group_type, join.scope, |s, instance| {
                    group.add_member(s, instance, GFP_ATOMIC)
                })
                .map_err(|_| ENOMEM)?;
            topsrv
                .groups
                .watch(port, join.group_type, join.scope, GFP_ATOMIC)
                .map_err(|_| ENOMEM)?;
            match inner
                .bindings
                .bind(table, port, &binding, connected, GFP_ATOMIC)
            {
                Ok(p) => {
                    topsrv.published(&binding.range, &p, ctx);
                    note(
                        &mut updates,
                        Update::published(distr, &binding.range, &p.publication),
                    );
                }
                Err(e) => {
                    // No member was told anything yet.
                    topsrv.groups.unwatch(port);
                    return Err(error(e));
                }
            }
            let fx = group.joined(GFP_ATOMIC);
            inner.group = Some(group);
            inner.opts.joined(join);
            Ok(fx)
        },
    )?;
    let after = settle(sk, fx, GFP_ATOMIC);
    drop(inner);
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    after.finish(&mut xmit, sk);
    // The socket's own binding is an event for its group (a member of itself with
    // loopback), and for other groups of the type.
    topsrv::flush(net, GFP_KERNEL);
    cluster::distribute(net, &updates);
    Ok(())
}

/// Leaves the group the socket is in, if any (`tipc_sk_leave`: `TIPC_GROUP_LEAVE`, and
/// `close(2)`), with the socket's owner lock held and its state locked in `inner`: a
/// `GRP_LEAVE` to every member, the watch ended and the group's binding withdrawn. The
/// caller sends what is returned once it released `inner`, then flushes the topology
/// server and distributes `updates`.
pub(crate) fn leave(
    inner: &mut Inner,
    net: &TipcNet,
    port: u32,
    updates: &mut KVec<Update>,
) -> After {
    let Some(group) = inner.group.take() else {
        return After::none();
    };
    inner.group_open = group.is_open();
    let (ty, instance, scope) = group.binding();
    let fx = group.leave(GFP_ATOMIC);
    let binding = Binding {
        range: ServiceRange {
            ty,
            lower: instance,
            upper: instance,
        },
        scope,
    };
    topsrv::with_names(net, |table, topsrv, distr, ctx| {
        topsrv.groups.unwatch(port);
        if let Ok(Some(w)) = inner.bindings.unbind(table, port, &binding) {
            topsrv.withdrawn(&w, ctx);
            note(updates, Update::withdrawn(distr, &w));
        }
    });
    After {
        xmit: fx.xmit,
        wakeup: false,
    }
}

/// `TIPC_GROUP_LEAVE`, with the socket's owner lock held and its state locked in `inner`.
pub(crate) fn leave_now(sock: &Socket<'_, TipcFamily>, mut inner: SpinLockBhGuard<'_, Inner>) {
    let sk = sock.sk();
    let net = sk.net_state();
    let mut updates = KVec::new();
    let after = leave(&mut inner, net, sock.state().port(), &mut updates);
    drop(inner);
    let mut xmit = Xmit::new(net, GFP_KERNEL);
    after.finish(&mut xmit, sk);
    topsrv::flush(net, GFP_KERNEL);
    cluster::distribute(net, &updates);
}

/// A message arrives for socket `sk`, not a connection socket: a group protocol message or
/// a group data message goes to its group (`tipc_sk_proto_rcv`, `tipc_group_filter_msg`);
/// any other message to a group member is dropped, as C drops it. What is not the group's
/// business (the socket is in no group, the message no protocol message) comes back for the
/// ordinary filter, which refuses group data to a socket in no group.
pub(crate) fn arrive(xmit: &mut Xmit<'_>, sk: &SockRef, skb: OwnedSkBuff) -> Option<OwnedSkBuff> {
    let Ok(p) = Packet::new_checked(skb.data()) else {
        return Some(skb);
    };
    let proto = p.user() == Some(User::GroupProtocol);
    // Under the state lock every allocation is atomic.
    let flags = GFP_ATOMIC;
    let mut inner = sk.state().inner.lock();
    let Some(group) = inner.group.as_mut() else {
        if proto {
            skb.consume();
            return None;
        }
        return Some(skb);
    };
    // Parsed only for a member: most sockets are in no group.
    let (incoming, repr) = if proto {
        (None, GroupProtoRepr::parse(&p).ok())
    } else {
        let incoming = DataRepr::parse(&p)
            .ok()
            .and_then(|h| Incoming::from_repr(&h, p.total_len()));
        (incoming, None)
    };
    let fx = match (repr, incoming) {
        (Some(m), _) => {
            skb.consume();
            group.on_proto(&m, flags)
        }
        (None, Some(inc)) => group.on_data(skb, inc, flags),
        (None, None) => {
            // A bogus protocol message, a member event from outside or a message outside
            // the group.
            skb.consume();
            return None;
        }
    };
    let after = settle(sk, fx, flags);
    drop(inner);
    after.finish(xmit, sk);
    None
}

/// A binding event of the group's type for the socket the event names (the topology
/// server's kernel subscription, `tipc_group_member_evt`); `node_up` is asked of the node
/// layer before the socket's lock is taken.
pub(crate) fn member_event(xmit: &mut Xmit<'_>, ev: &WatchEvent) {
    let net = xmit.net();
    let Some(sk) = net.socket(ev.port) else {
        return;
    };
    let node_up = xmit.reaches(ev.event.sk.node);
    let flags = GFP_ATOMIC;
    let mut inner = sk.state().inner.lock();
    let Some(group) = inner.group.as_mut() else {
        return;
    };
    if group.binding().0 != ev.ty {
        return;
    }
    let fx = group.member_event(&ev.event, node_up, flags);
    let after = settle(&sk, fx, flags);
    drop(inner);
    after.finish(xmit, &sk);
}

/// The reader took a group message of `blks` blocks from member `port` on `node` off the
/// queue of `sk`: the group advertises again as it should (`tipc_group_update_rcv_win`).
pub(crate) fn consumed(sk: &Sk<TipcFamily>, node: u32, port: u32, blks: u16) {
    let after = {
        let mut inner = sk.state().inner.lock();
        let Some(group) = inner.group.as_mut() else {
            return;
        };
        let fx = group.consumed(node, port, blks, GFP_ATOMIC);
        settle(sk, fx, GFP_ATOMIC)
    };
    after.finish(&mut Xmit::new(sk.net_state(), GFP_KERNEL), sk);
}
