"""Python selectors: pyroot's TPySelector modules (`Process("TPySelector", "module#option")`) and
Python subclasses of ROOT.TSelector passed as objects, on the shared cluster. Each form is compared
with a one-process run: histograms bin by bin, every entry exactly once (a histogram of the global
entry id), and the number of calls of each method.

The selector modules live in tests/pyselectors, which only the client has on its sys.path: the
workers get their code (and the helper module they import) by value, through cloudpickle."""
from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from conftest import HERE, assert_hist_equal, file_collection, outputs_by_name

PYSELECTORS = os.path.join(HERE, "pyselectors")
CUT = 0.5


@pytest.fixture()
def pysel_dir(monkeypatch):
    """tests/pyselectors on the client's sys.path only (as a script's own directory is)."""
    monkeypatch.syspath_prepend(PYSELECTORS)
    yield PYSELECTORS


@pytest.fixture()
def pycount(pysel_dir):
    import pycount as module

    module.CLIENT_CALLS.clear()
    return module


def _tdset(ROOT, files):
    d = ROOT.TDSet("TTree", "T")
    for f in files:
        d.Add(f)
    return d


def _reference_hpx(ROOT, files, cut=CUT):
    """hpx of a one-process run: TTree::Draw of px with the selector's cut, same binning."""
    c = ROOT.TChain("T")
    for f in files:
        c.Add(f)
    href = ROOT.TH1D("href_hpx", "px", 50, -4, 4)
    href.SetDirectory(ROOT.gDirectory)
    c.Draw("px>>href_hpx", f"px>{cut}", "goff")
    href.SetDirectory(ROOT.nullptr)
    return href


def _assert_every_entry_once(hgid, total):
    counts = [int(hgid.GetBinContent(b + 1)) for b in range(total)]
    assert counts == [1] * total, (f"{sum(1 for n in counts if n == 0)} entries never processed, "
                                   f"{sum(1 for n in counts if n > 1)} more than once")
    assert hgid.GetEntries() == total


def _calls(out):
    return {name[len("calls_"):]: int(obj.GetVal()) for name, obj in out.items() if name.startswith("calls_")}


def _assert_call_counts(out, total, nfiles):
    calls = _calls(out)
    assert calls["Process"] == total
    assert 1 <= calls["SlaveBegin"] <= 2, "one selector per worker (2 workers)"
    assert calls["SlaveTerminate"] == calls["SlaveBegin"]
    assert calls["Init"] == calls["Notify"] >= nfiles, "Init and Notify for each tree a worker opens"


@pytest.mark.parametrize("form", ["tdset", "chain", "proof_tdset", "file_collection", "dataset_name"])
def test_tpyselector_forms_equal_a_one_process_run(ROOT, fresh_proof, chain, data_files, total_entries,
                                                   pycount, tmp_path, form):
    option = f"pycount#cut={CUT}"
    if form == "tdset":
        rc = _tdset(ROOT, data_files).Process("TPySelector", option)
    elif form == "chain":
        c = chain()
        c.SetProof()
        rc = c.Process("TPySelector", option)
    elif form == "proof_tdset":
        rc = fresh_proof.Process(_tdset(ROOT, data_files), "TPySelector", option)
    elif form == "file_collection":
        rc = fresh_proof.Process(file_collection(ROOT, data_files), "TPySelector", option)
    else:
        import dask

        with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
            assert fresh_proof.RegisterDataSet("pydata", file_collection(ROOT, data_files))
            rc = fresh_proof.Process("pydata", "TPySelector", option)
    assert rc == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    _assert_every_entry_once(out["hgid"], total_entries)
    ref = _reference_hpx(ROOT, data_files)
    assert_hist_equal(out["hpx"], ref, "hpx")
    _assert_call_counts(out, total_entries, len(data_files))
    assert out["opt"].GetTitle() == f"cut={CUT}", "the workers' GetOption() is the part after '#'"
    # Begin and Terminate once, on the client; Terminate sees the merged outputs through the
    # attributes the workers set (hpx, the dict of counters), re-pointed at the merged objects.
    assert pycount.CLIENT_CALLS == [("Begin", f"cut={CUT}"), ("Terminate", ref.GetEntries(), total_entries)]


