#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""/proc/sys/net/tipc: the entries, their defaults and bounds, and tipc_rmem's effect on new
sockets' receive buffer."""

import errno
import os
import socket

from tipc_ktap import case, eq, run

DIR = "/proc/sys/net/tipc"
ENTRIES = ["bc_retruni", "key_exchange_enabled", "max_tfms", "named_timeout", "sk_filter",
           "tipc_rmem"]
DEFAULTS = {
    "tipc_rmem": "524288\t2097152\t16777216",
    "named_timeout": "2000",
    "sk_filter": "0\t0\t0\t0\t0",
    "max_tfms": "10",
    "key_exchange_enabled": "1",
    "bc_retruni": "0",
}


def read(name):
    with open(os.path.join(DIR, name)) as f:
        return f.read().strip()


def write(name, value):
    """Writes value; returns 0 or the errno the write failed with."""
    try:
        with open(os.path.join(DIR, name), "w") as f:
            f.write(value)
    except OSError as e:
        return e.errno
    return 0


def rcvbuf(ty=socket.SOCK_RDM):
    with socket.socket(socket.AF_TIPC, ty) as s:
        return s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)


@case
def entries_and_defaults():
    eq(sorted(os.listdir(DIR)), ENTRIES, "entries")
    for name, value in DEFAULTS.items():
        eq(read(name), value, name)


@case
def tipc_rmem_sets_new_sockets_rcvbuf():
    old = read("tipc_rmem")
    try:
        eq(write("tipc_rmem", "4096 65536 1048576"), 0, "write")
        eq(read("tipc_rmem"), "4096\t65536\t1048576", "read back")
        for ty in (socket.SOCK_RDM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET,
                   socket.SOCK_STREAM):
            eq(rcvbuf(ty), 65536, f"SO_RCVBUF of type {ty}")
    finally:
        write("tipc_rmem", old)
    eq(rcvbuf(), 2097152, "SO_RCVBUF after restoring")


@case
def bounds_are_enforced():
    eq(write("tipc_rmem", "0 2097152 16777216"), errno.EINVAL, "tipc_rmem below 1")
    eq(read("tipc_rmem"), DEFAULTS["tipc_rmem"], "unchanged")
    eq(write("key_exchange_enabled", "2"), errno.EINVAL, "key_exchange_enabled above 1")
    eq(write("named_timeout", "-1"), errno.EINVAL, "named_timeout below 0")
    eq(read("named_timeout"), "2000", "unchanged")


@case
def values_are_kept():
    old = read("named_timeout")
    try:
        eq(write("named_timeout", "1234"), 0, "write")
        eq(read("named_timeout"), "1234", "read back")
    finally:
        write("named_timeout", old)


if __name__ == "__main__":
    run()
