#!/usr/bin/env python
# Quick-look plots of a dimuon ntuple with TTree::Draw on PROOF-Lite, as done interactively in
# 2012: chain->SetProof(); chain->Draw(...). The same Draw calls run in one process with --local.
#
#   python legacy_examples/draw_proof/draw_proof.py            # PROOF (via proofshim)
#   python legacy_examples/draw_proof/draw_proof.py --local    # plain ROOT, one process
#
# The histograms are printed and written to --out (default ./draw_proof_out.root).
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

parser = argparse.ArgumentParser(description="TTree::Draw through PROOF")
parser.add_argument("--local", action="store_true", help="no PROOF: draw in this process")
parser.add_argument("--out", default="draw_proof_out.root", help="ROOT file for the histograms")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()

if not args.local:
    import proofshim  # noqa: F401  -- the one line added to the legacy script

ROOT.gROOT.SetBatch(True)
files = make_files(args.data)

# ---- the PROOF-era analysis code ------------------------------------------
chain = ROOT.TChain("ntp")
for f in files:
    chain.Add(f)

if not args.local:
    proof = ROOT.TProof.Open("")
    chain.SetProof()

kept = []
n = chain.Draw("mass", "pt>2 && abs(y)<1.2")          # automatic binning, into htemp on c1
h = ROOT.gPad.GetPrimitive("htemp")
kept.append(h.Clone("hmass_auto"))
print("mass (pt>2, |y|<1.2): %d candidates" % n)

chain.Draw("mass>>hmass(120,2.5,3.7)", "ncand==1", "goff")
kept.append(ROOT.gDirectory.Get("hmass"))
chain.Draw("pt:y>>hpty(24,-2.4,2.4,40,0,20)", "abs(mass-3.097)<0.1", "goff")
kept.append(ROOT.gDirectory.Get("hpty"))
chain.Draw("pt:mass>>hprof", "", "prof goff")           # profile with automatic binning
kept.append(ROOT.gDirectory.Get("hprof"))

out = ROOT.TFile(args.out, "RECREATE")
for h in kept:
    print("  %-10s %-8s entries = %7d  mean = %.4f" % (h.GetName(), h.ClassName(), h.GetEntries(),
                                                      h.GetMean()))
    h.Write(h.GetName())
out.Close()
