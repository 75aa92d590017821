#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Communication groups on one node (TIPC_GROUP_JOIN): joining and leaving, the options and
calls a member may and may not make, unicast, anycast, multicast and broadcast between
members with their source addresses (the socket and the member), the order of a sender's
messages across modes, membership events with and without TIPC_GROUP_MEMBER_EVTS and
TIPC_GROUP_LOOPBACK, flow control (EAGAIN, poll, a blocked sender woken by its reader), and a
bounded churn of members joining, sending and leaving at random with no message or event
lost or duplicated.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/group.py'
"""

import ctypes
import errno
import random
import select
import socket
import struct
import threading
import time

from tipc_ktap import (Iovec, Msghdr, eq, raises_errno, run, sockaddr_tipc, sys_connect,
                       sys_sendto, track, tracked_case)

AF_TIPC = socket.AF_TIPC
RDM = socket.SOCK_RDM
SOL_TIPC = 271
TIPC_GROUP_JOIN, TIPC_GROUP_LEAVE = 135, 136
LOOPBACK, MEMBER_EVTS = 1, 2
PUBLISHED, WITHDRAWN = 1, 2
CLUSTER, NODE = socket.TIPC_CLUSTER_SCOPE, socket.TIPC_NODE_SCOPE
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
MSG_OOB, MSG_EOR, MSG_DONTWAIT = socket.MSG_OOB, socket.MSG_EOR, socket.MSG_DONTWAIT
TIPC_SOCK_RECVQ_DEPTH = 132
EVENT = "event"

_next_type = [7000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


gcase = tracked_case


# ---- members ----

def rdm():
    return track(socket.socket(AF_TIPC, RDM))


def join(s, gtype, inst, flags=0, scope=CLUSTER):
    s.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN, struct.pack("=IIII", gtype, inst, scope, flags))


def leave(s):
    """TIPC_GROUP_LEAVE takes no value: a NULL one of length 0."""
    s.setsockopt(SOL_TIPC, TIPC_GROUP_LEAVE, None, 0)


def group_of(s):
    return struct.unpack("=I", s.getsockopt(SOL_TIPC, TIPC_GROUP_JOIN, 4))[0]


def sid(s):
    """(port, node) of socket s (Python's address tuple gives the node first)."""
    _, node, port = s.getsockname()[:3]
    return port, node


# The id of each member socket made by member(), kept for after it is closed.
_sids = {}


def member(gtype, inst, flags=0, scope=CLUSTER):
    s = rdm()
    join(s, gtype, inst, flags, scope)
    _sids[id(s)] = sid(s)
    return s


def sid_closed(s):
    """The id member socket s had."""
    return _sids[id(s)]


def to_sock(s):
    """The socket address of s, as Python takes it: node, then port."""
    port, node = sid(s)
    return (SOCKET_ADDR, node, port, 0)


def sndtimeo(s, seconds):
    """SO_SNDTIMEO: a blocking send gives up with EAGAIN after `seconds`."""
    us = int(seconds * 1e6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("=qq", us // 10**6, us % 10**6))


def poll_mask(s, timeout_ms=0):
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLOUT | select.POLLERR | select.POLLHUP)
    ev = p.poll(timeout_ms)
    return ev[0][1] if ev else 0


# ---- recvmsg as C fills it: the address pair, and the bytes of an event ----

_libc = ctypes.CDLL(None, use_errno=True)


class Msg:
    """One recvmsg(2): the count returned, the bytes in the buffer (all it holds for an
    event, which returns 0), the flags, the sender's socket id, the member address
    (type, instance) and the length of ancillary data."""

    def __init__(self, rc, raw, flags, name, ctl):
        self.rc, self.raw, self.flags, self.ctl = rc, raw, flags, ctl
        self.data = raw[:rc]
        self.namelen = len(name)
        self.sock = self.member = None
        if len(name) >= 16:
            fam, atype, _, ref, node, _ = struct.unpack("=HBbIII", name[:16])
            eq((fam, atype), (AF_TIPC, SOCKET_ADDR), "source address type")
            self.sock = (ref, node)
        if len(name) >= 32:
            fam, atype, _, mtype, minst, _ = struct.unpack("=HBbIII", name[16:32])
            eq((fam, atype), (AF_TIPC, SERVICE_ADDR), "member address type")
            self.member = (mtype, minst)

    @property
    def event(self):
        """(PUBLISHED or WITHDRAWN) for a membership event, else None."""
        if not self.flags & MSG_OOB:
            return None
        return WITHDRAWN if self.flags & MSG_EOR else PUBLISHED

    def __repr__(self):
        return f"Msg(rc={self.rc}, flags={self.flags:#x}, sock={self.sock}, member={self.member})"


def grecv(s, timeout=5.0, n=66000, flags=0):
    """The next message on s, waiting up to timeout seconds (None: fail on none)."""
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        raise AssertionError(f"nothing received in {timeout} s")
    return grecv_now(s, n, flags)


def grecv_now(s, n=66000, flags=0):
    buf = ctypes.create_string_buffer(n)
    name = ctypes.create_string_buffer(64)
    ctl = ctypes.create_string_buffer(256)
    iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), n)
    m = Msghdr(ctypes.cast(name, ctypes.c_void_p), 64, ctypes.pointer(iov), 1,
                ctypes.cast(ctl, ctypes.c_void_p), 256, 0)
    rc = _libc.recvmsg(s.fileno(), ctypes.byref(m), flags | MSG_DONTWAIT)
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    raw = buf.raw[:max(rc, 48)]
    return Msg(rc, raw, m.msg_flags, name.raw[:m.msg_namelen], ctl.raw[:m.msg_controllen])


