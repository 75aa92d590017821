#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Neighbour discovery on the wire, one node: handmade discovery frames go into an Ethernet
bearer through a veth pair, and what the node makes of them is read back where a user sees it
(`tipc link list`) and on the wire (its responses). A request from a new peer gets a response
and a link; frames from this node's own address or media address, another network, for another
node, or malformed in any field get neither; a known peer found again at a new media address,
address or identity keeps one link.

The test runs in a network namespace of its own (so the node identity is free to set) and
needs root: tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc &&
tools/testing/selftests/net/tipc/wire_discovery.py'
"""

import ctypes
import fcntl
import os
import select
import socket
import struct
import subprocess
import time

from tipc_cluster import parse_link_list, unicast_links
from tipc_ktap import Skip, case, eq, run

ETH_P_TIPC = 0x88CA
CLONE_NEWNET = 0x40000000
SIOCGIFHWADDR = 0x8927
IF, PEER_IF = "tw0", "tw1"
OWN_ID = "wire1"
BROADCAST = b"\xff" * 6
LINK_CONFIG, LINK_PROTOCOL = 13, 7
MEDIA_ETH = 1
REQUEST, RESPONSE, TRIAL = 0, 1, 2
RESET_MSG = 1
ID128 = 0x100
# How long a frame may take to be answered in a TCG guest, and how long silence is awaited.
ANSWER = 5.0
QUIET = 2.0

_libc = ctypes.CDLL(None, use_errno=True)
# This node as its own discovery requests show it: filled by setup().
OWN = {}
_sniffer = []


def sh(*args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def mac_of(ifname):
    """The hardware address of `ifname` in this network namespace (sysfs shows the one it was
    mounted in)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("16s16x", ifname.encode()))
    return ifreq[18:24]


def node_id(text):
    return text.encode().ljust(16, b"\0")


def parse(frame):
    """The fields of a TIPC frame this test looks at, or None if it is not one."""
    if len(frame) < 14 + 24 or frame[12:14] != struct.pack("!H", ETH_P_TIPC):
        return None
    m = frame[14:]
    w0, w1, w2, w3, w4 = struct.unpack_from("!5I", m)
    hsize = (w0 >> 21 & 0xF) * 4
    f = {
        "dst_mac": frame[0:6],
        "src_mac": frame[6:12],
        "user": w0 >> 25 & 0xF,
        "mtyp": w1 >> 29,
        "dest": w2,
        "prev": w3,
    }
    if f["user"] == LINK_CONFIG and len(m) >= hsize + 16 and hsize >= 40:
        f.update(net_id=w4, caps=w1 >> 15 & 0x1FFF, mac=m[24:30], id=m[hsize:hsize + 16])
    return f


def sniffed(seconds, want):
    """The frames this node sends within `seconds` for which want(fields) holds; stops at the
    first one."""
    s = _sniffer[0]
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if not select.select([s], [], [], left)[0]:
            break
        f = parse(s.recv(4096))
        if f and f["src_mac"] == OWN["mac"] and want(f):
            return f
    return None


def drain():
    s = _sniffer[0]
    while select.select([s], [], [], 0)[0]:
        s.recv(4096)


