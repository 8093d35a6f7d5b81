"""The forms of PROOF's original design: gROOT->Proof() sessions whose chains process on the
cluster, TDSets of objects (not trees) handed to the selector with SetObject, Exec of a script on
every worker, and the legacy example reproducing that design's sample session."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import SELECTORS, assert_hist_equal, outputs_by_name, selector_path
from test_legacy_examples import _macro_example

from proofshim.face import session
from proofshim.face.macros import rewrite_source, script_line
from proofshim.plan.objects import check_directory, name_matches, select_keys

COUNT_SEL = selector_path("CountSel.C")
OBJDIR = os.path.join(SELECTORS, "objevent")
EV_SEL = os.path.join(OBJDIR, "EvObjSel.C") + "+"
# Objects per file in /events: an empty file and uneven sizes on purpose.
EVENTS = [3, 140, 0, 57, 1]
CALIB_EVERY = 10       # every 10th object of a file is named "calib" instead of "event"


# ---- pure logic ---------------------------------------------------------------------------------
def test_key_selection_by_class_name_and_position():
    keys = [("MyEvent", "event"), ("TH1F", "h"), ("MyEvent", "event"), ("MyHotEvent", "calib"),
            ("TNamed", "event"), ("MyEvent", "event10")]
    is_event = {"MyEvent": True, "MyHotEvent": True}.get
    assert select_keys(keys, lambda c: bool(is_event(c)), "*") == [0, 2, 3, 5]
    assert select_keys(keys, lambda c: bool(is_event(c)), "") == [0, 2, 3, 5]
    assert select_keys(keys, lambda c: bool(is_event(c)), "event") == [0, 2]
    assert select_keys(keys, lambda c: bool(is_event(c)), "event*") == [0, 2, 5]
    assert select_keys(keys, lambda c: c == "TNamed", "*") == [4]
    assert not name_matches("event", "event10")
    assert check_directory("/events") is None
    assert "wildcard" in check_directory("/run*/events")


def test_macro_rewrite_of_groot_proof():
    src = ('void run() {\n   gROOT->Proof();\n   TProof *p = gROOT -> Proof("workers=2");\n'
           '   ROOT::GetROOT()->Proof("lite://");\n   my.gROOT->Proof();\n   c->SetProof();\n}\n')
    out = rewrite_source(src)
    assert out.startswith('#include "ProofShimMacros.h"')
    assert "   ProofShim::RootProof();\n" in out
    assert 'TProof *p = ProofShim::RootProof("workers=2");' in out
    assert 'ProofShim::RootProof("lite://");' in out
    assert "my.gROOT->Proof();" in out, "only gROOT itself is TROOT"
    assert "ProofShim::Chain(c).SetProof();" in out
    assert rewrite_source("void f() { gROOT->ProcessLine(\"x\"); }") == \
        "void f() { gROOT->ProcessLine(\"x\"); }"


def test_script_line():
    assert script_line(".x ana.C") == ("x", "ana.C", "", "")
    assert script_line(" .L dir/ana.C++ ") == ("L", "dir/ana.C", "++", "")
    assert script_line('.X ana.C+g(1, "a")') == ("X", "ana.C", "+g", '(1, "a")')
    assert script_line("printf(\"x\")") is None


# ---- gROOT.Proof and chains ---------------------------------------------------------------------
@pytest.fixture()
def groot_session(fresh_proof, ROOT):
    """gROOT.Proof() on the shared session (a lite session of the same size is reused, as
    TProof::Open does); afterwards the session follows the SetProof() rule again."""
    p = ROOT.gROOT.Proof("workers=2")
    yield p
    fresh_proof.ResetBit(ROOT.ProofShim.kChainsFollowSession)
    ROOT.gProof = fresh_proof


def _queries(proof):
    return proof.GetQueryResults().GetSize()


def test_groot_proof_opens_like_tproof_open(groot_session, fresh_proof, ROOT):
    assert ROOT.addressof(groot_session) == ROOT.addressof(fresh_proof), "same URL: the session is reused"
    assert ROOT.addressof(ROOT.gProof) == ROOT.addressof(groot_session)
    assert groot_session.IsValid() and groot_session.GetParallel() == 2
    assert groot_session.TestBit(ROOT.ProofShim.kChainsFollowSession)


def test_chains_process_on_a_groot_proof_session(groot_session, chain, data_files, total_entries, ROOT):
    """Original design: no SetProof(); chain.SetProof(False) keeps one chain local."""
    c = chain()
    n0 = _queries(groot_session)
    assert c.Process(COUNT_SEL + "+") == 0
    assert _queries(groot_session) == n0 + 1, "the chain went to the cluster"
    assert groot_session.GetQueryResult().GetEntries() == total_entries
    shim = outputs_by_name(groot_session.GetOutputList())
    assert shim["hpx"].GetEntries() == total_entries

    local_chain = chain()
    local_chain.SetProof(False)
    assert ROOT.ProofShim.ProofForTree(local_chain) == ROOT.nullptr
    sel = ROOT.TSelector.GetSelector(COUNT_SEL + "+")
    local_chain.Process(sel)
    assert _queries(groot_session) == n0 + 1, "SetProof(False): processed here"
    local = outputs_by_name(sel.GetOutputList())
    assert_hist_equal(shim["hpx"], local["hpx"], "hpx")

    # Draw follows the session as Process does.
    n1 = _queries(groot_session)
    assert c.Draw("px>>h_groot_draw(64,-4,4)", "", "goff") == total_entries
    assert _queries(groot_session) > n1, "drawn on the cluster"
    assert ROOT.gDirectory.Get("h_groot_draw").GetEntries() == total_entries

    # A plain TTree (not a chain) is not diverted.
    f = ROOT.TFile.Open(data_files[1])
    assert ROOT.ProofShim.ProofForTree(f.Get("T")) == ROOT.nullptr
    f.Close()


def test_tproof_open_session_keeps_the_setproof_rule(fresh_proof, chain, ROOT):
    """A TProof::Open session (no gROOT->Proof): chains stay local until SetProof()."""
    fresh_proof.ResetBit(ROOT.ProofShim.kChainsFollowSession)
    c = chain()
    assert ROOT.ProofShim.ProofForTree(c) == ROOT.nullptr
    n0 = _queries(fresh_proof)
    sel = ROOT.TSelector.GetSelector(COUNT_SEL + "+")
    c.Process(sel, "", 200)
    assert _queries(fresh_proof) == n0, "no SetProof(): processed here"
    assert sel.GetOutputList().FindObject("n_Process").GetVal() == 200
    c.SetProof()
    assert c.Process(COUNT_SEL + "+", "", 100) == 0
    assert _queries(fresh_proof) == n0 + 1


_UNINSTALL = r"""
import warnings
warnings.filterwarnings("ignore")
import ROOT
import proofshim
assert hasattr(ROOT.gROOT, "Proof")
proofshim.uninstall()
assert not hasattr(ROOT.gROOT, "Proof"), "uninstall must remove gROOT.Proof"
print("UNINSTALL-OK")
"""


def test_uninstall_removes_groot_proof():
    res = subprocess.run([sys.executable, "-c", _UNINSTALL], capture_output=True, text=True, timeout=300,
                         check=False)
    assert "UNINSTALL-OK" in res.stdout, res.stdout + res.stderr


# ---- object data sets ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def myevent(proof, ROOT):
    """MyEvent/MyHotEvent with their dictionary, here and on every worker (TProof::Load)."""
    assert proof.Load(os.path.join(OBJDIR, "MyEvent.C") + "+") == 0
    return ROOT.MyEvent


@pytest.fixture(scope="module")
def event_files(myevent, ROOT, tmp_path_factory):
    """Files with MyEvent objects (every 7th a MyHotEvent) in /events, named "event" (one cycle
    each) or "calib"; beside them objects that must not count: a histogram and a TNamed in
    /events, a MyEvent in the top directory."""
    d = tmp_path_factory.mktemp("objects")
    rnd = ROOT.TRandom3(11)
    paths, gid = [], 0
    for i, n in enumerate(EVENTS):
        path = str(d / f"events{i}.root")
        f = ROOT.TFile(path, "RECREATE")
        ROOT.MyEvent(-1, 50.0, 1).Write("top")
        ev_dir = f.mkdir("events")
        ev_dir.cd()
        h = ROOT.TH1F("not_an_event", "", 4, 0, 1)
        h.Write()
        for k in range(n):
            e, ntrk = rnd.Uniform(0, 100), int(rnd.Poisson(5))
            ev = ROOT.MyHotEvent(gid, e, ntrk, 1.5) if k % 7 == 3 else ROOT.MyEvent(gid, e, ntrk)
            ev.Write("calib" if k % CALIB_EVERY == 9 else "event")
            gid += 1
        ROOT.TNamed("note", "not an event").Write()
        f.Close()
        paths.append(path)
    return paths


def _object_keys(ROOT, path, objname="*"):
    """One process, no shim: the keys an object TDSet of MyEvent must hand out, in file order."""
    f = ROOT.TFile.Open(path)
    keys = [k for k in f.GetDirectory("events").GetListOfKeys()
            if ROOT.TClass.GetClass(k.GetClassName()).InheritsFrom("MyEvent")
            and name_matches(objname, k.GetName())]
    return f, keys


def _one_process_run(ROOT, files, objname="*", wanted=None):
    """EvObjSel over the objects in this process, as PROOF's TEventIterObj fed it: SetObject,
    then Process(i) with i the object's number in its file. `wanted`: global object numbers."""
    sel = ROOT.EvObjSel()
    inputs = ROOT.TList()
    maxid = ROOT.TParameter["Int_t"]("EvObjSel_MaxId", sum(EVENTS))
    ROOT.SetOwnership(maxid, False)   # the list keeps it
    inputs.Add(maxid)
    sel.SetInputList(inputs)
    sel.SlaveBegin(ROOT.nullptr)
    g = 0
    for path in files:
        f, keys = _object_keys(ROOT, path, objname)
        for i, k in enumerate(keys):
            if wanted is None or g in wanted:
                obj = k.ReadObj()
                sel.SetObject(obj)
                sel.Process(i)
            g += 1
        f.Close()
    sel.SlaveTerminate()
    return sel, inputs


