#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""sock_diag for AF_TIPC: what `ss --tipc` lists, with its options, and raw
SOCK_DIAG_BY_FAMILY dumps with a state filter, for sockets in every state.

Only the sockets a case made are compared: the C module also lists its topology server's
kernel sockets (tipc-rs serves that port without a socket), and other tests' sockets may
linger. Inode numbers and cookies are checked against the socket's own (fstat, SO_COOKIE),
never against fixed values.
"""

import errno
import os
import re
import select
import shutil
import socket
import struct
import subprocess

from tipc_ktap import Skip, eq, run, track, tracked_case
from tipc_genl import NLM_F_DUMP, NLM_F_REQUEST, attrs, transact

NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY = 4, 20
NLM_F_MULTI = 0x2
SOL_TIPC, TIPC_GROUP_JOIN = 271, 135
SO_COOKIE = 57
# sk_state of TIPC sockets (TCP's numbers) and ss's names of them.
ESTABLISHED, CLOSE, LISTEN = 1, 7, 10
STATE_NAMES = {ESTABLISHED: "ESTAB", CLOSE: "UNCONN", LISTEN: "LISTEN"}
NETIDS = {socket.SOCK_STREAM: "ti_st", socket.SOCK_DGRAM: "ti_dg",
          socket.SOCK_RDM: "ti_rd", socket.SOCK_SEQPACKET: "ti_sq"}
TYPE_NAMES = {socket.SOCK_STREAM: "STREAM", socket.SOCK_DGRAM: "DGRAM",
              socket.SOCK_RDM: "RDM", socket.SOCK_SEQPACKET: "SEQPACKET"}
ALL_STATES = 0xffffffff

# TIPC_NLA_SOCK and its attributes (include/uapi/linux/tipc_netlink.h).
NLA_SOCK = 2
SOCK_ADDR, SOCK_REF, SOCK_CON, SOCK_HAS_PUBL, SOCK_STAT = 1, 2, 3, 4, 5
SOCK_TYPE, SOCK_INO, SOCK_UID, SOCK_TIPC_STATE, SOCK_COOKIE = 6, 7, 8, 9, 10
SOCK_PAD, SOCK_GROUP = 11, 12
CON_FLAG, CON_NODE, CON_SOCK, CON_TYPE, CON_INST = 1, 2, 3, 4, 5
# The stat and group nests number their attributes from 0.
STAT_RCVQ, STAT_SENDQ, STAT_LINK_CONG, STAT_CONN_CONG, STAT_DROP = 0, 1, 2, 3, 4
GROUP_ID, GROUP_OPEN, GROUP_NODE_SCOPE, GROUP_CLUSTER_SCOPE = 0, 1, 2, 3
GROUP_INSTANCE, GROUP_BC_SEND_NEXT = 4, 5

SERVICE_RANGE, SERVICE_ADDR, SOCKET_ADDR = (socket.TIPC_ADDR_NAMESEQ, socket.TIPC_ADDR_NAME,
                                            socket.TIPC_ADDR_ID)
BASE_TYPE = 0x5d1a0000 + (os.getpid() & 0xfff) * 8


def u32(b):
    return struct.unpack("=I", b)[0]


def port_of(s):
    return s.getsockname()[2]


def node_of(s):
    return s.getsockname()[1]


def expect(s, state, rq=0, sq=0, peer=None, via=None, publ=False, group=None):
    """What the listings should say of socket s."""
    return {"sock": s, "port": port_of(s), "node": node_of(s), "type": s.type, "state": state,
            "rq": rq, "sq": sq, "peer": peer, "via": via, "publ": publ, "group": group}


def sockets_in_every_state():
    """Sockets in every state a test can hold still, each with what the listings should say,
    by port."""
    t = BASE_TYPE

    def new(stype):
        return track(socket.socket(socket.AF_TIPC, stype))

    rdm = new(socket.SOCK_RDM)
    bound = new(socket.SOCK_RDM)
    bound.bind((SERVICE_RANGE, t, 1, 1))
    for _ in range(2):
        rdm.sendto(b"unread", (SERVICE_ADDR, t, 1, 0))
    dgram = new(socket.SOCK_DGRAM)

    def connected(stype, listen_at, dest):
        """A listener at service `listen_at` and a pair connected to `dest`: a non-blocking
        connect (its SYN reaches the listener at once), then accept."""
        listener = new(stype)
        listener.bind((SERVICE_RANGE, *listen_at, listen_at[1]))
        listener.listen()
        client = new(stype)
        client.setblocking(False)
        eq(client.connect_ex(dest(listener)), errno.EINPROGRESS, "non-blocking connect")
        server = track(listener.accept()[0])
        eq(select.select([], [client], [], 10)[1], [client], "connected")
        client.setblocking(True)
        return listener, client, server

    listener, client, server = connected(socket.SOCK_SEQPACKET, (t + 1, 1),
                                         lambda _: (SERVICE_ADDR, t + 1, 1, 0))
    server.send(b"to the client")
    stream_listener, stream_client, stream_server = connected(
        socket.SOCK_STREAM, (t + 2, 1), lambda ls: (SOCKET_ADDR, node_of(ls), port_of(ls), 0))

    member = new(socket.SOCK_RDM)
    member.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN,
                      struct.pack("=IIII", t + 3, 7, socket.TIPC_NODE_SCOPE, 0))

    def peer(s):
        return f"{node_of(s)}:{port_of(s)}"

    socks = [
        expect(rdm, CLOSE),
        expect(bound, CLOSE, rq=2, publ=True),
        expect(dgram, CLOSE),
        expect(listener, LISTEN, publ=True),
        expect(client, ESTABLISHED, rq=1, peer=peer(server), via=(t + 1, 1)),
        # The accepted end of a connection made to a service names that service too.
        expect(server, ESTABLISHED, peer=peer(client), via=(t + 1, 1)),
        expect(stream_listener, LISTEN, publ=True),
        expect(stream_client, ESTABLISHED, peer=peer(stream_server)),
        expect(stream_server, ESTABLISHED, peer=peer(stream_client)),
        expect(member, CLOSE, publ=True, group=(t + 3, 7)),
    ]
    return {e["port"]: e for e in socks}


def ss(*opts):
    """`ss --tipc` with opts, every listed socket by port: the fields before its local address
    (state, unless a single state was asked for, then the queues), its peer, the fields after
    and those of its continuation lines."""
    path = shutil.which("ss")
    if path is None:
        raise Skip("no ss (iproute2) here")
    out = subprocess.run([path, "--tipc", "-H", *opts], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    listed, last = {}, None
    for line in out.splitlines():
        if line[:1].isspace():
            if last is not None:
                listed[last]["more"].extend(line.split())
            continue
        fields = line.split()
        at = next(i for i, f in enumerate(fields) if re.fullmatch(r"\d+:\d+", f))
        port = int(fields[at].split(":")[1])
        eq(port in listed, False, f"port {port} listed twice")
        listed[port] = {"head": fields[:at], "local": fields[at], "peer": fields[at + 1],
                        "rest": fields[at + 2:], "more": []}
        last = port
    return listed


def ss_line(e, state=True):
    """The fields ss prints of the socket e describes up to its peer, without extras."""
    head = [str(e["rq"]), str(e["sq"])]
    if state:
        head.insert(0, STATE_NAMES[e["state"]])
    return {"head": head, "local": f"{e['node']}:{e['port']}", "peer": e["peer"] or "-"}


def line_of(got):
    return {k: got[k] for k in ("head", "local", "peer")}


def check_listing(listed, socks, states, state_column=True):
    """Only the sockets in `states` are listed, as they are; ss leaves its State column out
    when it asked for one state."""
    for port, e in socks.items():
        if e["state"] not in states:
            eq(port in listed, False, f"socket {port} ({STATE_NAMES[e['state']]}) listed")
            continue
        eq(port in listed, True, f"socket {port} ({STATE_NAMES[e['state']]}) listed")
        eq(line_of(listed[port]), ss_line(e, state_column), f"socket {port}")


@tracked_case()
def ss_all_lists_every_state():
    socks = sockets_in_every_state()
    check_listing(ss("-a"), socks, STATE_NAMES)


@tracked_case()
def ss_listening():
    """-l asks for listening and unconnected sockets."""
    socks = sockets_in_every_state()
    check_listing(ss("-l"), socks, {LISTEN, CLOSE})


@tracked_case()
def ss_state_filter():
    socks = sockets_in_every_state()
    for name, state in (("established", ESTABLISHED), ("listening", LISTEN), ("closed", CLOSE)):
        check_listing(ss("state", name), socks, {state}, state_column=False)


@tracked_case()
def ss_extended_shows_inode_and_cookie():
    socks = sockets_in_every_state()
    listed = ss("-a", "-e")
    for port, e in socks.items():
        s = e["sock"]
        ino = os.fstat(s.fileno()).st_ino
        cookie = struct.unpack("=Q", s.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8))[0]
        extra = [f"ino:{ino}", f"sk:{cookie:x}"]
        if os.getuid():
            extra.insert(0, f"uid:{os.getuid()}")
        eq(listed[port]["rest"], extra, f"socket {port} details")


@tracked_case()
def ss_tipcinfo():
    """--tipcinfo: type, congestion, drops, bindings and the service a connection was made
    to; -O puts it on the socket's line."""
    socks = sockets_in_every_state()
    for opts, oneline in ((["-a", "--tipcinfo"], False), (["-a", "-O", "--tipcinfo"], True)):
        listed = ss(*opts)
        for port, e in socks.items():
            info = [f"type:{TYPE_NAMES[e['type']]}", "cong:none", "drop:0"]
            if e["publ"]:
                info.append("publ")
            if e["via"]:
                info += ["via", "{%d,%d}" % e["via"]]
            got = listed[port]
            eq(got["rest"] if oneline else got["more"], info, f"socket {port} with {opts}")


