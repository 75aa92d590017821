#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An Ethernet hub for the test VMs, over unix datagram sockets.

Each VM's NIC is a QEMU `-netdev dgram` whose local end is <dir>/node<i>.sock and whose remote
end is <dir>/hub.sock. The hub repeats every frame it receives to every other node, so the VMs
share one Ethernet segment that never touches the host's IP stack. With --pcap it also records
every frame, as QEMU's filter-dump would.
"""

import argparse
import os
import socket
import struct
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="directory holding hub.sock and node<i>.sock")
    ap.add_argument("nodes", type=int, help="number of nodes")
    ap.add_argument("--pcap", help="write every frame to this pcap file")
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

    while True:
        frame, sender = sock.recvfrom(65536)
        if pcap:
            now = time.time()
            sec = int(now)
            pcap.write(struct.pack("<IIII", sec, int((now - sec) * 1e6), len(frame), len(frame)))
            pcap.write(frame)
            pcap.flush()
        for node in nodes:
            if node != sender:
                try:
                    sock.sendto(frame, node)
                except OSError:
                    # That node is not up yet, or already gone: a hub drops the frame.
                    pass


if __name__ == "__main__":
    main()
