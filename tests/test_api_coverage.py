"""The API coverage table (docs/API.md) is kept true: every public method of the shim's PROOF
classes has a row, every row a method; its statuses are those of the registry of methods served in
Python (proofshim/face/methods.py); the no-effect and refused methods log exactly their row's line
and return PROOF's value; the rest of PROOF's TProof API works on real queries."""
from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys

import cxxhooks
import pytest
from conftest import file_collection, selector_path

from proofshim.face import methods

HERE = os.path.dirname(os.path.abspath(__file__))
API_MD = os.path.join(HERE, "..", "docs", "API.md")
CLASSES = ["TProof", "TDSet", "TDSetElement", "TProofOutputFile", "TProofServ", "TQueryResult", "TProofMgr",
           "TSlaveInfo"]
# What ClassDef writes into every class: not API.
CLASSDEF_GENERATED = {"Class", "Class_Name", "Class_Version", "Dictionary", "IsA", "ShowMembers", "Streamer",
                      "StreamerNVirtual", "DeclFileName", "DeclFileLine", "ImplFileName", "ImplFileLine",
                      "CheckTObjectHashConsistency"}
STATUSES = {"supported", "no effect", "refused", "internal"}


def parse_table(text: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{class: {method: (status, what happens)}} from the markdown: '## Class' then '| `M` | s | t |'."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^## (\w+)\s*$", line)
        if m:
            current = table.setdefault(m.group(1), {})
            continue
        m = re.match(r"^\| `(~?\w+)` \| ([a-z ]+) \| (.*) \|$", line)
        if m and current is not None:
            assert m.group(1) not in current, f"two rows for {m.group(1)} (overloads share one row)"
            current[m.group(1)] = (m.group(2).strip(), m.group(3).replace("\\|", "|"))
    return table


def test_parse_table_reads_rows_per_class():
    text = "## TProof\n\n| method | status | what happens |\n|---|---|---|\n| `Ping` | supported | 0 \\| -1 |\n" \
           "## TDSet\n| `Add` | refused | `Error ...` |\n"
    assert parse_table(text) == {"TProof": {"Ping": ("supported", "0 | -1")},
                                 "TDSet": {"Add": ("refused", "`Error ...`")}}


@pytest.fixture(scope="module")
def table():
    with open(API_MD) as fh:
        return parse_table(fh.read())


def public_methods(ROOT, cls: str) -> set[str]:
    """Names of the public methods the class itself declares (TClass), constructors, destructors,
    operator= and ClassDef's methods left out."""
    cl = ROOT.TClass.GetClass(cls)
    assert cl, f"class {cls} is not known"
    names = set()
    for m in cl.GetListOfMethods():
        name = str(m.GetName())
        if not (m.Property() & ROOT.kIsPublic) or name in CLASSDEF_GENERATED:
            continue
        if name in (cls, "~" + cls) or name.startswith("operator="):
            continue
        names.add(name)
    return names


def patched_methods(cls: str) -> set[str]:
    """Methods of a ROOT class proofshim patches or adds from Python (its journal); for TChain also
    Draw, which goes through the tree player."""
    from proofshim.face.patches import _journal

    found = {e.split(".", 1)[1] for e in _journal.entries() if e.startswith((f"setattr {cls}.", f"wrap {cls}."))}
    return found | ({"Draw"} if cls == "TChain" else set())


def tpyselector_methods() -> set[str]:
    """The methods pyroot's TPySelector (proofshim's Python class) defines over TSelector's."""
    from proofshim.worker.pyselector import tpyselector_class

    cls = tpyselector_class()
    return {k for k, v in vars(cls).items() if callable(v) and not k.startswith("_")}


