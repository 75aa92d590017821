#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A differential fuzzer of AF_TIPC socket calls.

Each seed drives one seeded random sequence of socket calls on a handful of sockets: socket(2)
(the four types, bad types and protocols), socketpair(2), bind(2) (service ranges, service
addresses, scopes, socket ids, unbinding, NULL, short, long and garbage raw addresses),
connect(2), listen(2), accept4(2), send(2)/sendto(2)/sendmsg(2) and recv(2)/recvfrom(2)/
recvmsg(2) (flags, sizes around 0, 1, 66000, 66001, several iovecs, ancillary data),
setsockopt(2)/getsockopt(2) (every SOL_TIPC option, other levels, any length and value),
shutdown(2), ioctl(2) (SIOCGETLINKNAME, SIOCGETNODEID, FIONREAD, bogus), getsockname(2),
getpeername(2), poll(2) and close(2). Nothing can hang: most calls are non-blocking and every
socket has SO_RCVTIMEO and SO_SNDTIMEO of 10 ms (connect(2) blocks only while the socket's
TIPC_CONN_TIMEOUT is known to be small; close(2) and shutdown(2) run under a no-op SIGALRM
that cuts their wait for a congested connection's window short). Communication groups use
service types of their own, and the fuzzer lets C's topology server catch up (SETTLE) after
each change of membership, as C tells members of each other from a work queue.

Each call is written to the seed's trace as one line, `call args -> result` (a return value or
an errno name, with what came back), normalised: a port is named after the socket that owns it
(`s3`) or by its first appearance (`p?0`), the node's own address is `own`, file descriptors
are named like sockets, the bytes used by the receive queue (TIPC_SOCK_RECVQ_USED, which
counts sk_buff truesize) are only zero or not, and data is a length and a CRC.

The traces go to $TIPC_SELFTEST_OUT/sockfuzz/ (/tmp/tipc-selftests by default), one file a
seed and module (`c.seed7.trace`, `ours.seed7.trace`; tipc-rs is told by the kernel's O
taint). run_differential.sh runs the C module first; against ours, each seed's trace is
compared with C's, and the case fails on the first line where they differ, unless ALLOWED
gives the reason (a C bug that ours does not copy). Only the first divergence of a seed is
reported: after it, the two runs' states may differ anyway.

Then `storm`: several processes make random calls on shared services at the same time for
FUZZ_STORM_SECONDS (10); it asserts only that they all end (run_differential.sh checks dmesg
for splats and kmemleak after each module).