def test_tpyselector_with_entry_range_and_the_session_reused(ROOT, fresh_proof, chain, data_files, pycount):
    c = chain()
    c.SetProof()
    assert c.Process("TPySelector", "pycount", 5000, 2000) == 0
    hgid = fresh_proof.GetOutput("hgid")
    counts = [int(hgid.GetBinContent(b + 1)) for b in range(hgid.GetNbinsX())]
    assert counts == [0] * 2000 + [1] * 5000 + [0] * (len(counts) - 7000)
    assert _calls(outputs_by_name(fresh_proof.GetOutputList()))["Process"] == 5000
    assert pycount.CLIENT_CALLS[0] == ("Begin", "") and pycount.CLIENT_CALLS[1][2] == 5000


def test_tpyselector_local_form_without_proof(ROOT, chain, data_files, total_entries, pycount):
    """pyroot ran chain.Process('TPySelector', 'module') in one process too: same loop, same results."""
    c = chain()
    assert c.Process("TPySelector", f"pycount#cut={CUT}") == 0
    assert pycount.CLIENT_CALLS[0] == ("Begin", f"cut={CUT}")
    ref = _reference_hpx(ROOT, data_files)
    assert pycount.CLIENT_CALLS[1] == ("Terminate", ref.GetEntries(), total_entries)
    # The same object ran everything: its attributes are the outputs.
    assert c.Process("TPySelector", "pycount#cut=-100", 700, 2400) == 0
    assert pycount.CLIENT_CALLS[-1][2] == 700, "nentries/firstentry across the file boundary at 2501"


def test_tpyselector_module_errors_say_what_is_wrong(ROOT, fresh_proof, data_files, pysel_dir, capfd):
    d = _tdset(ROOT, data_files[1:2])
    assert d.Process("TPySelector", "pynosuchmodule#x") == -1
    assert "cannot import the selector module 'pynosuchmodule'" in capfd.readouterr().err
    assert d.Process("TPySelector", "pynone") == -1
    assert "module 'pynone'" in (err := capfd.readouterr().err) and "holds no class deriving from TPySelector" in err
    assert d.Process("TPySelector", "pytwo") == -1
    assert "holds 2 selector classes (First, Second)" in capfd.readouterr().err
    assert d.Process("TPySelector", "pyderived", 100) == 0, "of a base and a derived class, the derived one"
    assert fresh_proof.GetOutput("n_derived").GetVal() == 100


@pytest.mark.parametrize("method", ["Process:1234", "SlaveBegin", "Init", "SlaveTerminate"])
def test_python_exception_on_a_worker_names_selector_method_packet_and_traceback(
        ROOT, fresh_proof, chain, data_files, total_entries, pysel_dir, capfd, method):
    c = chain()
    c.SetProof()
    assert c.Process("TPySelector", f"pyfail#{method}") == -1
    err = capfd.readouterr().err
    name = method.split(":")[0]
    line = next((ln for ln in err.splitlines() if "Error in <TProof::Process>" in ln), "")
    assert "selector pyfail.PyFail" in line, err
    if name == "SlaveTerminate":
        assert "failed at the end of the query" in line and "PyFail.SlaveTerminate" in line, err
    else:
        assert f"PyFail.{name}" in line and "file '" in line and "tree 'T'" in line, err
    if name == "Process":
        assert "(at entry 1234)" in line and "PyFail.Process(1234)" in line, err
        assert "entries " in line
    assert "ValueError: planted failure in " + name in err
    assert "Traceback (most recent call last):" in err
    assert os.path.join(PYSELECTORS, "pyfail.py") in err and 'raise ValueError(f"planted failure' in err, \
        "the worker's traceback, with the file and source line of the selector"
    assert not fresh_proof.GetOutputList().FindObject("hfail"), "nothing merged"
    # The session keeps working.
    assert c.Process("TPySelector", "pyfail#none") == 0
    assert fresh_proof.GetOutput("hfail").GetEntries() == total_entries


