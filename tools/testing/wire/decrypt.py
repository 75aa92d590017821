#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Decrypts the encrypted frames of a capture made with a known master key (capture.sh sockets)
and writes the messages they hide, as plain TIPC Ethernet frames, to a new capture: a test
vector of what only travels encrypted, such as the key exchange (MSG_CRYPTO).

AES-GCM: the key is the master key less its last 4 bytes, the salt; the nonce is the salt
XOR-ed with a node address (the sender's, for a cluster key) followed by the header's 64-bit
sequence number; the encryption header is the associated data. Session keys are learnt from
the key exchange messages as they are decrypted. Needs python3-cryptography.
Usage: decrypt.py IN.pcap OUT.pcap [MASTER_KEY_HEX]"""

import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The master key conversation.py sets: gcm(aes), 16-byte key and 4-byte salt.
MASTER = "746869735f69735f615f6b657931365f73616c74"


def records(f):
    endian = "<" if f[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    at = 24
    while at + 16 <= len(f):
        incl = struct.unpack(endian + "I", f[at + 8:at + 12])[0]
        yield endian, f[at:at + 16], f[at + 16:at + 16 + incl]
        at += 16 + incl


def decrypt(frame, keys, nodes):
    hlen = 28 if (frame[0] >> 1) & 15 == 13 else 16
    ad, seqno, body = frame[:hlen], frame[4:12], frame[hlen:]
    for k in keys:
        key, salt = k[:-4], struct.unpack("<I", k[-4:])[0]
        for x in [struct.unpack(">I", frame[12:16])[0], 0] + sorted(nodes):
            nonce = struct.pack("<I", salt ^ x) + seqno
            try:
                return AESGCM(key).decrypt(nonce, body, ad)
            except InvalidTag:
                continue
    return None


def main(src, dst, master=MASTER):
    f = open(src, "rb").read()
    keys, nodes, out, failed = [bytes.fromhex(master)], set(), [f[:24]], 0
    for endian, head, frame in records(f):
        if frame[12:14] != b"\x88\xca" or len(frame) < 30:
            continue
        msg = frame[14:]
        if msg[0] >> 5 != 7:
            nodes.add(struct.unpack(">I", msg[12:16])[0])
            continue
        if (msg[0] >> 1) & 15 != 13:
            nodes.add(struct.unpack(">I", msg[12:16])[0])
        plain = decrypt(msg, keys, nodes)
        if plain is None:
            failed += 1
            continue
        if (plain[0] >> 1) & 15 == 14 and len(plain) >= 76:
            # Key exchange: alg_name[32], keylen, key; learn the key.
            klen = struct.unpack(">I", plain[72:76])[0]
            keys.append(plain[76:76 + klen])
        eth = frame[:14] + plain
        eth += bytes(max(0, 60 - len(eth)))
        ts = head[:8]
        out.append(ts + struct.pack(endian + "II", len(eth), len(eth)) + eth)
    open(dst, "wb").write(b"".join(out))
    print("decrypted %d frames, %d failed, %d keys" % (len(out) - 1, failed, len(keys)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