def test_table_covers_exactly_the_public_methods(ROOT, table):
    import proofshim  # noqa: F401 - installs the shim, loads the library and patches TChain

    problems = []
    for cls in CLASSES + ["TChain", "TTree", "TPySelector"]:
        actual = (patched_methods(cls) if cls in ("TChain", "TTree") else
                  tpyselector_methods() if cls == "TPySelector" else public_methods(ROOT, cls))
        rows = table.get(cls, {})
        missing = sorted(actual - set(rows))
        gone = sorted(set(rows) - actual)
        if missing:
            problems.append(f"{cls}: methods missing from docs/API.md: {', '.join(missing)}")
        if gone:
            problems.append(f"{cls}: rows of docs/API.md for methods that do not exist: {', '.join(gone)}")
        bad = sorted(m for m, (status, _) in rows.items() if status not in STATUSES)
        if bad:
            problems.append(f"{cls}: rows with an unknown status: {', '.join(bad)}")
    assert not problems, "\n".join(problems)


def _line(m: methods.Method) -> str:
    """The line a no-effect or refused method logs, as ROOT's message handler writes it."""
    return f"{'Info' if m.status == methods.NO_EFFECT else 'Error'} in <{m.name}>: {m.message()}"


def test_no_effect_and_refused_rows_are_the_registrys(table):
    """A row is "no effect" or "refused" exactly when the registry says so, and shows its line."""
    rows = {f"{cls}::{m}": (status, text) for cls, ms in table.items() for m, (status, text) in ms.items()}
    notes = {m.name: m for m in methods.rows(methods.NOTE)}
    problems = []
    for where, (status, text) in sorted(rows.items()):
        if status in (methods.NO_EFFECT, methods.REFUSED) and where not in notes:
            problems.append(f"{where} is '{status}' in docs/API.md but has no such row in proofshim/face/methods.py")
    for where, m in sorted(notes.items()):
        status, text = rows.get(where, (None, None))
        if status != m.status:
            problems.append(f"{where} is '{m.status}' in proofshim/face/methods.py but '{status}' in docs/API.md")
        elif text != f"`{_line(m)}`":
            problems.append(f"{where}: docs/API.md shows {text}, the method logs `{_line(m)}`")
    assert not problems, "\n".join(problems)


def test_methods_served_in_python_are_documented_as_supported(table):
    """The C++ methods that hand a call to a supported row of the registry (ProofShim::CallHook or
    ObjectHook, read from the C++ sources) have a row, and it is not "no effect" or "refused"."""
    problems = []
    for (hook, name), calls in sorted(cxxhooks.sent().items()):
        if hook == methods.NOTE or (hook, name) not in methods.METHODS:
            continue   # tests/test_methods.py holds the C++ names to the registry
        assert methods.find(hook, name).status == methods.SUPPORTED
        for call in calls:
            cls, _, method = call.method.partition("::")
            if not cls:
                continue   # a free helper function of the C++ side, not API
            status = table.get(cls, {}).get(method, ("no row",))[0]
            if status not in ("supported", "internal"):
                problems.append(f"{call.method} ({call.where}) is served by the supported row {name!r} of "
                                f"proofshim/face/methods.py, but docs/API.md says '{status}'")
    assert not problems, "\n".join(problems)


# ---- every no-effect and refused TProof method, called on the shared session