@tracked_case()
def ss_processes_and_memory():
    """-p names this process and the socket's descriptor; -m and -i add nothing for TIPC."""
    socks = sockets_in_every_state()
    listed = ss("-a", "-p")
    me = os.getpid()
    for port, e in socks.items():
        fd = e["sock"].fileno()
        users = listed[port]["rest"]
        eq(len(users), 1, f"socket {port} users")
        eq(f",pid={me},fd={fd})" in users[0], True, f"socket {port} users {users}")
    for opt in ("-m", "-i"):
        listed = ss("-a", opt)
        for port, e in socks.items():
            eq(listed[port]["rest"] + listed[port]["more"], [], f"socket {port} with {opt}")
            eq(line_of(listed[port]), ss_line(e), f"socket {port} with {opt}")


class Diag:
    """A NETLINK_SOCK_DIAG socket."""

    def __init__(self):
        self.s = track(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG))
        self.s.settimeout(20)
        self.seq = 0

    def dump(self, states, flags=NLM_F_REQUEST | NLM_F_DUMP, req=None):
        """Sends a request for the sockets in `states` (or the request header `req`); returns
        each reply's (type, flags, payload), or raises OSError with the error the kernel answered."""
        self.seq += 1
        body = struct.pack("=BBHI", socket.AF_TIPC, 0, 0, states) if req is None else req
        return transact(self.s, self.seq, SOCK_DIAG_BY_FAMILY, flags, body)


