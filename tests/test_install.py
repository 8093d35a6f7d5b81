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

    # Every Python-side patch of a ROOT method: wrapped with wrapt while installed, and afterwards
    # the very object each class's own dictionary held before (or nothing, as before).
    WRAPPED = [("TChain", "Process"), ("TTree", "Process"), ("TROOT", "Macro"), ("TROOT", "ProcessLine")]
    LATER = [("TProof", "Connect"), ("TProof", "Disconnect"), ("TProof", "AddInput"), ("TProof", "Process"),
             ("TDSet", "AddInput"), ("TDSet", "Process")]   # classes of the shim's library

    def entries(pairs):
        out = {}
        for cls, name in pairs:
            getattr(getattr(ROOT, cls), name)       # cppyy fills a class's dictionary on lookup
            out[(cls, name)] = vars(getattr(ROOT, cls)).get(name)
        return out

    import wrapt
    before = snapshot()
    originals = entries(WRAPPED)
    import proofshim
    during = snapshot()
    later = {k: vars(getattr(ROOT, k[0])).get(k[1]) for k in LATER}
    for (cls, name), obj in {**entries(WRAPPED), **later}.items():
        assert isinstance(obj, wrapt.FunctionWrapper), (cls, name, type(obj))
    from ROOT import TPySelector
    assert issubclass(TPySelector, ROOT.TSelector)
    assert during["TChain.SetProof"] and during["TROOT.GetListOfProofs"], during
    assert during["player"] == "TProofShimTreePlayer", during
    assert "SetProof" in ROOT.TChain.__dict__
    p = ROOT.TProof.Open("workers=1")
    assert p and p.IsValid() and ROOT.gProof
    undone = proofshim.uninstall()
    assert len(undone) >= 6, undone
    after = snapshot()
    assert after == before, (before, after)
    for (cls, name), obj in originals.items():
        assert vars(getattr(ROOT, cls)).get(name) is obj, f"{cls}.{name} is not the original again"
    for cls, name in LATER:
        assert not isinstance(vars(getattr(ROOT, cls)).get(name), wrapt.FunctionWrapper), (cls, name)
    try:
        from ROOT import TPySelector as gone   # noqa: F401
        raise AssertionError("TPySelector still there after uninstall")
    except ImportError:
        pass
    assert not p.IsValid(), "uninstall closes open sessions"
    assert not ROOT.gProof
    assert not ROOT.ProofShim.gOpenHook and not ROOT.ProofShim.gProcessHook
    assert proofshim.uninstall() == [], "a second uninstall does nothing"
    assert not ROOT.TProof.Open("workers=1"), "TProof.Open fails cleanly once uninstalled"
    proofshim.install()
    assert snapshot() == during, "install after uninstall patches again"
    for (cls, name) in WRAPPED + LATER:
        assert isinstance(vars(getattr(ROOT, cls)).get(name), wrapt.FunctionWrapper), (cls, name)
    from ROOT import TPySelector   # noqa: F811
    c = ROOT.TChain("T")
    assert c.Process("TPySelector", "no_such_module_here") == -1, "the wrappers work again"
    proofshim.uninstall()
    print("INSTALL-ROUNDTRIP-OK")
''')


def test_uninstall_restores_root():
    res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300)
    assert "INSTALL-ROUNDTRIP-OK" in res.stdout, res.stdout + res.stderr
    assert "proofshim is not active" in res.stderr
