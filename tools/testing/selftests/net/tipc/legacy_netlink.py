#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The legacy generic netlink family "TIPC" (include/uapi/linux/tipc_config.h), which the C
module serves through net/tipc/netlink_compat.c: every TIPC_CMD_* it answers, byte for byte
where the answer is fixed (headers, TLVs, texts, error strings and acknowledged errors), and
its answers to malformed requests (short headers, TLVs whose length lies, wrong types,
unknown or obsolete commands, names without their NUL) and to callers without
CAP_NET_ADMIN.

A reply repeats the request's netlink, generic netlink and TIPC headers (only the length
changes) before its TLVs; a failure is an error string TLV (0x80: bad TLV, 0x81: not
network administrator, 0x84: not supported) followed by the error as the acknowledgement.

Like run_differential.sh, it expects the module loaded on a node without a bearer; the cases
that enable one run in a network namespace of their own with the NIC ($TIPC_IF). By hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/legacy_netlink.py'
"""

import errno
import os
import select
import socket
import struct

from tipc_genl import (CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR, CTRL_ATTR_OP_FLAGS,
                       CTRL_ATTR_OP_ID, CTRL_ATTR_OPS, CTRL_ATTR_VERSION, NLM_F_ACK,
                       NLM_F_REQUEST, NLMSG_ERROR, TIPC_IF, TIPC_NL_MEDIA_GET,
                       TIPC_NLA_MEDIA, TIPC_NLA_MEDIA_NAME, TIPC_NLA_MEDIA_PROP,
                       TIPC_NLA_PROP_TOL, TIPC_NLA_PROP_WIN, Genl, attr, attrs, in_own_netns, unprivileged,
                       name_table, u32)
from tipc_ktap import case, eq, run

AF_TIPC = socket.AF_TIPC
TIPC_GENL_CMD = 1
CMD = {
    "NOOP": 0x0000, "GET_NODES": 0x0001, "GET_MEDIA_NAMES": 0x0002,
    "GET_BEARER_NAMES": 0x0003, "GET_LINKS": 0x0004, "SHOW_NAME_TABLE": 0x0005,
    "SHOW_PORTS": 0x0006, "SHOW_LINK_STATS": 0x000B, "SHOW_STATS": 0x000F,
    "GET_MAX_PORTS": 0x4004, "GET_NETID": 0x400B, "ENABLE_BEARER": 0x4101,
    "DISABLE_BEARER": 0x4102, "SET_LINK_TOL": 0x4107, "SET_LINK_PRI": 0x4108,
    "SET_LINK_WINDOW": 0x4109, "SET_LOG_SIZE": 0x410A, "RESET_LINK_STATS": 0x410C,
    "SET_NODE_ADDR": 0x8001, "SET_MAX_PORTS": 0x8004, "SET_NETID": 0x800B,
    "NOT_NET_ADMIN": 0xC001,
}
TLV_UNSIGNED, TLV_ULTRA_STRING, TLV_ERROR_STRING = 2, 5, 16
TLV_NET_ADDR, TLV_MEDIA_NAME, TLV_BEARER_NAME, TLV_LINK_NAME = 17, 18, 19, 20
TLV_NODE_INFO, TLV_LINK_INFO, TLV_BEARER_CONFIG, TLV_LINK_CONFIG = 21, 22, 23, 24
TLV_NAME_TBL_QUERY = 25
TLV_ERROR, NOT_NET_ADMIN, NOT_SUPPORTED = b"\x80", b"\x81", b"\x84"
NTQ_ALLTYPES = 0x80000000
HDRS = 16 + 4 + 8  # nlmsghdr, genlmsghdr, struct tipc_genlmsghdr


def tlv(kind, value=b""):
    """A TLV as the legacy tools build it: big-endian length and type, value, padding."""
    return struct.pack(">HH", 4 + len(value), kind) + value + b"\0" * (-len(value) % 4)


def tlvs(data):
    """The TLVs of a reply: (type, value) pairs, the value as long as its descriptor says."""
    out = []
    while data:
        length, kind = struct.unpack_from(">HH", data)
        out.append((kind, data[4:length]))
        data = data[(length + 3) & ~3:]
    return out


def error_reply(text):
    return tlv(TLV_ERROR_STRING, text + b"\0")


def text_reply(text):
    """An ultra string TLV as C writes it: its length counts the text only."""
    return struct.pack(">HH", len(text), TLV_ULTRA_STRING) + text.encode()


class Legacy:
    """A generic netlink socket speaking to the "TIPC" family."""

    def __init__(self):
        self.g = Genl()
        self.fam = self.g.family_id("TIPC")
        self.seq = 0

    def close(self):
        self.g.close()

    def raw(self, body, flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        """Sends a request whose bytes after the generic netlink header are `body`; returns
        the reply's bytes after the headers (None without a reply) and the acknowledged
        error (0 for success). Checks that a reply repeats the request's headers."""
        self.seq += 1
        msg = struct.pack("=BBH", TIPC_GENL_CMD, version, 0) + body
        req = struct.pack("=IHHII", 16 + len(msg), self.fam, flags, self.seq, 0) + msg
        self.g.s.send(req)
        reply = None
        while True:
            buf = self.g.s.recv(1 << 17)
            while buf:
                length, kind, _, seq, _ = struct.unpack_from("=IHHII", buf)
                one, buf = buf[:length], buf[(length + 3) & ~3:]
                if seq != self.seq:
                    continue
                if kind == NLMSG_ERROR:
                    return reply, -struct.unpack_from("=i", one, 16)[0]
                eq(reply, None, "replies before the acknowledgement")
                eq(one[4:min(HDRS, len(req))], req[4:HDRS], "the reply's copy of the request's headers")
                reply = one[HDRS:]

    def cmd(self, cmd, arg=b"", dest=0):
        """Sends command `cmd` (a name of CMD or a number) with argument `arg` (TLVs)."""
        cmd = CMD.get(cmd, cmd)
        return self.raw(struct.pack("=IHH", dest, cmd, 0) + arg)

    def ok(self, cmd, arg=b""):
        """Fails unless `cmd` succeeds; returns its reply's TLVs."""
        reply, err = self.cmd(cmd, arg)
        eq(err, 0, f"error of {cmd}")
        return tlvs(reply)