def discovery(mtyp, prev, ident, mac, *, net_id=None, sig=0x4242, caps=None, dest=0,
              hsize=60, size=None, version=2):
    """A discovery message as the C module lays it out: a 60-byte header whose words 5-12
    carry the media address, then the 16-byte node identity."""
    caps = OWN["caps"] if caps is None else caps
    net_id = OWN["net_id"] if net_id is None else net_id
    body = ident if isinstance(ident, bytes) else node_id(ident)
    size = hsize + len(body) if size is None else size
    w0 = version << 29 | LINK_CONFIG << 25 | (hsize // 4 & 0xF) << 21 | 1 << 20 | size
    w1 = mtyp << 29 | (caps & 0x1FFF) << 15 | (sig & 0x7FFF)
    media = bytes(3) + bytes([MEDIA_ETH]) + mac + bytes(22)
    hdr = struct.pack("!5I", w0, w1, dest, prev, net_id) + media + struct.pack("!II", 0, 0)
    return hdr + body


def inject(msg, dst=BROADCAST):
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((PEER_IF, 0))
        s.send(dst + mac_of(PEER_IF) + struct.pack("!H", ETH_P_TIPC) + msg)


def links():
    """{name: state} of the unicast links `tipc link list` shows."""
    return unicast_links(parse_link_list(sh("tipc", "link", "list")))


def links_to(peer):
    return {n: s for n, s in links().items() if f"-{peer}:" in n}


def response_to(mac, seconds=ANSWER):
    return sniffed(seconds, lambda f: f["user"] == LINK_CONFIG and f["mtyp"] == RESPONSE
                   and f["dst_mac"] == mac)


def setup():
    if os.geteuid() != 0:
        raise Skip("needs root for a network namespace and raw frames")
    if _libc.unshare(CLONE_NEWNET) != 0:
        raise Skip(f"unshare(CLONE_NEWNET): {os.strerror(ctypes.get_errno())}")
    sh("ip", "link", "add", IF, "type", "veth", "peer", "name", PEER_IF)
    sh("ip", "link", "set", IF, "up")
    sh("ip", "link", "set", PEER_IF, "up")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_TIPC))
    s.bind((PEER_IF, ETH_P_TIPC))
    _sniffer.append(s)
    OWN["mac"] = mac_of(IF)
    sh("tipc", "node", "set", "identity", OWN_ID)
    sh("tipc", "bearer", "enable", "media", "eth", "device", IF)
    # Once its address trial is over the node sends requests from its address.
    req = sniffed(30, lambda f: f["user"] == LINK_CONFIG and f["mtyp"] == REQUEST and "id" in f)
    if req is None:
        raise AssertionError("no discovery request from the node within 30 s")
    OWN.update(addr=req["prev"], net_id=req["net_id"], caps=req["caps"], id=req["id"])
    eq(req["id"], node_id(OWN_ID), "the identity in the node's requests")
    eq(req["mac"], OWN["mac"], "the media address in the node's requests")


@case
def a_new_peer_gets_a_response_and_a_link():
    """A request from an unknown node is answered at the media address it names, and a link
    to it is made, down until the peer takes part; the node starts resetting it."""
    drain()
    mac = bytes.fromhex("020000000a01")
    inject(discovery(REQUEST, 0x1001, "peera", mac))
    resp = response_to(mac)
    if resp is None:
        raise AssertionError("no response to the new peer's request")
    eq((resp["dest"], resp["prev"], resp["id"]), (0x1001, OWN["addr"], node_id(OWN_ID)),
       "the response's destination, sender and identity")
    eq(list(links_to("peera").values()), ["down"], f"the links to peera (all: {links()})")
    reset = sniffed(ANSWER, lambda f: f["user"] == LINK_PROTOCOL and f["mtyp"] == RESET_MSG
                    and f["dst_mac"] == mac)
    if reset is None:
        raise AssertionError("no RESET sent to the new peer's media address")


@case
def a_response_makes_a_link_without_an_answer():
    """A response from an unknown node makes its link too, but is not answered."""
    drain()
    mac = bytes.fromhex("020000000b01")
    inject(discovery(RESPONSE, 0x2001, "peerb", mac, dest=0))
    eq(response_to(mac, QUIET), None, "an answer to a response")
    eq(list(links_to("peerb").values()), ["down"], f"the links to peerb (all: {links()})")


def answered(msg, mac, what):
    """Sends msg and fails unless the node responds at `mac`."""
    inject(msg)
    if response_to(mac) is None:
        raise AssertionError(f"no response to {what}")


def ignored(msg, peer, mac, what):
    """msg, sent by `peer` at `mac`, gets no response and makes no link."""
    drain()
    before = links()
    inject(msg)
    eq(response_to(mac, QUIET), None, f"a response to {what}")
    eq(links(), before, f"the links after {what}")
    eq(links_to(peer), {}, f"the links to {peer} after {what}")


@case
def requests_the_node_ignores():
    """Requests from this node's own address or from none, from another network, naming this
    node's media address or a broadcast address, or sent for another node: no response, no
    link."""
    mac = bytes.fromhex("020000000c01")
    for what, addr, peer_mac, kw in [
        ("from this node's own address", OWN["addr"], mac, {}),
        ("from address 0", 0, mac, {}),
        ("from another network id", 0x4001, mac, {"net_id": OWN["net_id"] ^ 1}),
        ("naming this node's own media address", 0x5001, OWN["mac"], {}),
        ("naming the broadcast address", 0x5002, BROADCAST, {}),
        ("for another node", 0x6001, mac, {"dest": OWN["addr"] ^ 0x10}),
    ]:
        ignored(discovery(REQUEST, addr, "peerc", peer_mac, **kw), "peerc", peer_mac,
                f"a request {what}")