def _calls(ROOT):
    """(Class::Method, call, PROOF's return value) for every such method; None for void."""
    null = ROOT.nullptr
    return [
        ("TProof::Touch", lambda p: p.Touch(), None),
        ("TProof::DisableGoAsyn", lambda p: p.DisableGoAsyn(), None),
        ("TProof::GoAsynchronous", lambda p: p.GoAsynchronous(), None),
        ("TProof::CleanupSession", lambda p: p.CleanupSession("some-tag"), 0),
        ("TProof::GetDataSetQuota", lambda p: p.GetDataSetQuota(), null),
        ("TProof::ShowDataSetQuota", lambda p: p.ShowDataSetQuota(), None),
        ("TProof::ShowDataSetCache", lambda p: p.ShowDataSetCache(), None),
        ("TProof::ClearDataSetCache", lambda p: p.ClearDataSetCache("x"), None),
        ("TProof::SetRealTimeLog", lambda p: p.SetRealTimeLog(True), None),
        ("TProof::GetMaxQueries", lambda p: p.GetMaxQueries(), None),
        ("TProof::SetMaxDrawQueries", lambda p: p.SetMaxDrawQueries(3), None),
        ("TProof::ResetProgressDialogStatus", lambda p: p.ResetProgressDialogStatus(), None),
        ("TProof::SetDrawFeedbackOption", lambda p: p.SetDrawFeedbackOption(null, "same"), None),
        ("TProof::DeleteDrawFeedback", lambda p: p.DeleteDrawFeedback(null), None),
        ("TProof::CreateDrawFeedback", lambda p: p.CreateDrawFeedback(), null),
        ("TProof::SetPrintProgress", lambda p: p.SetPrintProgress(null), None),
        ("TProof::SetProgressDialog", lambda p: p.SetProgressDialog(False), None),
        ("TProof::Archive", lambda p: p.Archive(1, "file:/tmp/x.root"), -1),
        ("TProof::UploadDataSet", lambda p: p.UploadDataSet("ds", "/tmp/*.root"), -1),
        ("TProof::UploadDataSetFromFile", lambda p: p.UploadDataSetFromFile("ds", "files.txt"), -1),
        ("TProof::RequestStagingDataSet", lambda p: p.RequestStagingDataSet("ds"), False),
        ("TProof::GetStagingStatusDataSet", lambda p: p.GetStagingStatusDataSet("ds"), null),
        ("TProof::ShowStagingStatusDataSet", lambda p: p.ShowStagingStatusDataSet("ds"), None),
        ("TProof::CancelStagingDataSet", lambda p: p.CancelStagingDataSet("ds"), False),
        ("TProof::ActivateWorker", lambda p: p.ActivateWorker("0.1"), -1),
        ("TProof::DeactivateWorker", lambda p: p.DeactivateWorker("0.1"), -1),
        ("TProof::LogViewer", lambda p: type(p).LogViewer(), None),
    ]


def test_each_no_effect_and_refused_method_logs_its_line_and_returns_proofs_value(ROOT, fresh_proof, capfd):
    calls = _calls(ROOT)
    tproof = {m.name for m in methods.rows(methods.NOTE) if m.name.startswith("TProof::")}
    assert {w for w, _, _ in calls} == tproof, "every TProof no-effect/refused method is called here"
    capfd.readouterr()
    for where, call, expected in calls:
        rc = call(fresh_proof)
        err = capfd.readouterr().err
        line = _line(methods.find(methods.NOTE, where))
        assert err.splitlines() == [line], f"{where} logged {err!r}"
        if expected is None:
            assert rc is None, where
        elif expected is ROOT.nullptr:
            assert not rc, f"{where} returned {rc!r}, PROOF returned 0"
        else:
            assert rc == expected, f"{where} returned {rc!r}, PROOF returned {expected!r}"
    assert fresh_proof.IsValid(), "the session is still usable"


# ---- the supported methods on real queries

@pytest.fixture()
def count_query(ROOT, fresh_proof, chain, total_entries):
    """run() processes every file with CountSel on the shared session; returns Process's value."""
    def run(option=""):
        fresh_proof.SetParameter("CountSel_NTotal", total_entries)
        c = chain()
        ROOT.SetOwnership(c, True)
        fresh_proof.AddChain(c)   # PROOF's way of tying a chain to this very session
        try:
            return c.Process(selector_path("CountSel.C") + "+", option)
        finally:
            fresh_proof.RemoveChain(c)
    return run