def nothing(s, what, wait=0.3):
    """Fails if s receives anything within `wait` seconds."""
    r, _, _ = select.select([s], [], [], wait)
    if r:
        raise AssertionError(f"{what}: received {grecv_now(s)!r}, want nothing")


def expect_event(s, kind, of, gtype, inst):
    """The next message on s is membership event `kind` for socket `of` (a socket or an
    (port, node) pair) bound to instance `inst` of `gtype`, as C delivers it."""
    m = grecv(s)
    ofid = of if isinstance(of, tuple) else sid(of)
    eq((m.rc, m.event), (0, kind), f"event from {ofid}: {m!r}")
    eq((m.sock, m.member, m.namelen), (ofid, (gtype, inst), 32), "event's addresses")
    eq(len(m.ctl), 0, "event's ancillary data")
    words = struct.unpack("=8I", m.raw[:32])
    eq(words, (kind, inst, inst, ofid[0], ofid[1], gtype, inst, inst), "struct tipc_event")


def expect_data(s, data, frm, gtype, inst):
    m = grecv(s)
    eq((m.rc, m.event, m.data), (len(data), None, data), f"message from {sid(frm)}")
    eq((m.sock, m.member, m.namelen), (sid(frm), (gtype, inst), 32), "source addresses")
    eq(len(m.ctl), 0, "ancillary data")
    return m


def drain(s):
    """Reads whatever waits on s."""
    while select.select([s], [], [], 0)[0]:
        grecv_now(s)


# ---- the options and calls of a member ----

@gcase()
def join_leave_and_getsockopt():
    t = new_type()
    s = rdm()
    eq(group_of(s), 0, "not in a group")
    join(s, t, 3)
    eq(group_of(s), t, "in a group")
    raises_errno(errno.EACCES, join, s, t, 4)
    raises_errno(errno.EACCES, join, s, t + 1, 3)
    raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_GROUP_LEAVE, b"")
    eq(group_of(s), t, "a leave with a value is refused")
    leave(s)
    eq(group_of(s), 0, "left")
    raises_errno(errno.EINVAL, leave, s)
    join(s, t + 1, 5, MEMBER_EVTS | LOOPBACK, NODE)
    eq(group_of(s), t + 1, "joined again")


@gcase()
def join_rejects_bad_requests():
    s = rdm()
    raises_errno(errno.EACCES, join, s, 63, 1)
    raises_errno(errno.EINVAL, join, s, new_type(), 1, 0, 4)
    raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_GROUP_JOIN, b"\0" * 12)
    eq(group_of(s), 0, "no group after refusals")
    # Scope 0 and 1 count as cluster scope.
    t = new_type()
    join(s, t, 1, 0, 0)
    eq(group_of(s), t, "scope 0")


