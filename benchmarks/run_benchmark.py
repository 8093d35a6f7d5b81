#!/usr/bin/env python
"""proofshim benchmark: one process vs TTreeProcessorMP vs proofshim.

On the data set written by make_data.py, with the selector BenchSel.C
(compiled once with ACLiC before anything is timed), time

  a. one-process  TChain::Process("BenchSel.C+")                (plain ROOT)
  b. ROOT::TTreeProcessorMP(N).Process(chain, selector, "T")     (N workers)
  c. proofshim: TProof.Open("workers=N"), chain.SetProof(),
     chain.Process("BenchSel.C+") on a warm session, plus the latency of a
     1,000-entry query chain.Process("BenchSel.C+", "", 1000).

Part c runs in a subprocess (same interpreter, `python run_benchmark.py
--shim-child ...`) so that a and b run in a process that never imported
proofshim.  The child prints its figures as one JSON object on the last line
of its stdout.

The machine's limit: --workers one-process runs at the same time, each over its share of the
entries (what N cores give when nothing is shared); each parallel runner's share of it is that
time over the runner's. On 2 cores this is not 2x one process (see README.md).

  d. the same for a per-entry Python selector (bench_pysel.py, a subclass of ROOT.TSelector) over
     the first --py-entries entries: PyROOT's one-process chain.Process(selector), the machine's
     limit for it, and proofshim (chain.Process(BenchPySel()) on the warm session).

Every runner's histograms (entries and every bin, under/overflow included,
of hpt, htrkpt, hpz, hntrk) are compared with the one-process result; any
difference is reported as MISMATCH.

Wall-clock times are the best of --repeat runs for every runner (the session
is warm and the selector library is already built, no compilation is timed).

    python benchmarks/run_benchmark.py [--data DIR] [--workers N] [--repeat R]
                                       [--skip-shim] [--json FILE]

Exit status: 0 if every runner that ran produced histograms identical to the
one-process run, 1 on a mismatch or a runner error.  Missing the reference
targets does not change the exit status (the figures are indicative).
"""

import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import time
import traceback
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*alpha stage", category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SELECTOR = "BenchSel.C"
SELECTOR_PLUS = SELECTOR + "+"
TREE = "T"
HISTS = ("hpt", "htrkpt", "hpz", "hntrk")
QUERY_SMALL = 1000

# Reference targets (see README.md)
TARGET_SHIM_SPEEDUP = 1.8
TARGET_SMALL_QUERY_S = 0.05        # issue 15
TARGET_SHARE_OF_LIMIT = 0.97       # issue 15: the 10 M-entry case
TARGET_SMALL_FILES_SHARE = 0.85    # issue 15: 2,000 files of 500 entries


# --------------------------------------------------------------------------
# helpers shared by parent and child
# --------------------------------------------------------------------------

def data_files(datadir):
    files = sorted(glob.glob(os.path.join(datadir, "bench_*.root")))
    if not files:
        files = sorted(glob.glob(os.path.join(datadir, "*.root")))
    return files


def make_chain(files):
    import ROOT

    chain = ROOT.TChain(TREE)
    for f in files:
        chain.Add(f)
    return chain


def summarize(outlist):
    """{name: {"entries": float, "bins": [content of bins 0..nbins+1]}}"""
    if not outlist:
        raise RuntimeError("no output list")
    res = {}
    for name in HISTS:
        h = outlist.FindObject(name)
        if not h:
            names = [o.GetName() for o in outlist]
            raise RuntimeError("histogram %r not in output list %r" % (name, names))
        res[name] = {
            "entries": float(h.GetEntries()),
            "bins": [float(h.GetBinContent(i)) for i in range(h.GetNbinsX() + 2)],
        }
    return res


def compare(ref, other):
    """List of human-readable differences between two summaries."""
    diffs = []
    for name in HISTS:
        r, o = ref.get(name), other.get(name)
        if r is None or o is None:
            diffs.append("%s: missing" % name)
            continue
        if r["entries"] != o["entries"]:
            diffs.append("%s: entries %.0f != %.0f" % (name, r["entries"], o["entries"]))
        if len(r["bins"]) != len(o["bins"]):
            diffs.append("%s: %d bins != %d bins" % (name, len(r["bins"]), len(o["bins"])))
            continue
        bad = [(i, a, b) for i, (a, b) in enumerate(zip(r["bins"], o["bins"])) if a != b]
        if bad:
            shown = ", ".join("bin %d: %.0f != %.0f" % t for t in bad[:5])
            diffs.append("%s: %d bins differ (%s%s)" % (name, len(bad), shown, ", ..." if len(bad) > 5 else ""))
    return diffs