def test_queries_finalize_retrieve_remove_and_signal(ROOT, fresh_proof, count_query, total_entries, tmp_path,
                                                     capfd):
    idle_during = []

    def watch(total, done):
        idle_during.append(fresh_proof.IsIdle())

    fresh_proof.Connect("Progress(Long64_t,Long64_t)", watch)
    ROOT.gInterpreter.Declare("""
        struct ProofShimQrrRecorder { std::vector<std::string> refs;
          void Ready(const char *r) { refs.push_back(r); } };""")
    rec = ROOT.ProofShimQrrRecorder()
    assert fresh_proof.Connect("QueryResultReady(const char*)", "ProofShimQrrRecorder", rec, "Ready(const char*)")
    n0 = fresh_proof.GetNumberOfQueries()
    try:
        assert count_query() == 0
        first = fresh_proof.GetQueryResult()
        assert count_query("ASYN") == 0
        second = fresh_proof.GetQueryResult()
    finally:
        fresh_proof.Disconnect("QueryResultReady(const char*)", rec, "Ready(const char*)")
        assert fresh_proof.Disconnect("Progress(Long64_t,Long64_t)", watch)
    err = capfd.readouterr().err
    assert err.count("asynchronous queries run synchronously with proofshim") <= 1
    refs = [str(r) for r in rec.refs]
    assert refs == [str(first.GetTitle()), str(second.GetTitle())], "QueryResultReady once per query, with its ref"
    assert fresh_proof.IsIdle() and idle_during and not any(idle_during), "busy while running, idle after"

    assert fresh_proof.GetNumberOfQueries() == n0 + 2
    assert fresh_proof.GetListOfQueries().GetSize() == n0 + 2
    assert fresh_proof.GetSeqNum() == second.GetSeqNum() == first.GetSeqNum() + 1
    assert fresh_proof.GetStatus() == 0 and fresh_proof.GetRunStatus() == ROOT.TProof.kRunning
    assert fresh_proof.Finalize() == 0 and fresh_proof.Finalize(first.GetSeqNum()) == 0
    assert first.IsFinalized() and not first.IsArchived() and not first.IsDraw()
    assert first.Matches(str(first.GetTitle())) and not first.Matches(str(second.GetTitle()))
    assert fresh_proof.Finalize(str(first.GetTitle())) == 0
    assert fresh_proof.Finalize(99999) == -1
    assert "query #99999 not found" in capfd.readouterr().err
    assert fresh_proof.Retrieve(first.GetSeqNum()) == 0

    # Retrieve with a path saves the query result, outputs included.
    path = str(tmp_path / "q.root")
    assert fresh_proof.Retrieve(str(first.GetName()), path) == 0
    f = ROOT.TFile.Open(path)
    saved = f.Get(str(first.GetName()))
    assert saved and saved.GetEntries() == total_entries
    assert saved.GetOutputList().FindObject("hgid").GetEntries() == total_entries
    f.Close()

    # Statistics over the session's queries.
    assert fresh_proof.GetBytesRead() >= first.GetBytes() + second.GetBytes() > 0
    assert fresh_proof.GetCpuTime() >= first.GetUsedCPU() + second.GetUsedCPU() - 1e-3
    assert fresh_proof.GetRealTime() > 0
    names = fresh_proof.GetOutputNames()
    assert {"hgid", "hpx", "counter"} <= {str(o.GetName()) for o in names}

    # Remove: the query is gone, the current outputs stay, the next query archives properly.
    assert fresh_proof.Remove(second.GetSeqNum()) == 0
    assert fresh_proof.GetNumberOfQueries() == n0 + 1
    assert fresh_proof.GetOutputList().FindObject("hgid").GetEntries() == total_entries
    assert fresh_proof.Remove(99999) == -1
    capfd.readouterr()
    assert count_query() == 0
    assert first.GetOutputList().FindObject("hgid").GetEntries() == total_entries, "earlier outputs intact"


def test_session_information_and_manager(ROOT, fresh_proof, data_files, tmp_path):
    import getpass

    assert fresh_proof.Ping() == 0
    assert fresh_proof.IsParallel() and fresh_proof.GetParallel() == 2
    assert fresh_proof.GetUser() == getpass.getuser()
    assert str(fresh_proof.GetSessionTag()) in str(fresh_proof.GetWorkDir())
    assert fresh_proof.GetRemoteProtocol() == 36 and fresh_proof.GetPort() > 0
    assert fresh_proof.GetQueryMode() == ROOT.TProof.kSync and fresh_proof.GetQueryMode("ASYN") == ROOT.TProof.kAsync
    ROOT.gProof = ROOT.nullptr
    fresh_proof.cd()
    assert ROOT.gProof == fresh_proof
    mgr = fresh_proof.GetManager()
    assert mgr and mgr.GetSession() == fresh_proof and fresh_proof.GetManager() == mgr
    assert mgr.MatchUrl(fresh_proof.GetUrl()) and not mgr.MatchUrl("proof://elsewhere")
    mgr.SetMssUrl("root://mss//data")
    assert mgr.GetMssUrl() == "root://mss//data" and mgr.GetRemoteProtocol() == 36 and not mgr.IsProofd()
    fresh_proof.SetDataPoolUrl("root://pool//store")
    assert fresh_proof.GetDataPoolUrl() == "root://pool//store"
    total, ready = ctypes.c_longlong(-1), ctypes.c_longlong(-1)
    assert fresh_proof.IsDataReady(total, ready) and total.value == ready.value == 0

    dset = ROOT.TDSet("TTree", "T")
    dset.Add(data_files[1])
    header = fresh_proof.GetTreeHeader(dset)
    assert header and header.GetEntries() == 0 and header.GetBranch("trkpt")


