"""One client of a shared dask cluster, for the concurrent-clients test.

    client_driver.py ADDRESS GO_FILE OUT_PREFIX count SELECTOR NTOTAL NQUERIES FILE...
    client_driver.py ADDRESS GO_FILE OUT_PREFIX slow SELECTOR N NQUERIES

Opens a session on ADDRESS, compiles the selector with a first small query, prints READY, waits for
GO_FILE to exist (so that the clients start together), then runs NQUERIES queries one after the
other: CountSel over the files (tree T), or SlowSel over N cycles. Each query's output list is saved
to OUT_PREFIX-<i>.root and a line "QUERY i RC rc ENTRIES n START t END t" is printed."""
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT  # noqa: E402

import proofshim  # noqa: E402,F401

address, go, prefix, kind, sel, n, nqueries, files = (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4],
                                                       sys.argv[5], int(sys.argv[6]), int(sys.argv[7]),
                                                       sys.argv[8:])
proof = ROOT.TProof.Open(address)
set_ll = proof.SetParameter.__overload__("const char*, Long64_t")
if kind == "count":
    set_ll("CountSel_NTotal", n)
    chain = ROOT.TChain("T")
    for f in files:
        chain.Add(f)
    chain.SetProof()

    def query():
        return chain.Process(sel)
else:
    set_ll("SlowSel_N", n)

    def query():
        return proof.Process(sel, n)

if kind == "count":
    chain.Process(sel, "", 10)
else:
    proof.Process(sel, 10)
print("READY", flush=True)
deadline = time.monotonic() + 300
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.05)
for i in range(nqueries):
    start = time.time()
    rc = query()
    end = time.time()
    f = ROOT.TFile(f"{prefix}-{i}.root", "RECREATE")
    for obj in proof.GetOutputList():
        obj.Write(obj.GetName(), ROOT.TObject.kSingleKey)
    f.Close()
    print(f"QUERY {i} RC {rc} ENTRIES {proof.GetQueryResult().GetEntries()} START {start:.3f} END {end:.3f}",
          flush=True)
proof.Close()
print("DONE", flush=True)