def compile_selector():
    """Build BenchSel_C.so once, untimed.  'k' keeps the library after this
    process exits (without it ACLiC deletes it at exit and every later
    process -- the shim child and its workers -- would recompile)."""
    import ROOT

    t0 = time.perf_counter()
    if ROOT.gSystem.CompileMacro(SELECTOR, "k") != 1:
        raise RuntimeError("ACLiC failed to compile %s" % SELECTOR)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------
# a. one process
# --------------------------------------------------------------------------

def run_plain(files, repeat):
    times, summary = [], None
    for _ in range(repeat):
        chain = make_chain(files)
        t0 = time.perf_counter()
        rc = chain.Process(SELECTOR_PLUS)
        dt = time.perf_counter() - t0
        if rc < 0:
            raise RuntimeError("TChain::Process returned %d" % rc)
        times.append(dt)
        # TChain::Process(filename) keeps the selector it created
        sel = chain.GetPlayer().GetSelectorFromFile()
        summary = summarize(sel.GetOutputList())
        del chain
    return times, summary


# --------------------------------------------------------------------------
# b. TTreeProcessorMP
# --------------------------------------------------------------------------

MP_OVERLOAD = ("TList* ROOT::TTreeProcessorMP::Process(TChain& files, TSelector& selector, "
               "const std::string& treeName = \"\", ULong64_t nToProcess = 0, ULong64_t jFirst = 0)")


def run_mp(files, workers, repeat):
    import ROOT

    times, summary = [], None
    chain = make_chain(files)
    for _ in range(repeat):
        sel = ROOT.BenchSel()  # fresh selector: the pool imports the merged output into it
        pool = ROOT.ROOT.TTreeProcessorMP(workers)
        t0 = time.perf_counter()
        out = pool.Process(chain, sel, TREE)  # forks the workers, merges, calls Terminate
        dt = time.perf_counter() - t0
        if not out:
            raise RuntimeError("TTreeProcessorMP::Process returned no output list")
        times.append(dt)
        summary = summarize(out)
        del pool
    return times, summary


# --------------------------------------------------------------------------
# the machine's limit: N one-process runs at once, each over 1/N of the entries
# --------------------------------------------------------------------------

