#!/usr/bin/python3
"""Turns the TSV written by bench/dataplane.sh (round, measure, target, key, value) into Markdown tables.

Values are means over the rounds. Ratios are taken within each round (that is what interleaving is for) and
then averaged; with more than one round the spread of the per-round ratios follows in brackets.

    /usr/bin/python3 bench/dataplane-report.py results.tsv ["the command that produced them"]
"""
import sys
from collections import defaultdict
from statistics import mean

MEASURES = {
    "ps1": "oltp_point_select, 1 thread",
    "ps32": "oltp_point_select, 32 threads",
    "ro32": "oltp_read_only, 32 threads",
    "c1000": "1,000 clients looping point selects",
    "cqd64": "connect, SELECT 1, disconnect, 64 clients",
}
NAMES = {"direct": "direct", "haproxy": "HAProxy", "sluice": "Sluice", "direct-tls": "direct, TLS",
         "sluice-tls": "Sluice, TLS to backend"}
ORDER = ["direct", "haproxy", "sluice", "direct-tls", "sluice-tls"]


def load(path):
    data = defaultdict(dict)  # (measure, target, key) -> {round: value}
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 5 or parts[4] == "":
            continue
        rnd, measure, target, key, value = parts
        try:
            data[(measure, target, key)][int(rnd)] = float(value)
        except ValueError:
            pass
    return data


def fmt(v, digits=None):
    if v is None:
        return "–"
    if digits is None:
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
    return f"{v:,.{digits}f}"


def cell(values, digits=None):
    if not values:
        return "–"
    s = fmt(mean(values), digits)
    if len(values) > 1:
        s += f" ({fmt(min(values), digits)}–{fmt(max(values), digits)})"
    return s


def ratios(data, measure, key, num, den):
    a, b = data.get((measure, num, key), {}), data.get((measure, den, key), {})
    return [a[r] / b[r] for r in sorted(a) if r in b and b[r] > 0]


def main():
    data = load(sys.argv[1])
    command = sys.argv[2] if len(sys.argv) > 2 else None
    targets = [t for t in ORDER if any(k[1] == t for k in data)]
    proxies = [t for t in targets if t != "direct"]
    measures = [m for m in MEASURES if any(k[0] == m for k in data)]
    rounds = sorted({r for v in data.values() for r in v})
    out = []

    if measures:
        ratio_cols = [(t, "direct") for t in proxies]
        if "haproxy" in targets and "sluice" in targets:
            ratio_cols.append(("sluice", "haproxy"))
        if "sluice-tls" in targets:
            ratio_cols.append(("sluice-tls", "sluice"))
        out.append(f"Throughput and latency: mean of {len(rounds)} round(s); ratios within each round, then their mean"
                   + (" (min–max)" if len(rounds) > 1 else "") + ".")
        out.append("")
        out.append("| measure | " + " | ".join(NAMES[t] for t in targets) + " | "
                   + " | ".join(f"{NAMES[a]} / {NAMES[b]}" for a, b in ratio_cols) + " |")
        out.append("|---|" + "---:|" * (len(targets) + len(ratio_cols)))
        for m in measures:
            unit = "connections/s" if m == "cqd64" else "queries/s"
            rows = [("rate", f"{MEASURES[m]} ({unit})")]
            if m == "c1000":
                rows.append(("p95_ms", f"{MEASURES[m]}: p95 latency (ms)"))
            for key, label in rows:
                cells = [cell(list(data.get((m, t, key), {}).values())) for t in targets]
                rcells = [cell(ratios(data, m, key, a, b), 2) + "x" if ratios(data, m, key, a, b) else "–"
                          for a, b in ratio_cols]
                out.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(rcells) + " |")
        errors = [(m, t, int(sum(v.values()))) for (m, t, k), v in data.items() if k == "errors" and sum(v.values()) > 0]
        failed = [(m, t) for (m, t, k), v in data.items() if k == "failed"]
        out.append("")
        if errors:
            out.append("Errors sysbench ignored: " + ", ".join(f"{NAMES[t]} {m}: {n}" for m, t, n in errors) + ".")
        if failed:
            out.append("Failed runs (left out above): " + ", ".join(f"{NAMES[t]} {m}" for m, t in failed) + ".")
        if errors or failed:
            out.append("")

        out.append("CPU time per query in µs (per connection for connect/SELECT 1/disconnect): utime + stime of the "
                   "process from /proc/<pid>/stat, all its threads, before and after each run, divided by what "
                   "sysbench counted. MariaDB's own CPU per query in the same runs for comparison. \"of which JIT\": "
                   "the part Sluice's JIT compiler threads spent compiling during the run, which a warm JVM no "
                   "longer spends and a native image never does; it is included in Sluice's figure.")
        out.append("")
        cpu_cols = [(t, "proxy_cpu_us", f"{NAMES[t]}") for t in proxies if not t.startswith("direct")]
        cpu_cols += [(t, "jit_cpu_us", f"of which JIT ({NAMES[t]})") for t in proxies if t.startswith("sluice")]
        cpu_cols += [(t, "db_cpu_us", f"MariaDB ({NAMES[t]})") for t in targets]
        out.append("| measure | " + " | ".join(c[2] for c in cpu_cols) + " |")
        out.append("|---|" + "---:|" * len(cpu_cols))
        for m in measures:
            out.append(f"| {MEASURES[m]} | "
                       + " | ".join(cell(list(data.get((m, t, k), {}).values()), 1) for t, k, _ in cpu_cols) + " |")
        out.append("")

    idle_targets = [t for t in ORDER if ("idle", t, "clients") in data]
    if idle_targets:
        n = ", ".join(f"{NAMES[t]} {int(data[('idle', t, 'clients')][1])}" for t in idle_targets)
        out.append(f"Idle clients (logged in, then silent), each proxy freshly started; clients connected: {n}.")
        out.append("")
        out.append("| measure | " + " | ".join(NAMES[t] for t in idle_targets) + " |")
        out.append("|---|" + "---:|" * len(idle_targets))
        for key, label, digits in [("rss_per_client_kib", "RSS per client (KiB)", 1),
                                   ("idle_cpu_pct", "CPU while idle (% of a core)", 1),
                                   ("rss_before_mib", "RSS before (MiB)", 0),
                                   ("rss_after_mib", "RSS with the clients connected (MiB)", 0)]:
            out.append(f"| {label} | " + " | ".join(cell(list(data.get(("idle", t, key), {}).values()), digits)
                                                     for t in idle_targets) + " |")
        out.append("")
    if command:
        out.append(f"Command: `{command}`")
    print("\n".join(out))


if __name__ == "__main__":
    main()
