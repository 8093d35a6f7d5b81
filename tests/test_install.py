"""import proofshim / proofshim.uninstall(): every patch recorded, every patch undone."""
from __future__ import annotations

import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(r'''
    import warnings; warnings.filterwarnings("ignore")
    import ROOT

    def snapshot():
        c = ROOT.TChain("T")
        return {
            "TChain.SetProof": "SetProof" in ROOT.TChain.__dict__,
            "TChain.Process": type(ROOT.TChain.__dict__.get("Process")).__name__,
            "TROOT.GetListOfProofs": hasattr(ROOT.TROOT, "GetListOfProofs"),
            "player": c.GetPlayer().IsA().GetName(),
        }

    before = snapshot()
    import proofshim
    during = snapshot()
    assert during["TChain.SetProof"] and during["TROOT.GetListOfProofs"], during
    assert during["player"] == "TProofShimTreePlayer", during
    assert "SetProof" in ROOT.TChain.__dict__
    p = ROOT.TProof.Open("workers=1")
    assert p and p.IsValid() and ROOT.gProof
    undone = proofshim.uninstall()
    assert len(undone) >= 6, undone
    after = snapshot()
    assert after == before, (before, after)
    assert not p.IsValid(), "uninstall closes open sessions"
    assert not ROOT.gProof
    assert not ROOT.ProofShim.gOpenHook and not ROOT.ProofShim.gProcessHook
    assert proofshim.uninstall() == [], "a second uninstall does nothing"
    assert not ROOT.TProof.Open("workers=1"), "TProof.Open fails cleanly once uninstalled"
    proofshim.install()
    assert snapshot() == during, "install after uninstall patches again"
    proofshim.uninstall()
    print("INSTALL-ROUNDTRIP-OK")
''')


def test_uninstall_restores_root():
    res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300)
    assert "INSTALL-ROUNDTRIP-OK" in res.stdout, res.stdout + res.stderr
    assert "proofshim is not active" in res.stderr
