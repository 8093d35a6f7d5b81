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
TARGET_SMALL_QUERY_S = 0.5


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
        if res["small_entries"] != QUERY_SMALL:
            raise RuntimeError("%d-entry query filled hpt with %r entries" % (QUERY_SMALL, res["small_entries"]))
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
# c. proofshim (parent side)
# --------------------------------------------------------------------------

def run_shim(args):
    cmd = [sys.executable, os.path.abspath(__file__), "--shim-child",
           "--data", args.data, "--workers", str(args.workers), "--repeat", str(args.repeat)]
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
    ap.add_argument("--shim-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.workers < 1 or args.repeat < 1:
        ap.error("--workers and --repeat must be >= 1")
    args.data = os.path.abspath(args.data)
    if args.json:
        args.json = os.path.abspath(args.json)
    return args


def main(argv=None):
    args = parse_args(argv)
    # Legacy scripts say chain.Process("BenchSel.C+"): run next to the selector.
    os.chdir(HERE)
    if args.shim_child:
        return shim_child(args)

    files = data_files(args.data)
    if not files:
        print("no data in %s -- run: python benchmarks/make_data.py" % args.data, file=sys.stderr)
        return 1

    import ROOT

    entries = int(make_chain(files).GetEntries())
    load = os.getloadavg()
    print("ROOT %s, Python %s, %d cores, load average %.2f %.2f %.2f"
          % (ROOT.gROOT.GetVersion(), platform.python_version(), os.cpu_count() or 0, *load))
    print("data: %d entries in %d files (%.0f MB) in %s"
          % (entries, len(files), sum(os.path.getsize(f) for f in files) / 1e6, args.data))
    compile_s = compile_selector()
    print("selector %s compiled/loaded in %.1f s (not timed below)" % (SELECTOR, compile_s))
    print("workers=%d, best of %d runs each\n" % (args.workers, args.repeat), flush=True)

    results = {
        "root_version": ROOT.gROOT.GetVersion(), "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "loadavg_start": load,
        "data": {"dir": args.data, "files": files, "entries": entries},
        "workers": args.workers, "repeat": args.repeat, "runners": {},
    }
    runners = results["runners"]
    failed = False

    print("[a] one process: TChain::Process(\"%s\") ..." % SELECTOR_PLUS, flush=True)
    try:
        t, ref = run_plain(files, args.repeat)
        runners["plain"] = {"ok": True, "times": t, "best": min(t), "hists": ref}
    except Exception as e:
        traceback.print_exc()
        runners["plain"] = {"ok": False, "error": str(e)}
        print("one-process run failed, nothing to compare against", file=sys.stderr)
        ref = None
        failed = True
    print("    %s" % _fmt_times(runners["plain"]), flush=True)

    if not args.skip_mp:
        print("[b] ROOT::TTreeProcessorMP(%d).Process(chain, selector, \"%s\") ..." % (args.workers, TREE), flush=True)
        try:
            t, hs = run_mp(files, args.workers, args.repeat)
            runners["mp"] = {"ok": True, "times": t, "best": min(t), "hists": hs, "overload": MP_OVERLOAD}
        except Exception as e:
            traceback.print_exc()
            runners["mp"] = {"ok": False, "error": str(e)}
            failed = True
        print("    %s" % _fmt_times(runners["mp"]), flush=True)

    if not args.skip_shim:
        print("[c] proofshim: TProof.Open(\"workers=%d\"), chain.SetProof(), chain.Process(\"%s\") "
              "in a subprocess ..." % (args.workers, SELECTOR_PLUS), flush=True)
        try:
            shim = run_shim(args)
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
        runners["shim"] = shim
        print("    %s" % _fmt_times(shim), flush=True)

    # ---- consistency
    mismatches = {}
    if ref is not None:
        for key in ("mp", "shim"):
            r = runners.get(key)
            if r and r.get("ok"):
                d = compare(ref, r["hists"])
                if d:
                    mismatches[key] = d
    results["mismatches"] = mismatches
    results["consistent"] = ref is not None and not mismatches

    # ---- table
    labels = {"plain": "one process (TChain::Process)",
              "mp": "TTreeProcessorMP (%d workers)" % args.workers,
              "shim": "proofshim (%d workers, warm)" % args.workers}
    base = runners["plain"].get("best")
    print("\n%-34s %10s %10s   %s" % ("runner", "wall [s]", "speed-up", "histograms"))
    print("-" * 72)
    for key in ("plain", "mp", "shim"):
        r = runners.get(key)
        if r is None:
            continue
        if not r.get("ok"):
            print("%-34s %10s %10s   %s" % (labels[key], "FAILED", "-", "-"))
            continue
        sp = base / r["best"] if base else float("nan")
        r["speedup"] = sp
        same = "reference" if key == "plain" else ("MISMATCH" if key in mismatches else "identical")
        print("%-34s %10.2f %9.2fx   %s" % (labels[key], r["best"], sp, same))
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
            print("### MISMATCH: %s histograms differ from the one-process run:" % labels[key])
            for d in diffs:
                print("###     " + d)
        print("#" * 72)
        failed = True
    elif ref is not None:
        done = [k for k in ("mp", "shim") if runners.get(k, {}).get("ok")]
        print("\nhistograms (entries + every bin of %s): %s"
              % (", ".join(HISTS), "%s identical to the one-process run" % " and ".join(done) if done
                 else "no other runner completed, nothing compared"))

    # ---- targets
    if shim and shim.get("ok"):
        checks = [("proofshim speed-up >= %.1fx" % TARGET_SHIM_SPEEDUP,
                   shim["speedup"] >= TARGET_SHIM_SPEEDUP, "%.2fx" % shim["speedup"])]
        if runners.get("mp", {}).get("ok"):
            checks.append(("proofshim faster than TTreeProcessorMP", shim["best"] < runners["mp"]["best"],
                           "%.2f s vs %.2f s" % (shim["best"], runners["mp"]["best"])))
        checks.append(("%d-entry warm query < %.1f s" % (QUERY_SMALL, TARGET_SMALL_QUERY_S),
                       shim["small_best"] < TARGET_SMALL_QUERY_S, "%.3f s" % shim["small_best"]))
        print("\nreference targets (indicative):")
        for name, ok, val in checks:
            print("  [%s] %-42s %s" % ("met " if ok else "MISS", name, val))
        results["targets"] = [{"target": n, "met": ok, "value": v} for n, ok, v in checks]

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
        print("\nfigures written to %s" % args.json)
    return 1 if failed else 0


def _fmt_times(r):
    if not r.get("ok"):
        return "FAILED: %s" % r.get("error")
    return "runs: %s s" % ", ".join("%.2f" % x for x in r["times"])


if __name__ == "__main__":
    sys.exit(main())
