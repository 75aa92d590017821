#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Trims a capture to a small test vector: keeps every TIPC frame of the rarer kinds and all
fragments (so fragmented messages stay whole), and the first N of the common ones.
Usage: trim.py IN.pcap OUT.pcap"""

import struct
import sys
from collections import Counter

LIMITS = {"link-state": 60, "discovery-request": 30, "data": 60}


def kind(msg):
    w0, w1 = struct.unpack(">II", msg[:8])
    user, mtyp = (w0 >> 25) & 15, w1 >> 29
    if user <= 3:
        return "data"
    if user == 7 and mtyp == 0:
        return "link-state"
    if user == 13 and mtyp == 0:
        return "discovery-request"
    return "user%d-type%d" % (user, mtyp)


def main(src, dst):
    f = open(src, "rb").read()
    out, seen, at = [f[:24]], Counter(), 24
    endian = "<" if f[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while at + 16 <= len(f):
        incl = struct.unpack(endian + "I", f[at + 8:at + 12])[0]
        rec = f[at:at + 16 + incl]
        frame = rec[16:]
        at += 16 + incl
        if frame[12:14] != b"\x88\xca" or len(frame) < 22:
            continue
        k = kind(frame[14:])
        seen[k] += 1
        if seen[k] <= LIMITS.get(k, 1 << 30):
            out.append(rec)
    open(dst, "wb").write(b"".join(out))
    print("kept %d frames:" % (len(out) - 1), dict(seen))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
