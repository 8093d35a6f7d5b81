"""Legacy C++ driver macros run unmodified: `proofshim run` (interpreted and ACLiC-compiled) and
gROOT.Macro from a pyroot script, including `chain->SetProof()` that ROOT 6.40's TChain lacks."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import HERE, selector_path

from proofshim.face.macros import prepare_line, rewrite_source, split_macro

DRIVER = os.path.join(HERE, "macros", "legacy_driver.C")


def _args(data_files, total_entries):
    pattern = os.path.join(os.path.dirname(data_files[0]), "data*.root")
    return f'("{pattern}", "{selector_path("CountSel.C")}+", {total_entries})'


@pytest.mark.parametrize("aclic", ["", "+"])
def test_proofshim_run_legacy_driver_macro(data_files, total_entries, tmp_path, aclic):
    macro = f"{DRIVER}{aclic}{_args(data_files, total_entries)}"
    res = subprocess.run([sys.executable, "-m", "proofshim", "run", macro], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"{res.stdout}\n{res.stderr}"
    assert "legacy_driver: all checks passed" in res.stdout
    assert "PROOF set to parallel mode" in res.stdout


def test_proofshim_run_exit_status(tmp_path):
    (tmp_path / "broken.C").write_text("int broken() { return not_declared_anywhere; }\n")
    (tmp_path / "seven.C").write_text("int seven() { return 7; }\n")
    for name, status in (("broken.C", 1), ("seven.C", 7)):
        res = subprocess.run([sys.executable, "-m", "proofshim", "run", name], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == status, res.stderr


def test_groot_macro_from_pyroot(ROOT, fresh_proof, data_files, total_entries):
    import ctypes

    err = ctypes.c_int(0)
    assert ROOT.gROOT.Macro(DRIVER + _args(data_files, total_entries), err) == 0
    assert err.value == 0


@pytest.mark.parametrize("source,expected", [
    ("chain->SetProof();", "ProofShim::Chain(chain).SetProof();"),
    ("c.SetProof(kTRUE);", "ProofShim::Chain(&c).SetProof(kTRUE);"),
    ("fChain -> SetProof ( 1 );", "ProofShim::Chain(fChain).SetProof( 1 );"),
    ("chains[i]->SetProof();", "ProofShim::Chain(chains[i]).SetProof();"),
    ("ana.GetChain()->SetProof();", "ProofShim::Chain(ana.GetChain()).SetProof();"),
])
def test_setproof_calls_are_rewritten(source, expected):
    out = rewrite_source(source)
    assert out.endswith(expected) and '#include "ProofShimMacros.h"' in out


def test_macros_without_setproof_are_untouched(tmp_path):
    text = "void plain() { TChain c(\"T\"); c.Process(\"Sel.C+\"); }\n"
    assert rewrite_source(text) == text
    assert split_macro('dir/run.C+("x", 3)') == ("dir/run.C", "+", '("x", 3)')
    assert split_macro("run.C") == ("run.C", "", "")
    (tmp_path / "plain.C").write_text(text)
    line = f".x {tmp_path / 'plain.C'}"
    assert prepare_line(line, str(tmp_path)) == (line, None)


@pytest.mark.parametrize("aclic", ["", "+"])
def test_proof_headers_compile_and_work(ROOT, fresh_proof, aclic):
    import ctypes

    err = ctypes.c_int(0)
    assert ROOT.gROOT.Macro(os.path.join(HERE, "macros", "all_headers.C") + aclic, err) == 0
    assert err.value == 0


STALE_MACRO = """#include "TProof.h"
int stale_link() { return gProof && gProof->IsValid() ? 0 : 1; }
"""


def _other_cache(tmp_path):
    """A copy of this process's proofshim library under another cache (loaded there as built: the
    same digest): (its cache directory, the copy's path)."""
    import shutil

    from proofshim.util import runtime

    ours = runtime.library_file()
    other = tmp_path / "othercache"
    if not other.exists():
        shutil.copytree(os.path.dirname(ours), other / "lib" / os.path.basename(os.path.dirname(ours)),
                        ignore=shutil.ignore_patterns(".lock"))
    return other, str(other / "lib" / os.path.basename(os.path.dirname(ours)) / "ProofShim_cxx.so")


def _compile_with(cache, source) -> str:
    """ACLiC-compile `source` in a process using proofshim cache `cache`; its library's path."""
    from proofshim.face.macros import aclic_library

    env = dict(os.environ, PROOFSHIM_CACHE_DIR=str(cache))
    build = ("import ctypes, proofshim, ROOT; ok = ROOT.gSystem.CompileMacro(%r, 'k'); "
             "raise SystemExit(0 if ok == 1 else 1)" % str(source))
    res = subprocess.run([sys.executable, "-c", build], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return aclic_library(str(source))


def test_macro_compiled_with_another_proofshim_cache_is_recompiled(ROOT, proof, tmp_path):
    """A macro's ACLiC library links proofshim's C++ library by path. One built with another cache
    (another machine's home, another PROOFSHIM_CACHE_DIR) would load a second copy of it, whose
    gProof is not this session: ACLiC thinks it up to date, so proofshim forces the rebuild; and a
    second copy loaded another way (gSystem->Load) says so on stderr instead of failing later."""
    from proofshim.util import runtime
    from proofshim.face.macros import linked_shim

    ours = runtime.library_file()
    other, theirs = _other_cache(tmp_path)
    theirs_dir = os.path.dirname(theirs)
    macro = tmp_path / "stale_link.C"
    macro.write_text(STALE_MACRO)
    env = dict(os.environ, PROOFSHIM_CACHE_DIR=str(other))
    library = _compile_with(other, macro)
    assert linked_shim(library) == theirs

    # Here: rebuilt against this process's library, and it sees this session.
    assert ROOT.gROOT.Macro(f"{macro}+") == 0
    assert os.path.realpath(linked_shim(library)) == os.path.realpath(ours)

    # The other way round, loaded directly: the second copy names both paths.
    load = "import proofshim, ROOT; raise SystemExit(0 if ROOT.gSystem.Load(%r) >= 0 else 1)" % library
    res = subprocess.run([sys.executable, "-c", load], env=env, capture_output=True, text=True, timeout=300)
    assert "a second copy of proofshim's C++ library" in res.stderr, res.stderr
    assert ours in res.stderr and str(theirs_dir) in res.stderr


STALE_SELECTOR = """#include "TSelector.h"
#include "TParameter.h"
#include "TProof.h"
class %(name)s : public TSelector {
public:
   Long64_t fN = 0;
   Long64_t fAdd = 0;
   void SlaveBegin(TTree *) override { TProof::GetParameter(fInput, "add", fAdd); }
   Bool_t Process(Long64_t) override { fN += 1 + fAdd; return kTRUE; }
   void SlaveTerminate() override { fOutput->Add(new TParameter<Long64_t>("n", fN)); }
   Int_t Version() const override { return 2; }
   ClassDefOverride(%(name)s, 0);
};
"""


def test_selector_compiled_with_another_proofshim_cache_is_recompiled(ROOT, proof, make_files, tmp_path):
    """The same for selectors given by file name outside any session: TSelector.GetSelector("X.C+")
    and a local chain.Process("X.C+") (no SetProof) recompile a build that links to another cache's
    library, instead of loading that second copy; the selectors then run locally as usual."""
    from proofshim.util import runtime
    from proofshim.face.macros import linked_shim

    other, theirs = _other_cache(tmp_path)
    files = make_files(tmp_path / "data", [120])
    libraries = {}
    for name in ("StaleGetSel", "StaleProcSel"):
        source = tmp_path / f"{name}.C"
        source.write_text(STALE_SELECTOR % {"name": name})
        libraries[name] = _compile_with(other, source)
        assert linked_shim(libraries[name]) == theirs

    sel = ROOT.TSelector.GetSelector(str(tmp_path / "StaleGetSel.C+"))
    assert sel and sel.ClassName() == "StaleGetSel"
    assert os.path.realpath(linked_shim(libraries["StaleGetSel"])) == os.path.realpath(runtime.library_file())
    chain = ROOT.TChain("T")
    chain.Add(files[0])
    chain.Process(sel)
    assert sel.GetOutputList().FindObject("n").GetVal() == 120

    chain = ROOT.TChain("T")
    chain.Add(files[0])
    assert chain.Process(str(tmp_path / "StaleProcSel.C+")) == 0   # the selector's status
    assert os.path.realpath(linked_shim(libraries["StaleProcSel"])) == os.path.realpath(runtime.library_file())
    assert chain.GetPlayer().GetSelectorFromFile().GetOutputList().FindObject("n").GetVal() == 120
