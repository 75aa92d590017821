#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The topology server, on one node: the service {TIPC_TOP_SRV, 1} that a SEQPACKET or STREAM
client connects to, sends struct tipc_subscr (28 bytes) and reads struct tipc_event (48 bytes).

What is pinned: the server's binding in the name table; connecting by service address, by
socket address and implicitly (the subscription in the first message); the events of
TIPC_SUB_PORTS (one per matching publication and withdrawal) and TIPC_SUB_SERVICE (first
publication and last withdrawal of each exact range), with the publication's whole range and
socket; the initial status (oldest publication first; for SERVICE the oldest of each range;
none with TIPC_SUB_NO_STATUS 0x80); the scope filters 0x20 and 0x40; timeouts (one
TIPC_SUBSCR_TIMEOUT event, then nothing) and TIPC_WAIT_FOREVER; cancelling (by the identical
28 bytes; unknown ones change nothing); the other byte order, whose timeout event carries
found_lower/found_upper unswapped; what closes the connection (a message under 28 bytes, PORTS
with SERVICE, lower above upper: end of file at the client) and what does not (an empty
message, a longer one, of which the first 28 bytes count); STREAM clients; several subscriber
processes seeing one order of events; flow control (6000 events queued while the subscriber
does not read, then received in order); subscribers closing with events in flight; the limit
of 65535 subscriptions per network namespace (in a namespace of its own); and a bounded churn
(binders and subscribers at random; no event lost or duplicated).

Nothing here measures time except loosely: a 300 ms timeout must not end before 250 ms.
Every read has a timeout, and each case a deadline, so that a missing event fails a case
instead of hanging the run. A "sync" is a subscription with TIPC_SUB_NO_STATUS and timeout 0
on a type nobody binds: its timeout event comes after every event queued before it on that
connection (by a binding, or a subscription the server read before), which makes "and nothing
else" checkable. Not another timeout due as soon: timers due in the same jiffy may fire in
either order (in the C module, the newest first). The server handles a subscription or a cancel
after the send returns, so a case syncs before binding what it must see reported.

The whole file takes 80 to 100 s on a two-vCPU TCG guest with the debug kernel, a third of it
making the 65535 subscriptions (about 35 s, by sendmmsg(2)).

Like run_differential.sh, it expects the module loaded on a node without a bearer (a node
without an address); it passes on a node with an address too, whose events carry it. By hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/topsrv.py'
"""

import collections
import contextlib
import ctypes
import errno
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

from tipc_genl import Genl, name_table
from tipc_ktap import (Skip, eq, raises_errno, run, sockaddr_tipc, sys_bind, sys_recv, sys_sendto,
                       Iovec, Msghdr, track, tracked_case, untrack_all)

AF_TIPC = socket.AF_TIPC
SEQPACKET, STREAM, RDM = socket.SOCK_SEQPACKET, socket.SOCK_STREAM, socket.SOCK_RDM
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
ZONE, CLUSTER, NODE = socket.TIPC_ZONE_SCOPE, socket.TIPC_CLUSTER_SCOPE, socket.TIPC_NODE_SCOPE
SOL_TIPC = 271
TIPC_NODELAY = 138

TOP_SRV = 1  # socket.TIPC_TOP_SRV
TOPSRV = (SERVICE_ADDR, TOP_SRV, TOP_SRV, 0)
PORTS, SERVICE, CANCEL = 0x01, 0x02, 0x04  # TIPC_SUB_*
CLUSTER_ONLY, NODE_ONLY, NO_STATUS = 0x20, 0x40, 0x80  # the kernel's internal filter bits
FOREVER = 0xFFFFFFFF  # TIPC_WAIT_FOREVER
PUBLISHED, WITHDRAWN, TIMEOUT = 1, 2, 3
KIND = {PUBLISHED: "PUBLISHED", WITHDRAWN: "WITHDRAWN", TIMEOUT: "TIMEOUT"}
SUB_SIZE, EVT_SIZE = 28, 48
MAX_SUBSCR = 65535

# The subscriber's byte order is its own: the host's, or the other one.
HOST = "<" if sys.byteorder == "little" else ">"
OTHER = ">" if HOST == "<" else "<"

POLLIN, POLLOUT, POLLHUP = select.POLLIN, select.POLLOUT, select.POLLHUP
READABLE = POLLIN | select.POLLRDNORM
POLL_ALL = (POLLIN | select.POLLPRI | POLLOUT | select.POLLRDNORM | select.POLLRDBAND
            | select.POLLWRNORM | select.POLLWRBAND | select.POLLRDHUP)

STALL = 20.0  # an event that has not come in this long is missing

# Service types: each case has its own, so that no binding leaks into another case. Nobody
# binds SYNC_TYPE.
SYNC_TYPE = 8000
_next_type = [SYNC_TYPE]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


_own = []


def own_node():
    """The node address events carry for local sockets (0 on a node without an address)."""
    if not _own:
        with socket.socket(AF_TIPC, RDM) as s:
            _own.append(s.getsockname()[1])
    return _own[0]


# ---- cleanup, deadlines ----

topcase = tracked_case


# ---- subscriptions and events ----

def pack_sub(stype, lower, upper, filt=PORTS, timeout=FOREVER, handle=b"", order=HOST):
    """struct tipc_subscr: seq.type, seq.lower, seq.upper, timeout, filter, usr_handle[8]."""
    return struct.pack(order + "5I8s", stype, lower, upper, timeout, filt, handle)


class Event(collections.namedtuple("Event", "event lower upper ref node sub")):
    """A struct tipc_event as read in the subscription's byte order; sub is the 28 bytes the
    server echoed."""

    def __repr__(self):
        handle = self.sub[20:].rstrip(b"\0")
        return (f"{KIND.get(self.event, hex(self.event))}({self.lower:#x},{self.upper:#x} "
                f"port {self.ref}:{self.node:#x} sub {handle!r})")


def P(sub, lower, upper, port):
    return Event(PUBLISHED, lower, upper, port, own_node(), sub)


def W(sub, lower, upper, port):
    return Event(WITHDRAWN, lower, upper, port, own_node(), sub)


def T(sub, lower, upper):
    return Event(TIMEOUT, lower, upper, 0, 0, sub)


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise AssertionError(f"end of file after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def poll_mask(s, events=POLL_ALL, timeout_ms=0):
    p = select.poll()
    p.register(s, events)
    ev = p.poll(timeout_ms)
    return ev[0][1] if ev else 0


def readable(s, timeout):
    return bool(poll_mask(s, READABLE, int(timeout * 1000)))


_sync_count = [0]


class Subscriber:
    """A client of the topology server: a SEQPACKET or STREAM socket connected to it (unless
    connect=False), every read under STALL."""

    def __init__(self, ty=SEQPACKET, connect=True):
        self.ty = ty
        self.s = socket.socket(AF_TIPC, ty)
        track(self)
        self.orders = {}  # subscription bytes -> their byte order
        if connect:
            self.s.connect(TOPSRV)
        self.s.settimeout(STALL)

    def close(self):
        self.s.close()

    def send(self, data):
        eq(self.s.send(data), len(data), "bytes sent")

    def subscribe(self, stype, lower, upper, filt=PORTS, timeout=FOREVER, handle=b"",
                  order=HOST):
        """Sends a subscription; returns its 28 bytes, which its events echo."""
        raw = pack_sub(stype, lower, upper, filt, timeout, handle, order)
        self.orders[raw] = order
        self.send(raw)
        return raw

    def cancel(self, raw, order=None):
        """Sends raw with TIPC_SUB_CANCEL set in its filter, in the subscription's byte order
        (or the one given)."""
        order = order or self.orders.get(raw, HOST)
        filt = struct.unpack_from(order + "I", raw, 16)[0]
        self.send(raw[:16] + struct.pack(order + "I", filt | CANCEL) + raw[20:])

    def recv_event(self):
        try:
            if self.ty == STREAM:
                data = recv_exact(self.s, EVT_SIZE)
            else:
                data = self.s.recv(4096)
                if not data:
                    raise AssertionError("the topology server closed the connection")
                eq(len(data), EVT_SIZE, "event size")
        except TimeoutError:
            raise AssertionError(f"no event in {STALL} s") from None
        return Event(*struct.unpack(self.orders.get(data[20:], HOST) + "5I", data[:20]),
                     data[20:])

    def events(self, n):
        return [self.recv_event() for _ in range(n)]

    def send_sync(self):
        _sync_count[0] += 1
        handle = b"sync" + struct.pack("=I", _sync_count[0])
        return self.subscribe(SYNC_TYPE, 0, 0, SERVICE | NO_STATUS, 0, handle)

    def sync(self):
        """Every event before a sync subscription's timeout event: all that was queued on this
        connection before now."""
        raw = self.send_sync()
        got = []
        while True:
            e = self.recv_event()
            if e.sub == raw:
                eq(e, T(raw, 0, 0), "the sync subscription's event")
                return got
            got.append(e)


def split(events, *subs):
    """The events, one list per subscription; fails on an event of another subscription."""
    out = {s: [] for s in subs}
    for e in events:
        if e.sub not in out:
            raise AssertionError(f"event of an unexpected subscription: {e}")
        out[e.sub].append(e)
    return [out[s] for s in subs]


def closed_by_server(sub, what):
    """Fails unless the server closed sub's connection: it polls readable and hung up, reads
    end of file, then nothing (EAGAIN), and a send is EPIPE."""
    if not poll_mask(sub.s, READABLE, int(STALL * 1000)):
        raise AssertionError(f"{what}: the connection is still open after {STALL} s")
    eq(poll_mask(sub.s), READABLE | POLLHUP, f"{what}: poll")
    try:
        n = sys_recv(sub.s, 4096, socket.MSG_DONTWAIT)
    except OSError as e:
        raise AssertionError(f"{what}: recv: {errno.errorcode.get(e.errno, e.errno)}, "
                             "want end of file") from None
    eq(n, 0, f"{what}: recv (an event came instead of end of file)")
    raises_errno(errno.EAGAIN, sys_recv, sub.s, 4096, socket.MSG_DONTWAIT)
    raises_errno(errno.EPIPE, sys_sendto, sub.s, bytes(SUB_SIZE), None, None,
                 socket.MSG_DONTWAIT)


def still_open(sub, what):
    """Fails unless sub's connection works: a sync comes back, with nothing before it."""
    eq(sub.sync(), [], f"{what}: events")


