#!/usr/bin/env python
"""Generate the proofshim reference benchmark data set.

Default: 10,000,000 entries of tree ``T`` in 4 files (2,500,000 each),
``bench_0.root`` ... ``bench_3.root`` in ``benchmarks/data``.

Branches:
    px, py, pz  float               gaussian
    ntrk        int                 Poisson(6), clipped to 0..20
    trkpt       std::vector<float>  ntrk exponential values

The event loop is a C++ function JIT-compiled once with
``gInterpreter.Declare`` (no Python per-entry loop).  Each file has its own
fixed seed, so the data set is reproducible.  Files that already exist with
the right entry count and branches are reused.

    python benchmarks/make_data.py [--outdir DIR] [--entries N] [--files K] [--jobs J]
"""

import argparse
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*alpha stage", category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTDIR = os.path.join(HERE, "data")
TREE = "T"
BRANCHES = ("px", "py", "pz", "ntrk", "trkpt")
BASE_SEED = 20240601

GEN_CODE = r"""
#include <TFile.h>
#include <TTree.h>
#include <TRandom3.h>
#include <vector>
#include <algorithm>

namespace proofshim_bench {
long long make_file(const char *path, long long nentries, unsigned int seed)
{
   TRandom3 rng(seed);
   TFile f(path, "RECREATE");
   if (f.IsZombie())
      return -1;
   TTree t("T", "proofshim benchmark tree");
   float px = 0, py = 0, pz = 0;
   int ntrk = 0;
   std::vector<float> trkpt;
   trkpt.reserve(32);
   t.Branch("px", &px, "px/F");
   t.Branch("py", &py, "py/F");
   t.Branch("pz", &pz, "pz/F");
   t.Branch("ntrk", &ntrk, "ntrk/I");
   t.Branch("trkpt", &trkpt);
   for (long long i = 0; i < nentries; ++i) {
      px = rng.Gaus(0., 5.);
      py = rng.Gaus(0., 5.);
      pz = rng.Gaus(0., 15.);
      ntrk = (int)std::min<ULong64_t>(rng.Poisson(6.), 20);
      trkpt.resize(ntrk);
      for (int k = 0; k < ntrk; ++k)
         trkpt[k] = rng.Exp(2.5);
      t.Fill();
   }
   t.Write();
   const long long n = t.GetEntries();
   f.Close();
   return n;
}
}
"""


def file_names(outdir, nfiles):
    return [os.path.join(outdir, "bench_%d.root" % i) for i in range(nfiles)]


def split_entries(total, nfiles):
    base, extra = divmod(total, nfiles)
    return [base + (1 if i < extra else 0) for i in range(nfiles)]


def existing_ok(path, nentries):
    """True if `path` holds tree T with `nentries` entries and all branches."""
    if not os.path.exists(path):
        return False
    import ROOT

    f = ROOT.TFile.Open(path)
    try:
        if not f or f.IsZombie():
            return False
        t = f.Get(TREE)
        if not t or t.GetEntries() != nentries:
            return False
        return all(t.GetBranch(b) for b in BRANCHES)
    finally:
        if f:
            f.Close()


def generate(path, nentries, seed):
    import ROOT

    if not hasattr(ROOT, "proofshim_bench"):
        if not ROOT.gInterpreter.Declare(GEN_CODE):
            raise RuntimeError("failed to compile the generator")
    tmp = path + ".tmp.root"
    n = ROOT.proofshim_bench.make_file(tmp, nentries, seed)
    if n != nentries:
        raise RuntimeError("%s: wrote %d entries, expected %d" % (path, n, nentries))
    os.replace(tmp, path)  # never leave a half-written file under the final name
    return n


def _job(args):
    path, nentries, seed = args
    t0 = time.perf_counter()
    generate(path, nentries, seed)
    return path, time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outdir", default=DEFAULT_OUTDIR, help="output directory (default: %(default)s)")
    ap.add_argument("--entries", type=int, default=10_000_000, help="total entries (default: %(default)s)")
    ap.add_argument("--files", type=int, default=4, help="number of files (default: %(default)s)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="files generated in parallel processes (default: %(default)s)")
    ap.add_argument("--force", action="store_true", help="regenerate even if valid files exist")
    args = ap.parse_args(argv)
    if args.entries < 1 or args.files < 1 or args.entries < args.files:
        ap.error("need --entries >= --files >= 1")

    os.makedirs(args.outdir, exist_ok=True)
    t0 = time.perf_counter()
    todo = []
    # A data set written completely before says so in a stamp file: reusing 20,000 files then
    # does not open each of them to check it.
    stamp = os.path.join(args.outdir, ".complete-%d-%d" % (args.entries, args.files))
    whole = not args.force and os.path.exists(stamp)
    for i, (path, n) in enumerate(zip(file_names(args.outdir, args.files), split_entries(args.entries, args.files))):
        if whole and os.path.exists(path):
            continue
        if not args.force and existing_ok(path, n):
            if args.files <= 100:
                print("reuse     %s (%d entries)" % (path, n))
        else:
            todo.append((path, n, BASE_SEED + i))

    if todo:
        jobs = max(1, min(args.jobs, len(todo)))
        if jobs == 1:
            results = map(_job, todo)
        else:
            import multiprocessing as mp

            # 'spawn': each worker is a fresh interpreter that JIT-compiles the
            # generator itself, no fork of a process holding cling state.
            pool = mp.get_context("spawn").Pool(jobs)
            results = pool.imap_unordered(_job, todo)
        for path, dt in results:
            if args.files <= 100:
                print("generated %s in %.1f s" % (path, dt), flush=True)
        if jobs > 1:
            pool.close()
            pool.join()

    if not os.path.exists(stamp):
        with open(stamp, "w"):
            pass
    total = sum(os.path.getsize(p) for p in file_names(args.outdir, args.files))
    print("data set: %d entries in %d files, %.0f MB, %s; make_data took %.1f s"
          % (args.entries, args.files, total / 1e6, args.outdir, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
