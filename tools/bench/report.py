#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merges tipc-bench's JSON files into one table, one JSON file and one PNG plot.

Usage: report.py OUTDIR [--meta KEY=VALUE ...]

Reads OUTDIR/c.json, ours.json, unix.json and tcp.json, and OUTDIR/runs/c.ROUND.INDEX.json
and ours.ROUND.INDEX.json, the single runs tools/bench/guest.sh makes in rounds, which it
pools (any may be missing). Prints the table (scenario, C, ours, ours/C, AF_UNIX, TCP) and
writes it to OUTDIR/table.txt; writes OUTDIR/results.json and, when gnuplot is installed,
OUTDIR/latency.png: round-trip latency against message size, one panel per socket type
(medians, with the interquartile range as error bars). Standard library only.
"""

import glob
import json
import os
import statistics
import shutil
import subprocess
import sys

COLUMNS = ("c", "ours", "unix", "tcp")
TITLES = {"c": "C", "ours": "ours", "unix": "AF_UNIX", "tcp": "TCP"}
TYPES = ("rdm", "seqpacket", "stream")
# Figures a scenario adds beside its runs; pooled rounds report their median.
EXTRAS = ("returned_messages", "fill_binds_per_s", "subscribe_per_s")
UNIX_TYPE = {"rdm": "SOCK_DGRAM", "seqpacket": "SOCK_SEQPACKET", "stream": "SOCK_STREAM"}


def size_name(n):
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} B"


def scenario_name(r):
    if r["test"] == "latency":
        return f"latency {r['type']} {size_name(r['size'])}"
    if r["test"] == "throughput":
        pairs = "1 pair" if r["pairs"] == 1 else f"{r['pairs']} pairs"
        return f"throughput {r['type']} {size_name(r['size'])} {pairs}"
    if r["test"] == "topology":
        return f"topology events, {r['bindings']} subscriptions"
    return f"name table {r['test']}, {r['bindings']} bindings"


def spread(values, med):
    """Half the interquartile range (with 5 runs: of the middle three), in % of the median: a
    single run the host slowed down does not widen it."""
    if len(values) < 2 or not med:
        return 0
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return (q3 - q1) / 2 / med * 100


def fmt_value(r):
    if r is None:
        return "-"
    if "error" in r:
        return "error"
    med = r["median"]
    spread_pc = spread(r.get("values", [med]), med)
    digits = 1 if med >= 100 else 2
    if med >= 10000:
        return f"{med / 1000:.0f}k ±{spread_pc:.0f}%"
    return f"{med:.{digits}f} ±{spread_pc:.0f}%"


def ratio(c, ours):
    """ours/C and its cell. Where both ran in the same rounds, the median of the ratios of the
    runs of each round (made one right after the other), better or worse when every round
    says so, else ~same; otherwise the ratio of the medians, ~same when the runs' ranges
    overlap."""
    if not c or not ours or "error" in c or "error" in ours or not c["median"]:
        return None, "-"
    lower = c["better"] == "lower"
    if "value_rounds" in c and "value_rounds" in ours:
        cv = dict(zip(c["value_rounds"], c["values"]))
        ov = dict(zip(ours["value_rounds"], ours["values"]))
        qs = [ov[r] / cv[r] for r in sorted(cv) if r in ov and cv[r]]
        if qs:
            q = statistics.median(qs)
            spread_pc = spread(qs, q)
            if all((x < 1) == lower for x in qs):
                verdict = "better"
            elif all((x > 1) == lower for x in qs):
                verdict = "worse"
            else:
                verdict = "~same"
            return q, f"{q:.2f} ±{spread_pc:.0f}% {verdict}"
    q = ours["median"] / c["median"]
    if ours["min"] <= c["max"] and c["min"] <= ours["max"]:
        verdict = "~same"
    elif (q < 1) == lower:
        verdict = "better"
    else:
        verdict = "worse"
    return q, f"{q:.2f} {verdict}"


def pool(parts):
    """One tipc-bench result set from several, as (round, data): each scenario's runs put
    together, with the round of each run in value_rounds."""
    if len(parts) == 1:
        return parts[0][1]
    merged = dict(parts[0][1])
    merged["rounds"] = len({rnd for rnd, _ in parts})
    order, by_id = [], {}
    for rnd, part in parts:
        for r in part.get("results", []):
            if r["id"] not in by_id:
                order.append(r["id"])
                by_id[r["id"]] = []
            by_id[r["id"]].append((rnd, r))
    results = []
    for rid in order:
        rs = [r for _, r in by_id[rid]]
        out = {k: v for k, v in rs[0].items()
               if k not in ("values", "median", "min", "max", "error") + EXTRAS}
        values = [v for r in rs for v in r.get("values", [])]
        rounds = [rnd for rnd, r in by_id[rid] for _ in r.get("values", [])]
        errors = [r["error"] for r in rs if "error" in r]
        if values:
            out.update(values=values, value_rounds=rounds, median=statistics.median(values),
                       min=min(values), max=max(values))
            for k in EXTRAS:
                if any(k in r for r in rs):
                    out[k] = statistics.median(r[k] for r in rs if k in r)
            if errors:
                out["errors"] = errors
        else:
            out["error"] = errors[0] if errors else "no runs"
        results.append(out)
    merged["results"] = results
    merged["runs"] = max((len(r.get("values", [])) for r in results), default=0)
    return merged


def load(outdir):
    data = {}
    for col in COLUMNS:
        parts = []
        path = os.path.join(outdir, f"{col}.json")
        if os.path.exists(path):
            with open(path) as f:
                parts.append((0, json.load(f)))
        # runs/COL.ROUND.INDEX.json
        found = []
        for path in glob.glob(os.path.join(outdir, "runs", f"{col}.*.*.json")):
            fields = os.path.basename(path).split(".")
            if len(fields) == 4 and fields[1].isdigit() and fields[2].isdigit():
                found.append((int(fields[1]), int(fields[2]), path))
        for rnd, _, path in sorted(found):
            with open(path) as f:
                parts.append((rnd, json.load(f)))
        if parts:
            data[col] = pool(parts)
    return data


def merge(data):
    """One row per scenario id, in the order the runs produced them (TIPC first)."""
    rows, by_id = [], {}
    for col in COLUMNS:
        for r in data.get(col, {}).get("results", []):
            if r["id"] not in by_id:
                by_id[r["id"]] = {
                    "id": r["id"], "scenario": scenario_name(r), "test": r["test"],
                    "type": r["type"], "size": r["size"], "pairs": r["pairs"],
                    "bindings": r["bindings"], "unit": r["unit"], "better": r["better"],
                }
                rows.append(by_id[r["id"]])
            by_id[r["id"]][col] = r
    for row in rows:
        q, _ = ratio(row.get("c"), row.get("ours"))
        row["ratio_ours_c"] = q
    return rows


def table(rows):
    head = ("scenario", "unit", "C", "ours", "ours/C", "AF_UNIX", "TCP")
    lines = [head]
    for row in rows:
        lines.append((row["scenario"], row["unit"], fmt_value(row.get("c")),
                      fmt_value(row.get("ours")), ratio(row.get("c"), row.get("ours"))[1],
                      fmt_value(row.get("unix")), fmt_value(row.get("tcp"))))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(widths[i + 2]) for i, cell in enumerate(line[2:])]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def plot(rows, outdir):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("report.py: gnuplot not installed: no latency.png (tools/setup.sh installs it)",
              file=sys.stderr)
        return None
    series = []  # (panel index, title, data file)
    for p, typ in enumerate(TYPES):
        for col in COLUMNS:
            pts = []
            for row in rows:
                r = row.get(col)
                if row["test"] == "latency" and row["type"] == typ and r and "error" not in r:
                    vals = r.get("values", [r["median"]])
                    q1, q3 = r["median"], r["median"]
                    if len(vals) > 1:
                        q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
                    pts.append((row["size"], r["median"], q1, q3))
            if not pts:
                continue
            path = os.path.join(outdir, f".plot-{typ}-{col}.dat")
            with open(path, "w") as f:
                for pt in sorted(pts):
                    f.write("%d %g %g %g\n" % pt)
            title = TITLES[col]
            if col == "unix":
                title += " " + UNIX_TYPE[typ]
            series.append((p, title, path))
    if not series:
        return None
    colors = {"C": "#1f77b4", "ours": "#d62728", "AF_UNIX": "#2ca02c", "TCP": "#7f7f7f"}
    png = os.path.join(outdir, "latency.png")
    script = [
        "set terminal pngcairo size 1500,520 font ',10'",
        f"set output '{png}'",
        "set termoption noenhanced",
        "set multiplot layout 1,3 title 'tipc-bench: round-trip latency (median of the runs, "
        "bars: interquartile range)'",
        "set logscale xy 2",
        "set xtics ('64 B' 64, '1 KB' 1024, '16 KB' 16384, '64 KB' 65536)",
        "set xrange [40:100000]",
        "set xlabel 'message size'",
        "set ylabel 'round trip (us)'",
        "set grid",
        "set key top left",
    ]
    for p, typ in enumerate(TYPES):
        plots = []
        for q, title, path in series:
            if q != p:
                continue
            color = colors[title.split()[0]]
            plots.append(f"'{path}' using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                         f"lc rgb '{color}' title '{title}'")
        script.append(f"set title 'SOCK_{typ.upper()}'")
        script.append("plot " + ", ".join(plots) if plots else "plot NaN notitle")
    script.append("unset multiplot")
    res = subprocess.run([gnuplot], input="\n".join(script) + "\n", text=True,
                         capture_output=True)
    for _, _, path in series:
        os.unlink(path)
    if res.returncode != 0:
        print(f"report.py: gnuplot failed: {res.stderr.strip()}", file=sys.stderr)
        return None
    return png


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    meta = {}
    args = sys.argv[2:]
    while args:
        if args[0] == "--meta" and len(args) > 1 and "=" in args[1]:
            k, v = args[1].split("=", 1)
            meta[k] = v
            args = args[2:]
        else:
            sys.exit(__doc__)
    data = load(outdir)
    if not data:
        sys.exit(f"report.py: no results in {outdir}")
    rows = merge(data)
    for col, d in data.items():
        meta[f"{col}_kernel"] = d.get("kernel")
        meta[f"{col}_runs"] = d.get("runs")
        if "rounds" in d:
            meta[f"{col}_rounds"] = d["rounds"]
        for k in ("cpus", "runs", "window_s", "warmup_s", "pin"):
            meta.setdefault(k, d.get(k))
    text = table(rows)
    note = ("ours/C: for each round, ours' run over C's run made right before or after it; the "
            "median of those ratios, ± half their\ninterquartile range, and better or worse for "
            "ours when every round says so (latency: lower is better; MB/s and ops/s: higher is "
            "better),\nelse ~same. "
            f"C, ours, AF_UNIX, TCP: median of {meta.get('runs')} runs, ± half their "
            "interquartile range, as a percentage of the median.")
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text + "\n\n" + note + "\n")
    png = plot(rows, outdir)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "scenarios": rows}, f, indent=1)
        f.write("\n")
    print(text)
    print()
    print(note)
    print()
    print(f"results: {os.path.join(outdir, 'results.json')}")
    if png:
        print(f"plot:    {png}")
    errors = [r["id"] + " (" + col + ")" for r in rows for col in COLUMNS
              if r.get(col) and "error" in r[col]]
    if errors:
        print(f"errors in: {', '.join(errors)}")


if __name__ == "__main__":
    main()