# ---- bindings ----

def rdm():
    return track(socket.socket(AF_TIPC, RDM))


def port_of(s):
    return s.getsockname()[2]


def bind(s, stype, lower, upper, scope=CLUSTER):
    s.bind((SERVICE_RANGE, stype, lower, upper, scope))


def unbind(s, stype, lower, upper, scope=CLUSTER):
    sys_bind(s, sockaddr_tipc(SERVICE_RANGE, stype, lower, upper, -scope))


# ---- child processes ----

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def brief_traceback(e):
    """The traceback without source lines (reading the sources is slow under TCG)."""
    out = ["Traceback (most recent call last):"]
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        out.append(f'  File "{code.co_filename}", line {tb.tb_lineno}, in {code.co_name}')
        tb = tb.tb_next
    out.append(f"{type(e).__name__}: {e}")
    return "\n".join(out)


class Proc:
    """A forked child running fn(chan, *args), optionally in a new network namespace;
    chan.put(obj) and chan.get() exchange JSON values with the parent, which does the same on
    the Proc. An exception in the child fails the case with the child's traceback."""

    def __init__(self, fn, *args, netns=False):
        sys.stdout.flush()
        sys.stderr.flush()
        p2c_r, p2c_w = os.pipe()
        c2p_r, c2p_w = os.pipe()
        self.buf = b""
        self.reaped = False
        pid = os.fork()
        if pid == 0:
            # What the parent's case opened is not the child's: close the child's copies
            # (another child's pipes, subscribers' sockets).
            untrack_all(lambda obj: obj.forget() if isinstance(obj, Proc) else obj.close())
            os.close(p2c_w)
            os.close(c2p_r)
            self.pid, self.rfd, self.wfd = 0, p2c_r, c2p_w
            code = 0
            try:
                if netns:
                    if _libc.unshare(CLONE_NEWNET) != 0:
                        e = ctypes.get_errno()
                        raise OSError(e, f"unshare(CLONE_NEWNET): {os.strerror(e)}")
                    _own.clear()  # the new namespace's node has no address
                fn(self, *args)
            except BaseException as e:  # noqa: B036 - reported to the parent
                with contextlib.suppress(OSError):
                    self._send({"error": brief_traceback(e)})
                code = 1
            os._exit(code)
        os.close(p2c_r)
        os.close(c2p_w)
        self.pid, self.rfd, self.wfd = pid, c2p_r, p2c_w
        track(self)

    def _send(self, msg):
        data = (json.dumps(msg) + "\n").encode()
        while data:
            data = data[os.write(self.wfd, data):]

    def put(self, obj):
        self._send({"value": obj})

    def has_word(self, timeout):
        """Whether a message from the other side is waiting (within timeout seconds)."""
        return b"\n" in self.buf or bool(select.select([self.rfd], [], [], timeout)[0])

    def get(self, wait=60):
        end = time.monotonic() + wait
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no word from the other process in {wait} s")
            if select.select([self.rfd], [], [], min(left, 1.0))[0]:
                data = os.read(self.rfd, 65536)
                if not data:
                    raise AssertionError("the other process exited without a word")
                self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        msg = json.loads(line)
        if "error" in msg:
            raise AssertionError("in a child process:\n" + msg["error"])
        return msg["value"]

    def wait(self, wait=60):
        """Waits for the child to exit; fails unless it exited 0."""
        end = time.monotonic() + wait
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.reaped = True
                break
            if time.monotonic() > end:
                raise AssertionError(f"the child did not exit in {wait} s")
            time.sleep(0.01)
        code = os.waitstatus_to_exitcode(status)
        if code:
            while True:
                data = os.read(self.rfd, 65536)
                if not data:
                    break
                self.buf += data
            for line in self.buf.splitlines():
                msg = json.loads(line)
                if "error" in msg:
                    raise AssertionError("in a child process:\n" + msg["error"])
        eq(code, 0, "child exit status")

    def kill(self):
        if not self.reaped:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True

    def forget(self):
        """Closes this side's pipes (once: their numbers may be reused afterwards)."""
        for fd in (self.rfd, self.wfd):
            if fd is not None:
                os.close(fd)
        self.rfd = self.wfd = None

    def close(self):
        self.kill()
        self.forget()


def needs_root():
    if os.geteuid() != 0:
        raise Skip("unshare(CLONE_NEWNET) needs root")


# ---- sendmmsg(2), to send many subscriptions quickly ----

class _Mmsghdr(ctypes.Structure):
    _fields_ = [("msg_hdr", Msghdr), ("msg_len", ctypes.c_uint)]


def send_many(s, msg, count, batch=1024):
    """Sends count copies of msg on s, one message each, batch at a time by sendmmsg(2)."""
    buf = ctypes.create_string_buffer(msg, len(msg))
    iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), len(msg))
    arr = (_Mmsghdr * batch)()
    for m in arr:
        m.msg_hdr.msg_iov = ctypes.pointer(iov)
        m.msg_hdr.msg_iovlen = 1
    sent = 0
    while sent < count:
        n = _libc.sendmmsg(s.fileno(), arr, min(batch, count - sent), socket.MSG_DONTWAIT)
        if n < 0:
            e = ctypes.get_errno()
            if e != errno.EAGAIN:
                raise OSError(e, f"sendmmsg after {sent} messages: {os.strerror(e)}")
            if not poll_mask(s, POLLOUT, int(STALL * 1000)) & POLLOUT:
                raise AssertionError(f"sendmmsg blocked for {STALL} s after {sent} messages")
            continue
        sent += n


