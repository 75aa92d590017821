#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TIPC per network namespace: each namespace has its own name table and its own ports. A
service bound in one namespace cannot be reached from another, while the same service can be
bound in both at once; messages and connections work inside a new namespace; a socket address
(port id) of one namespace reaches nothing in another; and a namespace that goes away with
TIPC sockets still open leaves the module working and its use count where it was.

Each new namespace lives in a forked child (unshare(CLONE_NEWNET), so it needs root) that
talks to the test over pipes and exits before its case ends: when the file ends, none of its
sockets is open and the module can be unloaded.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/netns.py'
"""

import ctypes
import errno
import faulthandler
import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import time

from tipc_genl import Genl, name_table, sock_dump
from tipc_ktap import Skip, case, eq, raises_errno, run

AF_TIPC = socket.AF_TIPC
RDM, SEQPACKET, STREAM, DGRAM = (socket.SOCK_RDM, socket.SOCK_SEQPACKET, socket.SOCK_STREAM,
                                 socket.SOCK_DGRAM)
SOL_TIPC = 271
TIPC_ERRINFO, TIPC_RETDATA = 1, 2
TIPC_DEST_DROPPABLE = 129
TIPC_ERR_NO_PORT = 2
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
CLONE_NEWNET = 0x40000000
ANC = 4096
# Seconds any step may take before the case fails (TCG with KASAN is slow); the child gives up
# first, so that the test hears why.
WAIT = 40
CHILD_WAIT = 20
_in_child = [False]


def wait_s():
    """How long one step may block here."""
    return CHILD_WAIT if _in_child[0] else WAIT


_libc = ctypes.CDLL(None, use_errno=True)
_next_type = [7000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


def saddr(stype, inst):
    return (SERVICE_ADDR, stype, inst, 0)


def port_of(s):
    return s.getsockname()[2]


def port_addr(port):
    """The socket address of a port on this node (node 0: own node), for sendto and connect."""
    return (SOCKET_ADDR, 0, port, 0)


def connect_pair(lst, dest, ty):
    """Connects a new socket of type ty to the listener lst at dest: a non-blocking connect
    (the SYN reaches the listener at once; a blocking one would wait for the accept), then
    accept. Returns (client, accepted), both blocking."""
    c = socket.socket(AF_TIPC, ty)
    c.setblocking(False)
    eq(c.connect_ex(dest), errno.EINPROGRESS, "non-blocking connect")
    lst.settimeout(wait_s())
    a, peer = lst.accept()
    c.setblocking(True)
    eq(peer, c.getsockname(), "accept: peer address")
    return c, a


def netns_id():
    return os.stat("/proc/self/ns/net").st_ino


def empty(s, what):
    """Fails unless s (named `what` in the failure) has nothing to receive."""
    timeout = s.gettimeout()  # with a timeout, Python would wait out EAGAIN
    s.setblocking(False)
    try:
        got = s.recvfrom(70000)
    except BlockingIOError:
        return
    finally:
        s.settimeout(timeout)
    raise AssertionError(f"{what}: received {got!r}, want nothing (EAGAIN)")


def returned_no_port(s, data, what):
    """Fails unless s gets back `data` as a message rejected for want of a port."""
    s.settimeout(wait_s())
    got, anc, _, src = s.recvmsg(4096, ANC)
    s.settimeout(None)
    eq(got, b"", f"{what}: returned message data")
    info = {t: d for lvl, t, d in anc if lvl == SOL_TIPC}
    eq(info.get(TIPC_ERRINFO), struct.pack("=II", TIPC_ERR_NO_PORT, len(data)),
       f"{what}: TIPC_ERRINFO")
    eq(info.get(TIPC_RETDATA), data, f"{what}: TIPC_RETDATA")
    return src


def tipc_use_count():
    """The tipc line's use count in /proc/modules (None when it has none)."""
    with open("/proc/modules", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if fields[0] == "tipc":
                return int(fields[2])
    return None


def settled_use_count():
    """The tipc use count once it has stayed the same for a second. A closed socket may hold
    its module reference a little longer: the C module frees it only after an RCU grace
    period (call_rcu in tipc_release), so the sockets of the case before may still count."""
    deadline = time.monotonic() + WAIT
    count, since = tipc_use_count(), time.monotonic()
    while time.monotonic() - since < 1.0:
        if time.monotonic() > deadline:
            raise AssertionError(f"the tipc use count did not settle in {WAIT} s")
        time.sleep(0.05)
        now = tipc_use_count()
        if now != count:
            count, since = now, time.monotonic()
    return count


def brief_traceback(e):
    """The traceback of e without source lines: the traceback module reads the source files
    and imports more modules, which takes tens of seconds in a VM under TCG."""
    out = ["Traceback (most recent call last):"]
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        out.append(f'  File "{code.co_filename}", line {tb.tb_lineno}, in {code.co_name}')
        tb = tb.tb_next
    out.append(f"{type(e).__name__}: {e}")
    return "\n".join(out)


class Child:
    """A forked child in a new network namespace running fn(chan), where chan.put(obj) and
    chan.get() exchange JSON values with the test (the parent), which sees the same through
    the Child. An exception in the child fails the case with the child's traceback."""

    def __init__(self, fn):
        sys.stdout.flush()
        sys.stderr.flush()
        p2c_r, p2c_w = os.pipe()
        c2p_r, c2p_w = os.pipe()
        self.reaped = False
        self._where = tempfile.TemporaryFile("w+")
        self.pid = os.fork()
        if self.pid == 0:
            _in_child[0] = True
            os.close(p2c_w)
            os.close(c2p_r)
            self._r, self._w = os.fdopen(p2c_r, "r"), os.fdopen(c2p_w, "w")
            code = 0
            # SIGUSR1 prints where the child is (see stuck()).
            faulthandler.register(signal.SIGUSR1, file=self._where, all_threads=False)
            try:
                if _libc.unshare(CLONE_NEWNET) != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, f"unshare(CLONE_NEWNET): {os.strerror(e)}")
                fn(self)
            except BaseException as e:  # noqa: B036 - reported to the parent
                self._send({"error": brief_traceback(e)})
                code = 1
            # Exit without closing anything: the sockets go with the process.
            self._w.flush()
            os._exit(code)
        os.close(p2c_r)
        os.close(c2p_w)
        self._r, self._w = os.fdopen(c2p_r, "r"), os.fdopen(p2c_w, "w")

    def _send(self, obj):
        self._w.write(json.dumps(obj) + "\n")
        self._w.flush()

    def put(self, obj):
        self._send({"value": obj})

    def stuck(self, what):
        """Fails the case, saying where the child is: its Python stack (printed by the child,
        as KTAP comments) and its kernel stack."""
        if self.pid == 0:
            raise AssertionError(what)
        print(f"# {what}; the child {self.pid} is at:", flush=True)
        try:
            with open(f"/proc/{self.pid}/wchan", encoding="ascii") as f:
                print(f"#   wchan: {f.read()}")
            with open(f"/proc/{self.pid}/stack", encoding="ascii") as f:
                for line in f:
                    print(f"#   {line.rstrip()}")
        except OSError as e:
            print(f"#   ({e})")
        os.kill(self.pid, signal.SIGUSR1)
        time.sleep(1)
        self._where.seek(0)
        for line in self._where.read().splitlines():
            print(f"#   {line}")
        # Whatever it said meanwhile.
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.reaped = True
        for line in self._r.read().splitlines():
            print(f"#   said: {line}")
        sys.stdout.flush()
        raise AssertionError(what)

    def get(self):
        wait = wait_s()
        ready, _, _ = select.select([self._r], [], [], wait)
        if not ready:
            self.stuck(f"no word from the other side in {wait} s")
        line = self._r.readline()
        if not line:
            raise AssertionError("the other side exited without a word")
        msg = json.loads(line)
        if "error" in msg:
            raise AssertionError("in the child namespace:\n" + msg["error"])
        return msg["value"]

    def wait(self):
        """Waits for the child to exit; fails unless it exited 0."""
        self._w.close()
        deadline = time.monotonic() + WAIT
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.reaped = True
                break
            if time.monotonic() > deadline:
                self.stuck("the child did not exit")
            time.sleep(0.01)
        rest = self._r.read()
        self._r.close()
        for line in rest.splitlines():
            msg = json.loads(line)
            if "error" in msg:
                raise AssertionError("in the child namespace:\n" + msg["error"])
        eq(os.waitstatus_to_exitcode(status), 0, "child exit status")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.reaped:
            # The case failed early: do not leave the child (and its sockets) behind.
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True
            self._w.close()
            self._r.close()
        self._where.close()


