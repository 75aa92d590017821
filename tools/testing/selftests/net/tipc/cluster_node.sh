#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One node's part of a cluster pairing, run by run_cluster.sh on node 1 and, through the
# agent, on node 2. Under TCG every program started costs much, so each subcommand does a
# whole step.
# Usage: cluster_node.sh setup c|ours KO ID [SERVE_FILE] | teardown MARK [SERVE_FILE]
#                        | snapshot [SECONDS] | waitlink SECONDS | bearer enable|disable
#   setup     prints "mark N" (dmesg lines so far), unloads any tipc module, loads the C
#             module (modprobe tipc) or ours (insmod KO) and checks which one is loaded (both
#             are named tipc; ours taints the kernel with O), sets the node identity ID,
#             enables the bearer (see `bearer`); prints "result load|identity|bearer RC".
#             With SERVE_FILE, starts tipc_cluster.py serve (the services cluster.py uses).
#   teardown  stops that server, unloads, checks dmesg after line MARK for splats
#             (run_differential.sh's SPLAT pattern); prints "result unload|dmesg RC"
#   snapshot  waits up to SECONDS (20) for its unicast links up, then prints this node's
#             `tipc link list`, `node list`, `bearer list`, the link's tolerance, priority
#             and window, and its `link stat show`, each after a "=== what" line
#   waitlink  waits up to SECONDS for its unicast links up; prints `tipc link list`
#   bearer    enable|disable: this node's bearer, of the kind $TIPC_CLUSTER_BEARER names:
#             eth (the default: Ethernet on $TIPC_IF), udp4 (UDP over IPv4, discovery by
#             multicast), udp6 (UDP over IPv6, multicast), udp-rcast (UDP over IPv4 to the
#             other nodes' addresses: replicast). Node N has 10.88.0.N/24 and fd88::N/64 on
#             $TIPC_IF for UDP bearers, named udp:nN; the port is iproute2's default, 6118.
# A node's "unicast links up" are one to each other node: $TIPC_CLUSTER_NODES (2) less one.

DIR=$(cd "$(dirname "$0")" && pwd)
STYPE=18888
tick=$(mktemp -u /tmp/cluster-node.XXXXXX)
mkfifo "$tick" && exec 9<>"$tick" && rm -f "$tick"
nap() { read -r -t "$1" -u 9 _ || true; }
is_ours_loaded() { grep -q O /sys/module/tipc/taint 2>/dev/null; }

unload() {
    grep -q '^tipc ' /proc/modules || return 0
    rmmod tipc_diag 2>/dev/null
    # Sockets of a test that just ended may hold the module a moment longer.
    for _ in $(seq 50); do
        rmmod tipc 2>/dev/null && return 0
        nap 0.2
    done
    rmmod tipc
}

load() { # load c|ours KO
    if grep -q '^tipc ' /proc/modules; then
        echo "a tipc module is still loaded"
        return 1
    fi
    case $1 in
    c)
        modprobe tipc || return 1
        if is_ours_loaded; then
            echo "modprobe tipc loaded tipc-rs (installed with make install?), not the C module"
            return 1
        fi
        ;;
    ours)
        insmod "$2" || return 1
        is_ours_loaded || { echo "the module loaded from $2 is not tipc-rs"; return 1; }
        ;;
    *) echo "load: no module '$1'"; return 2 ;;
    esac
    echo "$1 module loaded"
}

# up_link_list SECONDS: `tipc link list`, once it shows a unicast link up to each other node
# or SECONDS passed.
up_link_list() {
    local end=$((SECONDS + $1)) out
    while :; do
        out=$(tipc link list 2>&1)
        if [ "$(grep -v '^broadcast-link:' <<<"$out" | grep -c ': up$')" -ge $((${TIPC_CLUSTER_NODES:-2} - 1)) ] ||
            [ "$SECONDS" -ge "$end" ]; then
            echo "$out"
            return
        fi
        nap 0.2
    done
}