def _compare(shim_list, local_list):
    shim, local = outputs_by_name(shim_list), outputs_by_name(local_list)
    for name in ("ev_ids", "ev_energy", "ev_index"):
        assert_hist_equal(shim[name], local[name], name)
    for name in ("ev_hot", "ev_bad"):
        assert shim[name].GetVal() == local[name].GetVal(), name


@pytest.fixture()
def objset_proof(fresh_proof, myevent, ROOT):
    fresh_proof.SetParameter("EvObjSel_MaxId", sum(EVENTS))
    return fresh_proof


def test_object_tdset_processes_every_object_once(objset_proof, event_files, ROOT):
    ds = ROOT.TDSet("MyEvent", "*", "/events")
    assert not ds.IsTree() and ds.GetType() == "MyEvent"
    for path in event_files:
        ds.Add(path)
    n0 = objset_proof.GetQueryResults().GetSize()
    assert ds.Process(EV_SEL) == 0
    out = objset_proof.GetOutputList()
    total = sum(EVENTS)
    ids = out.FindObject("ev_ids")
    assert ids.GetEntries() == total
    for gid in range(total):
        assert ids.GetBinContent(gid + 1) == 1, f"event {gid} processed {ids.GetBinContent(gid + 1)} times"
    assert out.FindObject("ev_bad").GetVal() == 0, "only MyEvent objects reach the selector"
    assert out.FindObject("ev_hot").GetVal() == sum((n + 3) // 7 for n in EVENTS), "derived classes count"
    assert objset_proof.GetQueryResults().GetSize() == n0 + 1
    assert objset_proof.GetQueryResult().GetEntries() == total
    assert not out.FindObject("MissingFiles")
    sel, _ = _one_process_run(ROOT, event_files)
    _compare(out, sel.GetOutputList())


def test_object_tdset_name_filter_range_and_type_argument(objset_proof, event_files, ROOT):
    """TDSet(name, objname, dir, type) with one object name; nentries/first count objects."""
    ds = ROOT.TDSet("calibs", "calib", "/events", "MyEvent")
    assert not ds.IsTree() and ds.GetName() == "calibs"
    for path in event_files:
        ds.Add(path)
    assert ds.Process(EV_SEL) == 0
    n_calib = sum(n // CALIB_EVERY for n in EVENTS)
    assert objset_proof.GetOutputList().FindObject("ev_ids").GetEntries() == n_calib
    sel, _ = _one_process_run(ROOT, event_files, "calib")
    _compare(objset_proof.GetOutputList(), sel.GetOutputList())

    ds_all = ROOT.TDSet("MyEvent", "*", "/events")
    for path in event_files:
        ds_all.Add(path)
    assert objset_proof.Process(ds_all, EV_SEL, "", 100, 20) == 0
    sel, _ = _one_process_run(ROOT, event_files, wanted=set(range(20, 120)))
    assert objset_proof.GetOutputList().FindObject("ev_ids").GetEntries() == 100
    _compare(objset_proof.GetOutputList(), sel.GetOutputList())


def test_object_tdset_unreadable_file_listed_as_missing(objset_proof, event_files, ROOT, tmp_path, capfd):
    nodir = str(tmp_path / "nodir.root")
    f = ROOT.TFile(nodir, "RECREATE")
    ROOT.MyEvent(5, 1.0, 1).Write("event")
    f.Close()
    ds = ROOT.TDSet("MyEvent", "*", "/events")
    for path in (event_files[1], nodir, event_files[3]):
        ds.Add(path)
    assert ds.Process(EV_SEL) == 0
    out = objset_proof.GetOutputList()
    assert out.FindObject("ev_ids").GetEntries() == EVENTS[1] + EVENTS[3]
    missing = out.FindObject("MissingFiles")
    assert missing and [str(fi.GetCurrentUrl().GetFile()) for fi in missing] == [nodir]
    assert "directory 'events' not found" in missing.First().GetTitle()
    # Strict mode (the query's own parameter, as for trees) fails the query instead, naming the file.
    objset_proof.SetParameter("PROOFSHIM_Strict", 1)
    capfd.readouterr()
    try:
        assert ds.Process(EV_SEL) == -1
    finally:
        objset_proof.DeleteParameters("PROOFSHIM_Strict")
    err = capfd.readouterr().err
    assert "strict mode" in err and nodir in err, err
    assert ds.Process(EV_SEL) == 0, "the session goes on, skipping the file again"
    assert objset_proof.GetOutputList().FindObject("ev_ids").GetEntries() == EVENTS[1] + EVENTS[3]


def test_object_tdset_kabortfile_skips_the_rest_of_that_file(objset_proof, event_files, ROOT):
    first_of_file1 = EVENTS[0]
    abort_at = first_of_file1 + 60                       # inside events1.root (140 objects)
    objset_proof.SetParameter("EvObjSel_AbortFileAt", abort_at)
    try:
        ds = ROOT.TDSet("MyEvent", "*", "/events")
        for path in event_files:
            ds.Add(path)
        assert ds.Process(EV_SEL) == 0
    finally:
        objset_proof.DeleteParameters("EvObjSel_AbortFileAt")
    ids = objset_proof.GetOutputList().FindObject("ev_ids")
    counts = [int(ids.GetBinContent(g + 1)) for g in range(sum(EVENTS))]
    assert max(counts) == 1 and counts[abort_at] == 1
    in_file1 = range(first_of_file1, first_of_file1 + EVENTS[1])
    assert all(counts[g] == 1 for g in range(sum(EVENTS)) if g not in in_file1), "other files complete"
    assert sum(counts[g] for g in in_file1) < EVENTS[1], "objects after kAbortFile were skipped"
    missing = objset_proof.GetOutputList().FindObject("MissingFiles")
    assert missing and [str(fi.GetCurrentUrl().GetFile()) for fi in missing] == [event_files[1]]


def test_object_tdset_errors_say_what_and_where(objset_proof, event_files, ROOT, capfd):
    ds = ROOT.TDSet("MyEvent", "nosuchname", "/events")
    ds.Add(event_files[1])
    capfd.readouterr()
    assert ds.Process(EV_SEL) == -1
    err = capfd.readouterr().err
    assert "no object of class 'MyEvent' named 'nosuchname' in directory 'events'" in err, err
    ds2 = ROOT.TDSet("MyEvent", "*", "/run*")
    ds2.Add(event_files[1])
    assert ds2.Process(EV_SEL) == -1
    assert "'/run*' has a wildcard" in capfd.readouterr().err
    ds3 = ROOT.TDSet("MyEvent", "*", "/events")
    ds3.Add(event_files[1])
    assert ds3.Draw("fEnergy", "") == -1
    assert "holds 'MyEvent' objects, not a tree" in capfd.readouterr().err
    elist = ROOT.TEntryList()          # kept alive here: the TDSet only points at it
    ds3.SetEntryList(elist)
    assert ds3.Process(EV_SEL) == -1
    assert "entry lists select tree entries" in capfd.readouterr().err


# ---- Exec of a script ---------------------------------------------------------------------------
_SCRIPT = r"""
#include "TSystem.h"
#include "helpers/greet.h"
#include <cstdio>
void ana(int n = 1)
{
   printf("ana: %s n=%d pid=%d file=%s\n", greeting(), n, gSystem->GetPid(), __FILE__);
}
"""


def test_exec_script_runs_on_every_worker_with_its_headers(fresh_proof, tmp_path, monkeypatch, capfd):
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "greet.h").write_text('inline const char *greeting() { return "shipped"; }\n')
    (tmp_path / "ana.C").write_text(_SCRIPT)
    monkeypatch.chdir(tmp_path)
    sess = session.get(fresh_proof)
    execs = lambda: [e for e in sess.logs.entries if e.kind == "exec"]  # noqa: E731
    before = len(execs())
    assert fresh_proof.Exec(".x ana.C") == 0
    assert fresh_proof.Exec(".x ana.C+(7)") == 0
    assert len(execs()) == before + 2
    pids = []
    for entry, n in zip(execs()[before:], (1, 7)):
        cmd, outputs = entry.ref, {w.ordinal: w.text for w in entry.workers}
        assert sorted(outputs) == ["0.0", "0.1"], cmd
        for ordinal, text in outputs.items():
            m = re.search(r"ana: shipped n=(\d+) pid=(\d+) file=(\S+)", text)
            assert m, f"{cmd} on {ordinal}: {text!r}"
            assert int(m[1]) == n
            assert os.sep + "scripts" + os.sep in m[3], "the worker ran the shipped copy"
            pids.append(m[2])
    assert len(set(pids)) == 2, "one process per worker"
    printed = capfd.readouterr().out
    assert "[0.0] ana: shipped n=7" in printed and "[0.1] ana: shipped n=7" in printed
    fresh_proof.ShowLog(0)   # the whole session's log: each worker's Exec output is there too
    shown = capfd.readouterr().out
    assert "+++ Exec('.x ana.C+(7)') +++" in shown and shown.count("ana: shipped n=7") >= 2


def test_exec_failing_script_returns_error(fresh_proof, tmp_path, monkeypatch):
    (tmp_path / "bad.C").write_text("void bad() { undeclared_thing(); }\n")
    monkeypatch.chdir(tmp_path)
    assert fresh_proof.Exec(".x bad.C") == -1
    assert fresh_proof.Exec(".x bad.C+") == -1


# ---- the legacy example -------------------------------------------------------------------------
def test_proof_design_example_matches_one_process_run(ROOT, tmp_path):
    """The design's sample session (gROOT->Proof(), chain->Process("ana.C"), an object TDSet,
    Exec(".x showenv.C")) as a driver macro via `proofshim run`, against its no-PROOF branch."""
    res = _macro_example(ROOT, tmp_path, "proof_design", "run_design.C")
    assert "ana: 22000 tracks" in res.stdout and "myselector: 695 events" in res.stdout
    pids = re.findall(r"^\[0\.(\d+)\] showenv: host \S+ pid (\d+)", res.stdout, re.MULTILINE)
    assert len(pids) == len({p for _, p in pids}) >= 2, res.stdout
