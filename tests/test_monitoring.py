"""Watching a query: the progress display and summary, Progress signals and Python callbacks,
feedback objects while the query runs, query statistics, and SetLogLevel."""
from __future__ import annotations

import io
import os
import re

import pytest

from conftest import selector_path

SLOW = selector_path("SlowSel.C") + "+"
COUNT = selector_path("CountSel.C") + "+"

_RECORDER = r"""
#include "TList.h"
#include "TH1.h"
#include "TProof.h"
#include <vector>
class ProofShimTestRecorder {
public:
   std::vector<Long64_t> fProcessed;
   std::vector<Int_t> fWorkers;
   std::vector<Double_t> fFeedbackEntries;
   Long64_t fStopAt = -1;
   void OnProgress(Long64_t total, Long64_t processed) {
      fProcessed.push_back(processed);
      if (fStopAt > 0 && processed >= fStopAt && gProof) gProof->StopProcess(kFALSE);
   }
   void OnProgress10(Long64_t, Long64_t, Long64_t, Float_t, Float_t, Float_t, Float_t, Int_t actw, Int_t, Float_t) {
      fWorkers.push_back(actw);
   }
   void OnFeedback(TList *objs) {
      TH1 *h = objs ? dynamic_cast<TH1 *>(objs->FindObject("hidx")) : nullptr;
      fFeedbackEntries.push_back(h ? h->GetEntries() : -1);
   }
};
"""


@pytest.fixture(scope="module")
def recorder_class(ROOT):
    ROOT.gInterpreter.Declare(_RECORDER)
    return ROOT.ProofShimTestRecorder


def _set_n(proof, n):
    proof.SetParameter.__overload__("const char*, Long64_t")("SlowSel_N", n)


def test_progress_reaches_python_callables_and_cxx_slots(ROOT, fresh_proof, chain, total_entries,
                                                          recorder_class):
    two, ten = [], []
    sig2 = "Progress(Long64_t,Long64_t)"
    sig10 = "Progress(Long64_t,Long64_t,Long64_t,Float_t,Float_t,Float_t,Float_t,Int_t,Int_t,Float_t)"
    on_two = lambda total, done: two.append((total, done))  # noqa: E731
    on_ten = lambda *values: ten.append(values)  # noqa: E731
    fresh_proof.Connect(sig2, on_two)
    fresh_proof.Connect(sig10, on_ten)
    rec = recorder_class()
    assert fresh_proof.Connect(sig2, "ProofShimTestRecorder", rec, "OnProgress(Long64_t,Long64_t)")
    try:
        c = chain()
        c.SetProof()
        assert c.Process(COUNT) == 0
    finally:
        assert fresh_proof.Disconnect(sig2, on_two) and fresh_proof.Disconnect(sig10, on_ten)
        fresh_proof.Disconnect(sig2, rec, "OnProgress(Long64_t,Long64_t)")
    assert two and two[-1] == (total_entries, total_entries)
    assert all(t == total_entries for t, _ in two)
    assert [d for _, d in two] == sorted(d for _, d in two), "processed never goes back"
    assert len(ten) == len(two) and all(len(v) == 10 for v in ten)
    total, done, nbytes = ten[-1][:3]
    assert (total, done) == (total_entries, total_entries) and nbytes > 0
    assert list(rec.fProcessed) == [d for _, d in two], "the C++ slot saw the same signals"
    assert _session(fresh_proof).progress_callbacks == []


def _session(proof):
    from proofshim.face import session

    return session.get(proof)


def test_cxx_progress_slot_can_stop_the_query(ROOT, fresh_proof, recorder_class):
    rec = recorder_class()
    rec.fStopAt = 500
    fresh_proof.Connect("Progress(Long64_t,Long64_t)", "ProofShimTestRecorder", rec,
                        "OnProgress(Long64_t,Long64_t)")
    try:
        assert fresh_proof.Process(SLOW, 20000) == 0
    finally:
        fresh_proof.Disconnect("Progress(Long64_t,Long64_t)", rec, "OnProgress(Long64_t,Long64_t)")
    n = fresh_proof.GetOutputList().FindObject("n_processed").GetVal()
    assert 500 <= n < 20000
    assert fresh_proof.GetQueryResult().GetStatus() == ROOT.TQueryResult.kStopped
    assert fresh_proof.Process(SLOW, 40) == 0, "the session goes on"