def test_draw_queries_are_counted_once_per_draw(ROOT, fresh_proof, chain):
    c = chain()
    fresh_proof.AddChain(c)
    n0, q0 = fresh_proof.GetNumberOfDrawQueries(), fresh_proof.GetNumberOfQueries()
    assert c.Draw("px", "", "goff") > 0
    assert fresh_proof.GetNumberOfQueries() == q0 + 2, "automatic binning: limits, then filling"
    assert fresh_proof.GetNumberOfDrawQueries() == n0 + 1
    assert fresh_proof.GetQueryResult().IsDraw()
    fresh_proof.RemoveChain(c)
    assert c.Draw("px", "", "goff") > 0 and fresh_proof.GetNumberOfDrawQueries() == n0 + 1, "local again"


def test_workers_environment_rc_and_echo(ROOT, fresh_proof, capfd):
    assert fresh_proof.Getenv("HOME") == os.environ["HOME"]
    assert fresh_proof.Getenv("HOME", "0.1") == os.environ["HOME"]
    assert fresh_proof.Exec('gEnv->SetValue("ProofShimTest.Answer", 42)') == 0
    i = ctypes.c_int(0)
    assert fresh_proof.GetRC("ProofShimTest.Answer", i, "0.1") == 0 and i.value == 42
    assert fresh_proof.GetRC("ProofShimTest.NotThere", i) == -1
    assert not ROOT.TProofServ.IsActive(), "gProofServ is null on the client"
    capfd.readouterr()
    assert fresh_proof.Exec('TProofServ s; printf("srv %s %d %d\\n", s.GetPrefix(), s.GetProtocol(), '
                            '(int)(TProofServ::This() == gProofServ));') == 0
    assert capfd.readouterr().out.count("srv Wrk 36 1") == 2
    assert fresh_proof.Echo("hello workers") == 2
    out = capfd.readouterr().out
    assert "[0.0] hello workers" in out and "[0.1] hello workers" in out
    assert fresh_proof.Echo(ROOT.TNamed("echoed", "a named object")) == 2
    out = capfd.readouterr().out
    assert out.count("echoed") >= 2


def test_add_include_path_reaches_every_worker(ROOT, fresh_proof, tmp_path, capfd):
    inc = str(tmp_path / "inc")
    os.makedirs(inc)
    assert fresh_proof.AddIncludePath(inc) == 0
    capfd.readouterr()
    assert fresh_proof.Exec("cout << gSystem->GetIncludePath() << endl;") == 0
    lines = [ln for ln in capfd.readouterr().out.splitlines() if ln.startswith("[0.")]
    assert len([ln for ln in lines if inc in ln]) == 2, lines
    assert inc not in str(ROOT.gSystem.GetIncludePath()), "not on the client without onClient"
    assert fresh_proof.RemoveIncludePath(inc) == 0
    assert fresh_proof.Exec("cout << gSystem->GetIncludePath() << endl;") == 0
    assert inc not in capfd.readouterr().out
    lib = str(tmp_path / "lib")
    assert fresh_proof.AddDynamicPath(lib, True) == 0
    assert lib in str(ROOT.gSystem.GetDynamicPath())
    assert fresh_proof.RemoveDynamicPath(lib, True) == 0
    assert lib not in str(ROOT.gSystem.GetDynamicPath())


