#!/usr/bin/env python
"""Create the input files of the makeselector example.

Three files with a TTree "events" holding one track per entry:
    px, py, pz (Float_t), nhit (Int_t), e (Double_t), charge (Int_t)

The files go to the directory given as first argument, else to
$PROOFSHIM_EXAMPLE_DATA, else to data/ next to this script.
Existing files are kept unless --force is given.

    python legacy_examples/makeselector/make_data.py [DIR] [--force]
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
ENTRIES = (20000, 15000, 25000)  # one number per file
SEED = 20100315
PION_MASS = 0.13957


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    d = data_dir(directory)
    return [os.path.join(d, "makeselector_events_%d.root" % i) for i in range(len(ENTRIES))]


def _write_file(path, nentries, seed):
    rng = np.random.default_rng(seed)
    pt = rng.exponential(3.0, nentries) + 0.1
    phi = rng.uniform(-np.pi, np.pi, nentries)
    eta = rng.normal(0.0, 1.5, nentries)
    a_px = (pt * np.cos(phi)).astype(np.float32)
    a_py = (pt * np.sin(phi)).astype(np.float32)
    a_pz = (pt * np.sinh(eta)).astype(np.float32)
    a_e = np.sqrt(a_px.astype(np.float64) ** 2 + a_py.astype(np.float64) ** 2
                  + a_pz.astype(np.float64) ** 2 + PION_MASS ** 2)
    a_nhit = rng.poisson(8.0, nentries).astype(np.int32)
    a_charge = rng.choice(np.array([-1, 0, 1], dtype=np.int32), nentries, p=[0.45, 0.1, 0.45])

    px = np.zeros(1, dtype=np.float32)
    py = np.zeros(1, dtype=np.float32)
    pz = np.zeros(1, dtype=np.float32)
    nhit = np.zeros(1, dtype=np.int32)
    e = np.zeros(1, dtype=np.float64)
    charge = np.zeros(1, dtype=np.int32)

    tmp = "%s.tmp%d.root" % (path, os.getpid())
    f = ROOT.TFile(tmp, "RECREATE")
    t = ROOT.TTree(TREE_NAME, "toy tracks")
    t.Branch("px", px, "px/F")
    t.Branch("py", py, "py/F")
    t.Branch("pz", pz, "pz/F")
    t.Branch("nhit", nhit, "nhit/I")
    t.Branch("e", e, "e/D")
    t.Branch("charge", charge, "charge/I")
    for i in range(nentries):
        px[0] = a_px[i]
        py[0] = a_py[i]
        pz[0] = a_pz[i]
        nhit[0] = a_nhit[i]
        e[0] = a_e[i]
        charge[0] = a_charge[i]
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
