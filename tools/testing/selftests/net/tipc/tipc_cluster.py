#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two-node plumbing for the cluster selftests (run_cluster.sh, cluster.py).

Node 1 drives node 2 through files in a directory both guests share (SHARED/ctl/node2/):

    NNNNNN.cmd   a bash script written by node 1 (renamed into place whole); its first line
                 is "# timeout=SECONDS"
    NNNNNN.out   its stdout and stderr, written by node 2's agent (cluster_agent.sh)
    NNNNNN.rc    its exit status, renamed into place once the command has ended
    ready        written by the agent when it starts: "if=<its TIPC_IF>"
    seq          the last sequence number node 1 used
    dead         written by node 1 when the agent missed a deadline: from then on every
                 command fails at once, so a hung node costs one timeout, not one per command

The agent runs each command under timeout(1), so a hung command ends as status 124; node 1
waits that long plus a margin, then gives up on the agent.

Subcommands (node 1 unless said otherwise):
    peer [--timeout S] SCRIPT       run SCRIPT on node 2, print its output, exit with its status
                                    (255 when the agent did not answer)
    wait-agent [--timeout S]        wait for node 2's agent; print its TIPC_IF
    wait-link [--timeout S]         wait until `tipc link list` shows a unicast link up; print
                                    the seconds it took and the link's name
    serve TYPE FILE [--seconds S]   (node 2) bind the test services, write FILE (JSON), serve
                                    echoes until FILE.stop appears or S seconds pass
    pcap-end PCAP                   print the offset just past PCAP's last whole frame
    pcap-slice PCAP OFFSET OUT      copy the frames PCAP gained after byte OFFSET to OUT
    tshark-serve SHARED             (the host) run `tshark -Y _ws.malformed` on the captures
                                    the guests ask for (SHARED/tshark/NAME.req)
