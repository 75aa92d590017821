#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on node 1 of the two VMs `tools/bench/run.sh --cluster` boots (node 2 runs the cluster
# agent, tools/testing/selftests/net/tipc/cluster_agent.sh SHARED): latency and throughput
# from node 1 to node 2 over their link, C-C against ours-ours. The bearer is the kind
# $TIPC_CLUSTER_BEARER names (cluster_node.sh's bearer; Ethernet by default).
#
# In rounds (--runs, default 5; 3 with --quick), each pairing once per round, the one that goes
# first alternating: both nodes load the pairing's module and enable their bearer
# (cluster_node.sh setup), node 2 serves (tipc-bench --serve), node 1 measures every scenario
# once (tipc-bench --remote --runs 1), then both unload and dmesg is checked for splats.
# Writes OUTDIR/runs/c.ROUND.0.json (C-C) and ours.ROUND.0.json (ours-ours), c.log, ours.log,
# for tools/bench/report.py.
# Usage: cluster_guest.sh SHARED OUTDIR TIPC_KO TIPC_BENCH [TIPC_BENCH_OPTION...]
shared=$1 out=$2 ko=$3 bench=$4
shift 4
ST=$(cd "$(dirname "$0")/../testing/selftests/net/tipc" && pwd)
export TIPC_CLUSTER_SHARED=$shared
export TIPC_CLUSTER_BEARER=${TIPC_CLUSTER_BEARER:-eth}
status=0

source "$(dirname "$0")/rounds.sh"
parse_rounds "$@"

peer() { python3 "$ST/tipc_cluster.py" peer --timeout "$1" "$2"; }
field() { sed -n "s/^$1 //p" <<<"$2" | head -1; }
step_ok() { grep -q "^result $1 0$" <<<"$2"; }

pairing() { # pairing c|ours ROUND
    local m=$1 r=$2 out1 out2
    echo "# ---- round $r: $m-$m ----"
    out2=$(peer 300 "TIPC_CLUSTER_BEARER=$TIPC_CLUSTER_BEARER $ST/cluster_node.sh setup $m $ko node2")
    out1=$("$ST/cluster_node.sh" setup "$m" "$ko" node1)
    for step in load identity bearer; do
        if ! step_ok "$step" "$out1" || ! step_ok "$step" "$out2"; then
            echo "# $m-$m: $step failed"
            printf '%s\n' "$out1" "$out2" | sed 's/^/#   /'
            status=1
        fi
    done
    "$ST/cluster_node.sh" waitlink 60 | sed 's/^/# /'
    peer 30 "setsid $bench --serve 3600 >/tmp/tipc-bench-serve.log 2>&1 </dev/null & echo \$! >/tmp/tipc-bench-serve.pid" >/dev/null
    "$bench" --family tipc --remote --label "$m" --out "$out/runs/$m.$r.0.json" --runs 1 \
        "${opts[@]}" 2>&1 | tee -a "$out/$m.log"
    case ${PIPESTATUS[0]} in
    0 | 3) ;;
    *) echo "# tipc-bench $m round $r exited with status ${PIPESTATUS[0]}"; status=1 ;;
    esac
    peer 30 'kill "$(cat /tmp/tipc-bench-serve.pid)"; cat /tmp/tipc-bench-serve.log' | sed 's/^/# node2: /'
    out2=$(peer 300 "$ST/cluster_node.sh teardown $(field mark "$out2")")
    out1=$("$ST/cluster_node.sh" teardown "$(field mark "$out1")")
    for step in unload dmesg; do
        if ! step_ok "$step" "$out1" || ! step_ok "$step" "$out2"; then
            echo "# $m-$m: $step failed"
            printf '%s\n' "$out1" "$out2" | sed 's/^/#   /'
            status=1
        fi
    done
}

echo "# kernel $(uname -r), $(nproc) CPUs; $rounds rounds, node 1 to node 2 over $TIPC_CLUSTER_BEARER"
python3 "$ST/tipc_cluster.py" wait-agent --timeout 300 >/dev/null || {
    echo "# node 2's agent did not start"
    exit 1
}
mkdir -p "$out/runs"
rm -f "$out"/runs/*.json "$out"/{c,ours}.log
for r in $(seq "$rounds"); do
    if [ $((r % 2)) = 1 ]; then
        pairing c "$r"
        pairing ours "$r"
    else
        pairing ours "$r"
        pairing c "$r"
    fi
done
touch "$shared/ctl/stop"
exit "$status"
