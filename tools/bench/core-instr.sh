#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per operation of the core's hot paths on the host, counted by callgrind: a
# figure that does not move with the load of a shared machine, unlike wall-clock time.
# Builds benches/core (cargo bench --no-run), runs it once per table size in its counting mode
# (TIPC_CORE_COUNT=N) under valgrind, collecting only inside its measured_* functions, and
# prints one table: operation, then instructions per operation at each size. The name table's
# operations depend on the size; the others are measured at every size and shown once.
#
# Usage: tools/bench/core-instr.sh [SIZE...]   (default: 1000 100000 1000000)
# TIPC_CORE_BENCH=PATH counts with that build of benches/core instead (another commit's, to
# compare: cargo bench --bench core --no-run prints where it is).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000 1000000)
bin=${TIPC_CORE_BENCH:-}
[ -n "$bin" ] || bin=$(cargo bench --bench core --no-run --message-format=json 2>/dev/null |
	python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "core" and m.get("executable"):
        print(m["executable"])')
[ -x "$bin" ] || { echo "benches/core did not build" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "${sizes[@]}"; do
	TIPC_CORE_COUNT=$n valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$n" \
		--collect-atstart=no --toggle-collect='*measured_*' "$bin" >"$tmp/counts.$n" 2>"$tmp/log.$n" ||
		{ cat "$tmp/log.$n" >&2; exit 1; }
	callgrind_annotate --inclusive=yes "$tmp/cg.$n" >"$tmp/annotate.$n"
done
python3 - "$tmp" "${sizes[@]}" <<'PY'
import re, sys
tmp, sizes = sys.argv[1], sys.argv[2:]
table = {}
order = []
for n in sizes:
    counts = dict(l.split() for l in open(f"{tmp}/counts.{n}"))
    for line in open(f"{tmp}/annotate.{n}"):
        m = re.match(r"\s*([\d,]+) \(.*\)\s+\S*::measured_(\w+) ", line)
        if m and m.group(2) in counts:
            op = m.group(2)
            if op not in order:
                order.append(op)
            table.setdefault(op, {})[n] = int(m.group(1).replace(",", "")) / int(counts[op])
name_ops = ("bind", "unbind", "lookup_hit", "lookup_miss")
print(f"{'operation':<14}" + "".join(f"{int(n):>12,}" for n in sizes) + "   (instructions per operation; name table sizes in bindings)")
for op in order:
    row = table[op]
    if op in name_ops:
        cells = "".join(f"{row.get(n, float('nan')):>12.0f}" for n in sizes)
    else:
        cells = f"{row[sizes[0]]:>12.0f}" + " " * 12 * (len(sizes) - 1)
    print(f"{op:<14}{cells}")
PY