def legacy(body):
    """Runs body(l) with a Legacy socket."""
    l = Legacy()
    try:
        body(l)
    finally:
        l.close()


DO = 0x2


@case
def family_is_registered_as_c_registers_it():
    """Version 1, an 8-byte header of its own, no attributes, one command with a doit and no
    permission flag (the command decides)."""
    g = Genl()
    try:
        fam = dict(attrs(g.family("TIPC")))
        eq(fam[CTRL_ATTR_VERSION][:4], struct.pack("=I", 1), "version")
        eq(u32(fam[CTRL_ATTR_HDRSIZE]), 8, "hdrsize")
        eq(u32(fam[CTRL_ATTR_MAXATTR]), 0, "maxattr")
        ops = [dict(attrs(op)) for _, op in attrs(fam[CTRL_ATTR_OPS])]
        eq([(u32(o[CTRL_ATTR_OP_ID]), u32(o[CTRL_ATTR_OP_FLAGS])) for o in ops],
           [(TIPC_GENL_CMD, DO)], "operations")
    finally:
        g.close()


@case
def noop_and_show_stats_answer_whatever_the_destination():
    """NOOP is an empty reply; SHOW_STATS the version line; the destination, the generic
    netlink version and a TLV nobody reads change nothing."""
    def body(l):
        eq(l.cmd("NOOP"), (b"", 0), "NOOP")
        stats = (text_reply("TIPC version 2.0.0\n"), 0)
        eq(l.cmd("SHOW_STATS"), stats, "SHOW_STATS")
        eq(l.cmd("SHOW_STATS", dest=0x01001001), stats, "SHOW_STATS to another node")
        eq(l.cmd("SHOW_STATS", tlv(TLV_UNSIGNED, b"\0\0\0\1")), stats, "SHOW_STATS, argument")
        eq(l.raw(struct.pack("=IHH", 0, CMD["NOOP"], 0), version=7), (b"", 0), "version 7")
    legacy(body)


