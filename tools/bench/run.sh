#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: ours against the C module, side by side in one boot of the release kernel, with
# AF_UNIX and TCP over loopback as baselines. Builds what it needs (the release kernel with
# tools/kernel.sh release, our tipc.ko against it, tools/bench/tipc-bench.c), boots one VM with
# two vCPUs, runs tools/bench/guest.sh in it (in rounds, each scenario on the C module and on
# ours one right after the other; then AF_UNIX and TCP), then prints the table of
# tools/bench/report.py.
# Wall-clock figures: never part of make check.
#
# Usage: tools/bench/run.sh [--cluster [--bearer B]] [TIPC_BENCH_OPTION...]
#   (make bench BENCH_ARGS="...")
#   e.g. --quick (a short run to try things out), --runs 9 (rounds), --window 2, --pin split
#   --cluster: two VMs instead, latency and throughput from node 1 to node 2 over their
#   Ethernet link, C-C against ours-ours (tools/bench/cluster_guest.sh); no baselines.
#   --bearer B: over a bearer of kind B instead, one of eth (the default), udp4, udp6,
#   udp-rcast (cluster_node.sh's bearer kinds).
# TIPC_BENCH_KERNEL=debug measures on the test kernel and the checkout's tipc.ko instead (no
# release kernel to build, but figures slowed by its debugging, ours more than C's).
# Results go to $TIPC_RS_BENCH_OUT, by default ~/.cache/tipc-rs/bench/DATE-TIME, which
# ~/.cache/tipc-rs/bench/latest then names: table.txt, results.json, latency.png, the raw
# runs/{c,ours}.ROUND.INDEX.json, unix.json, tcp.json, a .log per column, console.log and
# dmesg.txt.
source "$(dirname "$0")/../lib.sh"

cluster= bearer=eth
[ "${1:-}" = --cluster ] && { cluster=1; shift; }
if [ -n "$cluster" ] && [ "${1:-}" = --bearer ]; then
    bearer=${2:-}
    shift 2 || die "--bearer needs a kind: eth, udp4, udp6 or udp-rcast"
    case $bearer in
    eth | udp4 | udp6 | udp-rcast) ;;
    *) die "no bearer kind '$bearer': eth, udp4, udp6 or udp-rcast" ;;
    esac
fi
kernel=${TIPC_BENCH_KERNEL:-release}
start_all=$(date +%s)
BENCH=$CACHE/bench
mkdir -p "$BENCH"
OUT=${TIPC_RS_BENCH_OUT:-$BENCH/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/runs" "$OUT"/{unix,tcp}.json

KO=$("$TOP/tools/bench/build.sh" "$kernel") || exit 1
KB=$(kbuild_dir "$kernel")

accel=tcg
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && [ "${TIPC_RS_KVM:-1}" != 0 ]; then
    accel=kvm
fi
set +e
if [ -n "$cluster" ]; then
    log "benchmarking across two VMs ($accel, 2 vCPUs each) over $bearer on $(cat "$KB/include/config/kernel.release"); results in $OUT"
    shared=$(mktemp -d /tmp/tipc-rs-bench.XXXXXX)
    ST=$TOP/tools/testing/selftests/net/tipc
    python3 -m compileall -q "$ST" >/dev/null
    stage vm "$TOP/tools/vm.sh" --kernel "$kernel" -n 2 -m none --cpus 2 --mem 2G --rwdir "$OUT" \
        --rwdir "$shared" --on 2 "$ST/cluster_agent.sh $shared" -- \
        env TIPC_CLUSTER_BEARER="$bearer" \
        "$TOP/tools/bench/cluster_guest.sh" "$shared" "$OUT" "$KO" "$BENCH/tipc-bench" "$@" 2>&1 |
        tee "$OUT/console.log"
    vm_status=${PIPESTATUS[0]}
    rm -rf "$shared"
else
    log "benchmarking in one VM ($accel, 2 vCPUs) on $(cat "$KB/include/config/kernel.release"); results in $OUT"
    stage vm "$TOP/tools/vm.sh" --kernel "$kernel" -n 1 -m none --cpus 2 --mem 2G --rwdir "$OUT" -- \
        "$TOP/tools/bench/guest.sh" "$OUT" "$KO" "$BENCH/tipc-bench" "$@" 2>&1 |
        tee "$OUT/console.log"
    vm_status=${PIPESTATUS[0]}
fi
set -e

ln -sfn "$OUT" "$BENCH/latest"
python3 "$TOP/tools/bench/report.py" "$OUT" \
    --meta "commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --meta "accel=$accel" --meta "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p;' /proc/cpuinfo | head -1)" \
    --meta "host_cpus=$(nproc)" --meta "args=${cluster:+--cluster --bearer $bearer }$*" --meta "kernel=$kernel" ||
    die "no results: see $OUT/console.log"
log "total: $(($(date +%s) - start_all))s"
[ "$vm_status" = 0 ] || die "the benchmark VM reported a problem (status $vm_status): see $OUT/console.log"
