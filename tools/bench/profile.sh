#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the time goes: samples the whole guest with perf (cpu-clock, call graphs) while
# tipc-bench runs one scenario, on the C module and on ours, in one boot of the release
# kernel; prints the hottest symbols of each. For finding costs, not for figures: the table
# is make bench's.
#
# Usage: tools/bench/profile.sh SCENARIO...   e.g. latency/seqpacket/64
#   (the names tipc-bench --list prints); builds what it needs as make bench does
# Writes ~/.cache/tipc-rs/bench/profile/{c,ours}.N.txt (perf report, flat and by caller, for
# the Nth scenario); prints the first TIPC_PROFILE_TOP lines of each (default 40).
# Needs perf on the host (Debian's linux-perf): the guest boots over the host's root.
source "$(dirname "$0")/../lib.sh"

[ $# -ge 1 ] || die "usage: $0 SCENARIO..."
command -v perf >/dev/null || die "perf is missing: apt-get install linux-perf"
BENCH=$CACHE/bench
KO=$("$TOP/tools/bench/build.sh" release) || exit 1
OUT=$BENCH/profile
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

"$TOP/tools/vm.sh" --kernel release -n 1 -m none --cpus 2 --mem 2G --rwdir "$OUT" -- \
    "$TOP/tools/bench/profile_guest.sh" "$OUT" "$KO" "$BENCH/tipc-bench" "$@" || exit 1
# Rust's symbols are mangled (v0); rustfilt (cargo install rustfilt) makes them readable.
demangle=cat
command -v rustfilt >/dev/null && demangle=rustfilt
for f in "$OUT"/*.txt; do
    $demangle <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
    head -n "${TIPC_PROFILE_TOP:-40}" "$f"
done
