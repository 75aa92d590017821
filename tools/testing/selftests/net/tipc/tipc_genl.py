# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink for the TIPC selftests: a socket that sends requests and dumps and
parses the replies' attributes, the TIPCv2 numbers the tests use, and the name table dump as
a list of publications."""

import ctypes
import os
import socket
import struct
import subprocess
import time
import traceback

from tipc_ktap import Skip, eq

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
# A dump's messages carry this when the dump was interrupted: its content is inconsistent.
NLM_F_DUMP_INTR = 0x10
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION = 1, 2, 3
CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR, CTRL_ATTR_OPS = 4, 5, 6
CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS = 1, 2
NLA_F_NESTED = 0x8000
# Extended acks: the socket option, and the error message's attribute with the text.
SOL_NETLINK, NETLINK_EXT_ACK, NLMSGERR_ATTR_MSG = 270, 11, 1
NLM_F_ACK_TLVS = 0x200

TIPC_NL_SOCK_GET, TIPC_NL_PUBL_GET = 6, 7
TIPC_NL_MEDIA_GET, TIPC_NL_MEDIA_SET = 11, 12
TIPC_NLA_MEDIA, TIPC_NLA_MEDIA_NAME, TIPC_NLA_MEDIA_PROP = 5, 1, 2
TIPC_NLA_PROP_PRIO, TIPC_NLA_PROP_TOL, TIPC_NLA_PROP_WIN, TIPC_NLA_PROP_MTU = 1, 2, 3, 4
TIPC_NL_NET_GET, TIPC_NL_NET_SET, TIPC_NL_NAME_TABLE_GET = 14, 15, 16
TIPC_NLA_SOCK, TIPC_NLA_PUBL, TIPC_NLA_NET, TIPC_NLA_NAME_TABLE = 2, 3, 7, 8
TIPC_NLA_SOCK_ADDR, TIPC_NLA_SOCK_REF, TIPC_NLA_SOCK_CON, TIPC_NLA_SOCK_HAS_PUBL = 1, 2, 3, 4
TIPC_NLA_CON_FLAG, TIPC_NLA_CON_NODE, TIPC_NLA_CON_SOCK = 1, 2, 3
TIPC_NLA_CON_TYPE, TIPC_NLA_CON_INST = 4, 5
TIPC_NLA_PUBL_TYPE, TIPC_NLA_PUBL_LOWER, TIPC_NLA_PUBL_UPPER, TIPC_NLA_PUBL_KEY = 1, 2, 3, 7
TIPC_NLA_NET_ID, TIPC_NLA_NET_NODEID, TIPC_NLA_NET_NODEID_W1 = 1, 3, 4
TIPC_NLA_NAME_TABLE_PUBL = 1
PUBL_FIELDS = ("type", "lower", "upper", "scope", "node", "ref", "key")
CLUSTER, NODE = socket.TIPC_CLUSTER_SCOPE, socket.TIPC_NODE_SCOPE
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
# Types below this are TIPC's own (the C module's topology server binds {1, 1}).
RESERVED_TYPES = 64


def attrs(data):
    """The attributes in data: a list of (type without flags, payload)."""
    out = []
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            raise AssertionError(f"attribute of length {length}")
        out.append((kind & ~NLA_F_NESTED & 0xffff, data[4:length]))
        data = data[(length + 3) & ~3:]
    return out


def attr(data, kind):
    """The payload of the one attribute of `kind` in data; fails unless there is exactly one."""
    found = [p for k, p in attrs(data) if k == kind]
    eq(len(found), 1, f"attributes of type {kind}")
    return found[0]


def nla(kind, payload):
    return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)


class NetlinkError(OSError):
    """An error the kernel acked, with its extended-ack text (None without one)."""

    def __init__(self, err, extack):
        super().__init__(err, os.strerror(err))
        self.extack = extack


def ack_text(msg, flags):
    """The extended-ack text of an error message, if it has one."""
    if not flags & NLM_F_ACK_TLVS:
        return None
    # The error, then the request's header and (without NETLINK_CAP_ACK) its payload.
    orig_len = struct.unpack_from("=I", msg, 4)[0]
    for kind, payload in attrs(msg[4 + ((orig_len + 3) & ~3):]):
        if kind == NLMSGERR_ATTR_MSG:
            return payload.rstrip(b"\0").decode()
    return None


def transact(s, seq, kind, flags, body):
    """Sends one netlink request of `kind` on s; returns the replies to it as (type, flags,
    payload)
    up to its ack or NLMSG_DONE (or the first batch when it asks for neither), or raises
    NetlinkError with the error the kernel acked, OSError with one a dump ended with."""
    s.send(struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body)
    replies = []
    while True:
        buf = s.recv(1 << 16)
        while buf:
            length, msg_kind, msg_flags, msg_seq, _ = struct.unpack_from("=IHHII", buf)
            msg, buf = buf[16:length], buf[(length + 3) & ~3:]
            if msg_seq != seq:
                continue
            if msg_flags & NLM_F_DUMP_INTR:
                raise AssertionError(f"the dump was interrupted after {len(replies)} messages"
                                     " (NLM_F_DUMP_INTR)")
            if msg_kind == NLMSG_ERROR:
                err = -struct.unpack_from("=i", msg)[0]
                if err:
                    raise NetlinkError(err, ack_text(msg, msg_flags))
                return replies
            if msg_kind == NLMSG_DONE:
                err = -struct.unpack_from("=i", msg)[0] if len(msg) >= 4 else 0
                if err:
                    raise OSError(err, f"dump ended with {os.strerror(err)}")
                return replies
            replies.append((msg_kind, msg_flags, msg))
        if not flags & (NLM_F_ACK | NLM_F_DUMP):
            return replies


class Genl:
    """A generic netlink socket; errors are NetlinkErrors with the extended ack's text."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.settimeout(20)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0

    def close(self):
        self.s.close()

    def request(self, family, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        """Sends one request; returns the replies' payloads (after the genl header) with their
        commands, or raises OSError with the error the kernel acked."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        replies = transact(self.s, self.seq, family, flags, body)
        return [(msg[0], msg[4:]) for _, _, msg in replies]

    def dump(self, family, cmd, payload=b""):
        return self.request(family, cmd, payload, NLM_F_REQUEST | NLM_F_DUMP)

    def family(self, name):
        """The controller's reply for family `name`, as a list of attributes."""
        (_, reply), = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                   nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        return reply

    def family_id(self, name):
        return struct.unpack("=H", attr(self.family(name), CTRL_ATTR_FAMILY_ID)[:2])[0]


def u32(b):
    eq(len(b), 4, "u32 attribute length")
    return struct.unpack("=I", b)[0]


def name_table(g):
    """The name table dump: one dict per publication, in dump order."""
    out = []
    for cmd, payload in g.dump(g.family_id("TIPCv2"), TIPC_NL_NAME_TABLE_GET):
        eq(cmd, TIPC_NL_NAME_TABLE_GET, "command of a name table message")
        publ = attr(attr(payload, TIPC_NLA_NAME_TABLE), TIPC_NLA_NAME_TABLE_PUBL)
        kinds = [k for k, _ in attrs(publ)]
        eq(kinds, list(range(1, 8)), "publication attributes, in order")
        out.append({f: u32(p) for f, (_, p) in zip(PUBL_FIELDS, attrs(publ))})
    return out


def check_table_dump(plan):
    """Opens one RDM socket per socket index of `plan` and runs `table_dump_matches` on them;
    then closes them and fails unless their publications are gone from the dump."""
    socks = [socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
             for _ in range(1 + max(n for n, *_ in plan))]
    try:
        types = table_dump_matches(socks, plan)
    finally:
        for s in socks:
            s.close()
    eq(table_types_left(types), [], "publications after the sockets closed")


def table_dump_matches(socks, plan):
    """Binds, for each (socket index, type, lower, upper, scope) of `plan` in order, then dumps
    the name table and fails unless the publications of the plan's types come each once, with
    their fields, and in the table's order within each type: by lower bound, then newest range
    first, then newest publication first within a range (no lookup rotated it). The order of
    the types themselves is the module's own (the C module walks its hash buckets). Each
    socket's keys are its port plus 1, 2, 3... in bind order; the node is 0 on a node without
    address."""
    for n, ty, lo, up, scope in plan:
        socks[n].bind((SERVICE_RANGE, ty, lo, up, scope))
    ports = [s.getsockname()[2] for s in socks]
    types = {ty for _, ty, _, _, _ in plan}
    g = Genl()
    try:
        table = name_table(g)
    finally:
        g.close()
    ours = [p for p in table if p["type"] in types]
    eq(len(ours), len(plan), "publications of the case in the dump")
    eq(sorted((p["ref"], p["type"], p["lower"], p["upper"], p["scope"]) for p in ours),
       sorted((ports[n], ty, lo, up, sc) for n, ty, lo, up, sc in plan), "publications")
    eq({p["node"] for p in ours}, {0}, "node of publications on a node without address")
    for n, port in enumerate(ports):
        keys = sorted(p["key"] for p in ours if p["ref"] == port)
        eq(keys, [port + k for k in range(1, len(keys) + 1)], f"keys of socket {n}")
    # Ranges (by their first publication) and publications, newest first at equal keys.
    order = {}
    for i, (n, ty, lo, up, _) in enumerate(plan):
        r = order.setdefault((ty, lo, up), [i, []])
        r[1].insert(0, ports[n])
    for t in types:
        want = []
        ranges = sorted(((lo, -first, up, refs) for (ty, lo, up), (first, refs) in order.items()
                         if ty == t))
        for lo, _, up, refs in ranges:
            want += [(lo, up, ref) for ref in refs]
        got = [(p["lower"], p["upper"], p["ref"]) for p in ours if p["type"] == t]
        eq(got, want, f"dump order within type {t}")
    return types


def table_types_left(types):
    """The publications of `types` the name table dump still shows."""
    g = Genl()
    try:
        return [p for p in name_table(g) if p["type"] in types]
    finally:
        g.close()


def sock_dump(g):
    """The socket dump: {port: the attributes of its TIPC_NLA_SOCK nest}."""
    out = {}
    for cmd, payload in g.dump(g.family_id("TIPCv2"), TIPC_NL_SOCK_GET):
        eq(cmd, TIPC_NL_SOCK_GET, "command of a socket message")
        nest = attrs(attr(payload, TIPC_NLA_SOCK))
        port = u32(dict(nest)[TIPC_NLA_SOCK_REF])
        eq(port in out, False, f"socket {port} listed twice")
        out[port] = nest
    return out


# The NIC the VM gives the guest, which a case needing a bearer moves into a namespace of its
# own; it comes back to the initial namespace when the child's namespace goes.
TIPC_IF = os.environ.get("TIPC_IF", "")
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def wait_for_nic():
    """Waits for the NIC to be back in this namespace, and sets it up."""
    for _ in range(120):
        if os.path.exists(f"/sys/class/net/{TIPC_IF}"):
            subprocess.run(["ip", "link", "set", TIPC_IF, "up"], check=True)
            return
        time.sleep(0.5)
    raise AssertionError(f"{TIPC_IF} did not come back to the initial namespace")


def in_own_netns(body):
    """Runs body() in a forked child in a new network namespace that has the NIC; fails with
    what it raised."""
    if not TIPC_IF:
        raise Skip("no NIC ($TIPC_IF)")
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(go_w)
        code = 1
        try:
            new_netns()
            os.write(ready_w, b"+")
            if os.read(go_r, 1) != b"+":
                raise AssertionError("the NIC was not moved here")
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
            subprocess.run(["ip", "link", "set", TIPC_IF, "up"], check=True)
            body()
            code = 0
        except Skip as e:
            os.write(ready_w, f"SKIP {e}".encode())
            code = 4
        except BaseException:
            os.write(ready_w, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(go_r)
    report = b""
    try:
        if os.read(ready_r, 1) == b"+":
            moved = subprocess.run(["ip", "link", "set", "dev", TIPC_IF, "netns", str(pid)])
            os.write(go_w, b"+" if moved.returncode == 0 else b"-")
        while chunk := os.read(ready_r, 4096):
            report += chunk
    finally:
        os.close(ready_r)
        os.close(go_w)
        _, status = os.waitpid(pid, 0)
        wait_for_nic()
    code = os.waitstatus_to_exitcode(status)
    if code == 4:
        raise Skip(report.decode().removeprefix("SKIP "))
    if code != 0:
        raise AssertionError("in the namespace:\n" + report.decode())


def in_child(body, what="in the child", prepare=None):
    """Runs prepare() then body() in a forked child; fails with what either raised."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            if prepare:
                prepare()
            body()
            code = 0
        except BaseException:
            os.write(w, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(w)
    report = b""
    while chunk := os.read(r, 4096):
        report += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise AssertionError(f"{what}:\n" + report.decode())


def new_netns():
    """Moves the calling process into a new network namespace, where TIPC has no identity,
    address or bearer."""
    if _libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")


def in_new_netns(body):
    """Runs body() in a child process in a new network namespace (no NIC there but lo)."""
    in_child(body, "in a new network namespace", new_netns)


def as_nobody():
    os.setgid(65534)
    os.setuid(65534)


def unprivileged(body):
    """Runs body() in a child process as nobody (no CAP_NET_ADMIN); fails with what it
    raised."""
    in_child(body, "as nobody", as_nobody)