@gcase()
def member_cannot_bind_or_connect():
    t = new_type()
    s = member(t, 1)
    raises_errno(errno.EACCES, s.bind, (SERVICE_ADDR, new_type(), 1, 0))
    raises_errno(errno.EINVAL, sys_connect, s, sockaddr_tipc(SERVICE_ADDR, new_type(), 1))


@gcase()
def membership_is_a_binding():
    """The group's binding is seen by others: a second member's join event names it, and
    after a leave the name is gone (an anycast to it from a member finds nobody)."""
    t = new_type()
    a = member(t, 1, MEMBER_EVTS)
    b = member(t, 2)
    expect_event(a, PUBLISHED, b, t, 2)
    leave(b)
    expect_event(a, WITHDRAWN, b, t, 2)
    raises_errno(errno.EHOSTUNREACH, a.sendto, b"x", (SERVICE_ADDR, t, 2, 0))


# ---- events ----

@gcase()
def events_for_members_before_and_after():
    t = new_type()
    a = member(t, 1)
    b = member(t, 2, MEMBER_EVTS)
    # b learns of a, already there, and of c, who joins after.
    expect_event(b, PUBLISHED, a, t, 1)
    c = member(t, 3)
    expect_event(b, PUBLISHED, c, t, 3)
    c.close()
    expect_event(b, WITHDRAWN, sid_closed(c), t, 3)
    leave(a)
    expect_event(b, WITHDRAWN, sid_closed(a), t, 1)
    nothing(b, "no more events")


@gcase()
def no_events_without_member_evts():
    t = new_type()
    a = member(t, 1)
    b = member(t, 2)
    b.close()
    nothing(a, "member without TIPC_GROUP_MEMBER_EVTS")


@gcase()
def loopback_member_hears_itself():
    """With loopback the socket is a member of its own group: its own join event, its own
    broadcasts."""
    t = new_type()
    a = member(t, 1, MEMBER_EVTS | LOOPBACK)
    expect_event(a, PUBLISHED, a, t, 1)
    b = member(t, 2, MEMBER_EVTS)
    expect_event(a, PUBLISHED, b, t, 2)
    expect_event(b, PUBLISHED, a, t, 1)
    eq(a.send(b"all"), 3, "broadcast")
    expect_data(a, b"all", a, t, 1)
    expect_data(b, b"all", a, t, 1)
    eq(b.send(b"from b"), 6, "broadcast")
    expect_data(a, b"from b", b, t, 2)
    nothing(b, "no loopback for b")


@gcase()
def node_scope_and_cluster_scope_are_apart():
    t = new_type()
    a = member(t, 1, MEMBER_EVTS, NODE)
    b = member(t, 2, MEMBER_EVTS, CLUSTER)
    c = member(t, 3, MEMBER_EVTS, NODE)
    expect_event(a, PUBLISHED, c, t, 3)
    expect_event(c, PUBLISHED, a, t, 1)
    nothing(b, "cluster member, node-scope others")
    eq(c.send(b"node"), 4, "broadcast")
    expect_data(a, b"node", c, t, 3)
    nothing(b, "cluster-scope member")


# ---- the four modes ----

def trio(t, flags=MEMBER_EVTS):
    """Members a, b, c of t at instances 1, 2, 2, each having seen the others join."""
    a = member(t, 1, flags)
    b = member(t, 2, flags)
    c = member(t, 2, flags)
    for s, others in ((a, ((b, 2), (c, 2))), (b, ((a, 1), (c, 2))), (c, ((a, 1), (b, 2)))):
        got = set()
        for _ in others:
            m = grecv(s)
            eq((m.event, m.rc), (PUBLISHED, 0), "join event")
            got.add((m.sock, m.member))
        eq(got, {(sid(o), (t, i)) for o, i in others}, "join events")
    return a, b, c