def test_feedback_objects_arrive_merged_and_grow(ROOT, fresh_proof, recorder_class):
    n = 3000
    _set_n(fresh_proof, n)
    fresh_proof.SetParameter("PROOF_FeedbackPeriod", 200)
    fresh_proof.AddFeedback("hidx")
    fresh_proof.AddFeedback("hidx")   # once only
    fresh_proof.AddFeedback("n_processed")
    assert [str(o.GetName()) for o in fresh_proof.GetFeedbackList()] == ["hidx", "n_processed"]
    fresh_proof.RemoveFeedback("n_processed")
    assert [str(o.GetName()) for o in fresh_proof.GetFeedbackList()] == ["hidx"]
    seen = []

    def on_feedback(objs):
        h = objs.FindObject("hidx")
        seen.append((h.GetEntries(), h.GetMaximum(), objs.GetSize()))

    dispatched = []
    dispatcher = ROOT.TPyDispatcher(lambda objs: dispatched.append(objs.FindObject("hidx").GetEntries()))
    rec = recorder_class()
    fresh_proof.Connect("Feedback(TList*)", on_feedback)
    fresh_proof.Connect("Feedback(TList*)", "TPyDispatcher", dispatcher, "Dispatch(TList*)")
    fresh_proof.Connect("Feedback(TList*)", "ProofShimTestRecorder", rec, "OnFeedback(TList*)")
    try:
        assert fresh_proof.Process(SLOW, n) == 0
    finally:
        fresh_proof.Disconnect("Feedback(TList*)", on_feedback)
        fresh_proof.Disconnect("Feedback(TList*)", dispatcher, "Dispatch(TList*)")
        fresh_proof.Disconnect("Feedback(TList*)", rec, "OnFeedback(TList*)")
        fresh_proof.ClearFeedback()
    assert fresh_proof.GetFeedbackList().GetSize() == 0
    entries = [e for e, _, _ in seen]
    assert len(entries) >= 3, f"feedback every 200 ms during a ~2 s query: {entries}"
    assert entries == sorted(entries) and entries[0] < entries[-1], "the objects grow"
    assert entries[0] < n and entries[-1] <= n
    assert all(m <= 1 for _, m, _ in seen), "merged across workers, no index counted twice"
    assert all(size == 1 for _, _, size in seen)
    assert dispatched == entries and list(rec.fFeedbackEntries) == entries
    assert fresh_proof.GetOutputList().FindObject("hidx").GetEntries() == n


def test_output_file_options_are_removed_and_said_to_be_unsupported(ROOT, fresh_proof, capfd):
    """of=/ds=/stf are PROOF's own tokens: the selector never sees them, and proofshim says that it
    does not save the outputs for them (instead of dropping them in silence)."""
    _set_n(fresh_proof, 100)
    capfd.readouterr()
    assert fresh_proof.Process(SLOW, 100, "of=saved.root ds=mine stf") == 0
    err = capfd.readouterr().err
    for token in ("outfile", "dataset", "savetofile"):
        assert f"option '{token}' is removed" in err, err
    assert fresh_proof.GetOutputList().FindObject("hidx").GetEntries() == 100, "the outputs stay"
    assert not os.path.exists("saved.root")


def test_feedback_option_in_the_process_call(ROOT, fresh_proof):
    _set_n(fresh_proof, 1500)
    fresh_proof.SetParameter("PROOF_FeedbackPeriod", 150)
    seen = []
    cb = lambda objs: seen.append(objs.FindObject("hidx").GetEntries())  # noqa: E731
    fresh_proof.Connect("Feedback(TList*)", cb)
    try:
        assert fresh_proof.Process(SLOW, 1500, "fb=hidx") == 0
    finally:
        fresh_proof.Disconnect("Feedback(TList*)", cb)
    assert seen and seen == sorted(seen)
    assert fresh_proof.GetFeedbackList().GetSize() == 0, "fb= is for that query only"