@pytest.mark.parametrize("method", ["Begin", "Terminate"])
def test_python_exception_on_the_client(ROOT, fresh_proof, chain, total_entries, pysel_dir, capfd, method):
    c = chain()
    c.SetProof()
    assert c.Process("TPySelector", f"pyfail#{method}", 300) == -1
    err = capfd.readouterr().err
    assert f"Python exception in PyFail.{method}: ValueError: planted failure in {method}" in err
    assert "on the client" in err and "Traceback (most recent call last):" in err
    if method == "Terminate":
        assert fresh_proof.GetOutput("hfail").GetEntries() == 300, "the merged outputs stay inspectable"
    assert c.Process("TPySelector", "pyfail#none", 200) == 0
    assert fresh_proof.GetOutput("hfail").GetEntries() == 200


def test_abort_from_python_kabortfile_and_kabortprocess(ROOT, fresh_proof, chain, data_files, total_entries,
                                                        pysel_dir):
    c = chain()
    c.SetProof()
    at = 2501 + 3000                    # inside data2.root (gids 2501..9500)
    assert c.Process("TPySelector", f"pyabort#file:{at}") == 0
    hgid = fresh_proof.GetOutput("hgid")
    counts = [int(hgid.GetBinContent(g + 1)) for g in range(total_entries)]
    assert max(counts) == 1 and counts[at] == 1
    assert all(counts[g] == 1 for g in range(total_entries) if not 2501 <= g <= 9500)
    assert sum(counts) < total_entries, "entries after kAbortFile were skipped"
    missing = fresh_proof.GetOutput("MissingFiles")
    assert missing and [str(f.GetCurrentUrl().GetFile()) for f in missing] == [data_files[2]]

    assert c.Process("TPySelector", "pyabort#process:12000") == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    counts = [int(out["hgid"].GetBinContent(g + 1)) for g in range(total_entries)]
    assert max(counts) == 1 and counts[12000] == 0 and sum(counts) < total_entries
    assert out["n_SlaveTerminate"].GetVal() == out["n_SlaveBegin"].GetVal(), "SlaveTerminate still runs"


def test_stop_and_abort_end_a_slow_python_process_within_a_second(ROOT, fresh_proof, pysel_dir, capfd):
    """Process takes 20 ms of Python per call: the workers see the stop between two calls."""
    # The cycle-driven form: Process("TPySelector", ncycles, "module").
    assert fresh_proof.Process("TPySelector", 20, "pyslow") == 0   # warm: class unpickled on the workers
    timer = threading.Timer(2.0, lambda: fresh_proof.StopProcess(False))
    timer.start()
    try:
        t0 = time.monotonic()
        assert fresh_proof.Process("TPySelector", 20000, "pyslow") == 0
        took = time.monotonic() - t0
    finally:
        timer.cancel()
    n = fresh_proof.GetOutput("n_slow").GetVal()
    assert 0 < n < 20000 and took < 2.0 + 10, "stopped part-way, soon after the request"
    out = capfd.readouterr().out
    assert f"processing was stopped - {n} events processed" in out
    assert f"PySlow::Terminate n_slow={n}" in out, "Terminate saw the merged partial outputs"
    stop = {}
    timer = threading.Timer(2.0, lambda: (stop.setdefault("t", time.monotonic()), fresh_proof.StopProcess(True)))
    timer.start()
    try:
        assert fresh_proof.Process("TPySelector", 20000, "pyslow") == -1
        returned = time.monotonic()
    finally:
        timer.cancel()
    assert returned - stop["t"] < 5.0, "Process returned within a few seconds of the abort"
    assert "PySlow::Terminate" not in capfd.readouterr().out
    assert fresh_proof.Process("TPySelector", 30, "pyslow") == 0
    assert fresh_proof.GetOutput("n_slow").GetVal() == 30


# ---- Python subclasses of ROOT.TSelector, passed as objects

