#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cluster tests: node 1 (here) and node 2 (driven through its agent), one Ethernet
segment, whichever modules run_cluster.sh loaded. What each node's user sees must agree with
the other's: links, nodes, bearers, the name table; messages and connections cross the link;
a silent or vanished peer is noticed within the link tolerance and comes back.

Run by run_cluster.sh once per module pairing, with the set-up it did in the environment:
TIPC_CLUSTER_SHARED, _PAIRING, _ID1, _ID2 (node identities), _IF2 (node 2's NIC), _LINK (the
link it saw come up, empty if none), _PCAP and _PCAP_START (the segment's capture and where
this pairing began in it), _METRICS (a file for the measured figures), _BEARER (the kind of
bearer both nodes enabled: eth, udp4, udp6 or udp-rcast, as cluster_node.sh's bearer has it).
"""

import contextlib
import errno
import json
import os
import random
import re
import select
import socket
import struct
import subprocess
import threading
import time

from tipc_cluster import (
    SERVICE_ADDR,
    SERVICE_RANGE,
    TSHARK_MALFORMED,
    LastHeard,
    LinkWatch,
    Peer,
    TopologyWatch,
    local,
    metric,
    parse_link_list,
    pcap_slice,
    server_info,
    timed,
    tipc,
    tipc_users,
    tshark_malformed,
    unicast_links,
    wait_link,
)
from tipc_ktap import Skip, case, eq, raises_errno, run

SHARED = os.environ.get("TIPC_CLUSTER_SHARED", "")
PAIRING = os.environ.get("TIPC_CLUSTER_PAIRING", "?")
ID1 = os.environ.get("TIPC_CLUSTER_ID1", "")
ID2 = os.environ.get("TIPC_CLUSTER_ID2", "")
IF1 = os.environ.get("TIPC_IF", "")
IF2 = os.environ.get("TIPC_CLUSTER_IF2", "")
LINK = os.environ.get("TIPC_CLUSTER_LINK", "")
PCAP = os.environ.get("TIPC_CLUSTER_PCAP", "")
PCAP_START = int(os.environ.get("TIPC_CLUSTER_PCAP_START", "24") or 24)
IMPAIR = os.environ.get("TIPC_CLUSTER_IMPAIR", "")
BEARER = os.environ.get("TIPC_CLUSTER_BEARER", "eth")
# The bearers' names, media then interface: eth:<NIC>, or udp:n1 and udp:n2.
MEDIA, B1, B2 = ("eth", IF1, IF2) if BEARER == "eth" else ("udp", "n1", "n2")
DIR = os.path.dirname(os.path.abspath(__file__))

PEER = Peer(SHARED)
STYPE = 18888
MAC1, MAC2 = "52:54:00:00:00:01", "52:54:00:00:00:02"
SOL_TIPC = 271
TIPC_ERRINFO, TIPC_RETDATA = 1, 2
TIPC_DEST_DROPPABLE = 129
TIPC_GROUP_JOIN = 135
TIPC_ERR_NO_PORT = 2


def need_link():
    if not LINK:
        raise AssertionError("no link came up between the nodes (see the (link up) row)")


def own_node():
    """This node's address, as a socket's address shows it."""
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        return s.getsockname()[1]


def server():
    """Node 2's services (tipc_cluster.py serve)."""
    return server_info(SHARED, PAIRING, 2)


_view = {}


def peer_view():
    """Node 2's `tipc` views (cluster_node.sh snapshot), fetched once: {what: output}."""
    if not _view:
        # Without a link on node 1, node 2 need not wait for one.
        out = PEER.check(f"$TIPC_CLUSTER_DIR/cluster_node.sh snapshot {30 if LINK else 0}", timeout=180)
        what = None
        for line in out.splitlines():
            if line.startswith("=== "):
                what = line[4:]
                _view[what] = ""
            elif what:
                _view[what] += line + "\n"
    return _view


def names(stype):
    """Node 1's `tipc nametable show` rows of `stype`, as column lists."""
    return [r.split() for r in local("nametable", "show").splitlines() if r.split()[:1] == [str(stype)]]


@case
@timed
def link_names_mirror():
    """Each node lists one unicast link, up, named <own>:<bearer>-<peer>:<bearer>, the
    mirror of the other's name; both list the broadcast link, up."""
    need_link()
    want1 = f"{ID1}:{B1}-{ID2}:{B2}"
    want2 = f"{ID2}:{B2}-{ID1}:{B1}"
    all1 = parse_link_list(local("link", "list"))
    all2 = parse_link_list(peer_view()["link list"])
    eq(unicast_links(all1), {want1: "up"}, "node 1's tipc link list")
    eq(unicast_links(all2), {want2: "up"}, "node 2's tipc link list")
    eq(all1.get("broadcast-link"), "up", "node 1's broadcast link")
    eq(all2.get("broadcast-link"), "up", "node 2's broadcast link")


@case
@timed
def link_properties_agree():
    """`tipc link get` tolerance, priority and window of the link, and the state, MTU,
    priority, tolerance and window `tipc link stat show` prints: the same on both ends."""
    need_link()
    for prop in ["tolerance", "priority", "window"]:
        mine = local("link", "get", prop, "link", LINK).strip()
        theirs = peer_view()[f"link get {prop}"].strip()
        eq(theirs, mine, f"{prop} on node 2 against node 1")
        if not mine.isdigit():
            raise AssertionError(f"tipc link get {prop}: {mine!r} is not a number")
    # `tipc link stat show`'s first line: state, MTU, priority, tolerance and window.
    rx = re.compile(r"^Link <([^>]*)>\n(.*)$", re.M)
    mine = dict(rx.findall(local("link", "stat", "show", "link", LINK)))
    theirs = dict(rx.findall(peer_view()["link stat show"]))
    want2 = f"{ID2}:{B2}-{ID1}:{B1}"
    if not re.fullmatch(r"  ACTIVE  MTU:\d+  Priority:\d+  Tolerance:\d+ ms  Window:\d+ packets", mine.get(LINK, "")):
        raise AssertionError(f"node 1's tipc link stat show link {LINK}: {mine}")
    eq(theirs.get(want2), mine[LINK], "node 2's tipc link stat show line against node 1's")


@case
@timed
def link_set_and_stat_reset():
    """`tipc link set tolerance` on node 1's link reaches node 2's end (C sends it in its
    link protocol messages); `set window` takes a maximum from 50 to 8191 and restarts the
    window (what `get window` shows: the congestion window) at the link's minimum, 50;
    `tipc link stat reset` zeroes the packet counts `tipc link stat show` prints, which the
    earlier cases made large."""
    need_link()
    want2 = f"{ID2}:{B2}-{ID1}:{B1}"
    tol = local("link", "get", "tolerance", "link", LINK).strip()
    # The link's maximum window comes from its media; `get window` shows the current one.
    max_win = local("media", "get", "window", "media", MEDIA).strip()
    try:
        local("link", "set", "tolerance", "3000", "link", LINK)
        local("link", "set", "window", "100", "link", LINK)
        eq(local("link", "get", "tolerance", "link", LINK).strip(), "3000", "node 1's tolerance once set")
        eq(local("link", "get", "window", "link", LINK).strip(), "50", "node 1's window right after set window 100")
        for bad in ["49", "8192"]:
            rc, _, err = tipc("link", "set", "window", bad, "link", LINK)
            eq(rc != 0, True, f"tipc link set window {bad} failing (it printed {err.strip()!r})")
        theirs = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            theirs = PEER.check(f"tipc link get tolerance link {want2}", timeout=60).strip()
            if theirs == "3000":
                break
            time.sleep(1)
        eq(theirs, "3000", "node 2's tolerance after node 1 set it")
        local("link", "stat", "reset", "link", LINK)
        out = local("link", "stat", "show", "link", LINK)
        counts = [int(n) for n in re.findall(r"^  [RT]X packets:(\d+)", out, re.M)]
        eq(len(counts), 2, f"RX and TX packet counts in:\n{out}")
        if max(counts) > 10:
            raise AssertionError(f"packet counts {counts} right after tipc link stat reset:\n{out}")
    finally:
        local("link", "set", "tolerance", tol, "link", LINK)
        local("link", "set", "window", max_win, "link", LINK)


@case
@timed
def node_list_agrees():
    """`tipc node list` on each node shows the other, up, under its identity and with the hash
    (node address) that node's own sockets carry."""
    need_link()
    n1, n2 = own_node(), server()["rdm"]["node"]

    def rows(text):
        """{identity: [hash as a number, state]} from "Node Identity  Hash  State" rows."""
        out = {}
        for r in text.splitlines()[1:]:
            f = r.split()
            if len(f) == 3 and all(c in "0123456789abcdef" for c in f[1]):
                out[f[0]] = [int(f[1], 16), f[2]]
            elif f:
                out[f[0]] = f[1:]
        return out

    rows1, rows2 = rows(local("node", "list")), rows(peer_view()["node list"])
    eq(rows1.get(ID2), [n2, "up"], f"node 1's row for {ID2} (all rows: {rows1})")
    eq(rows2.get(ID1), [n1, "up"], f"node 2's row for {ID1} (all rows: {rows2})")
    eq(sorted(set(rows1) | {ID1}), sorted(set(rows2) | {ID2}), "the identities both nodes know, themselves included")


@case
@timed
def bearer_list_agrees():
    """`tipc bearer list`: each node its own bearer, named eth:<device> or udp:<name>."""
    eq(local("bearer", "list").split(), [f"{MEDIA}:{B1}"], "node 1's tipc bearer list")
    eq(peer_view()["bearer list"].split(), [f"{MEDIA}:{B2}"], "node 2's tipc bearer list")


@case
@timed
def nametable_shows_peer_bindings():
    """Node 2's cluster-scope bindings ({T,1}, {T,2}, {T,3}, {T,100,199}) reach node 1's
    `tipc nametable show` with node 2's ports and identity; its node-scope binding does
    not."""
    need_link()
    info = server()
    want = sorted(
        [
            ["1", "1", "cluster", str(info["rdm"]["ref"]), ID2],
            ["2", "2", "cluster", str(info["seqpacket"]["ref"]), ID2],
            ["3", "3", "cluster", str(info["stream"]["ref"]), ID2],
            ["100", "199", "cluster", str(info["range"]["ref"]), ID2],
        ]
    )
    rows = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = sorted(r[1:] for r in names(STYPE))
        if rows == want:
            break
        time.sleep(0.5)
    eq(rows, want, f"node 1's rows of type {STYPE} (lower, upper, scope, port, node)")


def send_until_routed(s, data, addr, seconds=60):
    """sendto, retried while the name has not reached this node's table yet."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return s.sendto(data, addr)
        except OSError as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"sendto {addr}: {e} for {seconds} s") from None
            time.sleep(0.3)


def connect_until_routed(s, addr, seconds=60):
    """connect, retried while the name has not reached this node's table yet."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return s.connect(addr)
        except OSError as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"connect {addr}: {e} for {seconds} s") from None
            time.sleep(0.3)