def test_query_result_statistics(ROOT, fresh_proof, chain, total_entries, capfd):
    c = chain()
    c.SetProof()
    assert c.Process(COUNT) == 0
    qr = fresh_proof.GetQueryResult()
    assert qr.GetEntries() == total_entries
    assert qr.GetBytes() > 0
    assert qr.GetRealTime() >= qr.GetProcTime() > 0
    assert qr.GetInitTime() >= 0 and qr.GetUsedCPU() > 0
    assert qr.GetNumWrks() == 2
    per_worker = [qr.GetWorkerEntries(i) for i in range(qr.GetNumWrks())]
    assert sum(per_worker) == total_entries and all(n > 0 for n in per_worker)
    packets = [qr.GetWorkerPackets(i) for i in range(qr.GetNumWrks())]
    assert sum(packets) == qr.GetNumPackets() > 2
    assert all(qr.GetWorkerRate(i) > 0 for i in range(2))
    assert [str(qr.GetWorkerName(i)).split()[0] for i in range(2)] == ["0.0", "0.1"]
    capfd.readouterr()
    qr.Print("F")
    out = capfd.readouterr().out
    assert "packets" in out and f"{per_worker[0]} entries" in out


def test_progress_summary_and_live_display(ROOT, fresh_proof, monkeypatch, capfd):
    monkeypatch.setenv("PROOFSHIM_PROGRESS", "0")
    capfd.readouterr()
    assert fresh_proof.Process(SLOW, 300) == 0
    err = capfd.readouterr().err
    assert "\r" not in err, "no live display when stderr is not a terminal"
    assert re.search(r"\[TProof::Progress\] Total 300 events \|=+\| 100\.00 % \[[\d.]+ evts/s", err)
    assert re.search(r"Query processing time: [\d.]+ s", err)
    monkeypatch.setenv("PROOFSHIM_PROGRESS", "1")
    assert fresh_proof.Process(SLOW, 1500) == 0
    err = capfd.readouterr().err
    live = [part for part in err.split("\r") if part.startswith("[TProof::Progress]") and "/1500 events" in part]
    assert live, f"a live display when asked: {err!r}"
    assert "workers" in live[-1] and "MB/s" in live[-1]


def test_progress_display_unit():
    from proofshim.face.progress import Progress, progress_arity

    assert progress_arity("Progress(Long64_t,Long64_t)") == 2
    with pytest.raises(ValueError):
        progress_arity("Progress(Long64_t)")
    calls = []
    stream = io.StringIO()
    p = Progress(100, stream=stream, enabled=None, min_interval=0, callbacks=[(lambda *v: calls.append(v), 7)])
    assert not p.enabled, "a StringIO is not a terminal"
    p.update(40, 4_000_000, 2)
    p.update(100, 10_000_000, 2)
    p.close(100)
    assert [c[:3] for c in calls] == [(100, 40, 4_000_000), (100, 100, 10_000_000), (100, 100, 10_000_000)]
    assert all(len(c) == 7 for c in calls)
    assert "Total 100 events |====================| 100.00 %" in stream.getvalue()


def test_set_log_level_changes_what_proofshim_logs(ROOT, fresh_proof, capfd):
    try:
        fresh_proof.SetLogLevel(2)
        capfd.readouterr()
        assert fresh_proof.Process(SLOW, 100) == 0
        err = capfd.readouterr().err
        assert re.search(r"Debug in <TProof>: packet \d+ \(cycles \d+\.\.\d+\) on tls://", err)
        assert "Info in <TProof::Process>: worker 0." in err
        fresh_proof.SetLogLevel(1)
        assert fresh_proof.Process(SLOW, 100) == 0
        err = capfd.readouterr().err
        assert "Debug in" not in err and "Info in <TProof::Process>: worker 0." in err
    finally:
        fresh_proof.SetLogLevel(0)
    assert fresh_proof.GetLogLevel() == 0
    assert fresh_proof.Process(SLOW, 100) == 0
    err = capfd.readouterr().err
    assert "Debug in" not in err and "worker 0." not in err


