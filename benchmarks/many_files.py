#!/usr/bin/env python
"""Very many tiny files: wall time and the client's memory against the number of files.

A chain of 5,000, 10,000 and 20,000 files of 50 entries (the first N files of the 20,000-file
data set `make_data.py --outdir benchmarks/data/many --entries 1000000 --files 20000`, as
directories of symbolic links) through BenchSel.C+ in one plain process and through proofshim on
a warm 2-worker session, each by run_benchmark.py (best of --repeat). For proofshim, also the
client's memory over one query: the peak of its Python allocations (tracemalloc) and its peak
RSS. Bounded client memory and no per-file quadratic cost show as a flat time per file and
memory growing no faster than the number of files.

    python benchmarks/many_files.py [--data benchmarks/data/many] [--files 5000 10000 20000]
                                    [--repeat 3] [--json FILE]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def subset(src: str, n: int, top: str) -> str:
    """A directory of links to the first `n` files (bench_0 .. bench_{n-1}) of `src`."""
    d = os.path.join(top, str(n))
    os.makedirs(d)
    for i in range(n):
        name = f"bench_{i}.root"
        os.symlink(os.path.join(src, name), os.path.join(d, name))
    return d


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data", "many"))
    ap.add_argument("--files", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    src = os.path.abspath(args.data)
    have = len(glob.glob(os.path.join(src, "bench_*.root")))
    if have < max(args.files):
        print(f"{src} has {have} files, {max(args.files)} are needed: run\n  python benchmarks/make_data.py "
              f"--outdir {src} --entries {50 * max(args.files)} --files {max(args.files)}", file=sys.stderr)
        return 1
    rows, ok = [], True
    with tempfile.TemporaryDirectory(prefix="proofshim-many-") as top:
        for n in args.files:
            d = subset(src, n, top)
            out = os.path.join(top, f"{n}.json")
            print(f"== {n} files ...", flush=True)
            rc = subprocess.run([sys.executable, os.path.join(HERE, "run_benchmark.py"), "--data", d,
                                 "--small-data", "none", "--many-data", "none", "--skip-mp", "--skip-limit",
                                 "--skip-python", "--skip-rdf", "--client-memory", "--repeat", str(args.repeat),
                                 "--json", out], stdout=subprocess.DEVNULL).returncode
            ok &= rc == 0
            with open(out) as fh:
                r = json.load(fh)
            plain, shim = r["runners"]["plain"], r["runners"].get("shim", {})
            rows.append({"files": n, "entries": r["data"]["entries"], "plain_s": plain.get("best"),
                         "shim_s": shim.get("best"), "traced_mb": shim.get("client_traced_peak_mb"),
                         "rss_mb": shim.get("client_maxrss_mb"), "rss_open_mb": shim.get("client_rss_open_mb"),
                         "ok": rc == 0})
    print(f"\n{'files':>7} {'entries':>9} {'one process':>12} {'per file':>9} {'proofshim':>10} {'per file':>9} "
          f"{'client Python peak':>19} {'client peak RSS':>16}")
    for x in rows:
        if not x["shim_s"]:
            print(f"{x['files']:>7} {x['entries']:>9} {x['plain_s']:>10.2f} s   proofshim FAILED")
            continue
        print(f"{x['files']:>7} {x['entries']:>9} {x['plain_s']:>10.2f} s {1e3 * x['plain_s'] / x['files']:>6.3f} ms "
              f"{x['shim_s']:>8.2f} s {1e3 * x['shim_s'] / x['files']:>6.3f} ms {x['traced_mb']:>16.1f} MB "
              f"{x['rss_mb']:>13.0f} MB")
    good = [x for x in rows if x["shim_s"]]
    if len(good) >= 2:
        a, b = good[0], good[-1]
        print(f"proofshim time per file, {b['files']} files over {a['files']}: "
              f"{(b['shim_s'] / b['files']) / (a['shim_s'] / a['files']):.2f}x (1.0: linear); "
              f"client Python peak {b['traced_mb'] / a['traced_mb']:.2f}x for {b['files'] / a['files']:.0f}x the files")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
