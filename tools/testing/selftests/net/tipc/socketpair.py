#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""socketpair(AF_TIPC, ...): two sockets of this node connected to each other, for every
socket type: the addresses each names, data both ways (bytes, messages, messages to the
default destination), poll, and the end of a connection as the other socket sees it.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/socketpair.py'
"""

import errno
import hashlib
import os
import select
import socket
import threading

from tipc_ktap import case, eq, raises_errno, run, sockaddr_tipc, sys_connect

AF_TIPC = socket.AF_TIPC
TYPES = {
    "SOCK_STREAM": socket.SOCK_STREAM,
    "SOCK_SEQPACKET": socket.SOCK_SEQPACKET,
    "SOCK_RDM": socket.SOCK_RDM,
    "SOCK_DGRAM": socket.SOCK_DGRAM,
}
MAX_USER_MSG = 66000
AF_UNSPEC_ADDR = sockaddr_tipc(0, family=socket.AF_UNSPEC)


def pair(ty):
    return socket.socketpair(AF_TIPC, ty, 0)


def poll_events(s):
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLOUT | select.POLLHUP)
    got = p.poll(0)
    return got[0][1] if got else 0


@case
def each_socket_names_the_other_as_its_peer():
    for name, ty in TYPES.items():
        a, b = pair(ty)
        with a, b:
            eq(a.getpeername(), b.getsockname(), f"{name}: a's peer")
            eq(b.getpeername(), a.getsockname(), f"{name}: b's peer")
            if a.getsockname() == b.getsockname():
                raise AssertionError(f"{name}: both sockets have one address")


@case
def a_protocol_is_refused_as_by_socket():
    for ty in TYPES.values():
        raises_errno(errno.EPROTONOSUPPORT, socket.socketpair, AF_TIPC, ty, 1)


@case
def stream_pair_carries_a_large_transfer_both_ways():
    a, b = pair(socket.SOCK_STREAM)
    with a, b:
        for src, dst in ((a, b), (b, a)):
            data = os.urandom(300_000)
            sender = threading.Thread(target=src.sendall, args=(data,))
            sender.start()
            got = bytearray()
            while len(got) < len(data):
                chunk = dst.recv(65536)
                if not chunk:
                    break
                got += chunk
            sender.join()
            eq(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest(), "content")


@case
def seqpacket_pair_keeps_message_boundaries():
    a, b = pair(socket.SOCK_SEQPACKET)
    with a, b:
        sizes = (1, 1000, MAX_USER_MSG, 17)
        msgs = [os.urandom(n) for n in sizes]
        for m in msgs:
            eq(a.send(m), len(m), "sent")
        for m in msgs:
            eq(b.recv(MAX_USER_MSG + 100), m, f"message of {len(m)} bytes")
        eq(b.send(b"back"), 4, "reply sent")
        eq(a.recv(100), b"back", "reply")


@case
def connectionless_pair_sends_to_its_peer_without_an_address():
    for name, ty in (("SOCK_RDM", socket.SOCK_RDM), ("SOCK_DGRAM", socket.SOCK_DGRAM)):
        a, b = pair(ty)
        with a, b:
            eq(a.send(b"ping"), 4, f"{name}: sent")
            data, sender = b.recvfrom(100)
            eq((data, sender), (b"ping", a.getsockname()), f"{name}: received")
            eq(b.send(b"pong"), 4, f"{name}: reply sent")
            eq(a.recvfrom(100), (b"pong", b.getsockname()), f"{name}: reply")


@case
def connectionless_pair_forgets_its_destination_on_connect_unspec():
    a, b = pair(socket.SOCK_RDM)
    with a, b:
        sys_connect(a, AF_UNSPEC_ADDR)
        raises_errno(errno.EDESTADDRREQ, a.send, b"x")
        eq(a.sendto(b"named", b.getsockname()), 5, "an addressed send still goes")
        eq(b.recv(100), b"named", "received")


@case
def a_fresh_pair_is_writable_and_readable_once_sent_to():
    for name, ty in TYPES.items():
        a, b = pair(ty)
        with a, b:
            eq(poll_events(b), select.POLLOUT, f"{name}: fresh")
            a.send(b"x")
            eq(poll_events(b), select.POLLIN | select.POLLOUT, f"{name}: after a send")


@case
def closing_one_end_resets_the_other():
    for name, ty in (("SOCK_STREAM", socket.SOCK_STREAM), ("SOCK_SEQPACKET", socket.SOCK_SEQPACKET)):
        a, b = pair(ty)
        with b:
            a.close()
            raises_errno(errno.ECONNRESET, b.recv, 100)
            raises_errno(errno.EPIPE, b.send, b"x", socket.MSG_NOSIGNAL)


@case
def shutdown_ends_the_peers_data_after_what_was_sent():
    a, b = pair(socket.SOCK_STREAM)
    with a, b:
        raises_errno(errno.EINVAL, a.shutdown, socket.SHUT_WR)
        a.sendall(b"last")
        a.shutdown(socket.SHUT_RDWR)
        eq(b.recv(100), b"last", "the data before")
        eq(b.recv(100), b"", "then end of data")
        raises_errno(errno.ENOTCONN, b.getpeername)


run()