def _labels(h):
    return [str(h.GetXaxis().GetBinLabel(b)) for b in range(1, h.GetNbinsX() + 1)]


def _events(ROOT, tree):
    out = []
    for i in range(int(tree.GetEntries())):
        tree.GetEntry(i)
        e = tree.PerfEvents
        out.append({"node": str(e.fEvtNode), "type": int(e.fType), "t": e.fTimeStamp.AsDouble(),
                    "slave": str(e.fSlave), "file": str(e.fFileName), "n": int(e.fEventsProcessed),
                    "start": bool(e.fIsStart), "latency": e.fLatency, "proc": e.fProcTime})
    return out


def test_performance_histograms_and_tree_from_the_query_statistics(ROOT, fresh_proof, chain, data_files,
                                                                   total_entries):
    """gEnv's Proof.StatsHist (runProof sets it) and PROOF_StatsTrace: PROOF's performance histograms
    and tree in the output list, from the statistics of the packets (they were ignored silently)."""
    ROOT.gEnv.SetValue("Proof.StatsHist", 1)
    fresh_proof.SetParameter("PROOF_StatsTrace", "")
    c = chain()
    c.SetProof()
    try:
        assert c.Process(COUNT) == 0
    finally:
        ROOT.gEnv.SetValue("Proof.StatsHist", 0)
    assert fresh_proof.GetInputList().FindObject("PROOF_StatsHist"), "TPerfStats::Setup left it there, as PROOF"
    qr = fresh_proof.GetQueryResult()
    out = fresh_proof.GetOutputList()
    events, packets = out.FindObject("PROOF_EventsHist"), out.FindObject("PROOF_PacketsHist")
    assert events.ClassName() == "TH1D" and events.GetTitle() == "Events processed per Worker"
    assert _labels(events) == ["0.0", "0.1"], "one bin per worker, labelled with its ordinal"
    per_worker = {str(qr.GetWorkerName(i)).split()[0]: qr.GetWorkerEntries(i) for i in range(qr.GetNumWrks())}
    assert [events.GetBinContent(b) for b in (1, 2)] == [per_worker["0.0"], per_worker["0.1"]]
    assert events.Integral() == total_entries
    n_packets = qr.GetNumPackets()
    assert packets.Integral() == n_packets and sorted(_labels(packets)) == ["0.0", "0.1"]
    for name in ("PROOF_LatencyHist", "PROOF_ProcTimeHist", "PROOF_CpuTimeHist"):
        h = out.FindObject(name)
        assert h.ClassName() == "TH2D" and h.GetEntries() == n_packets, name
        assert _labels(h)[:2] == ["0.0", "0.1"]
        assert h.GetBinContent(0, 0) == 0 and h.Integral() == n_packets, f"{name}: no negative time"
    cpu = out.FindObject("PROOF_CpuTimeHist")
    assert cpu.GetMean(2) * n_packets == pytest.approx(qr.GetUsedCPU(), rel=1e-3), "the packets' CPU times"
    assert out.FindObject("PROOF_ProcPcktHist").Integral() == 0, "no packet in flight at the end"
    nodes = out.FindObject("PROOF_NodeHist")
    assert nodes.Integral() == 0 and any(label.startswith("root://") for label in _labels(nodes))
    # The tree: kStart, every file read (start/stop), every packet, kStop, in time order.
    P = ROOT.TVirtualPerfStats
    evs = _events(ROOT, out.FindObject("PROOF_PerfStats"))
    assert evs[0]["type"] == P.kStart and evs[-1]["type"] == P.kStop
    assert [e["t"] for e in evs] == sorted(e["t"] for e in evs)
    pkts = [e for e in evs if e["type"] == P.kPacket]
    assert len(pkts) == n_packets and sum(e["n"] for e in pkts) == total_entries
    assert {e["file"] for e in pkts} == set(data_files) and all(e["proc"] > 0 for e in pkts)
    files = [e for e in evs if e["type"] == P.kFile]
    assert {e["file"] for e in files} == set(data_files)
    assert sum(1 for e in files if e["start"]) == sum(1 for e in files if not e["start"])
    fresh_proof.DeleteParameters("PROOF_Stats*")