# ---- the server and connecting to it ----

def topsrv_publication():
    g = Genl()
    try:
        table = name_table(g)
    finally:
        g.close()
    top = [p for p in table if p["type"] == TOP_SRV]
    eq(len(top), 1, "publications of type TIPC_TOP_SRV in the name table")
    return top[0]


@topcase()
def server_is_bound_in_the_name_table():
    p = topsrv_publication()
    eq((p["lower"], p["upper"], p["scope"], p["node"]), (1, 1, NODE, own_node()),
       "{1, 1, 1} of node scope on this node")
    eq(p["key"], p["ref"] + 1, "key (the listener's first binding)")
    # The server sees its own binding like any other.
    sub = Subscriber()
    ports = sub.subscribe(TOP_SRV, 0, FOREVER, PORTS, handle=b"ports")
    service = sub.subscribe(TOP_SRV, 0, FOREVER, SERVICE, handle=b"service")
    eq(split(sub.sync(), ports, service),
       [[P(ports, 1, 1, p["ref"])], [P(service, 1, 1, p["ref"])]], "initial status")
    # Each connection is a socket of its own, not the listener.
    peer = sub.s.getpeername()
    eq((peer[0], peer[1]), (SOCKET_ADDR, own_node()), "peer address type and node")
    if peer[2] == p["ref"]:
        raise AssertionError("the connection's peer is the listening socket")


@topcase()
def connect_by_socket_address_and_implicitly():
    ref = topsrv_publication()["ref"]
    # By the listener's socket address.
    sub = Subscriber(connect=False)
    sub.s.settimeout(None)
    sub.s.connect((SOCKET_ADDR, own_node(), ref, 0))
    sub.s.settimeout(STALL)
    raw = sub.subscribe(TOP_SRV, 1, 1, PORTS, handle=b"by sock")
    eq(sub.sync(), [P(raw, 1, 1, ref)], "connected by socket address")
    # Implicitly: the subscription is the first message, sent to the service address.
    for name, ty in (("SEQPACKET", SEQPACKET), ("STREAM", STREAM)):
        sub = Subscriber(ty, connect=False)
        raw = pack_sub(TOP_SRV, 0, 5, SERVICE, FOREVER, b"implicit")
        sub.s.settimeout(None)
        eq(sub.s.sendto(raw, TOPSRV), SUB_SIZE, f"{name} sendto")
        sub.s.settimeout(STALL)
        eq(sub.recv_event(), P(raw, 1, 1, ref), f"{name}: event of the subscription in the SYN")
        still_open(sub, name)


# ---- PORTS and SERVICE ----

@topcase()
def ports_events():
    t = new_type()
    sub = Subscriber()
    raw = sub.subscribe(t, 10, 20, PORTS, handle=b"ports")
    eq(sub.sync(), [], "nothing bound")
    a, b, c = rdm(), rdm(), rdm()
    pa, pb, pc = port_of(a), port_of(b), port_of(c)
    bind(a, t, 10, 20)
    bind(b, t, 10, 20, NODE)  # the same range again, another socket, another scope
    bind(a, t, 15, 30)  # overlapping: the whole range is reported
    bind(c, t, 21, 30)  # outside
    bind(c, t, 5, 10)  # touching the lower end
    b.bind((SERVICE_ADDR, t, 20, 0, CLUSTER))  # touching the upper end
    bind(c, t, 0, FOREVER)  # the whole instance space
    bind(c, new_type(), 10, 20)  # another type
    bind(a, t, 10, 20)  # the same range twice on one socket: two publications
    eq(sub.sync(), [P(raw, 10, 20, pa), P(raw, 10, 20, pb), P(raw, 15, 30, pa),
                    P(raw, 5, 10, pc), P(raw, 20, 20, pb), P(raw, 0, FOREVER, pc),
                    P(raw, 10, 20, pa)], "publications")
    unbind(a, t, 10, 20)  # one of the two
    unbind(c, t, 21, 30)
    eq(sub.sync(), [W(raw, 10, 20, pa)], "withdrawals")
    # A closing socket withdraws its publications newest first.
    b.close()
    eq(sub.sync(), [W(raw, 20, 20, pb), W(raw, 10, 20, pb)], "b closed")
    a.close()
    eq(sub.sync(), [W(raw, 15, 30, pa), W(raw, 10, 20, pa)], "a closed")
    c.close()
    eq(sub.sync(), [W(raw, 0, FOREVER, pc), W(raw, 5, 10, pc)], "c closed")


@topcase()
def service_events():
    t = new_type()
    sub = Subscriber()
    raw = sub.subscribe(t, 10, 20, SERVICE, handle=b"service")
    eq(sub.sync(), [], "nothing bound")
    a, b, c = rdm(), rdm(), rdm()
    pa, pb, pc = port_of(a), port_of(b), port_of(c)
    bind(a, t, 10, 20)  # first of [10, 20]
    bind(b, t, 10, 20)
    bind(a, t, 10, 20)
    bind(a, t, 15, 30)  # first of [15, 30]
    bind(c, t, 10, 15)  # first of [10, 15]
    bind(c, t, 21, 30)  # outside
    bind(b, t, 15, 30, NODE)
    eq(sub.sync(), [P(raw, 10, 20, pa), P(raw, 15, 30, pa), P(raw, 10, 15, pc)],
       "first publication of each exact range")
    unbind(a, t, 10, 20)
    unbind(a, t, 10, 20)
    unbind(a, t, 15, 30)
    eq(sub.sync(), [], "not the last of their range")
    # The last withdrawal carries the socket that made it.
    b.close()
    eq(sub.sync(), [W(raw, 15, 30, pb), W(raw, 10, 20, pb)], "b closed: last of two ranges")
    c.close()
    eq(sub.sync(), [W(raw, 10, 15, pc)], "c closed")
    bind(a, t, 10, 20, NODE)
    eq(sub.sync(), [P(raw, 10, 20, pa)], "[10, 20] again")
    a.close()
    eq(sub.sync(), [W(raw, 10, 20, pa)], "a closed")


@topcase()
def initial_status_ports_oldest_first():
    t = new_type()
    a, b, c = rdm(), rdm(), rdm()
    pa, pb, pc = port_of(a), port_of(b), port_of(c)
    bind(a, t, 50, 50)
    bind(b, t, 10, 10)
    bind(a, t, 30, 40)
    bind(c, t, 10, 10)
    bind(c, t, 5, 5)  # outside [10, 60]
    bind(b, t, 45, 70)
    bind(a, t, 200, 300)  # outside
    unbind(a, t, 30, 40)
    bind(a, t, 30, 40)  # bound again: now the newest
    bind(b, t, 60, 60, NODE)
    sub = Subscriber()
    raw = sub.subscribe(t, 10, 60, PORTS, handle=b"ports")
    eq(sub.sync(), [P(raw, 50, 50, pa), P(raw, 10, 10, pb), P(raw, 10, 10, pc),
                    P(raw, 45, 70, pb), P(raw, 30, 40, pa), P(raw, 60, 60, pb)],
       "every overlapping publication, oldest first")
    bind(c, t, 20, 20)
    eq(sub.sync(), [P(raw, 20, 20, pc)], "then the changes")