def diag_by_port(replies):
    """The dump's non-empty messages as {port: {attribute: payload}} of their TIPC_NLA_SOCK
    nest, and how many were empty."""
    out, empty = {}, 0
    for kind, flags, msg in replies:
        eq(kind, SOCK_DIAG_BY_FAMILY, "message type")
        eq(flags & NLM_F_MULTI, NLM_F_MULTI, "NLM_F_MULTI")
        if not msg:
            empty += 1
            continue
        top = attrs(msg)
        eq([k for k, _ in top], [NLA_SOCK], "top-level attributes")
        nest = attrs(top[0][1])
        d = dict(nest)
        eq(len(d), len(nest), "attributes once each")
        out[u32(d[SOCK_REF])] = nest
    return out, empty


def check_diag(e, nest):
    """The TIPC_NLA_SOCK nest of socket e: C's attributes in C's order."""
    s, port = e["sock"], e["port"]
    cookie = struct.unpack("=Q", s.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8))[0]
    want = [(SOCK_REF, struct.pack("=I", port)), (SOCK_ADDR, struct.pack("=I", e["node"]))]
    if e["peer"]:
        node, peer_port = map(int, e["peer"].split(":"))
        con = [(CON_NODE, struct.pack("=I", node)), (CON_SOCK, struct.pack("=I", peer_port))]
        if e["via"]:
            con += [(CON_FLAG, b""), (CON_TYPE, struct.pack("=I", e["via"][0])),
                    (CON_INST, struct.pack("=I", e["via"][1]))]
        want.append((SOCK_CON, con))
    elif e["publ"]:
        want.append((SOCK_HAS_PUBL, b""))
    want += [(SOCK_TYPE, struct.pack("=I", e["type"])),
             (SOCK_TIPC_STATE, struct.pack("=I", e["state"])),
             (SOCK_INO, struct.pack("=I", os.fstat(s.fileno()).st_ino & 0xffffffff)),
             (SOCK_UID, struct.pack("=I", os.getuid()))]
    # The cookie is 64 bits wide: aligned by a TIPC_NLA_SOCK_PAD where needed.
    got = [(k, attrs(p) if k in (SOCK_CON, SOCK_STAT, SOCK_GROUP) else p) for k, p in nest
           if k != SOCK_PAD]
    want += [(SOCK_COOKIE, struct.pack("=Q", cookie)),
             (SOCK_STAT, [(STAT_RCVQ, struct.pack("=I", e["rq"])),
                          (STAT_SENDQ, struct.pack("=I", e["sq"])),
                          (STAT_DROP, struct.pack("=I", 0))])]
    if e["group"]:
        # A member alone: no broadcast sent yet, and not open (senders would wait) until a
        # member's window opens it.
        want.append((SOCK_GROUP, [(GROUP_ID, struct.pack("=I", e["group"][0])),
                                  (GROUP_INSTANCE, struct.pack("=I", e["group"][1])),
                                  (GROUP_BC_SEND_NEXT, struct.pack("=I", 0)),
                                  (GROUP_NODE_SCOPE, b"")]))
    eq(got, want, f"socket {port}")


