"""A legacy-style driver for the log tests: one query whose selector prints on every worker, then
PROOF's ShowLog called from C++. Markers on stdout and stderr separate the query from ShowLog."""
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT

import proofshim  # noqa: F401

sel = sys.argv[1]
proof = ROOT.TProof.Open("workers=2")
proof.SetParameter("LogSel_Tag", "drv")
rc = proof.Process(sel, 2000)
print(f"AFTER-PROCESS RC {rc}", flush=True)
print("AFTER-PROCESS", file=sys.stderr, flush=True)
ROOT.gROOT.ProcessLine("gProof->ShowLog();")
ROOT.gROOT.ProcessLine("{ TMacro *m = gProof->GetLastLog(); printf(\"LASTLOG %d\\n\", m ? 1 : 0); }")
print("END", flush=True)
proof.Close()
