#!/usr/bin/env python
"""Create the input files of the tpyselector example.

Two files with a TTree "events" holding one track per entry: px, py, pz (Float_t), nhit (Int_t).
The files go to the directory given as first argument, else to $PROOFSHIM_EXAMPLE_DATA, else to
data/ next to this script. Existing files are kept unless --force is given.

    python legacy_examples/tpyselector/make_data.py [DIR] [--force]
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import numpy as np
import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
TREE_NAME = "events"
ENTRIES = (6000, 4000)  # one number per file
SEED = 20080301


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    d = data_dir(directory)
    return [os.path.join(d, "tpyselector_events_%d.root" % i) for i in range(len(ENTRIES))]


def _write_file(path, nentries, seed):
    rng = np.random.default_rng(seed)
    pt = rng.exponential(2.5, nentries) + 0.2
    phi = rng.uniform(-np.pi, np.pi, nentries)
    eta = rng.normal(0.0, 1.4, nentries)
    cols = {"px": (pt * np.cos(phi)).astype(np.float32), "py": (pt * np.sin(phi)).astype(np.float32),
            "pz": (pt * np.sinh(eta)).astype(np.float32), "nhit": rng.poisson(10.0, nentries).astype(np.int32)}
    bufs = {k: np.zeros(1, dtype=v.dtype) for k, v in cols.items()}
    tmp = "%s.tmp%d.root" % (path, os.getpid())
    f = ROOT.TFile(tmp, "RECREATE")
    t = ROOT.TTree(TREE_NAME, "toy tracks")
    for name, buf in bufs.items():
        t.Branch(name, buf, "%s/%s" % (name, "I" if buf.dtype == np.int32 else "F"))
    for i in range(nentries):
        for name, buf in bufs.items():
            buf[0] = cols[name][i]
        t.Fill()
    t.Write()
    f.Close()
    os.replace(tmp, path)  # atomic: a parallel run never sees half a file


def make_files(directory=None, force=False):
    """Create the files if needed and return their absolute paths."""
    names = file_names(directory)
    os.makedirs(os.path.dirname(names[0]), exist_ok=True)
    for i, (name, n) in enumerate(zip(names, ENTRIES)):
        if force or not os.path.exists(name):
            _write_file(name, n, SEED + i)
    return names


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--force"]
    for name in make_files(argv[0] if argv else None, force="--force" in sys.argv[1:]):
        print(name)