def needs_root():
    if os.geteuid() != 0:
        raise Skip("unshare(CLONE_NEWNET) needs root")


@case
def child_is_in_another_namespace():
    needs_root()
    me = netns_id()

    def child(ch):
        ch.put(netns_id())

    with Child(child) as c:
        other = c.get()
        c.wait()
    if other == me:
        raise AssertionError(f"the child's network namespace is the test's own ({me})")


@case
def service_is_per_namespace():
    """The same service bound in both namespaces: each send reaches its own namespace's
    socket; a service bound in one namespace only is EHOSTUNREACH from the other."""
    needs_root()
    both, parent_only, child_only = new_type(), new_type(), new_type()

    def child(ch):
        rx = socket.socket(AF_TIPC, RDM)
        rx.bind(saddr(both, 7))
        rx.bind(saddr(child_only, 7))
        tx = socket.socket(AF_TIPC, RDM)
        ch.put("bound")
        ch.get()  # the parent has sent
        # Only what the child sent to the service arrives, from the child's own socket.
        eq(tx.sendto(b"in child", saddr(both, 7)), 8, "child: sendto service")
        rx.settimeout(wait_s())
        eq(rx.recvfrom(100), (b"in child", tx.getsockname()), "child: received")
        empty(rx, "child: the service's socket")
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", saddr(parent_only, 7))
        # Multicast to a range with bindings only in the parent.
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", (SERVICE_RANGE, parent_only, 0, 9))
        ch.put("done")

    rx = socket.socket(AF_TIPC, RDM)
    tx = socket.socket(AF_TIPC, RDM)
    try:
        rx.bind(saddr(both, 7))
        rx.bind(saddr(parent_only, 7))
        with Child(child) as c:
            eq(c.get(), "bound", "child")
            # Bound in both namespaces at once: ours goes to our socket.
            eq(tx.sendto(b"in parent", saddr(both, 7)), 9, "parent: sendto service")
            rx.settimeout(wait_s())
            eq(rx.recvfrom(100), (b"in parent", tx.getsockname()), "parent: received")
            raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", saddr(child_only, 7))
            raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", (SERVICE_RANGE, child_only, 0, 9))
            c.put("sent")
            eq(c.get(), "done", "child")
            c.wait()
        empty(rx, "parent: the service's socket")
        # With the child gone: its service still unknown here, ours still bound.
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", saddr(child_only, 7))
        eq(tx.sendto(b"again", saddr(both, 7)), 5, "parent: sendto after the child")
        eq(rx.recvfrom(100), (b"again", tx.getsockname()), "parent: received after the child")
    finally:
        rx.close()
        tx.close()