Environment: FUZZ_SEEDS (40), FUZZ_CALLS (150 calls a seed), FUZZ_SEED_BASE (0: the seeds are
FUZZ_SEED_BASE .. FUZZ_SEED_BASE + FUZZ_SEEDS - 1), FUZZ_STORM_SECONDS (10),
FUZZ_STORM_PROCS (4). Documentation/testing.md shows a long run.
"""

import ctypes
import errno
import os
import random
import re
import select
import signal
import struct
import sys
import time
import zlib

from tipc_ktap import Skip, case, run

AF_TIPC = 30
SOL_SOCKET, SOL_TIPC, IPPROTO_TCP = 1, 271, 6
SOCK_STREAM, SOCK_DGRAM, SOCK_RDM, SOCK_SEQPACKET = 1, 2, 4, 5
SOCK_NONBLOCK, SOCK_CLOEXEC = 0o4000, 0o2000000
SO_RCVTIMEO, SO_SNDTIMEO = 20, 21
TIPC_IMPORTANCE = 127
TIPC_CONN_TIMEOUT = 130
TIPC_SOCK_RECVQ_USED = 137
TIPC_GROUP_JOIN = 135
SOL_TIPC_OPTS = list(range(127, 139))
TIPC_ERRINFO, TIPC_RETDATA, TIPC_DESTNAME = 1, 2, 3
SERVICE_RANGE, SERVICE_ADDR, SOCKET_ADDR = 1, 2, 3

MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT = 0x1, 0x2, 0x20, 0x40
MSG_EOR, MSG_WAITALL, MSG_CONFIRM, MSG_ERRQUEUE = 0x80, 0x100, 0x800, 0x2000
MSG_NOSIGNAL, MSG_MORE, MSG_CMSG_CLOEXEC = 0x4000, 0x8000, 0x40000000
SEND_FLAGS = [MSG_DONTWAIT, MSG_OOB, MSG_EOR, MSG_MORE, MSG_CONFIRM]
RECV_FLAGS = [MSG_DONTWAIT, MSG_PEEK, MSG_OOB, MSG_TRUNC, MSG_WAITALL, MSG_ERRQUEUE,
              MSG_CMSG_CLOEXEC]

SIOCGETLINKNAME, SIOCGETNODEID = 0x89E0, 0x89E1
FIONREAD, SIOCOUTQ = 0x541B, 0x5411
IOCTLS = [SIOCGETLINKNAME, SIOCGETNODEID, FIONREAD, SIOCOUTQ, 0x89E2, 0x89EF, 0x8912, 0x1234]

O_NONBLOCK = 0o4000
F_GETFL, F_SETFL = 3, 4
POLL_EVENTS = (select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDNORM
               | select.POLLRDBAND | select.POLLWRNORM | select.POLLWRBAND | 0x2000)  # RDHUP

TYPES = [SOCK_RDM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM]
# Service types: reserved ones (below 64) and a few of the user's; never the topology server
# (1) or link state (2), whose answers come from a work queue, in their own time.
SVC_TYPES = [1000, 1000, 1001, 1001, 64, 0, 63, 0xFFFFFFFF]
# Group types: none of them bound otherwise. C tells a group of its members through the
# topology server, in its own time; so after a join, a leave or a member's close the fuzzer
# waits SETTLE seconds, and no other binding of a group's type makes events.
GROUP_TYPES = [2000, 2000, 2001, 63]
TIPC_GROUP_LEAVE = 136
SETTLE = 0.1
INSTANCES = [0, 1, 2, 7, 0xFFFFFFFF]
SCOPES = [2, 2, 3, 3, 0, 1, 4, -2, -3, 127]
SIZES = [0, 1, 2, 100, 1000, 66000, 66001, 70000]
MAX_SOCKS = 10
TIMEO_US = 10000

SEEDS = int(os.environ.get("FUZZ_SEEDS", "40"))
CALLS = int(os.environ.get("FUZZ_CALLS", "150"))
SEED_BASE = int(os.environ.get("FUZZ_SEED_BASE", "0"))
STORM_SECONDS = float(os.environ.get("FUZZ_STORM_SECONDS", "10"))
STORM_PROCS = int(os.environ.get("FUZZ_STORM_PROCS", "4"))
OUT = os.path.join(os.environ.get("TIPC_SELFTEST_OUT", "/tmp/tipc-selftests"), "sockfuzz")



def pair_sent_elsewhere(call, history):
    """Whether the socket of `call` is one of a connectionless socketpair(2) that has sent
    to an address of its own choosing since."""
    name = re.match(r"\w+\((s\d+)", call).group(1)
    paired = False
    for line in history:
        if re.match(rf"socketpair\((2|4)\) -> ok (\w+,)?{name}\b", line):
            paired = True
        elif paired and re.match(rf"send(to|msg)\({name},.*,(name|range|id)\(", line):
            return True
    return False


def failed_join_then_peer_closed(call, history):
    """Whether the socket of `call` is one of a connection socketpair(2) whose
    TIPC_GROUP_JOIN failed while it was connected, and whose peer was closed since."""
    name = re.match(r"\w+\((s\d+)", call).group(1)
    peer = joined = None
    for line in history:
        m = re.match(rf"socketpair\((1|5)\) -> ok (s\d+),(s\d+)$", line)
        if m and name in (m.group(2), m.group(3)):
            peer = m.group(3) if name == m.group(2) else m.group(2)
            joined = False
        elif peer and re.match(rf"setsockopt\({name},{SOL_TIPC},{TIPC_GROUP_JOIN},.* -> EINVAL$",
                               line):
            joined = True
        elif joined and line.startswith(f"close({peer}) -> "):
            return True
    return False


# Divergences that are C's bugs, not ours: (call, C's result, ours), each a regular expression
# matched against the whole text; a check of the C trace before it (or None); the reason.
ALLOWED = [
    (r"getpeername\(s\d+,\d+\)", r"len16 .*id\(.*\)", r"len16 .*id\(.*\)", pair_sent_elsewhere,
     "C's getpeername(2) of an RDM or DGRAM socket of a socketpair(2) names the last socket "
     "it sent to by address (tipc_getname reads the peer from the socket's header template, "
     "which __tipc_sendmsg overwrites with each destination), though its peer, where send(2) "
     "still goes, is the other socket of the pair; ours names that one"),
    (r"\w+\(s\d+\b.*", r".*", r".*", failed_join_then_peer_closed,
     "C's TIPC_GROUP_JOIN on a connected socket fails (EINVAL, from tipc_sk_publish) after "
     "it has set dest_droppable in the socket's header template, which it leaves set: the "
     "messages the socket sends from then on are not returned, so when its peer closes with "
     "one of them unread, __tipc_shutdown returns that message in place of a FIN, "
     "tipc_msg_reverse refuses it, and the socket is never told (it stays connected, and "
     "bind(2) is EINVAL); ours leaves a socket as it was when a join fails, and the socket "
     "learns that its peer is gone"),
]


def module_name():
    """`ours` when tipc-rs is loaded (the kernel's O taint on the tipc module), else `c`."""
    try:
        with open("/sys/module/tipc/taint", encoding="ascii") as f:
            return "ours" if "O" in f.read() else "c"
    except OSError:
        return "c"


# ---- raw calls -------------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_c_int, _vp, _sz = ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t
for _name, _res, _args in [
    ("socket", _c_int, [_c_int, _c_int, _c_int]),
    ("socketpair", _c_int, [_c_int, _c_int, _c_int, _vp]),
    ("bind", _c_int, [_c_int, _vp, ctypes.c_uint32]),
    ("connect", _c_int, [_c_int, _vp, ctypes.c_uint32]),
    ("listen", _c_int, [_c_int, _c_int]),
    ("accept4", _c_int, [_c_int, _vp, _vp, _c_int]),
    ("sendto", ctypes.c_ssize_t, [_c_int, _vp, _sz, _c_int, _vp, ctypes.c_uint32]),
    ("sendmsg", ctypes.c_ssize_t, [_c_int, _vp, _c_int]),
    ("recvfrom", ctypes.c_ssize_t, [_c_int, _vp, _sz, _c_int, _vp, _vp]),
    ("recvmsg", ctypes.c_ssize_t, [_c_int, _vp, _c_int]),
    ("setsockopt", _c_int, [_c_int, _c_int, _c_int, _vp, ctypes.c_uint32]),
    ("getsockopt", _c_int, [_c_int, _c_int, _c_int, _vp, _vp]),
    ("shutdown", _c_int, [_c_int, _c_int]),
    ("ioctl", _c_int, [_c_int, ctypes.c_ulong, _vp]),
    ("getsockname", _c_int, [_c_int, _vp, _vp]),
    ("getpeername", _c_int, [_c_int, _vp, _vp]),
    ("close", _c_int, [_c_int]),
    ("fcntl", _c_int, [_c_int, _c_int, _c_int]),
]:
    getattr(_libc, _name).restype = _res
    getattr(_libc, _name).argtypes = _args


class Failed(Exception):
    """A call's failure: errno's name."""

    def __init__(self, err):
        super().__init__(err)
        self.name = errno.errorcode.get(err, f"E{err}")


def _ck(rc):
    if rc < 0:
        raise Failed(ctypes.get_errno())
    return rc


class Iovec(ctypes.Structure):
    _fields_ = [("iov_base", _vp), ("iov_len", _sz)]


class Msghdr(ctypes.Structure):
    _fields_ = [("msg_name", _vp), ("msg_namelen", ctypes.c_uint32),
                ("msg_iov", _vp), ("msg_iovlen", _sz),
                ("msg_control", _vp), ("msg_controllen", _sz), ("msg_flags", _c_int)]


class interruptible:
    """Around close(2) and shutdown(2): a connection congested towards a peer that does not
    read makes both wait up to 8 s for the window before they tell the peer, then go on
    whatever the outcome (C's __tipc_shutdown). A no-op SIGALRM every 20 ms ends that wait
    early, which changes nothing the trace shows, so that seeds stay fast."""

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, lambda signum, frame: None)
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)


