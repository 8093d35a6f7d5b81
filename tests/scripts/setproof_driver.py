"""A physicist's pyroot driver: chain.SetProof() before TProof.Open, the worker count as Open's
second argument, then a query whose selector corrupts the heap when this process exits.
Prints one line `RESULT {json}` with what it saw; the test checks that and how the process ends.
Usage: setproof_driver.py PATTERN COUNTSEL NTOTAL EXITSEL"""
import json
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT  # noqa: E402

import proofshim  # noqa: E402, F401

pattern, countsel, ntotal, exitsel = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ROOT.gROOT.SetBatch(True)
seen = {}
chain = ROOT.TChain("T")
chain.Add(pattern)
chain.SetProof()                                   # before any session
seen["no_session_process"] = int(chain.Process(countsel))
seen["no_session_draw"] = int(chain.Draw("px", "", "goff"))
proof = ROOT.TProof.Open("", "workers=1")
seen["parallel"] = int(proof.GetParallel())
seen["workers"] = len(proofshim.session.get(proof).executor.workers())
proof.SetParameter("CountSel_NTotal", ntotal)
seen["process"] = int(chain.Process(countsel))
h = proof.GetOutputList().FindObject("hgid")
seen["entries"] = int(h.GetEntries())
seen["bins_not_one"] = sum(1 for b in range(1, h.GetNbinsX() + 1) if h.GetBinContent(b) != 1)
seen["query_entries"] = int(proof.GetQueryResult().GetEntries())
queries = proof.GetQueryResults().GetSize()
seen["draw"] = int(chain.Draw("px>>hpx_drv(40,-4,4)", "", "goff"))
seen["draw_queries"] = proof.GetQueryResults().GetSize() - queries
seen["exit_query"] = int(proof.Process(exitsel, 10, "free-twice-at-exit"))
print("RESULT " + json.dumps(seen), flush=True)
# The script ends here, session open, as legacy drivers do: proofshim closes it at exit.
