#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Socket traffic between two nodes running the kernel's C module, for the test vectors that
tools/testing/wire/capture.sh records (`capture.sh sockets`). Node 2 runs `conversation.py
server`, node 1 `conversation.py client`.

Phase 1, in clear: RDM to a name (anycast) and to a socket id in both directions; multicast to
a name range; SEQPACKET and STREAM connections with connect, accept, data both ways and
shutdown, one stream carrying 1.5 MB so that the reader acknowledges (CONN_MANAGER); 60000-byte
messages that fragment; small messages queued behind large ones while the link's window is
full, which bundle; a message and a SYN to a port that does not exist on the peer, which come
back with an error code.

Phase 2, encrypted: both nodes set the same master key (`tipc node set key ... master`) and
trigger a rekeying, so that each node sends its new session key to the other (MSG_CRYPTO,
KEY_DISTR_MSG) and everything after goes encrypted; then a few messages both ways.

The frames change format where encryption starts: capture.sh cuts the capture there into two
test vectors."""

import select
import socket
import subprocess
import sys
import time

SRV_RDM, SRV_SEQ, SRV_STREAM, SRV_MCAST, CLI_RDM, CTRL = 2000, 2001, 2002, 2003, 2100, 2101
# gcm(aes) with a 16-byte key and a 4-byte salt.
KEY = "0x746869735f69735f615f6b657931365f73616c74"
BIG = 1_500_000
SOL_TIPC, TIPC_IMPORTANCE, TIPC_DEST_DROPPABLE = 271, 127, 129


def log(*a):
    print("conversation:", *a, flush=True)


def name(t, i, node=0):
    return (socket.TIPC_ADDR_NAME, t, i, node)


def sock(kind, timeout=10.0):
    s = socket.socket(socket.AF_TIPC, kind)
    s.settimeout(timeout)
    return s


def own_node():
    s = sock(socket.SOCK_RDM)
    s.bind((socket.TIPC_ADDR_NAME, 4243, 1, 0))
    n = s.getsockname()[1]
    s.close()
    return n


def wait_for_name(t, i, seconds):
    """Waits until service {t, i} is published anywhere in the cluster (topology server)."""
    top = sock(socket.SOCK_SEQPACKET, seconds + 5)
    top.connect((socket.TIPC_ADDR_NAME, 1, 1, 0))
    top.send(t.to_bytes(4, sys.byteorder) + i.to_bytes(4, sys.byteorder) * 2
             + int(seconds * 1000).to_bytes(4, sys.byteorder) + (2).to_bytes(4, sys.byteorder)
             + b"wait\0\0\0\0")
    try:
        ev = top.recv(100)
        return int.from_bytes(ev[:4], sys.byteorder) == 1
    except OSError:
        return False
    finally:
        top.close()


def recv_exact(s, n):
    got = 0
    while got < n:
        b = s.recv(min(65536, n - got))
        if not b:
            break
        got += len(b)
    return got


def set_key():
    for args in (["tipc", "node", "set", "key", KEY, "master"],
                 ["tipc", "node", "set", "key", "rekeying", "now"]):
        r = subprocess.run(args, capture_output=True, text=True)
        log(" ".join(args[3:5]), "->", r.returncode, r.stdout.strip(), r.stderr.strip())


def server():
    rdm = sock(socket.SOCK_RDM, None)
    rdm.bind(name(SRV_RDM, 1))
    mc = sock(socket.SOCK_RDM, None)
    mc.bind((socket.TIPC_ADDR_NAMESEQ, SRV_MCAST, 10, 20))
    ctrl = sock(socket.SOCK_RDM, None)
    ctrl.bind(name(CTRL, 2))
    seq = sock(socket.SOCK_SEQPACKET, None)
    seq.bind(name(SRV_SEQ, 1))
    seq.listen(2)
    st = sock(socket.SOCK_STREAM, None)
    st.bind(name(SRV_STREAM, 1))
    st.listen(2)
    log("server ready")
    socks = [rdm, mc, ctrl, seq, st]
    while True:
        r, _, _ = select.select(socks, [], [], 600)
        if not r:
            return 0
        for s in r:
            if s in (rdm, mc):
                data, src = s.recvfrom(70000)
                if s is mc:
                    log("multicast", len(data))
                    continue
                # Back to the sender's socket id, and to the client's name.
                rdm.sendto(b"R" * len(data), src)
                try:
                    rdm.sendto(b"N" * min(len(data), 200), name(CLI_RDM, 1))
                except OSError as e:
                    log("named reply", e)
            elif s is ctrl:
                data, src = s.recvfrom(100)
                log("control", data)
                if data == b"key":
                    ctrl.sendto(b"ok", src)
                    set_key()
                elif data == b"bye":
                    return 0
            else:
                c, _ = s.accept()
                c.settimeout(30)
                try:
                    if s is seq:
                        while True:
                            m = c.recv(70000)
                            if not m:
                                break
                            c.send(m[:100])
                    else:
                        log("stream read", recv_exact(c, BIG))
                        c.sendall(b"S" * 3000)
                        c.recv(100)
                    c.shutdown(socket.SHUT_RDWR)
                except OSError as e:
                    log("connection", e)
                c.close()


def client():
    rdm = None
    try:
        rdm = plain()
    except OSError as e:
        log("phase 1 failed:", e)
    if rdm is None:
        return 1
    return encrypted(rdm)


def plain():
    """Phase 1: traffic in clear; returns the client's RDM socket."""
    me = own_node()
    log("own node", hex(me))
    rdm = sock(socket.SOCK_RDM, 15)
    rdm.bind(name(CLI_RDM, 1))
    if not wait_for_name(SRV_STREAM, 1, 150):
        log("server never came up")
        return None
    time.sleep(0.5)

    # RDM: named (anycast) to node 2; it answers to our socket id and to our name.
    for size in (100, 1000):
        rdm.sendto(b"A" * size, name(SRV_RDM, 1))
        for _ in range(2):
            data, src = rdm.recvfrom(70000)
            log("reply", len(data), src)
    peer_port = src
    # RDM to node 2's socket id, and a 60000-byte one that fragments (its reply too).
    rdm.sendto(b"I" * 60000, peer_port)
    for _ in range(2):
        data, src = rdm.recvfrom(70000)
        log("fragmented reply", len(data))

    # Multicast to a range: node 2 has bound 10-20 of it.
    m = sock(socket.SOCK_RDM)
    m.sendto(b"multicast", (socket.TIPC_ADDR_NAMESEQ, SRV_MCAST, 0, 99))
    m.sendto(b"M" * 3000, (socket.TIPC_ADDR_NAMESEQ, SRV_MCAST, 15, 30))

    # SEQPACKET: connect, messages both ways (one fragments), shutdown.
    c = sock(socket.SOCK_SEQPACKET, 30)
    c.connect(name(SRV_SEQ, 1))
    for size in (10, 500, 60000):
        c.send(b"Q" * size)
        log("seqpacket echo", len(c.recv(70000)))
    c.shutdown(socket.SHUT_RDWR)
    c.close()

    # STREAM: 1.5 MB one way (the reader acknowledges), 3000 bytes back, shutdown.
    c = sock(socket.SOCK_STREAM, 60)
    c.connect(name(SRV_STREAM, 1))
    c.sendall(b"T" * BIG)
    log("stream back", recv_exact(c, 3000))
    c.shutdown(socket.SHUT_RDWR)
    c.close()

    # A message to a port that does not exist on node 2 comes back with an error code:
    # connectionless sockets send droppable messages unless told otherwise. So does a
    # connection's SYN.
    r = sock(socket.SOCK_RDM, 5)
    r.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)
    try:
        r.sendto(b"nobody", (socket.TIPC_ADDR_ID, peer_port[1], 4711, 0))
        data, src = r.recvfrom(100)
        log("returned", data, src)
    except OSError as e:
        log("returned message", e)
    r.close()
    c = sock(socket.SOCK_SEQPACKET, 5)
    try:
        c.connect((socket.TIPC_ADDR_ID, peer_port[1], 4713, 0))
    except OSError as e:
        log("connect to no port", e)
    c.close()

    # A burst of small messages behind large ones that fill the link's send window: they
    # wait in the backlog, where they are bundled. The large ones go at low importance and
    # may congest its backlog; the small ones at high importance, which has its own. Node 2
    # has no port 4712: datagram sockets' messages are dropped there.
    # By now the link's window has grown past what the large ones fill: shrink it to the
    # smallest that may be set (50 packets).
    links = subprocess.run(["tipc", "link", "list"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        link = line.rsplit(":", 1)[0].strip()
        if link and not link.startswith("broadcast"):
            r = subprocess.run(["tipc", "link", "set", "window", "50", "link", link],
                               capture_output=True, text=True)
            log("window of", link, "->", r.returncode, r.stderr.strip())
    nowhere = (socket.TIPC_ADDR_ID, peer_port[1], 4712, 0)
    big = sock(socket.SOCK_DGRAM, None)
    big.setblocking(False)
    small = sock(socket.SOCK_DGRAM, None)
    small.setsockopt(SOL_TIPC, TIPC_IMPORTANCE, 2)
    small.setblocking(False)
    sent = 0
    for i in range(300):
        if i % 40 == 0:
            try:
                big.sendto(b"B" * 60000, nowhere)
            except BlockingIOError:
                pass
        try:
            small.sendto(bytes([i & 0xFF]) * (20 + i % 50), nowhere)
            sent += 1
        except BlockingIOError:
            time.sleep(0.001)
    log("small messages sent", sent)
    time.sleep(2)
    while True:
        try:
            rdm.settimeout(0.5)
            rdm.recvfrom(70000)
        except OSError:
            break

    return rdm


def encrypted(rdm):
    """Phase 2: encryption with a master key; key exchange."""
    log("phase 2")
    ctrl = sock(socket.SOCK_RDM, 20)
    ctrl.sendto(b"key", name(CTRL, 2))
    try:
        log("server key", ctrl.recvfrom(100)[0])
    except OSError as e:
        log("server key", e)
    set_key()
    time.sleep(5)
    rdm.settimeout(10)
    ok = 0
    for attempt in range(6):
        try:
            rdm.sendto(b"E" * (100 + attempt), name(SRV_RDM, 1))
            for _ in range(2):
                rdm.recvfrom(70000)
            ok += 1
            if ok >= 2:
                break
        except OSError as e:
            log("encrypted", e)
            time.sleep(2)
    log("encrypted exchanges", ok)
    try:
        c = sock(socket.SOCK_SEQPACKET, 20)
        c.connect(name(SRV_SEQ, 1))
        c.send(b"q" * 4000)
        log("encrypted seqpacket", len(c.recv(70000)))
        c.close()
    except OSError as e:
        log("encrypted seqpacket", e)
    subprocess.run(["tipc", "node", "list"])
    time.sleep(3)
    ctrl.sendto(b"bye", name(CTRL, 2))
    time.sleep(1)
    log("done")
    return 0


def main():
    try:
        return server() if sys.argv[1:] == ["server"] else client()
    except OSError as e:
        log("failed:", e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
