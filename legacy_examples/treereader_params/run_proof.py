#!/usr/bin/env python
# Run the TTreeReader selector PtSel with PROOF-Lite, configured through
# TProof::SetParameter() (TNamed and TParameter<T> objects in the input list).
#
#   python legacy_examples/treereader_params/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/treereader_params/run_proof.py --local    # plain ROOT, one process
#
# The output list is printed and written to --out (default ./treereader_params_out.root).
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

parser = argparse.ArgumentParser(description="PtSel on PROOF with parameters")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: plain TChain::Process in this process")
parser.add_argument("--out", default="treereader_params_out.root",
                    help="ROOT file for the output list (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()

if not args.local:
    import proofshim  # noqa: F401  -- the one line added to the legacy script

files = make_files(args.data)
selector = os.path.join(HERE, "PtSel.C") + "+"

# analysis configuration
MODE = "tight"
NBINS = 40
PTCUT = 25.0
VERBOSE = 1
OPTION = "leading"

# ---- the PROOF-era analysis code ------------------------------------------
chain = ROOT.TChain("T")
for f in files:
    chain.Add(f)
print("chain 'T': %d files, %d entries" % (len(files), chain.GetEntries()))

if not args.local:
    proof = ROOT.TProof.Open("workers=2")
    proof.SetParameter("PtSel_Mode", MODE)                                     # TNamed
    proof.SetParameter.__overload__("const char*, Int_t")("PtSel_NBins", NBINS)  # TParameter<Int_t>
    proof.SetParameter("PtSel_PtCut", PTCUT)                                   # TParameter<Double_t>
    proof.SetParameter.__overload__("const char*, Long_t")("PtSel_Verbose", VERBOSE)  # TParameter<Long_t>
    chain.SetProof()
    chain.Process(selector, OPTION)
    output = proof.GetOutputList()
else:
    # the same input list TProof::SetParameter() would have built
    inputs = [ROOT.TNamed("PtSel_Mode", MODE),
              ROOT.TParameter["Int_t"]("PtSel_NBins", NBINS),
              ROOT.TParameter["Double_t"]("PtSel_PtCut", PTCUT),
              ROOT.TParameter["Long_t"]("PtSel_Verbose", VERBOSE)]
    input_list = ROOT.TList()
    for obj in inputs:
        input_list.Add(obj)
    sel = ROOT.TSelector.GetSelector(selector)
    sel.SetInputList(input_list)
    chain.Process(sel, OPTION)
    output = sel.GetOutputList()


def describe(obj, indent="  "):
    if obj.InheritsFrom("TH1"):
        print("%s%-9s %-8s entries = %8d  mean = %.4f"
              % (indent, obj.GetName(), obj.ClassName(), obj.GetEntries(), obj.GetMean()))
    elif obj.InheritsFrom("TCollection"):
        print("%s%-9s %s with %d objects:" % (indent, obj.GetName(), obj.ClassName(), obj.GetSize()))
        for sub in obj:
            describe(sub, indent + "  ")


print("Output list:")
for obj in output:
    if not obj.GetName().startswith("PROOF_"):
        describe(obj)
# ---------------------------------------------------------------------------

# h_pt and p_nj_eta as top-level keys, "extras" as one TList key
fout = ROOT.TFile(args.out, "RECREATE")
for obj in output:
    if obj.GetName().startswith("PROOF_"):
        continue
    if obj.InheritsFrom("TH1") or obj.InheritsFrom("TCollection"):
        fout.WriteTObject(obj, obj.GetName())
fout.Close()
print("output written to %s" % os.path.abspath(args.out))