"""

import argparse
import json
import os
import select
import socket
import struct
import sys
import time

TIPC = socket.AF_TIPC
SERVICE_RANGE = socket.TIPC_ADDR_NAMESEQ
SERVICE_ADDR = socket.TIPC_ADDR_NAME
SOCKET_ADDR = socket.TIPC_ADDR_ID
CLUSTER = socket.TIPC_CLUSTER_SCOPE
NODE = 3  # TIPC_NODE_SCOPE
SOL_TIPC = 271
TIPC_GROUP_JOIN = 135

# Margin node 1 allows beyond a command's own timeout: the agent polls every 0.1 s, 9p and a
# TCG guest add their own delays, and timeout(1) sends SIGKILL 5 s after SIGTERM.
AGENT_MARGIN = 15


class Peer:
    """Node 1's handle on another node's agent."""

    def __init__(self, shared, node=2):
        self.dir = os.path.join(shared, "ctl", f"node{node}")
        self.node = node

    def _next_seq(self):
        path = os.path.join(self.dir, "seq")
        try:
            with open(path) as f:
                seq = int(f.read().strip() or 0) + 1
        except FileNotFoundError:
            seq = 1
        _write_atomic(path, f"{seq}\n")
        return seq

    def dead(self):
        try:
            with open(os.path.join(self.dir, "dead")) as f:
                return f.read().strip() or "dead"
        except FileNotFoundError:
            return None

    def run(self, script, timeout=30):
        """Runs a bash script on the node; returns (status, output). Status None: no answer."""
        why = self.dead()
        if why:
            return None, f"node {self.node}'s agent is not answering ({why})\n"
        seq = self._next_seq()
        base = os.path.join(self.dir, f"{seq:06d}")
        _write_atomic(base + ".cmd", f"# timeout={int(timeout)}\n{script}\n")
        deadline = time.monotonic() + timeout + AGENT_MARGIN
        while time.monotonic() < deadline:
            try:
                with open(base + ".rc") as f:
                    rc = int(f.read().strip())
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
                continue
            try:
                with open(base + ".out", errors="replace") as f:
                    out = f.read()
            except FileNotFoundError:
                out = ""
            return rc, out
        why = f"command {seq} ({script.splitlines()[0][:60]!r}) got no answer in {timeout + AGENT_MARGIN} s"
        _write_atomic(os.path.join(self.dir, "dead"), why + "\n")
        return None, f"node {self.node}'s agent is not answering: {why}\n"

    def check(self, script, timeout=30):
        """Runs a script that must succeed; returns its output or raises AssertionError."""
        rc, out = self.run(script, timeout)
        if rc != 0:
            raise AssertionError(f"on node {self.node}: {script!r} exited {rc}: {out.strip()}")
        return out

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        path = os.path.join(self.dir, "ready")
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    fields = dict(line.split("=", 1) for line in f.read().split("\n") if "=" in line)
                return fields
            except FileNotFoundError:
                time.sleep(0.2)
        return None


def _write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


# ---- the cases' own plumbing (cluster.py, cluster3.py) ----

# How long one case may run before its alarm ends it.
CASE_SECONDS = 600


def metric(text):
    """Prints a measured figure and adds it to the pairing's TIPC_CLUSTER_METRICS file,
    whose lines run_cluster.sh prints under its table."""
    print(f"# {os.environ.get('TIPC_CLUSTER_PAIRING', '?')}: {text}", flush=True)
    path = os.environ.get("TIPC_CLUSTER_METRICS", "")
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


def timed(fn):
    """A case that ends by alarm after CASE_SECONDS instead of hanging the run."""
    import signal

    def on_alarm(signum, frame):
        raise TimeoutError(f"{fn.__name__} took over {CASE_SECONDS} s")

    def wrapper():
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(CASE_SECONDS)
        try:
            fn()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)

    wrapper.__name__ = fn.__name__
    return wrapper


def server_info(shared, pairing, node, timeout=300):
    """The addresses node `node`'s services (`serve`, started by run_cluster.sh with the
    module, so that its slow start overlaps the link set-up) wrote for `pairing`, once they
    have: SHARED/ctl/server<node>.<pairing>.json."""
    path = os.path.join(shared, "ctl", f"server{node}.{pairing}.json")
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            log = ""
            if os.path.exists(path + ".log"):
                with open(path + ".log") as f:
                    log = f.read()
            raise AssertionError(f"node {node}'s server wrote no {path} in {timeout} s; its log: {log!r}")
        time.sleep(0.2)
    with open(path) as f:
        return json.load(f)


# ---- what iproute2's tipc prints ----


def tipc(*args, timeout=20):
    """Runs the local `tipc` tool; returns (status, stdout, stderr)."""
    import subprocess  # here: the server on node 2 starts faster without it

    try:
        p = subprocess.run(["tipc", *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "", f"tipc {' '.join(args)}: timed out after {timeout} s"
    return p.returncode, p.stdout, p.stderr


def local(*args):
    """Runs the local `tipc` tool, which must succeed; returns its stdout."""
    rc, out, err = tipc(*args)
    if rc != 0:
        raise AssertionError(f"node 1: tipc {' '.join(args)} exited {rc}: {err.strip()}")
    return out


def parse_link_list(text):
    """`tipc link list` ("NAME: STATE" lines) as {name: state}; names contain colons."""
    links = {}
    for line in text.splitlines():
        if ": " in line:
            name, state = line.rsplit(": ", 1)
            links[name.strip()] = state.strip()
    return links


def unicast_links(links):
    return {name: state for name, state in links.items() if name != "broadcast-link"}


def wait_link(timeout, want_up=True, name=None, interval=0.1):
    """Polls `tipc link list` until a unicast link (or the one named) is up (or, with
    want_up False, is no longer up). Returns (seconds, link name, last listing) or
    (None, None, last listing) on timeout."""
    start = time.monotonic()
    out = ""
    while True:
        rc, out, err = tipc("link", "list")
        links = unicast_links(parse_link_list(out)) if rc == 0 else {}
        if want_up:
            up = [n for n, s in links.items() if s == "up" and (name is None or n == name)]
            if up:
                return time.monotonic() - start, up[0], out
        elif rc == 0 and links.get(name) != "up":
            return time.monotonic() - start, name, out
        if time.monotonic() - start > timeout:
            return None, None, out + err
        time.sleep(interval)


class TopologyWatch:
    """A topology server subscription ({stype, lower, upper}, TIPC_SUB_PORTS, for ever): its
    events say when a binding in the range appears or goes, without polling."""

    PUBLISHED, WITHDRAWN = 1, 2

    def __init__(self, stype, lower, upper):
        self.s = socket.socket(TIPC, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect((SERVICE_ADDR, 1, 1, 0))  # {TIPC_TOP_SRV, TIPC_TOP_SRV}
        # struct tipc_subscr: {type, lower, upper}, timeout (TIPC_WAIT_FOREVER), filter
        # (TIPC_SUB_PORTS), usr_handle
        self.s.send(struct.pack("=IIIII8s", stype, lower, upper, 0xFFFFFFFF, 1, b"cluster"))

    def wait(self, event, seconds, lower=None):
        """Waits for an event of this kind (PUBLISHED or WITHDRAWN), of a binding whose lower
        bound is `lower` if given; returns (time.time() when it came, its lower bound, its
        port's node) or None after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(48)
            except socket.timeout:
                return None
            now = time.time()
            # struct tipc_event: event, found_lower, found_upper, port {ref, node}, subscription
            ev, found, _, _, node = struct.unpack_from("=IIIII", data)
            if ev == event and lower in (None, found):
                return now, found, node

    def close(self):
        self.s.close()


class LinkWatch(TopologyWatch):
    """Link states ({TIPC_LINK_STATE, 0, ~0}): when this node declares a link up
    (PUBLISHED) or down (WITHDRAWN); the event's lower bound is the peer's address."""

    def __init__(self):
        super().__init__(2, 0, 0xFFFFFFFF)


# The UDP port of the UDP bearers the cluster tests enable (iproute2's default).
TIPC_UDP_PORT = 6118


def tipc_message(frame):
    """The TIPC message an Ethernet frame carries, or None: behind Ethernet type 0x88ca, or
    behind the UDP header of an IPv4 or IPv6 datagram from or to port 6118 (a UDP bearer)."""
    kind = frame[12:14]
    if kind == b"\x88\xca":
        return frame[14:]
    if kind == b"\x08\x00" and len(frame) >= 34 and frame[23] == 17:
        udp = 14 + (frame[14] & 0xF) * 4
    elif kind == b"\x86\xdd" and len(frame) >= 62 and frame[20] == 17:
        udp = 54
    else:
        return None
    if len(frame) < udp + 8 or TIPC_UDP_PORT not in struct.unpack_from("!HH", frame, udp):
        return None
    return frame[udp + 8 :]


class LastHeard:
    """Watches this node's NIC for TIPC frames (see tipc_message) from one MAC address, in
    a thread, and keeps the kernel's arrival time (SO_TIMESTAMPNS, CLOCK_REALTIME) of the
    last one (and of every one): when a peer falls silent, that is when the silence began, as
    this node saw it; the first frame after the silence, when the peer came back."""

    def first_after(self, t):
        return next((x for x in list(self.times) if x > t), None)

    def __init__(self, ifname, mac):
        import threading

        self.mac = bytes(int(b, 16) for b in mac.split(":"))
        self.last = None
        self.times = []
        # Every frame (ETH_P_ALL), as a UDP bearer's are IP datagrams.
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.s.bind((ifname, 3))
        self.s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
        self.s.settimeout(0.2)
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                data, anc, _, _ = self.s.recvmsg(128, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            if data[6:12] != self.mac or not tipc_message(data):
                continue
            for level, kind, val in anc:
                if level == socket.SOL_SOCKET and kind == 35 and len(val) >= 16:
                    sec, nsec = struct.unpack_from("=qq", val)
                    self.last = sec + nsec / 1e9
                    self.times.append(self.last)

    def close(self):
        self.stopped = True
        self.thread.join()
        self.s.close()


# ---- the services node 2 offers ----


def serve(stype, out, seconds):
    """Binds, on this node: an RDM echo service at {stype,1}, a SEQPACKET echo service at
    {stype,2} and a STREAM one at {stype,3}, all cluster scope; a cluster-scope range
    {stype,100,199} and a node-scope {stype,300} on one more RDM socket, which echoes too. Writes their socket
    addresses to `out` (JSON), then echoes ("echo:" + data; a stream's bytes as they are)
    until out.stop exists or `seconds` pass."""
    rdm = socket.socket(TIPC, socket.SOCK_RDM)
    rdm.bind((SERVICE_RANGE, stype, 1, 1, CLUSTER))
    lst = socket.socket(TIPC, socket.SOCK_SEQPACKET)
    lst.bind((SERVICE_RANGE, stype, 2, 2, CLUSTER))
    lst.listen(8)
    slst = socket.socket(TIPC, socket.SOCK_STREAM)
    slst.bind((SERVICE_RANGE, stype, 3, 3, CLUSTER))
    slst.listen(8)
    rng = socket.socket(TIPC, socket.SOCK_RDM)
    rng.bind((SERVICE_RANGE, stype, 100, 199, CLUSTER))
    rng.bind((SERVICE_RANGE, stype, 300, 300, NODE))
    # A member of group stype + 1 at instance 2 that echoes every group message it gets
    # back to its sender by unicast; without groups (a module that refuses the join) the
    # other services go on.
    grp = socket.socket(TIPC, socket.SOCK_RDM)
    grp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("=qq", 2, 0))
    try:
        grp.setsockopt(SOL_TIPC, TIPC_GROUP_JOIN, struct.pack("=IIII", stype + 1, 2, CLUSTER, 2))
    except OSError as e:
        print("group join:", e, flush=True)
        grp.close()
        grp = None

    def sockid(s):
        # Python gives a socket address as (TIPC_ADDR_ID, node, ref, 0, scope).
        a = s.getsockname()
        return {"node": a[1], "ref": a[2], "raw": list(a)}

    info = {
        "pid": os.getpid(),
        "rdm": sockid(rdm),
        "seqpacket": sockid(lst),
        "stream": sockid(slst),
        "range": sockid(rng),
        "group": sockid(grp) if grp else None,
    }
    _write_atomic(out, json.dumps(info) + "\n")
    print("serving", json.dumps(info), flush=True)
    conns = []
    streams = set()
    rdm_count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and not os.path.exists(out + ".stop"):
        r, _, _ = select.select([rdm, rng, lst, slst, *conns, *([grp] if grp else [])], [], [], 0.5)
        for s in r:
            if s is grp:
                data, _, flags, addr = s.recvmsg(70000)
                if not flags & socket.MSG_OOB:
                    try:
                        s.sendto(b"echo:" + data, addr)
                    except OSError as e:
                        print("group echo:", e, flush=True)
            elif s is rdm or s is rng:
                data, addr = s.recvfrom(70000)
                rdm_count += 1
                if rdm_count % 100 == 1:
                    print("rdm from", addr, len(data), "message", rdm_count, flush=True)
                s.sendto(b"echo:" + data, addr)
            elif s is lst or s is slst:
                c, addr = s.accept()
                print("accepted", addr, flush=True)
                conns.append(c)
                if s is slst:
                    streams.add(c)
            else:
                try:
                    data = s.recv(70000)
                    if data:
                        s.sendall(data if s in streams else b"echo:" + data)
                except OSError as e:
                    data = b""
                    print("connection:", e, flush=True)
                if not data:
                    conns.remove(s)
                    streams.discard(s)
                    s.close()
    for s in [rdm, lst, slst, rng, *conns, *([grp] if grp else [])]:
        s.close()
    print("done", flush=True)
    _write_atomic(out + ".done", "done\n")


def pcap_slice(pcap, offset, out, drop_users=()):
    """Writes a pcap holding the whole frames `pcap` has after byte `offset` (a frame boundary
    noted earlier), less those carrying a TIPC message of a user in `drop_users`; a frame still
    being written is left out. Returns the numbers of frames written and dropped."""
    with open(pcap, "rb") as f:
        header = f.read(24)
        f.seek(max(offset, 24))
        data = f.read()
    frames = []
    dropped = 0
    i = 0
    while i + 16 <= len(data):
        incl = struct.unpack_from("<I", data, i + 8)[0]
        if i + 16 + incl > len(data):
            break
        msg = tipc_message(data[i + 16 : i + 16 + incl])
        if msg and len(msg) >= 4 and (msg[0] >> 1) & 0xF in drop_users:
            dropped += 1
        else:
            frames.append(data[i : i + 16 + incl])
        i += 16 + incl
    with open(out, "wb") as f:
        f.write(header)
        f.writelines(frames)
    return len(frames), dropped


def pcap_end(pcap):
    """The byte offset just past the last whole frame `pcap` holds (24 when it has none)."""
    try:
        with open(pcap, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return 24
    i = 24
    while i + 16 <= len(data):
        incl = struct.unpack_from("<I", data, i + 8)[0]
        if i + 16 + incl > len(data):
            break
        i += 16 + incl
    return i


# tshark's verdict on a capture: its malformed frames. Its TIPC reassembly is off: it joins
# fragments by a message number that C and ours both leave at 0, so a retransmitted first
# fragment (C's or ours') lands in another message's reassembly as "conflicting data". The
# fragments' format is checked with reassembly on by tools/testing/wire/tshark-check.sh.
TSHARK_MALFORMED = ["tshark", "-o", "tipc.defragment:FALSE", "-Y", "_ws.malformed"]


def tshark_serve(shared, stop_after):
    """(The host) Runs tshark for the guests, which run it very slowly under TCG: for each
    SHARED/tshark/NAME.req, where NAME names a capture SHARED/NAME.pcap, writes the lines of
    `tshark -r SHARED/NAME.pcap -Y _ws.malformed` to NAME.out, then its status to NAME.rc.
    Only that command, only on such files. Ends when SHARED/ctl/stop appears or after
    `stop_after` seconds."""
    import re
    import subprocess

    reqs = os.path.join(shared, "tshark")
    os.makedirs(reqs, exist_ok=True)
    end = time.monotonic() + stop_after
    while time.monotonic() < end and not os.path.exists(os.path.join(shared, "ctl", "stop")):
        for req in sorted(os.listdir(reqs)):
            m = re.fullmatch(r"([a-z0-9-]+)\.req", req)
            if not m or os.path.exists(os.path.join(reqs, m[1] + ".rc")):
                continue
            pcap = os.path.join(shared, m[1] + ".pcap")
            try:
                p = subprocess.run(TSHARK_MALFORMED + ["-r", pcap], capture_output=True, text=True, timeout=300)
                rc, out = p.returncode, p.stdout + (p.stderr if p.returncode else "")
            except (OSError, subprocess.TimeoutExpired) as e:
                rc, out = 1, str(e)
            _write_atomic(os.path.join(reqs, m[1] + ".out"), out)
            _write_atomic(os.path.join(reqs, m[1] + ".rc"), f"{rc}\n")
        time.sleep(0.2)


def tshark_malformed(shared, name, timeout=300):
    """(A guest) Asks the host's tshark_serve for SHARED/NAME.pcap's malformed packets;
    returns (status, output), or None when no host helper answered in `timeout` seconds."""
    reqs = os.path.join(shared, "tshark")
    if not os.path.isdir(reqs):
        return None
    _write_atomic(os.path.join(reqs, name + ".req"), name + "\n")
    deadline = time.monotonic() + timeout
    rc_path = os.path.join(reqs, name + ".rc")
    while not os.path.exists(rc_path):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)
    with open(rc_path) as f:
        rc = int(f.read().strip())
    with open(os.path.join(reqs, name + ".out"), errors="replace") as f:
        return rc, f.read()


def tipc_users(pcap):
    """The TIPC users (message kinds) each source MAC sent in `pcap`: {mac: {user}}, from the
    frames that carry TIPC (see tipc_message) and the user field of each message's first
    header word."""
    users = {}
    with open(pcap, "rb") as f:
        data = f.read()
    i = 24
    while i + 16 <= len(data):
        incl = struct.unpack_from("<I", data, i + 8)[0]
        frame = data[i + 16 : i + 16 + incl]
        i += 16 + incl
        msg = tipc_message(frame) if len(frame) >= 14 else None
        if msg is not None and len(msg) >= 4:
            mac = ":".join(f"{b:02x}" for b in frame[6:12])
            users.setdefault(mac, set()).add((struct.unpack_from(">I", msg)[0] >> 25) & 0xF)
    return users


def main():
    ap = argparse.ArgumentParser(description="two-node plumbing for the TIPC cluster selftests")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("peer")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--node", type=int, default=2)
    p.add_argument("script")
    p = sub.add_parser("wait-agent")
    p.add_argument("--timeout", type=float, default=180)
    p.add_argument("--node", type=int, default=2)
    p = sub.add_parser("wait-link")
    p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("serve")
    p.add_argument("type", type=int)
    p.add_argument("file")
    p.add_argument("--seconds", type=float, default=300)
    p = sub.add_parser("pcap-slice")
    p.add_argument("pcap")
    p.add_argument("offset", type=int)
    p.add_argument("out")
    p = sub.add_parser("pcap-end")
    p.add_argument("pcap")
    p = sub.add_parser("tshark-serve")
    p.add_argument("shared")
    p.add_argument("--seconds", type=float, default=7200)
    args = ap.parse_args()
    shared = os.environ.get("TIPC_CLUSTER_SHARED", "")

    if args.cmd == "peer":
        rc, out = Peer(shared, args.node).run(args.script, args.timeout)
        sys.stdout.write(out)
        sys.exit(255 if rc is None else rc)
    if args.cmd == "wait-agent":
        fields = Peer(shared, args.node).wait_ready(args.timeout)
        if fields is None:
            print(f"node {args.node}'s agent did not start in {args.timeout} s", file=sys.stderr)
            sys.exit(1)
        print(fields.get("if", ""))
        return
    if args.cmd == "wait-link":
        secs, name, out = wait_link(args.timeout)
        if secs is None:
            sys.stdout.write(out)
            sys.exit(1)
        print(f"{secs:.2f} {name}")
        return
    if args.cmd == "serve":
        serve(args.type, args.file, args.seconds)
        return
    if args.cmd == "pcap-slice":
        print(pcap_slice(args.pcap, args.offset, args.out)[0])
    if args.cmd == "pcap-end":
        print(pcap_end(args.pcap))
    if args.cmd == "tshark-serve":
        tshark_serve(args.shared, args.seconds)


if __name__ == "__main__":
    main()