@topcase()
def initial_status_service_oldest_per_range():
    t = new_type()
    a, b, c, d = rdm(), rdm(), rdm(), rdm()
    pa, pb, pc, pd = port_of(a), port_of(b), port_of(c), port_of(d)
    bind(a, t, 30, 30)
    bind(b, t, 20, 20)
    bind(c, t, 30, 30)
    bind(c, t, 10, 10)
    bind(b, t, 10, 10)
    unbind(a, t, 30, 30)  # c's is now the oldest of [30, 30]
    bind(a, t, 40, 50, NODE)
    bind(b, t, 40, 50)
    sub = Subscriber()
    whole = sub.subscribe(t, 0, 100, SERVICE, handle=b"whole")
    part = sub.subscribe(t, 25, 45, SERVICE, handle=b"part")
    got = sub.sync()
    eq(split(got, whole, part),
       [[P(whole, 20, 20, pb), P(whole, 30, 30, pc), P(whole, 10, 10, pc), P(whole, 40, 50, pa)],
        [P(part, 30, 30, pc), P(part, 40, 50, pa)]],
       "the oldest publication of each range, oldest first")
    # Each subscription's initial status comes when it is made.
    eq(got[4:], [P(part, 30, 30, pc), P(part, 40, 50, pa)], "order of the two")
    bind(d, t, 30, 30)
    c.close()  # its [10, 10] and [30, 30] are not the last of their ranges
    eq(sub.sync(), [], "no first, no last")
    d.close()
    eq(split(sub.sync(), whole, part), [[W(whole, 30, 30, pd)], [W(part, 30, 30, pd)]],
       "the last of [30, 30]")


@topcase()
def no_status():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    bind(a, t, 2, 2, NODE)
    sub = Subscriber()
    ports = sub.subscribe(t, 0, 10, PORTS | NO_STATUS, handle=b"ports")
    service = sub.subscribe(t, 0, 10, SERVICE | NO_STATUS, handle=b"service")
    eq(sub.sync(), [], "TIPC_SUB_NO_STATUS: no initial events")
    bind(a, t, 3, 3)
    unbind(a, t, 1, 1)
    eq(split(sub.sync(), ports, service),
       [[P(ports, 3, 3, pa), W(ports, 1, 1, pa)], [P(service, 3, 3, pa), W(service, 1, 1, pa)]],
       "the changes")


@topcase()
def scope_filters():
    t = new_type()
    a, b = rdm(), rdm()
    pa, pb = port_of(a), port_of(b)
    bind(a, t, 1, 1, NODE)
    bind(a, t, 2, 2, CLUSTER)
    sub = Subscriber()
    cl = sub.subscribe(t, 0, 9, PORTS | CLUSTER_ONLY, handle=b"cluster")
    nd = sub.subscribe(t, 0, 9, PORTS | NODE_ONLY, handle=b"node")
    both = sub.subscribe(t, 0, 9, PORTS | CLUSTER_ONLY | NODE_ONLY, handle=b"both")
    eq(split(sub.sync(), cl, nd, both), [[P(cl, 2, 2, pa)], [P(nd, 1, 1, pa)], []],
       "initial status by scope")
    bind(b, t, 3, 3, NODE)
    bind(b, t, 4, 4, ZONE)  # zone scope is cluster scope
    unbind(a, t, 1, 1, NODE)
    a.close()
    eq(split(sub.sync(), cl, nd, both),
       [[P(cl, 4, 4, pb), W(cl, 2, 2, pa)], [P(nd, 3, 3, pb), W(nd, 1, 1, pa)], []],
       "changes by scope")
    # With SERVICE, the filter applies to the publication that makes the first or the last:
    # a range first bound with node scope is never reported as published to a cluster-only
    # subscription, but its last (cluster scope) withdrawal is.
    u = new_type()
    svc = sub.subscribe(u, 10, 10, SERVICE | CLUSTER_ONLY, handle=b"svc")
    eq(sub.sync(), [], "SERVICE, cluster only: nothing bound")
    c, d = rdm(), rdm()
    pd = port_of(d)
    bind(c, u, 10, 10, NODE)
    bind(d, u, 10, 10, CLUSTER)
    unbind(c, u, 10, 10, NODE)
    eq(sub.sync(), [], "SERVICE, cluster only: first publication of node scope")
    unbind(d, u, 10, 10, CLUSTER)
    eq(sub.sync(), [W(svc, 10, 10, pd)], "SERVICE, cluster only: last withdrawal")


@topcase()
def unknown_filter_bits_are_ignored():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 5, 5)
    sub = Subscriber()
    ports = sub.subscribe(t, 0, 9, PORTS | 0x08 | 0x10 | 0x100 | 0x80000000, handle=b"ports")
    service = sub.subscribe(t, 0, 9, SERVICE | 0x7FFFFF00, handle=b"service")
    eq(split(sub.sync(), ports, service), [[P(ports, 5, 5, pa)], [P(service, 5, 5, pa)]],
       "initial status")
    bind(a, t, 5, 5)
    a.close()
    eq(split(sub.sync(), ports, service),
       [[P(ports, 5, 5, pa), W(ports, 5, 5, pa), W(ports, 5, 5, pa)], [W(service, 5, 5, pa)]],
       "changes")


@topcase()
def newest_subscription_reported_first():
    # One publication's events on one connection: the newest subscription's first.
    t = new_type()
    sub = Subscriber()
    old = sub.subscribe(t, 0, 9, PORTS, handle=b"old")
    new = sub.subscribe(t, 0, 9, SERVICE, handle=b"new")
    eq(sub.sync(), [], "nothing bound")
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    bind(a, t, 2, 2)
    eq(sub.sync(), [P(new, 1, 1, pa), P(old, 1, 1, pa), P(new, 2, 2, pa), P(old, 2, 2, pa)],
       "order")


# ---- timeouts ----

@topcase()
def timeout_ends_the_subscription():
    t = new_type()
    a, b = rdm(), rdm()
    pa, pb = port_of(a), port_of(b)
    bind(a, t, 5, 5)
    sub = Subscriber()
    keep = sub.subscribe(t, 0, 10, PORTS, FOREVER, b"keep")
    eq(sub.sync(), [P(keep, 5, 5, pa)], "initial status")
    start = time.monotonic()
    timed = sub.subscribe(t, 0, 10, PORTS, 300, b"300ms")
    eq(sub.recv_event(), P(timed, 5, 5, pa), "initial status of the timed subscription")
    # The timeout event: the subscription's own range, no socket.
    eq(sub.recv_event(), T(timed, 0, 10), "timeout event")
    took = time.monotonic() - start
    if not 0.25 <= took < STALL:
        raise AssertionError(f"the 300 ms timeout came after {took:.3f} s")
    bind(b, t, 6, 6)
    unbind(a, t, 5, 5)
    eq(sub.sync(), [P(keep, 6, 6, pb), W(keep, 5, 5, pa)], "nothing more for the timed one")


@topcase()
def timeout_zero():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    bind(a, t, 2, 2)
    sub = Subscriber()
    raw = sub.subscribe(t, 0, 100, SERVICE, 0, b"zero")
    eq(sub.events(3), [P(raw, 1, 1, pa), P(raw, 2, 2, pa), T(raw, 0, 100)],
       "initial status, then at once the timeout")
    bind(a, t, 3, 3)
    eq(sub.sync(), [], "nothing after the timeout")


@topcase()
def wait_forever_outlives_a_timeout():
    t = new_type()
    sub = Subscriber()
    forever = sub.subscribe(t, 0, 10, PORTS, FOREVER, b"forever")
    half = sub.subscribe(t, 0, 10, PORTS, 500, b"500ms")
    eq(sub.recv_event(), T(half, 0, 10), "the 500 ms timeout")
    time.sleep(1.0)
    a = rdm()
    bind(a, t, 7, 7)
    eq(sub.sync(), [P(forever, 7, 7, port_of(a))], "TIPC_WAIT_FOREVER still reports")


# ---- cancelling ----

@topcase()
def cancel():
    t = new_type()
    sub = Subscriber()
    first = sub.subscribe(t, 0, 10, PORTS, handle=b"first")
    second = sub.subscribe(t, 5, 20, PORTS, handle=b"second")
    eq(sub.sync(), [], "nothing bound")
    a = rdm()
    pa = port_of(a)
    bind(a, t, 7, 7)
    eq(split(sub.sync(), first, second), [[P(first, 7, 7, pa)], [P(second, 7, 7, pa)]], "both")
    sub.cancel(first)
    eq(sub.sync(), [], "no event for a cancel")
    bind(a, t, 8, 8)
    unbind(a, t, 7, 7)
    eq(sub.sync(), [P(second, 8, 8, pa), W(second, 7, 7, pa)], "the second only")
    sub.cancel(second)
    eq(sub.sync(), [], "no event for a cancel")
    bind(a, t, 9, 9)
    eq(sub.sync(), [], "none left")
    third = sub.subscribe(t, 0, 100, SERVICE, handle=b"third")
    eq(sub.sync(), [P(third, 8, 8, pa), P(third, 9, 9, pa)], "the connection goes on")


