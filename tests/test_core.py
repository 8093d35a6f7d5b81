"""End to end: legacy pyroot calls, real ROOT files, compiled selectors, 2 real dask workers."""
from __future__ import annotations

import os

import pytest
from conftest import FILE_SIZES, assert_hist_equal, local_run, outputs_by_name, selector_path

COUNT_SEL = selector_path("CountSel.C")



def test_open_sets_gproof_and_list_of_proofs(ROOT, proof):
    assert ROOT.gProof == proof
    assert proof.IsValid() and proof.IsLite()
    assert proof.GetParallel() == 2
    assert proof in list(ROOT.gROOT.GetListOfProofs())
    # C++ sees the same session through gProof.
    assert ROOT.gInterpreter.ProcessLine("gProof->GetParallel();") == 2
    assert ROOT.gInterpreter.ProcessLine(f"(gProof == (TProof*){ROOT.addressof(proof)});") == 1


@pytest.mark.smoke
def test_merged_outputs_equal_one_process_run(ROOT, fresh_proof, chain, data_files, total_entries):
    """Every entry once, histograms bin by bin equal to a local TChain::Process, all methods counted."""
    proof = fresh_proof
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    c = chain()
    c.SetProof()
    rc = c.Process(COUNT_SEL + "+", "myoption")
    assert rc == 0
    out = outputs_by_name(proof.GetOutputList())

    hgid = out["hgid"]
    assert hgid.GetEntries() == total_entries
    for b in range(1, total_entries + 1):
        assert hgid.GetBinContent(b) == 1, f"entry with gid {b - 1} processed {hgid.GetBinContent(b)} times"
    assert out["n_Process"].GetVal() == total_entries
    assert out["counter"].fCount == total_entries
    assert out["counter"].fMerges >= 1 or out["n_SlaveBegin"].GetVal() == 1

    n_workers_used = out["n_SlaveBegin"].GetVal()
    assert 1 <= n_workers_used <= 2
    assert out["n_SlaveTerminate"].GetVal() == n_workers_used
    assert out["n_has_proof_inputs"].GetVal() == n_workers_used
    # Init and Notify run each time a worker's tree changes: at least once per file.
    assert out["n_Init"].GetVal() == out["n_Notify"].GetVal()
    assert len(data_files) <= out["n_Init"].GetVal() <= len(data_files) * 4
    assert out["client_Begin"].GetVal() == 1 and out["client_Terminate"].GetVal() == 1
    assert out["member_repointed"].GetVal() == 1
    assert out["PROOF_SelectorStatus"].GetVal() == 0
    assert "option myoption" in out
    ordinals = sorted(o.GetTitle() for o in proof.GetOutputList() if o.GetName().startswith("ordinal_"))
    assert ordinals and set(ordinals) <= {"0.0", "0.1"}
    unmergeable = [o for o in proof.GetOutputList() if o.GetName() == "unmergeable"]
    assert len(unmergeable) == n_workers_used, "objects without Merge are kept side by side"

    skim = out["skim"]
    assert skim.GetEntries() == len(range(0, total_entries, 100))
    gids = sorted(int(e.gid) for e in skim)
    assert gids == list(range(0, total_entries, 100))

    inputs = [ROOT.TParameter["Long64_t"]("CountSel_NTotal", total_entries)]
    sel, _, _ = local_run(ROOT, data_files, COUNT_SEL + "+", inputs, "myoption")
    local = outputs_by_name(sel.GetOutputList())
    for name in ("hgid", "hpx", "hpxpy", "prof"):
        assert_hist_equal(out[name], local[name], name)
    sub, lsub = outputs_by_name(out["sublist"]), outputs_by_name(local["sublist"])
    for name in ("hntrk", "htrkpt"):
        assert_hist_equal(sub[name], lsub[name], f"sublist/{name}")
    assert out["counter"].fCount == local["counter"].fCount
    c.SetProof(False)


@pytest.mark.parametrize("nentries,first", [(1000, 0), (5000, 2000), (10, 9995), (-1, 25000)])
def test_entry_range_spans_files(ROOT, fresh_proof, chain, total_entries, nentries, first):
    proof = fresh_proof
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    c = chain()
    c.SetProof()
    assert c.Process(COUNT_SEL + "+", "", nentries, first) == 0
    hgid = proof.GetOutput("hgid")
    last = total_entries if nentries == -1 else first + nentries
    for gid in range(total_entries):
        expected = 1 if first <= gid < last else 0
        assert hgid.GetBinContent(gid + 1) == expected, f"gid {gid}"