@case
def malformed_requests_get_cs_answers():
    """A header shorter than struct tipc_genlmsghdr is refused by generic netlink (EINVAL,
    no reply); a TLV whose length is more than the request holds, or a request too short
    for a descriptor, is not supported; unknown and obsolete commands are not supported."""
    def body(l):
        eq(l.raw(struct.pack("=IH", 0, CMD["NOOP"])), (None, errno.EINVAL), "6-byte header")
        eq(l.raw(b""), (None, errno.EINVAL), "no header")
        unsupported = (error_reply(NOT_SUPPORTED), errno.EOPNOTSUPP)
        eq(l.cmd("NOOP", b"\0\x08\0\x02"), unsupported, "TLV longer than the request")
        eq(l.cmd("SHOW_STATS", b"\0\x04"), unsupported, "2 bytes of TLV")
        eq(l.cmd("GET_NODES", struct.pack(">HH", 200, TLV_NET_ADDR) + bytes(8)), unsupported,
           "TLV length past the end")
        for cmd in (0x0007, 0x0010, 0x3fff, CMD["GET_MAX_PORTS"], CMD["SET_LOG_SIZE"],
                    CMD["SET_MAX_PORTS"], CMD["NOT_NET_ADMIN"], 0xffff):
            eq(l.cmd(cmd), unsupported, f"command {cmd:#x}")
        # A descriptor shorter than itself passes the check; NOOP reads nothing.
        eq(l.cmd("NOOP", b"\0\x01\0\x02"), (b"", 0), "TLV length 1")
        # The request's size is checked as a 16-bit number: 65540 bytes hold 4.
        arg = tlv(TLV_UNSIGNED, bytes(4))
        eq(l.cmd("SHOW_STATS", arg.ljust(65540, b"\0")), unsupported, "65540-byte request")
        eq(l.cmd("SHOW_STATS", arg.ljust(65548, b"\0")),
           (text_reply("TIPC version 2.0.0\n"), 0), "65548-byte request")
    legacy(body)


@case
def arguments_of_the_wrong_type_or_shape_are_tlv_errors():
    """A command that reads a TLV wants it, of its type; names need their NUL within the
    field; a name table query its 16 bytes."""
    def body(l):
        bad = (error_reply(TLV_ERROR), errno.EINVAL)
        for cmd, kind in (("GET_LINKS", TLV_NET_ADDR), ("SHOW_NAME_TABLE", TLV_NAME_TBL_QUERY),
                          ("SHOW_LINK_STATS", TLV_LINK_NAME),
                          ("RESET_LINK_STATS", TLV_LINK_NAME),
                          ("ENABLE_BEARER", TLV_BEARER_CONFIG),
                          ("DISABLE_BEARER", TLV_BEARER_NAME),
                          ("SET_LINK_TOL", TLV_LINK_CONFIG), ("SET_NETID", TLV_UNSIGNED),
                          ("SET_NODE_ADDR", TLV_NET_ADDR)):
            eq(l.cmd(cmd), bad, f"{cmd} without a TLV")
            eq(l.cmd(cmd, tlv(kind + 1, bytes(8))), bad, f"{cmd} with a TLV of type {kind + 1}")
        eq(l.cmd("SHOW_LINK_STATS", tlv(TLV_LINK_NAME, b"broadcast-link")), bad, "no NUL")
        eq(l.cmd("SHOW_LINK_STATS", tlv(TLV_LINK_NAME, b"x" * 80 + b"\0")), bad,
           "NUL past 68 bytes")
        eq(l.cmd("SHOW_LINK_STATS", tlv(TLV_LINK_NAME)), bad, "empty name")
        eq(l.cmd("RESET_LINK_STATS", tlv(TLV_LINK_NAME, b"abc")), bad, "reset, no NUL")
        eq(l.cmd("SHOW_NAME_TABLE", tlv(TLV_NAME_TBL_QUERY, bytes(12))), bad, "12-byte query")
        eq(l.cmd("SET_LINK_TOL", tlv(TLV_LINK_CONFIG, struct.pack(">I", 100))), bad,
           "link config without a name")
        eq(l.cmd("ENABLE_BEARER", tlv(TLV_BEARER_CONFIG, bytes(8) + b"eth:x")), bad,
           "bearer name without its NUL")
        eq(l.cmd("DISABLE_BEARER", tlv(TLV_BEARER_NAME, b"y" * 40)), bad, "long bearer name")
        # The query's length is the descriptor's: padding after a short one does not count.
        short = struct.pack(">HH", 4 + 12, TLV_NAME_TBL_QUERY) + bytes(16)
        eq(l.cmd("SHOW_NAME_TABLE", short), bad, "12-byte query in a 20-byte TLV")
    legacy(body)