@case
@timed
def rdm_to_peer_service():
    """An RDM message to {type,1} reaches node 2's service; its echo comes back from that
    socket's address on node 2."""
    need_link()
    info = server()
    msg = f"hello from node 1, {PAIRING}, {time.time()}".encode() * 20
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(60)
        send_until_routed(s, msg, (SERVICE_ADDR, STYPE, 1, 0))
        data, addr = s.recvfrom(70000)
    eq(data, b"echo:" + msg, "the echo")
    eq(addr[1:3], (info["rdm"]["node"], info["rdm"]["ref"]), "the echo's source (node, port)")


@case
@timed
def seqpacket_to_peer_service():
    """A SEQPACKET connection to node 2's {type,2}: connect, messages both ways with their
    boundaries, the peer's address, an orderly close."""
    need_link()
    info = server()
    with socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET) as s:
        s.settimeout(60)
        connect_until_routed(s, (SERVICE_ADDR, STYPE, 2, 0))
        peer = s.getpeername()
        eq(peer[1], info["seqpacket"]["node"], "the peer's node")
        for n in [1, 100, 1000, 60000]:
            msg = bytes((i * 7 + n) & 0xFF for i in range(n))
            s.send(msg)
            eq(s.recv(70000), b"echo:" + msg, f"the echo of a {n}-byte message")
        s.shutdown(socket.SHUT_RDWR)