@topcase()
def cancel_needs_the_identical_subscription():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    sub = Subscriber()
    raw = sub.subscribe(t, 0, 10, PORTS | NO_STATUS, FOREVER, b"h1")
    eq(sub.sync(), [], "subscribed")
    for what, other in (("usr_handle", pack_sub(t, 0, 10, PORTS | NO_STATUS, FOREVER, b"h2")),
                        ("timeout", pack_sub(t, 0, 10, PORTS | NO_STATUS, FOREVER - 1, b"h1")),
                        ("upper", pack_sub(t, 0, 11, PORTS | NO_STATUS, FOREVER, b"h1")),
                        ("lower", pack_sub(t, 1, 10, PORTS | NO_STATUS, FOREVER, b"h1")),
                        ("type", pack_sub(t + 1, 0, 10, PORTS | NO_STATUS, FOREVER, b"h1")),
                        ("filter", pack_sub(t, 0, 10, PORTS, FOREVER, b"h1")),
                        ("filter", pack_sub(t, 0, 10, SERVICE | NO_STATUS, FOREVER, b"h1"))):
        sub.cancel(other)
        eq(sub.sync(), [], f"cancel with another {what}")
        bind(a, t, 1, 1)
        unbind(a, t, 1, 1)
        eq(sub.sync(), [P(raw, 1, 1, pa), W(raw, 1, 1, pa)], f"cancel with another {what}")
    sub.cancel(raw)
    eq(sub.sync(), [], "cancel")
    bind(a, t, 1, 1)
    eq(sub.sync(), [], "cancelled by the identical bytes")


@topcase()
def cancel_of_unknown_keeps_the_connection():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    sub = Subscriber()
    raw = sub.subscribe(t, 0, 10, PORTS, handle=b"kept")
    timed = sub.subscribe(t, 0, 10, PORTS | NO_STATUS, 0, b"timed")
    # (Not through a sync: its timeout, due in the same jiffy, may come first.)
    eq(sub.events(2), [P(raw, 1, 1, pa), T(timed, 0, 10)], "subscribed")
    sub.cancel(pack_sub(t, 20, 30, PORTS, handle=b"never"))
    # As a cancel, not even an illegal subscription closes the connection.
    sub.cancel(pack_sub(t, 30, 20, PORTS, handle=b"illegal"))
    sub.cancel(pack_sub(t, 0, 10, PORTS | SERVICE, handle=b"illegal"))
    sub.cancel(timed)  # timed out already
    eq(sub.sync(), [], "nothing happened")
    # Another connection's subscription is not this one's to cancel.
    other = Subscriber()
    other.cancel(raw)
    eq(other.sync(), [], "cancel on another connection")
    sub.cancel(raw)
    sub.cancel(raw)  # twice
    eq(sub.sync(), [], "cancels")
    bind(a, t, 2, 2)
    eq(sub.sync(), [], "cancelled once, the second cancel did nothing")
    back = sub.subscribe(t, 0, 10, PORTS, handle=b"back")
    eq(sub.sync(), [P(back, 1, 1, pa), P(back, 2, 2, pa)], "the connection goes on")


@topcase()
def duplicate_subscriptions():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    sub = Subscriber()
    raw = sub.subscribe(t, 0, 10, PORTS, handle=b"twice")
    sub.subscribe(t, 0, 10, PORTS, handle=b"twice")
    eq(sub.sync(), [], "subscribed")
    bind(a, t, 1, 1)
    eq(sub.sync(), [P(raw, 1, 1, pa)] * 2, "each reports")
    sub.cancel(raw)
    eq(sub.sync(), [], "cancel")
    bind(a, t, 2, 2)
    eq(sub.sync(), [P(raw, 2, 2, pa)], "a cancel takes one")
    sub.cancel(raw)
    eq(sub.sync(), [], "cancel")
    bind(a, t, 3, 3)
    eq(sub.sync(), [], "the second cancel the other")


# ---- the other byte order ----

@topcase()
def other_byte_order():
    t = new_type()
    a, b = rdm(), rdm()
    pa, pb = port_of(a), port_of(b)
    bind(a, t, 15, 15)
    sub = Subscriber()
    ports = sub.subscribe(t, 10, 20, PORTS, handle=b"ports", order=OTHER)
    service = sub.subscribe(t, 10, 20, SERVICE, handle=b"service", order=OTHER)
    # With no filter bit in the host's order, the server takes the other order: a filter of
    # 0 is SERVICE, and 0x80 is TIPC_SUB_NO_STATUS.
    zero = sub.subscribe(t, 10, 20, 0, handle=b"zero", order=OTHER)
    quiet = sub.subscribe(t, 10, 20, NO_STATUS, handle=b"quiet", order=OTHER)
    # Legal only as read in the other order (in the host's, lower would be above upper).
    wide = sub.subscribe(t, 1, 0x100, PORTS, handle=b"wide", order=OTHER)
    subs = (ports, service, zero, quiet, wide)
    eq(split(sub.sync(), *subs),
       [[P(ports, 15, 15, pa)], [P(service, 15, 15, pa)], [P(zero, 15, 15, pa)], [],
        [P(wide, 15, 15, pa)]], "initial status, every field in the subscriber's order")
    bind(b, t, 15, 15)
    unbind(a, t, 15, 15)
    bind(b, t, 200, 200)  # in wide only
    b.close()
    eq(split(sub.sync(), *subs),
       [[P(ports, 15, 15, pb), W(ports, 15, 15, pa), W(ports, 15, 15, pb)],
        [W(service, 15, 15, pb)], [W(zero, 15, 15, pb)], [W(quiet, 15, 15, pb)],
        [P(wide, 15, 15, pb), W(wide, 15, 15, pa), P(wide, 200, 200, pb),
         W(wide, 200, 200, pb), W(wide, 15, 15, pb)]], "changes")
    # Illegal as read in the other order: lower above upper.
    sub.subscribe(t, 0x100, 1, PORTS, handle=b"illegal", order=OTHER)
    closed_by_server(sub, "lower above upper in the other order")


@topcase()
def other_byte_order_timeout_and_cancel():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    sub = Subscriber()
    timed = sub.subscribe(t, 0x10, 0x20, PORTS, 200, b"timed", order=OTHER)
    # The C module writes a timeout event's found_lower and found_upper from the subscription
    # as sent, swapped once more: in the host's order, so read in the subscriber's they are
    # byte-swapped. The event type and port are in the subscriber's order.
    swap = lambda v: struct.unpack(OTHER + "I", struct.pack(HOST + "I", v))[0]  # noqa: E731
    eq(sub.recv_event(), T(timed, swap(0x10), swap(0x20)), "timeout event")
    cancelled = sub.subscribe(t, 0, 100, PORTS, handle=b"cancel", order=OTHER)
    host_cancel = sub.subscribe(t, 0, 100, SERVICE, handle=b"hcancel", order=OTHER)
    eq(sub.sync(), [], "subscribed")
    sub.cancel(cancelled)
    # TIPC_SUB_CANCEL set in the host's order in a subscription of the other order: the
    # server reads a filter with a host-order bit, clears it, and finds the same bytes.
    sub.cancel(host_cancel, order=HOST)
    eq(sub.sync(), [], "cancels")
    bind(a, t, 50, 50)
    eq(sub.sync(), [], "both cancelled")
    kept = sub.subscribe(t, 0, 100, PORTS, handle=b"kept", order=OTHER)
    eq(sub.sync(), [P(kept, 50, 50, pa)], "the connection goes on")


