#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An Ethernet hub for the test VMs, over unix datagram sockets.

Each VM's NIC is a QEMU `-netdev dgram` whose local end is <dir>/node<i>.sock and whose remote
end is <dir>/hub.sock. The hub repeats every frame it receives to every other node, so the VMs
share one Ethernet segment that never touches the host's IP stack. With --pcap it also records
every frame, as QEMU's filter-dump would (as sent, before any impairment).

With --impair FILE the hub impairs TIPC frames (Ethernet type 0x88ca, and the UDP datagrams of
UDP bearers: IPv4 or IPv6, from or to port 6118) as FILE says, read
again whenever it changes; without the file, or with an empty one, the segment is perfect.
FILE holds JSON: {"seed": N, "loss": P, "duplicate": P, "reorder": P, "delay_ms": D}, each
probability from 0 to 1 and applied to each copy (one per receiving node) on its own:
lost, sent twice, held back until the next frame to that node has gone (reordered), and
delayed by a uniform 0 to D ms. The random choices come from the seed, so a run with the
same frames in the same order makes the same choices. The hub counts what it did since it
started in FILE.stats (JSON), rewritten at most once a second, with the TIPC frames each node
sent by kind ("sent"): link protocol STATE, RESET and ACTIVATE, discovery, and the messages of a
link's sequence by user, with "resent", those whose sequence number that node had sent in
the last 30 s since its last RESET or ACTIVATE (retransmissions).
"""

import argparse
import heapq
import json
import os
import random
import select
import socket
import struct
import time

ETH_P_TIPC = 0x88CA
TIPC_UDP_PORT = 6118
LINK_PROTOCOL, LINK_CONFIG = 7, 13
RESENT_WINDOW_S = 30
USERS = {0: "low", 1: "medium", 2: "high", 3: "critical", 5: "bcast_protocol", 6: "bundler",
         8: "conn_manager", 11: "name_distributor", 12: "fragmenter", 14: "tunnel"}
LINK_PROTO_TYPES = {0: "STATE", 1: "RESET", 2: "ACTIVATE"}


def tipc_offset(frame):
    """Where the TIPC message of a frame begins: behind Ethernet type 0x88ca, or behind the UDP
    header of a UDP bearer's datagram (IPv4 or IPv6, from or to port 6118); None if the frame
    carries none."""
    kind = struct.unpack_from("!H", frame, 12)[0] if len(frame) >= 14 else 0
    if kind == ETH_P_TIPC:
        return 14
    if kind == 0x0800 and len(frame) >= 34 and frame[23] == 17:
        ports = 14 + (frame[14] & 0xF) * 4
    elif kind == 0x86DD and len(frame) >= 62 and frame[20] == 17:
        ports = 54
    else:
        return None
    if len(frame) < ports + 8 or TIPC_UDP_PORT not in struct.unpack_from("!HH", frame, ports):
        return None
    return ports + 8


def kind_of(frame, offset=14):
    """The kind of a TIPC frame whose message begins at `offset`, and its link sequence number
    if it has one."""
    words = frame[offset : offset + 12]
    if len(words) < 12:
        return "short", None
    w0, w1, w2 = struct.unpack("!III", words)
    user = (w0 >> 25) & 0xF
    if user == LINK_PROTOCOL:
        return LINK_PROTO_TYPES.get(w1 >> 29, "link_protocol"), None
    if user == LINK_CONFIG:
        return "discovery", None
    return USERS.get(user, f"user{user}"), w2 & 0xFFFF


class Impairment:
    """The impairment FILE asks for, re-read when the file changes, and its counters."""

    def __init__(self, path):
        self.path = path
        self.mtime = None
        self.conf = {}
        self.rng = random.Random(0)
        self.held = {}  # node -> the frame held back to be reordered after the next one
        self.stats = {"frames": 0, "lost": 0, "duplicated": 0, "reordered": 0, "delayed": 0,
                      "sent": {}}
        self.stats_written = 0.0
        self.seen = {}  # sender -> {sequence number: when it was last sent}

    def count_sent(self, frame, sender, now):
        """Counts a TIPC frame `sender` put on the segment, by kind."""
        offset = tipc_offset(frame)
        if offset is None:
            return
        kind, seqno = kind_of(frame, offset)
        sent = self.stats["sent"].setdefault(os.path.basename(sender).removesuffix(".sock"), {})
        sent[kind] = sent.get(kind, 0) + 1
        if kind in ("RESET", "ACTIVATE"):
            # A new link session numbers its packets from the start again.
            self.seen.pop(sender, None)
        if seqno is not None:
            seen = self.seen.setdefault(sender, {})
            if now - seen.get(seqno, -RESENT_WINDOW_S) < RESENT_WINDOW_S:
                sent["resent"] = sent.get("resent", 0) + 1
            seen[seqno] = now

    def refresh(self):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self.mtime:
            return
        self.mtime = mtime
        conf = {}
        if mtime is not None:
            try:
                with open(self.path) as f:
                    text = f.read().strip()
                conf = json.loads(text) if text else {}
            except (OSError, ValueError):
                conf = {}
        self.conf = conf
        self.rng = random.Random(conf.get("seed", 0))

    def active(self):
        return any(self.conf.get(k, 0) for k in ("loss", "duplicate", "reorder", "delay_ms"))

    def copies(self, frame, node, now):
        """The (time, frame) sends of one copy of `frame` to `node`."""
        if not self.active() or tipc_offset(frame) is None:
            held = self.held.pop(node, None)
            return [(now, frame)] + ([(now, held)] if held else [])
        self.stats["frames"] += 1
        rng = self.rng
        if rng.random() < self.conf.get("loss", 0):
            self.stats["lost"] += 1
            return []
        out = [frame]
        if rng.random() < self.conf.get("duplicate", 0):
            self.stats["duplicated"] += 1
            out.append(frame)
        held = self.held.pop(node, None)
        if held is None and rng.random() < self.conf.get("reorder", 0):
            self.stats["reordered"] += 1
            self.held[node] = out.pop()
        elif held is not None:
            out.append(held)
        sends = []
        delay = self.conf.get("delay_ms", 0)
        for f in out:
            d = rng.uniform(0, delay) / 1000 if delay else 0
            if d:
                self.stats["delayed"] += 1
            sends.append((now + d, f))
        return sends

    def flush_held(self):
        """The frames held back, which go out when the segment goes quiet."""
        held, self.held = self.held, {}
        return held.items()

    def write_stats(self, now):
        if now - self.stats_written < 1:
            return
        self.stats_written = now
        tmp = self.path + ".stats.tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats, f)
        os.replace(tmp, self.path + ".stats")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="directory holding hub.sock and node<i>.sock")
    ap.add_argument("nodes", type=int, help="number of nodes")
    ap.add_argument("--pcap", help="write every frame to this pcap file")
    ap.add_argument("--impair", help="impair TIPC frames as this JSON file says (see above)")
    args = ap.parse_args()

    hub_path = os.path.join(args.dir, "hub.sock")
    nodes = [os.path.join(args.dir, f"node{i}.sock") for i in range(1, args.nodes + 1)]
    if os.path.exists(hub_path):
        os.unlink(hub_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(hub_path)

    pcap = None
    if args.pcap:
        pcap = open(args.pcap, "wb")
        # pcap global header: magic, v2.4, no timezone, snaplen 65535, LINKTYPE_ETHERNET.
        pcap.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    impair = Impairment(args.impair) if args.impair else None
    pending = []  # heap of (time, sequence, node, frame): sends delayed by the impairment
    seq = 0

    def send(frame, node):
        try:
            sock.sendto(frame, node)
        except OSError:
            # That node is not up yet, or already gone: a hub drops the frame.
            pass

    while True:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, node, frame = heapq.heappop(pending)
            send(frame, node)
        timeout = max(0.0, pending[0][0] - now) if pending else (0.5 if impair else None)
        if not select.select([sock], [], [], timeout)[0]:
            if impair:
                # Quiet: what was held back to be reordered goes now.
                for node, frame in impair.flush_held():
                    send(frame, node)
                impair.refresh()
                impair.write_stats(time.monotonic())
            continue
        frame, sender = sock.recvfrom(65536)
        if pcap:
            wall = time.time()
            sec = int(wall)
            pcap.write(struct.pack("<IIII", sec, int((wall - sec) * 1e6), len(frame), len(frame)))
            pcap.write(frame)
            pcap.flush()
        if impair:
            impair.refresh()
        now = time.monotonic()
        if impair:
            impair.count_sent(frame, sender, now)
        for node in nodes:
            if node == sender:
                continue
            if not impair:
                send(frame, node)
                continue
            for at, f in impair.copies(frame, node, now):
                if at <= now:
                    send(f, node)
                else:
                    seq += 1
                    heapq.heappush(pending, (at, seq, node, f))
        if impair:
            impair.write_stats(now)


if __name__ == "__main__":
    main()
