"""import proofshim / proofshim.uninstall(): every patch recorded, every patch undone."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


_LAZY = textwrap.dedent(r'''
    import sys, warnings; warnings.filterwarnings("ignore")
    import ROOT
    ROOT.gROOT.GetVersion()
    checks = iter(range(1000))

    def parsed():
        """Whether cling parsed TProof.h (its include guard), asked without naming a class (which
        would make ROOT parse it)."""
        n = next(checks)
        ROOT.gInterpreter.Declare(f"#ifdef ROOT_TProof\nint proofshim_parsed_{n} = 1;\n#else\n"
                                  f"int proofshim_parsed_{n} = 0;\n#endif\n")
        return bool(getattr(ROOT, f"proofshim_parsed_{n}"))

    import proofshim
    assert not parsed(), "import proofshim made cling parse the PROOF headers"
    if sys.argv[1] == "macro":
        # A macro naming the PROOF classes and gProof, without an include, as legacy macros do.
        assert ROOT.gROOT.ProcessLine("TProof *p = gProof; TProofOutputFile *o = nullptr; "
                                      "p == nullptr && o == nullptr && TProof::kFailIfExists == 0;") == 1
        assert parsed()
    elif sys.argv[1] == "python":
        assert not ROOT.gProof
        assert ROOT.TProofOutputFile.kOverwrite == 16
        assert parsed()
    print("LAZY-OK", flush=True)
''')


@pytest.mark.parametrize("first_use", ["macro", "python", "none"])
def test_import_leaves_the_proof_headers_to_their_first_use(first_use):
    """`import proofshim` loads the library without parsing the PROOF headers (0.15 s of every
    import); a macro or Python naming a PROOF class gets them then, and a process that never used
    them exits cleanly. (The exit guard's class, which ROOT's exit reaches through the interpreter
    once no header is parsed on demand, is checked by test_macros' `proofshim run` tests.)"""
    res = subprocess.run([sys.executable, "-c", _LAZY, first_use], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0 and "LAZY-OK" in res.stdout, res.stdout + res.stderr
    assert "Error" not in res.stderr, res.stderr