# ---- what closes a connection ----

@topcase()
def illegal_subscription_closes_the_connection():
    t = new_type()
    a = rdm()
    bind(a, t, 1, 1)
    for what, bad in (("PORTS and SERVICE", pack_sub(t, 0, 10, PORTS | SERVICE)),
                      ("PORTS, SERVICE and NO_STATUS",
                       pack_sub(t, 0, 10, PORTS | SERVICE | NO_STATUS)),
                      ("PORTS, lower above upper", pack_sub(t, 3, 2, PORTS)),
                      ("SERVICE, lower above upper", pack_sub(t, FOREVER, 0, SERVICE))):
        sub = Subscriber()
        good = sub.subscribe(t, 0, 10, PORTS, handle=b"good")
        eq(sub.sync(), [P(good, 1, 1, port_of(a))], f"{what}: before")
        sub.send(bad)
        # What follows the illegal one is never read.
        try:
            sub.subscribe(t, 0, 10, SERVICE, handle=b"after")
        except OSError as e:
            eq(e.errno, errno.EPIPE, f"{what}: a send after the close")
        closed_by_server(sub, what)
        sub.close()


@topcase()
def short_message_closes_the_connection():
    t = new_type()
    raw = pack_sub(t, 0, 10, PORTS)
    for n in (1, 4, 20, 27):
        sub = Subscriber()
        still_open(sub, "before")
        sub.send(raw[:n])
        closed_by_server(sub, f"{n}-byte message")
        sub.close()
    # An empty message never reaches the server (a TIPC receiver skips it): nothing happens.
    sub = Subscriber()
    eq(sub.s.send(b""), 0, "empty send")
    a = rdm()
    bind(a, t, 1, 1)
    got = sub.subscribe(t, 0, 10, PORTS, handle=b"after")
    eq(sub.sync(), [P(got, 1, 1, port_of(a))], "after an empty message")


@topcase()
def longer_message_counts_its_first_28_bytes():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    bind(a, t, 50, 50)
    sub = Subscriber()
    first = pack_sub(t, 0, 10, PORTS, handle=b"first")
    second = pack_sub(t, 40, 60, PORTS, handle=b"second")
    sub.send(first + second)  # one message: the second subscription is not read
    sub.send(pack_sub(t, 45, 55, SERVICE, handle=b"third") + b"\xff" * 972)
    third = pack_sub(t, 45, 55, SERVICE, handle=b"third")
    eq(split(sub.sync(), first, third), [[P(first, 1, 1, pa)], [P(third, 50, 50, pa)]],
       "the first 28 bytes of each message")
    bind(a, t, 2, 2)
    bind(a, t, 41, 41)
    eq(sub.sync(), [P(first, 2, 2, pa)], "nothing from the rest")


# ---- STREAM clients ----

@topcase()
def stream_client():
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    sub = Subscriber(STREAM)
    ports = sub.subscribe(t, 0, 10, PORTS, handle=b"ports")
    service = sub.subscribe(t, 0, 10, SERVICE, handle=b"service")
    # No message boundaries: an event read in two pieces.
    head = sub.s.recv(10)
    data = head + recv_exact(sub.s, EVT_SIZE - len(head))
    eq(data[20:], ports, "first event's subscription")
    eq(struct.unpack(HOST + "5I", data[:20]), (PUBLISHED, 1, 1, pa, own_node()), "first event")
    eq(sub.sync(), [P(service, 1, 1, pa)], "second event")
    bind(a, t, 2, 2)
    bind(a, t, 2, 2)
    a.close()
    eq(split(sub.sync(), ports, service),
       [[P(ports, 2, 2, pa), P(ports, 2, 2, pa), W(ports, 2, 2, pa), W(ports, 2, 2, pa),
         W(ports, 1, 1, pa)],
        [P(service, 2, 2, pa), W(service, 2, 2, pa), W(service, 1, 1, pa)]], "changes")


@topcase()
def stream_client_messages_are_its_sends():
    # The server reads messages, whatever the client's socket type: a STREAM send is one
    # message. Two subscriptions in one send are one message, of which the first counts...
    t = new_type()
    a = rdm()
    pa = port_of(a)
    bind(a, t, 1, 1)
    bind(a, t, 50, 50)
    sub = Subscriber(STREAM)
    first = pack_sub(t, 0, 10, PORTS, handle=b"first")
    sub.send(first + pack_sub(t, 40, 60, PORTS, handle=b"second"))
    eq(sub.sync(), [P(first, 1, 1, pa)], "two subscriptions in one send")
    # ... and a subscription in two sends is two short messages.
    sub = Subscriber(STREAM)
    raw = pack_sub(t, 0, 10, PORTS, handle=b"split")
    sub.send(raw[:14])
    try:
        sub.send(raw[14:])
    except OSError as e:
        eq(e.errno, errno.EPIPE, "the second half, after the close")
    closed_by_server(sub, "a subscription in two sends")


# ---- several subscribers, several processes ----

def watcher_proc(ch, t, ty, order):
    sub = Subscriber(ty)
    ports = sub.subscribe(t, 0, FOREVER, PORTS, handle=b"ports", order=order)
    service = sub.subscribe(t, 0, FOREVER, SERVICE, handle=b"service", order=order)
    eq(sub.sync(), [], "nothing bound yet")
    ch.put("ready")
    n = ch.get()
    got = {ports: [], service: []}
    while len(got[ports]) < n:
        e = sub.recv_event()
        if e.sub not in got:
            raise AssertionError(f"event of an unexpected subscription: {e}")
        got[e.sub].append(e)
    for e in sub.sync():
        if e.sub != service:
            raise AssertionError(f"more PORTS events than publications and withdrawals: {e}")
        got[service].append(e)
    ch.put({"ports": [list(e[:5]) for e in got[ports]],
            "service": [list(e[:5]) for e in got[service]]})


def binder_proc(ch, t, seed):
    """Binds and unbinds at random on two sockets, then closes them; reports the PORTS events
    that makes, in order."""
    rng = random.Random(seed)
    socks = [socket.socket(AF_TIPC, RDM) for _ in range(2)]
    ports = [port_of(s) for s in socks]
    live = [[], []]  # (lower, upper, scope), oldest first
    want = []
    ch.get()  # go
    for _ in range(60):
        i = rng.randrange(2)
        if rng.random() < 0.6 or not live[i]:
            lower = rng.randrange(16)
            upper = lower + lower % 3
            if any((lo, up) == (lower, upper) for lo, up, _ in live[i]):
                continue
            scope = rng.choice((NODE, CLUSTER))
            bind(socks[i], t, lower, upper, scope)
            live[i].append((lower, upper, scope))
            want.append([PUBLISHED, lower, upper, ports[i]])
        else:
            lower, upper, scope = live[i].pop(rng.randrange(len(live[i])))
            unbind(socks[i], t, lower, upper, scope)
            want.append([WITHDRAWN, lower, upper, ports[i]])
    for i in (1, 0):
        socks[i].close()
        want += [[WITHDRAWN, lo, up, ports[i]] for lo, up, _ in reversed(live[i])]
    ch.put({"ports": ports, "want": want})


def service_model(ports_events):
    """The SERVICE events that a sequence of PORTS events makes: first publication and last
    withdrawal of each exact range."""
    live = collections.defaultdict(list)
    out = []
    for kind, lower, upper, port, node in ports_events:
        refs = live[(lower, upper)]
        if kind == PUBLISHED:
            if not refs:
                out.append([kind, lower, upper, port, node])
            refs.append(port)
        else:
            refs.remove(port)
            if not refs:
                out.append([kind, lower, upper, port, node])
    return out