def test_a_small_query_reads_no_further_than_its_range(ROOT, fresh_proof, make_files, tmp_path):
    """The tree cache of a file is bounded by the query's range of it: a 1,000-entry query on a
    large file reads about its own entries, not a whole cache's worth (ROOT's TTreeCache fills
    up to its size from the first entry it serves; ~30 MB by default). Checked with a cache larger
    than the file, where an unbounded one reads all of it."""
    path = make_files(tmp_path, [300000])[0]
    size = os.path.getsize(path)
    proof = fresh_proof
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", 1000)
    proof.SetParameter.__overload__("const char*, Long64_t")("PROOF_CacheSize", 4 * size)
    try:
        c = ROOT.TChain("T")
        c.Add(path)
        c.SetProof()
        assert c.Process(COUNT_SEL + "+", "", 1000, 50000) == 0
        read = proof.GetQueryResult().GetBytes()
        assert 0 < read < size / 10, f"{read} bytes read of a {size}-byte file for 1,000 of its 300,000 entries"
        # The whole file: every entry once, the cache unbounded within it.
        proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", 300000)
        assert c.Process(COUNT_SEL + "+") == 0
        hgid = proof.GetOutput("hgid")
        assert hgid.GetEntries() == 300000 and hgid.GetMaximum() == 1 and hgid.GetMinimum() == 1
    finally:
        proof.DeleteParameters("PROOF_CacheSize")


def test_version0_selector_runs_processcut_processfill(ROOT, fresh_proof, chain, data_files, total_entries):
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+") == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert out["n_ProcessCut"].GetVal() == total_entries
    sel, _, _ = local_run(ROOT, data_files, selector_path("V0Sel.C") + "+")
    local = outputs_by_name(sel.GetOutputList())
    assert out["n_ProcessFill"].GetVal() == local["n_ProcessFill"].GetVal()
    assert 1 <= out["n_Begin"].GetVal() <= 2, "version 0: Begin runs on each worker"
    assert_hist_equal(out["hpx_v0"], local["hpx_v0"], "hpx_v0")


def test_parameters_reach_workers_with_exact_types(ROOT, fresh_proof, chain):
    proof = fresh_proof
    proof.SetParameter("CountSel_S", "tight")
    proof.SetParameter.__overload__("const char*, Int_t")("CountSel_I", 40)
    proof.SetParameter.__overload__("const char*, Long_t")("CountSel_L", 7)
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_LL", 123456789012)
    proof.SetParameter("CountSel_D", 2.5)
    assert type(proof.GetParameter("CountSel_I")).__cpp_name__ == "TParameter<int>"
    assert type(proof.GetParameter("CountSel_L")).__cpp_name__ == "TParameter<long>"
    c = chain()
    c.SetProof()
    assert c.Process(COUNT_SEL + "+", "", 100) == 0
    names = [o.GetName() for o in proof.GetOutputList() if o.GetName().startswith("params ")]
    assert names and set(names) == {"params S=tight I=40 L=7 LL=123456789012 D=2.5"}


def test_parameter_housekeeping(ROOT, fresh_proof, capfd):
    proof = fresh_proof
    proof.SetParameter("PROOF_Shown", 7)
    proof.SetParameter("Hidden", "x")
    capfd.readouterr()
    proof.ShowParameters()
    ROOT.gSystem.Sleep(0)
    shown = capfd.readouterr().out
    assert "PROOF_Shown" in shown and "7" in shown and "Hidden" not in shown
    proof.ShowParameters("")
    assert "Hidden" in capfd.readouterr().out
    proof.DeleteParameters("")
    proof.SetParameter("PROOF_A", 1.5)
    proof.SetParameter("PROOF_A", "replaced")
    proof.SetParameter("Mine", 3.0)
    assert proof.GetInputList().GetSize() == 2
    assert proof.GetParameter("PROOF_A").GetTitle() == "replaced"
    proof.DeleteParameters("PROOF_*")
    assert not proof.GetParameter("PROOF_A") and proof.GetParameter("Mine")
    proof.DeleteParameters("")
    assert proof.GetInputList().GetSize() == 0
    proof.AddInput(ROOT.TNamed("cfg", "x"))
    assert proof.GetInputList().FindObject("cfg")
    proof.ClearInput()
    assert proof.GetInputList().GetSize() == 0


def test_cxx_macro_process_goes_to_the_session(ROOT, fresh_proof, chain, total_entries):
    proof = fresh_proof
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    c = chain()
    c.SetProof()
    rc = ROOT.gInterpreter.ProcessLine(
        f'((TChain*){ROOT.addressof(c)})->Process("{COUNT_SEL}+", "", 700, 100);')
    assert rc == 0
    assert proof.GetOutput("n_Process").GetVal() == 700
    assert proof.GetOutput("n_has_proof_inputs").GetVal() >= 1, "ran on workers, not locally"


