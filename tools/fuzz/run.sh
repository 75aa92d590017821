#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every cargo-fuzz target of the wire parsers for SECONDS each, starting from the seed
# corpus (copied, so the checkout stays as it is). Exits non-zero if any target crashes, with
# the crashing input left under tools/fuzz/artifacts/.
# Usage: tools/fuzz/run.sh SECONDS [TARGET...]
# Needs cargo-fuzz 0.13.2, installed by this script if missing:
#   cargo install --locked cargo-fuzz@0.13.2 --root ~/.cache/tipc-rs/cargo-fuzz-0.13.2
# Stable rustc: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. TIPC_FUZZ_SANITIZER
# (default address) picks the sanitizer; "none" builds faster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
[[ $secs =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a number" >&2; exit 2; }
version=0.13.2
root=${TIPC_RS_CACHE:-$HOME/.cache/tipc-rs}/cargo-fuzz-$version
if ! [ -x "$root/bin/cargo-fuzz" ]; then
    cargo install --locked "cargo-fuzz@$version" --root "$root"
fi
export PATH=$root/bin:$PATH RUSTC_BOOTSTRAP=1
sanitizer=${TIPC_FUZZ_SANITIZER:-address}
cd "$here"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir "$here")
work=$(mktemp -d /tmp/tipc-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
cargo fuzz build --fuzz-dir "$here" --sanitizer "$sanitizer" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    exit 1
}
failed=() total=0
for t in "${targets[@]}"; do
    mkdir -p "$work/$t"
    cp seeds/* "$work/$t/"
    log=$work/$t.log
    if cargo fuzz run --fuzz-dir "$here" --sanitizer "$sanitizer" "$t" "$work/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=70000 -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
        total=$((total + runs))
        echo "fuzz $t: ok, $runs runs"
    else
        failed+=("$t")
        echo "fuzz $t: CRASH"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written|artifact|Killed|slow-unit|timeout' "$log" | head -20 || true
        cp "$log" "$here/artifacts/$t.log" 2>/dev/null || true
    fi
done
echo "fuzz: ${#targets[@]} targets, $total runs, ${#failed[@]} crashed${failed[*]:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
