#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The three-node cluster tests: node 1 (here), nodes 2 and 3 (driven through their agents),
one segment, whichever modules run_cluster.sh loaded on each. Every node links to both
others; bindings reach every node, not only the one that a test runs on; messages to a
service spread over its two remote members, and a multicast reaches members on all three;
a node that falls silent is lost by both others while they stay linked, and is met again.

Run by run_cluster.sh once per module triple, with the set-up it did in the environment:
TIPC_CLUSTER_SHARED, _PAIRING, _ID1, _ID2, _ID3 (node identities), _IF2, _IF3 (their NICs),
_METRICS (a file for the measured figures), _BEARER (eth, udp4, udp6 or udp-rcast, as
cluster_node.sh's bearer has it). Nodes 2 and 3 each run tipc_cluster.py serve: the same
services, so that {T,1} and {T,100,199} have a member on each.
"""

import os
import socket
import time

from tipc_cluster import (
    SERVICE_ADDR,
    SERVICE_RANGE,
    LastHeard,
    LinkWatch,
    Peer,
    local,
    metric,
    parse_link_list,
    server_info,
    timed,
    tipc,
    unicast_links,
)
from tipc_ktap import case, eq, run

SHARED = os.environ.get("TIPC_CLUSTER_SHARED", "")
PAIRING = os.environ.get("TIPC_CLUSTER_PAIRING", "?")
ID = {n: os.environ.get(f"TIPC_CLUSTER_ID{n}", "") for n in (1, 2, 3)}
BEARER = os.environ.get("TIPC_CLUSTER_BEARER", "eth")
# Each node's bearer, as its links name it: its NIC (eth), or udp:nN's name.
if BEARER == "eth":
    B = {1: os.environ.get("TIPC_IF", ""), 2: os.environ.get("TIPC_CLUSTER_IF2", ""), 3: os.environ.get("TIPC_CLUSTER_IF3", "")}
else:
    B = {n: f"n{n}" for n in (1, 2, 3)}
PEERS = {n: Peer(SHARED, n) for n in (2, 3)}
STYPE = 18888
MAC = {n: f"52:54:00:00:00:{n:02x}" for n in (1, 2, 3)}
# What a node runs to wait for its two links (cluster_node.sh waitlink).
WAITLINK = "TIPC_CLUSTER_NODES=3 $TIPC_CLUSTER_DIR/cluster_node.sh waitlink {}"


def link_name(a, b):
    return f"{ID[a]}:{B[a]}-{ID[b]}:{B[b]}"


def links_of(n, seconds=60):
    """Node n's unicast links, {name: state}, once both are up or `seconds` passed."""
    if n == 1:
        deadline = time.monotonic() + seconds
        while True:
            links = unicast_links(parse_link_list(local("link", "list")))
            if sum(s == "up" for s in links.values()) >= 2 or time.monotonic() > deadline:
                return links
            time.sleep(0.2)
    return unicast_links(parse_link_list(PEERS[n].check(WAITLINK.format(seconds), timeout=seconds + 120)))


_servers = {}


def servers():
    """Nodes 2's and 3's services, {node: the addresses tipc_cluster.py serve wrote}."""
    for n in (2, 3):
        if n not in _servers:
            _servers[n] = server_info(SHARED, PAIRING, n)
    return _servers


def table_rows(text, stype=STYPE):
    """`tipc nametable show` rows of `stype` as (lower, upper, scope, port, node) tuples."""
    return sorted(tuple(r.split()[1:]) for r in text.splitlines() if r.split()[:1] == [str(stype)])


def wait_rows(show, want, what, seconds=90):
    """Polls `show()` (a nametable listing) until its rows of STYPE are `want`."""
    deadline = time.monotonic() + seconds
    while True:
        rows = table_rows(show())
        if rows == want or time.monotonic() > deadline:
            break
        time.sleep(1)
    eq(rows, want, f"{what}: rows of type {STYPE} (lower, upper, scope, port, node)")


def rows_seen_by(viewer, nodes):
    """The rows of STYPE node `viewer`'s table shows when the servers on `nodes` are known
    to it: their cluster-scope bindings, and the node-scope {T,300} of its own server."""
    info = servers()
    rows = []
    for n in nodes:
        for key, lower, upper in (("rdm", 1, 1), ("seqpacket", 2, 2), ("stream", 3, 3), ("range", 100, 199)):
            rows.append((str(lower), str(upper), "cluster", str(info[n][key]["ref"]), ID[n]))
    if viewer in info:
        rows.append(("300", "300", "node", str(info[viewer]["range"]["ref"]), ID[viewer]))
    return sorted(rows)


def peer_table(n):
    return PEERS[n].check("tipc nametable show", timeout=60)


def recv_echo(s, msg, what):
    """The echo of `msg` on `s`: returns the node it came from."""
    data, addr = s.recvfrom(70000)
    eq(data, b"echo:" + msg, what)
    return addr[1]


@case
@timed
def every_node_links_to_both_others():
    """Each node lists two unicast links, up, one to each other node, named
    <own>:<bearer>-<peer>:<bearer>; `tipc node list` on each shows the two others, up."""
    for n in (1, 2, 3):
        others = [m for m in (1, 2, 3) if m != n]
        eq(links_of(n), {link_name(n, m): "up" for m in others}, f"node {n}'s tipc link list")
    info = servers()
    addr = {1: None, 2: info[2]["rdm"]["node"], 3: info[3]["rdm"]["node"]}
    for n in (1, 2, 3):
        listing = local("node", "list") if n == 1 else PEERS[n].check("tipc node list", timeout=60)
        rows = {r.split()[0]: r.split()[1:] for r in listing.splitlines()[1:] if r.split()}
        for m in (1, 2, 3):
            if m == n:
                continue
            row = rows.get(ID[m])
            eq(row and row[-1], "up", f"node {n}'s row for {ID[m]} (all rows: {rows})")
            if addr[m] is not None and row and len(row) == 2:
                eq(int(row[0], 16), addr[m], f"node {n}'s hash for {ID[m]}")


@case
@timed
def bindings_reach_every_node():
    """The cluster-scope bindings of nodes 2 and 3 reach node 1's table; node 2's reach
    node 3's and node 3's node 2's, over the link between those two; node-scope ones stay
    on their node."""
    wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2, 3]), "node 1's table")
    wait_rows(lambda: peer_table(2), rows_seen_by(2, [2, 3]), "node 2's table")
    wait_rows(lambda: peer_table(3), rows_seen_by(3, [2, 3]), "node 3's table")


