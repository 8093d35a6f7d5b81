#!/usr/bin/env python
"""Create the input files of the treereader_params example.

Four files with a TTree "T", one candidate per entry:
    pt, eta (Float_t), nj (Int_t), jpt (std::vector<float>, nj jet pts, leading first)

The files go to the directory given as first argument, else to
$PROOFSHIM_EXAMPLE_DATA, else to data/ next to this script.
Existing files are kept unless --force is given.

    python legacy_examples/treereader_params/make_data.py [DIR] [--force]
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import numpy as np
import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
TREE_NAME = "T"
ENTRIES = (10000, 12000, 15000, 13000)  # one number per file
SEED = 20140704


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    d = data_dir(directory)
    return [os.path.join(d, "treereader_params_T_%d.root" % i) for i in range(len(ENTRIES))]


def _write_file(path, nentries, seed):
    rng = np.random.default_rng(seed)
    a_pt = (rng.exponential(25.0, nentries) + 5.0).astype(np.float32)
    a_eta = np.clip(rng.normal(0.0, 1.6, nentries), -4.9, 4.9).astype(np.float32)
    a_nj = rng.poisson(2.5, nentries).astype(np.int32)
    all_jets = (rng.exponential(30.0, int(a_nj.sum())) + 20.0).astype(np.float32)

    pt = np.zeros(1, dtype=np.float32)
    eta = np.zeros(1, dtype=np.float32)
    nj = np.zeros(1, dtype=np.int32)
    jpt = ROOT.std.vector("float")()

    tmp = "%s.tmp%d.root" % (path, os.getpid())
    f = ROOT.TFile(tmp, "RECREATE")
    t = ROOT.TTree(TREE_NAME, "toy candidates with jets")
    t.Branch("pt", pt, "pt/F")
    t.Branch("eta", eta, "eta/F")
    t.Branch("nj", nj, "nj/I")
    t.Branch("jpt", jpt)
    k = 0
    for i in range(nentries):
        pt[0] = a_pt[i]
        eta[0] = a_eta[i]
        n = int(a_nj[i])
        nj[0] = n
        jpt.clear()
        for x in sorted(all_jets[k:k + n], reverse=True):
            jpt.push_back(float(x))
        k += n
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