@case
def protected_commands_need_cap_net_admin():
    """Commands 0x4000 and up need CAP_NET_ADMIN, served or not, whatever their argument:
    0x81 and EACCES; the public ones answer anyone."""
    def body(l):
        denied = (error_reply(NOT_NET_ADMIN), errno.EACCES)
        for cmd in ("GET_NETID", "GET_MAX_PORTS", "ENABLE_BEARER", "SET_LINK_TOL",
                    "SET_NODE_ADDR", "SET_NETID", "NOT_NET_ADMIN"):
            eq(l.cmd(cmd), denied, f"{cmd} unprivileged")
        eq(l.cmd("SET_NETID", b"\0\x09"), denied, "SET_NETID with a bad TLV")
        eq(l.cmd(0xffff), denied, "command 0xffff")
        eq(l.cmd("SHOW_STATS"), (text_reply("TIPC version 2.0.0\n"), 0), "SHOW_STATS")
        eq(l.cmd("NOOP"), (b"", 0), "NOOP")
        eq(l.cmd(0x3fff), (error_reply(NOT_SUPPORTED), errno.EOPNOTSUPP), "command 0x3fff")
    unprivileged(lambda: legacy(body))


def tipcv2_net_id(g):
    fam = g.family_id("TIPCv2")
    (_, payload), = g.dump(fam, 14)
    return u32(dict(attrs(attr(payload, 7)))[1])


@case
def lists_of_a_node_without_bearers():
    """GET_NETID the network id TIPCv2 reports; GET_MEDIA_NAMES every media TIPCv2 lists,
    each name with its NUL; no nodes, no bearers; GET_LINKS the broadcast link only, up,
    with a zero destination."""
    def body(l):
        eq(l.ok("GET_NETID"), [(TLV_UNSIGNED, struct.pack(">I", tipcv2_net_id(l.g)))],
           "GET_NETID")
        media = [attr(attr(p, TIPC_NLA_MEDIA), TIPC_NLA_MEDIA_NAME)
                 for _, p in l.g.dump(l.g.family_id("TIPCv2"), TIPC_NL_MEDIA_GET)]
        eq(l.ok("GET_MEDIA_NAMES"), [(TLV_MEDIA_NAME, m) for m in media], "GET_MEDIA_NAMES")
        eq(l.cmd("GET_MEDIA_NAMES")[0], tlv(TLV_MEDIA_NAME, b"eth\0") + tlv(TLV_MEDIA_NAME, b"udp\0"),
           "GET_MEDIA_NAMES bytes")
        eq(l.ok("GET_NODES"), [], "GET_NODES")
        eq(l.ok("GET_NODES", tlv(TLV_NET_ADDR, bytes(4))), [], "GET_NODES with an address")
        eq(l.ok("GET_BEARER_NAMES"), [], "GET_BEARER_NAMES")
        bc = struct.pack(">II", 0, 1) + b"broadcast-link".ljust(68, b"\0")
        eq(l.cmd("GET_LINKS", tlv(TLV_NET_ADDR, bytes(4))), (tlv(TLV_LINK_INFO, bc), 0),
           "GET_LINKS")
    legacy(body)


def bc_link_text(window):
    return ("\nLink <broadcast-link>\n"
            f"  Window:{window} packets\n"
            "  RX packets:0 fragments:0/0 bundles:0/0\n"
            "  TX packets:0 fragments:0/0 bundles:0/0\n"
            "  RX naks:0 defs:0 dups:0\n"
            "  TX naks:0 acks:0 dups:0\n"
            "  Congestion link:0  Send queue max:0 avg:0")


def link_name(name):
    return tlv(TLV_LINK_NAME, name + b"\0")


@case
def link_stats_of_the_broadcast_link_and_of_unknown_links():
    """SHOW_LINK_STATS of the idle broadcast link: its window and zero counters, the last
    line without its newline; of a name no link has, an empty text. RESET_LINK_STATS of the
    broadcast link succeeds, of an unknown name is a TLV error."""
    def body(l):
        eq(l.cmd("SHOW_LINK_STATS", link_name(b"broadcast-link")),
           (text_reply(bc_link_text(50)), 0), "broadcast link")
        eq(l.cmd("SHOW_LINK_STATS", link_name(b"1.1.1:eth0-1.1.2:eth0")), (text_reply(""), 0),
           "unknown link")
        eq(l.cmd("RESET_LINK_STATS", link_name(b"broadcast-link")), (b"", 0), "reset broadcast")
        eq(l.cmd("RESET_LINK_STATS", link_name(b"nope")), (error_reply(TLV_ERROR), errno.EINVAL),
           "reset unknown")
    legacy(body)