def limit_child(args):
    """One of the concurrent one-process runs: load everything, say READY, wait for the go on
    stdin, time Process over entries [first, first+num), print the time as JSON."""
    import ROOT

    files = data_files(args.data)
    chain = make_chain(files)
    if args.kind == "compiled":
        compile_selector()
        sel = ROOT.BenchSel()
    else:
        sys.path.insert(0, HERE)
        from bench_pysel import BenchPySel

        sel = BenchPySel()
    print("READY", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    rc = chain.Process(sel, "", args.num, args.first)
    dt = time.perf_counter() - t0
    print(json.dumps({"ok": rc >= 0, "time": dt, "entries": float(sel.GetOutputList().FindObject("hpz").GetEntries())}),
          flush=True)
    return 0


def run_limit(args, kind, entries, data=None):
    """Best of --repeat: the wall time of --workers one-process runs started together."""
    times = []
    share = -(-entries // args.workers)
    for _ in range(args.repeat):
        procs = []
        for i in range(args.workers):
            first, num = i * share, min(share, entries - i * share)
            cmd = [sys.executable, os.path.abspath(__file__), "--limit-child", "--kind", kind, "--data", data or args.data,
                   "--first", str(first), "--num", str(num)]
            procs.append(subprocess.Popen(cmd, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        try:
            for p in procs:
                line = p.stdout.readline()
                if not line.startswith("READY"):
                    raise RuntimeError("a limit run did not start: %r" % line)
            for p in procs:            # go, all at once
                p.stdin.write("go\n")
                p.stdin.flush()
            res = [json.loads(p.stdout.readline()) for p in procs]
        finally:
            for p in procs:
                try:
                    p.communicate(timeout=600)
                except subprocess.TimeoutExpired:
                    p.kill()
        if not all(r["ok"] for r in res) or sum(r["entries"] for r in res) != entries:
            raise RuntimeError("a limit run failed or missed entries: %r" % res)
        times.append(max(r["time"] for r in res))
    return times


def run_plain_python(files, entries, repeat):
    """PyROOT's own one-process run of the Python selector: chain.Process(BenchPySel(), "", n)."""
    sys.path.insert(0, HERE)
    from bench_pysel import BenchPySel

    times, summary = [], None
    for _ in range(repeat):
        chain = make_chain(files)
        sel = BenchPySel()
        t0 = time.perf_counter()
        rc = chain.Process(sel, "", entries)
        times.append(time.perf_counter() - t0)
        if rc < 0:
            raise RuntimeError("TChain::Process(BenchPySel()) returned %d" % rc)
        summary = summarize(sel.GetOutputList())
    return times, summary


# --------------------------------------------------------------------------
# c. proofshim (child process side)
# --------------------------------------------------------------------------

def _proof_output(proof):
    """Output list of the last query, trying the usual TProof accessors."""
    for getter in (lambda: proof.GetOutputList(),
                   lambda: proof.GetQueryResult().GetOutputList()):
        try:
            out = getter()
        except Exception:
            continue
        if out and out.FindObject(HISTS[0]):
            return out
    # last resort: per-object access
    import ROOT

    lst = ROOT.TList()
    for name in HISTS:
        obj = proof.GetOutput(name)
        if obj:
            lst.Add(obj)
    return lst


def shim_child(args):
    res = {"ok": False}
    proof = None
    try:
        import proofshim  # noqa: F401  (must come before the PROOF calls)
        import ROOT

        res["proofshim_file"] = getattr(proofshim, "__file__", None)
        files = data_files(args.data)
        t0 = time.perf_counter()
        proof = ROOT.TProof.Open("workers=%d" % args.workers)
        res["open_s"] = time.perf_counter() - t0
        if not proof:
            raise RuntimeError("TProof.Open returned %r" % (proof,))
        import resource

        res["client_rss_open_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        chain = make_chain(files)
        chain.SetProof()

        t0 = time.perf_counter()
        rc = chain.Process(SELECTOR_PLUS)  # warm-up (untimed in the table)
        res["warmup_s"] = time.perf_counter() - t0
        if rc is not None and rc < 0:
            raise RuntimeError("warm-up chain.Process returned %d" % rc)

        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rc = chain.Process(SELECTOR_PLUS)
            dt = time.perf_counter() - t0
            if rc is not None and rc < 0:
                raise RuntimeError("chain.Process returned %d" % rc)
            times.append(dt)
        res["times"] = times
        res["hists"] = summarize(_proof_output(proof))

        small = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rc = chain.Process(SELECTOR_PLUS, "", QUERY_SMALL)
            small.append(time.perf_counter() - t0)
            if rc is not None and rc < 0:
                raise RuntimeError("%d-entry chain.Process returned %d" % (QUERY_SMALL, rc))
        res["small_times"] = small
        hpt_small = _proof_output(proof).FindObject("hpt")
        res["small_entries"] = float(hpt_small.GetEntries()) if hpt_small else None
        want = min(QUERY_SMALL, args.total) if args.total else QUERY_SMALL
        if res["small_entries"] != want:
            raise RuntimeError("%d-entry query filled hpt with %r entries" % (want, res["small_entries"]))
        if args.trace_memory:
            # The client's memory over one more full query: the peak of Python's allocations
            # (tracemalloc, not timed: it slows Python down) and the process's peak RSS.
            import resource
            import tracemalloc

            tracemalloc.start()
            rc = chain.Process(SELECTOR_PLUS)
            res["client_traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            if rc is not None and rc < 0:
                raise RuntimeError("chain.Process (traced) returned %d" % rc)
            res["client_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.py_entries > 0:
            # d. the Python selector on the same warm session: its class travels with cloudpickle
            sys.path.insert(0, HERE)
            from bench_pysel import BenchPySel

            py_times = []
            for i in range(args.repeat + 1):          # the first run warms the workers up
                t0 = time.perf_counter()
                rc = chain.Process(BenchPySel(), "", args.py_entries)
                if rc is not None and rc < 0:
                    raise RuntimeError("chain.Process(BenchPySel()) returned %d" % rc)
                py_times.append(time.perf_counter() - t0)
            res["py_warmup_s"], res["py_times"] = py_times[0], py_times[1:]
            res["py_hists"] = summarize(_proof_output(proof))
        res["ok"] = True
    except BaseException as e:  # report everything, including SystemExit from the shim
        res["error"] = "%s: %s" % (type(e).__name__, e)
        res["traceback"] = traceback.format_exc()
    finally:
        if proof:
            try:
                proof.Close()
            except Exception:
                pass
    sys.stdout.flush()
    print(json.dumps(res), flush=True)
    return 0 if res["ok"] else 1


# --------------------------------------------------------------------------
# e. distributed RDataFrame (child process side)
# --------------------------------------------------------------------------

def rdf_child(args):
    """The same four histograms with ROOT's distributed RDataFrame on a dask LocalCluster of
    --workers single-threaded worker processes: ROOT.RDataFrame(tree, files, executor=client),
    what ROOT 6.40 offers (ROOT.RDF.Distributed.Dask.RDataFrame is its deprecated spelling).
    A fresh RDataFrame per run (the graph runs once); the first run warms the workers up."""
    res = {"ok": False}
    cluster = client = None
    try:
        import ROOT
        from distributed import Client, LocalCluster

        files = data_files(args.data)
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
        res["npartitions"] = "default"
        times = []
        for i in range(args.repeat + 1):
            t0 = time.perf_counter()
            df = ROOT.RDataFrame(TREE, files, executor=client)
            df = df.Define("pt", "std::sqrt(px*px+py*py)")      # float, as BenchSel computes it
            hs = [df.Histo1D(("hpt", "p_{T}", 100, 0., 50.), "pt"),
                  df.Histo1D(("htrkpt", "track p_{T}", 100, 0., 30.), "trkpt"),
                  df.Histo1D(("hpz", "p_{z}", 100, -50., 50.), "pz"),
                  df.Histo1D(("hntrk", "tracks per event", 21, -0.5, 20.5), "ntrk")]
            out = ROOT.TList()
            for h in hs:
                out.Add(h.GetValue())   # the first one runs the whole graph
            dt = time.perf_counter() - t0
            if i == 0:
                res["warmup_s"] = dt
            else:
                times.append(dt)
        res["hists"] = summarize(out)
        res["times"] = times
        res["ok"] = True
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        res["error"] = "%s: %s" % (type(e).__name__, e)
        res["traceback"] = traceback.format_exc()
    finally:
        for c in (client, cluster):
            if c is not None:
                try:
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
    sys.stdout.flush()
    print(json.dumps(res), flush=True)
    return 0 if res["ok"] else 1


# --------------------------------------------------------------------------
# c. proofshim (parent side)
# --------------------------------------------------------------------------

def run_shim(args, data=None, trace_memory=False, total=0):
    """proofshim on `data` (default --data, `total` entries if known) in its own process; its
    figures as a dict."""
    return run_child(args, _shim_cmd(args, data, trace_memory, total))


def _shim_cmd(args, data, trace_memory, total=0):
    cmd = [sys.executable, os.path.abspath(__file__), "--shim-child", "--total", str(total),
           "--data", data or args.data, "--workers", str(args.workers), "--repeat", str(args.repeat),
           "--py-entries", str(0 if args.skip_python or data else args.py_entries)]
    if trace_memory:
        cmd.append("--trace-memory")
    return cmd


def run_child(args, cmd):
    """Run a child of this script (its own session: it and its workers are killed on a timeout);
    its result is the last JSON line of its stdout."""
    env = dict(os.environ)
    paths = [REPO] + ([os.path.join(REPO, "src")] if os.path.isdir(os.path.join(REPO, "src")) else [])
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # stderr passes through (shim / ROOT messages visible live); stdout is
    # captured, its last JSON line is the result.
    proc = subprocess.Popen(cmd, cwd=HERE, env=env, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=args.shim_timeout)
    except subprocess.TimeoutExpired:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: it and its workers
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        return {"ok": False, "error": "timed out after %d s" % args.shim_timeout}
    for line in reversed(out.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                res = json.loads(line)
            except ValueError:
                continue
            if res.get("ok") is False and proc.returncode not in (0, 1):
                res["error"] = "%s (exit status %d)" % (res.get("error"), proc.returncode)
            return res
    tail = "\n".join(out.splitlines()[-20:])
    return {"ok": False, "error": "shim subprocess exited with status %d without a JSON result; "
                                  "stdout tail:\n%s" % (proc.returncode, tail)}


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"),
                    help="directory with bench_*.root (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2, help="workers for TTreeProcessorMP and proofshim (default: 2)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per runner, best is reported (default: 3)")
    ap.add_argument("--skip-shim", action="store_true", help="run only a (one process) and b (TTreeProcessorMP)")
    ap.add_argument("--skip-mp", action="store_true", help="do not run b (TTreeProcessorMP)")
    ap.add_argument("--json", metavar="FILE", help="write all figures to FILE")
    ap.add_argument("--shim-timeout", type=int, default=1800, help="seconds before the shim part is killed")
    ap.add_argument("--py-entries", type=int, default=1000000,
                    help="entries for the Python selector runs (d), 0 to skip them (default: %(default)s)")
    ap.add_argument("--skip-python", action="store_true", help="do not run d (the Python selector)")
    ap.add_argument("--skip-limit", action="store_true", help="do not measure the machine's limit")
    ap.add_argument("--small-data", default=os.path.join(HERE, "data", "small"),
                    help="many small files (make_data.py --small): their rows if the directory has files "
                         "(default: %(default)s; 'none' skips them)")
    ap.add_argument("--many-data", default=os.path.join(HERE, "data", "many"),
                    help="very many tiny files (make_data.py --many): their rows if the directory has files "
                         "(default: %(default)s; 'none' skips them)")
    ap.add_argument("--skip-rdf", action="store_true", help="do not run e (distributed RDataFrame)")
    ap.add_argument("--client-memory", action="store_true",
                    help="measure proofshim's client memory on the main data set too (always done on the others)")
    ap.add_argument("--trace-memory", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rdf-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--shim-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--limit-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--kind", choices=("compiled", "python"), help=argparse.SUPPRESS)
    ap.add_argument("--total", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--num", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.workers < 1 or args.repeat < 1:
        ap.error("--workers and --repeat must be >= 1")
    args.data = os.path.abspath(args.data)
    for name in ("small_data", "many_data"):
        d = getattr(args, name)
        setattr(args, name, None if d.lower() == "none" else os.path.abspath(d))
    if args.json:
        args.json = os.path.abspath(args.json)
    return args


def main(argv=None):
    args = parse_args(argv)
    # Legacy scripts say chain.Process("BenchSel.C+"): run next to the selector.
    os.chdir(HERE)
    if args.shim_child:
        return shim_child(args)
    if args.limit_child:
        return limit_child(args)
    if args.rdf_child:
        return rdf_child(args)
    if args.py_entries <= 0:
        args.skip_python = True

    files = data_files(args.data)
    if not files:
        print("no data in %s -- run: python benchmarks/make_data.py" % args.data, file=sys.stderr)
        return 1

    import ROOT

    entries = int(make_chain(files).GetEntries())
    load = os.getloadavg()
    print("ROOT %s, Python %s, %d cores, load average %.2f %.2f %.2f"
          % (ROOT.gROOT.GetVersion(), platform.python_version(), os.cpu_count() or 0, *load))
    # The data sets, each a group of rows of the table: the main one, then many small files.
    datasets = [{"key": "", "dir": args.data, "files": files, "entries": entries}]
    for key, d in (("small:", args.small_data), ("many:", args.many_data)):
        if d and data_files(d):
            fs = data_files(d)
            datasets.append({"key": key, "dir": d, "files": fs, "entries": int(make_chain(fs).GetEntries())})
    for ds in datasets:
        ds["label"] = "%s entries in %s files" % (_count(ds["entries"]), _count(len(ds["files"])))
        print("data: %s (%.0f MB) in %s" % (ds["label"], sum(os.path.getsize(f) for f in ds["files"]) / 1e6,
                                            ds["dir"]))
    compile_s = compile_selector()
    print("selector %s compiled/loaded in %.1f s (not timed below)" % (SELECTOR, compile_s))
    print("workers=%d, best of %d runs each\n" % (args.workers, args.repeat), flush=True)

    results = {
        "root_version": ROOT.gROOT.GetVersion(), "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "loadavg_start": load,
        "data": {"dir": args.data, "files": files, "entries": entries},
        "datasets": [{k: v for k, v in ds.items() if k != "files"} | {"nfiles": len(ds["files"])}
                     for ds in datasets],
        "workers": args.workers, "repeat": args.repeat, "runners": {},
    }
    runners = results["runners"]
    failed = False
    refs = {}
    for ds in datasets:
        ref, bad = measure(args, ds, runners)
        refs[ds["key"]] = ref
        failed |= bad

    py_entries = min(args.py_entries, entries)
    if not args.skip_python:
        print("[d] Python selector (bench_pysel.py), first %d entries: PyROOT's one-process "
              "chain.Process(BenchPySel()) ..." % py_entries, flush=True)
        try:
            t, py_ref = run_plain_python(files, py_entries, args.repeat)
            runners["py_plain"] = {"ok": True, "times": t, "best": min(t), "hists": py_ref}
        except Exception as e:
            traceback.print_exc()
            runners["py_plain"] = {"ok": False, "error": str(e)}
            failed = True
        print("    %s" % _fmt_times(runners["py_plain"]), flush=True)
        if not args.skip_limit:
            print("[d'] the machine's limit for it: %d one-process runs at once ..." % args.workers, flush=True)
            try:
                t = run_limit(args, "python", py_entries)
                runners["py_limit"] = {"ok": True, "times": t, "best": min(t)}
            except Exception as e:
                traceback.print_exc()
                runners["py_limit"] = {"ok": False, "error": str(e)}
            print("    %s" % _fmt_times(runners["py_limit"]), flush=True)
        shim = runners.get("shim", {})
        if shim.get("ok") and shim.get("py_times"):
            runners["py_shim"] = {"ok": True, "times": shim["py_times"], "best": min(shim["py_times"]),
                                  "hists": shim["py_hists"], "warmup_s": shim["py_warmup_s"]}
            print("[d''] proofshim, the Python selector on the warm session: %s (first run %.2f s)"
                  % (_fmt_times(runners["py_shim"]), shim["py_warmup_s"]), flush=True)

    # ---- consistency
    mismatches = {}
    for ds in datasets:
        ref = refs[ds["key"]]
        if ref is None:
            continue
        for kind in ("mp", "shim", "rdf"):
            r = runners.get(ds["key"] + kind)
            if r and r.get("ok"):
                d = compare(ref, r["hists"])
                if d:
                    mismatches[ds["key"] + kind] = d
    if runners.get("py_plain", {}).get("ok") and runners.get("py_shim", {}).get("ok"):
        d = compare(runners["py_plain"]["hists"], runners["py_shim"]["hists"])
        if d:
            mismatches["py_shim"] = d
    results["mismatches"] = mismatches
    results["consistent"] = all(r is not None for r in refs.values()) and not mismatches

    # ---- table
    labels = {"plain": "one process (TChain::Process)",
              "limit": "limit: %d one-process runs at once" % args.workers,
              "mp": "TTreeProcessorMP (%d workers)" % args.workers,
              "shim": "proofshim (%d workers, warm)" % args.workers,
              "rdf": "distributed RDataFrame (%d dask w.)" % args.workers,
              "py_plain": "Python: one process (PyROOT)",
              "py_limit": "Python: limit, %d runs at once" % args.workers,
              "py_shim": "Python: proofshim (%d workers)" % args.workers}
    groups = [(ds["label"], [ds["key"] + k for k in ("plain", "limit", "mp", "shim", "rdf")],
               ds["key"] + "plain", ds["key"] + "limit") for ds in datasets]
    groups.append(("Python selector, first %s entries" % _count(py_entries),
                   ["py_plain", "py_limit", "py_shim"], "py_plain", "py_limit"))
    print("\n%-38s %9s %9s %9s   %s" % ("runner", "wall [s]", "speed-up", "of limit", "histograms"))
    print("-" * 86)
    for title, keys, ref_key, limit_key in groups:
        if not any(k in runners for k in keys):
            continue
        print(title + ":")
        base = runners.get(ref_key, {}).get("best")
        limit = runners.get(limit_key, {}).get("best")
        for key in keys:
            r = runners.get(key)
            if r is None:
                continue
            label = "  " + labels[key.split(":")[-1]]
            if r.get("unavailable"):
                print("%-38s %9s %9s %9s   %s" % (label, "n/a", "-", "-", r["unavailable"]))
                continue
            if not r.get("ok"):
                print("%-38s %9s %9s %9s   %s" % (label, "FAILED", "-", "-", "-"))
                continue
            sp = base / r["best"] if base else float("nan")
            r["speedup"] = sp
            share = limit / r["best"] if limit and key not in (ref_key, limit_key) else None
            r["share_of_limit"] = share
            same = ("reference" if key == ref_key else "-" if key == limit_key else
                    "MISMATCH" if key in mismatches else "identical")
            print("%-38s %9.2f %8.2fx %9s   %s" % (label, r["best"], sp,
                                                   "%.0f%%" % (100 * share) if share else "", same))
    for ds in datasets:
        r = runners.get(ds["key"] + "shim", {})
        if r.get("ok") and "client_traced_peak_mb" in r:
            print("%s: proofshim client memory: %.1f MB peak of Python allocations during a query "
                  "(tracemalloc), peak RSS %.0f MB (%.0f MB after TProof.Open)"
                  % (ds["label"], r["client_traced_peak_mb"], r["client_maxrss_mb"], r["client_rss_open_mb"]))
    shim = runners.get("shim")
    if shim and shim.get("ok"):
        print("\nproofshim %d-entry query on the warm session: %.3f s (best of %d; all: %s)"
              % (QUERY_SMALL, shim["small_best"], len(shim["small_times"]),
                 ", ".join("%.3f" % x for x in shim["small_times"])))
        print("proofshim TProof.Open: %.2f s, warm-up query: %.2f s" % (shim.get("open_s", float("nan")),
                                                                        shim.get("warmup_s", float("nan"))))
    results["loadavg_end"] = os.getloadavg()
    print("load average at the end: %.2f %.2f %.2f (other load on the machine skews these figures)"
          % results["loadavg_end"])

    if mismatches:
        print("\n" + "#" * 72)
        for key, diffs in mismatches.items():
            print("### MISMATCH: %s histograms differ from its one-process run:" % key)
            for d in diffs:
                print("###     " + d)
        print("#" * 72)
        failed = True
    elif refs.get("") is not None:
        done = [labels[k] for k in ("mp", "shim", "rdf") if runners.get(k, {}).get("ok")]
        print("\nhistograms (entries + every bin of %s): %s"
              % (", ".join(HISTS), "%s identical to the one-process run" % ", ".join(done) if done
                 else "no other runner completed, nothing compared"))
        if runners.get("py_shim", {}).get("ok"):
            print("Python selector: proofshim's histograms identical to PyROOT's one-process run")

    # ---- targets
    if shim and shim.get("ok"):
        checks = [("proofshim speed-up >= %.1fx" % TARGET_SHIM_SPEEDUP,
                   shim["speedup"] >= TARGET_SHIM_SPEEDUP, "%.2fx" % shim["speedup"])]
        if shim.get("share_of_limit"):
            checks.append(("proofshim >= %.0f%% of the limit" % (100 * TARGET_SHARE_OF_LIMIT),
                           shim["share_of_limit"] >= TARGET_SHARE_OF_LIMIT, "%.0f%%" % (100 * shim["share_of_limit"])))
        for other in ("mp", "rdf"):
            if runners.get(other, {}).get("ok"):
                checks.append(("proofshim faster than %s" % labels[other].split(" (")[0],
                               shim["best"] < runners[other]["best"],
                               "%.2f s vs %.2f s" % (shim["best"], runners[other]["best"])))
        small = runners.get("small:shim", {})
        if small.get("share_of_limit"):
            checks.append(("many small files >= %.0f%% of the limit" % (100 * TARGET_SMALL_FILES_SHARE),
                           small["share_of_limit"] >= TARGET_SMALL_FILES_SHARE,
                           "%.0f%%" % (100 * small["share_of_limit"])))
        checks.append(("%d-entry warm query < %.2f s" % (QUERY_SMALL, TARGET_SMALL_QUERY_S),
                       shim["small_best"] < TARGET_SMALL_QUERY_S, "%.3f s" % shim["small_best"]))
        print("\nreference targets (indicative):")
        for name, ok, val in checks:
            print("  [%s] %-44s %s" % ("met " if ok else "MISS", name, val))
        results["targets"] = [{"target": n, "met": ok, "value": v} for n, ok, v in checks]

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
        print("\nfigures written to %s" % args.json)
    return 1 if failed else 0


def measure(args, ds, runners):
    """The rows of one data set: a, a', b, c, e. Returns (the one-process histograms or None,
    whether a runner failed)."""
    key, files, entries, failed = ds["key"], ds["files"], ds["entries"], False
    main_set = not key
    print("== %s" % ds["label"], flush=True)
    print("[a] one process: TChain::Process(\"%s\") ..." % SELECTOR_PLUS, flush=True)
    try:
        t, ref = run_plain(files, args.repeat)
        runners[key + "plain"] = {"ok": True, "times": t, "best": min(t), "hists": ref}
    except Exception as e:
        traceback.print_exc()
        runners[key + "plain"] = {"ok": False, "error": str(e)}
        print("one-process run failed, nothing to compare against", file=sys.stderr)
        ref = None
        failed = True
    print("    %s" % _fmt_times(runners[key + "plain"]), flush=True)

    if not args.skip_limit:
        print("[a'] the machine's limit: %d one-process runs at once, each over 1/%d of the entries ..."
              % (args.workers, args.workers), flush=True)
        try:
            t = run_limit(args, "compiled", entries, data=ds["dir"])
            runners[key + "limit"] = {"ok": True, "times": t, "best": min(t)}
        except Exception as e:
            traceback.print_exc()
            runners[key + "limit"] = {"ok": False, "error": str(e)}
        print("    %s" % _fmt_times(runners[key + "limit"]), flush=True)

    if not args.skip_mp:
        print("[b] ROOT::TTreeProcessorMP(%d).Process(chain, selector, \"%s\") ..." % (args.workers, TREE), flush=True)
        try:
            t, hs = run_mp(files, args.workers, args.repeat)
            runners[key + "mp"] = {"ok": True, "times": t, "best": min(t), "hists": hs, "overload": MP_OVERLOAD}
        except Exception as e:
            traceback.print_exc()
            runners[key + "mp"] = {"ok": False, "error": str(e)}
            failed = True
        print("    %s" % _fmt_times(runners[key + "mp"]), flush=True)

    if not args.skip_shim:
        print("[c] proofshim: TProof.Open(\"workers=%d\"), chain.SetProof(), chain.Process(\"%s\") "
              "in a subprocess ..." % (args.workers, SELECTOR_PLUS), flush=True)
        try:
            shim = run_shim(args, None if main_set else ds["dir"], trace_memory=not main_set or args.client_memory,
                            total=entries)
        except Exception as e:
            shim = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        if shim.get("ok"):
            shim["best"] = min(shim["times"])
            shim["small_best"] = min(shim["small_times"])
        else:
            failed = True
            print("\n" + "!" * 72 + "\n!!! proofshim part FAILED: %s" % shim.get("error"))
            if shim.get("traceback"):
                print(shim["traceback"].rstrip())
            print("!" * 72 + "\n")
        runners[key + "shim"] = shim
        print("    %s" % _fmt_times(shim), flush=True)

    if main_set and not args.skip_rdf:
        print("[e] distributed RDataFrame: ROOT.RDataFrame(\"%s\", files, executor=dask client), %d dask "
              "workers, in a subprocess ..." % (TREE, args.workers), flush=True)
        rdf = run_child(args, [sys.executable, os.path.abspath(__file__), "--rdf-child", "--data", ds["dir"],
                               "--workers", str(args.workers), "--repeat", str(args.repeat)])
        if rdf.get("ok"):
            rdf["best"] = min(rdf["times"])
        else:
            failed = True
            print("!!! distributed RDataFrame FAILED: %s" % rdf.get("error"))
            if rdf.get("traceback"):
                print(rdf["traceback"].rstrip())
        runners[key + "rdf"] = rdf
        print("    %s%s" % (_fmt_times(rdf), " (first run %.2f s)" % rdf["warmup_s"] if rdf.get("ok") else ""),
              flush=True)
    return ref, failed


def _count(n):
    """10000000 -> '10 M', 2000 -> '2,000'."""
    return "%g M" % (n / 1e6) if n >= 1e6 and n % 100000 == 0 else "{:,}".format(n)


def _fmt_times(r):
    if not r.get("ok"):
        return "FAILED: %s" % r.get("error")
    return "runs: %s s" % ", ".join("%.2f" % x for x in r["times"])


if __name__ == "__main__":
    sys.exit(main())
