#!/usr/bin/env python
"""Create the input files of the named_dataset example.

Five files, one run each, with a TTree "events" of toy jet events:
    run (Int_t), njet (Int_t), jet_pt[njet], jet_eta[njet] (Float_t), met (Float_t)
Runs 101-103 make the data set "myruns", runs 201-202 the data set "otherruns"
(the later runs have a higher pile-up: more soft jets, more missing ET).

The files go to the directory given as first argument, else to
$PROOFSHIM_EXAMPLE_DATA, else to data/ next to this script.
Existing files are kept unless --force is given.

    python legacy_examples/named_dataset/make_data.py [DIR] [--force]
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
MAXJET = 20
# data set name -> ((run, entries), ...)
RUNS = {
    "myruns": ((101, 12000), (102, 9000), (103, 15000)),
    "otherruns": ((201, 10000), (202, 8000)),
}
SEED = 1207


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    """{data set name: [files]}"""
    d = data_dir(directory)
    return {ds: [os.path.join(d, "named_dataset_run%d.root" % run) for run, _ in runs]
            for ds, runs in RUNS.items()}


def _write_file(path, run, nentries):
    rng = ROOT.TRandom3(SEED + run)
    pileup = 2.0 if run < 200 else 3.5

    a_run = np.array([run], dtype=np.int32)
    a_njet = np.zeros(1, dtype=np.int32)
    a_pt = np.zeros(MAXJET, dtype=np.float32)
    a_eta = np.zeros(MAXJET, dtype=np.float32)
    a_met = np.zeros(1, dtype=np.float32)

    tmp = "%s.tmp%d.root" % (path, os.getpid())
    f = ROOT.TFile(tmp, "RECREATE")
    t = ROOT.TTree(TREE_NAME, "toy jet events, run %d" % run)
    t.Branch("run", a_run, "run/I")
    t.Branch("njet", a_njet, "njet/I")
    t.Branch("jet_pt", a_pt, "jet_pt[njet]/F")
    t.Branch("jet_eta", a_eta, "jet_eta[njet]/F")
    t.Branch("met", a_met, "met/F")
    for _ in range(nentries):
        pts = []
        # hard jets: 0-3 of them with a falling spectrum
        for _k in range(rng.Poisson(1.2)):
            pts.append(30.0 + rng.Exp(40.0))
        # soft jets from pile-up
        for _k in range(rng.Poisson(pileup)):
            pts.append(15.0 + rng.Exp(6.0))
        pts = sorted(pts, reverse=True)[:MAXJET]
        a_njet[0] = len(pts)
        for k, pt in enumerate(pts):
            a_pt[k] = pt
            a_eta[k] = rng.Gaus(0.0, 1.8)
        a_met[0] = abs(rng.Gaus(0.0, 8.0 + 2.0 * pileup))
        t.Fill()
    t.Write()
    f.Close()
    os.replace(tmp, path)  # atomic: a parallel run never sees half a file


def make_files(directory=None, force=False):
    """Create the files if needed and return {data set name: [absolute paths]}."""
    names = file_names(directory)
    for ds, runs in RUNS.items():
        for path, (run, n) in zip(names[ds], runs):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if force or not os.path.exists(path):
                _write_file(path, run, n)
    return names


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--force"]
    for ds, names in make_files(argv[0] if argv else None, force="--force" in sys.argv[1:]).items():
        for name in names:
            print("%-10s %s" % (ds, name))
