#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Trims a capture to a small test vector: keeps every TIPC frame of the rarer kinds, the
first N of the common ones, and fragmented messages whole (all of them, or the first M of each
sending node with --fragmented M).

With --until-encrypted only the frames before the first encrypted one are read; with
--from-encrypted only that frame and those after it (a capture that turns encryption on
midway makes two test vectors). Encrypted frames are counted by the encryption header's user.
Usage: trim.py [--until-encrypted | --from-encrypted] [--fragmented M] IN.pcap OUT.pcap"""

import argparse
import struct
from collections import Counter

LIMITS = {
    "link-state": 60, "discovery-request": 30, "data": 60,
    "enc-user0": 80, "enc-user7": 40, "enc-user13": 20,
}
DATA_TYPES = {0: "conn", 1: "mcast", 2: "named", 3: "direct"}


def kind(msg, split_data):
    if msg[0] >> 5 == 7:
        return "enc-user%d" % ((msg[0] >> 1) & 15)
    w0, w1 = struct.unpack(">II", msg[:8])
    user, mtyp, err = (w0 >> 25) & 15, w1 >> 29, (w1 >> 25) & 15
    if user <= 3:
        if not split_data:
            return "data"
        return "data-%s%s" % (DATA_TYPES.get(mtyp, mtyp), "-err%d" % err if err else "")
    if user == 7 and mtyp == 0:
        return "link-state"
    if user == 13 and mtyp == 0:
        return "discovery-request"
    return "user%d-type%d" % (user, mtyp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    part = ap.add_mutually_exclusive_group()
    part.add_argument("--until-encrypted", action="store_true")
    part.add_argument("--from-encrypted", action="store_true")
    ap.add_argument("--fragmented", type=int, default=None,
                    help="keep the first M fragmented messages of each node")
    ap.add_argument("--split-data", action="store_true",
                    help="count data messages by type and error code, 40 of each")
    a = ap.parse_args()
    f = open(a.src, "rb").read()
    out, seen, at = [f[:24]], Counter(), 24
    endian = "<" if f[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    encrypted = False
    frag_msgs, frag_keep = Counter(), {}
    while at + 16 <= len(f):
        incl = struct.unpack(endian + "I", f[at + 8:at + 12])[0]
        rec = f[at:at + 16 + incl]
        frame = rec[16:]
        at += 16 + incl
        if frame[12:14] != b"\x88\xca" or len(frame) < 22:
            continue
        msg = frame[14:]
        encrypted = encrypted or msg[0] >> 5 == 7
        if (a.until_encrypted and encrypted) or (a.from_encrypted and not encrypted):
            continue
        k = kind(msg, a.split_data)
        seen[k] += 1
        if msg[0] >> 5 != 7 and (msg[0] >> 1) & 15 == 12:
            # Fragments: keep or drop whole messages, by sending node (word 3).
            node, ftype = msg[12:16], msg[4] >> 5
            if ftype == 0:
                frag_msgs[node] += 1
                frag_keep[node] = a.fragmented is None or frag_msgs[node] <= a.fragmented
            if frag_keep.get(node, False):
                out.append(rec)
            if ftype == 2 and a.fragmented is not None:
                # Retransmissions after the last fragment belong to no message kept whole.
                frag_keep[node] = False
            continue
        limit = LIMITS.get(k, 40 if k.startswith("data-") and "-err" not in k else 1 << 30)
        if seen[k] <= limit:
            out.append(rec)
    open(a.dst, "wb").write(b"".join(out))
    print("kept %d frames:" % (len(out) - 1), dict(seen))


if __name__ == "__main__":
    main()
