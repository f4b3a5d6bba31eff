#!/usr/bin/env python3
"""Turn the guest's "bench ..." lines into results: every run in a CSV, a
summary CSV (median and spread per scenario and SPF setting, the on/off
ratio, the speculative success rate, the top abort reasons), a plain-text
table on stdout, and a PNG plot of on versus off made with gnuplot.

    bench-report.py RESULTS-LOG OUT-DIR [TITLE]
    bench-report.py --peers RESULTS-LOG OUT-DIR [TITLE]   (make bench-peers:
        one column per kernel: SPF 6.1, SPF-off 6.1, unpatched 6.1, 6.12)
"""
import csv
import os
import statistics
import subprocess
import sys

# A scenario run in another THP mode than the default (always) is named
# <scenario>@<mode>: base() is the scenario.
def base(name):
    return name.split("@")[0]


def role(name, suffix):
    """Whether the scenario (whatever its THP mode) ends with suffix."""
    return base(name).endswith(suffix)


# The figure of merit of each scenario, and whether higher is better.
def metric(name):
    name = base(name)
    if name.startswith("pf-churn-") and name.endswith("-churner"):
        return "churn_ops_per_sec", True
    if name.startswith("db-load"):
        return "seconds", False
    if name.startswith("ebizzy"):
        return "records_per_sec", True
    if name.startswith("fork-exit"):
        return "forks_per_sec", True
    # Swap-ins: the faults over the time spent faulting, not paging out
    # (see pf-churn.c).
    if name.startswith("pf-churn-swap-"):
        return "touch_faults_per_sec", True
    return "faults_per_sec", True


def parse(log):
    runs = []
    with open(log, errors="replace") as f:
        for line in f:
            if not line.startswith("bench "):
                continue
            kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            runs.append(kv)
    return runs


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def summarize(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["name"], r["spf"]), []).append(r)
    out = {}
    for (name, spf), rs in groups.items():
        key, _ = metric(name)
        vals = [num(r.get(key)) for r in rs if num(r.get(key)) is not None]
        att = sum(num(r.get("spf_attempt")) or 0 for r in rs)
        ok = sum(num(r.get("spf_success")) or 0 for r in rs)
        aborts = {}
        for r in rs:
            for a in r.get("aborts", "none").split(","):
                if ":" in a:
                    k, v = a.split(":")
                    aborts[k] = aborts.get(k, 0) + int(v)
        med = statistics.median(vals) if vals else None
        s = {
            "scenario": name, "spf": spf, "metric": key, "runs": len(vals),
            "median": med,
            "spread_pct": (max(vals) - min(vals)) / med * 100 if med else None,
            "spf_success_pct": ok / att * 100 if att else None,
            "top_aborts": ",".join("%s:%d" % kv for kv in sorted(
                aborts.items(), key=lambda kv: -kv[1])[:3]) or "none",
        }
        if role(name, "-both"):
            s["faults_median"] = statistics.median(
                num(r["faults_per_sec"]) for r in rs)
            s["churn_median"] = statistics.median(
                num(r["churn_ops_per_sec"]) for r in rs)
        out[(name, spf)] = s
    return out


def fmt(v, digits=0):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "%.0f" % v
    return ("%%.%df" % digits) % v


PEER_COLUMNS = [("release", "1", "SPF 6.1"), ("release", "0", "SPF-off 6.1"),
                ("base", "none", "unpatched 6.1"), ("v6.12", "none", "6.12")]