HEADER = ["Type       ", "Lower      Upper      ", "Port Identity              ",
          "Publication Scope"]
SCOPE = {1: " zone", 2: " cluster", 3: " node"}


def zcn(node):
    return f"{node >> 24}.{(node >> 12) & 0xfff}.{node & 0xfff}"


def ntq(depth, ty=0, lower=0, upper=0):
    return tlv(TLV_NAME_TBL_QUERY, struct.pack(">IIII", depth, ty, lower, upper))


def row(p, depth):
    """C's line for publication p (a dict of tipc_genl.name_table) at `depth`."""
    out = f"{p['type']:<10} "
    if depth != 1:
        out += f"{p['lower']:<10} {p['upper']:<10} "
        if depth != 2:
            out += f"{'<' + zcn(p['node']) + ':' + str(p['ref']) + '>':<26} "
            if depth != 3:
                out += f"{p['key']:<10} {SCOPE.get(p['scope'], '')}"
    return out + "\n"


def expected_table(table, depth, ty, lower=0, upper=0):
    head = "".join(HEADER[:min(depth, 4)]) + "\n"
    return head + "".join(
        row(p, depth) for p in table
        if (depth & NTQ_ALLTYPES or p["type"] == ty) and (not lower or lower <= p["upper"])
        and (not upper or upper >= p["lower"]))


@case
def name_table_text_by_depth_type_and_range():
    """SHOW_NAME_TABLE prints, in the order of the TIPCv2 dump, the bindings the query
    selects: a header of as many titles as the depth (4 at most), then one line each cut at
    depth 1, 2 or 3 exactly (any other depth, 0 and ALLTYPES ones included, prints all
    four columns); ranges outside [lower, upper] are left out unless the bound is 0."""
    ty = 17000 + os.getpid() % 1000
    socks = [socket.socket(AF_TIPC, socket.SOCK_RDM) for _ in range(3)]
    try:
        socks[0].bind((socket.TIPC_ADDR_NAMESEQ, ty, 1, 1, socket.TIPC_CLUSTER_SCOPE))
        socks[1].bind((socket.TIPC_ADDR_NAMESEQ, ty, 10, 19, socket.TIPC_NODE_SCOPE))
        socks[2].bind((socket.TIPC_ADDR_NAMESEQ, ty, 5, 12, socket.TIPC_CLUSTER_SCOPE))
        socks[0].bind((socket.TIPC_ADDR_NAMESEQ, ty + 1, 7, 7, socket.TIPC_CLUSTER_SCOPE))

        def body(l):
            table = name_table(l.g)
            eq(len([p for p in table if p["type"] == ty]), 3, "the type's bindings")
            for depth, lower, upper in ((1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0), (0, 0, 0),
                                        (9, 0, 0), (4, 6, 0), (4, 0, 9), (4, 13, 15),
                                        (4, 20, 30), (3, 12, 12)):
                got = l.cmd("SHOW_NAME_TABLE", ntq(depth, ty, lower, upper))
                want = expected_table(table, depth, ty, lower, upper)
                eq(got, (text_reply(want), 0), f"depth {depth}, [{lower}, {upper}]")
            for depth in (NTQ_ALLTYPES | 1, NTQ_ALLTYPES | 4):
                got = l.cmd("SHOW_NAME_TABLE", ntq(depth, 1))
                eq(got, (text_reply(expected_table(table, depth, None)), 0),
                   f"every type, depth {depth:#x}")
        legacy(body)
    finally:
        for s in socks:
            s.close()


def line_of(text, port):
    """SHOW_PORTS' text from port `port`'s line on."""
    if text.startswith(f"{port}:"):
        return text
    at = text.find(f"\n{port}:")
    return text[at + 1:] if at >= 0 else ""


