#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""socket(AF_TIPC, ...): which types and protocols TIPC accepts, and what the new socket is."""

import errno
import socket

from tipc_ktap import case, eq, raises_errno, run

SOCK_PACKET = 10
TYPES = {
    "SOCK_STREAM": socket.SOCK_STREAM,
    "SOCK_DGRAM": socket.SOCK_DGRAM,
    "SOCK_RDM": socket.SOCK_RDM,
    "SOCK_SEQPACKET": socket.SOCK_SEQPACKET,
}


@case
def four_types_are_served():
    for name, ty in TYPES.items():
        with socket.socket(socket.AF_TIPC, ty, 0) as s:
            eq(s.family, socket.AF_TIPC, f"{name} family")
            eq(s.type, ty, f"{name} type")


@case
def sockopts_describe_the_socket():
    for name, ty in TYPES.items():
        with socket.socket(socket.AF_TIPC, ty) as s:
            eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN), socket.AF_TIPC, f"{name} SO_DOMAIN")
            eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), ty, f"{name} SO_TYPE")
            eq(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL), 0, f"{name} SO_PROTOCOL")


@case
def other_types_are_eprototype():
    for ty in (socket.SOCK_RAW, 0, 6, SOCK_PACKET):
        raises_errno(errno.EPROTOTYPE, socket.socket, socket.AF_TIPC, ty, 0)


@case
def type_out_of_range_is_einval():
    # The socket layer rejects these before the family sees them.
    raises_errno(errno.EINVAL, socket.socket, socket.AF_TIPC, 11, 0)


@case
def nonzero_protocol_is_eprotonosupport():
    for proto in (1, 30, 255):
        for ty in TYPES.values():
            raises_errno(errno.EPROTONOSUPPORT, socket.socket, socket.AF_TIPC, ty, proto)
    # The protocol is checked before the type.
    raises_errno(errno.EPROTONOSUPPORT, socket.socket, socket.AF_TIPC, socket.SOCK_RAW, 1)


@case
def nonblock_and_cloexec_flags_are_accepted():
    flags = socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC
    with socket.socket(socket.AF_TIPC, socket.SOCK_RDM | flags) as s:
        eq(s.getblocking(), False, "blocking")
        eq(s.get_inheritable(), False, "inheritable")


@case
def many_sockets_open_and_close():
    types = list(TYPES.values())
    for _ in range(4):
        socks = [socket.socket(socket.AF_TIPC, types[i % 4]) for i in range(500)]
        for s in socks:
            s.close()


if __name__ == "__main__":
    run()