@case
def rdm_and_seqpacket_inside_a_new_namespace():
    """An RDM round trip and a SEQPACKET connection, entirely inside a new namespace."""
    needs_root()

    def child(ch):
        t = new_type()
        srv = socket.socket(AF_TIPC, RDM)
        cli = socket.socket(AF_TIPC, RDM)
        srv.bind((SERVICE_RANGE, t, 0, 99))
        srv.settimeout(wait_s())
        cli.settimeout(wait_s())
        eq(cli.sendto(b"ping", saddr(t, 42)), 4, "RDM sendto")
        data, src = srv.recvfrom(100)
        eq((data, src), (b"ping", cli.getsockname()), "RDM request")
        eq(srv.sendto(b"pong", src), 4, "RDM reply")
        eq(cli.recvfrom(100), (b"pong", srv.getsockname()), "RDM reply")
        srv.close()
        cli.close()

        lst = socket.socket(AF_TIPC, SEQPACKET)
        lst.bind(saddr(t + 1000, 1))
        lst.listen()
        c, a = connect_pair(lst, saddr(t + 1000, 1), SEQPACKET)
        c.settimeout(wait_s())
        a.settimeout(wait_s())
        eq(c.getpeername(), a.getsockname(), "connect: peer address")
        eq(c.send(b"one"), 3, "send")
        eq(c.send(b"two!"), 4, "send")
        eq(a.recv(100), b"one", "recv, message 1")
        eq(a.recv(100), b"two!", "recv, message 2")
        eq(a.send(b"back"), 4, "send back")
        eq(c.recv(100), b"back", "recv back")
        c.close()
        # A peer's close without shutdown is an abort in TIPC.
        raises_errno(errno.ECONNRESET, a.recv, 100)
        a.close()
        lst.close()
        ch.put("ok")

    with Child(child) as c:
        eq(c.get(), "ok", "child")
        c.wait()