def stream_echo(total):
    """Writes `total` bytes to node 2's STREAM echo at {T,3} in pieces of 1 to 70,000 bytes
    while a second thread reads the echo; fails unless it comes back whole and in order."""
    data = bytes((i * 31 + i // 251) & 0xFF for i in range(total))
    got = bytearray()
    errors = []
    with socket.socket(socket.AF_TIPC, socket.SOCK_STREAM) as s:
        s.settimeout(120)
        connect_until_routed(s, (SERVICE_ADDR, STYPE, 3, 0))

        def reader():
            try:
                while len(got) < len(data):
                    chunk = s.recv(70000)
                    if not chunk:
                        break
                    got.extend(chunk)
            except OSError as e:
                errors.append(e)

        t = threading.Thread(target=reader)
        t.start()
        sizes = [1, 100, 1000, 4000, 66000, 70000]
        sent = 0
        i = 0
        while sent < len(data):
            n = min(sizes[i % len(sizes)], len(data) - sent)
            s.sendall(data[sent : sent + n])
            sent += n
            i += 1
        t.join(300)
    eq(errors, [], "errors while reading the echo")
    eq(len(got), len(data), "bytes echoed")
    eq(bytes(got) == data, True, "the echo equals what was sent")


@case
@timed
def stream_to_peer_service():
    """A STREAM connection to node 2's {type,3} echo: 512 KiB written in pieces of 1 byte to
    70,000 bytes comes back complete and in order (fragmentation, the connection's flow
    control and Nagle, in both directions)."""
    need_link()
    server()
    stream_echo(512 * 1024)


def rdm_flood(count):
    """Sends `count` RDM messages of 1 to 1,000 bytes back to back to node 2's echo at {T,1};
    fails unless each echo comes back once, in order."""
    msgs = [f"{i}:".encode() + bytes((i * 7 + k) & 0xFF for k in range((i * 37) % 1000)) for i in range(count)]
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(120)
        send_until_routed(s, msgs[0], (SERVICE_ADDR, STYPE, 1, 0))
        for m in msgs[1:]:
            s.sendto(m, (SERVICE_ADDR, STYPE, 1, 0))
        got = [s.recv(70000) for _ in msgs]
    eq([g[5:].split(b":")[0] for g in got], [m.split(b":")[0] for m in msgs], "the order of the echoes")
    eq(got, [b"echo:" + m for m in msgs], "the echoes")


@case
@timed
def rdm_flood_to_peer_service():
    """600 RDM messages of 1 to 1,000 bytes sent back to back to node 2's echo service each
    come back once, in order (bundling, the link's window and backlog, link congestion
    making the sender wait)."""
    need_link()
    server()
    rdm_flood(600)


@case
@timed
def blocking_sends_wake_after_link_congestion():
    """100 blocking RDM sends of 60,000 bytes back to back to a port node 2 does not have
    (dropped there: TIPC_DEST_DROPPABLE) each complete: a message is 41 fragments, so the
    link's window and backlog fill, the sender is told the link is congested and sleeps
    until the link wakes it. The wakeup may come before the sender has marked the link
    (ours once lost it then, and the socket waited forever). Then an echo still comes back."""
    need_link()
    node2 = server()["rdm"]["node"]
    data = bytes(range(256)) * 234 + bytes(96)
    # On the CPU that takes the NIC's interrupts the acknowledgements are taken in the
    # softirq that releasing the link's lock runs, between the send and the mark.
    cpus = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(cpus)})
        with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
            s.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 1)
            s.settimeout(60)
            for i in range(100):
                try:
                    eq(s.sendto(data, (socket.TIPC_ADDR_ID, node2, 1, 0)), len(data), f"send {i}")
                except socket.timeout:
                    raise AssertionError(f"send {i} of 100 still blocked after 60 s") from None
            s.sendto(b"ping", (SERVICE_ADDR, STYPE, 1, 0))
            eq(s.recv(100), b"echo:ping", "the echo after the sends")
    finally:
        os.sched_setaffinity(0, cpus)


