"""A legacy-style driver with a long query, for Ctrl-C tests: prints PROCESSING, runs a slow query,
prints RC/N and the time it returned, then runs a short second query on the same session."""
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT  # noqa: E402

import proofshim  # noqa: E402,F401

sel = sys.argv[1]
proof = ROOT.TProof.Open("workers=2")
proof.Process(sel, 100)        # compiles the selector everywhere before the timed query
print("PROCESSING", flush=True)
rc = proof.Process(sel, 60000)
out = proof.GetOutputList().FindObject("n_processed")
print(f"RC {rc} N {out.GetVal() if out else -1} AT {time.time():.3f}", flush=True)
rc2 = proof.Process(sel, 50)
print(f"SECOND {rc2} {proof.GetOutputList().FindObject('n_processed').GetVal()}", flush=True)