@gcase()
def unicast_reaches_one_member():
    t = new_type()
    a, b, c = trio(t)
    eq(a.sendto(b"to b", to_sock(b)), 4, "unicast")
    expect_data(b, b"to b", a, t, 1)
    nothing(c, "other member")
    # Python names the node first in a socket address.
    port, node = sid(c)
    eq(b.sendto(b"to c", (SOCKET_ADDR, node, port, 0)), 4, "unicast")
    expect_data(c, b"to c", b, t, 2)
    raises_errno(errno.EHOSTUNREACH, a.sendto, b"x", (SOCKET_ADDR, 0, 0, 0))
    stranger = rdm()
    port, node = sid(stranger)
    raises_errno(errno.EHOSTUNREACH, a.sendto, b"x", (SOCKET_ADDR, node, port, 0))


@gcase()
def anycast_goes_round_the_instance():
    t = new_type()
    a, b, c = trio(t)
    for i in range(6):
        eq(a.sendto(b"any%d" % i, (SERVICE_ADDR, t, 2, 0)), 4, "anycast")
    got = {}
    for s in (b, c):
        got[sid(s)] = []
        while select.select([s], [], [], 0.5)[0]:
            m = grecv_now(s)
            eq((m.sock, m.member), (sid(a), (t, 1)), "anycast source")
            got[sid(s)].append(m.data)
    eq(sorted(len(v) for v in got.values()), [3, 3], "round robin over two members")
    eq(sorted(sum(got.values(), [])), [b"any%d" % i for i in range(6)], "each once")
    # The type in the address is ignored: the group's is used.
    eq(b.sendto(b"one", (SERVICE_ADDR, t + 500, 1, 0)), 3, "anycast")
    expect_data(a, b"one", b, t, 2)
    raises_errno(errno.EHOSTUNREACH, a.sendto, b"x", (SERVICE_ADDR, t, 9, 0))


@gcase()
def multicast_reaches_an_instance():
    t = new_type()
    a, b, c = trio(t)
    eq(a.sendto(b"m2", (SERVICE_RANGE, t, 2, 2)), 2, "multicast")
    expect_data(b, b"m2", a, t, 1)
    expect_data(c, b"m2", a, t, 1)
    # One member with the instance: a unicast to it.
    eq(b.sendto(b"m1", (SERVICE_RANGE, t, 1, 7)), 2, "multicast")
    expect_data(a, b"m1", b, t, 2)
    nothing(c, "instance 2 when 1 is asked")
    raises_errno(errno.EHOSTUNREACH, a.sendto, b"x", (SERVICE_RANGE, t, 9, 9))


@gcase()
def broadcast_reaches_every_other_member():
    t = new_type()
    a, b, c = trio(t)
    eq(a.send(b"all"), 3, "broadcast")
    expect_data(b, b"all", a, t, 1)
    expect_data(c, b"all", a, t, 1)
    nothing(a, "sender without loopback")
    lone = member(new_type(), 1)
    raises_errno(errno.EHOSTUNREACH, lone.send, b"x")
    raises_errno(errno.EINVAL, sys_sendto, a, b"x", sockaddr_tipc(9, 1, 2, 3))
    raises_errno(errno.EINVAL, sys_sendto, a, b"x", sockaddr_tipc(SERVICE_ADDR, t, 2)[:12])


@gcase()
def outsiders_messages_are_dropped():
    t = new_type()
    a = member(t, 1)
    out = rdm()
    eq(out.sendto(b"x", (SERVICE_ADDR, t, 1, 0)), 1, "send from outside")
    port, node = sid(a)
    eq(out.sendto(b"y", (SOCKET_ADDR, node, port, 0)), 1, "send from outside")
    nothing(a, "a member")