@case
@timed
def rdm_returned_from_peer():
    """An RDM message to a port that node 2 does not have comes back from node 2 as a
    returned message: empty data, TIPC_ERRINFO (TIPC_ERR_NO_PORT and the length), the data in
    TIPC_RETDATA, the dead port on node 2 as its source."""
    need_link()
    info = server()
    node2 = info["rdm"]["node"]
    data = b"to a port node 2 does not have"
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)
        s.settimeout(60)
        s.sendto(data, (socket.TIPC_ADDR_ID, node2, 1, 0))
        got, anc, flags, src = s.recvmsg(4096, 4096)
    eq((got, flags), (b"", 0), "recvmsg data and flags")
    eq(src[1:3], (node2, 1), "the source: the dead port on node 2")
    cmsgs = {t: d for level, t, d in anc if level == SOL_TIPC}
    eq(cmsgs, {TIPC_ERRINFO: struct.pack("=II", TIPC_ERR_NO_PORT, len(data)), TIPC_RETDATA: data}, "cmsgs")


@case
@timed
def multicast_to_members_on_both_nodes():
    """Once node 2's {T,100,199} is in node 1's table, an RDM multicast to {T,150,160}
    reaches a member on node 1 ({T,150}, cluster scope) and, over the link, node 2's member,
    whose echo comes back from it; a node-scope member on node 1 gets it too."""
    need_link()
    info = server()
    deadline = time.monotonic() + 60
    while ["100", "199"] not in [r[1:3] for r in names(STYPE)]:
        if time.monotonic() > deadline:
            raise AssertionError(f"node 2's {{{STYPE},100,199}} did not reach node 1's table in 60 s")
        time.sleep(0.5)
    msg = f"multicast from node 1, {PAIRING}".encode()
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as member, socket.socket(
        socket.AF_TIPC, socket.SOCK_RDM
    ) as local_member, socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        member.bind((SERVICE_RANGE, STYPE, 150, 150, socket.TIPC_CLUSTER_SCOPE))
        local_member.bind((SERVICE_RANGE, STYPE, 155, 155, socket.TIPC_NODE_SCOPE))
        for x in (member, local_member, s):
            x.settimeout(60)
        s.sendto(msg, (SERVICE_RANGE, STYPE, 150, 160))
        eq(member.recv(70000), msg, "node 1's cluster-scope member")
        eq(local_member.recv(70000), msg, "node 1's node-scope member")
        data, addr = s.recvfrom(70000)
    eq(data, b"echo:" + msg, "node 2's member's echo")
    eq(addr[1:3], (info["range"]["node"], info["range"]["ref"]), "the echo's source (node, port)")


@case
@timed
def rdm_and_dgram_to_peer_socket_id():
    """RDM and DGRAM messages sent to the socket id of node 2's echo socket reach it; its
    echoes come back from that id, and an echo of DGRAM to DGRAM."""
    need_link()
    info = server()
    to = (socket.TIPC_ADDR_ID, info["rdm"]["node"], info["rdm"]["ref"], 0)
    for name, ty in (("RDM", socket.SOCK_RDM), ("DGRAM", socket.SOCK_DGRAM)):
        msg = f"{name} to a socket id, {PAIRING}".encode()
        with socket.socket(socket.AF_TIPC, ty) as s:
            s.settimeout(60)
            send_until_routed(s, msg, to)
            data, addr = s.recvfrom(70000)
        eq(data, b"echo:" + msg, f"{name}: the echo")
        eq(addr[1:3], (info["rdm"]["node"], info["rdm"]["ref"]), f"{name}: the echo's source")


def wait_for_peer_binding(lower, upper, seconds=60):
    deadline = time.monotonic() + seconds
    while [str(lower), str(upper)] not in [r[1:3] for r in names(STYPE)]:
        if time.monotonic() > deadline:
            raise AssertionError(f"node 2's {{{STYPE},{lower},{upper}}} did not reach node 1's table")
        time.sleep(0.5)


@case
@timed
def anycast_takes_turns_between_the_nodes():
    """With {T,1} bound on both nodes (cluster scope), anycasts to {T,1} go to the one bound
    last first, then take turns (the C module's round robin over all bindings of a range,
    newest first). With lookup domain node 2 the message goes to node 2 unresolved and node
    2 looks it up in its own table, taking its own turns: node 1's binding, the newest
    there, first."""
    need_link()
    info = server()
    wait_for_peer_binding(1, 1)
    node2 = info["rdm"]["node"]
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as mine, socket.socket(
        socket.AF_TIPC, socket.SOCK_RDM
    ) as s:
        mine.bind((SERVICE_RANGE, STYPE, 1, 1, socket.TIPC_CLUSTER_SCOPE))

        def where(domain, i):
            msg = f"anycast {i}".encode()
            s.sendto(msg, (SERVICE_ADDR, STYPE, 1, domain))
            ready, _, _ = select.select([mine, s], [], [], 60)
            if mine in ready:
                eq(mine.recv(100), msg, "node 1's member got the message")
                return "node1"
            if s in ready:
                eq(s.recv(100), b"echo:" + msg, "node 2's echo")
                return "node2"
            raise AssertionError(f"anycast {i} reached no member in 60 s")

        eq([where(0, i) for i in range(4)], ["node1", "node2", "node1", "node2"], "the turns")
        eq([where(node2, i) for i in range(2)], ["node1", "node2"], "lookup domain node 2")


@case
@timed
def many_connections_at_once():
    """40 SEQPACKET connections to node 2's echo service, all open at once: each carries its
    own message both ways, then all close."""
    need_link()
    info = server()
    conns = []
    try:
        for i in range(40):
            c = socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET)
            conns.append(c)
            c.settimeout(60)
            connect_until_routed(c, (SERVICE_ADDR, STYPE, 2, 0))
        peers = {c.getpeername()[1:3] for c in conns}
        eq(len(peers), 40, "distinct peer sockets on node 2")
        eq({p[0] for p in peers}, {info["seqpacket"]["node"]}, "the peers' node")
        for i, c in enumerate(conns):
            c.send(f"connection {i}".encode())
        for i, c in enumerate(conns):
            eq(c.recv(100), f"echo:connection {i}".encode(), f"connection {i}'s echo")
    finally:
        for c in conns:
            c.close()