def _count_selector_class(ROOT):
    class CountPy(ROOT.TSelector):
        """A current-PyROOT style selector: fills px with a cut given to the constructor, the global
        entry id, and counts its calls."""

        def __init__(self, cut=CUT):
            super().__init__()
            self.cut = cut
            self.client = {"Begin": 0, "Terminate": 0}

        def Version(self):
            return 2

        def Begin(self, tree):
            self.client["Begin"] += 1
            self.begin_note = "set by Begin"

        def SlaveBegin(self, tree):
            self.hpx = ROOT.TH1D("hpx", "px", 50, -4, 4)
            self.hists = [ROOT.TH1D("hgid", "gid", 30000, 0, 30000)]
            self.n = {m: 0 for m in ("SlaveBegin", "Init", "Process", "SlaveTerminate")}
            self.n["SlaveBegin"] = 1
            self.note = ROOT.TNamed("note", f"{self.begin_note} cut={self.cut}")
            for obj in (self.hpx, self.hists[0], self.note):
                self.GetOutputList().Add(obj)

        def Init(self, tree):
            self.n["Init"] += 1
            self.tree = tree          # a local run gives the chain once; the shim each file's tree

        def Notify(self):             # a new tree: its leaves
            self.lgid, self.lpx = self.tree.GetLeaf("gid"), self.tree.GetLeaf("px")
            return True

        def Process(self, entry):
            self.tree.GetTree().GetEntry(entry)     # entry is tree-local, in both runs
            self.n["Process"] += 1
            px = self.lpx.GetValue()
            if px > self.cut:
                self.hpx.Fill(px)
            self.hists[0].Fill(self.lgid.GetValueLong64())
            return True

        def SlaveTerminate(self):
            self.n["SlaveTerminate"] += 1
            if self.GetInputList() and self.GetInputList().FindObject("PROOF_Ordinal"):
                for m, v in self.n.items():
                    self.GetOutputList().Add(ROOT.TParameter["Long64_t"]("calls_" + m, v))

        def Terminate(self):
            self.client["Terminate"] += 1
            self.seen = (self.hpx.GetEntries(), self.hists[0].GetEntries())

    return CountPy


@pytest.fixture(scope="module")
def CountPy(ROOT):
    return _count_selector_class(ROOT)


@pytest.fixture(scope="module")
def local_countpy(ROOT, CountPy, data_files):
    """The one-process run of CountPy: PyROOT's own TChain::Process(selector object)."""
    c = ROOT.TChain("T")
    for f in data_files:
        c.Add(f)
    sel = CountPy(CUT)
    assert c.Process(sel) == 0
    return sel


@pytest.mark.parametrize("form", ["chain", "proof_tdset", "tdset", "file_collection", "dataset_name"])
def test_python_tselector_object_forms_equal_pyroot_one_process_run(
        ROOT, fresh_proof, chain, data_files, total_entries, CountPy, local_countpy, tmp_path, form):
    sel = CountPy(CUT)
    if form == "chain":
        c = chain()
        c.SetProof()
        rc = c.Process(sel)
    elif form == "proof_tdset":
        rc = fresh_proof.Process(_tdset(ROOT, data_files), sel)
    elif form == "tdset":
        rc = _tdset(ROOT, data_files).Process(sel)
    elif form == "file_collection":
        rc = fresh_proof.Process(file_collection(ROOT, data_files), sel)
    else:
        import dask

        with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
            assert fresh_proof.RegisterDataSet("pyobjdata", file_collection(ROOT, data_files))
            rc = fresh_proof.Process("pyobjdata", sel)
    assert rc == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert_hist_equal(out["hpx"], local_countpy.hpx, "hpx")
    _assert_every_entry_once(out["hgid"], total_entries)
    calls = _calls(out)
    assert calls["Process"] == total_entries and 1 <= calls["SlaveBegin"] == calls["SlaveTerminate"] <= 2
    assert calls["Init"] >= len(data_files)
    assert sel.client == {"Begin": 1, "Terminate": 1}, "Begin and Terminate once, on the client's object"
    assert sel.seen == (local_countpy.hpx.GetEntries(), total_entries)
    assert ROOT.addressof(sel.hpx) == ROOT.addressof(out["hpx"]), "attribute re-pointed at the merged object"
    assert ROOT.addressof(sel.hists[0]) == ROOT.addressof(out["hgid"]), "list elements too"
    # The workers' copies were made from the client's object after Begin (constructor argument,
    # attribute set in Begin), not by calling the class again.
    assert out["note"].GetTitle() == f"set by Begin cut={CUT}"


