#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Connectionless messaging (SOCK_RDM and SOCK_DGRAM) on one node: anycast, multicast and
direct sends, the returned (rejected) messages and their ancillary data, the receive flags and
timeouts, the size limits, poll, and receive-queue overload. Every case runs once per type.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/rdm.py'
"""

import errno
import select
import socket
import struct
import time

from tipc_ktap import (case, eq, raises_errno, run, sockaddr_tipc, sys_connect, sys_recv,
                       sys_sendto)

AF_TIPC = socket.AF_TIPC
SOL_TIPC = 271
TIPC_ERRINFO, TIPC_RETDATA, TIPC_DESTNAME = 1, 2, 3
TIPC_IMPORTANCE = 127
TIPC_DEST_DROPPABLE = 129
TIPC_SOCK_RECVQ_USED = 137
TIPC_ERR_NO_PORT, TIPC_ERR_OVERLOAD = 2, 4
MAX_USER_MSG = 66000
MAX_FORWARD = 1024  # returned messages carry at most this much of the data

SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
CLUSTER, NODE = socket.TIPC_CLUSTER_SCOPE, socket.TIPC_NODE_SCOPE

POLL_ALL = (select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDNORM
            | select.POLLRDBAND | select.POLLWRNORM | select.POLLWRBAND | select.POLLRDHUP)
ANC = 4096  # ancillary buffer size for recvmsg

TYPES = (("rdm", socket.SOCK_RDM), ("dgram", socket.SOCK_DGRAM))

_next_type = [5000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


def per_type(fn):
    """Registers fn(ty) as one case per connectionless socket type."""
    for tname, ty in TYPES:
        def one(fn=fn, ty=ty):
            fn(ty)
        one.__name__ = f"{fn.__name__}_{tname}"
        case(one)
    return fn


class Socks:
    """n sockets of type ty, closed on exit."""

    def __init__(self, ty, n):
        self.socks = [socket.socket(AF_TIPC, ty) for _ in range(n)]

    def __enter__(self):
        return self.socks

    def __exit__(self, *exc):
        for s in self.socks:
            s.close()


def srange(stype, lower, upper, scope=CLUSTER):
    return (SERVICE_RANGE, stype, lower, upper, scope)


def saddr(stype, inst):
    return (SERVICE_ADDR, stype, inst, 0)


def port_of(s):
    return s.getsockname()[2]


def node_of(s):
    return s.getsockname()[1]


def empty(s, what):
    """Fails unless s (named `what` in the failure) has nothing to receive."""
    try:
        got = s.recvfrom(70000, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return
    raise AssertionError(f"{what}: received {got!r}, want nothing (EAGAIN)")


def recv_all(s, n=70000):
    """Every message queued on s (data, address), without waiting."""
    out = []
    while True:
        try:
            out.append(s.recvfrom(n, socket.MSG_DONTWAIT))
        except BlockingIOError:
            return out


def tipc_cmsgs(anc):
    """{cmsg type: data} of the SOL_TIPC control messages; fails on any other level."""
    out = {}
    for level, ctype, data in anc:
        eq(level, SOL_TIPC, "cmsg level")
        if ctype in out:
            raise AssertionError(f"cmsg type {ctype} twice")
        out[ctype] = data
    return out


def returnable(s):
    s.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)


def poll_mask(s, timeout_ms=0):
    p = select.poll()
    p.register(s, POLL_ALL)
    ev = p.poll(timeout_ms)
    return ev[0][1] if ev else 0


@per_type
def anycast_delivers_data_and_source(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        rx.bind(saddr(t, 7))
        eq(tx.sendto(b"hello", saddr(t, 7)), 5, "sendto")
        data, src = rx.recvfrom(100)
        eq(data, b"hello", "data")
        eq(src, tx.getsockname(), "source address")
        eq(src[0], SOCKET_ADDR, "source address type")
        # A range binding serves every instance in it; the lookup domain may be own node.
        t2 = new_type()
        rx.bind(srange(t2, 100, 200, NODE))
        eq(tx.sendto(b"a", saddr(t2, 150)), 1, "sendto range member")
        own = node_of(tx)
        eq(sys_sendto(tx, b"b", sockaddr_tipc(SERVICE_ADDR, t2, 200, own)), 1, "own domain")
        eq([d for d, _ in recv_all(rx)], [b"a", b"b"], "received")
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"c", saddr(t2, 201))


@per_type
def sendto_socket_address(ty):
    with Socks(ty, 2) as (rx, tx):
        port = port_of(rx)
        eq(tx.sendto(b"node zero", (SOCKET_ADDR, 0, port, 0)), 9, "sendto node 0")
        eq(tx.sendto(b"own node", (SOCKET_ADDR, node_of(tx), port, 0)), 8, "sendto own node")
        got = recv_all(rx)
        eq(got, [(b"node zero", tx.getsockname()), (b"own node", tx.getsockname())], "received")
        # An unbound socket gets only what is sent to its port.
        empty(tx, "sender")


@per_type
def sendto_unknown_node_is_ehostunreach(ty):
    with Socks(ty, 2) as (rx, tx):
        returnable(tx)
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", (SOCKET_ADDR, 0x01001234, port_of(rx), 0))
        empty(rx, "receiver")
        empty(tx, "sender")


@per_type
def multicast_one_copy_per_bound_socket(ty):
    t = new_type()
    with Socks(ty, 5) as (a, b, c, d, tx):
        a.bind(srange(t, 0, 9))
        b.bind(srange(t, 5, 5, NODE))
        b.bind(srange(t, 7, 8))  # a second binding in the range: still one copy
        c.bind(srange(t, 20, 30))  # outside the range
        d.bind(srange(t + 1, 0, 10))  # other type
        eq(tx.sendto(b"mc", srange(t, 0, 10)), 2, "multicast sendto")
        src = tx.getsockname()
        for name, s in (("a", a), ("b", b)):
            eq(recv_all(s), [(b"mc", src)], f"{name} received")
        for name, s in (("c", c), ("d", d), ("tx", tx)):
            empty(s, name)
        # A range that touches one binding reaches that socket alone.
        eq(tx.sendto(b"edge", srange(t, 9, 20)), 4, "edge multicast")
        eq(recv_all(a), [(b"edge", src)], "a edge")
        eq(recv_all(c), [(b"edge", src)], "c edge")
        empty(b, "b")
        # The sender gets its own copy when it binds in the range.
        tx.bind(srange(t, 3, 3))
        eq(tx.sendto(b"self", srange(t, 3, 3)), 4, "self multicast")
        eq(recv_all(tx), [(b"self", src)], "sender's own copy")
        eq(recv_all(a), [(b"self", src)], "a self")
        empty(b, "b")


@per_type
def multicast_to_unbound_range_is_ehostunreach(ty):
    t = new_type()
    with Socks(ty, 2) as (a, tx):
        a.bind(srange(t, 10, 20))
        returnable(tx)
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", srange(t, 0, 9))
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", srange(t + 1, 0, 100))
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", srange(t, 21, 0xFFFFFFFF))
        empty(a, "a")
        empty(tx, "sender")


@per_type
def anycast_round_robin(ty):
    t = new_type()
    with Socks(ty, 3) as (a, b, tx):
        a.bind(saddr(t, 5))
        b.bind(saddr(t, 5))
        order = []
        for i in range(6):
            tx.sendto(b"%d" % i, saddr(t, 5))
            for name, s in (("a", a), ("b", b)):
                got = recv_all(s)
                if got:
                    eq([d for d, _ in got], [b"%d" % i], f"message {i} at {name}")
                    order.append(name)
        # The binding made last is served first, then they alternate.
        eq(order, ["b", "a", "b", "a", "b", "a"], "order of delivery")


@per_type
def service_nobody_binds_is_ehostunreach(ty):
    t = new_type()
    with Socks(ty, 1) as (tx,):
        for droppable in (1, 0):
            tx.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, droppable)
            raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", saddr(t, 1))
            raises_errno(errno.EHOSTUNREACH, sys_sendto, tx, b"x",
                         sockaddr_tipc(SERVICE_ADDR, t, 1, 0))
            empty(tx, f"sender, droppable {droppable}")


@per_type
def dead_port_returns_message(ty):
    with Socks(ty, 2) as (tx, gone):
        dead = port_of(gone)
        gone.close()
        # Connectionless sockets start with TIPC_DEST_DROPPABLE: the message is dropped.
        eq(tx.sendto(b"dropped", (SOCKET_ADDR, 0, dead, 0)), 7, "sendto, droppable")
        empty(tx, "sender, droppable")
        returnable(tx)
        payload = bytes(range(256)) * 8  # 2048 bytes
        for data in (b"abc", payload, b""):
            eq(tx.sendto(data, (SOCKET_ADDR, 0, dead, 0)), len(data), "sendto")
        want_src = (SOCKET_ADDR, node_of(tx), dead, 0, 0)
        # recvmsg returns 0 bytes; the data comes back in TIPC_RETDATA, cut to 1024 bytes.
        for data in (b"abc", payload[:MAX_FORWARD]):
            got, anc, flags, src = tx.recvmsg(4096, ANC, socket.MSG_DONTWAIT)
            eq(got, b"", "recvmsg data")
            eq(flags, 0, "msg_flags")
            eq(src, want_src, "source: the dead port")
            eq(tipc_cmsgs(anc), {
                TIPC_ERRINFO: struct.pack("=II", TIPC_ERR_NO_PORT, len(data)),
                TIPC_RETDATA: data,
            }, "cmsgs")
        # An empty message comes back with TIPC_ERRINFO alone.
        got, anc, flags, src = tx.recvmsg(4096, ANC, socket.MSG_DONTWAIT)
        eq((got, flags, src), (b"", 0, want_src), "empty returned message")
        eq(tipc_cmsgs(anc), {TIPC_ERRINFO: struct.pack("=II", TIPC_ERR_NO_PORT, 0)}, "cmsgs")
        empty(tx, "sender")
        # Without room for ancillary data the returned message still reads as 0 bytes.
        tx.sendto(b"again", (SOCKET_ADDR, 0, dead, 0))
        eq(tx.recvfrom(100, socket.MSG_DONTWAIT), (b"", want_src), "recvfrom returned")
        empty(tx, "sender")
        # Turning TIPC_DEST_DROPPABLE back on suppresses it again.
        tx.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 1)
        tx.sendto(b"again", (SOCKET_ADDR, 0, dead, 0))
        empty(tx, "sender, droppable again")


@per_type
def destname_cmsg(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        rx.bind(srange(t, 10, 20))
        tx.sendto(b"named", saddr(t, 12))
        data, anc, flags, src = rx.recvmsg(100, ANC)
        eq((data, flags, src), (b"named", 0, tx.getsockname()), "named message")
        eq(tipc_cmsgs(anc), {TIPC_DESTNAME: struct.pack("=III", t, 12, 12)}, "named cmsgs")
        # Multicast: the range sent to, not the binding.
        tx.sendto(b"multi", srange(t, 15, 30))
        data, anc, flags, src = rx.recvmsg(100, ANC)
        eq((data, flags, src), (b"multi", 0, tx.getsockname()), "multicast message")
        eq(tipc_cmsgs(anc), {TIPC_DESTNAME: struct.pack("=III", t, 15, 30)}, "multicast cmsgs")
        # A message to the port has none.
        tx.sendto(b"direct", (SOCKET_ADDR, 0, port_of(rx), 0))
        data, anc, flags, src = rx.recvmsg(100, ANC)
        eq((data, anc, flags), (b"direct", [], 0), "direct message")
        # Without an ancillary buffer there is none either.
        tx.sendto(b"named", saddr(t, 13))
        eq(rx.recvmsg(100), (b"named", [], 0, tx.getsockname()), "named, no ancillary buffer")


@per_type
def msg_peek_keeps_the_message(ty):
    with Socks(ty, 2) as (rx, tx):
        dest = (SOCKET_ADDR, 0, port_of(rx), 0)
        tx.sendto(b"first", dest)
        tx.sendto(b"second", dest)
        src = tx.getsockname()
        eq(rx.recvfrom(100, socket.MSG_PEEK), (b"first", src), "peek")
        eq(rx.recvfrom(3, socket.MSG_PEEK), (b"fir", src), "short peek")
        eq(rx.recvfrom(100, socket.MSG_PEEK | socket.MSG_DONTWAIT), (b"first", src), "peek again")
        eq(rx.recvfrom(100), (b"first", src), "receive")
        eq(rx.recvfrom(100), (b"second", src), "next")
        empty(rx, "receiver")


@per_type
def dontwait_on_empty_queue_is_eagain(ty):
    with Socks(ty, 1) as (s,):
        raises_errno(errno.EAGAIN, s.recv, 100, socket.MSG_DONTWAIT)
        raises_errno(errno.EAGAIN, s.recvfrom, 100, socket.MSG_DONTWAIT)
        raises_errno(errno.EAGAIN, s.recvmsg, 100, ANC, socket.MSG_DONTWAIT)
    with socket.socket(AF_TIPC, ty | socket.SOCK_NONBLOCK) as s:
        raises_errno(errno.EAGAIN, s.recv, 100)


@per_type
def short_buffer_truncates(ty):
    with Socks(ty, 2) as (rx, tx):
        dest = (SOCKET_ADDR, 0, port_of(rx), 0)
        msg = bytes(range(100))
        tx.sendto(msg, dest)
        data, anc, flags, src = rx.recvmsg(10)
        eq((data, flags), (msg[:10], socket.MSG_TRUNC), "truncated")
        empty(rx, "rest discarded")
        # MSG_TRUNC asked for: still the copied length, not the message's.
        tx.sendto(msg, dest)
        eq(sys_recv(rx, 10, socket.MSG_TRUNC), 10, "recv with MSG_TRUNC")
        empty(rx, "rest discarded")
        # An exact fit is not truncated.
        tx.sendto(msg, dest)
        eq(rx.recvmsg(100)[::2], (msg, 0), "exact fit")
        # MSG_EOR reads a message in pieces; the last piece carries MSG_EOR.
        tx.sendto(msg, dest)
        eq(rx.recvmsg(60, 0, socket.MSG_EOR)[::2], (msg[:60], 0), "first piece")
        eq(rx.recvmsg(60, 0, socket.MSG_EOR)[::2], (msg[60:], socket.MSG_EOR), "last piece")
        empty(rx, "receiver")


@per_type
def zero_length_buffer_is_einval(ty):
    with Socks(ty, 2) as (rx, tx):
        raises_errno(errno.EINVAL, sys_recv, rx, 0, socket.MSG_DONTWAIT)
        tx.sendto(b"kept", (SOCKET_ADDR, 0, port_of(rx), 0))
        raises_errno(errno.EINVAL, sys_recv, rx, 0, socket.MSG_DONTWAIT)
        eq(rx.recv(100, socket.MSG_DONTWAIT), b"kept", "message still there")


@per_type
def rcvtimeo_expires_with_eagain(ty):
    with Socks(ty, 1) as (s,):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("=qq", 0, 300000))
        start = time.monotonic()
        raises_errno(errno.EAGAIN, s.recv, 100)
        took = time.monotonic() - start
        if not 0.25 <= took < 2.0:
            raise AssertionError(f"recv returned after {took:.3f} s, want about 0.3 s")


@per_type
def recv_after_failed_shutdown(ty):
    """shutdown(2) of a connectionless socket fails, yet stops reading: an empty queue is
    EAGAIN to a read that may not wait and ENOTCONN to one that may; a message that comes
    later is still delivered and read."""
    with Socks(ty, 2) as (rx, tx):
        raises_errno(errno.EINVAL, rx.shutdown, socket.SHUT_RD)
        raises_errno(errno.ENOTCONN, rx.shutdown, socket.SHUT_RDWR)
        raises_errno(errno.EAGAIN, rx.recv, 100, socket.MSG_DONTWAIT)
        raises_errno(errno.ENOTCONN, rx.recv, 100)
        tx.sendto(b"late", (SOCKET_ADDR, 0, port_of(rx), 0))
        eq(rx.recv(100), b"late", "a message sent after the shutdown")
        raises_errno(errno.EAGAIN, rx.recv, 100, socket.MSG_DONTWAIT)


@per_type
def largest_message_is_66000_bytes(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        rx.bind(srange(t, 0, 10))
        big = bytes(i * 7 & 0xFF for i in range(MAX_USER_MSG))
        eq(tx.sendto(big, (SOCKET_ADDR, 0, port_of(rx), 0)), MAX_USER_MSG, "direct")
        eq(tx.sendto(big, saddr(t, 1)), MAX_USER_MSG, "anycast")
        eq(tx.sendto(big, srange(t, 0, 10)), MAX_USER_MSG, "multicast")
        for what in ("direct", "anycast", "multicast"):
            eq(rx.recv(70000, socket.MSG_DONTWAIT) == big, True, f"{what} data")
        for dest in ((SOCKET_ADDR, 0, port_of(rx), 0), saddr(t, 1), srange(t, 0, 10)):
            raises_errno(errno.EMSGSIZE, tx.sendto, big + b"x", dest)
        # The size is checked before the address.
        raises_errno(errno.EMSGSIZE, sys_sendto, tx, big + b"x", b"\0" * 16)
        empty(rx, "receiver")


@per_type
def zero_length_messages(ty):
    with Socks(ty, 2) as (rx, tx):
        dest = (SOCKET_ADDR, 0, port_of(rx), 0)
        eq(tx.sendto(b"", dest), 0, "sendto empty")
        # It is queued (the socket polls readable) but recv skips it.
        eq(poll_mask(rx), select.POLLIN | select.POLLRDNORM | select.POLLOUT, "poll, queued")
        raises_errno(errno.EAGAIN, rx.recv, 100, socket.MSG_DONTWAIT)
        eq(poll_mask(rx), select.POLLOUT, "poll after recv")
        tx.sendto(b"", dest)
        tx.sendto(b"", dest)
        tx.sendto(b"data", dest)
        eq(rx.recvfrom(100, socket.MSG_DONTWAIT), (b"data", tx.getsockname()), "next message")
        empty(rx, "receiver")


@per_type
def poll_and_select(ty):
    with Socks(ty, 2) as (rx, tx):
        eq(poll_mask(rx), select.POLLOUT, "idle")
        eq(select.select([rx], [rx], [rx], 0), ([], [rx], []), "select idle")
        tx.sendto(b"x", (SOCKET_ADDR, 0, port_of(rx), 0))
        eq(poll_mask(rx), select.POLLIN | select.POLLRDNORM | select.POLLOUT, "readable")
        eq(select.select([rx], [], [], 0), ([rx], [], []), "select readable")
        rx.recv(10)
        eq(poll_mask(rx), select.POLLOUT, "after recv")
        eq(select.select([rx], [], [], 0.1), ([], [], []), "select drained")


@per_type
def send_without_destination(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        raises_errno(errno.EDESTADDRREQ, tx.send, b"x")
        raises_errno(errno.EDESTADDRREQ, tx.sendmsg, [b"x"])
        raises_errno(errno.EDESTADDRREQ, sys_sendto, tx, b"x", None)
        # connect() gives a default destination, which AF_UNSPEC clears.
        rx.bind(saddr(t, 1))
        tx.connect(saddr(t, 1))
        eq(tx.send(b"via connect"), 11, "send after connect")
        eq(rx.recvfrom(100), (b"via connect", tx.getsockname()), "received")
        tx.connect((SOCKET_ADDR, 0, port_of(rx), 0))
        eq(tx.send(b"to port"), 7, "send to the connected port")
        eq(rx.recv(100), b"to port", "received")
        empty(rx, "receiver")


@per_type
def connect_af_unspec_clears_destination(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        rx.bind(saddr(t, 1))
        tx.connect(saddr(t, 1))
        unspec = struct.pack("=H14x", socket.AF_UNSPEC)
        eq(sys_connect(tx, unspec), 0, "connect AF_UNSPEC")
        raises_errno(errno.EDESTADDRREQ, tx.send, b"x")
        # Any other length is refused before the family is read.
        raises_errno(errno.EINVAL, sys_connect, tx, unspec, 8)
        raises_errno(errno.EDESTADDRREQ, tx.send, b"x")
        empty(rx, "receiver")


@per_type
def bad_destination_address(ty):
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        rx.bind(srange(t, 0, 10))
        good = sockaddr_tipc(SERVICE_ADDR, t, 1, 0)
        eq(sys_sendto(tx, b"ok", good), 2, "good address")
        eq(rx.recv(10), b"ok", "received")
        for family in (0, socket.AF_INET, socket.AF_UNIX):
            raises_errno(errno.EINVAL, sys_sendto, tx, b"x",
                         sockaddr_tipc(SERVICE_ADDR, t, 1, 0, family=family))
        for alen in (0, 2, 8, 15):
            raises_errno(errno.EINVAL, sys_sendto, tx, b"x", good, alen)
        for atype in (0, 4, 255):
            raises_errno(errno.EINVAL, sys_sendto, tx, b"x", sockaddr_tipc(atype, t, 1, 1))
        raises_errno(errno.EINVAL, tx.sendto, b"x", srange(t, 5, 4))
        empty(rx, "receiver")


def overload(ty, rx_rcvbuf=None, importance=0, named=False, size=1000, after=8, batch=1):
    """Sends numbered messages of the given importance from a returnable sender to a receiver
    that does not read, `batch` at a time, until `after` past the one that first came back;
    checks that each was either queued or returned; returns (sent, number queued)."""
    t = new_type()
    with Socks(ty, 2) as (rx, tx):
        if rx_rcvbuf is not None:
            rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rx_rcvbuf)
        tx.setsockopt(SOL_TIPC, TIPC_IMPORTANCE, importance)
        returnable(tx)
        rx.bind(saddr(t, 1))
        dest = saddr(t, 1) if named else (SOCKET_ADDR, 0, port_of(rx), 0)
        pad = b"\xa5" * (size - 4)
        returned = []
        sent = 0
        first = None
        while first is None or sent < first + after:
            for _ in range(batch):
                eq(tx.sendto(struct.pack("=I", sent) + pad, dest), size, f"sendto {sent}")
                sent += 1
            # Returned messages reach the sender before sendto returns: drain them every few
            # sends so that the sender's own queue never overflows.
            while True:
                try:
                    data, anc, flags, src = tx.recvmsg(size, ANC, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                eq((data, flags, src), (b"", 0, rx.getsockname()), "returned message")
                cm = tipc_cmsgs(anc)
                want = {TIPC_ERRINFO: struct.pack("=II", TIPC_ERR_OVERLOAD, size)}
                seq = struct.unpack("=I", cm.get(TIPC_RETDATA, b"\xff" * 4)[:4])[0]
                want[TIPC_RETDATA] = struct.pack("=I", seq) + pad
                if named:
                    want[TIPC_DESTNAME] = struct.pack("=III", t, 1, 1)
                eq(cm, want, f"returned message {seq} cmsgs")
                returned.append(seq)
                if first is None:
                    first = seq
            if sent > 100000:
                raise AssertionError("no message came back after 100000 sends")
        used = rx.getsockopt(SOL_TIPC, TIPC_SOCK_RECVQ_USED)
        limit = rx.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) << importance
        if not 0 < used < limit:
            raise AssertionError(f"receive queue holds {used} bytes, limit {limit}")
        received = []
        for data, src in recv_all(rx, size):
            eq((len(data), data[4:], src), (size, pad, tx.getsockname()), "received message")
            received.append(struct.unpack("=I", data[:4])[0])
        eq(rx.getsockopt(SOL_TIPC, TIPC_SOCK_RECVQ_USED), 0, "queue used after draining")
        # Nothing lost: the first messages were queued in order, every later one came back.
        n = len(received)
        eq(received, list(range(n)), "received in order")
        eq(returned, list(range(n, sent)), "returned in order")
        return sent, n


# How many 1000-byte low-importance messages the C module queues before the limit. Each is
# accounted at its skb's truesize, so these depend on the kernel's allocation sizes; they are
# the same on every run of this kernel.
FIT_DEFAULT_RCVBUF = 910
FIT_SMALL_RCVBUF = 3


@per_type
def overload_default_rcvbuf_returns_messages(ty):
    with Socks(ty, 1) as (s,):
        eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), 2 * 1024 * 1024, "default rcvbuf")
    sent, n = overload(ty, batch=32)
    print(f"# default rcvbuf: {n} of {sent} queued")
    eq(n, FIT_DEFAULT_RCVBUF, "messages queued")


@per_type
def overload_small_rcvbuf_returns_messages(ty):
    with Socks(ty, 1) as (s,):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), 8192, "rcvbuf, doubled")
    sent, n = overload(ty, rx_rcvbuf=4096)
    print(f"# SO_RCVBUF 4096: {n} of {sent} queued")
    # Sent to the service address, the returned messages also carry TIPC_DESTNAME.
    eq(overload(ty, rx_rcvbuf=4096, named=True)[1], n, "same count, named")
    # Each importance level doubles the limit.
    sent_m, n_m = overload(ty, rx_rcvbuf=4096, importance=1)
    print(f"# SO_RCVBUF 4096, medium importance: {n_m} of {sent_m} queued")
    if not 2 * n - 1 <= n_m <= 2 * n + 1:
        raise AssertionError(f"medium importance queued {n_m}, low {n}")
    eq(n, FIT_SMALL_RCVBUF, "messages queued")


@per_type
def overload_without_return_drops(ty):
    n = overload(ty, rx_rcvbuf=4096)[1]
    with Socks(ty, 2) as (rx, tx):
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        dest = (SOCKET_ADDR, 0, port_of(rx), 0)
        for i in range(n + 10):
            eq(tx.sendto(struct.pack("=I", i) + b"\xa5" * 996, dest), 1000, f"sendto {i}")
        empty(tx, "sender")
        eq([struct.unpack("=I", d[:4])[0] for d, _ in recv_all(rx)], list(range(n)), "received")


if __name__ == "__main__":
    run()