@case
@timed
def group_with_a_member_on_the_peer():
    """Communication group STYPE + 1 across the link: node 2's member (instance 2, which
    echoes each group message to its sender by unicast) and node 1's (instance 1, with
    membership events) see each other join; a unicast, an anycast, a multicast and a
    broadcast from node 1 each come back echoed, with the member's address; 60 messages in
    the four modes come back in their order; when node 1's member leaves and joins again,
    node 2's member is announced again."""
    need_link()
    info = server()
    if not info.get("group"):
        raise AssertionError("node 2 could not join the group (see its server log)")
    gtype = STYPE + 1
    peer = (info["group"]["ref"], info["group"]["node"])
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN, struct.pack("=IIII", gtype, 1, socket.TIPC_CLUSTER_SCOPE, 2))
        s.settimeout(60)

        def next_msg():
            data, _, flags, addr = s.recvmsg(70000)
            return data, flags, addr

        data, flags, addr = next_msg()
        eq((data, flags & socket.MSG_OOB), (b"", socket.MSG_OOB), "node 2's member's join event")
        eq((addr[2], addr[1]), peer, "the event's member")
        to_peer = (socket.TIPC_ADDR_ID, peer[1], peer[0], 0)
        for mode, addr_ in (("unicast", to_peer), ("anycast", (SERVICE_ADDR, gtype, 2, 0)),
                            ("multicast", (SERVICE_RANGE, gtype, 2, 2)), ("broadcast", None)):
            msg = f"group {mode} from node 1, {PAIRING}".encode()
            if addr_ is None:
                s.send(msg)
            else:
                s.sendto(msg, addr_)
            data, flags, addr = next_msg()
            eq((data, flags), (b"echo:" + msg, 0), f"{mode} echoed")
            eq((addr[2], addr[1]), peer, f"{mode} echo's source")
        modes = (to_peer, (SERVICE_ADDR, gtype, 2, 0), (SERVICE_RANGE, gtype, 2, 2), None)
        for i in range(60):
            msg = struct.pack("=I", i) + bytes(i * 37)
            if modes[i % 4] is None:
                s.send(msg)
            else:
                s.sendto(msg, modes[i % 4])
        got = [struct.unpack("=I", next_msg()[0][5:9])[0] for _ in range(60)]
        eq(got, list(range(60)), "echoes in order")
        s.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN + 1, None, 0)
        # The C module tells a member of another node's leaving by its LEAVE message at once,
        # and by the withdrawal of its binding later (a topology event, from a workqueue):
        # that late withdrawal, arriving after a join sent right after the leave, takes the
        # new member for the old one, and node 2's member never answers it. A user sees
        # that as a rejoin within milliseconds that is never announced; give it a second.
        time.sleep(1)
        s.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN, struct.pack("=IIII", gtype, 1, socket.TIPC_CLUSTER_SCOPE, 2))
        data, flags, addr = next_msg()
        eq((data, flags & socket.MSG_OOB, (addr[2], addr[1])), (b"", socket.MSG_OOB, peer), "join event again")


@case
@timed
def pcap_discovery_and_link_setup():
    """The segment's capture since this pairing began: both nodes sent LINK_CONFIG (discovery)
    and LINK_PROTOCOL (link set-up and supervision) messages, and tshark finds nothing
    malformed in it, group protocol messages aside (run by tools/cluster-test.sh on the host when it can: tshark in a TCG guest
    takes minutes)."""
    if not PCAP or not os.path.exists(PCAP):
        raise Skip("no capture (tools/cluster-test.sh records one)")
    name = f"{PAIRING}"
    out = os.path.join(SHARED, f"{name}.pcap")
    # tshark 4.0 reads user 9, GROUP_PROTOCOL (the group case's), as TIPC 1.x routing
    # updates, malformed: those frames are left out of what it judges.
    frames, groups = pcap_slice(PCAP, PCAP_START, out, drop_users={9})
    print(f"# {frames} frames since the pairing began, in {out} ({groups} group protocol frames left out)")
    users = tipc_users(out)
    for mac in [MAC1, MAC2]:
        for usr, what in [(13, "LINK_CONFIG"), (7, "LINK_PROTOCOL")]:
            if usr not in users.get(mac, set()):
                raise AssertionError(f"no {what} (user {usr}) from {mac} in the capture; users seen: {users}")
    got = tshark_malformed(SHARED, name)
    if got is None:
        print("# no tshark helper on the host: running tshark here")
        p = subprocess.run(TSHARK_MALFORMED + ["-r", out], capture_output=True, text=True, timeout=200)
        got = p.returncode, p.stdout + (p.stderr if p.returncode else "")
    eq((got[0], got[1].strip()), (0, ""), "tshark -o tipc.defragment:FALSE -r CAPTURE -Y _ws.malformed")


