"""Driver for lost-worker tests: prints its workers' process ids, then runs a slow cycle-driven
query in which every index must be processed exactly once, whatever happens to the workers.
Arguments after the selector and the cycle count are NAME=VALUE input parameters (Long64_t), and
for "TPySelector" the module (its option)."""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT  # noqa: E402

import proofshim  # noqa: E402,F401 - installs the shim
from proofshim.face import session  # noqa: E402

sel, n = sys.argv[1], int(sys.argv[2])
extra = sys.argv[3:]
option = next((a for a in extra if "=" not in a), "")   # the module of sel "TPySelector"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pyselectors"))
proof = ROOT.TProof.Open("workers=2")
proof.Process(sel, 100, option)        # compiles the selector everywhere first
pids = session.get(proof).executor.client.run(os.getpid)
print("PIDS " + " ".join(str(p) for p in pids.values()), flush=True)
proof.SetParameter.__overload__("const char*, Long64_t")("SlowSel_N", n)
for arg in (a for a in extra if "=" in a):
    name, value = arg.split("=", 1)
    proof.SetParameter.__overload__("const char*, Long64_t")(name, int(value))
print("PROCESSING", flush=True)
rc = proof.Process(sel, n, option)
h = proof.GetOutputList().FindObject("hidx")
counts = [int(h.GetBinContent(b)) for b in range(1, n + 1)] if h else []
print(f"RC {rc} ONCE {sum(1 for c in counts if c == 1)} OTHER {sum(1 for c in counts if c != 1)} "
      f"ENTRIES {proof.GetQueryResult().GetEntries()}", flush=True)
print(f"SECOND {proof.Process(sel, 50, option)}", flush=True)