def test_cache_and_loaded_macros(ROOT, fresh_proof, count_query, capfd):
    assert count_query() == 0
    capfd.readouterr()
    fresh_proof.ShowCache(True)
    out = capfd.readouterr().out
    assert re.search(r"CountSel\.C\s+compiled", out), out
    assert fresh_proof.Load(selector_path("helper/Helper.C") + "+," + selector_path("helper/Extra.h")) == 0
    assert "Helper.C+" in [str(m.GetName()) for m in fresh_proof.GetLoadedMacros()]
    fresh_proof.ClearCache("NoSuchSelector*")
    assert "0 compiled selector/helper build(s) removed" in capfd.readouterr().err


def test_clear_cache_removes_matching_builds_only(monkeypatch, tmp_path):
    from proofshim.util import runtime
    from proofshim.plan import selector

    monkeypatch.setenv("PROOFSHIM_CACHE_DIR", str(tmp_path))
    top = tmp_path / "selectors" / runtime.library_digest()
    for digest, main in (("a1", "MySel.C"), ("b2", "Other.cxx")):
        (top / digest).mkdir(parents=True)
        (top / digest / main).write_text("// x\n")
        (top / digest / "MySel_h.so").write_text("")
    assert [(os.path.basename(b), m) for b, m, _ in selector.cache_entries()] == [("a1", "MySel.C"),
                                                                                  ("b2", "Other.cxx")]
    assert selector.clear_cache("MySel*") == 1
    assert [m for _, m, _ in selector.cache_entries()] == ["Other.cxx"]
    assert selector.clear_cache("") == 1 and selector.cache_entries() == []


def test_data_sets_find_show_verify_and_tree_name(ROOT, fresh_proof, data_files, tmp_path, capfd):
    import dask

    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        fc = file_collection(ROOT, data_files[:2] + [str(tmp_path / "missing.root")], tree="T")
        assert fresh_proof.RegisterDataSet("compat_ds", fc)
        assert fresh_proof.RegisterDataSet("other_ds", file_collection(ROOT, data_files[2:3]))
        names = [str(o.GetName()) for o in fresh_proof.FindDataSets("*compat*")]
        assert len(names) == 1 and names[0].endswith("/compat_ds")
        m = fresh_proof.GetDataSets()
        assert m.GetSize() == 2
        capfd.readouterr()
        fresh_proof.ShowDataSet("compat_ds")
        assert os.path.basename(data_files[1]) in capfd.readouterr().out
        assert fresh_proof.VerifyDataSet("compat_ds") == 1, "one file cannot be opened"
        ds = fresh_proof.GetDataSet("compat_ds")
        assert ds.GetTotalEntries("/T") == sum(e for e in (1, 2500))
        assert fresh_proof.SetDataSetTreeName("compat_ds", "Other") == 0
        assert str(fresh_proof.GetDataSet("compat_ds").GetDefaultTreeName()) == "/Other"
        assert fresh_proof.SetDataSetTreeName("no_such_ds", "T") == -1


def test_missing_files_and_produced_data(ROOT, fresh_proof, data_files, total_entries, capfd):
    fresh_proof.SetParameter("CountSel_NTotal", total_entries)
    dset = ROOT.TDSet("TTree", "T")
    for f in data_files[:2] + ["/nonexistent/compat_missing.root"]:
        dset.Add(f)
    assert fresh_proof.Process(dset, selector_path("CountSel.C") + "+") == 0
    missing = fresh_proof.GetMissingFiles()
    assert missing and missing.GetNFiles() == 1
    assert "compat_missing.root" in str(missing.GetList().First().GetCurrentUrl().GetUrl())
    capfd.readouterr()
    fresh_proof.ShowMissingFiles()
    assert "compat_missing.root" in capfd.readouterr().out

    # A file the session produced on the workers' host (where TProofOutputFile parts go).
    datadir = os.path.join(str(fresh_proof.GetWorkDir()), "data", "0.0")
    os.makedirs(datadir, exist_ok=True)
    with open(os.path.join(datadir, "compat_part.root"), "wb") as fh:
        fh.write(b"x" * 123)
    fresh_proof.ShowData()
    out = capfd.readouterr().out
    assert re.search(r"\[0\.\d\]\s+123\s+\S*compat_part\.root", out), out