@gcase(120)
def a_senders_order_holds_across_modes():
    """Each sender's messages in every mode arrive in its order: unicasts, multicasts and
    broadcasts interleaved, three senders at once in threads, two readers."""
    t = new_type()
    a = member(t, 5, MEMBER_EVTS)
    b = member(t, 5, MEMBER_EVTS)
    c = member(t, 5, MEMBER_EVTS)
    for s in (a, b, c):
        for _ in range(2):
            eq(grecv(s).event, PUBLISHED, "join event")
    n = 150
    errs = []

    def sender(s, others):
        try:
            for i in range(n):
                mode = i % 4
                data = struct.pack("=I", i) + bytes(random.randrange(0, 3000))
                if mode == 0:
                    s.send(data)
                elif mode == 1:
                    for o in others:
                        s.sendto(data, to_sock(o))
                elif mode == 2:
                    s.sendto(data, (SERVICE_RANGE, t, 5, 9))
                else:
                    for o in others:
                        port, node = sid(o)
                        s.sendto(data, (SOCKET_ADDR, node, port, 0))
        except Exception as e:  # noqa: BLE001
            errs.append(e)

    got = {sid(x): {} for x in (a, b, c)}

    def reader(s, expect):
        me = got[sid(s)]
        try:
            while sum(len(v) for v in me.values()) < expect:
                m = grecv(s, 30)
                me.setdefault(m.sock, []).append(struct.unpack("=I", m.data[:4])[0])
        except Exception as e:  # noqa: BLE001
            errs.append(e)

    # Per reader: from each of two senders, n messages (a multicast to instance 5 reaches
    # every member but the sender).
    threads = [threading.Thread(target=reader, args=(s, 2 * n)) for s in (a, b, c)]
    threads += [threading.Thread(target=sender, args=(s, [o for o in (a, b, c) if o is not s]))
                for s in (a, b, c)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(100)
    eq(errs, [], "errors")
    for r in got.values():
        for frm, seqs in r.items():
            eq(seqs, list(range(n)), f"order from {frm}")


# ---- flow control ----

def fill_window(send):
    """Calls send() until it fails with EAGAIN; returns how many sends went."""
    sent = 0
    while True:
        try:
            send()
        except BlockingIOError:
            return sent
        sent += 1
        if sent > 1000:
            raise AssertionError("no flow control")


@gcase()
def unicast_window_then_eagain_and_poll():
    t = new_type()
    a, b, _ = trio(t)
    data = bytes(1000)
    sent = fill_window(lambda: a.sendto(data, MSG_DONTWAIT, to_sock(b)))
    # The idle window, 65 blocks of 1 KiB, takes 32 messages of 1044 bytes (2 blocks each).
    eq(sent, 32, "messages in the idle window")
    eq(poll_mask(a) & select.POLLOUT, 0, "POLLOUT while congested")
    sndtimeo(a, 0.3)
    t0 = time.monotonic()
    raises_errno(errno.EAGAIN, a.sendto, data, to_sock(b))
    if time.monotonic() - t0 < 0.25:
        raise AssertionError("a blocking send did not wait for its timeout")
    # Reading makes the sender active: a larger window comes back.
    expect_data(b, data, a, t, 1)
    if not poll_mask(a, 2000) & select.POLLOUT:
        raise AssertionError("no POLLOUT after the reader read")
    a.sendto(data, MSG_DONTWAIT, to_sock(b))
    for _ in range(sent):
        expect_data(b, data, a, t, 1)


@gcase()
def a_connection_socket_member_sends_polls_and_queues_nothing():
    # A SEQPACKET or STREAM socket in a group is writable when its group is open, as an RDM
    # member is: not alone in it, nor while a destination's window is full. Where an RDM
    # member would wait, it gets ENOTCONN at once: C's wait first checks that a connection
    # socket is connected. Nothing the group delivers to it is queued.
    data = bytes(1000)
    for ty in (socket.SOCK_SEQPACKET, socket.SOCK_STREAM):
        t = new_type()
        a = track(socket.socket(AF_TIPC, ty))
        join(a, t, 1)
        eq(poll_mask(a) & select.POLLOUT, 0, f"POLLOUT of a lone member (type {ty})")
        b = member(t, 2)
        deadline = time.monotonic() + 5
        sent = 0
        while True:
            try:
                a.sendto(data, MSG_DONTWAIT, to_sock(b))
                sent += 1
                if sent > 1000:
                    raise AssertionError("no flow control")
            except OSError as e:
                # Until b's join reaches a, b is no member (EHOSTUNREACH) or one with no
                # window yet.
                if sent == 0 and time.monotonic() < deadline and e.errno in (
                        errno.EHOSTUNREACH, errno.ENOTCONN):
                    time.sleep(0.01)
                    continue
                eq(e.errno, errno.ENOTCONN, f"errno of a full window (type {ty})")
                break
        eq(poll_mask(a) & select.POLLOUT, 0, f"POLLOUT while congested (type {ty})")
        for _ in range(sent):
            expect_data(b, data, a, t, 1)
        if not poll_mask(a, 2000) & select.POLLOUT:
            raise AssertionError(f"no POLLOUT after the reader read (type {ty})")
        eq(a.sendto(data, MSG_DONTWAIT, to_sock(b)), len(data), f"send after (type {ty})")
        expect_data(b, data, a, t, 1)
        # What the group delivers to it, the connection's rules refuse: nothing is queued.
        deadline = time.monotonic() + 5
        while True:
            try:
                b.sendto(b"hi", MSG_DONTWAIT, to_sock(a))
                break
            except OSError as e:
                if e.errno not in (errno.EHOSTUNREACH, errno.EAGAIN) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        time.sleep(0.2)
        eq(poll_mask(a) & select.POLLIN, 0, f"POLLIN after a member's message (type {ty})")
        eq(struct.unpack("=I", a.getsockopt(SOL_TIPC, TIPC_SOCK_RECVQ_DEPTH, 4))[0], 0,
           f"messages queued (type {ty})")


@gcase()
def broadcast_waits_for_the_smallest_window():
    t = new_type()
    a, b, c = trio(t)
    data = bytes(1000)
    sent = fill_window(lambda: a.send(data, MSG_DONTWAIT))
    eq(sent, 32, "broadcasts in the idle window")
    # c reads everything, b nothing: a stays congested.
    for _ in range(sent):
        expect_data(c, data, a, t, 1)
    raises_errno(errno.EAGAIN, a.send, data, MSG_DONTWAIT)
    for _ in range(sent):
        expect_data(b, data, a, t, 1)
    if not poll_mask(a, 2000) & select.POLLOUT:
        raise AssertionError("no POLLOUT after both read")
    eq(a.send(data, MSG_DONTWAIT), len(data), "broadcast after both read")


@gcase()
def blocked_sender_is_woken_by_its_reader():
    t = new_type()
    a, b, _ = trio(t)
    data = bytes(30000)
    done = []

    def send_many():
        for _ in range(10):
            a.sendto(data, to_sock(b))
        done.append(True)

    th = threading.Thread(target=send_many)
    th.start()
    time.sleep(0.5)
    eq(done, [], "sender blocked")
    for _ in range(10):
        expect_data(b, data, a, t, 1)
    th.join(10)
    eq(done, [True], "sender finished")


@gcase()
def leave_event_comes_after_the_last_message():
    t = new_type()
    a, b, _ = trio(t)
    for i in range(20):
        b.send(b"b%d" % i)
    b.sendto(b"last", to_sock(a))
    b.close()
    for i in range(20):
        m = grecv(a)
        eq((m.data, m.sock), (b"b%d" % i, sid_closed(b)), "broadcast before leave")
    m = grecv(a)
    eq((m.data, m.sock), (b"last", sid_closed(b)), "unicast before leave")
    expect_event(a, WITHDRAWN, sid_closed(b), t, 2)


# ---- churn ----

@gcase(120)
def churn_loses_and_duplicates_nothing():
    """Two members stay; four threads make members that join at random instances, send
    broadcasts, unicasts to the stayers, anycasts and multicasts, and leave or close, for a
    few seconds. Each stayer must get, from each member that came and went, its join event,
    then every message it sent them, in order, once, then its leave event."""
    t = new_type()
    p = member(t, 1, MEMBER_EVTS)
    q = member(t, 1, MEMBER_EVTS)
    expect_event(q, PUBLISHED, p, t, 1)
    expect_event(p, PUBLISHED, q, t, 1)
    stop = time.monotonic() + 6
    errs = []
    sent = {}  # (port, node) -> {stayer id: [seq...]}
    lock = threading.Lock()
    stayers = (p, q)

    def churner(seed):
        rnd = random.Random(seed)
        try:
            while time.monotonic() < stop:
                s = socket.socket(AF_TIPC, RDM)
                # Churners read little: a send that waits long for one of them gives up.
                sndtimeo(s, 0.5)
                inst = rnd.randrange(2, 5)
                join(s, t, inst, rnd.choice((0, MEMBER_EVTS)))
                me = sid(s)
                log = {sid(x): [] for x in stayers}
                with lock:
                    sent[me] = log
                seq = 0
                for _ in range(rnd.randrange(1, 30)):
                    drain(s)
                    data = struct.pack("=I", seq) + bytes(rnd.randrange(0, 2000))
                    mode = rnd.randrange(4)
                    try:
                        dests = churn_send(s, data, mode, rnd)
                    except BlockingIOError:
                        continue
                    if dests is None:
                        log.setdefault("any", []).append(seq)
                    for d in dests or ():
                        log[sid(d)].append(seq)
                    seq += 1
                if rnd.randrange(2):
                    leave(s)
                s.close()
        except Exception as e:  # noqa: BLE001
            errs.append(e)

    def churn_send(s, data, mode, rnd):
        """Sends data in `mode`; the stayers it reaches, None for an anycast."""
        if mode == 0:
            s.send(data)
            return stayers
        if mode == 1:
            dest = rnd.choice(stayers)
            s.sendto(data, to_sock(dest))
            return (dest,)
        if mode == 2:
            s.sendto(data, (SERVICE_RANGE, t, 1, 1))
            return stayers
        # An anycast to instance 1 reaches one of the stayers: their readers tell which.
        s.sendto(data, (SERVICE_ADDR, t, 1, 0))
        return None

    got = {sid(x): [] for x in stayers}
    done = threading.Event()

    def reader(s):
        me = got[sid(s)]
        try:
            while not done.is_set() or select.select([s], [], [], 1)[0]:
                if not select.select([s], [], [], 0.2)[0]:
                    continue
                m = grecv_now(s)
                me.append((m.sock, EVENT if m.event else struct.unpack("=I", m.data[:4])[0],
                           m.event))
        except Exception as e:  # noqa: BLE001
            errs.append(e)

    readers = [threading.Thread(target=reader, args=(s,)) for s in stayers]
    churners = [threading.Thread(target=churner, args=(i,)) for i in range(4)]
    for th in readers + churners:
        th.start()
    for th in churners:
        th.join(60)
    time.sleep(2)
    done.set()
    for th in readers:
        th.join(30)
    eq(errs, [], "errors")
    anycasts = {}
    total = 0
    for stayer, msgs in got.items():
        by = {}
        for frm, what, ev in msgs:
            by.setdefault(frm, []).append((what, ev))
        for frm, log in sent.items():
            seen = by.get(frm, [])
            # A member that left before the stayer knew it may go unannounced, but only
            # if it sent the stayer nothing.
            if not seen and not log[stayer] and not log.get("any"):
                continue
            if not seen or seen[0] != (EVENT, PUBLISHED) or seen[-1] != (EVENT, WITHDRAWN):
                raise AssertionError(f"{stayer} from {frm}: events {seen[:1]}..{seen[-1:]}")
            data = [w for w, _ in seen[1:-1]]
            if EVENT in data:
                raise AssertionError(f"{stayer} from {frm}: an event among messages")
            # The anycasts went to one stayer or the other.
            want = log[stayer]
            for s in want:
                if s not in data:
                    raise AssertionError(f"{stayer} lost {s} from {frm}: {data} want {want}")
            eq(sorted(data), sorted(set(data)), f"{stayer}: duplicates from {frm}")
            eq(data, sorted(data), f"{stayer}: order from {frm}")
            extra = [s for s in data if s not in want]
            anycasts.setdefault(frm, []).extend(extra)
            total += len(data)
        for frm in by:
            if frm not in sent and frm != sid(p) and frm != sid(q):
                raise AssertionError(f"{stayer}: messages from unknown {frm}")
    for frm, log in sent.items():
        eq(sorted(anycasts.get(frm, [])), log.get("any", []), f"anycasts from {frm}")
    print(f"# churn: {len(sent)} members came and went, {total} messages to the stayers")


if __name__ == "__main__":
    run()
