#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The agent of a node that run_cluster.sh (on node 1) controls: runs the scripts node 1 writes
# to SHARED/ctl/node$TIPC_NODE/NNNNNN.cmd, in order, each under timeout(1) with the limit its
# first line gives ("# timeout=SECONDS"), and answers with NNNNNN.out and NNNNNN.rc (renamed
# into place once complete). Stops when SHARED/ctl/stop appears. See tipc_cluster.py.
#
# Usage (from tools/vm.sh): --on 2 'tools/testing/selftests/net/tipc/cluster_agent.sh SHARED'
# Under TCG every program started costs much; the loop itself starts none while it waits.

shared=$1
ctl=$shared/ctl/node${TIPC_NODE:?not in a test VM}
mkdir -p "$ctl"
export TIPC_CLUSTER_SHARED=$shared
export TIPC_CLUSTER_DIR
TIPC_CLUSTER_DIR=$(cd "$(dirname "$0")" && pwd)
cd / || exit 1

# A FIFO held open for reading and writing never delivers anything: read -t on it is a sleep
# that starts no process.
tick=$(mktemp -u /tmp/cluster-agent.XXXXXX)
mkfifo "$tick" && exec 9<>"$tick" && rm -f "$tick"
nap() { read -r -t "$1" -u 9 _ || true; }

printf 'if=%s\nnode=%s\n' "$TIPC_IF" "$TIPC_NODE" >"$ctl/ready.tmp"
mv "$ctl/ready.tmp" "$ctl/ready"
echo "node$TIPC_NODE: cluster agent serving $ctl"

n=1
while [ ! -e "$shared/ctl/stop" ]; do
    printf -v f '%s/%06d' "$ctl" "$n"
    if [ ! -e "$f.cmd" ]; then
        nap 0.05
        continue
    fi
    t=30
    read -r first <"$f.cmd"
    [[ $first =~ ^#\ timeout=([0-9]+) ]] && t=${BASH_REMATCH[1]}
    timeout -k 5 "$t" bash "$f.cmd" >"$f.out" 2>&1 </dev/null
    echo $? >"$f.rc.tmp"
    mv "$f.rc.tmp" "$f.rc"
    n=$((n + 1))
done
echo "node$TIPC_NODE: cluster agent stopped after $((n - 1)) commands"