def buf(data, size=None):
    return ctypes.create_string_buffer(bytes(data), max(size or len(data), 1))


def sockaddr(addrtype, v1=0, v2=0, v3=0, scope=0, family=AF_TIPC):
    return struct.pack("=HBbIII", family, addrtype, scope, v1 & 0xFFFFFFFF,
                       v2 & 0xFFFFFFFF, v3 & 0xFFFFFFFF)


def payload(n, tag):
    """n bytes of a pattern that depends on tag."""
    block = bytes((tag * 7 + i) & 0xFF for i in range(256))
    return (block * (n // 256 + 1))[:n]


def crc(data):
    return f"{zlib.crc32(data) & 0xFFFFFFFF:08x}"


# ---- the fuzzer ------------------------------------------------------------------------------


class Sock:
    """A socket of the pool: its fd, its name in the trace and what the fuzzer knows of it."""

    def __init__(self, fd, name, ty):
        self.fd, self.name, self.ty = fd, name, ty
        self.port = None
        self.conn_timeout = 8000
        self.member = False


class Fuzz:
    """One seeded sequence of calls; trace holds its normalised lines."""

    def __init__(self, seed, record=True):
        self.rng = random.Random(seed)
        self.record = record
        self.trace = []
        self.socks = []
        self.serial = 0
        self.ports = {}  # port -> name
        self.unknown = 0
        self.own_node = None
        self.gone_ports = []
        self.calls = 0

    # -- normalising

    def port_name(self, port):
        if port not in self.ports:
            self.ports[port] = f"p?{self.unknown}"
            self.unknown += 1
        return self.ports[port]

    def node_name(self, node):
        return "own" if node == self.own_node else f"{node:#x}"

    def addr_text(self, raw):
        """A sockaddr the kernel wrote, normalised."""
        if len(raw) < 16:
            # Cut short by the caller's buffer: a socket id's port and node are still
            # normalised, as far as they came.
            if len(raw) < 8 or raw[2] != SOCKET_ADDR:
                return f"cut{len(raw)}:{raw[:4].hex()}"
            port = struct.unpack_from("=I", raw, 4)[0]
            node = struct.pack("=I", self.own_node or 0)[:len(raw) - 8]
            rest = "own" if raw[8:12] == node else raw[8:].hex()
            return f"cut{len(raw)}:{raw[:4].hex()}:id({self.port_name(port)},{rest})"
        family, addrtype, scope, v1, v2, v3 = struct.unpack("=HBbIII", raw[:16])
        tail = f"+{raw[16:].hex()}" if raw[16:].strip(b"\0") else ""
        if addrtype == SOCKET_ADDR:
            return f"f{family}:id({self.port_name(v1)},{self.node_name(v2)}){tail}"
        return f"f{family}:t{addrtype}s{scope}({v1:#x},{v2:#x},{v3:#x}){tail}"

    def log(self, line):
        if self.record:
            self.trace.append(line)

    def do(self, what, fn):
        """Runs fn() (which returns a result text), records `what -> result`."""
        self.calls += 1
        try:
            res = fn()
        except Failed as e:
            res = e.name
        self.log(f"{what} -> {res}")

    # -- the pool

    def add(self, fd, ty):
        s = Sock(fd, f"s{self.serial}", ty)
        self.serial += 1
        self.socks.append(s)
        tv = struct.pack("=qq", 0, TIMEO_US)
        for opt in (SO_RCVTIMEO, SO_SNDTIMEO):
            _libc.setsockopt(fd, SOL_SOCKET, opt, buf(tv), len(tv))
        a = buf(b"", 128)
        alen = ctypes.c_uint32(128)
        if _libc.getsockname(fd, a, ctypes.byref(alen)) == 0 and alen.value >= 16:
            _, addrtype, _, port, node, _ = struct.unpack("=HBbIII", a.raw[:16])
            if addrtype == SOCKET_ADDR:
                s.port = port
                self.ports[port] = s.name
                if self.own_node is None:
                    self.own_node = node
        return s

    def pick(self):
        return self.rng.choice(self.socks) if self.socks else None

    def close_sock(self, s):
        self.socks.remove(s)
        if s.port is not None:
            self.gone_ports.append(s.port)
        try:
            with interruptible():
                return _ck(_libc.close(s.fd))
        finally:
            if s.member:
                time.sleep(SETTLE)

    # -- argument makers

    def svc_type(self):
        return self.rng.choice(SVC_TYPES)

    def inst(self):
        return self.rng.choice(INSTANCES)

    def some_port(self):
        """(real port, its name) of a live, a closed or a made-up socket."""
        r = self.rng.random()
        live = [s for s in self.socks if s.port is not None]
        if r < 0.7 and live:
            s = self.rng.choice(live)
            return s.port, s.name
        if r < 0.85 and self.gone_ports:
            p = self.rng.choice(self.gone_ports)
            return p, self.port_name(p)
        p = self.rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF])
        return p, f"{p:#x}"

    def some_node(self):
        r = self.rng.random()
        if r < 0.8:
            return self.own_node or 0, "own"
        n = self.rng.choice([0, 1, 0x1001001, 0xFFFFFFFF])
        return n, self.node_name(n)

    def address(self, purpose):
        """(bytes or None, addrlen, text) of an address for bind, connect or sendto."""
        rng = self.rng
        r = rng.random()
        scope = rng.choice(SCOPES) if purpose == "bind" else rng.choice([0, 0, 0, 2, 3, -1])
        if r < 0.35:
            t, lo = self.svc_type(), self.inst()
            hi = lo if rng.random() < 0.5 else self.inst()
            a = sockaddr(SERVICE_RANGE, t, lo, hi, scope)
            text = f"range({t:#x},{lo:#x},{hi:#x})s{scope}"
        elif r < 0.65:
            t, i = self.svc_type(), self.inst()
            dom = rng.choice([0, 0, 0, 1, 0x1001001])
            a = sockaddr(SERVICE_ADDR, t, i, dom, scope)
            text = f"name({t:#x},{i:#x},{dom:#x})s{scope}"
        elif r < 0.85:
            port, pname = self.some_port()
            node, nname = self.some_node()
            a, text = sockaddr(SOCKET_ADDR, port, node, 0, scope), f"id({pname},{nname})s{scope}"
        elif r < 0.9:
            return None, rng.choice([0, 0, 16]), "NULL"
        else:
            n = rng.choice([0, 1, 2, 3, 4, 8, 15, 16, 16, 20, 32])
            a = bytes(rng.getrandbits(8) for _ in range(n))
            if n >= 4 and rng.random() < 0.7:
                fam = rng.choice([AF_TIPC, AF_TIPC, 0, 2, 1])
                a = struct.pack("=HB", fam, rng.choice([0, 1, 2, 3, 4, 0xFF])) + a[3:]
            text = f"raw:{a.hex()}"
        alen = len(a)
        r = rng.random()
        if r < 0.08:
            alen = rng.choice([0, 1, 2, 4, 8, 15])
            text += f"/len{alen}"
        elif r < 0.14:
            alen = rng.choice([17, 24, 32, 128, 129, 4096])
            if alen <= 128:
                a = a + bytes(max(0, alen - len(a)))
            text += f"/len{alen}"
        return a, alen, text

    def flags(self, choices, p=0.25):
        f = 0
        for bit in choices:
            if self.rng.random() < p:
                f |= bit
        return f

    # -- the calls

    def c_socket(self):
        rng = self.rng
        r = rng.random()
        if r < 0.8:
            ty = rng.choice(TYPES)
        else:
            ty = rng.choice([0, 3, 6, 10, 11, 0x7FFFFFFF, -1])
        proto = 0 if rng.random() < 0.85 else rng.choice([1, 6, 30, -1, 0xFFFF])
        fl = rng.choice([0, 0, 0, SOCK_NONBLOCK, SOCK_CLOEXEC])
        if len(self.socks) >= MAX_SOCKS:
            return

        def call():
            fd = _ck(_libc.socket(AF_TIPC, ty | fl, proto))
            return f"ok {self.add(fd, ty).name}"
        self.do(f"socket({ty:#x}|{fl:#x},{proto})", call)

    def c_socketpair(self):
        if len(self.socks) >= MAX_SOCKS - 1:
            return
        ty = self.rng.choice(TYPES + [0, 3])

        def call():
            fds = (ctypes.c_int * 2)()
            _ck(_libc.socketpair(AF_TIPC, ty, 0, fds))
            a, b = self.add(fds[0], ty), self.add(fds[1], ty)
            return f"ok {a.name},{b.name}"
        self.do(f"socketpair({ty})", call)

    def c_bind(self, s):
        a, alen, text = self.address("bind")
        self.do(f"bind({s.name},{text})",
                lambda: str(_ck(_libc.bind(s.fd, None if a is None else buf(a), alen))))

    def c_connect(self, s):
        a, alen, text = self.address("connect")
        nonblock = _libc.fcntl(s.fd, F_GETFL, 0) & O_NONBLOCK
        force = not nonblock and not 0 <= s.conn_timeout <= 50

        def call():
            if force:
                _libc.fcntl(s.fd, F_SETFL, O_NONBLOCK)
            try:
                return str(_ck(_libc.connect(s.fd, None if a is None else buf(a), alen)))
            finally:
                if force:
                    _libc.fcntl(s.fd, F_SETFL, 0)
        self.do(f"connect({s.name},{text}{',nb' if force else ''})", call)

    def c_listen(self, s):
        backlog = self.rng.choice([0, 1, 5, -1, 1000])
        self.do(f"listen({s.name},{backlog})", lambda: str(_ck(_libc.listen(s.fd, backlog))))

    def c_accept(self, s):
        fl = self.rng.choice([0, SOCK_NONBLOCK, SOCK_NONBLOCK, SOCK_CLOEXEC, 0x1])
        want_addr = self.rng.random() < 0.7
        if len(self.socks) >= MAX_SOCKS:
            return

        def call():
            a = buf(b"", 128)
            alen = ctypes.c_uint32(128)
            fd = _ck(_libc.accept4(s.fd, a if want_addr else None,
                                   ctypes.byref(alen) if want_addr else None, fl))
            n = self.add(fd, s.ty)
            peer = self.addr_text(a.raw[:alen.value]) if want_addr else "-"
            return f"ok {n.name} {peer}"
        self.do(f"accept4({s.name},{fl:#x},{int(want_addr)})", call)

    def c_send(self, s):
        rng = self.rng
        n = rng.choice(SIZES)
        tag = rng.randrange(256)
        fl = self.flags(SEND_FLAGS, 0.15) | MSG_NOSIGNAL
        if rng.random() < 0.75:
            fl |= MSG_DONTWAIT
        data = payload(n, tag)
        how = rng.choice(["send", "sendto", "sendto", "sendmsg", "sendmsg"])
        if how == "send":
            self.do(f"send({s.name},{n}/{tag},{fl:#x})",
                    lambda: str(_ck(_libc.sendto(s.fd, buf(data), n, fl, None, 0))))
            return
        a, alen, text = self.address("sendto")
        if how == "sendto":
            nullbuf = n > 0 and rng.random() < 0.03
            self.do(f"sendto({s.name},{'NULL' if nullbuf else ''}{n}/{tag},{fl:#x},{text})",
                    lambda: str(_ck(_libc.sendto(s.fd, None if nullbuf else buf(data), n, fl,
                                                 None if a is None else buf(a), alen))))
            return
        # sendmsg: the data over up to 3 iovecs, maybe some control messages.
        cuts = sorted(rng.randrange(n + 1) for _ in range(rng.randrange(3)))
        parts = [data[i:j] for i, j in zip([0] + cuts, cuts + [n])]
        bufs = [buf(p) for p in parts]
        iov = (Iovec * len(parts))(*[Iovec(ctypes.cast(b, _vp), len(p))
                                     for b, p in zip(bufs, parts)])
        ctrl, ctext = b"", ""
        if rng.random() < 0.2:
            level = rng.choice([SOL_TIPC, SOL_SOCKET, 0])
            ctype = rng.choice([1, 2, 3, 29])
            body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 4, 12])))
            clen = 16 + len(body)
            ctrl = struct.pack("=Qii", clen, level, ctype) + body
            ctrl += bytes(-len(ctrl) % 8)
            ctext = f",cmsg({level},{ctype},{len(body)})"
        cbuf = buf(ctrl) if ctrl else None
        abuf = None if a is None else buf(a)

        def call():
            m = Msghdr(ctypes.cast(abuf, _vp) if abuf is not None else None, alen,
                       ctypes.cast(iov, _vp), len(parts),
                       ctypes.cast(cbuf, _vp) if cbuf is not None else None, len(ctrl), 0)
            return str(_ck(_libc.sendmsg(s.fd, ctypes.byref(m), fl)))
        self.do(f"sendmsg({s.name},{[len(p) for p in parts]}/{tag},{fl:#x},{text}{ctext})", call)

    def cmsgs_text(self, raw):
        out = []
        off = 0
        while off + 16 <= len(raw):
            clen, level, ctype = struct.unpack_from("=Qii", raw, off)
            if clen < 16:
                break
            body = raw[off + 16:off + clen]
            if level == SOL_TIPC and ctype == TIPC_ERRINFO and len(body) >= 8:
                out.append("errinfo(%d,%d)" % struct.unpack_from("=II", body))
            elif level == SOL_TIPC and ctype == TIPC_DESTNAME and len(body) >= 12:
                out.append("destname(%#x,%#x,%#x)" % struct.unpack_from("=III", body))
            elif level == SOL_TIPC and ctype == TIPC_RETDATA:
                out.append(f"retdata({len(body)},{crc(body)})")
            else:
                out.append(f"cmsg({level},{ctype},{len(body)})")
            off += (clen + 7) & ~7
        return "[" + " ".join(out) + "]"

    def c_recv(self, s):
        rng = self.rng
        n = rng.choice([0, 1, 10, 100, 1000, 66000, 70000])
        fl = self.flags(RECV_FLAGS, 0.15)
        if rng.random() < 0.75:
            fl |= MSG_DONTWAIT
        how = rng.choice(["recv", "recvfrom", "recvmsg", "recvmsg"])
        data = buf(b"", n)
        if how in ("recv", "recvfrom"):
            nullbuf = n > 0 and rng.random() < 0.03

            def call():
                a = buf(b"", 128)
                alen = ctypes.c_uint32(128)
                want = how == "recvfrom"
                got = _ck(_libc.recvfrom(s.fd, None if nullbuf else data, n, fl,
                                         a if want else None,
                                         ctypes.byref(alen) if want else None))
                res = f"{got} {crc(data.raw[:min(got, n)])}"
                if want:
                    res += " " + (self.addr_text(a.raw[:alen.value]) if alen.value else "-")
                return res
            self.do(f"{how}({s.name},{'NULL' if nullbuf else ''}{n},{fl:#x})", call)
            return
        clen = rng.choice([0, 0, 16, 24, 64, 512])
        cuts = sorted(rng.randrange(n + 1) for _ in range(rng.randrange(3)))
        sizes = [j - i for i, j in zip([0] + cuts, cuts + [n])]
        bufs = [buf(b"", k) for k in sizes]
        iov = (Iovec * len(sizes))(*[Iovec(ctypes.cast(b, _vp), k) for b, k in zip(bufs, sizes)])
        cbuf = buf(b"", clen) if clen else None
        want = rng.random() < 0.7

        def call():
            a = buf(b"", 128)
            m = Msghdr(ctypes.cast(a, _vp) if want else None, 128 if want else 0,
                       ctypes.cast(iov, _vp), len(sizes),
                       ctypes.cast(cbuf, _vp) if cbuf is not None else None, clen, 0)
            got = _ck(_libc.recvmsg(s.fd, ctypes.byref(m), fl))
            joined = b"".join(b.raw[:k] for b, k in zip(bufs, sizes))
            res = f"{got} {crc(joined[:min(got, n)])} flags={m.msg_flags:#x}"
            if want:
                res += " " + (self.addr_text(a.raw[:m.msg_namelen]) if m.msg_namelen else "-")
            if cbuf is not None:
                res += " " + self.cmsgs_text(cbuf.raw[:m.msg_controllen])
            return res
        self.do(f"recvmsg({s.name},{sizes},{clen},{int(want)},{fl:#x})", call)

    def c_setsockopt(self, s):
        rng = self.rng
        level = SOL_TIPC if rng.random() < 0.9 else rng.choice([SOL_SOCKET, IPPROTO_TCP, 0, 999])
        opt = rng.choice(SOL_TIPC_OPTS * 3 + [0, 126, 139, 140, 1000])
        if opt == TIPC_GROUP_JOIN and level == SOL_TIPC:
            v = struct.pack("=IIII", rng.choice(GROUP_TYPES), self.inst(),
                            rng.choice([2, 3, 0, 1, 4]), rng.choice([0, 1, 2, 3, 4]))
            text = f"join{struct.unpack('=IIII', v)}"
        else:
            val = rng.choice([0, 1, 2, 3, 4, 5, -1, 20, 8000, 0x7FFFFFFF, rng.getrandbits(32)])
            v = struct.pack("=I", val & 0xFFFFFFFF)
            text = f"{val & 0xFFFFFFFF:#x}"
        r = rng.random()
        vlen = len(v)
        if r < 0.15:
            vlen = rng.choice([0, 1, 2, 3, 8, 16, 17])
            text += f"/len{vlen}"
        nullval = rng.random() < 0.03

        def call():
            rc = _ck(_libc.setsockopt(s.fd, level, opt, None if nullval else buf(v, 32), vlen))
            if level == SOL_TIPC and opt == TIPC_CONN_TIMEOUT and vlen >= 4 and not nullval:
                s.conn_timeout = struct.unpack("=i", v[:4])[0]
            if level == SOL_TIPC and opt in (TIPC_GROUP_JOIN, TIPC_GROUP_LEAVE):
                s.member = opt == TIPC_GROUP_JOIN
                time.sleep(SETTLE)
            return str(rc)
        self.do(f"setsockopt({s.name},{level},{opt},{'NULL' if nullval else text})", call)

    def c_getsockopt(self, s):
        rng = self.rng
        level = SOL_TIPC if rng.random() < 0.9 else rng.choice([SOL_SOCKET, IPPROTO_TCP, 0, 999])
        opt = rng.choice(SOL_TIPC_OPTS * 3 + [0, 126, 139, 140, 1000])
        if level == SOL_SOCKET:
            opt = rng.choice([SO_RCVTIMEO, 3, 4])  # SO_TYPE, SO_ERROR
        blen = rng.choice([4, 4, 4, 0, 1, 3, 8, 16])

        def call():
            b = buf(b"\xAA" * 16)
            ln = ctypes.c_uint32(blen)
            _ck(_libc.getsockopt(s.fd, level, opt, b, ctypes.byref(ln)))
            val = b.raw[:min(ln.value, 16)]
            if level == SOL_TIPC and opt == TIPC_SOCK_RECVQ_USED and len(val) == 4:
                return f"0 len{ln.value} used={'>0' if struct.unpack('=I', val)[0] else '0'}"
            return f"0 len{ln.value} {val.hex()}"
        self.do(f"getsockopt({s.name},{level},{opt},{blen})", call)

    def c_shutdown(self, s):
        how = self.rng.choice([2, 2, 2, 0, 1, 3, -1])

        def call():
            with interruptible():
                return str(_ck(_libc.shutdown(s.fd, how)))
        self.do(f"shutdown({s.name},{how})", call)

    def c_ioctl(self, s):
        rng = self.rng
        req = rng.choice(IOCTLS)
        if req == SIOCGETLINKNAME:
            arg = struct.pack("=II68s", rng.choice([0, 1, 0x1001001, self.own_node or 0]),
                              rng.choice([0, 1, 2, 3, 0xFFFF]), b"x")
        elif req == SIOCGETNODEID:
            arg = struct.pack("=I16s", rng.choice([0, 1, 0x1001001, self.own_node or 0]), b"y" * 16)
        else:
            arg = b"\x55" * 84
        null = rng.random() < 0.05

        def call():
            b = buf(arg)
            rc = _ck(_libc.ioctl(s.fd, req, None if null else b))
            return f"{rc} {'same' if b.raw[:len(arg)] == arg else 'changed'}"
        self.do(f"ioctl({s.name},{req:#x}{',NULL' if null else ''})", call)

    def c_getname(self, s):
        peer = self.rng.random() < 0.5
        blen = self.rng.choice([128, 128, 16, 15, 0])
        fn = _libc.getpeername if peer else _libc.getsockname

        def call():
            a = buf(b"", 128)
            alen = ctypes.c_uint32(blen)
            _ck(fn(s.fd, a, ctypes.byref(alen)))
            return f"len{alen.value} {self.addr_text(a.raw[:min(alen.value, blen)])}"
        self.do(f"{'getpeername' if peer else 'getsockname'}({s.name},{blen})", call)

    def c_poll(self, s):
        def call():
            p = select.poll()
            p.register(s.fd, POLL_EVENTS)
            got = p.poll(0)
            return f"{got[0][1]:#x}" if got else "0"
        self.do(f"poll({s.name})", call)

    def c_close(self, s):
        self.do(f"close({s.name})", lambda: str(self.close_sock(s)))

    WEIGHTS = [("socket", 10), ("socketpair", 2), ("bind", 10), ("connect", 8), ("listen", 5),
               ("accept", 6), ("send", 14), ("recv", 14), ("setsockopt", 7), ("getsockopt", 6),
               ("shutdown", 3), ("ioctl", 3), ("getname", 4), ("poll", 4), ("close", 4)]

    def step(self):
        names = [n for n, _ in self.WEIGHTS]
        weights = [w for _, w in self.WEIGHTS]
        what = self.rng.choices(names, weights)[0]
        if what in ("socket", "socketpair"):
            getattr(self, "c_" + what)()
            return
        s = self.pick()
        if s is None:
            self.c_socket()
            return
        getattr(self, "c_" + what)(s)

    def finish(self):
        while self.socks:
            self.c_close(self.socks[0])

    def run(self, calls):
        while self.calls < calls:
            self.step()
        self.finish()
        return self.trace


