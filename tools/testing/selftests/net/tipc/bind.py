#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bind(2) on TIPC sockets, on one node: service ranges and addresses, their scopes, unbinding,
the errors, and the socket's own address (getsockname) and peer (getpeername).

Whether a service is bound is seen as a user sees it: an RDM probe's sendto to the service
address succeeds while some socket binds it and fails with EHOSTUNREACH once none does.
Sockets of every type can be bound; what differs by type is said where it does.

Like run_differential.sh, it expects the module loaded on a node without a bearer (a node
without an address); by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/bind.py'
"""

import errno
import socket
import struct

from tipc_ktap import case, eq, raises_errno, run, sockaddr_tipc, sys_bind, sys_getsockname

AF_TIPC = socket.AF_TIPC
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ  # 1
SERVICE_ADDR = socket.TIPC_ADDR_NAME  # 2
SOCKET_ADDR = socket.TIPC_ADDR_ID  # 3
ZONE, CLUSTER, NODE = socket.TIPC_ZONE_SCOPE, socket.TIPC_CLUSTER_SCOPE, socket.TIPC_NODE_SCOPE
SOL_TIPC, TIPC_GROUP_JOIN = 271, 135

TYPES = {
    "RDM": socket.SOCK_RDM,
    "DGRAM": socket.SOCK_DGRAM,
    "SEQPACKET": socket.SOCK_SEQPACKET,
    "STREAM": socket.SOCK_STREAM,
}

# Service types used here; each case has its own so that no binding leaks into another case.
_next_type = [4000]


def new_type():
    _next_type[0] += 1
    return _next_type[0]


def sock(ty):
    return socket.socket(AF_TIPC, ty)


def srange(stype, lower, upper, scope=CLUSTER):
    return (SERVICE_RANGE, stype, lower, upper, scope)


def saddr(stype, inst, scope=CLUSTER):
    return (SERVICE_ADDR, stype, inst, 0, scope)


def unbind(s, stype, lower, upper, scope):
    """Unbinds by the negative scope, as the C API documents it."""
    return sys_bind(s, sockaddr_tipc(SERVICE_RANGE, stype, lower, upper, -scope))


def _reachable(probe, stype, inst):
    try:
        n = probe.sendto(b"probe", socket.MSG_DONTWAIT, (SERVICE_ADDR, stype, inst, 0))
    except OSError as e:
        if e.errno == errno.EHOSTUNREACH:
            return False
        raise
    eq(n, 5, "probe sendto")
    return True


def reach_map(stype, insts):
    """{inst: whether an RDM probe's anycast sendto (stype, inst) finds a socket}."""
    with sock(socket.SOCK_RDM) as probe:
        return {i: _reachable(probe, stype, i) for i in insts}


def reachable(stype, inst):
    return reach_map(stype, (inst,))[inst]


@case
def bind_range_node_scope():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            s.bind(srange(t, 10, 20, NODE))
            eq(reach_map(t, (9, 10, 15, 20, 21)),
               {9: False, 10: True, 15: True, 20: True, 21: False}, f"{name} reachable")
        eq(reachable(t, 15), False, f"{name} after close")


@case
def bind_range_cluster_and_zone_scope():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            s.bind(srange(t, 0, 0xFFFFFFFF, CLUSTER))
            eq(reach_map(t, (0, 7, 0xFFFFFFFF)), {0: True, 7: True, 0xFFFFFFFF: True},
               f"{name} whole instance space")
        t = new_type()
        with sock(ty) as s:
            # The deprecated zone scope is taken as cluster scope: unbinding it by the
            # negative cluster scope finds it.
            s.bind(srange(t, 1, 1, ZONE))
            eq(reachable(t, 1), True, f"{name} zone scope binding")
            unbind(s, t, 1, 1, CLUSTER)
            eq(reachable(t, 1), False, f"{name} zone binding unbound as cluster")


@case
def bind_service_address_binds_one_instance():
    for name, ty in TYPES.items():
        for scope in (NODE, CLUSTER):
            t = new_type()
            with sock(ty) as s:
                s.bind(saddr(t, 42, scope))
                eq(reach_map(t, (41, 42, 43)), {41: False, 42: True, 43: False},
                   f"{name} scope {scope}")
                # A service address is bound as the range [inst, inst]: unbinding that range
                # removes it.
                unbind(s, t, 42, 42, scope)
                eq(reachable(t, 42), False, f"{name} scope {scope} after unbind")


@case
def reserved_types_are_eacces():
    for name, ty in TYPES.items():
        with sock(ty) as s:
            for t in (0, 1, 2, 63):
                raises_errno(errno.EACCES, s.bind, srange(t, 0, 10, NODE))
                raises_errno(errno.EACCES, s.bind, saddr(t, 5, CLUSTER))
                # The check comes before the scope is read: unbinding is refused alike.
                raises_errno(errno.EACCES, unbind, s, t, 0, 10, NODE)
            s.bind(srange(64, 0x7FFF0000, 0x7FFF0000, NODE))
            eq(reachable(64, 0x7FFF0000), True, f"{name} type 64")


@case
def lower_above_upper_is_einval():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            raises_errno(errno.EINVAL, s.bind, srange(t, 11, 10))
            raises_errno(errno.EINVAL, s.bind, srange(t, 0xFFFFFFFF, 0))
            # The range check applies to unbinding too.
            raises_errno(errno.EINVAL, unbind, s, t, 11, 10, CLUSTER)
            eq(reach_map(t, (0, 10, 11)), {0: False, 10: False, 11: False}, name)


@case
def bad_family_is_einval():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            for family in (0, socket.AF_INET, socket.AF_UNIX, 31):
                raises_errno(errno.EINVAL, sys_bind, s,
                             sockaddr_tipc(SERVICE_RANGE, t, 1, 2, CLUSTER, family=family))
            eq(reachable(t, 1), False, f"{name} nothing bound")


@case
def bad_address_type_is_einval():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            for atype in (0, 4, 5, 255):
                raises_errno(errno.EINVAL, sys_bind, s, sockaddr_tipc(atype, t, 1, 1, CLUSTER))
            eq(reachable(t, 1), False, f"{name} nothing bound")


@case
def short_address_is_einval():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            addr = sockaddr_tipc(SERVICE_RANGE, t, 1, 2, CLUSTER)
            for alen in (1, 2, 4, 8, 12, 15):
                raises_errno(errno.EINVAL, sys_bind, s, addr, alen)
            eq(reachable(t, 1), False, f"{name} nothing bound")
            # A longer buffer is fine: only the first 16 bytes are read.
            sys_bind(s, addr + b"\xff" * 16)
            eq(reachable(t, 2), True, f"{name} bound by a 32-byte address")


@case
def zero_length_unbinds_everything():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            # With nothing bound, it succeeds.
            sys_bind(s, b"", 0)
            s.bind(srange(t, 1, 5, NODE))
            s.bind(srange(t, 10, 10, CLUSTER))
            s.bind(saddr(t, 20))
            eq(reach_map(t, (1, 10, 20)), {1: True, 10: True, 20: True}, f"{name} bound")
            sys_bind(s, sockaddr_tipc(SERVICE_RANGE, t, 1, 5, NODE), 0)
            eq(reach_map(t, (1, 10, 20)), {1: False, 10: False, 20: False}, f"{name} unbound")
            # The socket can bind again afterwards.
            s.bind(srange(t, 1, 5, NODE))
            eq(reachable(t, 3), True, f"{name} bound again")


@case
def socket_address_is_eafnosupport():
    for name, ty in TYPES.items():
        with sock(ty) as s:
            port = s.getsockname()[2]
            raises_errno(errno.EAFNOSUPPORT, s.bind, (SOCKET_ADDR, 0, port, 0))
            raises_errno(errno.EAFNOSUPPORT, s.bind, (SOCKET_ADDR, 0, 12345, 0))
            # Checked before the reserved types: type-field values below 64 do not matter.
            raises_errno(errno.EAFNOSUPPORT, sys_bind, s, sockaddr_tipc(SOCKET_ADDR, 1, 0, 0))
            eq(s.getsockname()[2], port, f"{name} port unchanged")


@case
def duplicate_binding_is_accepted_and_counted():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            s.bind(srange(t, 1, 3, CLUSTER))
            s.bind(srange(t, 1, 3, CLUSTER))
            eq(reachable(t, 2), True, f"{name} bound twice")
            # Each bind is a binding of its own: one unbind leaves the other.
            unbind(s, t, 1, 3, CLUSTER)
            eq(reachable(t, 2), True, f"{name} after one unbind")
            unbind(s, t, 1, 3, CLUSTER)
            eq(reachable(t, 2), False, f"{name} after two unbinds")


@case
def unbind_of_unknown_binding():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            # A socket without any binding accepts any unbind.
            unbind(s, t, 1, 2, CLUSTER)
            unbind(s, t, 5, 5, NODE)
            s.bind(srange(t, 1, 2, NODE))
            # With a binding, an unbind that matches none of its bindings is EINVAL.
            raises_errno(errno.EINVAL, unbind, s, t, 3, 4, NODE)  # other range
            raises_errno(errno.EINVAL, unbind, s, t, 1, 3, NODE)  # other upper
            raises_errno(errno.EINVAL, unbind, s, t, 1, 2, CLUSTER)  # other scope
            raises_errno(errno.EINVAL, unbind, s, t + 1, 1, 2, NODE)  # other type
            eq(reachable(t, 1), True, f"{name} binding kept")
            unbind(s, t, 1, 2, NODE)
            eq(reachable(t, 1), False, f"{name} unbound")
            # Nothing bound again: any unbind succeeds.
            unbind(s, t, 1, 2, NODE)


@case
def unbind_by_negative_scope():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            s.bind(srange(t, 1, 1, NODE))
            s.bind(srange(t, 2, 2, CLUSTER))
            s.bind(srange(t, 3, 3, ZONE))
            unbind(s, t, 1, 1, NODE)
            eq(reach_map(t, (1, 2, 3)), {1: False, 2: True, 3: True}, f"{name} node unbound")
            unbind(s, t, 2, 2, CLUSTER)
            eq(reach_map(t, (1, 2, 3)), {1: False, 2: False, 3: True}, f"{name} cluster unbound")
            # -1 (zone) is taken as the cluster scope too.
            unbind(s, t, 3, 3, ZONE)
            eq(reachable(t, 3), False, f"{name} zone unbound")
            # A negative scope on a service address unbinds the range [inst, inst].
            s.bind(saddr(t, 9, NODE))
            sys_bind(s, sockaddr_tipc(SERVICE_ADDR, t, 9, 0, -NODE))
            eq(reachable(t, 9), False, f"{name} service address unbound")
            # Scopes other than node (1..3 and beyond) are cluster scope: -5 unbinds cluster.
            s.bind(srange(t, 4, 4, CLUSTER))
            sys_bind(s, sockaddr_tipc(SERVICE_RANGE, t, 4, 4, -5))
            eq(reachable(t, 4), False, f"{name} unbound by -5")


@case
def other_positive_scopes_bind_cluster_scope():
    for name, ty in TYPES.items():
        t = new_type()
        with sock(ty) as s:
            for scope, inst in ((0, 1), (4, 2), (127, 3)):
                sys_bind(s, sockaddr_tipc(SERVICE_RANGE, t, inst, inst, scope))
            eq(reach_map(t, (1, 2, 3)), {1: True, 2: True, 3: True}, f"{name} bound")
            for inst in (1, 2, 3):
                raises_errno(errno.EINVAL, unbind, s, t, inst, inst, NODE)
                unbind(s, t, inst, inst, CLUSTER)
            eq(reach_map(t, (1, 2, 3)), {1: False, 2: False, 3: False}, f"{name} unbound")


@case
def same_range_from_two_sockets():
    for name, ty in TYPES.items():
        t = new_type()
        a, b = sock(ty), sock(ty)
        with a, b:
            a.bind(srange(t, 1, 10, CLUSTER))
            b.bind(srange(t, 1, 10, CLUSTER))
            # Overlapping ranges are fine too.
            b.bind(srange(t, 5, 20, NODE))
            eq(reach_map(t, (1, 10, 15)), {1: True, 10: True, 15: True}, f"{name} both")
            a.close()
            eq(reach_map(t, (1, 10, 15)), {1: True, 10: True, 15: True}, f"{name} b alone")
            unbind(b, t, 1, 10, CLUSTER)
            eq(reach_map(t, (1, 10, 15)), {1: False, 10: True, 15: True}, f"{name} b's second")


@case
def getsockname_is_the_port_id():
    ports = set()
    for name, ty in TYPES.items():
        with sock(ty) as s:
            addr = s.getsockname()
            # (addrtype, node, port, 0, scope); the node is 0 until the node has an address.
            eq(addr[0], SOCKET_ADDR, f"{name} addrtype")
            eq(addr[1], 0, f"{name} node (0 on a node without an address, as without a bearer)")
            eq(addr[3:], (0, 0), f"{name} domain, scope")
            port = addr[2]
            if port == 0:
                raise AssertionError(f"{name}: port id 0")
            ports.add(port)
            raw = sys_getsockname(s)
            eq(len(raw), 16, f"{name} address length")
            eq(struct.unpack("=HBbIII", raw), (AF_TIPC, SOCKET_ADDR, 0, port, 0, 0),
               f"{name} raw address")
            # Binding a service does not change the socket's address.
            t = new_type()
            s.bind(srange(t, 1, 1))
            eq(s.getsockname(), addr, f"{name} after bind")
    eq(len(ports), len(TYPES), "distinct port ids")


@case
def getpeername_unconnected_is_enotconn():
    for name, ty in TYPES.items():
        with sock(ty) as s:
            raises_errno(errno.ENOTCONN, s.getpeername)
            s.bind(srange(new_type(), 1, 1))
            raises_errno(errno.ENOTCONN, s.getpeername)
    # connect() on a connectionless socket only sets the default destination.
    for name, ty in (("RDM", socket.SOCK_RDM), ("DGRAM", socket.SOCK_DGRAM)):
        with sock(ty) as s:
            s.connect((SERVICE_ADDR, new_type(), 1, 0))
            raises_errno(errno.ENOTCONN, s.getpeername)


@case
def bound_connection_sockets_cannot_connect():
    # A SEQPACKET or STREAM socket with a binding is a listener-to-be: its first send
    # (the connection request) is refused.
    t = new_type()
    with sock(socket.SOCK_RDM) as target:
        target.bind(srange(t, 1, 1))
        for name, ty in (("SEQPACKET", socket.SOCK_SEQPACKET), ("STREAM", socket.SOCK_STREAM)):
            with sock(ty) as s:
                s.bind(srange(new_type(), 1, 1))
                raises_errno(errno.EOPNOTSUPP, s.sendto, b"x", socket.MSG_DONTWAIT,
                             (SERVICE_ADDR, t, 1, 0))
        # Nothing reached the target.
        raises_errno(errno.EAGAIN, target.recv, 16, socket.MSG_DONTWAIT)


@case
def established_sockets_cannot_bind():
    # C's tipc_sk_publish: a socket in the established state binds nothing (EINVAL), be it
    # a connection or either socket of a socketpair(2) of any type; nor join a group.
    t = new_type()
    with sock(socket.SOCK_SEQPACKET) as ln:
        ln.bind(srange(t, 1, 1))
        ln.listen(1)
        with sock(socket.SOCK_SEQPACKET) as cl:
            cl.setblocking(False)  # the SYN reaches the listener at once; accept answers it
            eq(cl.connect_ex(saddr(t, 1)), errno.EINPROGRESS, "non-blocking connect")
            a, _ = ln.accept()
            with a:
                for s in (cl, a):
                    raises_errno(errno.EINVAL, s.bind, srange(new_type(), 1, 1))
    for name, ty in TYPES.items():
        x, y = socket.socketpair(AF_TIPC, ty)
        with x, y:
            raises_errno(errno.EINVAL, x.bind, srange(new_type(), 1, 1))
            raises_errno(errno.EINVAL, y.bind, saddr(new_type(), 1))
            # Joining a group publishes the member's binding: refused the same way.
            raises_errno(errno.EINVAL, x.setsockopt, SOL_TIPC, TIPC_GROUP_JOIN,
                         struct.pack("=IIII", new_type(), 1, CLUSTER, 0))


if __name__ == "__main__":
    run()