def link_down_and_back(what, down_cmd, up_cmd):
    """Runs down_cmd on node 2, which silences it, and times on node 1 the link going down:
    from the arrival of node 2's last frame (kernel timestamp on node 1's NIC) to the topology
    server's link-down event; `tipc link list` must agree. Commands on node 2 take seconds
    under TCG, so the command's own time cannot be the start. Then up_cmd: the link must come
    back on both nodes."""
    need_link()
    tol = int(local("link", "get", "tolerance", "link", LINK).strip())
    # Generous: under TCG on a loaded host a starved guest runs its timers seconds late (C-C
    # measured 5 to 9 s against 1.5 s there). It still catches a tolerance ignored or misread.
    bound = tol / 1000 * 4 + 10
    watch = LinkWatch()
    heard = LastHeard(IF1, MAC2)
    try:
        t0 = time.time()
        PEER.check(down_cmd, timeout=120)
        t_cmd = time.time() - t0
        got = watch.wait(LinkWatch.WITHDRAWN, bound + 60)
        if got is None:
            raise AssertionError(f"no link-down event {bound + 60:.0f} s after {what} on node 2 ({t_cmd:.1f} s)")
        last = heard.last
        if last is None or last > got[0]:
            raise AssertionError(f"no frame from node 2 before the link-down event (last {last}, event {got[0]})")
        down = got[0] - last
        metric(
            f"link down {down:.2f} s after node 2's last frame, by {what} "
            f"(tolerance {tol} ms, bound {bound:.1f} s; the command took {t_cmd:.1f} s)"
        )
        links = parse_link_list(local("link", "list"))
        if links.get(LINK) == "up":
            raise AssertionError(f"link-down event, yet tipc link list shows {LINK} up")
        PEER.check(up_cmd, timeout=120)
        back = watch.wait(LinkWatch.PUBLISHED, 120)
        if back is None:
            raise AssertionError(f"the link did not come back within 120 s of undoing {what}")
        heard_again = heard.first_after(got[0])
        if heard_again is not None:
            metric(f"link back {back[0] - heard_again:.2f} s after node 2 was heard again")
    finally:
        heard.close()
        watch.close()
    eq(parse_link_list(local("link", "list")).get(LINK), "up", f"node 1's {LINK} once back")
    want2 = f"{ID2}:{B2}-{ID1}:{B1}"
    back2 = unicast_links(parse_link_list(PEER.check("$TIPC_CLUSTER_DIR/cluster_node.sh waitlink 60", timeout=180)))
    eq(back2, {want2: "up"}, "node 2's links once back")
    if down > bound:
        raise AssertionError(f"link down {down:.2f} s after node 2 fell silent: over 4 x tolerance + 10 s ({bound:.1f} s)")
    # A silent peer is declared down after its tolerance, not before: the C module counts
    # tolerance/4 intervals without a frame up to its abort limit.
    if down < tol / 1000 / 2:
        raise AssertionError(f"link down {down:.2f} s after node 2 fell silent: under half the tolerance ({tol} ms)")


@case
@timed
def link_down_on_peer_ifdown():
    """Node 2's NIC goes down (its bearer stops sending at once, so node 1 hears silence):
    node 1 reports the link down after the tolerance (within a margin), and up again once the
    NIC is back."""
    link_down_and_back("ip link set dev down", 'ip link set dev "$TIPC_IF" down', 'ip link set dev "$TIPC_IF" up')


@case
@timed
def link_down_on_peer_bearer_disable():
    """Node 2 disables its bearer (silently, as the C module does it): node 1 reports the link
    down after the tolerance (within a margin), and up again once node 2 enables the bearer."""
    link_down_and_back(
        "tipc bearer disable",
        f'TIPC_CLUSTER_BEARER={BEARER} "$TIPC_CLUSTER_DIR/cluster_node.sh" bearer disable',
        f'TIPC_CLUSTER_BEARER={BEARER} "$TIPC_CLUSTER_DIR/cluster_node.sh" bearer enable',
    )


def link_mtus(want, seconds=120):
    """Polls `tipc link stat show` on both nodes until each shows its unicast link up with
    MTU `want`, and returns the last (node 1, node 2) MTUs read either way."""
    rx = re.compile(r"^Link <([^>]*)>\n\s+ACTIVE\s+MTU:(\d+)", re.M)
    mtus = (None, None)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        n1 = dict(rx.findall(local("link", "stat", "show")))
        n2 = dict(rx.findall(PEER.check("tipc link stat show", timeout=60)))
        mtus = (n1.get(f"{ID1}:{B1}-{ID2}:{B2}"), n2.get(f"{ID2}:{B2}-{ID1}:{B1}"))
        if mtus == (str(want), str(want)):
            break
        time.sleep(1)
    return tuple(int(m) if m else None for m in mtus)


@case
@timed
def link_follows_a_peer_mtu_change():
    """Node 2's NIC MTU drops to 1280: its bearer resets its links, and the link comes back
    with MTU 1280 on both ends (C's tipc_link_proto_rcv takes the smaller MTU a RESET or
    ACTIVATE advertises); a 60,000-byte SEQPACKET message is fragmented to it and echoed
    whole. Restoring 1500 brings the link back at 1500."""
    need_link()
    if BEARER != "eth":
        raise Skip("a device's MTU is an Ethernet bearer's (a UDP bearer keeps its own)")
    server()
    mtu = PEER.check('cat /sys/class/net/"$TIPC_IF"/mtu', timeout=60).strip()
    eq(link_mtus(int(mtu), 30), (int(mtu), int(mtu)), "the link's MTU on node 1 and node 2 first")
    try:
        PEER.check('ip link set dev "$TIPC_IF" mtu 1280', timeout=120)
        eq(link_mtus(1280), (1280, 1280), "the link's MTU on node 1 and node 2 after node 2's NIC went to 1280")
        msg = bytes((i * 13) & 0xFF for i in range(60000))
        with socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET) as s:
            s.settimeout(60)
            connect_until_routed(s, (SERVICE_ADDR, STYPE, 2, 0))
            s.send(msg)
            eq(s.recv(70000), b"echo:" + msg, "the echo of a 60,000-byte message at MTU 1280")
    finally:
        PEER.check(f'ip link set dev "$TIPC_IF" mtu {mtu}', timeout=120)
    eq(link_mtus(int(mtu)), (int(mtu), int(mtu)), f"the link's MTU on both nodes once node 2's NIC is back at {mtu}")


