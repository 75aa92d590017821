#!/bin/bash
# Boots two (or three) test VMs on one Ethernet segment and runs the multi-node differential
# run, tools/testing/selftests/net/tipc/run_cluster.sh, on node 1 (the others run their
# agent): every cluster test once per module pairing, C-C, ours-C, C-ours, ours-ours, in one
# boot; with -n 3, the three-node tests once per module triple.
# The segment is recorded (tools/vm.sh --pcap) for the capture test, and impaired when a test
# writes SHARED/impair (tools/vm/hub.py).
#
# Usage: tools/cluster-test.sh [-n 3] [PAIRING...]
#   (default: the four pairings; with -n 3, the triples c-c-c ours-c-c c-ours-ours
#   ours-ours-ours: node 1's module first)
# TIPC_KTAP_ONLY="case ..." runs only those cases of cluster.py (the set-up steps always run).
# Results, the captures and each pairing's KTAP go to $TIPC_RS_CACHE/logs/cluster-<time>/;
# the last line is "N passed, N failed, N skipped"; the exit status is run_cluster.sh's.
source "$(dirname "$0")/lib.sh"

ST=$TOP/tools/testing/selftests/net/tipc
nodes=2
if [ "${1:-}" = -n ]; then
    [[ ${2:-} =~ ^[23]$ ]] || die "-n takes 2 or 3"
    nodes=$2
    shift 2
fi
[ $# -gt 0 ] || [ "$nodes" -eq 2 ] || set -- c-c-c ours-c-c c-ours-ours ours-ours-ours
SHARED=$(mktemp -d /tmp/tipc-rs-cluster.XXXXXX)
LOGS=$CACHE/logs/cluster-$(date +%Y%m%d-%H%M%S)
trap 'rm -rf "$SHARED"' EXIT

# One copy of our module for both nodes and every pairing, whatever happens to the build
# meanwhile.
if [ -f "$TOP/net/tipc/tipc.ko" ]; then
    cp "$TOP/net/tipc/tipc.ko" "$SHARED/tipc.ko"
else
    log "net/tipc/tipc.ko is not built: the pairings with ours will be skipped"
fi

# tshark takes minutes in a TCG guest: the host runs it for the capture test, on the slices
# of the capture the guest writes to SHARED (and only there: tipc_cluster.py tshark-serve).
mkdir -p "$SHARED/tshark"
python3 "$ST/tipc_cluster.py" tshark-serve "$SHARED" &
helper=$!
trap 'kill "$helper" 2>/dev/null || true; rm -rf "$SHARED"' EXIT
# The guests cannot write next to the scripts: compile them here once.
python3 -m compileall -q "$ST" >/dev/null || true

start=$(date +%s)
rc=0
agents=()
for ((i = 2; i <= nodes; i++)); do agents+=(--on "$i" "$ST/cluster_agent.sh $SHARED"); done
"$TOP/tools/vm.sh" -n "$nodes" -m none --rwdir "$SHARED" --pcap "$SHARED/segment.pcap" \
    --impair "$SHARED/impair" "${agents[@]}" \
    -- env TIPC_CLUSTER_PCAP="$SHARED/segment.pcap" TIPC_CLUSTER_IMPAIR="$SHARED/impair" \
    TIPC_KTAP_ONLY="${TIPC_KTAP_ONLY:-}" "$ST/run_cluster.sh" "$SHARED" "$@" || rc=$?

mkdir -p "$LOGS"
cp -r "$SHARED/results/." "$LOGS/" 2>/dev/null || true
cp "$SHARED"/*.pcap "$LOGS/" 2>/dev/null || true
cp -r "$SHARED/ctl" "$LOGS/ctl" 2>/dev/null || true
log "cluster run: $(($(date +%s) - start)) s, exit $rc; logs in $LOGS"
exit "$rc"
