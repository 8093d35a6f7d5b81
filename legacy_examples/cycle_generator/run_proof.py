#!/usr/bin/env python
# Generate toy Monte Carlo events with PROOF-Lite: a cycle-driven query
# (TProof::Process("GenSel.C+", n), no input data); every worker generates
# its share of the n events.  Event i is seeded with GenSel_Seed + i, so the
# sample is the same however the cycles are split among the workers.
#
#   python legacy_examples/cycle_generator/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/cycle_generator/run_proof.py --local    # plain ROOT, one process
#
# The output list is printed and written to --out (default ./cycle_generator_out.root).
import argparse
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))

parser = argparse.ArgumentParser(description="GenSel: event generation as a PROOF cycle query")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: drive the selector by hand in this process")
parser.add_argument("-n", "--nevents", type=int, default=20000,
                    help="number of events (cycles) to generate (default: %(default)s)")
parser.add_argument("--seed", type=int, default=4357,
                    help="base seed, event i uses seed + i (default: %(default)s)")
parser.add_argument("--out", default="cycle_generator_out.root",
                    help="ROOT file for the output list (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory; accepted like in the other examples, "
                         "but a generator reads no input")
args = parser.parse_args()

if not args.local:
    import proofshim  # noqa: F401  -- the one line added to the legacy script

ROOT.gROOT.SetBatch(True)

selector = os.path.join(HERE, "GenSel.C") + "+"
SIGNAL_FRACTION = 0.08

# ---- the PROOF-era analysis code ------------------------------------------
if not args.local:
    proof = ROOT.TProof.Open("lite://")
    proof.SetParameter("GenSel_Seed", args.seed)                   # TParameter<Int_t>
    proof.SetParameter("GenSel_SignalFraction", SIGNAL_FRACTION)   # TParameter<Double_t>
    ret = proof.Process(selector, args.nevents)
    output = proof.GetOutputList()
else:
    # What TProof does for an n-cycle query, in one process: the same input
    # list, Begin and SlaveBegin, Process(i) for every cycle, then
    # SlaveTerminate and Terminate.
    inputs = ROOT.TList()
    keep = [ROOT.TParameter["Int_t"]("GenSel_Seed", args.seed),
            ROOT.TParameter["Double_t"]("GenSel_SignalFraction", SIGNAL_FRACTION)]
    for obj in keep:
        inputs.Add(obj)
    sel = ROOT.TSelector.GetSelector(selector)
    sel.SetInputList(inputs)
    sel.SetOption("")
    sel.Begin(ROOT.nullptr)
    sel.SlaveBegin(ROOT.nullptr)
    for i in range(args.nevents):
        sel.Process(i)
        if sel.GetAbort() == ROOT.TSelector.kAbortProcess:
            break
    sel.SlaveTerminate()
    sel.Terminate()
    ret = sel.GetStatus()
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
