#!/usr/bin/env python
# Process a TDSet with a selector written in Python (pyroot's TPySelector) on PROOF-Lite,
# as pyroot's own TPySelector documentation did it.
#
#   python legacy_examples/tpyselector/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/tpyselector/run_proof.py --local    # one process: chain.Process('TPySelector', ...)
#
# The selector's Terminate writes its histograms to --out (default ./tpyselector_out.root).
import argparse
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_data import make_files  # noqa: E402

parser = argparse.ArgumentParser(description="TrackSel (a TPySelector module) on PROOF")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: pyroot's one-process chain.Process('TPySelector', ...)")
parser.add_argument("--out", default="tpyselector_out.root",
                    help="ROOT file the selector's Terminate writes (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()
files = make_files(args.data)

import proofshim  # noqa: E402,F401  -- the one line added to the legacy script (TPySelector comes with it)

# ---- the pyroot-era analysis code ------------------------------------------
from ROOT import TChain, TDSet, TProof  # noqa: E402

option = 'tracksel#ptmin=2.0 out=%s' % args.out
if not args.local:
    dataset = TDSet('TTree', 'events')
    for f in files:
        dataset.Add(f)
    proof = TProof.Open('')
    print(dataset.Process('TPySelector', option))
else:
    chain = TChain('events')
    for f in files:
        chain.Add(f)
    print(chain.Process('TPySelector', option))
# ---------------------------------------------------------------------------
print("output written to %s" % os.path.abspath(args.out))
