#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the one VM tools/bench/run.sh boots on the release kernel (booted with -m none).
#
# TIPC is measured in rounds, one per run (--runs, default 5; 3 with --quick): each round
# loads the C module and runs every scenario once (tipc-bench --runs 1), then swaps in ours and
# does the same, the order alternating from round to round (C, ours, ours, C, C, ...). The
# first minutes of a TCG guest are slower than the rest (its memory is first touched, QEMU
# translates the kernel's code) and a whole phase of one module before the other's measured
# that, as a 1.3x "difference"; interleaved, both modules see the same conditions. Guest
# memory is touched once before anything is measured, for the same reason.
# AF_UNIX and TCP, the baselines, then run once with all their runs.
#
# Writes OUTDIR/c.ROUND.json, ours.ROUND.json, unix.json, tcp.json, a .log beside each, and
# OUTDIR/dmesg.txt; tools/bench/report.py merges them.
# Usage: guest.sh OUTDIR TIPC_KO TIPC_BENCH [TIPC_BENCH_OPTION...]
out=$1 ko=$2 bench=$3
shift 3
status=0

# The rounds replace --runs for TIPC; every other option goes to every run.
rounds=5 opts=()
while [ $# -gt 0 ]; do
    case $1 in
    --runs) rounds=$2; shift 2; continue ;;
    --runs=*) rounds=${1#--runs=} ;;
    --quick) [ "$rounds" = 5 ] && rounds=3; opts+=("$1") ;;
    *) opts+=("$1") ;;
    esac
    shift
done

# Both modules are named tipc; the out-of-tree one taints the kernel with O.
is_ours_loaded() { grep -q O /sys/module/tipc/taint; }

unload_tipc() {
    grep -q '^tipc ' /proc/modules || return 0
    rmmod tipc_diag 2>/dev/null
    rmmod tipc
}

run() { # run LABEL FILE FAMILY [TIPC_BENCH_OPTION...]
    local label=$1 file=$2 family=$3 rc
    shift 3
    echo "# ---- tipc-bench: $file ----"
    "$bench" --family "$family" --label "$label" --out "$out/$file.json" "$@" 2>&1 |
        tee "$out/$file.log"
    rc=${PIPESTATUS[0]}
    # 3: some scenario failed; it is in the JSON and the report says which.
    case $rc in
    0 | 3) ;;
    *) echo "# tipc-bench $file exited with status $rc"; status=1 ;;
    esac
}

phase() { # phase c|ours ROUND
    local m=$1 r=$2
    unload_tipc || { echo "# tipc did not unload"; status=1; return; }
    if [ "$m" = c ]; then
        modprobe tipc && ! is_ours_loaded
    else
        insmod "$ko" && is_ours_loaded
    fi || {
        echo "# the $m module did not load"
        status=1
        return
    }
    run "$m" "$m.$r" tipc --runs 1 "${opts[@]}"
    unload_tipc || { echo "# the $m module did not unload"; status=1; }
}

echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MB" }' /proc/meminfo); $rounds rounds"
mark=$(dmesg | wc -l)
avail=$(awk '/MemAvailable/ { print int($2 / 1024 * 3 / 4) }' /proc/meminfo)
/usr/bin/python3 -c "x = b'\1' * ($avail << 20)" && echo "# touched $avail MB of memory"

for r in $(seq "$rounds"); do
    if [ $((r % 4)) = 1 ] || [ $((r % 4)) = 0 ]; then
        phase c "$r"
        phase ours "$r"
    else
        phase ours "$r"
        phase c "$r"
    fi
done

run unix unix unix "${opts[@]}" --runs "$rounds"
run tcp tcp tcp "${opts[@]}" --runs "$rounds"

dmesg | tail -n +"$((mark + 1))" >"$out/dmesg.txt"
if grep -qE 'BUG:|WARNING:|Oops|kernel BUG at|general protection fault|panicked at|Kernel panic' "$out/dmesg.txt"; then
    echo "# dmesg shows a splat: see $out/dmesg.txt"
    status=1
fi
exit "$status"
