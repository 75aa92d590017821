#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The TIPCv2 generic netlink family on one node, as raw netlink and iproute2's `tipc` see it:
the family's operations and their flags (as the generic netlink controller reports them), the
network dump (TIPC_NL_NET_GET) attribute for attribute, the name table dump
(TIPC_NL_NAME_TABLE_GET) with its order and fields over more bindings than one buffer holds,
permissions, and the `tipc` command's view of both.

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/netlink.py'
"""

import errno
import os
import shutil
import socket
import struct
import subprocess

from tipc_genl import (CLUSTER, CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR, CTRL_ATTR_OP_FLAGS,
                       CTRL_ATTR_OP_ID, CTRL_ATTR_OPS, CTRL_ATTR_VERSION, NLA_F_NESTED, NODE,
                       RESERVED_TYPES, SERVICE_RANGE, TIPC_NL_NAME_TABLE_GET, TIPC_NL_NET_GET,
                       TIPC_NL_NET_SET, TIPC_NLA_NET, TIPC_NLA_NET_ID, TIPC_NLA_NET_NODEID,
                       TIPC_NLA_NET_NODEID_W1, Genl, attr, attrs, check_table_dump, name_table,
                       nla, u32)
from tipc_ktap import Skip, case, eq, run

AF_TIPC = socket.AF_TIPC

AF_TIPC = socket.AF_TIPC
# The operations of the C module's family, each command with the flags the generic netlink
# controller reports for it: GENL_CMD_CAP_DO 0x2 and GENL_CMD_CAP_DUMP 0x4 for its handlers,
# GENL_CMD_CAP_HASPOL 0x8 where requests are parsed with the family's policy (every doit, and
# the dumps not spared it by GENL_DONT_VALIDATE_DUMP), GENL_UNS_ADMIN_PERM 0x10 where
# CAP_NET_ADMIN is needed.
DO, DUMP, HASPOL, UNS_ADMIN = 0x2, 0x4, 0x8, 0x10
ADMIN_DO = DO | HASPOL | UNS_ADMIN
C_OPS = {
    2: ADMIN_DO,  # BEARER_DISABLE
    3: ADMIN_DO,  # BEARER_ENABLE
    4: DO | DUMP | HASPOL,  # BEARER_GET
    5: ADMIN_DO,  # BEARER_SET
    6: DUMP,  # SOCK_GET
    7: DUMP | HASPOL,  # PUBL_GET
    8: DO | DUMP | HASPOL,  # LINK_GET
    9: ADMIN_DO,  # LINK_SET
    10: ADMIN_DO,  # LINK_RESET_STATS
    11: DO | DUMP | HASPOL,  # MEDIA_GET
    12: ADMIN_DO,  # MEDIA_SET
    13: DUMP,  # NODE_GET
    14: DUMP,  # NET_GET
    15: ADMIN_DO,  # NET_SET
    16: DUMP,  # NAME_TABLE_GET
    17: ADMIN_DO,  # MON_SET
    18: DO | DUMP | HASPOL,  # MON_GET
    19: DUMP | HASPOL,  # MON_PEER_GET
    20: ADMIN_DO,  # PEER_REMOVE
    21: ADMIN_DO,  # BEARER_ADD
    22: DUMP | HASPOL,  # UDP_GET_REMOTEIP
    23: ADMIN_DO,  # KEY_SET
    24: ADMIN_DO,  # KEY_FLUSH
    25: DO | HASPOL,  # ADDR_LEGACY_GET
}

_next_type = [9000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


@case
def family_is_registered_with_the_c_modules_operations():
    g = Genl()
    try:
        fam = g.family("TIPCv2")
    finally:
        g.close()
    eq(u32(attr(fam, CTRL_ATTR_VERSION)), 1, "version")
    eq(u32(attr(fam, CTRL_ATTR_HDRSIZE)), 0, "header size")
    eq(u32(attr(fam, CTRL_ATTR_MAXATTR)), 10, "highest attribute")
    ops = {}
    for _, op in attrs(attr(fam, CTRL_ATTR_OPS)):
        ops[u32(attr(op, CTRL_ATTR_OP_ID))] = u32(attr(op, CTRL_ATTR_OP_FLAGS))
    eq(ops, C_OPS, "operations and their flags")


@case
def net_dump_gives_network_id_and_node_identity():
    g = Genl()
    try:
        replies = g.dump(g.family_id("TIPCv2"), TIPC_NL_NET_GET)
    finally:
        g.close()
    eq(len(replies), 1, "messages in the dump")
    cmd, payload = replies[0]
    eq(cmd, TIPC_NL_NET_GET, "command")
    eq([k for k, _ in attrs(payload)], [TIPC_NLA_NET], "top-level attributes")
    net = attr(payload, TIPC_NLA_NET)
    # The 64-bit attributes are padded with empty attributes 0, where alignment needs it.
    eq([p for k, p in attrs(net) if k == 0], [b""] * sum(k == 0 for k, _ in attrs(net)),
       "padding attributes")
    got = [(k, p) for k, p in attrs(net) if k != 0]
    eq(got, [(TIPC_NLA_NET_ID, struct.pack("=I", 4711)),
             (TIPC_NLA_NET_NODEID, bytes(8)), (TIPC_NLA_NET_NODEID_W1, bytes(8))],
       "network attributes of a node without identity")


@case
def name_table_dump_lists_every_binding_in_table_order():
    """1200 publications (more than one dump buffer holds): four sockets each bind the same
    300 ranges, bound out of order, in two types and both scopes."""
    t1, t2 = new_type(), new_type()
    plan = []
    for i in range(300):
        lower = (i * 7919) % 1000 * 2  # out of order, each range its own lower bound
        for n in range(4):
            plan.append((n, t1 if i % 2 else t2, lower, lower + 1, NODE if i % 3 else CLUSTER))
    check_table_dump(plan)


@case
def reserved_types_are_tipcs_own():
    """What the dump holds below the user types is TIPC's own, never a user's: a user cannot
    bind those types."""
    g = Genl()
    try:
        table = name_table(g)
    finally:
        g.close()
    low = [p for p in table if p["type"] < RESERVED_TYPES]
    # The C module's topology server is {1, 1, 1} in node scope; tipc-rs has none yet.
    for p in low:
        eq((p["type"], p["lower"], p["upper"], p["scope"]), (1, 1, 1, NODE),
           "a reserved binding")


@case
def net_set_needs_cap_net_admin():
    """An unprivileged caller gets EPERM from an administrative operation, before the family
    sees the request; a dump needs no privilege."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgid(65534)
            os.setuid(65534)
            g = Genl()
            fam = g.family_id("TIPCv2")
            g.dump(fam, TIPC_NL_NET_GET)
            try:
                g.request(fam, TIPC_NL_NET_SET, nla(TIPC_NLA_NET | NLA_F_NESTED,
                                                    nla(TIPC_NLA_NET_ID, struct.pack("=I", 1))))
                code = 2
            except OSError as e:
                code = 0 if e.errno == errno.EPERM else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    eq(os.waitstatus_to_exitcode(status), 0,
       "child (0: EPERM; 1: setup failed; 2: NET_SET succeeded; 3: another error)")


def tipc_cmd(*args):
    tipc = shutil.which("tipc") or "/usr/sbin/tipc"
    if not os.path.exists(tipc):
        raise Skip("iproute2's tipc is not installed")
    r = subprocess.run([tipc, *args], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


@case
def iproute2_tipc_reads_netid_and_nametable():
    rc, out, err = tipc_cmd("node", "get", "netid")
    eq((rc, out.strip()), (0, "4711"), f"tipc node get netid (stderr {err!r})")
    t = new_type()
    with socket.socket(AF_TIPC, socket.SOCK_RDM) as s:
        s.bind((SERVICE_RANGE, t, 10, 20, NODE))
        port = s.getsockname()[2]
        rc, out, err = tipc_cmd("nametable", "show")
    eq(rc, 0, f"tipc nametable show (stderr {err!r})")
    rows = [line.split() for line in out.splitlines()]
    eq(rows[0], ["Type", "Lower", "Upper", "Scope", "Port", "Node"], "header")
    eq([r for r in rows[1:] if r and r[0] == str(t)], [[str(t), "10", "20", "node", str(port)]],
       "the binding's row (no node address: an empty node column)")


if __name__ == "__main__":
    run()
