#!/usr/bin/env python
"""run_analysis.py -- run the AnaSel selector on the "ana" chain with PROOF-Lite.

    python legacy_examples/pyroot_driver/run_analysis.py [-w N] [-n NENTRIES] [-f FIRST] [-o OUT]
    python legacy_examples/pyroot_driver/run_analysis.py --local ...   # plain ROOT, one process

The histograms and counters of the output list are written to OUT
(default ./ana_out.root).
"""
import os
import sys
import warnings
from optparse import OptionParser

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_data import make_files  # noqa: E402

SELECTOR = os.path.join(HERE, "AnaSel.C") + "+"
CONFIG = "mlow=60 mhigh=120 ptmin=20 etamax=2.4"
WEIGHT = 0.5
TAG = "legacy-v1"


def main():
    parser = OptionParser(usage="%prog [options]")
    parser.add_option("-w", "--workers", type="int", default=0,
                      help="number of PROOF-Lite workers (0: PROOF's default)")
    parser.add_option("-n", "--nentries", type="int", default=1000000000,
                      help="number of entries to process (default: all)")
    parser.add_option("-f", "--first", type="int", default=0,
                      help="first entry to process (default: 0)")
    parser.add_option("-o", "--out", default="ana_out.root",
                      help="output ROOT file (default: %default)")
    parser.add_option("--data", default=None,
                      help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
    parser.add_option("--local", action="store_true", default=False,
                      help="no PROOF: plain TChain::Process in this process")
    (options, args) = parser.parse_args()

    if not options.local:
        import proofshim  # noqa: F401  -- the one line added to the legacy script

    ROOT.gROOT.SetBatch(True)

    files = make_files(options.data)
    chain = ROOT.TChain("ana")
    for f in files:
        chain.Add(f)
    print("chain 'ana': %d files, %d entries" % (len(files), chain.GetEntries()))

    cfg = ROOT.TNamed("cfg", CONFIG)  # keep a reference: PROOF does not own it

    if not options.local:
        if options.workers > 0:
            proof = ROOT.TProof.Open("workers=%d" % options.workers)
        else:
            proof = ROOT.TProof.Open("")
        if not proof or not proof.IsValid():
            print("ERROR: could not start PROOF")
            return 1
        print("PROOF running with %d workers" % proof.GetParallel())

        proof.SetParameter("Ana_Weight", WEIGHT)
        proof.SetParameter("Ana_Tag", TAG)
        proof.AddInput(cfg)

        chain.SetProof()
        ret = chain.Process(SELECTOR, "os", options.nentries, options.first)
        output = proof.GetOutputList()
    else:
        inputs = ROOT.TList()
        keep = [ROOT.TParameter["Double_t"]("Ana_Weight", WEIGHT), ROOT.TNamed("Ana_Tag", TAG), cfg]
        for obj in keep:
            inputs.Add(obj)
        sel = ROOT.TSelector.GetSelector(SELECTOR)
        sel.SetInputList(inputs)
        ret = chain.Process(sel, "os", options.nentries, options.first)
        output = sel.GetOutputList()

    if ret < 0:
        print("ERROR: processing failed (return value %d)" % ret)
        return 1
    print("Process() returned %d" % ret)

    out = ROOT.TFile(options.out, "RECREATE")
    nwritten = 0
    for obj in output:
        if obj.GetName().startswith("PROOF_"):
            continue
        if obj.InheritsFrom("TH1"):
            print("  %-11s entries = %8d  sum of weights = %10.1f  mean = %.4f"
                  % (obj.GetName(), obj.GetEntries(), obj.GetSumOfWeights(), obj.GetMean()))
        elif obj.ClassName().startswith("TParameter"):
            print("  %-11s = %s" % (obj.GetName(), obj.GetVal()))
        else:
            continue
        out.cd()
        obj.Write()
        nwritten += 1
    out.Close()
    print("%d objects written to %s" % (nwritten, os.path.abspath(options.out)))

    if not options.local:
        chain.SetProof(False)
        proof.Close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
