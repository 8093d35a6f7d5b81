"""A legacy-style driver with a long query, for Ctrl-C tests: prints PROCESSING, runs a slow query,
prints RC/N and the time it returned, then runs a short second query on the same session and says
how long it took. Packets of the long query last at least 20 s (PROOF_MinPacketTime), so a stop
that does not reach the running packets, or workers still busy with abandoned ones, show."""
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT  # noqa: E402

import proofshim  # noqa: E402,F401

sel = sys.argv[1]
option = sys.argv[2] if len(sys.argv) > 2 else ""     # the module of sel "TPySelector"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pyselectors"))
proof = ROOT.TProof.Open("workers=2")
proof.Process(sel, 100, option)        # compiles the selector everywhere before the timed query
proof.SetParameter.__overload__("const char*, Double_t")("PROOF_MinPacketTime", 20.0)
print("PROCESSING", flush=True)
rc = proof.Process(sel, 60000, option)
out = proof.GetOutputList().FindObject("n_processed")
print(f"RC {rc} N {out.GetVal() if out else -1} AT {time.time():.3f}", flush=True)
proof.DeleteParameters("PROOF_MinPacketTime")
t0 = time.monotonic()
rc2 = proof.Process(sel, 50, option)
print(f"SECOND {rc2} {proof.GetOutputList().FindObject('n_processed').GetVal()} "
      f"TOOK {time.monotonic() - t0:.2f}", flush=True)
