#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Connections (SOCK_SEQPACKET and SOCK_STREAM) on one node: listen, connect (explicit, implicit
by sendto, non-blocking, timed out, refused), accept, the socket and peer addresses, data both
ways with and without message boundaries, truncation, shutdown and close as the peer sees
them (recv result, errno, poll events), flow control (the send window, large transfers) and
the timeouts. Most cases run once per type; where the types differ the case says so.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/conn.py'
"""

import ctypes
import errno
import hashlib
import select
import signal
import socket
import struct
import threading
import time

from tipc_ktap import _libc, case, deadline, eq, raises_errno, run, sockaddr_tipc, sys_recv

AF_TIPC = socket.AF_TIPC
SOL_TIPC = 271
TIPC_ERRINFO, TIPC_RETDATA, TIPC_DESTNAME = 1, 2, 3
TIPC_CONN_TIMEOUT = 130
TIPC_SOCK_RECVQ_DEPTH = 132
TIPC_NODELAY = 138
TIPC_ERR_NO_PORT = 2
TIPC_CONN_SHUTDOWN = 5
MAX_USER_MSG = 66000

SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
CLUSTER = socket.TIPC_CLUSTER_SCOPE

POLLIN, POLLOUT, POLLHUP = select.POLLIN, select.POLLOUT, select.POLLHUP
POLLRDNORM, POLLRDHUP = select.POLLRDNORM, select.POLLRDHUP
POLL_ALL = (POLLIN | select.POLLPRI | POLLOUT | POLLRDNORM | select.POLLRDBAND
            | select.POLLWRNORM | select.POLLWRBAND | POLLRDHUP)
READABLE = POLLIN | POLLRDNORM
ANC = 4096  # ancillary buffer size for recvmsg

TYPES = (("seqpacket", socket.SOCK_SEQPACKET), ("stream", socket.SOCK_STREAM))
SEQPACKET, STREAM = socket.SOCK_SEQPACKET, socket.SOCK_STREAM

_next_type = [6000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


def per_type(fn):
    """Registers fn(ty) as one case per connection socket type."""
    for tname, ty in TYPES:
        def one(fn=fn, ty=ty):
            with deadline(20):
                fn(ty)
        one.__name__ = f"{fn.__name__}_{tname}"
        case(one)
    return fn


def one_case(fn):
    """Registers fn() as a case, under a deadline."""
    def one():
        with deadline(20):
            fn()
    one.__name__ = fn.__name__
    case(one)
    return fn


def sock(ty):
    return socket.socket(AF_TIPC, ty)


def saddr(stype, inst):
    return (SERVICE_ADDR, stype, inst, 0)


def port_of(s):
    return s.getsockname()[2]


def sockaddr_of(s):
    """The socket address that connects to s."""
    return (SOCKET_ADDR, 0, port_of(s), 0)


def poll_mask(s, timeout_ms=0):
    p = select.poll()
    p.register(s, POLL_ALL)
    ev = p.poll(timeout_ms)
    return ev[0][1] if ev else 0


def mask_name(m):
    names = [n for n in ("POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLRDNORM",
                         "POLLRDBAND", "POLLWRNORM", "POLLWRBAND", "POLLRDHUP")
             if m & getattr(select, n)]
    return "|".join(names) or "0"


def eq_mask(s, want, what):
    got = poll_mask(s)
    if got != want:
        raise AssertionError(f"{what}: poll {mask_name(got)}, want {mask_name(want)}")


def empty(s, what):
    """Fails unless s has nothing to receive (recv with MSG_DONTWAIT is EAGAIN)."""
    try:
        got = s.recv(70000, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return
    raise AssertionError(f"{what}: received {got!r}, want nothing (EAGAIN)")


def cmsgs(anc):
    out = {}
    for level, ctype, data in anc:
        eq(level, SOL_TIPC, "cmsg level")
        out[ctype] = data
    return out


def set_timeo(s, opt, seconds):
    us = int(seconds * 1e6)
    s.setsockopt(socket.SOL_SOCKET, opt, struct.pack("=qq", us // 10**6, us % 10**6))


def set_rcvtimeo(s, seconds):
    set_timeo(s, socket.SO_RCVTIMEO, seconds)


def took_about(start, seconds, what):
    # Wide bounds: a loaded TCG guest's clock is coarse. The check still tells a timeout
    # honoured from one ignored (at once, or never).
    took = time.monotonic() - start
    if not seconds * 0.5 <= took < seconds + 2.5:
        raise AssertionError(f"{what} returned after {took:.3f} s, want about {seconds} s")


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise AssertionError(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


class Conn:
    """A listener bound to a service address and, by connect(), connected pairs:
    (client, accepted). Every socket is closed on exit."""

    def __init__(self, ty):
        self.ty = ty
        self.stype = new_type()
        self.socks = []
        self.listener = self.new()
        self.listener.bind(saddr(self.stype, 1))
        self.listener.listen()

    def new(self):
        s = sock(self.ty)
        self.socks.append(s)
        return s

    def service(self):
        return saddr(self.stype, 1)

    def connect(self, by_service=True):
        """A non-blocking connect (the SYN reaches the listener at once), then accept: returns
        (client, accepted), both blocking."""
        c = self.new()
        c.setblocking(False)
        dest = self.service() if by_service else sockaddr_of(self.listener)
        eq(c.connect_ex(dest), errno.EINPROGRESS, "non-blocking connect")
        a, peer = self.listener.accept()
        self.socks.append(a)
        c.setblocking(True)
        eq(peer, c.getsockname(), "accept's peer address")
        return c, a

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for s in self.socks:
            s.close()


def in_thread(fn, *args):
    """Runs fn(*args) in a thread; returns a function that joins it and gives its result (or
    raises what it raised)."""
    out = {}

    def body():
        try:
            out["result"] = fn(*args)
        except BaseException as e:  # noqa: B036 - re-raised in the joiner
            out["error"] = e
    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join(timeout=15):
        t.join(timeout)
        if t.is_alive():
            raise AssertionError(f"{fn.__name__} still running after {timeout} s")
        if "error" in out:
            raise out["error"]
        return out["result"]
    return join


def later(seconds, fn, *args):
    def delayed():
        time.sleep(seconds)
        return fn(*args)
    delayed.__name__ = f"later_{fn.__name__}"
    return in_thread(delayed)


# ---- listen and accept ----


@one_case
def listen_errors():
    for name, ty in TYPES:
        with sock(ty) as s:
            s.bind(saddr(new_type(), 1))
            s.listen()
            # A second listen, or any listen once not open, is EINVAL.
            raises_errno(errno.EINVAL, s.listen)
            raises_errno(errno.EINVAL, s.listen, 5)
        with sock(ty) as s:
            # An unbound socket can listen: reachable by its socket address only.
            s.listen()
            eq_mask(s, 0, f"{name} idle listener")
        with Conn(ty) as c:
            cl, acc = c.connect()
            raises_errno(errno.EINVAL, cl.listen)
            raises_errno(errno.EINVAL, acc.listen)
    for name, ty in (("rdm", socket.SOCK_RDM), ("dgram", socket.SOCK_DGRAM)):
        with sock(ty) as s:
            s.bind(saddr(new_type(), 1))
            raises_errno(errno.EOPNOTSUPP, s.listen)
            raises_errno(errno.EOPNOTSUPP, s.accept)


@per_type
def accept_on_non_listener_is_einval(ty):
    with Conn(ty) as c:
        s = c.new()
        raises_errno(errno.EINVAL, s.accept)
        s.bind(saddr(new_type(), 1))
        raises_errno(errno.EINVAL, s.accept)
        cl, acc = c.connect()
        raises_errno(errno.EINVAL, cl.accept)
        raises_errno(errno.EINVAL, acc.accept)


@per_type
def listen_unbound_reached_by_socket_address(ty):
    with Conn(ty) as c:
        ls = c.new()
        ls.listen()
        cl = c.new()
        cl.setblocking(False)
        eq(cl.connect_ex(sockaddr_of(ls)), errno.EINPROGRESS, "connect")
        a, peer = ls.accept()
        c.socks.append(a)
        eq(peer, cl.getsockname(), "peer")
        cl.setblocking(True)
        cl.send(b"hi")
        eq(a.recv(10), b"hi", "data")


@per_type
def accept_nonblocking_and_rcvtimeo(ty):
    with Conn(ty) as c:
        ls = c.listener
        ls.setblocking(False)
        raises_errno(errno.EAGAIN, ls.accept)
        ls.setblocking(True)
        # accept waits as long as SO_RCVTIMEO says.
        set_rcvtimeo(ls, 0.2)
        start = time.monotonic()
        raises_errno(errno.EAGAIN, ls.accept)
        took_about(start, 0.2, "accept")


@per_type
def blocking_accept_woken_by_connect(ty):
    with Conn(ty) as c:
        cl = c.new()
        join = later(0.2, cl.connect, c.service())
        a, peer = c.listener.accept()
        c.socks.append(a)
        eq(join(), None, "connect in thread")
        eq(peer, cl.getsockname(), "peer")
        eq(a.getpeername(), cl.getsockname(), "accepted's peer")
        eq(cl.getpeername(), a.getsockname(), "connector's peer")


@per_type
def blocking_connect_waits_for_accept(ty):
    with Conn(ty) as c:
        cl = c.new()
        join = in_thread(cl.connect, c.service())
        time.sleep(0.2)
        eq_mask(c.listener, READABLE, "listener with a connection request")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        a, _ = c.listener.accept()
        c.socks.append(a)
        eq(join(), None, "connect")
        eq(cl.getpeername(), a.getsockname(), "connector's peer")
        eq_mask(c.listener, 0, "listener after accept")


# ---- addresses ----


@per_type
def addresses_of_connected_sockets(ty):
    with Conn(ty) as c:
        for by_service in (True, False):
            cl, a = c.connect(by_service)
            eq(a.getpeername(), cl.getsockname(), "accepted's peer is the connector")
            eq(cl.getpeername(), a.getsockname(), "connector's peer is the accepted socket")
            # The accepted socket is a new port, not the listener's.
            own = a.getsockname()
            eq((own[0], own[1], own[3:]), (SOCKET_ADDR, 0, (0, 0)), "accepted's address")
            if own[2] in (port_of(c.listener), port_of(cl), 0):
                raise AssertionError(f"accepted socket's port {own[2]}")
            raises_errno(errno.ENOTCONN, c.listener.getpeername)
        ls_name = c.listener.getsockname()
        eq((ls_name[0], ls_name[3:]), (SOCKET_ADDR, (0, 0)), "listener's address")
        s = c.new()
        raises_errno(errno.ENOTCONN, s.getpeername)


@per_type
def destname_cmsg_on_service_connections(ty):
    with Conn(ty) as c:
        cl, a = c.connect(by_service=True)
        cl.send(b"to acceptor")
        data, anc, flags, src = a.recvmsg(100, ANC)
        eq((data, flags, src), (b"to acceptor", 0, cl.getsockname()), "acceptor received")
        eq(cmsgs(anc), {TIPC_DESTNAME: struct.pack("=III", c.stype, 1, 1)}, "acceptor cmsgs")
        a.send(b"to connector")
        data, anc, flags, src = cl.recvmsg(100, ANC)
        eq((data, flags, src), (b"to connector", 0, a.getsockname()), "connector received")
        eq(cmsgs(anc), {TIPC_DESTNAME: struct.pack("=III", c.stype, 1, 1)}, "connector cmsgs")
        # Connected by socket address: no destination name on either end.
        cl, a = c.connect(by_service=False)
        cl.send(b"x")
        eq(a.recvmsg(100, ANC)[:2], (b"x", []), "acceptor, by socket address")
        a.send(b"y")
        eq(cl.recvmsg(100, ANC)[:2], (b"y", []), "connector, by socket address")


# ---- data ----


@per_type
def data_both_ways(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        eq(cl.send(b"ping"), 4, "send")
        eq(a.recvfrom(100), (b"ping", cl.getsockname()), "accepted received")
        eq(a.send(b"pong!"), 5, "send back")
        eq(cl.recvfrom(100), (b"pong!", a.getsockname()), "connector received")
        eq(cl.sendmsg([b"sc", b"at", b"ter"]), 7, "sendmsg of 3 buffers")
        eq(a.recv(100), b"scatter", "gathered")
        empty(cl, "connector")
        empty(a, "accepted")


@one_case
def seqpacket_keeps_message_boundaries():
    with Conn(SEQPACKET) as c:
        cl, a = c.connect()
        for m in (b"one", b"two", b"three"):
            cl.send(m)
        eq([a.recv(100) for _ in range(3)], [b"one", b"two", b"three"], "one message a recv")
        msg = bytes(range(100))
        cl.send(msg)
        data, anc, flags, src = a.recvmsg(10)
        eq((data, flags), (msg[:10], socket.MSG_TRUNC), "short buffer")
        empty(a, "rest discarded")
        cl.send(msg)
        eq(sys_recv(a, 10, socket.MSG_TRUNC), 10, "recv with MSG_TRUNC: the copied length")
        empty(a, "rest discarded")
        cl.send(msg)
        eq(a.recvmsg(100)[::2], (msg, 0), "exact fit")
        # MSG_EOR reads one message in pieces; the last carries MSG_EOR.
        cl.send(msg)
        eq(a.recvmsg(60, 0, socket.MSG_EOR)[::2], (msg[:60], 0), "first piece")
        eq(a.recvmsg(60, 0, socket.MSG_EOR)[::2], (msg[60:], socket.MSG_EOR), "last piece")
        # MSG_PEEK leaves the message.
        cl.send(b"peek")
        eq(a.recv(100, socket.MSG_PEEK), b"peek", "peek")
        eq(a.recv(100), b"peek", "after peek")
        # Empty messages are sent but never seen.
        eq(cl.send(b""), 0, "empty send")
        cl.send(b"after empty")
        eq(a.recv(100), b"after empty", "next after empty")
        raises_errno(errno.EINVAL, sys_recv, a, 0, socket.MSG_DONTWAIT)
        empty(a, "accepted")


@one_case
def stream_has_no_message_boundaries():
    with Conn(STREAM) as c:
        cl, a = c.connect()
        cl.send(b"abc")
        cl.send(b"defg")
        eq(a.recv(100), b"abcdefg", "two sends, one recv")
        cl.send(b"0123456789")
        eq(a.recv(4), b"0123", "partial read")
        eq(a.recv(100), b"456789", "the rest")
        # No truncation flag: the rest stays.
        cl.send(b"0123456789")
        data, anc, flags, src = a.recvmsg(3)
        eq((data, flags), (b"012", 0), "short buffer")
        eq(a.recv(2, socket.MSG_PEEK), b"34", "peek")
        eq(a.recv(100), b"3456789", "after peek")
        # MSG_WAITALL waits for the whole length.
        cl.send(b"head")
        join = later(0.2, cl.send, b"tail..")
        start = time.monotonic()
        eq(a.recv(10, socket.MSG_WAITALL), b"headtail..", "MSG_WAITALL")
        if time.monotonic() - start < 0.15:
            raise AssertionError("MSG_WAITALL returned before the rest was sent")
        join()
        # Without it, what is there.
        cl.send(b"head")
        join = later(0.2, cl.send, b"tail..")
        eq(a.recv(10), b"head", "without MSG_WAITALL")
        join()
        eq(a.recv(10), b"tail..", "rest")
        eq(cl.send(b""), 0, "empty send")
        raises_errno(errno.EINVAL, sys_recv, a, 0, socket.MSG_DONTWAIT)
        empty(a, "accepted")


@one_case
def seqpacket_message_size_limit():
    with Conn(SEQPACKET) as c:
        cl, a = c.connect()
        big = bytes(i * 13 & 0xFF for i in range(MAX_USER_MSG))
        eq(cl.send(big), MAX_USER_MSG, "66000 bytes")
        eq(a.recv(70000) == big, True, "66000-byte message")
        raises_errno(errno.EMSGSIZE, cl.send, big + b"x")
        raises_errno(errno.EMSGSIZE, cl.send, big * 2)
        empty(a, "nothing of the refused sends")
        # The connection still works.
        cl.send(b"ok")
        eq(a.recv(10), b"ok", "after EMSGSIZE")


@one_case
def stream_segments_large_sends():
    with Conn(STREAM) as c:
        cl, a = c.connect()
        big = bytes(i * 13 & 0xFF for i in range(200000))
        join = in_thread(cl.send, big)
        got = recv_exact(a, len(big))
        eq(join(), len(big), "one send of 200000 bytes")
        eq(got == big, True, "data")
        empty(a, "accepted")


# ---- implicit connect ----


@per_type
def implicit_connect_by_sendto(ty):
    with Conn(ty) as c:
        cl = c.new()
        # Without waiting: the data goes with the connection request.
        eq(cl.sendto(b"first", socket.MSG_DONTWAIT, c.service()), 5, "sendto the service")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        eq_mask(cl, 0, "connecting")
        eq_mask(c.listener, READABLE, "listener")
        a, peer = c.listener.accept()
        c.socks.append(a)
        eq(peer, cl.getsockname(), "peer")
        eq(a.recvfrom(100), (b"first", cl.getsockname()), "data of the request")
        eq(cl.getpeername(), a.getsockname(), "connector connected")
        cl.send(b"second")
        eq(a.recv(100), b"second", "data on the connection")
        a.send(b"back")
        eq(cl.recv(100), b"back", "data back")
        raises_errno(errno.EISCONN, cl.connect, c.service())
        # Blocking: sendto returns once the connection is accepted.
        cl2 = c.new()
        join = later(0.2, c.listener.accept)
        start = time.monotonic()
        eq(cl2.sendto(b"wait", c.service()), 4, "blocking sendto")
        took = time.monotonic() - start
        a2, _ = join()
        c.socks.append(a2)
        if took < 0.15:
            raise AssertionError(f"sendto returned after {took:.3f} s, before accept")
        eq(cl2.getpeername(), a2.getsockname(), "connected by sendto")
        eq(a2.recv(100), b"wait", "data")
        # By socket address, too.
        cl3 = c.new()
        eq(cl3.sendto(b"direct", socket.MSG_DONTWAIT, sockaddr_of(c.listener)), 6, "sendto port")
        a3, _ = c.listener.accept()
        c.socks.append(a3)
        eq(a3.recv(100), b"direct", "data by socket address")


@per_type
def implicit_connect_waits_by_sndtimeo(ty):
    with Conn(ty) as c:
        # TIPC_CONN_TIMEOUT does not bound the wait of a connecting sendto: it returns once
        # the request is accepted.
        cl = c.new()
        cl.setsockopt(SOL_TIPC, TIPC_CONN_TIMEOUT, 200)
        join = later(0.4, c.listener.accept)
        start = time.monotonic()
        eq(cl.sendto(b"data", c.service()), 4, "sendto")
        took_about(start, 0.4, "sendto, TIPC_CONN_TIMEOUT 200 ms")
        a, _ = join()
        c.socks.append(a)
        eq(cl.getpeername(), a.getsockname(), "connected")
        # SO_SNDTIMEO bounds it (in jiffies taken as milliseconds: the same at HZ=1000), and
        # sendto still reports the data sent.
        cl = c.new()
        set_timeo(cl, socket.SO_SNDTIMEO, 0.2)
        start = time.monotonic()
        eq(cl.sendto(b"data", c.service()), 4, "sendto")
        took_about(start, 0.2, "sendto, SO_SNDTIMEO 200 ms")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        eq_mask(cl, 0, "still connecting")
        # The request is still queued: accepting it connects.
        a, _ = c.listener.accept()
        c.socks.append(a)
        eq(a.recv(100), b"data", "data")
        eq(cl.getpeername(), a.getsockname(), "connected")


# ---- connect errors ----


@per_type
def connect_errors(ty):
    with Conn(ty) as c:
        # Nobody binds the service.
        s = c.new()
        raises_errno(errno.EHOSTUNREACH, s.connect, saddr(new_type(), 1))
        raises_errno(errno.EHOSTUNREACH, s.sendto, b"x", saddr(new_type(), 1))
        # A service looked up on a node there is no link to: unreachable, but only once the
        # data is read (C builds the SYN before the node layer refuses it).
        other = (SERVICE_ADDR, new_type(), 1, 0x01001099)
        raises_errno(errno.EHOSTUNREACH, s.sendto, b"x", other)
        raw = sockaddr_tipc(SERVICE_ADDR, other[1], 1, other[3])
        eq(_libc.sendto(s.fileno(), None, ctypes.c_size_t(1), 0, raw, len(raw)), -1, "NULL data")
        eq(ctypes.get_errno(), errno.EFAULT, "errno for NULL data")
        # Service ranges are not connectable.
        raises_errno(errno.EINVAL, s.connect, (SERVICE_RANGE, c.stype, 1, 1))
        # It is still usable.
        s.setblocking(False)
        eq(s.connect_ex(c.service()), errno.EINPROGRESS, "connect after EHOSTUNREACH")
        # A bound socket cannot connect.
        b = c.new()
        b.bind(saddr(new_type(), 1))
        raises_errno(errno.EOPNOTSUPP, b.connect, c.service())
        # A listener cannot connect.
        raises_errno(errno.EINVAL, c.listener.connect, c.service())


@per_type
def connect_refused(ty):
    with Conn(ty) as c:
        # A bound socket that does not listen refuses.
        target = c.new()
        tt = new_type()
        target.bind(saddr(tt, 7))
        s = c.new()
        raises_errno(errno.ECONNREFUSED, s.connect, saddr(tt, 7))
        eq_mask(s, READABLE | POLLHUP, "after refusal")
        raises_errno(errno.ENOTCONN, s.getpeername)
        raises_errno(errno.EPIPE, s.send, b"x")
        raises_errno(errno.EINVAL, s.connect, c.service())
        # A port nobody has refuses.
        s = c.new()
        with sock(ty) as gone:
            dead = sockaddr_of(gone)
        raises_errno(errno.ECONNREFUSED, s.connect, dead)
        # Non-blocking: the refusal is the socket's error.
        s = c.new()
        s.setblocking(False)
        eq(s.connect_ex(dead), errno.EINPROGRESS, "non-blocking connect")
        eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), errno.ECONNREFUSED, "SO_ERROR")
        eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0, "SO_ERROR read once")
        eq_mask(s, READABLE | POLLHUP, "after refusal")
        raises_errno(errno.ECONNRESET, s.recv, 10)


@per_type
def connect_timeout_without_accept(ty):
    with Conn(ty) as c:
        cl = c.new()
        eq(cl.getsockopt(SOL_TIPC, TIPC_CONN_TIMEOUT), 8000, "default connect timeout")
        cl.setsockopt(SOL_TIPC, TIPC_CONN_TIMEOUT, 200)
        start = time.monotonic()
        raises_errno(errno.ETIMEDOUT, cl.connect, c.service())
        took_about(start, 0.2, "connect")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        eq_mask(cl, 0, "still connecting")
        eq_mask(c.listener, READABLE, "request still queued")
        # connect again waits again.
        raises_errno(errno.ETIMEDOUT, cl.connect, c.service())
        # Accepting the request later connects the socket.
        a, peer = c.listener.accept()
        c.socks.append(a)
        eq(peer, cl.getsockname(), "peer")
        eq(cl.getpeername(), a.getsockname(), "connected after the timeout")
        cl.send(b"late")
        eq(a.recv(10), b"late", "data")
        raises_errno(errno.EISCONN, cl.connect, c.service())


@per_type
def connect_retries_after_an_overloaded_listener(ty):
    # A listener whose receive buffer is full refuses a connection request as overloaded;
    # the connector keeps its SYN and sends it again after a random delay (100 ms plus up to
    # a quarter of its connect timeout), until it fits or the connect times out.
    with Conn(ty) as c:
        c.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)

        def depth():
            return c.listener.getsockopt(SOL_TIPC, TIPC_SOCK_RECVQ_DEPTH)
        # Fill it with requests like the one to come, until one no longer fits.
        for _ in range(100):
            before = depth()
            f = c.new()
            f.setblocking(False)
            eq(f.connect_ex(c.service()), errno.EINPROGRESS, "filling request")
            if depth() == before:
                break
        else:
            raise AssertionError("the listener took 100 requests")
        cl = c.new()
        cl.setsockopt(SOL_TIPC, TIPC_CONN_TIMEOUT, 8000)

        def drain():
            # Accept everything, the refused requests as they come again, until the
            # connector is through.
            accepted = []
            c.listener.settimeout(0.2)
            end = time.monotonic() + 12
            while time.monotonic() < end:
                try:
                    a, _ = c.listener.accept()
                    accepted.append(a)
                except TimeoutError:
                    if connected.is_set():
                        break
            return accepted
        connected = threading.Event()
        join = later(0.5, drain)
        start = time.monotonic()
        cl.connect(c.service())
        connected.set()
        accepted = join()
        c.socks.extend(accepted)
        print(f"# connected after {time.monotonic() - start:.2f} s, "
              f"{len(accepted)} requests accepted")
        eq(cl.getpeername() in [a.getsockname() for a in accepted], True,
           "the retried request was accepted")


@per_type
def accept_after_the_connector_closed(ty):
    # A request whose connector closed before accept is still accepted; the new socket
    # then finds the connection reset (found by stress.py: accept must not fail).
    with Conn(ty) as c:
        cl = c.new()
        cl.setblocking(False)
        eq(cl.connect_ex(c.service()), errno.EINPROGRESS, "non-blocking connect")
        addr = cl.getsockname()
        cl.close()
        c.listener.settimeout(2)
        a, peer = c.listener.accept()
        c.socks.append(a)
        eq(peer, addr, "accept's peer address: the closed connector")
        a.settimeout(2)
        raises_errno(errno.ECONNRESET, a.recv, 10)


@per_type
def nonblocking_connect(ty):
    with Conn(ty) as c:
        cl = c.new()
        cl.setblocking(False)
        eq(cl.connect_ex(c.service()), errno.EINPROGRESS, "first connect")
        eq(cl.connect_ex(c.service()), errno.EALREADY, "second connect")
        eq_mask(cl, 0, "connecting")
        raises_errno(errno.EAGAIN, cl.recv, 10)
        a, _ = c.listener.accept()
        c.socks.append(a)
        eq_mask(cl, POLLOUT, "connected")
        eq(cl.connect_ex(c.service()), errno.EISCONN, "connect when connected")
        eq(cl.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0, "SO_ERROR")


@per_type
def connected_socket_ignores_addresses(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        raises_errno(errno.EISCONN, cl.connect, c.service())
        raises_errno(errno.EISCONN, a.connect, c.service())
        with sock(socket.SOCK_RDM) as other:
            other.bind(saddr(new_type(), 3))
            # sendto with an address sends on the connection.
            eq(cl.sendto(b"to other?", sockaddr_of(other)), 9, "sendto on a connected socket")
            eq(cl.sendto(b"to service?", saddr(c.stype, 1)), 11, "sendto a service")
            eq(a.recv(100), b"to other?" if ty == SEQPACKET else b"to other?to service?",
               "peer received")
            if ty == SEQPACKET:
                eq(a.recv(100), b"to service?", "peer received")
            empty(other, "the address's socket")
            empty(a, "peer")


@per_type
def unconnected_send_and_recv(ty):
    with Conn(ty) as c:
        s = c.new()
        raises_errno(errno.ENOTCONN, s.send, b"x")
        raises_errno(errno.ENOTCONN, s.send, b"x", socket.MSG_DONTWAIT)
        raises_errno(errno.ENOTCONN, s.recv, 10)
        raises_errno(errno.ENOTCONN, s.recv, 10, socket.MSG_DONTWAIT)
        eq_mask(s, POLLOUT, "unconnected")
        ls = c.listener
        raises_errno(errno.ENOTCONN, ls.send, b"x")
        raises_errno(errno.ENOTCONN, ls.sendto, b"x", c.service())
        raises_errno(errno.EAGAIN, ls.recv, 10, socket.MSG_DONTWAIT)


@per_type
def send_to_a_range_from_an_open_socket_is_a_multicast(ty):
    # C's __tipc_sendmsg: from an open connection socket, a send to a service range sets up
    # nothing; it is a multicast, as from an RDM socket: each member gets a copy.
    with Conn(ty) as c:
        t = new_type()
        with sock(socket.SOCK_RDM) as m1, sock(socket.SOCK_RDM) as m2:
            m1.bind((SERVICE_RANGE, t, 1, 5))
            m2.bind((SERVICE_RANGE, t, 4, 9))
            s = c.new()
            eq(s.sendto(b"mcast", socket.MSG_DONTWAIT, (SERVICE_RANGE, t, 3, 4, 0)), 5, "sent")
            for m in (m1, m2):
                data, src = m.recvfrom(100, socket.MSG_DONTWAIT)
                eq((data, src), (b"mcast", s.getsockname()), "copy")
            raises_errno(errno.ENOTCONN, s.getpeername)
            raises_errno(errno.ENOTCONN, s.send, b"x", socket.MSG_DONTWAIT)
            # Nobody in the range: unreachable, as for RDM.
            raises_errno(errno.EHOSTUNREACH, s.sendto, b"x", socket.MSG_DONTWAIT,
                         (SERVICE_RANGE, new_type(), 1, 1, 0))
            # The socket can still connect.
            s.setblocking(False)
            eq(s.connect_ex(c.service()), errno.EINPROGRESS, "connect after the multicast")


@one_case
def group_member_cannot_connect():
    with sock(SEQPACKET) as s:
        s.setsockopt(SOL_TIPC, 135, struct.pack("=IIII", new_type(), 1, CLUSTER, 0))
        raises_errno(errno.EINVAL, s.connect, saddr(new_type(), 1))


# ---- shutdown and close ----


@per_type
def shutdown_connected(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        raises_errno(errno.EINVAL, cl.shutdown, socket.SHUT_WR)
        raises_errno(errno.EINVAL, cl.shutdown, socket.SHUT_RD)
        raises_errno(errno.EINVAL, cl.shutdown, 3)
        eq_mask(cl, POLLOUT, "still connected")
        cl.send(b"before")
        cl.shutdown(socket.SHUT_RDWR)
        eq_mask(cl, READABLE | POLLHUP, "shut down end")
        eq_mask(a, READABLE | POLLHUP, "peer")
        # The peer reads what was sent, then end of file.
        eq(a.recv(100), b"before", "data before shutdown")
        eq(a.recv(100), b"", "end of file")
        raises_errno(errno.EAGAIN, a.recv, 100, socket.MSG_DONTWAIT)
        raises_errno(errno.EPIPE, a.send, b"x")
        raises_errno(errno.ENOTCONN, a.getpeername)
        # The shut down end: a read that may wait fails, one that may not finds nothing.
        raises_errno(errno.ENOTCONN, cl.recv, 100)
        raises_errno(errno.EAGAIN, cl.recv, 100, socket.MSG_DONTWAIT)
        raises_errno(errno.EPIPE, cl.send, b"x")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        cl.shutdown(socket.SHUT_RDWR)
        a.shutdown(socket.SHUT_RDWR)
        eq_mask(a, READABLE | POLLHUP, "peer after its shutdown")


@per_type
def shutdown_fin_in_ancillary_data(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        cl.shutdown(socket.SHUT_RDWR)
        data, anc, flags, src = a.recvmsg(100, ANC)
        eq((data, flags, src), (b"", 0, cl.getsockname()), "end of file")
        # A data-less error message carries no destination name.
        eq(cmsgs(anc), {TIPC_ERRINFO: struct.pack("=II", TIPC_CONN_SHUTDOWN, 0)}, "cmsgs")
        # Read that way, the FIN is consumed: nothing more, and no error either.
        raises_errno(errno.EAGAIN, a.recv, 100, socket.MSG_DONTWAIT)


@per_type
def shutdown_unconnected(ty):
    with Conn(ty) as c:
        s = c.new()
        raises_errno(errno.ENOTCONN, s.shutdown, socket.SHUT_RDWR)
        eq_mask(s, READABLE | POLLOUT | POLLRDHUP | POLLHUP, "after shutdown")
        raises_errno(errno.ENOTCONN, s.recv, 10)
        raises_errno(errno.ENOTCONN, c.listener.shutdown, socket.SHUT_RDWR)
        eq_mask(c.listener, READABLE | POLLRDHUP | POLLHUP, "listener after shutdown")
        # A listener is not open: after its failed shutdown, a read that may wait fails and
        # one that may not finds nothing (C's tipc_wait_for_rcvmsg).
        raises_errno(errno.ENOTCONN, c.listener.recv, 10)
        raises_errno(errno.EAGAIN, c.listener.recv, 10, socket.MSG_DONTWAIT)


@per_type
def close_peer_without_unread_data(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        a.send(b"last")
        a.close()
        eq_mask(cl, READABLE | POLLHUP, "peer closed")
        eq(cl.recv(100), b"last", "data sent before close")
        raises_errno(errno.ECONNRESET, cl.recv, 100)
        raises_errno(errno.ECONNRESET, cl.recv, 100, socket.MSG_DONTWAIT)
        # With room for ancillary data, the abort is a zero-length read with its error.
        data, anc, flags, src = cl.recvmsg(100, ANC)
        eq((data, flags), (b"", 0), "recvmsg with ancillary buffer")
        eq(cmsgs(anc).get(TIPC_ERRINFO), struct.pack("=II", TIPC_ERR_NO_PORT, 0), "ERRINFO")
        raises_errno(errno.ENOTCONN, cl.getpeername)
        raises_errno(errno.EPIPE, cl.send, b"x")


@per_type
def send_to_closed_peer_is_epipe_without_sigpipe(ty):
    got = []
    old = signal.signal(signal.SIGPIPE, lambda signum, frame: got.append(signum))
    try:
        with Conn(ty) as c:
            cl, a = c.connect()
            a.close()
            raises_errno(errno.EPIPE, cl.send, b"x")
            raises_errno(errno.EPIPE, cl.send, b"x", socket.MSG_NOSIGNAL)
            raises_errno(errno.EPIPE, cl.send, b"x", socket.MSG_DONTWAIT)
            raises_errno(errno.EPIPE, cl.sendto, b"x", c.service())
    finally:
        signal.signal(signal.SIGPIPE, old)
    eq(got, [], "signals")


@per_type
def close_peer_with_unread_data(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        cl.setsockopt(SOL_TIPC, TIPC_NODELAY, 1)
        cl.send(b"unread one")
        cl.send(b"unread two")
        peer = a.getsockname()
        a.close()
        # The first unread message comes back with the abort.
        eq_mask(cl, READABLE | POLLHUP, "peer closed")
        data, anc, flags, src = cl.recvmsg(100, ANC)
        eq((data, flags, src), (b"", 0, peer), "returned")
        eq(cmsgs(anc), {TIPC_ERRINFO: struct.pack("=II", TIPC_ERR_NO_PORT, 10),
                        TIPC_RETDATA: b"unread one",
                        TIPC_DESTNAME: struct.pack("=III", c.stype, 1, 1)}, "cmsgs")
        # The abort was consumed with it: no error left, no end of file, nothing to read.
        raises_errno(errno.EAGAIN, cl.recv, 100, socket.MSG_DONTWAIT)
        eq_mask(cl, READABLE | POLLHUP, "after the abort")
        raises_errno(errno.EPIPE, cl.send, b"x")


@per_type
def close_listener_with_pending_requests(ty):
    with Conn(ty) as c:
        blocked = c.new()
        join = in_thread(blocked.connect, c.service())
        nb = c.new()
        nb.setblocking(False)
        eq(nb.connect_ex(c.service()), errno.EINPROGRESS, "non-blocking connect")
        time.sleep(0.2)
        c.listener.close()
        try:
            join()
        except OSError as e:
            eq(errno.errorcode.get(e.errno), "ECONNREFUSED", "blocked connect")
        else:
            raise AssertionError("blocked connect succeeded")
        eq_mask(nb, READABLE | POLLHUP, "non-blocking connector")
        eq(nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), errno.ECONNREFUSED, "SO_ERROR")
        raises_errno(errno.ECONNRESET, nb.recv, 10)
        raises_errno(errno.ENOTCONN, blocked.getpeername)
        raises_errno(errno.ECONNRESET, blocked.recv, 10)
        raises_errno(errno.EPIPE, blocked.send, b"x")


# ---- poll ----


@per_type
def poll_masks(ty):
    with Conn(ty) as c:
        eq_mask(c.listener, 0, "idle listener")
        eq_mask(c.new(), POLLOUT, "unconnected")
        cl, a = c.connect()
        eq_mask(cl, POLLOUT, "connected, idle")
        eq_mask(a, POLLOUT, "accepted, idle")
        cl.send(b"x")
        eq_mask(a, READABLE | POLLOUT, "data queued")
        eq(select.select([a], [a], [a], 0), ([a], [a], []), "select")
        a.recv(10)
        eq_mask(a, POLLOUT, "after recv")
        # A waiting poll wakes on data.
        join = later(0.2, cl.send, b"y")
        p = select.poll()
        p.register(a, POLLIN)
        eq(p.poll(5000), [(a.fileno(), READABLE & POLLIN)], "woken")
        join()


# ---- flow control ----


@per_type
def send_window_fills_then_eagain(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        cl.setsockopt(SOL_TIPC, TIPC_NODELAY, 1)
        msg = b"\x5a" * 100
        sent = 0
        while True:
            try:
                cl.send(struct.pack("=I", sent) + msg, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            sent += 1
            if sent > 100000:
                raise AssertionError("no EAGAIN after 100000 sends")
        print(f"# {sent} messages of 104 bytes before EAGAIN")
        # Each message (with its 24-byte header) counts one 1024-byte block; the send window
        # starts at 128 blocks until the receiver advertises its own, and a send is refused
        # once more than 128 are unacknowledged: 129 fit.
        eq(sent, 129, "sends before EAGAIN")
        eq_mask(cl, 0, "sender with a full window")
        raises_errno(errno.EAGAIN, cl.send, b"x", socket.MSG_DONTWAIT)
        # Reading drains it; nothing was lost.
        got = bytearray()
        want = b"".join(struct.pack("=I", i) + msg for i in range(sent))
        while len(got) < len(want):
            got += a.recv(len(want) - len(got)) if ty == STREAM else a.recv(200)
        eq(got == want, True, "every message, in order")
        eq_mask(cl, POLLOUT, "sender after the reader caught up")
        empty(a, "receiver")


@one_case
def stream_dontwait_large_send_is_partial():
    with Conn(STREAM) as c:
        cl, a = c.connect()
        big = bytes(i & 0xFF for i in range(200000))
        # Segments of 66000 bytes count 65 blocks each: two fit in the first window.
        n = cl.send(big, socket.MSG_DONTWAIT)
        eq(n, 2 * MAX_USER_MSG, "partial send")
        eq(recv_exact(a, n) == big[:n], True, "data")
        empty(a, "receiver")


@one_case
def stream_8mb_with_slow_reader():
    size = 8 * 1024 * 1024
    with Conn(STREAM) as c:
        cl, a = c.connect()
        pattern = hashlib.sha256(b"tipc").digest() * 2048  # 64 KiB
        def writer():
            sent = 0
            for i in range(size // len(pattern)):
                block = struct.pack("=I", i) + pattern[4:]
                cl.sendall(block)
                sent += len(block)
            return sent
        join = in_thread(writer)
        h = hashlib.sha256()
        got = 0
        reads = 0
        want = hashlib.sha256()
        for i in range(size // len(pattern)):
            want.update(struct.pack("=I", i) + pattern[4:])
        while got < size:
            data = a.recv(min(100000, size - got) if reads % 3 else 777)
            if not data:
                raise AssertionError(f"EOF after {got} bytes")
            h.update(data)
            got += len(data)
            reads += 1
            if reads % 64 == 0:
                time.sleep(0.01)  # the reader is the slower side
        eq(join(), size, "bytes sent")
        eq(got, size, "bytes received")
        eq(h.hexdigest(), want.hexdigest(), "data and order")
        empty(a, "receiver")


@one_case
def seqpacket_2000_messages_of_varied_sizes():
    with Conn(SEQPACKET) as c:
        cl, a = c.connect()
        def size(i):
            # One in 40 anywhere up to the limit (66000 itself included), the rest small.
            if i == 1999:
                return MAX_USER_MSG
            return (i * 2654435761) % (MAX_USER_MSG + 1) if i % 40 == 0 else 4 + (i * 37) % 3000
        def msg(i):
            n = max(size(i), 4)
            return struct.pack("=I", i) + bytes([i & 0xFF]) * (n - 4)
        def writer():
            for i in range(2000):
                eq(cl.send(msg(i)), len(msg(i)), f"send {i}")
            return 2000
        join = in_thread(writer)
        for i in range(2000):
            data = a.recv(70000)
            if data != msg(i):
                raise AssertionError(f"message {i}: {len(data)} bytes, "
                                     f"#{struct.unpack('=I', data[:4])[0] if len(data) >= 4 else '?'}"
                                     f", want {len(msg(i))} bytes")
            if i % 200 == 0:
                time.sleep(0.01)
        eq(join(), 2000, "sent")
        empty(a, "receiver")


@per_type
def nodelay_on_and_off_delivers_everything(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        for nodelay in (1, 0, 1):
            cl.setsockopt(SOL_TIPC, TIPC_NODELAY, nodelay)
            msgs = [b"%05d" % i for i in range(100)]
            join = in_thread(lambda: [cl.send(m) for m in msgs])
            if ty == STREAM:
                got = recv_exact(a, 5 * len(msgs))
                eq(got, b"".join(msgs), f"nodelay {nodelay}")
            else:
                eq([a.recv(100) for _ in msgs], msgs, f"nodelay {nodelay}")
            join()
        empty(a, "receiver")


# ---- timeouts and non-blocking ----


@per_type
def dontwait_and_rcvtimeo_on_connected(ty):
    with Conn(ty) as c:
        cl, a = c.connect()
        raises_errno(errno.EAGAIN, a.recv, 10, socket.MSG_DONTWAIT)
        a.setblocking(False)
        raises_errno(errno.EAGAIN, a.recv, 10)
        a.setblocking(True)
        set_rcvtimeo(a, 0.2)
        start = time.monotonic()
        raises_errno(errno.EAGAIN, a.recv, 10)
        took_about(start, 0.2, "recv")
        # Data that comes within the timeout is received.
        join = later(0.1, cl.send, b"in time")
        eq(a.recv(10), b"in time", "data within SO_RCVTIMEO")
        join()


if __name__ == "__main__":
    run()
