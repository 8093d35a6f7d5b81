#!/usr/bin/env python
# Run the MakeSelector-style selector EventSel on a TChain with PROOF-Lite.
#
#   python legacy_examples/makeselector/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/makeselector/run_proof.py --local    # plain ROOT, one process
#
# The output list is printed and written to --out (default ./makeselector_out.root).
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

parser = argparse.ArgumentParser(description="EventSel on PROOF")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: plain TChain::Process in this process")
parser.add_argument("--out", default="makeselector_out.root",
                    help="ROOT file for the output list (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()

if not args.local:
    import proofshim  # noqa: F401  -- the one line added to the legacy script

files = make_files(args.data)
selector = os.path.join(HERE, "EventSel.C") + "+"

# ---- the PROOF-era analysis code ------------------------------------------
chain = ROOT.TChain("events")
for f in files:
    chain.Add(f)
print("chain 'events': %d files, %d entries" % (len(files), chain.GetEntries()))

if not args.local:
    proof = ROOT.TProof.Open("")
    chain.SetProof()
    chain.Process(selector)
    output = proof.GetOutputList()
else:
    sel = ROOT.TSelector.GetSelector(selector)
    chain.Process(sel)
    output = sel.GetOutputList()

print("Output list:")
for obj in output:
    name = obj.GetName()
    if name.startswith("PROOF_"):
        continue
    if obj.InheritsFrom("TH1"):
        print("  %-10s %-6s entries = %8d  mean = %.4f"
              % (name, obj.ClassName(), obj.GetEntries(), obj.GetMean()))
    elif obj.ClassName().startswith("TParameter"):
        print("  %-10s %s = %s" % (name, obj.ClassName(), obj.GetVal()))
# ---------------------------------------------------------------------------

fout = ROOT.TFile(args.out, "RECREATE")
for obj in output:
    if obj.GetName().startswith("PROOF_"):
        continue
    if obj.InheritsFrom("TH1") or obj.ClassName().startswith("TParameter"):
        fout.WriteTObject(obj, obj.GetName())
fout.Close()
print("output written to %s" % os.path.abspath(args.out))