@contextlib.contextmanager
def peer_nic_down():
    """Takes node 2's NIC down for the body, which gets a LinkWatch started before; then
    brings it up and fails unless the link comes back within 120 s."""
    watch = LinkWatch()
    try:
        PEER.check('ip link set dev "$TIPC_IF" down', timeout=120)
        yield watch
    finally:
        PEER.check('ip link set dev "$TIPC_IF" up', timeout=120)
        back = watch.wait(LinkWatch.PUBLISHED, 120)
        watch.close()
    if back is None:
        raise AssertionError("the link did not come back within 120 s of node 2's NIC going up")


@case
@timed
def peer_remove_forgets_a_lost_node():
    """`tipc peer remove` refuses node 2 while in contact with it (EBUSY); once node 2's NIC
    is down and the link gone, it forgets node 2, which `tipc node list` then no longer
    shows; node 2 is met again once its NIC is back."""
    need_link()
    node2 = server()["rdm"]["node"]

    def remove():
        """`tipc peer remove address NODE2`: its status and the last line it printed (tipc
        first says that the number is not in the legacy Z.C.N form)."""
        rc, out, err = tipc("peer", "remove", "address", str(node2))
        return rc, ((out + err).strip().splitlines() or [""])[-1]

    eq(remove(), (255, "kernel answers: Device or resource busy"), "in contact")
    with peer_nic_down() as watch:
        if watch.wait(LinkWatch.WITHDRAWN, 120) is None:
            raise AssertionError("no link-down event within 120 s of node 2's NIC going down")
        eq(remove(), (0, "invalid network address, syntax: Z.C.N"), "once the link is down")
        listed = local("node", "list")
        if ID2 in listed or f"{node2:x}" in listed:
            raise AssertionError(f"tipc node list still shows node 2:\n{listed}")
        eq(remove(), (255, "kernel answers: No such device or address"), "removed")


@case
@timed
def topology_server_tracks_the_peer():
    """Node 1's topology server, subscribed to node states ({TIPC_NODE_STATE, 0, ~0}) and to
    node 2's service {T,1}: both appear at once (node 2's address; the binding with node 2's
    port), are withdrawn when node 2's NIC goes down and node 2 is lost, and appear again
    once it is back."""
    need_link()
    info = server()
    node2 = info["rdm"]["node"]
    nodes = TopologyWatch(0, 0, 0xFFFFFFFF)
    service = TopologyWatch(STYPE, 1, 1)
    try:
        got = nodes.wait(TopologyWatch.PUBLISHED, 30, lower=node2)
        eq(got is not None, True, "node 2's node state among the first events")
        got = service.wait(TopologyWatch.PUBLISHED, 60)
        eq(got and got[2], node2, "the node of {T,1}'s first event")
        with peer_nic_down() as watch:
            if watch.wait(LinkWatch.WITHDRAWN, 120) is None:
                raise AssertionError("no link-down event within 120 s of node 2's NIC going down")
            eq(nodes.wait(TopologyWatch.WITHDRAWN, 30, lower=node2) is not None, True, "node 2's node state withdrawn")
            got = service.wait(TopologyWatch.WITHDRAWN, 30)
            eq(got and got[2], node2, "the node of {T,1}'s withdrawal")
        eq(nodes.wait(TopologyWatch.PUBLISHED, 60, lower=node2) is not None, True, "node 2's node state once back")
        got = service.wait(TopologyWatch.PUBLISHED, 60)
        eq(got and got[2], node2, "the node of {T,1} once back")
    finally:
        nodes.close()
        service.close()


def hub_stats():
    """What the hub has counted since it started (tools/vm/hub.py), {} if nothing yet."""
    try:
        with open(IMPAIR + ".stats") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def counts_since(before, after):
    """The counts of `after` less those of `before`, nested dictionaries alike."""
    if isinstance(after, dict):
        return {k: counts_since(before.get(k, {} if isinstance(v, dict) else 0), v) for k, v in after.items()}
    return after - before


@case
@timed
def transfers_survive_an_impaired_network():
    """The hub loses 20 % of the TIPC frames it carries, duplicates 5 %, reorders 10 % and
    delays each by up to 5 ms (seeded): a 256 KiB STREAM echo and 300 RDM echoes to node 2
    still arrive whole, in order, each once, and the link stays up. The figures: how long
    each took, and what the hub did to the frames."""
    need_link()
    server()
    if not IMPAIR:
        raise Skip("the hub takes no impairment here (TIPC_CLUSTER_IMPAIR is unset)")
    conf = {"seed": 10, "loss": 0.2, "duplicate": 0.05, "reorder": 0.1, "delay_ms": 5}
    before = hub_stats()
    watch = LinkWatch()
    try:
        with open(IMPAIR + ".tmp", "w") as f:
            json.dump(conf, f)
        os.replace(IMPAIR + ".tmp", IMPAIR)
        t0 = time.monotonic()
        stream_echo(256 * 1024)
        t1 = time.monotonic()
        rdm_flood(300)
        t2 = time.monotonic()
    finally:
        if os.path.exists(IMPAIR):
            os.unlink(IMPAIR)
    time.sleep(1.5)
    stats = counts_since(before, hub_stats())
    metric(
        f"impaired network ({conf}): 256 KiB stream echo in {t1 - t0:.1f} s, 300 RDM echoes in "
        f"{t2 - t1:.1f} s; the hub: {stats}"
    )
    down = watch.wait(LinkWatch.WITHDRAWN, 0.1)
    watch.close()
    eq(down, None, "a link-down event during the impaired transfers")


