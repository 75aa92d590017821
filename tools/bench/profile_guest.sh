#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM tools/bench/profile.sh boots: perf over each scenario, C then ours.
# Usage: profile_guest.sh OUTDIR TIPC_KO TIPC_BENCH SCENARIO...
out=$1 ko=$2 bench=$3
shift 3
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
n=0
for scenario in "$@"; do
    n=$((n + 1))
    for m in c ours; do
        rmmod tipc_diag 2>/dev/null
        rmmod tipc 2>/dev/null
        if [ $m = c ]; then modprobe tipc; else insmod "$ko"; fi || { echo "# $m did not load"; exit 1; }
        perf record -q -e cpu-clock -F 4000 -a -g -o /tmp/perf.data -- \
            "$bench" --family tipc --only "$scenario" --runs 1 --window 3 --label $m --out /tmp/bench.json
        # While the module is loaded, and from /proc/kallsyms: perf would otherwise read the
        # symbols of the tipc.ko in /lib/modules, the C module's, for ours.
        {
            echo "# $m: $scenario"
            perf report -i /tmp/perf.data --kallsyms=/proc/kallsyms --stdio --no-children \
                --sort sym --percent-limit 0.5 \
                -g none 2>/dev/null | grep -v '^$'
            echo "# by caller"
            perf report -i /tmp/perf.data --kallsyms=/proc/kallsyms --stdio --children \
                --sort sym --percent-limit 2 \
                -g none 2>/dev/null | grep -v '^$'
        } | grep -v '^# *$\|^# [A-Z(]' >"$out/$m.$n.txt"
    done
done
rmmod tipc 2>/dev/null
exit 0
