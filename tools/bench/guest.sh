#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the one VM tools/bench/run.sh boots on the release kernel (booted with -m none).
#
# TIPC is measured in rounds, one per run (--runs, default 5; 3 with --quick). In each round,
# every scenario runs once on each module, one right after the other (tipc-bench --only
# SCENARIO --runs 1, the C module loaded, then ours, or the other way round: the order
# alternates), so that both modules' runs of a scenario see the same conditions. Under TCG on
# a shared host they do not stay the same for long: the speed of the whole guest drifts by up
# to 3x over tens of seconds, and in its first minutes it is slower (its memory is first
# touched, QEMU translates the kernel's code as it first runs): a whole phase of one module
# before the other's measured that as a 1.3x "difference". Guest memory is touched once before
# anything is measured, for the same reason.
# AF_UNIX and TCP, the baselines, then run once with all their runs.
#
# Writes OUTDIR/runs/MODULE.ROUND.INDEX.json (MODULE: c or ours), unix.json, tcp.json, a log
# of each (c.log, ours.log, unix.log, tcp.log) and dmesg.txt; tools/bench/report.py pools
# them.
# Usage: guest.sh OUTDIR TIPC_KO TIPC_BENCH [TIPC_BENCH_OPTION...]
out=$1 ko=$2 bench=$3
shift 3
status=0

source "$(dirname "$0")/rounds.sh"
parse_rounds "$@"

# Both modules are named tipc; the out-of-tree one taints the kernel with O.
is_ours_loaded() { grep -q O /sys/module/tipc/taint; }

unload_tipc() {
    grep -q '^tipc ' /proc/modules || return 0
    rmmod tipc_diag 2>/dev/null
    rmmod tipc
}

run() { # run LABEL JSON FAMILY [TIPC_BENCH_OPTION...]: output appended to OUTDIR/LABEL.log
    local label=$1 json=$2 family=$3 rc
    shift 3
    "$bench" --family "$family" --label "$label" --out "$json" "$@" 2>&1 | tee -a "$out/$label.log"
    rc=${PIPESTATUS[0]}
    # 3: some scenario failed; it is in the JSON and the report says which.
    case $rc in
    0 | 3) ;;
    *) echo "# tipc-bench $label $* exited with status $rc"; status=1 ;;
    esac
}

once() { # once c|ours ROUND INDEX SCENARIO: one run of one scenario on one module
    local m=$1 r=$2 i=$3 key=$4
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
    run "$m" "$out/runs/$m.$r.$i.json" tipc --only "$key" --runs 1 "${opts[@]}"
    unload_tipc || { echo "# the $m module did not unload"; status=1; }
}

echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MB" }' /proc/meminfo); $rounds rounds"
mark=$(dmesg | wc -l)
avail=$(awk '/MemAvailable/ { print int($2 / 1024 * 3 / 4) }' /proc/meminfo)
/usr/bin/python3 -c "x = b'\1' * ($avail << 20)" && echo "# touched $avail MB of memory"

mkdir -p "$out/runs"
rm -f "$out"/runs/*.json "$out"/{c,ours,unix,tcp}.log
mapfile -t scenarios < <("$bench" --family tipc --list "${opts[@]}")
for r in $(seq "$rounds"); do
    echo "# ---- TIPC, round $r of $rounds: ${#scenarios[@]} scenarios, each on both modules ----"
    for i in "${!scenarios[@]}"; do
        if [ $(((r + i) % 2)) = 1 ]; then
            once c "$r" "$i" "${scenarios[$i]}"
            once ours "$r" "$i" "${scenarios[$i]}"
        else
            once ours "$r" "$i" "${scenarios[$i]}"
            once c "$r" "$i" "${scenarios[$i]}"
        fi
    done
done

echo "# ---- AF_UNIX ----"
run unix "$out/unix.json" unix "${opts[@]}" --runs "$rounds"
echo "# ---- TCP ----"
run tcp "$out/tcp.json" tcp "${opts[@]}" --runs "$rounds"

dmesg | tail -n +"$((mark + 1))" >"$out/dmesg.txt"
if grep -qE 'BUG:|WARNING:|Oops|kernel BUG at|general protection fault|panicked at|Kernel panic' "$out/dmesg.txt"; then
    echo "# dmesg shows a splat: see $out/dmesg.txt"
    status=1
fi
exit "$status"