@case
def socket_addresses_are_per_namespace():
    """getsockname works in both namespaces; a port id of one namespace reaches nothing in the
    other: a returnable message comes back rejected (no port) and connect is refused."""
    needs_root()

    def child(ch):
        rx = socket.socket(AF_TIPC, RDM)
        lst = socket.socket(AF_TIPC, SEQPACKET)
        lst.listen()
        mine = [port_of(rx), port_of(lst)]
        ch.put(mine)
        theirs = ch.get()
        if set(mine) & set(theirs):
            raise AssertionError(f"child ports {mine}, parent ports {theirs}: the same")
        tx = socket.socket(AF_TIPC, RDM)
        tx.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)
        # The parent's RDM port from here: rejected, no such port.
        eq(tx.sendto(b"to parent", port_addr(theirs[0])), 9, "child: sendto the parent's port")
        src = returned_no_port(tx, b"to parent", "child")
        eq(src[2], theirs[0], "child: returned from port")
        # Our own port is reachable by its address.
        eq(tx.sendto(b"to self", port_addr(mine[0])), 7, "child: sendto own port")
        rx.settimeout(wait_s())
        eq(rx.recvfrom(100), (b"to self", tx.getsockname()), "child: received")
        s = socket.socket(AF_TIPC, SEQPACKET)
        raises_errno(errno.ECONNREFUSED, s.connect, port_addr(theirs[1]))
        ch.put("done")
        ch.get()  # the parent has sent to our ports
        empty(rx, "child: RDM socket after the parent sent to its port")
        lst.setblocking(False)
        raises_errno(errno.EAGAIN, lst.accept)

    rx = socket.socket(AF_TIPC, RDM)
    lst = socket.socket(AF_TIPC, SEQPACKET)
    tx = socket.socket(AF_TIPC, RDM)
    s = socket.socket(AF_TIPC, SEQPACKET)
    try:
        lst.listen()
        mine = [port_of(rx), port_of(lst)]
        with Child(child) as c:
            theirs = c.get()
            c.put(mine)
            eq(c.get(), "done", "child")
            tx.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)
            eq(tx.sendto(b"to child", port_addr(theirs[0])), 8, "parent: sendto the child's port")
            src = returned_no_port(tx, b"to child", "parent")
            eq(src[2], theirs[0], "parent: returned from port")
            raises_errno(errno.ECONNREFUSED, s.connect, port_addr(theirs[1]))
            c.put("sent")
            c.wait()
        empty(rx, "parent: RDM socket after the child sent to its port")
        lst.setblocking(False)
        raises_errno(errno.EAGAIN, lst.accept)
    finally:
        for x in (rx, lst, tx, s):
            x.close()