# ---- the cases -------------------------------------------------------------------------------


def trace_path(module, seed):
    return os.path.join(OUT, f"{module}.seed{seed}.trace")


def allowed(call, c_res, ours_res, history):
    for call_re, c_re, ours_re, check, reason in ALLOWED:
        if (re.fullmatch(call_re, call) and re.fullmatch(c_re, c_res)
                and re.fullmatch(ours_re, ours_res) and (check is None or check(call, history))):
            return reason
    return None


def split(line):
    call, _, res = line.partition(" -> ")
    return call, res


def first_divergence(c_lines, ours_lines):
    """(index, C's line, ours) of the first difference, or None."""
    for i, (a, b) in enumerate(zip(c_lines, ours_lines)):
        if a != b:
            return i, a, b
    if len(c_lines) != len(ours_lines):
        i = min(len(c_lines), len(ours_lines))
        end = "(end of trace)"
        c_line = c_lines[i] if i < len(c_lines) else end
        ours_line = ours_lines[i] if i < len(ours_lines) else end
        return i, c_line, ours_line
    return None


@case
def differential_seeds():
    module = module_name()
    os.makedirs(OUT, exist_ok=True)
    total = 0
    diverged = []
    compared = 0
    start = time.monotonic()
    for seed in range(SEED_BASE, SEED_BASE + SEEDS):
        fz = Fuzz(seed)
        lines = fz.run(CALLS)
        total += fz.calls
        with open(trace_path(module, seed), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        if module != "ours":
            continue
        try:
            with open(trace_path("c", seed), encoding="utf-8") as f:
                c_lines = f.read().splitlines()
        except OSError:
            continue
        compared += 1
        d = first_divergence(c_lines, lines)
        if d is None:
            continue
        i, c_line, ours_line = d
        call, c_res = split(c_line)
        ocall, ours_res = split(ours_line)
        reason = allowed(call, c_res, ours_res, c_lines[:i]) if call == ocall else None
        if reason:
            print(f"# seed {seed}: call {i}: {call}: C {c_res}, ours {ours_res}: allowed: {reason}")
        else:
            print(f"# seed {seed}: call {i}: first divergence")
            print(f"#   C:    {c_line}")
            print(f"#   ours: {ours_line}")
            diverged.append(seed)
    print(f"# {module}: {SEEDS} seeds, {total} calls in {time.monotonic() - start:.1f} s; "
          f"traces in {OUT}")
    if module == "ours":
        if not compared:
            raise Skip(f"no C traces in {OUT} to compare with (run on the C module first)")
        print(f"# compared {compared} seeds with C's traces")
    if diverged:
        raise AssertionError(f"{len(diverged)} seeds diverge from C: {diverged}")


@case
def storm():
    end = time.monotonic() + STORM_SECONDS
    pids = {}
    for k in range(STORM_PROCS):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                seed = 1_000_000 + SEED_BASE * 100 + k
                while time.monotonic() < end:
                    fz = Fuzz(seed, record=False)
                    while time.monotonic() < end and fz.calls < 400:
                        fz.step()
                    fz.finish()
                    seed += STORM_PROCS
            except BaseException:  # noqa: B036 (the child reports anything and exits)
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)
        pids[pid] = k
    # A close(2) may wait up to 8 s for a congested connection; allow for several.
    limit = time.monotonic() + STORM_SECONDS + 60
    bad = []
    while pids and time.monotonic() < limit:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.1)
            continue
        k = pids.pop(pid)
        if status != 0:
            bad.append(f"process {k} ended with status {status:#x}")
    for pid, k in pids.items():
        bad.append(f"process {k} still running {STORM_SECONDS + 60:.0f} s after the start")
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if bad:
        raise AssertionError("; ".join(bad))


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    run()