# bearer enable|disable: runs `tipc bearer` for this node's bearer (see the usage above).
bearer() {
    local node=${TIPC_NODE:-1} kind=${TIPC_CLUSTER_BEARER:-eth} name opts=() others=() i
    for ((i = 1; i <= ${TIPC_CLUSTER_NODES:-2}; i++)); do
        [ "$i" -ne "$node" ] && others+=("10.88.0.$i")
    done
    [ -n "$TIPC_IF" ] || { echo "no TIPC_IF"; return 1; }
    case $kind in
    eth) name=(media eth device "$TIPC_IF") ;;
    udp4) name=(media udp name "n$node"); opts=(localip "10.88.0.$node") ;;
    udp6) name=(media udp name "n$node"); opts=(localip "fd88::$node") ;;
    udp-rcast) name=(media udp name "n$node"); opts=(localip "10.88.0.$node" remoteip "${others[0]}") ;;
    *) echo "no bearer kind '$kind'"; return 2 ;;
    esac
    if [ "$kind" != eth ] && [ "$1" = enable ]; then
        # Addresses that stay while the NIC is down, as an IPv4 address does.
        sysctl -qw "net.ipv6.conf.$TIPC_IF.keep_addr_on_down=1"
        ip addr replace "10.88.0.$node/24" dev "$TIPC_IF"
        ip addr replace "fd88::$node/64" dev "$TIPC_IF" nodad
    fi
    if [ "$1" = enable ]; then
        tipc bearer enable "${name[@]}" "${opts[@]}" || return
        if [ "$kind" = udp-rcast ]; then # the other replicast peers
            for i in "${others[@]:1}"; do tipc bearer add "${name[@]}" remoteip "$i" || return; done
        fi
    else
        tipc bearer disable "${name[@]}"
    fi
}

case $1 in
setup)
    echo "mark $(dmesg | wc -l)"
    unload
    load "$2" "$3"
    echo "result load $?"
    tipc node set identity "$4"
    echo "result identity $?"
    bearer enable
    echo "result bearer $?"
    if [ -n "${5:-}" ] && grep -q '^tipc ' /proc/modules; then
        rm -f "$5" "$5.stop" "$5.done"
        setsid timeout 3600 python3 "$DIR/tipc_cluster.py" serve "$STYPE" "$5" --seconds 3600 </dev/null >"$5.log" 2>&1 &
        echo "server starting"
    fi
    ;;
teardown)
    if [ -n "${3:-}" ] && [ -e "$3" ]; then
        touch "$3.stop"
        for _ in $(seq 100); do [ -e "$3.done" ] && break; nap 0.1; done
        if [ ! -e "$3.done" ]; then
            pid=$(sed -n 's/^{"pid": \([0-9]*\).*/\1/p' "$3")
            echo "the server (pid $pid) did not stop: killing it"
            [ -n "$pid" ] && kill "$pid"
        fi
    fi
    unload
    echo "result unload $?"
    SPLAT=$(sed -n "s/^SPLAT='\(.*\)'$/\1/p" "$DIR/run_differential.sh")
    [ -n "$SPLAT" ] || { echo "no SPLAT pattern in run_differential.sh"; echo "result dmesg 2"; exit 0; }
    # virtme-ng-init's own warnings (about udev, which tools/vm.sh hides) are not the kernel's.
    log=$(dmesg | tail -n +"$(($2 + 1))" | grep -v 'virtme-ng-init:')
    if grep -qE "$SPLAT" <<<"$log"; then
        echo "node$TIPC_NODE's dmesg shows:"
        grep -E -A 30 "$SPLAT" <<<"$log" | head -80 | sed 's/^/  /'
        echo "result dmesg 1"
    else
        echo "result dmesg 0"
    fi
    ;;
snapshot)
    out=$(up_link_list "${2:-20}")
    echo "=== link list"
    echo "$out"
    echo "=== node list"
    tipc node list 2>&1
    echo "=== bearer list"
    tipc bearer list 2>&1
    link=$(grep -v '^broadcast-link:' <<<"$out" | sed -n 's/: up$//p' | head -1)
    for prop in tolerance priority window; do
        echo "=== link get $prop"
        [ -n "$link" ] && tipc link get "$prop" link "$link" 2>&1
    done
    echo "=== link stat show"
    [ -n "$link" ] && tipc link stat show link "$link" 2>&1
    ;;
waitlink)
    up_link_list "$2"
    ;;
bearer)
    bearer "$2"
    exit $?
    ;;
*)
    echo "usage: cluster_node.sh setup c|ours KO ID [SERVE_FILE] | teardown MARK [SERVE_FILE] | snapshot [S] | waitlink S | bearer enable|disable"
    exit 2
    ;;
esac
exit 0