@case
@timed
def rdm_to_each_peer_socket():
    """An RDM message to the socket id of each remote echo socket comes back echoed from it."""
    info = servers()
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(60)
        for n in (2, 3):
            msg = f"to node {n}, {PAIRING}".encode() * 30
            s.sendto(msg, (socket.TIPC_ADDR_ID, info[n]["rdm"]["node"], info[n]["rdm"]["ref"], 0))
            data, addr = s.recvfrom(70000)
            eq(data, b"echo:" + msg, f"node {n}'s echo")
            eq(addr[1:3], (info[n]["rdm"]["node"], info[n]["rdm"]["ref"]), f"node {n}'s echo's source")


@case
@timed
def anycast_takes_turns_between_the_peers():
    """With {T,1} bound on nodes 2 and 3 only, anycasts from node 1 take turns between the
    two (the C module's round robin over a range's bindings)."""
    info = servers()
    wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2, 3]), "node 1's table")
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(60)
        got = []
        for i in range(6):
            msg = f"anycast {i}".encode()
            s.sendto(msg, (SERVICE_ADDR, STYPE, 1, 0))
            got.append(recv_echo(s, msg, f"anycast {i}'s echo"))
    want = [info[2]["rdm"]["node"], info[3]["rdm"]["node"]]
    if got[0] == want[1]:
        want.reverse()
    eq(got, want * 3, "the nodes the anycasts went to, in turn")


@case
@timed
def multicast_reaches_members_on_three_nodes():
    """An RDM multicast to {T,150,160} reaches a member on node 1 and the range members on
    nodes 2 and 3, whose echoes come back, one from each."""
    info = servers()
    wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2, 3]), "node 1's table")
    msg = f"multicast from node 1, {PAIRING}".encode()
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as member, socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        member.bind((SERVICE_RANGE, STYPE, 150, 150, socket.TIPC_CLUSTER_SCOPE))
        member.settimeout(60)
        s.settimeout(60)
        s.sendto(msg, (SERVICE_RANGE, STYPE, 150, 160))
        eq(member.recv(70000), msg, "node 1's member")
        sources = sorted(s.recvfrom(70000)[1][1:3] for _ in range(2))
    eq(sources, sorted((info[n]["range"]["node"], info[n]["range"]["ref"]) for n in (2, 3)), "the echoes' sources")