def peers(runs, outdir, title):
    """One column per kernel (and SPF setting): medians over the rounds."""
    table = {}
    names = []
    for r in runs:
        key, _ = metric(r["name"])
        v = num(r.get(key))
        if v is None:
            continue
        table.setdefault((r["name"], r["kernel"], r["spf"]), []).append(v)
        if role(r["name"], "-both"):
            table.setdefault((r["name"] + ":churner", r["kernel"], r["spf"]),
                             []).append(num(r["churn_ops_per_sec"]))
        if r["name"] not in names:
            names.append(r["name"])
    print(title)
    print("%-28s %-18s" % ("scenario", "metric") +
          "".join("%15s" % c[2] for c in PEER_COLUMNS) + "   SPF/6.12")
    out = []
    for name in names:
        for sub in ([name, name + ":churner"] if role(name, "-both")
                    else [name]):
            key = ("churn_ops_per_sec" if sub.endswith(":churner")
                   else metric(name)[0])
            meds = []
            for k, spf, _ in PEER_COLUMNS:
                v = table.get((sub, k, spf))
                meds.append(statistics.median(v) if v else None)
            higher = metric(name)[1]
            vs = None
            if meds[0] and meds[3]:
                vs = meds[0] / meds[3] if higher else meds[3] / meds[0]
            print("%-28s %-18s" % (sub, key) +
                  "".join("%15s" % fmt(m, 3) for m in meds) +
                  "%11s" % fmt(vs, 3))
            out.append([sub, key] + meds + [vs])
    # pf-churn as fractions of each kernel's own ceilings: this separates
    # the locking from the kernels' other differences in speed.
    fr = []
    for c in ("mmap", "mprotect", "mremap", "file", "swap"):
        cells = []
        for k, spf, _ in PEER_COLUMNS:
            def med(n):
                v = table.get((n, k, spf))
                return statistics.median(v) if v else None
            fl, ch = med("pf-churn-%s-faulters" % c), med("pf-churn-%s-churner" % c)
            bf, bc = med("pf-churn-%s-both" % c), med("pf-churn-%s-both:churner" % c)
            cells.append(bf / fl + bc / ch if fl and ch and bf is not None and
                         bc is not None else None)
        fr.append(["pf-churn-%s fractions sum" % c, "of own ceilings"] + cells +
                   [cells[0] / cells[3] if cells[0] and cells[3] else None])
    for row in fr:
        print("%-28s %-18s" % (row[0], row[1]) +
              "".join("%15s" % fmt(m, 3) for m in row[2:6]) +
              "%11s" % fmt(row[6], 3))
        out.append(row)
    with open(os.path.join(outdir, "bench-peers.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "metric"] + [c[2] for c in PEER_COLUMNS] +
                   ["spf_vs_6.12"])
        w.writerows(out)
    print("\n(medians over the rounds; db-load is seconds, lower is better;"
          " SPF/6.12 > 1 means SPF is better)")


def main():
    peer_mode = len(sys.argv) > 1 and sys.argv[1] == "--peers"
    if peer_mode:
        del sys.argv[1]
    log, outdir = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else ""
    runs = parse(log)
    if peer_mode:
        if not runs:
            sys.exit("bench-report: no 'bench' lines in %s" % log)
        os.makedirs(outdir, exist_ok=True)
        return peers(runs, outdir, title)
    if not runs:
        sys.exit("bench-report: no 'bench' lines in %s" % log)
    os.makedirs(outdir, exist_ok=True)

    keys = []
    for r in runs:
        keys += [k for k in r if k not in keys]
    with open(os.path.join(outdir, "bench-runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(runs)

    summ = summarize(runs)
    names = []
    for r in runs:
        if r["name"] not in names:
            names.append(r["name"])
    settings = sorted({k[1] for k in summ})
    has_spf = "1" in settings

    rows = []
    print(title)
    print("%-26s %-18s %12s %6s %12s %6s %7s %7s  %s" % (
        "scenario", "metric", "SPF off", "+-%", "SPF on", "+-%", "on/off",
        "spec%", "top aborts (on)"))
    for name in names:
        off = summ.get((name, "0")) or summ.get((name, "none"))
        on = summ.get((name, "1"))
        _, higher = metric(name)
        ratio = None
        if off and on and off["median"] and on["median"]:
            ratio = (on["median"] / off["median"] if higher
                     else off["median"] / on["median"])
        print("%-26s %-18s %12s %6s %12s %6s %7s %7s  %s" % (
            name, (off or on)["metric"],
            fmt(off and off["median"], 3), fmt(off and off["spread_pct"], 1),
            fmt(on and on["median"], 3), fmt(on and on["spread_pct"], 1),
            fmt(ratio, 3), fmt(on and on["spf_success_pct"], 1),
            on["top_aborts"] if on else "-"))
        rows.append((name, off, on, ratio))

    # pf-churn: each side of "both" as a fraction of its ceiling (alone).
    churn_rows = []
    for c in ("mmap", "mprotect", "mremap", "file", "swap"):
        for spf in settings:
            both = summ.get(("pf-churn-%s-both" % c, spf))
            fl = summ.get(("pf-churn-%s-faulters" % c, spf))
            ch = summ.get(("pf-churn-%s-churner" % c, spf))
            if not (both and fl and ch and fl["median"] and ch["median"]):
                continue
            ff = both["faults_median"] / fl["median"]
            cf = both["churn_median"] / ch["median"]
            churn_rows.append((c, spf, ff, cf, ff + cf))
    if churn_rows:
        print()
        print("pf-churn, each side of the mixed run as a fraction of its ceiling (run alone):")
        print("%-10s %-5s %12s %12s %8s" % ("churner", "SPF", "faults", "churner", "sum"))
        for c, spf, ff, cf, s in churn_rows:
            print("%-10s %-5s %12.3f %12.3f %8.3f" % (
                c, {"0": "off", "1": "on"}.get(spf, spf), ff, cf, s))

    with open(os.path.join(outdir, "bench-summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "metric", "off_median", "off_spread_pct",
                    "on_median", "on_spread_pct", "on_off_ratio",
                    "spf_success_pct", "top_aborts"])
        for name, off, on, ratio in rows:
            w.writerow([name, (off or on)["metric"],
                        off and off["median"], off and off["spread_pct"],
                        on and on["median"], on and on["spread_pct"], ratio,
                        on and on["spf_success_pct"],
                        on["top_aborts"] if on else ""])
        for c, spf, ff, cf, s in churn_rows:
            w.writerow(["pf-churn-%s-fractions" % c, "spf=%s" % spf,
                        ff, "", cf, "", s, "", ""])

    if not has_spf:
        return
    dat = os.path.join(outdir, "bench-plot.dat")
    with open(dat, "w") as f:
        for name, off, on, ratio in rows:
            if ratio is None or role(name, "-faulters") or role(name, "-churner"):
                continue
            if role(name, "-both"):
                label = name.replace("-both", "", 1)
                f.write('"%s faults" 1.0 %.4f\n' % (label, ratio))
                if off["churn_median"]:
                    f.write('"%s churner" 1.0 %.4f\n' % (
                        label, on["churn_median"] / off["churn_median"]))
            else:
                f.write('"%s" 1.0 %.4f\n' % (name, ratio))
    png = os.path.join(outdir, "bench.png")
    script = """
set terminal png size 1000,520
set output '%s'
set title "%s\\nSPF on vs off (higher is better; db-load: time ratio off/on)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.5:*]
set ylabel "relative to SPF off (log scale)"
set xtics rotate by -30 scale 0
set grid ytics
set key top left
plot '%s' using 2:xtic(1) title "SPF off" lc rgb "#999999", \\
     '' using 3 title "SPF on" lc rgb "#2a6fdb"
""" % (png, title.replace('"', "'"), dat)
    r = subprocess.run(["gnuplot"], input=script, text=True,
                       capture_output=True)
    if r.returncode:
        sys.exit("bench-report: gnuplot failed: " + r.stderr)
    print("\nplot: %s" % png)


if __name__ == "__main__":
    main()