def test_fb_stats_feeds_back_the_histograms_and_perftree_saves_them(ROOT, fresh_proof, tmp_path):
    """runProof's default option fb=stats: PROOF_EventsHist, PROOF_PacketsHist and PROOF_ProcPcktHist
    arrive through Feedback(TList*) while the query runs and are in the output; SetPerfTree writes the
    tree and histograms of the next query to its file (runProof's "perftree")."""
    n = 3000
    _set_n(fresh_proof, n)
    fresh_proof.SetParameter("PROOF_FeedbackPeriod", 100)
    seen = []

    def on_feedback(objs):
        names = sorted(str(o.GetName()) for o in objs)
        seen.append((names, objs.FindObject("PROOF_EventsHist").Integral()))

    fresh_proof.Connect("Feedback(TList*)", on_feedback)
    try:
        assert fresh_proof.Process(SLOW, n, "fb=stats") == 0
    finally:
        fresh_proof.Disconnect("Feedback(TList*)", on_feedback)
    assert len(seen) >= 2, f"feedback every 100 ms during a ~2 s query, and at its end: {seen}"
    assert all(names == ["PROOF_EventsHist", "PROOF_PacketsHist", "PROOF_ProcPcktHist"] for names, _ in seen)
    totals = [t for _, t in seen]
    assert totals == sorted(totals) and totals[0] < n and totals[-1] == n, "they grow, to every entry"
    assert fresh_proof.GetOutput("PROOF_EventsHist").Integral() == n
    assert fresh_proof.GetOutput("hidx").GetEntries() == n, "the selector's own output is untouched"
    assert not fresh_proof.GetInputList().FindObject("PROOF_StatsHist"), "fb=stats is for that query only"
    assert fresh_proof.GetFeedbackList().GetSize() == 0

    path = str(tmp_path / "perftree.root")
    fresh_proof.SetPerfTree(path, True)
    assert fresh_proof.GetInputList().FindObject("PROOF_SlaveStatsTrace")
    assert fresh_proof.Process(SLOW, 500) == 0
    qr = fresh_proof.GetQueryResult()
    f = ROOT.TFile(path)
    assert sorted(str(k.GetName()) for k in f.GetListOfKeys()) == sorted(
        ["PROOF_PerfStats", "PROOF_PacketsHist", "PROOF_EventsHist", "PROOF_NodeHist", "PROOF_LatencyHist",
         "PROOF_ProcTimeHist", "PROOF_CpuTimeHist"])
    evs = _events(ROOT, f.Get("PROOF_PerfStats"))
    P = ROOT.TVirtualPerfStats
    master = [e for e in evs if e["node"] == "0"]
    assert master[0]["type"] == P.kStart and master[-1]["type"] == P.kStop
    assert sum(e["n"] for e in master if e["type"] == P.kPacket) == 500
    workers = {e["node"] for e in evs if e["node"] != "0"}
    assert workers and all(sum(1 for e in evs if e["node"] == w and e["type"] == P.kStart) == 1 for w in workers)
    f.Close()
    # Saved once: SetPerfTree has to be called again for the next query (PROOF's rule).
    assert not fresh_proof.GetInputList().FindObject("PROOF_StatsTrace")
    os_path = tmp_path / "perftree.root"
    os_path.unlink()
    assert fresh_proof.Process(SLOW, 100) == 0
    assert not os_path.exists()
    # SavePerfTree of an earlier query, by reference.
    again = str(tmp_path / "again.root")
    assert fresh_proof.SavePerfTree(again, qr.GetTitle()) == 0
    assert ROOT.TFile(again).Get("PROOF_EventsHist").Integral() == 500
    assert fresh_proof.SavePerfTree(again, "nosuch:q99") == -1