@case
@timed
def many_multicasts_reach_both_peers():
    """600 RDM multicasts of 1000 bytes to {T,150,160}, 50 at a time, each lot's echoes
    awaited: every message reaches the range members on nodes 2 and 3, whose echoes come
    back. A C node 1 sends them over its broadcast link, which keeps each packet until both
    peers acknowledge it: with a peer that never does, the sender blocks after some 150."""
    info = servers()
    wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2, 3]), "node 1's table")
    members = {(info[n]["range"]["node"], info[n]["range"]["ref"]) for n in (2, 3)}
    got = set()
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
        s.settimeout(60)
        for lot in range(12):
            for i in range(lot * 50, lot * 50 + 50):
                s.sendto(f"flood {i:04d} ".encode().ljust(1000, b"."), (SERVICE_RANGE, STYPE, 150, 160))
            for _ in range(100):
                data, src = s.recvfrom(70000)
                got.add((src[1], src[2], data[:16]))
    eq({(n, r) for n, r, _ in got}, members, "the echoes' sources")
    eq(len(got), 1200, "distinct echoes (600 messages, from each of two members)")


@case
@timed
def a_connection_to_each_peer():
    """SEQPACKET connections to the listeners of nodes 2 and 3, open at once: each carries
    its messages both ways and names its peer."""
    info = servers()
    conns = {}
    try:
        for n in (2, 3):
            c = socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET)
            conns[n] = c
            c.settimeout(60)
            c.connect((socket.TIPC_ADDR_ID, info[n]["seqpacket"]["node"], info[n]["seqpacket"]["ref"], 0))
        for n, c in conns.items():
            eq(c.getpeername()[1], info[n]["seqpacket"]["node"], f"node {n}'s connection's peer node")
            for i in range(3):
                c.send(f"to node {n}, {i}".encode())
        for n, c in conns.items():
            for i in range(3):
                eq(c.recv(100), f"echo:to node {n}, {i}".encode(), f"node {n}'s echo {i}")
    finally:
        for c in conns.values():
            c.close()


@case
@timed
def a_lost_node_leaves_the_others_linked():
    """Node 3's NIC goes down: node 1 declares its link to node 3 down after the tolerance
    and withdraws node 3's bindings, as node 2 does, while nodes 1 and 2 stay linked and
    keep talking; once node 3's NIC is back, all three links and its bindings return."""
    info = servers()
    node3 = info[3]["rdm"]["node"]
    tol = int(local("link", "get", "tolerance", "link", link_name(1, 3)).strip())
    bound = tol / 1000 * 4 + 10
    watch = LinkWatch()
    heard = LastHeard(os.environ.get("TIPC_IF", ""), MAC[3])
    down = False
    try:
        PEERS[3].check('ip link set dev "$TIPC_IF" down', timeout=120)
        down = True
        got = watch.wait(LinkWatch.WITHDRAWN, bound + 60, lower=node3)
        if got is None:
            raise AssertionError(f"no link-down event for node 3 within {bound + 60:.0f} s")
        if heard.last is not None and heard.last <= got[0]:
            metric(f"link to node 3 down {got[0] - heard.last:.2f} s after its last frame (tolerance {tol} ms)")
        eq(unicast_links(parse_link_list(local("link", "list"))).get(link_name(1, 2)), "up", "node 1's link to node 2")
        wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2]), "node 1's table without node 3")
        wait_rows(lambda: peer_table(2), rows_seen_by(2, [2]), "node 2's table without node 3")
        with socket.socket(socket.AF_TIPC, socket.SOCK_RDM) as s:
            s.settimeout(60)
            msg = b"node 3 is gone"
            s.sendto(msg, (SERVICE_ADDR, STYPE, 1, 0))
            eq(recv_echo(s, msg, "the echo while node 3 is gone"), info[2]["rdm"]["node"], "the echo's node")
        PEERS[3].check('ip link set dev "$TIPC_IF" up', timeout=120)
        down = False
        if watch.wait(LinkWatch.PUBLISHED, 120, lower=node3) is None:
            raise AssertionError("node 1's link to node 3 did not come back within 120 s")
    finally:
        heard.close()
        watch.close()
        if down:
            PEERS[3].run('ip link set dev "$TIPC_IF" up', timeout=120)
    for n in (1, 2, 3):
        eq(links_of(n, 120), {link_name(n, m): "up" for m in (1, 2, 3) if m != n}, f"node {n}'s links once node 3 is back")
    wait_rows(lambda: local("nametable", "show"), rows_seen_by(1, [2, 3]), "node 1's table once node 3 is back")


if __name__ == "__main__":
    run()