@case
def ports_text_for_idle_bound_and_connected_sockets():
    """SHOW_PORTS: "port:" and a newline for a socket neither bound nor connected; " bound
    to" and its bindings, newest first; "  connected to <z.c.n:port>", " via {type,instance}"
    for a connection made to a service, then a blank line."""
    ty = 18000 + os.getpid() % 1000
    socks = []

    def new(kind):
        socks.append(socket.socket(AF_TIPC, kind))
        return socks[-1]
    idle, bound = new(socket.SOCK_RDM), new(socket.SOCK_RDM)
    lsn, by_name, by_port = (new(socket.SOCK_SEQPACKET) for _ in range(3))
    try:
        bound.bind((socket.TIPC_ADDR_NAMESEQ, ty, 1, 1, socket.TIPC_CLUSTER_SCOPE))
        bound.bind((socket.TIPC_ADDR_NAMESEQ, ty, 2, 9, socket.TIPC_NODE_SCOPE))
        lsn.bind((socket.TIPC_ADDR_NAMESEQ, ty + 1, 5, 5, socket.TIPC_CLUSTER_SCOPE))
        lsn.listen(2)
        lsn.settimeout(20)
        # Non-blocking connects: a blocking one would wait for the accept.
        by_name.setblocking(False)
        eq(by_name.connect_ex((socket.TIPC_ADDR_NAME, ty + 1, 5, 0)), errno.EINPROGRESS,
           "connect by name")
        acc1 = lsn.accept()[0]
        socks.append(acc1)
        by_port.setblocking(False)
        eq(by_port.connect_ex(lsn.getsockname()), errno.EINPROGRESS, "connect by address")
        acc2 = lsn.accept()[0]
        socks.append(acc2)
        for c in (by_name, by_port):
            eq(select.select([], [c], [], 20)[1], [c], "connected once accepted")
        port = {s: s.getsockname()[2] for s in socks}
        node = zcn(idle.getsockname()[1])

        def body(l):
            reply, err = l.cmd("SHOW_PORTS")
            eq(err, 0, "SHOW_PORTS")
            # One ultra string TLV, whose length counts the text only (so not `tlvs`).
            length, kind = struct.unpack_from(">HH", reply)
            text = reply[4:]
            eq(kind, TLV_ULTRA_STRING, "TLV type")
            eq(length, len(text), "length: the text's")
            text = text.decode()
            want = {
                idle: f"{port[idle]}:\n",
                bound: f"{port[bound]}: bound to {{{ty},2,9}} {{{ty},1}}\n",
                lsn: f"{port[lsn]}: bound to {{{ty + 1},5}}\n",
                by_name: f"{port[by_name]}:  connected to <{node}:{port[acc1]}> via "
                         f"{{{ty + 1},5}}\n\n",
                by_port: f"{port[by_port]}:  connected to <{node}:{port[acc2]}>\n\n",
                acc2: f"{port[acc2]}:  connected to <{node}:{port[by_port]}>\n\n",
            }
            for s, line in want.items():
                eq(line_of(text, port[s])[:len(line)], line, f"line of port {port[s]}")
            # The accepted end of a connection made to a service.
            line = f"{port[acc1]}:  connected to <{node}:{port[by_name]}>"
            eq(line_of(text, port[acc1])[:len(line)], line, "accepted end")
            # The order is the socket dump's: C's hash table order, ours by port.
        legacy(body)
    finally:
        for s in socks:
            s.close()


def bearer_config(name, priority=10, domain=0):
    return tlv(TLV_BEARER_CONFIG, struct.pack(">II", priority, domain) + name + b"\0")


def link_config(name, value):
    return tlv(TLV_LINK_CONFIG, struct.pack(">I", value) + name + b"\0")


def media_props(g, name):
    for _, p in g.dump(g.family_id("TIPCv2"), TIPC_NL_MEDIA_GET):
        nest = dict(attrs(attr(p, TIPC_NLA_MEDIA)))
        if nest[TIPC_NLA_MEDIA_NAME] == name + b"\0":
            return {k: u32(v) for k, v in attrs(nest[TIPC_NLA_MEDIA_PROP])}
    raise AssertionError(f"no media {name}")