@case
def namespace_exit_with_open_sockets_leaves_no_trace():
    """A child namespace exits with sockets of every type open, bound, listening, connected,
    with unread and unaccepted data; then the module works as before in the initial
    namespace and its use count (in /proc/modules) comes back to what it was."""
    needs_root()
    t = new_type()
    before = settled_use_count()

    def child(ch):
        keep = []
        for ty in (RDM, DGRAM):
            s = socket.socket(AF_TIPC, ty)
            s.bind((SERVICE_RANGE, t, 0, 99))
            s.sendto(b"unread", saddr(t, 5))  # to one of the two, left unread
            keep.append(s)
        for ty, inst in ((SEQPACKET, 1), (STREAM, 2)):
            lst = socket.socket(AF_TIPC, ty)
            lst.bind(saddr(t + 1, inst))
            lst.listen()
            c, a = connect_pair(lst, saddr(t + 1, inst), ty)
            c.send(b"unread by the accepted socket")
            a.send(b"unread by the connecting socket")
            pending = socket.socket(AF_TIPC, ty)  # connected, never accepted
            pending.setblocking(False)
            try:
                pending.connect(saddr(t + 1, inst))
            except BlockingIOError:
                pass
            keep += [lst, c, a, pending]
        keep.append(socket.socket(AF_TIPC, RDM))  # unbound
        ch.put(len(keep))
        ch.get()
        # Exits with all of them open.

    with Child(child) as c:
        eq(c.get(), 11, "sockets the child opened")
        during = tipc_use_count()
        c.put("exit")
        c.wait()
    # The initial namespace: the same service type is free, and a bind and send work.
    rx = socket.socket(AF_TIPC, RDM)
    tx = socket.socket(AF_TIPC, RDM)
    try:
        raises_errno(errno.EHOSTUNREACH, tx.sendto, b"x", saddr(t, 5))
        rx.bind((SERVICE_RANGE, t, 0, 99))
        rx.settimeout(wait_s())
        eq(tx.sendto(b"after", saddr(t, 5)), 5, "sendto after the namespace went")
        eq(rx.recvfrom(100), (b"after", tx.getsockname()), "received after the namespace went")
        with socket.socket(AF_TIPC, SEQPACKET) as lst:
            lst.bind(saddr(t + 1, 1))
            lst.listen()
            c, a = connect_pair(lst, saddr(t + 1, 1), SEQPACKET)
            with c, a:
                eq(c.send(b"conn"), 4, "send after the namespace went")
                a.settimeout(wait_s())
                eq(a.recv(10), b"conn", "connection after the namespace went")
    finally:
        rx.close()
        tx.close()
    # Every socket is closed: the use count returns to where it was (the namespace's cleanup
    # runs from a work queue, so give it a moment).
    deadline = time.monotonic() + WAIT
    while (now := tipc_use_count()) != before and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"# tipc use count: {before} before, {during} with the child's sockets open, "
          f"{now} after")
    eq(now, before, "tipc use count in /proc/modules, after")


def netlink_view(types):
    """What this namespace's netlink dumps show: the ones of `types` the name table holds, and
    the ports of the sockets."""
    g = Genl()
    try:
        return sorted({p["type"] for p in name_table(g)} & set(types)), set(sock_dump(g))
    finally:
        g.close()


@case
def netlink_dumps_show_their_own_namespace():
    """TIPCv2 answers in every namespace (netnsok) with that namespace's state: the name table
    and socket dumps of a child namespace hold its bindings and sockets only, and the
    parent's hold none of the child's."""
    needs_root()
    mine, theirs = new_type(), new_type()

    def child(ch):
        with socket.socket(AF_TIPC, RDM) as s:
            s.bind((SERVICE_RANGE, theirs, 1, 2))
            ch.put(port_of(s))
            ch.get()  # the parent has dumped
            types, ports = netlink_view((mine, theirs))
            ch.put({"types": types, "has_own_socket": port_of(s) in ports})

    with socket.socket(AF_TIPC, RDM) as s:
        s.bind((SERVICE_RANGE, mine, 1, 2))
        with Child(child) as c:
            their_port = c.get()
            types, ports = netlink_view((mine, theirs))
            c.put("dumped")
            seen = c.get()
            c.wait()
        eq(types, [mine], "parent: types in its dump")
        eq(port_of(s) in ports, True, "parent: its socket in its dump")
        eq(their_port in ports, False, "parent: the child's socket in its dump")
        eq(seen, {"types": [theirs], "has_own_socket": True}, "child: its dumps")

if __name__ == "__main__":
    run()
