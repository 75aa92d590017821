#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The TIPC socket ioctls on a node without a bearer: SIOCGETLINKNAME and SIOCGETNODEID
(include/uapi/linux/tipc.h), their errors, and what other ioctls return, on every socket type.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/ioctl.py'
"""

import ctypes
import errno
import fcntl
import socket
import struct

from tipc_ktap import case, eq, raises_errno, run

AF_TIPC = socket.AF_TIPC
SIOCPROTOPRIVATE = 0x89E0
SIOCGETLINKNAME = SIOCPROTOPRIVATE  # struct tipc_sioc_ln_req
SIOCGETNODEID = SIOCPROTOPRIVATE + 1  # struct tipc_sioc_nodeid_req
TIPC_MAX_LINK_NAME = 68
TIPC_NODEID_LEN = 16
MAX_BEARERS = 3

TYPES = {
    "RDM": socket.SOCK_RDM,
    "DGRAM": socket.SOCK_DGRAM,
    "SEQPACKET": socket.SOCK_SEQPACKET,
    "STREAM": socket.SOCK_STREAM,
}

PEERS = (0, 1, 0x01001001, 0xFFFFFFFF)  # own node (0 without an address), then unknown nodes

_libc = ctypes.CDLL(None, use_errno=True)


def ln_req(peer, bearer_id, name=b""):
    return struct.pack(f"=II{TIPC_MAX_LINK_NAME}s", peer, bearer_id, name)


def nodeid_req(peer, node_id=b""):
    return struct.pack(f"=I{TIPC_NODEID_LEN}s", peer, node_id)


def ioctl(s, req, arg):
    """ioctl(2) with a buffer: returns the buffer as the kernel left it."""
    return fcntl.ioctl(s.fileno(), req, arg)


def ioctl_ptr(s, req, ptr):
    """ioctl(2) with a raw pointer argument (an integer, 0 for NULL)."""
    rc = _libc.ioctl(s.fileno(), ctypes.c_ulong(req), ctypes.c_void_p(ptr))
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    return rc


def each_type():
    for name, ty in TYPES.items():
        s = socket.socket(AF_TIPC, ty)
        yield name, s
        s.close()


@case
def getlinkname_without_links_is_eaddrnotavail():
    for name, s in each_type():
        for peer in PEERS:
            for bearer in (0, 1, MAX_BEARERS - 1, MAX_BEARERS, 0xFFFF, 0x10000, 0xFFFFFFFF):
                raises_errno(errno.EADDRNOTAVAIL, ioctl, s, SIOCGETLINKNAME,
                             ln_req(peer, bearer, b"untouched"))


@case
def getnodeid_without_node_id_leaves_the_buffer():
    # Without a node identity (no bearer was ever enabled), the request succeeds for any peer
    # and the kernel copies the caller's own buffer back.
    pattern = bytes(range(0xA0, 0xB0))
    for name, s in each_type():
        for peer in PEERS:
            req = nodeid_req(peer, pattern)
            eq(ioctl(s, SIOCGETNODEID, req), req, f"{name} peer {peer:#x}")
            zero = nodeid_req(peer)
            eq(ioctl(s, SIOCGETNODEID, zero), zero, f"{name} peer {peer:#x}, zeroed id")


@case
def ioctls_with_a_bad_pointer_are_efault():
    for name, s in each_type():
        raises_errno(errno.EFAULT, ioctl_ptr, s, SIOCGETLINKNAME, 0)
        raises_errno(errno.EFAULT, ioctl_ptr, s, SIOCGETNODEID, 0)
        raises_errno(errno.EFAULT, ioctl_ptr, s, SIOCGETNODEID, 8)


@case
def getnodeid_on_a_connected_socket():
    # The request names its peer: the socket's own state does not matter.
    with socket.socket(AF_TIPC, socket.SOCK_SEQPACKET) as ls:
        ls.listen()
        with socket.socket(AF_TIPC, socket.SOCK_SEQPACKET) as c:
            c.setblocking(False)
            eq(c.connect_ex((socket.TIPC_ADDR_ID, 0, ls.getsockname()[2], 0)),
               errno.EINPROGRESS, "connect")
            a, _ = ls.accept()
            with a:
                req = nodeid_req(0, b"x" * 16)
                eq(ioctl(a, SIOCGETNODEID, req), req, "accepted socket")
                raises_errno(errno.EADDRNOTAVAIL, ioctl, c, SIOCGETLINKNAME, ln_req(0, 0))


@case
def unknown_ioctls_are_enotty():
    for name, s in each_type():
        buf = b"\0" * 64
        # Other protocol-private numbers go on to the device ioctls, which know none of them.
        for req in (SIOCPROTOPRIVATE + 2, SIOCPROTOPRIVATE + 15):
            raises_errno(errno.ENOTTY, ioctl, s, req, buf)
        # Generic socket ioctls TIPC does not implement.
        for req in (0x541B, 0x5411, 0x8906, 0x8907):  # FIONREAD, TIOCOUTQ, SIOCGSTAMP(NS)
            raises_errno(errno.ENOTTY, ioctl, s, req, buf)
        # An unknown number outside the socket range is ENOTTY before the pointer is read.
        raises_errno(errno.ENOTTY, ioctl_ptr, s, 0x12345678, 0)


@case
def interface_ioctls_still_work():
    # Socket ioctls about network devices are the core's, whatever the protocol.
    for name, s in each_type():
        ifr = struct.pack("=16si20x", b"", 1)
        got = ioctl(s, 0x8910, ifr)  # SIOCGIFNAME of ifindex 1
        eq(got[:3], b"lo\0", f"{name} SIOCGIFNAME")
        got = ioctl(s, 0x8933, struct.pack("=16s24x", b"lo"))  # SIOCGIFINDEX of lo
        eq(struct.unpack_from("=i", got, 16)[0], 1, f"{name} SIOCGIFINDEX")


if __name__ == "__main__":
    run()
