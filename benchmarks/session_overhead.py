#!/usr/bin/env python
"""What a session costs outside the event loop: `TProof.Open("workers=2")` and the warm
1,000-entry query, in wall time and in CPU time of the whole process tree (the client, the
embedded cluster's process and its workers). CPU time is far less sensitive than wall time to
what else runs on a shared machine, which is what makes small differences (e.g. TLS on the
embedded cluster) visible at all.

Then the start-up figures of issue 15 in one table, each from fresh processes, best of --runs:
`import ROOT` and `import proofshim` (the cache warm), `TProof.Open`, the warm 1,000-entry query,
and a cold first query (a selector build cache without BenchSel: it is compiled) less the time
ACLiC takes to compile BenchSel.C in a plain ROOT process.

    python benchmarks/session_overhead.py [--queries N] [--runs R] [--no-startup] [--json FILE]

Each run is its own process (a fresh session). To compare two versions of proofshim, run it with
PYTHONPATH pointing at each source tree, alternating, and compare the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
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
    chain = ROOT.TChain("T")
    chain.Add(data)
    cpu0 = tree_cpu(os.getpid())
    t0 = time.perf_counter()
    proof = ROOT.TProof.Open("workers=2")
    t_open = time.perf_counter() - t0
    # Open may return while the workers start (the first query waits for them): the time from
    # Open's start to the first query's result shows the whole cost, wherever it went.
    chain.SetProof()
    assert chain.Process(sel, "", 1000) == 0     # BenchSel built already (the caller compiled it)
    t_first = time.perf_counter() - t0
    cpu_first = tree_cpu(os.getpid()) - cpu0
    for _ in range(2):                       # warm every worker
        assert chain.Process(sel, "", 1000) == 0
    cpu0, walls = tree_cpu(os.getpid()), []
    for _ in range(queries):
        t0 = time.perf_counter()
        assert chain.Process(sel, "", 1000) == 0
        walls.append(time.perf_counter() - t0)
    cpu = (tree_cpu(os.getpid()) - cpu0) / max(1, queries)
    proof.Close()
    return {"open_s": t_open, "open_first_s": t_first, "open_first_cpu_s": cpu_first, "query_wall_s": walls,
            "query_cpu_s": cpu}


# `import ROOT` alone is lazy (the wheel sets up the interpreter on first use); proofshim needs it
# up, so ROOT with its interpreter up (`ROOT.gROOT`) is the fair baseline; both are shown.
IMPORT_CODE = ("import time, warnings; warnings.filterwarnings('ignore'); t0 = time.perf_counter(); "
               "{stmt}; print('RESULT', time.perf_counter() - t0)")
IMPORTS = {"root": "import ROOT", "root_up": "import ROOT; ROOT.gROOT.GetVersion()", "proofshim": "import proofshim"}

COLD_CODE = """
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import ROOT
ROOT.gROOT.SetBatch(True)
import proofshim
proof = ROOT.TProof.Open("workers=2")
chain = ROOT.TChain("T")
chain.Add(sys.argv[1])
chain.SetProof()
# The session up first (Open of a local session returns while its workers start; the first
# query would wait for them): this row is the query's own cost, Open's is in the rows above.
executor = proofshim.session.get(proof).executor
getattr(executor, "wait_started", lambda: None)()
t0 = time.perf_counter()
rc = chain.Process(sys.argv[2], "", 1000)
cold = time.perf_counter() - t0
proof.Close()
print("RESULT", json.dumps({"rc": rc, "cold_s": cold}))
"""

COMPILE_CODE = """
import sys, time, warnings
warnings.filterwarnings("ignore")
import ROOT
t0 = time.perf_counter()
ok = ROOT.gSystem.CompileMacro(sys.argv[1], "k")
print("RESULT", time.perf_counter() - t0 if ok == 1 else -1)
"""


def _result(cmd: list[str], env: dict | None = None, timeout: float = 1800) -> str:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{cmd[:3]} gave no result:\n{res.stdout[-2000:]}{res.stderr[-2000:]}")
    return line[len("RESULT "):]


def startup(data: str, runs: int) -> dict:
    """Best-of-`runs` start-up figures, each from fresh processes."""
    out: dict = {f"import_{k}_s": [] for k in IMPORTS} | {"cold_s": [], "compile_s": []}
    with tempfile.TemporaryDirectory(prefix="proofshim-pyc-") as pyc:
        # A warm cache holds the modules' bytecode too, as any installation has it: written once
        # into a private prefix (PYTHONDONTWRITEBYTECODE, set in some environments, would make
        # every import compile proofshim's modules again).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pyc
        _result([sys.executable, "-c", IMPORT_CODE.format(stmt=IMPORTS["proofshim"])], env=env, timeout=600)
        for _ in range(runs):
            for key, stmt in IMPORTS.items():
                out[f"import_{key}_s"].append(float(_result([sys.executable, "-c", IMPORT_CODE.format(stmt=stmt)],
                                                            env=env, timeout=600)))
    cache = os.environ.get("PROOFSHIM_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "proofshim")
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="proofshim-cold-") as tmp:
            # A cache with proofshim's C++ library (built, as on any machine after the first
            # import) and no selector builds: the first query compiles BenchSel.
            if os.path.isdir(os.path.join(cache, "lib")):
                shutil.copytree(os.path.join(cache, "lib"), os.path.join(tmp, "cache", "lib"), symlinks=True)
            sel_dir = os.path.join(tmp, "sel")
            os.makedirs(sel_dir)
            shutil.copy(os.path.join(HERE, "BenchSel.C"), sel_dir)
            env = dict(os.environ, PROOFSHIM_CACHE_DIR=os.path.join(tmp, "cache"))
            r = json.loads(_result([sys.executable, "-c", COLD_CODE, data, os.path.join(sel_dir, "BenchSel.C+")],
                                   env=env))
            if r["rc"] != 0:
                raise RuntimeError(f"the cold first query returned {r['rc']}")
            out["cold_s"].append(r["cold_s"])
            os.makedirs(os.path.join(tmp, "plain"))
            shutil.copy(os.path.join(HERE, "BenchSel.C"), os.path.join(tmp, "plain"))
            out["compile_s"].append(float(_result([sys.executable, "-c", COMPILE_CODE,
                                                   os.path.join(tmp, "plain", "BenchSel.C")])))
    return out


def startup_table(st: dict, opens: list[float], walls: list[float], firsts: list[float],
                  first_cpus: list[float]) -> list[dict]:
    """The rows of the start-up table (issue 15's goals)."""
    bare, root, shim = min(st["import_root_s"]), min(st["import_root_up_s"]), min(st["import_proofshim_s"])
    cold, comp = min(st["cold_s"]), min(st["compile_s"])
    return [
        {"what": "import ROOT (lazy: interpreter not up)", "value": bare, "text": f"{bare:.2f} s", "goal": "",
         "met": None},
        {"what": "import ROOT; ROOT.gROOT (interpreter up)", "value": root, "text": f"{root:.2f} s", "goal": "",
         "met": None},
        {"what": "import proofshim (includes ROOT's)", "value": shim,
         "text": f"{shim:.2f} s (+{shim - root:.2f} s)", "goal": "<= ROOT (up) + 0.3 s",
         "met": shim - root <= 0.3},
        {"what": 'TProof.Open("workers=2")', "value": min(opens), "text": f"{min(opens):.2f} s",
         "goal": "<= 1 s", "met": min(opens) <= 1.0},
        {"what": "Open's start to the first query's result", "value": min(firsts),
         "text": f"{min(firsts):.2f} s (CPU {min(first_cpus):.2f} s)", "goal": "", "met": None},
        {"what": "warm 1,000-entry query", "value": min(walls),
         "text": f"{min(walls):.3f} s (median {statistics.median(walls):.3f})", "goal": "<= 0.05 s",
         "met": min(walls) <= 0.05},
        {"what": "cold first query - compile time", "value": cold - comp,
         "text": f"{cold - comp:.2f} s ({cold:.2f} - {comp:.2f})", "goal": "<= 2 s", "met": cold - comp <= 2.0},
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=int, default=20, help="warm queries per run (20)")
    ap.add_argument("--runs", type=int, default=5, help="runs, each in its own process (5)")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up table (imports, cold query)")
    ap.add_argument("--one-run", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_run:
        print("RESULT " + json.dumps(one_run(args.one_run, args.queries)), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="proofshim-overhead-") as d:
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), "--outdir", d,
                        "--entries", "1000", "--files", "1"], check=True, capture_output=True)
        data = os.path.join(d, "bench_0.root")
        # Unrecorded: BenchSel compiled into the selector cache (if it was not), so that every run's
        # first query after Open loads it, as a warm cache does, rather than compiling it.
        subprocess.run([sys.executable, __file__, "--one-run", data, "--queries", "0"], capture_output=True,
                       timeout=1800)
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
            print(f"run {i + 1}: Open {r['open_s']:.2f} s, to the first result {r['open_first_s']:.2f} s "
                  f"(CPU {r['open_first_cpu_s']:.2f} s), warm query median "
                  f"{statistics.median(r['query_wall_s']) * 1000:.0f} ms wall, "
                  f"{r['query_cpu_s'] * 1000:.0f} ms CPU", flush=True)
        opens = [r["open_s"] for r in runs]
        firsts = [r["open_first_s"] for r in runs]
        first_cpus = [r["open_first_cpu_s"] for r in runs]
        walls = [w for r in runs for w in r["query_wall_s"]]
        cpus = [r["query_cpu_s"] for r in runs]
        print(f"Open: median {statistics.median(opens):.2f} s (min {min(opens):.2f}, max {max(opens):.2f}); "
              f"Open to the first result: median {statistics.median(firsts):.2f} s (min {min(firsts):.2f}), "
              f"CPU {statistics.median(first_cpus):.2f} s; "
              f"warm 1,000-entry query: median {statistics.median(walls) * 1000:.0f} ms wall "
              f"(min {min(walls) * 1000:.0f}), {statistics.median(cpus) * 1000:.0f} ms CPU "
              f"(min {min(cpus) * 1000:.0f}, max {max(cpus) * 1000:.0f}); load {os.getloadavg()[0]:.1f}",
              flush=True)
        result: dict = {"runs": runs}
        if not args.no_startup:
            st = startup(data, args.runs)
            rows = startup_table(st, opens, walls, firsts, first_cpus)
            result["startup"], result["startup_rows"] = st, rows
            print(f"\nstart-up, fresh processes, best of {args.runs} (load {os.getloadavg()[0]:.1f}):")
            print(f"{'':<42} {'measured':<28} {'goal':<24}")
            for r in rows:
                mark = "" if r["met"] is None else ("met" if r["met"] else "MISS")
                print(f"{r['what']:<42} {r['text']:<28} {r['goal']:<24} {mark}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
