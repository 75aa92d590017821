#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a test VM (started by tools/vm.sh): brings up the node's NIC, loads the chosen
# TIPC module, enables an Ethernet bearer where the module offers netlink, then runs the
# command given, or waits until the host stops the cluster.
# Usage: guest.sh INDEX MODULE RUNDIR [COMMAND...]
#   MODULE: ours (tipc-rs), c (the kernel's net/tipc) or none

idx=$1 module=$2 rundir=$3
shift 3
# Unless this is an interactive shell, keep a copy of everything this node prints where the
# host can follow it.
if [ $# -gt 0 ] || [ ! -t 0 ]; then
    exec > >(tee -a "$rundir/console.$idx") 2>&1
    tee_pid=$!
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TIPC_RS_TOP=$TOP TIPC_NODE=$idx

mac=$(printf '52:54:00:00:00:%02x' "$idx")
TIPC_IF=
for dev in /sys/class/net/*; do
    [ "$(cat "$dev/address" 2>/dev/null)" = "$mac" ] && TIPC_IF=${dev##*/}
done
export TIPC_IF
ip link set lo up
[ -n "$TIPC_IF" ] && ip link set "$TIPC_IF" up

case $module in
ours) insmod "$TOP/net/tipc/tipc.ko" ;;
c) modprobe tipc ;;
none) ;;
*) echo "guest.sh: unknown module '$module'" >&2 ;;
esac

if [ "$module" != none ] && [ -n "$TIPC_IF" ]; then
    if tipc bearer enable media eth device "$TIPC_IF" 2>/dev/null; then
        echo "node$idx: $module module, eth bearer on $TIPC_IF"
    else
        echo "node$idx: $module module loaded; no bearer (the module has no netlink configuration yet)"
    fi
fi

if [ $# -gt 0 ]; then
    "$@"
    rc=$?
    # Let the copy reach the host before the status that ends the host's wait.
    exec >/dev/null 2>&1
    [ -n "${tee_pid:-}" ] && wait "$tee_pid"
    echo "$rc" >"$rundir/status.$idx"
    exit "$rc"
fi
if [ -t 0 ]; then
    exec bash -i
fi
while [ ! -e "$rundir/stop" ]; do
    sleep 1
done