def test_setproof_false_processes_locally(ROOT, fresh_proof, chain, total_entries):
    proof = fresh_proof
    c = chain()
    c.SetProof()
    c.SetProof(False)
    proof.GetOutputList().Delete()
    sel = ROOT.TSelector.GetSelector(COUNT_SEL + "+")
    inp = ROOT.TList()
    ntotal = ROOT.TParameter["Long64_t"]("CountSel_NTotal", total_entries)
    inp.Add(ntotal)
    sel.SetInputList(inp)
    c.Process(sel)
    assert proof.GetOutputList().GetSize() == 0
    assert sel.GetOutputList().FindObject("n_Process").GetVal() == total_entries
    assert not sel.GetOutputList().FindObject("n_has_proof_inputs")


def test_selector_spellings(ROOT, fresh_proof, chain, tmp_path, monkeypatch):
    """X.C+, X.C++, X.C+g, X.cxx+, relative and absolute paths, and a class already loaded."""
    src = tmp_path / "Spell.cxx"
    src.write_text(open(selector_path("V0Sel.C")).read().replace("V0Sel", "Spell"))
    monkeypatch.chdir(tmp_path)
    c = chain()
    c.SetProof()
    for sel in ("Spell.cxx+", str(src) + "++", "Spell.cxx+g", "./Spell.cxx+"):
        fresh_proof.GetOutputList().Delete()
        assert c.Process(sel, "", 500) == 0, sel
        assert fresh_proof.GetOutput("n_ProcessCut").GetVal() == 500, sel
    # By its name alone, from another directory: the code the client loaded is what travels (ROOT
    # records the source as 'Spell.cxx', relative to the compile directory, not to this one).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert c.Process("Spell", "", 300) == 0
    assert fresh_proof.GetOutput("n_ProcessCut").GetVal() == 300


def test_a_class_loaded_with_dot_L_runs_by_its_name_from_another_directory(
        ROOT, fresh_proof, chain, tmp_path, monkeypatch):
    """`.L MySel.C+` in one directory, then Process("MySel") from another: PROOF shipped the loaded
    class's source; its recorded file name is relative to where ACLiC compiled it."""
    src_dir = tmp_path / "analysis"
    src_dir.mkdir()
    (src_dir / "DotLSel.C").write_text(
        open(selector_path("V0Sel.C")).read().replace("V0Sel", "DotLSel"))
    monkeypatch.chdir(src_dir)
    assert ROOT.gROOT.ProcessLine(".L DotLSel.C+") == 0
    monkeypatch.chdir(tmp_path)
    c = chain()
    c.SetProof()
    assert c.Process("DotLSel", "", 400) == 0
    assert fresh_proof.GetOutput("n_ProcessCut").GetVal() == 400


def test_compile_error_returns_minus_one_and_session_survives(ROOT, fresh_proof, chain, capfd):
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("BrokenSel.C") + "+") == -1
    err = capfd.readouterr().err
    assert "this_is_not_declared" in err, "the compiler's message reaches the user"
    assert "BrokenSel.C" in err
    assert c.Process(selector_path("WrongName.C") + "+") == -1
    assert "WrongName" in capfd.readouterr().err
    assert c.Process(selector_path("NoSuchSel.C") + "+") == -1
    assert "not found" in capfd.readouterr().err
    assert c.Process(selector_path("V0Sel.C") + "+", "", 50) == 0


def test_second_query_does_not_recompile(ROOT, fresh_proof, chain):
    from proofshim.util import runtime
    from proofshim.face import session

    sess = session.get(fresh_proof)
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+", "", 20000) == 0   # enough for both workers
    libs = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(runtime.cache_dir(), "selectors"))
            for f in fs if f.startswith("V0Sel_C") and f.endswith(".so")]
    assert libs
    mtimes = {p: os.path.getmtime(p) for p in libs}
    workers_before = sess.executor.workers()
    assert c.Process(selector_path("V0Sel.C") + "+", "", 100) == 0
    assert {p: os.path.getmtime(p) for p in libs} == mtimes
    assert sess.executor.workers() == workers_before, "the same worker processes serve every query"
    pids = sess.executor.client.run(os.getpid)
    loaded = sess.executor.client.run(lambda: sorted(__import__("proofshim.plan.selector").plan.selector._loaded.values()))
    assert len(pids) == 2 and all("V0Sel" in v for v in loaded.values())


def test_output_list_cleared_at_each_query(ROOT, fresh_proof, chain):
    c = chain()
    c.SetProof()
    fresh_proof.GetOutputList().Add(ROOT.TNamed("stale", "x"))
    assert c.Process(selector_path("V0Sel.C") + "+", "", 10) == 0
    assert not fresh_proof.GetOutput("stale")


def test_nentries_beyond_data_is_a_clear_error(ROOT, fresh_proof, chain, total_entries, capfd):
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+", "", 10, total_entries + 5) == -1
    assert "selects no entry" in capfd.readouterr().err


