#!/usr/bin/env python
"""What a session costs outside the event loop: `TProof.Open("workers=2")` and the warm
1,000-entry query, in wall time and in CPU time of the whole process tree (the client, the
embedded cluster's process and its workers). CPU time is far less sensitive than wall time to
what else runs on a shared machine, which is what makes small differences (e.g. TLS on the
embedded cluster) visible at all.

    python benchmarks/session_overhead.py [--queries N] [--runs R] [--json FILE]

Each run is its own process (a fresh session). To compare two versions of proofshim, run it with
PYTHONPATH pointing at each source tree, alternating, and compare the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
TCK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and every process below it, as /proc reports them."""
    children: dict[int, list[tuple[int, float]]] = {}
    own = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu = (int(fields[11]) + int(fields[12])) / TCK
        if int(entry) == pid:
            own = cpu
        children.setdefault(int(fields[1]), []).append((int(entry), cpu))
    total, todo = own, [pid]
    while todo:
        for child, cpu in children.get(todo.pop(), []):
            total += cpu
            todo.append(child)
    return total


def one_run(data: str, queries: int) -> dict:
    warnings.filterwarnings("ignore")
    import ROOT

    ROOT.gROOT.SetBatch(True)
    import proofshim  # noqa: F401

    sel = os.path.join(HERE, "BenchSel.C+")
    t0 = time.perf_counter()
    proof = ROOT.TProof.Open("workers=2")
    t_open = time.perf_counter() - t0
    chain = ROOT.TChain("T")
    chain.Add(data)
    chain.SetProof()
    for _ in range(3):                       # compile, load, warm every worker
        assert chain.Process(sel, "", 1000) == 0
    cpu0, walls = tree_cpu(os.getpid()), []
    for _ in range(queries):
        t0 = time.perf_counter()
        assert chain.Process(sel, "", 1000) == 0
        walls.append(time.perf_counter() - t0)
    cpu = (tree_cpu(os.getpid()) - cpu0) / queries
    proof.Close()
    return {"open_s": t_open, "query_wall_s": walls, "query_cpu_s": cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=int, default=20, help="warm queries per run (20)")
    ap.add_argument("--runs", type=int, default=5, help="runs, each in its own process (5)")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--one-run", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_run:
        print("RESULT " + json.dumps(one_run(args.one_run, args.queries)), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="proofshim-overhead-") as d:
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), "--outdir", d,
                        "--entries", "1000", "--files", "1"], check=True, capture_output=True)
        data = os.path.join(d, "bench_0.root")
        runs = []
        for i in range(args.runs):
            res = subprocess.run([sys.executable, __file__, "--one-run", data, "--queries", str(args.queries)],
                                 capture_output=True, text=True, timeout=1800)
            line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                print(res.stdout + res.stderr, file=sys.stderr)
                return 1
            runs.append(json.loads(line[len("RESULT "):]))
            r = runs[-1]
            print(f"run {i + 1}: Open {r['open_s']:.2f} s, warm query median "
                  f"{statistics.median(r['query_wall_s']) * 1000:.0f} ms wall, "
                  f"{r['query_cpu_s'] * 1000:.0f} ms CPU", flush=True)
    opens = [r["open_s"] for r in runs]
    walls = [w for r in runs for w in r["query_wall_s"]]
    cpus = [r["query_cpu_s"] for r in runs]
    print(f"Open: median {statistics.median(opens):.2f} s (min {min(opens):.2f}, max {max(opens):.2f}); "
          f"warm 1,000-entry query: median {statistics.median(walls) * 1000:.0f} ms wall "
          f"(min {min(walls) * 1000:.0f}), {statistics.median(cpus) * 1000:.0f} ms CPU "
          f"(min {min(cpus) * 1000:.0f}, max {max(cpus) * 1000:.0f}); load {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(runs, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
