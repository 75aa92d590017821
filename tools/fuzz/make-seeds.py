#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rebuilds the seed corpus in seeds/: one message of every kind our emitter makes (the pcap
that tools/testing/wire/tshark-check.sh dissects), the first few frames of each kind in the
captured test vectors (encrypted frames whole, by the encryption header's user), and a few
bare payload structures (Gap ACK record, domain record, topology subscription and event,
fragment streams for the reassembly target).
Usage: make-seeds.py KINDS.pcap CAPTURE.pcap..."""

import hashlib
import os
import struct
import sys
from collections import Counter


def frames(path):
    f = open(path, "rb").read()
    e = "<" if f[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    at = 24
    while at + 16 <= len(f):
        n = struct.unpack(e + "I", f[at + 8:at + 12])[0]
        fr = f[at + 16:at + 16 + n]
        at += 16 + n
        if fr[12:14] == b"\x88\xca":
            m = fr[14:]
            if m[0] >> 5 == 7:
                # Encrypted: no size field, the frame is the whole payload.
                yield m
                continue
            size = struct.unpack(">I", m[:4])[0] & 0x1FFFF
            yield m[:size]


def main(kinds, *captures):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
    os.makedirs(out, exist_ok=True)
    seeds = list(frames(kinds))
    seen = Counter()
    frags = []
    for m in (m for c in captures for m in frames(c)):
        key = (m[0] >> 5, m[0] >> 1 & 15, m[1] >> 6 if m[0] >> 5 == 7 else m[4] >> 5)
        if key[:2] == (2, 12):
            frags.append(m)
        seen[key] += 1
        if seen[key] <= 3 and len(m) <= 400:
            seeds.append(m)
    # Bare structures.
    seeds.append(struct.pack(">HBB", 12, 1, 1) + struct.pack(">HHHH", 5, 0, 9, 2))
    seeds.append(struct.pack(">HHHHQII", 24, 3, 2, 2, 3, 0x1001, 0x1002))
    sub = struct.pack("<IIIII8s", 1000, 0, 99, 0xFFFFFFFF, 1, b"handle\0\0")
    seeds.append(sub)
    seeds.append(struct.pack(">IIIII", 1000, 0, 99, 0xFFFFFFFF, 2) + b"handle\0\0")
    seeds.append(struct.pack("<IIIII", 1, 5, 5, 7, 0x1001) + sub)
    # A fragment stream (length-prefixed) for the reassembly target.
    stream = b"".join(struct.pack(">H", len(m)) + m for m in frags[:4])
    seeds.append(stream)
    for s in seeds:
        name = hashlib.sha1(s).hexdigest()[:16]
        open(os.path.join(out, name), "wb").write(s)
    print("%d seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main(*sys.argv[1:])