def test_session_info_of_urls():
    from proofshim.face.session import _session_info
    from proofshim.cluster.url import ClusterSpec

    user, workdir, port = _session_info(ClusterSpec("scheduler", None, "tcp://h:8786", "proof://alice@master:1093"),
                                        "tag1", "tcp://h:8786")
    assert (user, port) == ("alice", 1093) and workdir.endswith(os.path.join("sessions", "tag1"))
    assert _session_info(ClusterSpec("local", 2, None, "lite://"), "t", "tcp://127.0.0.1:40123")[2] == 40123


def test_download_package(ROOT, fresh_proof, tmp_path):
    pkg_dir = os.path.join(HERE, "packages", "calib")
    assert fresh_proof.UploadPackage(pkg_dir) == 0
    assert fresh_proof.DownloadPackage("calib", str(tmp_path)) == 0
    from proofshim.face import session

    sess = session.get(fresh_proof)
    with open(tmp_path / "calib.par", "rb") as fh:
        assert fh.read() == sess.packages["calib"].data
    assert fresh_proof.DownloadPackage("nosuchpkg", str(tmp_path)) == -1


MACRO = r"""
#include "TProof.h"
#include "TProofMgr.h"
#include "TDSet.h"
#include "TChain.h"
#include "TQueryResult.h"
#include "TH1.h"
int compat_macro(const char *pattern, const char *selector, Long64_t ntotal)
{
   TProof *p = TProof::Open("workers=2");
   if (!p || p->Ping() != 0) return 10;
   p->SetParameter("CountSel_NTotal", ntotal);
   p->SetQueryMode(TProof::kAsync);
   if (p->GetQueryMode() != TProof::kAsync) return 11;
   p->SetRealTimeLog(kTRUE);
   TChain *c = new TChain("T");
   c->Add(pattern);
   p->AddChain(c);
   if (c->Process(selector) != 0) return 12;
   if (p->GetNumberOfQueries() != 1 || p->Finalize() != 0 || p->Retrieve(1) != 0) return 13;
   TList *names = p->GetOutputNames();
   if (!names->FindObject("hgid")) return 14;
   delete names;
   Long64_t tot = 0, ready = 0;
   if (!p->IsDataReady(tot, ready) || !p->IsIdle() || p->GetSeqNum() != 1) return 15;
   TString home = p->Getenv("HOME");
   if (home.IsNull()) return 16;
   Int_t rc = 0;
   if (p->GetRC("ProofShimMacro.NotDefined", rc) != -1) return 17;
   if (p->AddIncludePath(".") != 0) return 18;
   if (!p->GetManager() || p->GetManager()->GetSession() != p) return 19;
   if (p->Remove(1) != 0 || p->GetNumberOfQueries() != 0) return 20;
   if (p->ActivateWorker("0.0") != -1) return 21;
   p->GetStatistics(kTRUE);
   p->Detach();
   if (p->IsValid()) return 22;
   printf("compat_macro: all checks passed\n");
   return 0;
}
"""


def test_cxx_macro_calls_the_new_methods(data_files, total_entries, tmp_path):
    (tmp_path / "compat_macro.C").write_text(MACRO)
    pattern = os.path.join(os.path.dirname(data_files[0]), "data*.root")
    macro = f'compat_macro.C("{pattern}", "{selector_path("CountSel.C")}+", {total_entries})'
    res = subprocess.run([sys.executable, "-m", "proofshim", "run", macro], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, f"{res.stdout}\n{res.stderr}"
    assert "compat_macro: all checks passed" in res.stdout
    assert "Info in <TProof::SetRealTimeLog>: SetRealTimeLog() has no effect with proofshim" in res.stderr
    assert "Error in <TProof::ActivateWorker>: ActivateWorker() is not supported by proofshim" in res.stderr
    assert "asynchronous queries run synchronously with proofshim" in res.stderr
    assert "Total CPU time used (s)" in res.stdout