@case
@timed
def connection_reset_when_peer_node_lost():
    """A SEQPACKET connection to node 2's echo service: node 2's NIC goes down, node 1 loses
    the node, and the connection reads ECONNRESET, then writes EPIPE (C's
    tipc_node_lost_contact); the link comes back once the NIC is up."""
    need_link()
    server()
    with socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET) as s:
        s.settimeout(120)
        connect_until_routed(s, (SERVICE_ADDR, STYPE, 2, 0))
        s.send(b"before")
        eq(s.recv(100), b"echo:before", "the echo before")
        with peer_nic_down():
            try:
                got = s.recv(100)
            except ConnectionResetError:
                got = "ECONNRESET"
            eq(got, "ECONNRESET", "recv once node 2 is lost")
            raises_errno(errno.EPIPE, s.send, b"after")


def capture_tipc_frames(ifname, seconds, count):
    """Up to `count` Ethernet TIPC frames seen on `ifname` (both ways) within `seconds`."""
    got = []
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88CA)) as s:
        s.bind((ifname, 0x88CA))
        s.settimeout(0.2)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(got) < count:
            try:
                got.append(s.recv(2000))
            except socket.timeout:
                continue
    return got


def hostile_frames(templates, n, rng):
    """`n` frames made from real ones: bits flipped in the TIPC header, sizes and header
    sizes that lie, users and message types at random, truncations, discovery with another
    network id or claiming node 2's own identity, and random bytes behind a TIPC header."""
    mac2 = bytes(int(b, 16) for b in MAC2.split(":"))
    out = []
    for i in range(n):
        f = bytearray(rng.choice(templates))
        kind = i % 7
        msg = 14
        if kind == 0:  # flipped bits in the first ten header words
            for _ in range(rng.randint(1, 8)):
                pos = msg + rng.randrange(min(40, len(f) - msg))
                f[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:  # a size that lies
            w0 = struct.unpack_from("!I", f, msg)[0]
            struct.pack_into("!I", f, msg, (w0 & ~0x1FFFF) | rng.choice([0, 1, 23, 24, 40, 0x1FFFF, rng.randrange(0x20000)]))
        elif kind == 2:  # a header size that lies
            w0 = struct.unpack_from("!I", f, msg)[0]
            struct.pack_into("!I", f, msg, (w0 & ~(0xF << 21)) | (rng.randrange(16) << 21))
        elif kind == 3:  # any user and message type
            w0, w1 = struct.unpack_from("!II", f, msg)
            struct.pack_into("!II", f, msg, (w0 & ~(0xF << 25)) | (rng.randrange(16) << 25), (w1 & 0x1FFFFFFF) | (rng.randrange(8) << 29))
        elif kind == 4:  # truncated
            del f[rng.randrange(msg, len(f)) :]
        elif kind == 5:  # discovery from another network, or claiming node 2's identity
            w0 = (2 << 29) | (13 << 25) | (11 << 21) | 88  # v2, LINK_CONFIG, 44-byte header
            f = bytearray(f[:msg]) + bytearray(struct.pack("!II", w0, 0)) + bytearray(rng.randbytes(80))
            if rng.random() < 0.5:
                f[msg + 12 : msg + 16] = struct.pack("!I", server()["rdm"]["node"])  # prevnode
        else:  # random bytes behind a real header
            f[msg + 24 :] = rng.randbytes(max(0, len(f) - msg - 24))
        f[6:12] = bytes.fromhex(MAC1.replace(":", ""))
        if rng.random() < 0.8:
            f[0:6] = mac2
        out.append(bytes(f))
    return out


@case
@timed
def hostile_frames_do_not_break_node_2():
    """Node 1 puts 3,000 malformed or hostile TIPC frames on the segment, seeded (mutations of
    the frames it sees pass, discovery from another network or claiming node 2's identity):
    node 2 drops what it cannot use without a splat (the teardown checks its kernel log), and
    the link is up again, carrying messages, within 120 s."""
    need_link()
    if BEARER != "eth":
        raise Skip("raw frames go on an Ethernet bearer's segment")
    server()
    templates = capture_tipc_frames(IF1, 10, 40)
    if not templates:
        raise AssertionError("no TIPC frame seen on the segment in 10 s")
    frames = hostile_frames(templates, 3000, random.Random(2026))
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((IF1, 0))
        for i, f in enumerate(frames):
            s.send(f)
            if i % 100 == 99:
                time.sleep(0.01)
    secs, _, listing = wait_link(120)
    if secs is None:
        raise AssertionError(f"node 1's link not up within 120 s of the hostile frames:\n{listing}")
    back = unicast_links(parse_link_list(PEER.check("$TIPC_CLUSTER_DIR/cluster_node.sh waitlink 120", timeout=240)))
    real = f"{ID2}:{B2}-{ID1}:{B1}"
    eq(back.get(real), "up", f"node 2's link to node 1 after the hostile frames (all: {back})")
    # A mutated discovery frame that still reads as a request from a node of another address
    # makes that node and a link to it, as any new peer's would (wire_discovery.py shows
    # both modules doing so): such links exist but never come up.
    eq([n for n, state in back.items() if n != real and state == "up"], [], "other links up on node 2")
    msg = b"after the storm"
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(60)
        send_until_routed(s, msg, (SERVICE_ADDR, STYPE, 1, 0))
        eq(s.recv(1000), b"echo:" + msg, "node 2's echo after the hostile frames")


if __name__ == "__main__":
    run()