@case
def network_bearers_and_links_in_a_namespace_of_their_own():
    """In a new namespace with the NIC: SET_NETID (1 to 9999) and GET_NETID; SET_NODE_ADDR,
    after which neither changes (not supported); ENABLE_BEARER, GET_BEARER_NAMES,
    SET_LINK_* on the bearer, on the media (shared by every namespace: put back) and on the
    broadcast link; DISABLE_BEARER, twice; a device that does not exist."""
    def body():
        def inner(l):
            bad = (error_reply(TLV_ERROR), errno.EINVAL)
            unsupported = (error_reply(NOT_SUPPORTED), errno.EOPNOTSUPP)
            eq(l.cmd("SET_NETID", tlv(TLV_UNSIGNED, struct.pack(">I", 1234))), (b"", 0), "netid")
            eq(l.ok("GET_NETID"), [(TLV_UNSIGNED, struct.pack(">I", 1234))], "GET_NETID")
            eq(l.cmd("SET_NETID", tlv(TLV_UNSIGNED, struct.pack(">I", 0))), bad, "netid 0")
            eq(l.cmd("SET_NETID", tlv(TLV_UNSIGNED, struct.pack(">I", 10000))), bad,
               "netid 10000")
            eq(l.cmd("SET_NODE_ADDR", tlv(TLV_NET_ADDR, struct.pack(">I", 0))), bad, "address 0")
            eq(l.cmd("SET_NODE_ADDR", tlv(TLV_NET_ADDR, struct.pack(">I", 0x01001005))),
               (b"", 0), "address 1.1.5")
            # EPERM is answered as not supported, and acknowledged as EPERM.
            refused = (error_reply(NOT_SUPPORTED), errno.EPERM)
            eq(l.cmd("SET_NODE_ADDR", tlv(TLV_NET_ADDR, struct.pack(">I", 0x01001006))),
               refused, "address again")
            eq(l.cmd("SET_NETID", tlv(TLV_UNSIGNED, struct.pack(">I", 99))), refused,
               "netid once addressed")
            s = socket.socket(AF_TIPC, socket.SOCK_RDM)
            eq(s.getsockname()[1], 0x01001005, "own node")
            s.close()
            name = f"eth:{TIPC_IF}".encode()
            eq(l.cmd("ENABLE_BEARER", bearer_config(b"eth:nosuchdev0")), (None, errno.ENODEV),
               "no such device")
            eq(l.cmd("ENABLE_BEARER", bearer_config(b"udp:u1")), bad, "UDP bearer")
            eq(l.cmd("ENABLE_BEARER", bearer_config(name, priority=40)), (b"", 0), "enable")
            eq(l.ok("GET_BEARER_NAMES"), [(TLV_BEARER_NAME, name + b"\0")], "bearer names")
            eq(l.cmd("ENABLE_BEARER", bearer_config(name)), bad, "enable again")
            eq(l.cmd("SET_LINK_TOL", link_config(name, 2000)), (b"", 0), "bearer tolerance")
            eq(l.cmd("SET_LINK_TOL", link_config(name, 20)), bad, "bearer tolerance 20")
            eq(l.cmd("SET_LINK_PRI", link_config(name, 32)), bad, "bearer priority 32")
            before = media_props(l.g, b"eth")
            try:
                eq(l.cmd("SET_LINK_WINDOW", link_config(b"eth", 300)), (b"", 0), "media window")
                eq(media_props(l.g, b"eth")[TIPC_NLA_PROP_WIN], 300, "media window after")
                eq(l.cmd("SET_LINK_TOL", link_config(b"udp", 40000)), bad, "media tolerance")
            finally:
                l.cmd("SET_LINK_WINDOW", link_config(b"eth", before[TIPC_NLA_PROP_WIN]))
                l.cmd("SET_LINK_TOL", link_config(b"eth", before[TIPC_NLA_PROP_TOL]))
            eq(l.cmd("SET_LINK_TOL", link_config(b"broadcast-link", 1000)), unsupported,
               "broadcast link tolerance")
            eq(l.cmd("SET_LINK_WINDOW", link_config(b"broadcast-link", 100)), (b"", 0),
               "broadcast link window")
            eq(l.cmd("SHOW_LINK_STATS", link_name(b"broadcast-link")),
               (text_reply(bc_link_text(100)), 0), "broadcast link after")
            eq(l.cmd("SET_LINK_WINDOW", link_config(b"1.1.5:x-1.1.6:y", 100)), bad,
               "unknown link")
            bc = struct.pack(">II", 0, 1) + b"broadcast-link".ljust(68, b"\0")
            eq(l.ok("GET_LINKS", tlv(TLV_NET_ADDR, bytes(4))), [(TLV_LINK_INFO, bc)], "links")
            eq(l.cmd("DISABLE_BEARER", tlv(TLV_BEARER_NAME, name + b"\0")), (b"", 0), "disable")
            eq(l.cmd("DISABLE_BEARER", tlv(TLV_BEARER_NAME, name + b"\0")), bad, "again")
            eq(l.ok("GET_BEARER_NAMES"), [], "no bearer")
        legacy(inner)
    in_own_netns(body)


if __name__ == "__main__":
    run()
