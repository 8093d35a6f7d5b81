#!/usr/bin/env python
"""Create the input files of the pyroot_driver example.

Three files with a TTree "ana", one muon pair per entry (Z peak on a
falling continuum):
    m (Double_t), pt1, pt2, eta1, eta2 (Float_t), q1, q2, run (Int_t)

The files go to the directory given as first argument, else to
$PROOFSHIM_EXAMPLE_DATA, else to data/ next to this script.
Existing files are kept unless --force is given.

    python legacy_examples/pyroot_driver/make_data.py [DIR] [--force]
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import numpy as np
import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
TREE_NAME = "ana"
ENTRIES = (30000, 25000, 20000)  # one number per file
SEED = 20120704
Z_FRACTION = 0.3


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    d = data_dir(directory)
    return [os.path.join(d, "pyroot_driver_ana_%d.root" % i) for i in range(len(ENTRIES))]


def _write_file(path, nentries, seed, run):
    rng = np.random.default_rng(seed)
    is_z = rng.uniform(size=nentries) < Z_FRACTION
    m_z = 91.1876 + 1.2475 * np.tan(np.pi * (rng.uniform(size=nentries) - 0.5))  # Breit-Wigner
    m_bkg = rng.exponential(40.0, nentries) + 10.0
    a_m = np.where(is_z, m_z, m_bkg)
    a_m = np.clip(a_m, 0.5, 500.0)
    pts = np.sort(rng.exponential(20.0, (nentries, 2)) + 5.0, axis=1)
    a_pt1 = pts[:, 1].astype(np.float32)  # leading
    a_pt2 = pts[:, 0].astype(np.float32)
    a_eta1 = rng.normal(0.0, 1.2, nentries).astype(np.float32)
    a_eta2 = rng.normal(0.0, 1.2, nentries).astype(np.float32)
    a_q1 = rng.choice(np.array([-1, 1], dtype=np.int32), nentries)
    a_q2 = np.where(is_z, -a_q1, rng.choice(np.array([-1, 1], dtype=np.int32), nentries))

    m = np.zeros(1, dtype=np.float64)
    pt1 = np.zeros(1, dtype=np.float32)
    pt2 = np.zeros(1, dtype=np.float32)
    eta1 = np.zeros(1, dtype=np.float32)
    eta2 = np.zeros(1, dtype=np.float32)
    q1 = np.zeros(1, dtype=np.int32)
    q2 = np.zeros(1, dtype=np.int32)
    r = np.array([run], dtype=np.int32)

    tmp = "%s.tmp%d.root" % (path, os.getpid())
    f = ROOT.TFile(tmp, "RECREATE")
    t = ROOT.TTree(TREE_NAME, "toy muon pairs")
    t.Branch("m", m, "m/D")
    t.Branch("pt1", pt1, "pt1/F")
    t.Branch("pt2", pt2, "pt2/F")
    t.Branch("eta1", eta1, "eta1/F")
    t.Branch("eta2", eta2, "eta2/F")
    t.Branch("q1", q1, "q1/I")
    t.Branch("q2", q2, "q2/I")
    t.Branch("run", r, "run/I")
    for i in range(nentries):
        m[0] = a_m[i]
        pt1[0] = a_pt1[i]
        pt2[0] = a_pt2[i]
        eta1[0] = a_eta1[i]
        eta2[0] = a_eta2[i]
        q1[0] = a_q1[i]
        q2[0] = a_q2[i]
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
            _write_file(name, n, SEED + i, 1000 + i)
    return names


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--force"]
    for name in make_files(argv[0] if argv else None, force="--force" in sys.argv[1:]):
        print(name)