@tracked_case()
def raw_dump_describes_each_socket():
    socks = sockets_in_every_state()
    listed, _ = diag_by_port(Diag().dump(ALL_STATES))
    for port, e in socks.items():
        eq(port in listed, True, f"socket {port} listed")
        check_diag(e, listed[port])


@tracked_case()
def raw_dump_filters_by_state():
    """A socket the states leave out is answered with an empty message, as the C module
    does."""
    socks = sockets_in_every_state()
    d = Diag()
    everything, empty = diag_by_port(d.dump(ALL_STATES))
    eq(empty, 0, "empty messages for all states")
    for states in ({LISTEN}, {ESTABLISHED}, {CLOSE}, {LISTEN, ESTABLISHED}, set()):
        mask = sum(1 << st for st in states)
        listed, empty = diag_by_port(d.dump(mask))
        mine = {p for p in listed if p in socks}
        eq(mine, {p for p, e in socks.items() if e["state"] in states}, f"states {states}")
        eq(len(listed) + empty, len(everything), f"messages for states {states}")
        for port in mine:
            check_diag(socks[port], listed[port])


@tracked_case()
def raw_requests_refused():
    """A short request is EINVAL, one without NLM_F_DUMP EOPNOTSUPP."""
    d = Diag()
    try:
        d.dump(0, req=struct.pack("=BBH", socket.AF_TIPC, 0, 0) + b"\0\0")
    except OSError as e:
        eq(e.errno, 22, "short request")
    else:
        raise AssertionError("a short request was answered")
    try:
        d.dump(ALL_STATES, flags=NLM_F_REQUEST)
    except OSError as e:
        eq(e.errno, 95, "request without NLM_F_DUMP")
    else:
        raise AssertionError("a request without NLM_F_DUMP was answered")


if __name__ == "__main__":
    run()