@topcase(120)
def several_subscriber_processes():
    t = new_type()
    kinds = (("SEQPACKET", SEQPACKET, HOST), ("SEQPACKET other order", SEQPACKET, OTHER),
             ("STREAM", STREAM, HOST), ("second SEQPACKET", SEQPACKET, HOST))
    watchers = [Proc(watcher_proc, t, ty, order) for _, ty, order in kinds]
    for w in watchers:
        eq(w.get(), "ready", "watcher")
    binders = [Proc(binder_proc, t, seed) for seed in (1, 2)]
    for b in binders:
        b.put("go")
    plans = [b.get() for b in binders]
    for b in binders:
        b.wait()
    n = sum(len(p["want"]) for p in plans)
    for w in watchers:
        w.put(n)
    seen = [w.get() for w in watchers]
    for w in watchers:
        w.wait()
    order = seen[0]["ports"]
    for (name, _, _), got in zip(kinds, seen):
        # One order of events for everyone.
        eq(got["ports"], order, f"{name}: PORTS events")
        eq(got["service"], service_model(order), f"{name}: SERVICE events")
    for i, p in enumerate(plans):
        eq([e[:4] for e in order if e[3] in p["ports"]], p["want"], f"binder {i}'s events")
    eq({e[4] for e in order}, {own_node()}, "node")


# ---- flow control, closing with events in flight ----

@topcase(120)
def flow_control_3000_unread_bindings():
    t = new_type()
    n = 3000
    sub = Subscriber()
    raw = sub.subscribe(t, 0, 5000, PORTS, handle=b"flow")
    eq(sub.sync(), [], "subscribed")
    a = rdm()
    pa = port_of(a)
    for i in range(n):
        bind(a, t, i, i, NODE if i % 2 else CLUSTER)
    a.close()
    # 6000 events queued at the server while the subscriber read nothing: every one comes,
    # in order (the closed socket's withdrawals newest first).
    for i in range(n):
        e = sub.recv_event()
        if e != P(raw, i, i, pa):
            eq(e, P(raw, i, i, pa), f"event {i}")
    for i in reversed(range(n)):
        e = sub.recv_event()
        if e != W(raw, i, i, pa):
            eq(e, W(raw, i, i, pa), f"event {2 * n - 1 - i}")
    eq(sub.sync(), [], "nothing more")


def holder_proc(ch, t):
    sub = Subscriber()
    sub.subscribe(t, 0, FOREVER, PORTS, handle=b"held")
    sub.subscribe(t, 0, FOREVER, SERVICE, FOREVER - 1, b"held")
    eq(sub.sync(), [], "subscribed")
    ch.put("ready")
    ch.get()  # never comes: killed


def bulk_binder_proc(ch, t, n):
    s = socket.socket(AF_TIPC, RDM)
    for i in range(n):
        bind(s, t, i, i)
        if i == n // 2:
            ch.put(port_of(s))
    ch.put("bound")
    ch.get()
    s.close()
    ch.put("closed")


@topcase(180)
def subscribers_close_with_events_in_flight():
    t = new_type()
    n = 2000
    closing = []
    for i in range(2):
        sub = Subscriber()
        sub.subscribe(t, 0, FOREVER, PORTS, handle=b"ports")
        sub.subscribe(t, 0, FOREVER, SERVICE, handle=b"service")
        sub.subscribe(t, 0, FOREVER, PORTS, 3000, b"timed")
        eq(sub.sync(), [], f"subscriber {i}")
        closing.append(sub)
    reader = Subscriber()
    few = reader.subscribe(t, 0, 99, PORTS, handle=b"few")
    eq(reader.sync(), [], "reader")
    holder = Proc(holder_proc, t)
    eq(holder.get(), "ready", "holder")
    binder = Proc(bulk_binder_proc, t, n)
    port = binder.get()
    # Halfway through the bindings, with thousands of events queued for them.
    closing[0].close()
    closing[1].s.shutdown(socket.SHUT_RDWR)
    closing[1].close()
    eq(binder.get(), "bound", "binder")
    holder.kill()  # its connection closes with the process
    binder.put("close")
    eq(binder.get(), "closed", "binder")
    binder.wait()
    want = [P(few, i, i, port) for i in range(100)] + \
        [W(few, i, i, port) for i in range(99, -1, -1)]
    eq(reader.events(200), want, "the reader's events")
    eq(reader.sync(), [], "nothing more")
    fresh = Subscriber()
    raw = fresh.subscribe(t, 0, FOREVER, PORTS, handle=b"fresh")
    eq(fresh.sync(), [], "nothing left bound")
    b = rdm()
    bind(b, t, 5, 5)
    eq(fresh.sync(), [P(raw, 5, 5, port_of(b))], "the server goes on")


# ---- the subscription limit ----

def limit_proc(ch):
    # In a network namespace of its own: its topology server has no other subscription.
    t, u = 8101, 8102
    holder = socket.socket(AF_TIPC, RDM)
    bind(holder, u, 0, 0)
    hp = port_of(holder)
    start = time.monotonic()
    a = Subscriber()
    send_many(a.s, pack_sub(t, 0, 0, PORTS | NO_STATUS, FOREVER, b"filler"), MAX_SUBSCR - 1)
    probe = a.subscribe(u, 0, 0, PORTS, handle=b"probe")
    # The last one's event: it and every one before it were taken.
    eq(a.recv_event(), P(probe, 0, 0, hp), "the 65535th subscription")
    took = time.monotonic() - start
    b = Subscriber()
    b.subscribe(u, 0, 0, PORTS, handle=b"b")
    closed_by_server(b, "the 65536th subscription")
    # A cancel frees a slot (a sync takes one until its timeout event is sent).
    a.cancel(probe)
    still_open(a, "the connection after a cancel")
    c = Subscriber()
    cp = c.subscribe(u, 0, 0, PORTS, handle=b"c")
    eq(c.recv_event(), P(cp, 0, 0, hp), "the slot a cancel freed")
    d = Subscriber()
    d.subscribe(u, 0, 0, PORTS, handle=b"d")
    closed_by_server(d, "the 65536th subscription again")
    a.close()
    # Closing frees its subscriptions (when the server has seen the close).
    end = time.monotonic() + 60
    while True:
        try:
            e = Subscriber()
        except TimeoutError:
            # The C module's server accepts nothing while it frees the closed connection's
            # 65535 subscriptions, which can outlast a connect's timeout.
            if time.monotonic() > end:
                raise AssertionError("no connection to the server 60 s after the close") from None
            continue
        e1 = e.subscribe(u, 0, 0, PORTS, handle=b"e1")
        e2 = e.subscribe(u, 0, 0, SERVICE, handle=b"e2")
        if readable(e.s, STALL) and poll_mask(e.s) & POLLHUP:
            if time.monotonic() > end:
                raise AssertionError("the closed connection's subscriptions still count")
            e.close()
            time.sleep(0.5)
            continue
        eq(e.sync(), [P(e1, 0, 0, hp), P(e2, 0, 0, hp)], "after the close")
        break
    ch.put(took)


@topcase(240)
def subscription_limit_65535():
    needs_root()
    child = Proc(limit_proc, netns=True)
    took = child.get(wait=220)
    child.wait()
    print(f"# {MAX_SUBSCR} subscriptions made in {took:.1f} s")


# ---- churn ----

CHURN_SECONDS = 8
CHURN_INSTANCES = 48


def churn_upper(lower):
    return lower + lower % 4


class SubState:
    def __init__(self, filt, lower, upper, timeout):
        self.ports = bool(filt & PORTS)
        self.lower, self.upper, self.timeout = lower, upper, timeout
        self.live = set()
        self.status = "active"  # cancelling, cancelled, timed out


