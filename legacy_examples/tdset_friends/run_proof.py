#!/usr/bin/env python
# Calibrate the calorimeter clusters of three runs with PROOF-Lite: the raw
# data ("events" trees) go into a TDSet built file by file, the per-event
# calibration constants ("calibration" trees, written by the calibration
# pass into separate files) into a second TDSet attached as friend "calib".
#
#   python legacy_examples/tdset_friends/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/tdset_friends/run_proof.py --local    # plain ROOT, one process
#
# The output list is printed and written to --out (default ./tdset_friends_out.root).
import argparse
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_data import make_files  # noqa: E402

parser = argparse.ArgumentParser(description="CalibSel on a TDSet with a friend TDSet")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: TChain with a friend TChain, TChain::Process in this process")
parser.add_argument("--out", default="tdset_friends_out.root",
                    help="ROOT file for the output list (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()

if not args.local:
    import proofshim  # noqa: F401  -- the one line added to the legacy script

ROOT.gROOT.SetBatch(True)

raw_files, calib_files = make_files(args.data)
selector = os.path.join(HERE, "CalibSel.C") + "+"
OPTION = "emin=10"

# ---- the PROOF-era analysis code ------------------------------------------
if not args.local:
    proof = ROOT.TProof.Open("")

    # the raw data, one element per run
    dset = ROOT.TDSet("TTree", "events")
    for f in raw_files:
        dset.Add(f)

    # the calibration constants: element i belongs to element i of dset
    calibset = ROOT.TDSet("TTree", "calibration")
    for f in calib_files:
        calibset.Add(f)
    dset.AddFriend(calibset, "calib")
    print("TDSet 'events': %d files, friend 'calib' with %d files"
          % (dset.GetNumOfFiles(), calibset.GetNumOfFiles()))

    ret = dset.Process(selector, OPTION)
    output = proof.GetOutputList()
else:
    chain = ROOT.TChain("events")
    for f in raw_files:
        chain.Add(f)
    calibchain = ROOT.TChain("calibration")
    for f in calib_files:
        calibchain.Add(f)
    chain.AddFriend(calibchain, "calib")
    print("TChain 'events': %d files, friend 'calib' with %d files"
          % (chain.GetNtrees(), calibchain.GetNtrees()))

    sel = ROOT.TSelector.GetSelector(selector)
    ret = chain.Process(sel, OPTION)
    output = sel.GetOutputList()

if ret < 0:
    print("ERROR: processing failed (return value %d)" % ret)
    sys.exit(1)

print("Output list:")
for obj in output:
    name = obj.GetName()
    if name.startswith("PROOF_"):
        continue
    if obj.InheritsFrom("TH1"):
        print("  %-12s %-6s entries = %8d  mean = %.4f"
              % (name, obj.ClassName(), obj.GetEntries(), obj.GetMean()))
    elif obj.ClassName().startswith("TParameter"):
        print("  %-12s %s = %s" % (name, obj.ClassName(), obj.GetVal()))
# ---------------------------------------------------------------------------

fout = ROOT.TFile(args.out, "RECREATE")
for obj in output:
    if obj.GetName().startswith("PROOF_"):
        continue
    if obj.InheritsFrom("TH1") or obj.ClassName().startswith("TParameter"):
        fout.WriteTObject(obj, obj.GetName())
fout.Close()
print("output written to %s" % os.path.abspath(args.out))
