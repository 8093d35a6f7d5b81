"""A legacy PROOF script, unchanged but for `import proofshim`: opens its old master (mapped to a
cluster in dask's configuration), processes a chain, saves the output list to a file.

    python master_driver.py MASTER SELECTOR OUT.root NTOTAL FILE...
"""
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")
import ROOT

import proofshim  # noqa: F401 - the only change to the legacy script

master, sel, out_path, ntotal, files = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
proof = ROOT.TProof.Open(master)
if not proof or not proof.IsValid():
    print("OPEN FAILED", flush=True)
    sys.exit(2)
print(f"WORKERS {proof.GetParallel()}", flush=True)
proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", ntotal)
chain = ROOT.TChain("T")
for f in files:
    chain.Add(f)
chain.SetProof()
rc = chain.Process(sel)
print(f"RC {rc}", flush=True)
out = ROOT.TFile(out_path, "RECREATE")
for obj in proof.GetOutputList():
    if obj.InheritsFrom("TH1") or obj.InheritsFrom("TParameter<Long64_t>"):
        obj.Write(obj.GetName())
out.Close()
proof.Close()
print("DONE", flush=True)