@case
def malformed_discovery_frames_are_ignored():
    """Every field that makes a discovery message unusable, one at a time: no response, no
    link, no splat (the differential run checks the kernel log). Not here: the media type
    byte of an Ethernet bearer's request, which C never reads (it answers a request of any
    type at the Ethernet address that follows), and ours checks, dropping and counting a
    request of another type (Documentation/cluster.md)."""
    mac = bytes.fromhex("020000001001")
    good = discovery(REQUEST, 0x7001, "peerg", mac)
    bad = {
        "version 1": discovery(REQUEST, 0x7001, "peerg", mac, version=1),
        "version 3": discovery(REQUEST, 0x7001, "peerg", mac, version=3),
        "header of 20 bytes": discovery(REQUEST, 0x7001, "peerg", mac, hsize=20),
        "size below the header": discovery(REQUEST, 0x7001, "peerg", mac, size=40),
        "size beyond the frame": discovery(REQUEST, 0x7001, "peerg", mac, size=200),
        "size of 0": discovery(REQUEST, 0x7001, "peerg", mac, size=0),
        "a trial failure for no trial": discovery(3, 0x7001, "peerg", mac, dest=0x7002),
    }
    for n in (0, 10, 23, 24, 39, 40, 59):
        bad[f"truncated to {n} bytes"] = good[:n]
    failures = []
    for what, msg in bad.items():
        try:
            ignored(msg, "peerg", mac, what)
        except AssertionError as e:
            failures.append(str(e))
    if failures:
        raise AssertionError("\n".join(failures))
    # The same identity and address, well formed, still gets its link: nothing above stuck.
    drain()
    answered(good, mac, "a good request after the malformed ones")
    eq(list(links_to("peerg").values()), ["down"], f"the links to peerg (all: {links()})")


@case
def a_known_peer_at_a_new_media_address_keeps_one_link():
    """A peer whose link is not up, found at another media address with its signature, is
    taken at the new address: answered there, still one link."""
    drain()
    old, new = bytes.fromhex("020000001101"), bytes.fromhex("020000001102")
    answered(discovery(REQUEST, 0x8001, "peerh", old, sig=0x1111), old, "the first request")
    answered(discovery(REQUEST, 0x8001, "peerh", new, sig=0x1111), new,
             "the request from the new address")
    eq(list(links_to("peerh").values()), ["down"], f"the links to peerh (all: {links()})")


@case
def a_known_address_under_another_identity_keeps_the_first():
    """A request from a known peer's address with another identity is the known peer: no
    second link, and the link keeps the first identity."""
    drain()
    mac = bytes.fromhex("020000001201")
    answered(discovery(REQUEST, 0x9001, "peeri", mac), mac, "the first request")
    before = links()
    inject(discovery(REQUEST, 0x9001, "peerj", mac))
    response_to(mac, QUIET)
    eq(links(), before, "the links after the same address under another identity")
    eq(links_to("peerj"), {}, "the links to the second identity")


@case
def a_known_identity_at_another_address_keeps_one_link():
    """A request from a known peer's identity with another node address is the known peer."""
    drain()
    mac = bytes.fromhex("020000001301")
    answered(discovery(REQUEST, 0xA001, "peerk", mac), mac, "the first request")
    inject(discovery(REQUEST, 0xA002, "peerk", mac))
    response_to(mac, QUIET)
    eq(list(links_to("peerk").values()), ["down"], f"the links to peerk (all: {links()})")


@case
def this_nodes_identity_at_another_address():
    """A request carrying this node's own identity from another address (a clone, or a frame
    damaged on the way): what the node makes of it, and a second such request from a third
    address."""
    drain()
    mac1, mac2 = bytes.fromhex("020000001401"), bytes.fromhex("020000001402")
    inject(discovery(REQUEST, OWN["addr"] ^ 0x20000000, OWN_ID, mac1))
    first = response_to(mac1)
    after_one = links_to(OWN_ID)
    inject(discovery(REQUEST, OWN["addr"] ^ 0x00100000, OWN_ID, mac2))
    second = response_to(mac2)
    after_two = links_to(OWN_ID)
    eq((first is not None, list(after_one.values()), second is not None,
        list(after_two.values())), (True, ["down"], True, ["down"]),
       "(answered, links to own identity) after one and after two requests")


def teardown():
    sh("tipc", "bearer", "disable", "media", "eth", "device", IF)
    sh("ip", "link", "del", IF)


if __name__ == "__main__":
    try:
        setup()
    except Skip as e:
        print("TAP version 13\n1..0 # SKIP", e)
        raise SystemExit(4)
    try:
        run()
    finally:
        teardown()
