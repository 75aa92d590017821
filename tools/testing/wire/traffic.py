#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs on node 1 of a two-node cluster (tools/testing/wire/capture.sh) and makes TIPC traffic
of as many message kinds as one active node can: link setup and probing, name distribution,
connections and subscriptions to node 2's topology server (one subscriber in each byte
order), messages that fragment, bursts that bundle, and rejected messages coming back."""

import os
import select
import socket
import struct
import sys
import time

SUB_PORTS, SUB_SERVICE, SUB_CANCEL = 1, 2, 4
WAIT_FOREVER = 0xFFFFFFFF
EVT = struct.Struct("=IIIII")


def log(*a):
    print("traffic:", *a, flush=True)


def subscr(order, type_, lower, upper, timeout, filt, handle):
    return struct.pack(order + "IIIII8s", type_, lower, upper, timeout, filt, handle)


def read_events(s, seconds, want=None):
    """Reads topology events for up to `seconds`; returns them as (event, lower, upper, ref, node)."""
    out, end = [], time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        data = s.recv(4096)
        if not data:
            break
        out.append(EVT.unpack_from(data))
        if want and want(out):
            break
    return out


def own_node():
    s = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    s.bind((socket.TIPC_ADDR_NAME, 4242, 1, 0))
    name = s.getsockname()
    s.close()
    return name[1] if name[0] == socket.TIPC_ADDR_ID else None


def main():
    self_addr = own_node()
    log("own node", hex(self_addr) if self_addr else self_addr)
    # Wait for node 2: the local topology server reports every node's node-state service.
    top = socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET)
    top.connect((socket.TIPC_ADDR_NAME, 1, 1, 0))
    top.send(subscr("=", 0, 0, 0xFFFFFFFF, WAIT_FOREVER, SUB_PORTS, b"nodes\0\0\0"))
    peer = None
    end = time.time() + 120
    while peer is None and time.time() < end:
        for ev in read_events(top, 5):
            if ev[0] == 1 and ev[1] != self_addr:
                peer = ev[1]
    log("nodes seen")
    if peer is None:
        log("no peer node came up")
        return 1
    log("peer node", hex(peer))
    time.sleep(1)

    # Name distribution: a cluster-scope binding is published to node 2, then withdrawn.
    pub = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    pub.bind((socket.TIPC_ADDR_NAMESEQ, 1000, 0, 99))
    pub2 = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    pub2.bind((socket.TIPC_ADDR_NAME, 1001, 7, 0))
    time.sleep(0.5)

    # Node 2's topology server: one subscriber in host order, one in the other order.
    for order, name in (("=", b"native\0\0"), (">" if sys.byteorder == "little" else "<", b"swapped\0")):
        c = socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET)
        c.settimeout(10)
        c.connect((socket.TIPC_ADDR_NAME, 1, 1, peer))
        c.send(subscr(order, 0, 0, 0xFFFFFFFF, WAIT_FOREVER, SUB_PORTS, name))
        c.send(subscr(order, 1000, 0, 1000, 1500, SUB_SERVICE, name))
        c.send(subscr(order, 1001, 0, 10, 800, SUB_PORTS, name))
        evs = read_events(c, 3)
        log("events from node 2", order, len(evs))
        c.send(subscr(order, 1001, 0, 10, 800, SUB_PORTS | SUB_CANCEL, name))
        if order == "=":
            # Enough subscriptions that node 2 must acknowledge the connection's traffic.
            for i in range(120):
                c.send(subscr(order, 5000 + i, 0, 10, 300, SUB_SERVICE, b"many\0\0\0\0"))
            evs = read_events(c, 4)
            log("timeout events", len(evs))
        c.close()
    pub2.close()

    # Messages to a port that does not exist on node 2 come back with an error code; the
    # large ones fragment on the way out.
    rdm = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    rdm.settimeout(5)
    for size in (3000, 20000, 66000):
        try:
            rdm.sendto(b"F" * size, (socket.TIPC_ADDR_ID, peer, 4711, 0))
            rdm.recvfrom(70000)
        except OSError as e:
            log("large send", size, e)
    # A burst of small messages: the link's window fills and the rest are bundled.
    dgram = socket.socket(socket.AF_TIPC, socket.SOCK_DGRAM)
    dgram.setblocking(False)
    sent = 0
    for i in range(400):
        try:
            dgram.sendto(bytes([i & 0xFF]) * (20 + i % 60), (socket.TIPC_ADDR_ID, peer, 4712, 0))
            sent += 1
        except BlockingIOError:
            time.sleep(0.01)
        except OSError as e:
            log("small send", e)
            break
    log("small messages sent", sent)
    # A connection to node 2's topology server carrying one message too large for it.
    try:
        c = socket.socket(socket.AF_TIPC, socket.SOCK_SEQPACKET)
        c.settimeout(5)
        c.connect((socket.TIPC_ADDR_NAME, 1, 1, peer))
        c.send(b"X" * 5000)
        c.recv(100)
        c.close()
    except OSError as e:
        log("oversized subscription", e)
    # Multicast to the node-state service: node 2 publishes one.
    try:
        rdm.sendto(b"mcast", (socket.TIPC_ADDR_NAMESEQ, 1000, 0, 99))
    except OSError as e:
        log("mcast", e)
    pub.close()
    # Link supervision (probes) and the withdrawals.
    time.sleep(3)
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
