#!/usr/bin/env python
"""Create the input files of the tdset_friends example.

Three "raw" files with a TTree "events", one calorimeter cluster per entry:
    run, evt (Int_t), eraw (Float_t, uncalibrated energy [GeV]), eta (Float_t), ncell (Int_t)
and, for each of them, a calibration file with a TTree "calibration" holding
the per-event constants produced by the (toy) calibration pass, entry for entry:
    evt (Int_t, copy of the raw tree's evt), scale, offset (Float_t)
The calibrated energy is  scale * eraw - offset.

The files go to the directory given as first argument, else to
$PROOFSHIM_EXAMPLE_DATA, else to data/ next to this script.
Existing files are kept unless --force is given.

    python legacy_examples/tdset_friends/make_data.py [DIR] [--force]
"""
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import numpy as np
import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
RAW_TREE = "events"
CALIB_TREE = "calibration"
RUNS = (4711, 4712, 4715)           # one run per file
ENTRIES = (18000, 12000, 20000)     # one number per file
SEED = 2012050


def data_dir(directory=None):
    directory = directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data")
    return os.path.abspath(directory)


def file_names(directory=None):
    """(raw files, calibration files): calibration file i belongs to raw file i."""
    d = data_dir(directory)
    raw = [os.path.join(d, "tdset_friends_raw_run%d.root" % r) for r in RUNS]
    calib = [os.path.join(d, "tdset_friends_calib_run%d.root" % r) for r in RUNS]
    return raw, calib


def _write_pair(raw_path, calib_path, run, nentries, seed):
    rng = ROOT.TRandom3(seed)
    # the gain of this run drifts slowly with time (= event number)
    gain0 = 0.92 + 0.04 * (run % 5)
    pedestal = 0.35 + 0.05 * (run % 3)

    a_run = np.array([run], dtype=np.int32)
    a_evt = np.zeros(1, dtype=np.int32)
    a_eraw = np.zeros(1, dtype=np.float32)
    a_eta = np.zeros(1, dtype=np.float32)
    a_ncell = np.zeros(1, dtype=np.int32)
    a_scale = np.zeros(1, dtype=np.float32)
    a_offset = np.zeros(1, dtype=np.float32)

    tmp_raw = "%s.tmp%d.root" % (raw_path, os.getpid())
    tmp_calib = "%s.tmp%d.root" % (calib_path, os.getpid())
    fraw = ROOT.TFile(tmp_raw, "RECREATE")
    traw = ROOT.TTree(RAW_TREE, "toy calorimeter clusters, uncalibrated")
    traw.Branch("run", a_run, "run/I")
    traw.Branch("evt", a_evt, "evt/I")
    traw.Branch("eraw", a_eraw, "eraw/F")
    traw.Branch("eta", a_eta, "eta/F")
    traw.Branch("ncell", a_ncell, "ncell/I")
    fcal = ROOT.TFile(tmp_calib, "RECREATE")
    tcal = ROOT.TTree(CALIB_TREE, "per-event calibration constants")
    tcal.Branch("evt", a_evt, "evt/I")
    tcal.Branch("scale", a_scale, "scale/F")
    tcal.Branch("offset", a_offset, "offset/F")

    for i in range(nentries):
        # true energy: falling spectrum plus a peak at 45 GeV (electrons from Z decays)
        if rng.Rndm() < 0.25:
            etrue = rng.Gaus(45.0, 1.5)
        else:
            etrue = 2.0 + rng.Exp(15.0)
        gain = gain0 * (1.0 + 0.03 * math.sin(2.0 * math.pi * i / 7000.0))
        eraw = (etrue * (1.0 + rng.Gaus(0.0, 0.02)) + pedestal) / gain
        a_evt[0] = i + 1
        a_eraw[0] = eraw
        a_eta[0] = rng.Uniform(-2.5, 2.5)
        a_ncell[0] = 3 + rng.Poisson(2.0 + etrue / 8.0)
        a_scale[0] = gain
        a_offset[0] = pedestal
        fraw.cd()
        traw.Fill()
        fcal.cd()
        tcal.Fill()
    fraw.cd()
    traw.Write()
    fraw.Close()
    fcal.cd()
    tcal.Write()
    fcal.Close()
    os.replace(tmp_raw, raw_path)  # atomic: a parallel run never sees half a file
    os.replace(tmp_calib, calib_path)


def make_files(directory=None, force=False):
    """Create the files if needed and return (raw files, calibration files), absolute paths."""
    raw, calib = file_names(directory)
    os.makedirs(os.path.dirname(raw[0]), exist_ok=True)
    for i, (r, c) in enumerate(zip(raw, calib)):
        if force or not (os.path.exists(r) and os.path.exists(c)):
            _write_pair(r, c, RUNS[i], ENTRIES[i], SEED + i)
    return raw, calib


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--force"]
    for names in make_files(argv[0] if argv else None, force="--force" in sys.argv[1:]):
        for name in names:
            print(name)