def churn_event(st, e, own):
    """Checks one event against its subscription's state: per publication (PORTS) or per
    exact range (SERVICE), PUBLISHED and WITHDRAWN alternate, starting with PUBLISHED."""
    if st.status in ("cancelled", "timed out"):
        raise AssertionError(f"event after the subscription was {st.status}: {e}")
    if e.event == TIMEOUT:
        if st.timeout == FOREVER:
            raise AssertionError(f"timeout of a TIPC_WAIT_FOREVER subscription: {e}")
        eq(e[1:5], (st.lower, st.upper, 0, 0), "timeout event")
        st.status = "timed out"
        return
    if e.node != own or e.upper != churn_upper(e.lower) or e.lower > st.upper or \
            e.upper < st.lower:
        raise AssertionError(f"event of no binding made, or outside [{st.lower}, {st.upper}]: {e}")
    key = (e.lower, e.upper, e.ref) if st.ports else (e.lower, e.upper)
    if e.event == PUBLISHED:
        if key in st.live:
            raise AssertionError(f"published twice: {e}")
        st.live.add(key)
    elif e.event == WITHDRAWN:
        if key not in st.live:
            raise AssertionError(f"withdrawn while not published: {e}")
        st.live.remove(key)
    else:
        raise AssertionError(f"unknown event: {e}")


def churn_binder(ch, t, seed):
    rng = random.Random(seed)
    socks = [socket.socket(AF_TIPC, RDM) for _ in range(3)]
    ports = [port_of(s) for s in socks]
    live = [{} for _ in socks]  # (lower, upper) -> scope
    binds = collections.Counter()
    ch.get()  # go
    end = time.monotonic() + CHURN_SECONDS
    ops = 0
    while time.monotonic() < end and ops < 5000:
        ops += 1
        i = rng.randrange(len(socks))
        r = rng.random()
        if r < 0.55:
            lower = rng.randrange(CHURN_INSTANCES)
            key = (lower, churn_upper(lower))
            if key in live[i]:
                continue
            scope = rng.choice((NODE, CLUSTER))
            bind(socks[i], t, *key, scope)
            live[i][key] = scope
            binds[(*key, ports[i])] += 1
        elif r < 0.95:
            if live[i]:
                key = rng.choice(list(live[i]))
                unbind(socks[i], t, *key, live[i].pop(key))
        else:
            socks[i].close()
            socks[i] = socket.socket(AF_TIPC, RDM)
            ports[i] = port_of(socks[i])
            live[i] = {}
        if ops % 16 == 0:
            time.sleep(0.005)
    for s in socks:
        s.close()
    ch.put({"ops": ops, "binds": [[*k, n] for k, n in binds.items()]})


def churn_subscriber(ch, t, seed):
    rng = random.Random(seed)
    own = own_node()
    stats = collections.Counter()
    conn, subs, syncs = None, {}, {}

    def new_sub():
        lower = rng.randrange(CHURN_INSTANCES + 8)
        upper = rng.choice((lower, lower + rng.randrange(16), FOREVER))
        filt = rng.choice((PORTS, PORTS, SERVICE, SERVICE, PORTS | CLUSTER_ONLY,
                           PORTS | NODE_ONLY))
        timeout = FOREVER if rng.random() < 0.8 else rng.randrange(50, 1500)
        stats["subscriptions"] += 1
        handle = struct.pack("=II", seed, stats["subscriptions"])
        raw = conn.subscribe(t, lower, upper, filt, timeout, handle)
        subs[raw] = SubState(filt, lower, upper, timeout)

    def handle(e):
        if e.sub in syncs:
            eq(e, T(e.sub, 0, 0), "sync event")
            st = subs[syncs.pop(e.sub)]
            if st.status == "cancelling":
                st.status = "cancelled"
            return
        if e.sub not in subs:
            raise AssertionError(f"event of an unknown subscription: {e}")
        churn_event(subs[e.sub], e, own)
        stats["events"] += 1

    end = time.monotonic() + CHURN_SECONDS
    while time.monotonic() < end:
        if conn is None:
            conn, subs, syncs = Subscriber(), {}, {}
            stats["connections"] += 1
            for _ in range(rng.randint(1, 3)):
                new_sub()
        wait = 0.01
        while readable(conn.s, wait):
            handle(conn.recv_event())
            wait = 0
        r = rng.random()
        if r < 0.05:
            active = [raw for raw, st in subs.items() if st.status == "active"]
            if active:
                raw = rng.choice(active)
                conn.cancel(raw)
                subs[raw].status = "cancelling"
                syncs[conn.send_sync()] = raw
                stats["cancels"] += 1
        elif r < 0.1 and len(subs) < 8:
            new_sub()
        elif r < 0.11:
            conn.close()  # with whatever events are on their way
            conn = None
        elif r < 0.13:
            for e in conn.sync():
                handle(e)
    if conn is None:
        conn, subs, syncs = Subscriber(), {}, {}
        new_sub()
    ch.get(wait=CHURN_SECONDS + 120)  # every binder closed its sockets
    for e in conn.sync():
        handle(e)
    for raw, st in subs.items():
        if st.status == "cancelling":
            raise AssertionError(f"cancel of {raw[20:]!r} not seen through")
        if st.status == "active" and st.live:
            raise AssertionError(f"subscription {raw[20:]!r}: still published after every "
                                 f"socket closed: {sorted(st.live)[:10]}")
    ch.put(dict(stats))


def churn_auditor(ch, t):
    """Subscribed to everything before the binders start: counts each publication's events."""
    own = own_node()
    conn = Subscriber()
    raw = conn.subscribe(t, 0, FOREVER, PORTS, handle=b"auditor")
    eq(conn.sync(), [], "nothing bound yet")
    st = SubState(PORTS, 0, FOREVER, FOREVER)
    pubs = collections.Counter()

    def handle(e):
        if e.sub != raw:
            raise AssertionError(f"event of an unknown subscription: {e}")
        churn_event(st, e, own)
        if e.event == PUBLISHED:
            pubs[(e.lower, e.upper, e.ref)] += 1

    ch.put("ready")
    end = time.monotonic() + CHURN_SECONDS + 120
    while not ch.has_word(0):
        if time.monotonic() > end:
            raise AssertionError("no word from the parent")
        if readable(conn.s, 0.05):
            handle(conn.recv_event())
    ch.get()  # every binder closed its sockets
    for e in conn.sync():
        handle(e)
    if st.live:
        raise AssertionError(f"still published after every socket closed: {sorted(st.live)[:10]}")
    ch.put({"binds": [[*k, n] for k, n in pubs.items()]})


@topcase(180)
def churn():
    t = new_type()
    auditor = Proc(churn_auditor, t)
    eq(auditor.get(), "ready", "auditor")
    binders = [Proc(churn_binder, t, seed) for seed in (11, 12, 13)]
    subscribers = [Proc(churn_subscriber, t, seed) for seed in (21, 22, 23)]
    for b in binders:
        b.put("go")
    done = [b.get(wait=CHURN_SECONDS + 60) for b in binders]
    for b in binders:
        b.wait()
    for p in subscribers + [auditor]:
        p.put("done")
    stats = [p.get(wait=120) for p in subscribers]
    audit = auditor.get(wait=120)
    for p in subscribers + [auditor]:
        p.wait()
    want = collections.Counter()
    for d in done:
        for lower, upper, port, n in d["binds"]:
            want[(lower, upper, port)] += n
    got = collections.Counter({(lo, up, port): n for lo, up, port, n in audit["binds"]})
    if got != want:
        diff = sorted(k for k in set(got) | set(want) if got[k] != want[k])
        raise AssertionError(f"{len(diff)} bindings reported other than made, e.g. " +
                             ", ".join(f"{k}: {got[k]} events for {want[k]} binds"
                                       for k in diff[:5]))
    ops = sum(d["ops"] for d in done)
    events = sum(s.get("events", 0) for s in stats)
    print(f"# churn: {ops} binder operations, {sum(want.values())} bindings; subscribers: "
          f"{sum(s.get('connections', 0) for s in stats)} connections, "
          f"{sum(s.get('subscriptions', 0) for s in stats)} subscriptions, "
          f"{sum(s.get('cancels', 0) for s in stats)} cancels, {events} events checked")
    if not events or not ops:
        raise AssertionError("the churn did nothing")
    fresh = Subscriber()
    fresh.subscribe(t, 0, FOREVER, PORTS, handle=b"fresh")
    eq(fresh.sync(), [], "nothing left bound")


if __name__ == "__main__":
    run()
