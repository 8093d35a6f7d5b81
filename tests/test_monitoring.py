"""Watching a query: the progress display and summary, Progress signals and Python callbacks,
feedback objects while the query runs, query statistics, and SetLogLevel."""
from __future__ import annotations

import io
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
    from proofshim import session

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
    from proofshim.progress import Progress, progress_arity

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
