#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SOL_TIPC options: defaults per socket type, what set and get accept, and their errors."""

import errno
import socket
import struct

from tipc_ktap import case, eq, raises_errno, run

SOL_TIPC = 271
TIPC_IMPORTANCE = 127
TIPC_SRC_DROPPABLE = 128
TIPC_DEST_DROPPABLE = 129
TIPC_CONN_TIMEOUT = 130
TIPC_NODE_RECVQ_DEPTH = 131
TIPC_SOCK_RECVQ_DEPTH = 132
TIPC_MCAST_BROADCAST = 133
TIPC_MCAST_REPLICAST = 134
TIPC_GROUP_JOIN = 135
TIPC_GROUP_LEAVE = 136
TIPC_SOCK_RECVQ_USED = 137
TIPC_NODELAY = 138

TYPES = {
    "RDM": socket.SOCK_RDM,
    "DGRAM": socket.SOCK_DGRAM,
    "SEQPACKET": socket.SOCK_SEQPACKET,
    "STREAM": socket.SOCK_STREAM,
}


def sock(ty):
    return socket.socket(socket.AF_TIPC, ty)


def get(s, opt):
    return s.getsockopt(SOL_TIPC, opt)


@case
def defaults_per_socket_type():
    want_src = {"RDM": 0, "DGRAM": 1, "SEQPACKET": 0, "STREAM": 0}
    want_dest = {"RDM": 1, "DGRAM": 1, "SEQPACKET": 0, "STREAM": 0}
    for name, ty in TYPES.items():
        with sock(ty) as s:
            eq(get(s, TIPC_IMPORTANCE), 0, f"{name} importance")
            eq(get(s, TIPC_SRC_DROPPABLE), want_src[name], f"{name} src droppable")
            eq(get(s, TIPC_DEST_DROPPABLE), want_dest[name], f"{name} dest droppable")
            eq(get(s, TIPC_CONN_TIMEOUT), 8000, f"{name} conn timeout")
            eq(get(s, TIPC_NODE_RECVQ_DEPTH), 0, f"{name} node recvq depth")
            eq(get(s, TIPC_SOCK_RECVQ_DEPTH), 0, f"{name} sock recvq depth")
            eq(get(s, TIPC_SOCK_RECVQ_USED), 0, f"{name} sock recvq used")
            eq(get(s, TIPC_GROUP_JOIN), 0, f"{name} group")


@case
def importance_takes_low_to_critical():
    with sock(socket.SOCK_RDM) as s:
        for v in range(4):
            s.setsockopt(SOL_TIPC, TIPC_IMPORTANCE, v)
            eq(get(s, TIPC_IMPORTANCE), v, "importance")
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_IMPORTANCE, 4)
        eq(get(s, TIPC_IMPORTANCE), 3, "importance after a refused value")


@case
def booleans_take_any_nonzero():
    with sock(socket.SOCK_RDM) as s:
        s.setsockopt(SOL_TIPC, TIPC_SRC_DROPPABLE, 7)
        eq(get(s, TIPC_SRC_DROPPABLE), 1, "src droppable")
        s.setsockopt(SOL_TIPC, TIPC_DEST_DROPPABLE, 0)
        eq(get(s, TIPC_DEST_DROPPABLE), 0, "dest droppable")


@case
def stream_refuses_src_droppable():
    with sock(socket.SOCK_STREAM) as s:
        raises_errno(errno.ENOPROTOOPT, s.setsockopt, SOL_TIPC, TIPC_SRC_DROPPABLE, 1)


@case
def conn_timeout_round_trips():
    with sock(socket.SOCK_SEQPACKET) as s:
        s.setsockopt(SOL_TIPC, TIPC_CONN_TIMEOUT, 1234)
        eq(get(s, TIPC_CONN_TIMEOUT), 1234, "conn timeout")


@case
def read_only_options_refuse_set():
    with sock(socket.SOCK_RDM) as s:
        for opt in (TIPC_NODE_RECVQ_DEPTH, TIPC_SOCK_RECVQ_DEPTH, TIPC_SOCK_RECVQ_USED):
            raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, opt, 1)


@case
def set_only_options_refuse_get():
    with sock(socket.SOCK_STREAM) as s:
        for opt in (TIPC_NODELAY, TIPC_MCAST_BROADCAST, TIPC_MCAST_REPLICAST, TIPC_GROUP_LEAVE):
            raises_errno(errno.EINVAL, s.getsockopt, SOL_TIPC, opt)
        s.setsockopt(SOL_TIPC, TIPC_NODELAY, 1)


@case
def value_less_options_want_null():
    with sock(socket.SOCK_RDM) as s:
        s.setsockopt(SOL_TIPC, TIPC_MCAST_BROADCAST, None, 0)
        s.setsockopt(SOL_TIPC, TIPC_MCAST_REPLICAST, None, 0)
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_MCAST_BROADCAST, 1)


@case
def short_values_are_einval():
    with sock(socket.SOCK_RDM) as s:
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_IMPORTANCE, b"\x01\x00")
        raises_errno(errno.EINVAL, s.getsockopt, SOL_TIPC, TIPC_IMPORTANCE, 2)
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_GROUP_JOIN, b"\x00" * 12)


@case
def long_values_use_their_first_word():
    with sock(socket.SOCK_RDM) as s:
        s.setsockopt(SOL_TIPC, TIPC_IMPORTANCE, struct.pack("=II", 2, 99))
        eq(get(s, TIPC_IMPORTANCE), 2, "importance")
        eq(len(s.getsockopt(SOL_TIPC, TIPC_IMPORTANCE, 16)), 4, "get length")


@case
def unknown_options_and_levels():
    with sock(socket.SOCK_RDM) as s:
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, 200, 1)
        raises_errno(errno.EINVAL, s.getsockopt, SOL_TIPC, 200)
        raises_errno(errno.ENOPROTOOPT, s.setsockopt, socket.SOL_IP, TIPC_IMPORTANCE, 1)
        raises_errno(errno.ENOPROTOOPT, s.getsockopt, socket.SOL_IP, TIPC_IMPORTANCE)


@case
def tcp_level_is_ignored_on_stream():
    with sock(socket.SOCK_STREAM) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        eq(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 4), b"", "get value")
    with sock(socket.SOCK_RDM) as s:
        raises_errno(errno.ENOPROTOOPT, s.setsockopt, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@case
def group_join_refuses_reserved_types_and_bad_scope():
    with sock(socket.SOCK_RDM) as s:
        req = struct.pack("=IIII", 1, 0, 2, 0)  # type 1 is reserved
        raises_errno(errno.EACCES, s.setsockopt, SOL_TIPC, TIPC_GROUP_JOIN, req)
        req = struct.pack("=IIII", 1000, 0, 4, 0)  # scope beyond node
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_GROUP_JOIN, req)
        raises_errno(errno.EINVAL, s.setsockopt, SOL_TIPC, TIPC_GROUP_LEAVE, None, 0)


if __name__ == "__main__":
    run()