def _gid_counts(proof):
    hgid = proof.GetOutput("hgid")
    return [int(hgid.GetBinContent(b + 1)) for b in range(hgid.GetNbinsX())]


def test_kabortfile_skips_the_rest_of_that_file(ROOT, fresh_proof, chain, data_files, total_entries):
    proof = fresh_proof
    set_ll = proof.SetParameter.__overload__("const char*, Long64_t")
    set_ll("CountSel_NTotal", total_entries)
    abort_at = 2501 + 3000             # inside data2.root (gids 2501..9500)
    set_ll("CountSel_AbortFileAt", abort_at)
    c = chain()
    c.SetProof()
    assert c.Process(COUNT_SEL + "+") == 0
    counts = _gid_counts(proof)
    assert max(counts) == 1, "no entry processed twice"
    assert counts[abort_at] == 1
    other_files = [g for g in range(total_entries) if not 2501 <= g <= 9500]
    assert all(counts[g] == 1 for g in other_files), "the other files are processed completely"
    assert sum(counts) < total_entries, "entries after kAbortFile were skipped"
    missing = proof.GetOutput("MissingFiles")
    assert missing and [str(f.GetCurrentUrl().GetFile()) for f in missing] == [data_files[2]]


def test_kabortprocess_stops_that_worker_but_slaveterminate_runs(ROOT, fresh_proof, chain, total_entries):
    proof = fresh_proof
    set_ll = proof.SetParameter.__overload__("const char*, Long64_t")
    set_ll("CountSel_NTotal", total_entries)
    set_ll("CountSel_AbortProcessAt", 12000)
    c = chain()
    c.SetProof()
    assert c.Process(COUNT_SEL + "+") == 0
    counts = _gid_counts(proof)
    assert max(counts) == 1 and counts[12000] == 0
    assert sum(counts) < total_entries
    out = outputs_by_name(proof.GetOutputList())
    assert out["n_SlaveTerminate"].GetVal() == out["n_SlaveBegin"].GetVal()
    assert out["client_Terminate"].GetVal() == 1


def test_headers_included_by_relative_path_travel_with_the_selector(ROOT, fresh_proof, chain, tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "ana").mkdir()
    (tmp_path / "common" / "Cuts.h").write_text(
        "#ifndef Cuts_h\n#define Cuts_h\ninline bool PassCut(float px) { return px > 0; }\n#endif\n")
    src = open(selector_path("V0Sel.C")).read().replace("V0Sel", "RelSel")
    src = src.replace('#include "TParameter.h"', '#include "TParameter.h"\n#include "../common/Cuts.h"')
    src = src.replace("return fPx > 0;", "return PassCut(fPx);")
    (tmp_path / "ana" / "RelSel.C").write_text(src)
    c = chain()
    c.SetProof()
    assert c.Process(str(tmp_path / "ana" / "RelSel.C") + "+", "", 2000) == 0
    assert fresh_proof.GetOutput("n_ProcessCut").GetVal() == 2000
    assert 0 < fresh_proof.GetOutput("n_ProcessFill").GetVal() < 2000


def test_current_element_describes_each_packet(ROOT, fresh_proof, chain, data_files, total_entries):
    """PROOF_CurrentElement (a TPair in the input list) gives the packet's file and entry range."""
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("ElemSel.C") + "+") == 0
    out = fresh_proof.GetOutputList()
    assert out.FindObject("bad").GetVal() == 0
    assert out.FindObject("packets").GetVal() == fresh_proof.GetQueryResult().GetNumPackets()
    h = out.FindObject("perfile")
    per_file = {h.GetXaxis().GetBinLabel(b): h.GetBinContent(b) for b in range(1, h.GetNbinsX() + 1)
                if h.GetXaxis().GetBinLabel(b)}
    assert per_file == {os.path.basename(f): n for f, n in zip(data_files, FILE_SIZES)}


def test_a_warm_small_query_takes_one_round_of_packets(ROOT, fresh_proof, chain, total_entries):
    """The second small query of a selector in a session sizes its first packets from the first's
    rate: two per worker cover it (not rounds of 100 entries, each a round trip), every entry once."""
    from proofshim.face import session

    proof = fresh_proof
    proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    c = chain()
    c.SetProof()
    assert c.Process(COUNT_SEL + "+", "", 1000) == 0
    assert c.Process(COUNT_SEL + "+", "", 1000, 500) == 0
    run = session.get(proof).executor.running()      # the query that ran last
    packets = [s["packets"] for s in run.packetizer.summary()["slots"].values()]
    assert 0 < sum(packets) <= 2 * proof.GetParallel(), packets
    h = proof.GetOutputList().FindObject("hgid")
    assert h.GetEntries() == 1000
    assert all(h.GetBinContent(b + 1) == (1 if 500 <= b < 1500 else 0) for b in range(total_entries))
