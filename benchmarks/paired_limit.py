#!/usr/bin/env python
"""proofshim and TTreeProcessorMP against the machine's limit, measured round by round.

run_benchmark.py times each runner in a block (all of one runner's repeats, then the next). On a
VM whose speed drifts by 10-20% from one minute to the next, the "% of the limit" of its table
then moves by as much between two runs of the script (114% and 86% within three minutes on an
idle machine, 2026-12-04). This script measures the runners side by side instead: each round
runs one limit run (--workers plain one-process runs at once, each over its share of the entries,
as in run_benchmark.py), one TTreeProcessorMP run (in a child process that never imports
proofshim) and one warm proofshim query over the same data, their order rotating from round to
round so that a drift favours none; a runner's share in a round is the round's limit time over
its own. The median share over the rounds is the figure to compare with issue 15's goal (>= 97%).

    python benchmarks/paired_limit.py [--data DIR] [--workers 2] [--rounds 9] [--skip-mp] [--json FILE]

Every query must fill the histogram with every entry of the data once: exit status 1 otherwise
(a speed figure over lost or doubled entries means nothing).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*alpha stage", category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
GOAL = 0.97


def _bench():
    sys.path.insert(0, HERE)
    import run_benchmark   # noqa: PLC0415 - the data, selector and limit run are shared with it

    return run_benchmark


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"), help="make_data.py's directory (default benchmarks/data)")
    ap.add_argument("--workers", type=int, default=2, help="proofshim workers and concurrent limit runs (default 2)")
    ap.add_argument("--rounds", type=int, default=9, help="rounds of one run of each runner (default 9)")
    ap.add_argument("--skip-mp", action="store_true", help="no TTreeProcessorMP runs")
    ap.add_argument("--mp-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = ap.parse_args(argv)
    if args.workers < 1 or args.rounds < 1:
        ap.error("--workers and --rounds must be >= 1")
    return args


def mp_child(args) -> int:
    """TTreeProcessorMP in a process without proofshim: one run per `go` line on stdin, its wall
    time and the entries of its hpz on stdout as JSON."""
    import ROOT

    rb = _bench()
    files = rb.data_files(args.data)
    rb.compile_selector()
    chain = rb.make_chain(files)
    print("READY", flush=True)
    for _ in sys.stdin:
        sel = ROOT.BenchSel()
        pool = ROOT.ROOT.TTreeProcessorMP(args.workers)
        t0 = time.perf_counter()
        out = pool.Process(chain, sel, rb.TREE)
        dt = time.perf_counter() - t0
        hpz = out.FindObject("hpz") if out else None
        print(json.dumps({"time": dt, "entries": int(hpz.GetEntries()) if hpz else -1}), flush=True)
        del pool
    return 0


class _MP:
    """The TTreeProcessorMP child, started before this process imports proofshim."""

    def __init__(self, args):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--mp-child", "--data", args.data,
                                      "--workers", str(args.workers)], cwd=HERE, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError("the TTreeProcessorMP child did not start: %r" % line)

    def run(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        res = json.loads(self.proc.stdout.readline())
        return res["time"], res["entries"]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.mp_child:
        return mp_child(args)
    rb = _bench()
    files = rb.data_files(args.data)
    if not files:
        print("no data in %s -- run: python benchmarks/make_data.py" % args.data, file=sys.stderr)
        return 1
    os.chdir(HERE)                     # the selector is named as legacy scripts name it, BenchSel.C+
    mp = None if args.skip_mp else _MP(args)
    try:
        return _rounds(args, rb, files, mp)
    finally:
        if mp:
            mp.close()


def _rounds(args, rb, files, mp) -> int:
    import proofshim  # noqa: F401 - before the PROOF calls
    import ROOT

    chain = rb.make_chain(files)
    entries = int(chain.GetEntries())
    rb.compile_selector()
    proof = ROOT.TProof.Open("workers=%d" % args.workers)
    if not proof:
        print("TProof.Open failed", file=sys.stderr)
        return 1
    chain.SetProof()
    if chain.Process(rb.SELECTOR_PLUS) < 0:           # warm-up: the workers load the selector
        print("the warm-up query failed", file=sys.stderr)
        return 1
    limit_args = argparse.Namespace(repeat=1, workers=args.workers, data=args.data)

    def limit():
        return rb.run_limit(limit_args, "compiled", entries)[0], entries   # run_limit checks the entries

    def shim():
        t0 = time.perf_counter()
        rc = chain.Process(rb.SELECTOR_PLUS)
        dt = time.perf_counter() - t0
        hpz = proof.GetOutputList().FindObject("hpz")
        return dt, int(hpz.GetEntries()) if (rc is None or rc >= 0) and hpz else -1

    runners = {"limit": limit, "shim": shim} | ({"mp": mp.run} if mp else {})
    names = list(runners)
    print("%s entries in %d files, %d workers, %d rounds, load average %.2f"
          % (f"{entries:,}", len(files), args.workers, args.rounds, os.getloadavg()[0]), flush=True)
    print("%5s %10s %14s %8s" % ("round", "limit [s]", "proofshim [s]", "share") +
          ("%11s %8s" % ("MP [s]", "share") if mp else ""), flush=True)
    rounds, bad = [], 0
    for i in range(args.rounds):
        r = {}
        for name in names[i % len(names):] + names[:i % len(names)]:   # the order rotates
            t, n = runners[name]()
            r[name + "_s"] = t
            if n != entries:
                bad += 1
                r[name + "_entries"] = n
        for name in runners:
            if name != "limit":
                r[name + "_share"] = r["limit_s"] / r[name + "_s"]
        rounds.append(r)
        print("%5d %10.2f %14.2f %7.0f%%" % (i + 1, r["limit_s"], r["shim_s"], 100 * r["shim_share"]) +
              ("%11.2f %7.0f%%" % (r["mp_s"], 100 * r["mp_share"]) if mp else "") +
              ("  ENTRIES WRONG" if any(k.endswith("_entries") for k in r) else ""), flush=True)
    proof.Close()
    summary = {}
    for name, label in (("shim", "proofshim"), ("mp", "TTreeProcessorMP")):
        if name in runners:
            shares = [r[name + "_share"] for r in rounds]
            summary[name] = statistics.median(shares)
            print("%s's share of the limit: median %.0f%% (min %.0f%%, max %.0f%%) over %d rounds"
                  % (label, 100 * summary[name], 100 * min(shares), 100 * max(shares), len(shares)))
    print("goal (issue 15): proofshim >= %.0f%% of the limit: %s" % (100 * GOAL, "met" if summary["shim"] >= GOAL else "missed"))
    if mp:
        ahead = sum(r["shim_s"] < r["mp_s"] for r in rounds)
        print("proofshim faster than TTreeProcessorMP in %d of %d rounds" % (ahead, len(rounds)))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"entries": entries, "files": len(files), "workers": args.workers, "rounds": rounds,
                       "median_share": summary, "goal": GOAL}, fh, indent=1)
    if bad:
        print("%d queries did not process every entry once" % bad, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