def test_python_tselector_cycles_and_a_main_style_class(ROOT, fresh_proof):
    class Cycles(ROOT.TSelector):
        def Version(self):
            return 2

        def SlaveBegin(self, tree):
            self.h = ROOT.TH1D("hcycle", "", 1000, 0, 1000)
            self.GetOutputList().Add(self.h)

        def Process(self, entry):
            self.h.Fill(entry)
            return True

    sel = Cycles()
    assert fresh_proof.Process(sel, 1000) == 0
    h = fresh_proof.GetOutput("hcycle")
    assert [h.GetBinContent(b) for b in range(1, 1001)] == [1.0] * 1000, "every cycle index once"
    assert ROOT.addressof(sel.h) == ROOT.addressof(h)


def test_python_tselector_without_version_warns_and_runs_processcut_processfill(ROOT, fresh_proof, capfd):
    class NoVersion(ROOT.TSelector):
        def Begin(self, tree):        # Version 0: Begin runs on the workers too
            self.n = ROOT.TParameter["Long64_t"]("n_nov", 0)
            self.GetOutputList().Add(self.n)

        def Process(self, entry):
            self.n.SetVal(self.n.GetVal() + 1)
            return True

    assert fresh_proof.Process(NoVersion(), 50) == 0
    assert "defines Process() but not Version()" in capfd.readouterr().err
    assert fresh_proof.GetOutput("n_nov").GetVal() == 0, "as in a local run: ROOT calls ProcessCut/ProcessFill"


def test_unpicklable_attributes_stay_on_the_client(ROOT, fresh_proof, chain, capfd):
    class WithLock(ROOT.TSelector):
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()
            self.factor = 3

        def Version(self):
            return 2

        def SlaveBegin(self, tree):
            self.p = ROOT.TParameter["Long64_t"]("lock_seen", int(hasattr(self, "lock")) * 10 + self.factor)
            self.GetOutputList().Add(self.p)

    assert fresh_proof.Process(WithLock(), 10) == 0
    assert fresh_proof.GetOutput("lock_seen").GetVal() in (3, 6)
    assert "lock (lock" in capfd.readouterr().err


def test_python_selector_object_for_a_local_chain_is_pyroot_s_own(ROOT, chain, CountPy, local_countpy):
    """Without SetProof, chain.Process(obj) stays PyROOT's one-process run (nothing of the shim)."""
    assert local_countpy.client == {"Begin": 1, "Terminate": 1}
    assert local_countpy.hpx.GetEntries() > 0


def test_tpyselector_is_importable_from_root(ROOT, proof):
    import ROOT as R

    from ROOT import TPySelector

    assert TPySelector is R.TPySelector and issubclass(TPySelector, R.TSelector)
    assert sys.modules["proofshim.worker.pyselector"].TPySelector is TPySelector


def test_feedback_of_a_python_selector_arrives_merged(ROOT, fresh_proof, pysel_dir):
    n = 2000
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("SlowSel_N", n)
    fresh_proof.SetParameter("PROOF_FeedbackPeriod", 150)
    seen = []
    cb = lambda objs: seen.append(objs.FindObject("hidx").GetEntries())  # noqa: E731
    fresh_proof.Connect("Feedback(TList*)", cb)
    try:
        assert fresh_proof.Process("TPySelector", n, "pyidx fb=hidx") == 0
    finally:
        fresh_proof.Disconnect("Feedback(TList*)", cb)
        fresh_proof.DeleteParameters("SlowSel_N")
        fresh_proof.DeleteParameters("PROOF_FeedbackPeriod")
    assert len(seen) >= 2 and seen == sorted(seen) and seen[0] < seen[-1] <= n, seen
    h = fresh_proof.GetOutput("hidx")
    assert [h.GetBinContent(b) for b in range(1, n + 1)] == [1.0] * n
