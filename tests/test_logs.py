"""Worker logs (issue 5): what each worker prints during a query (the selector's printf, its
stderr, ROOT's messages) is captured per query and worker; ShowLog, GetLastLog, GetLog,
TQueryResult::GetLogFile and TProofMgr::GetSessionLogs give it back with the workers' ordinals;
a failing query's error shows the tail of the failing worker's log."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

from conftest import HERE, finish_driver, selector_path, start_driver

LOGSEL = selector_path("LogSel.C") + "+"
ORDINALS = ("0.0", "0.1")


def macro_lines(macro) -> list[str]:
    return [str(ln.GetName()) for ln in macro.GetListOfLines()] if macro else []


def by_worker(lines: list[str]) -> dict[str, list[str]]:
    """The lines under each "--- worker 0.N ..." header."""
    out: dict[str, list[str]] = {}
    current = None
    for ln in lines:
        m = re.match(r"--- worker (\S+) ", ln)
        if m:
            current = out.setdefault(m[1], [])
        elif ln.startswith("+++ "):
            current = None
        elif current is not None:
            current.append(ln)
    return out


def run_logsel(ROOT, proof, tag: str, n: int = 2000, **params) -> int:
    proof.SetParameter("LogSel_Tag", tag)
    for name, value in params.items():
        proof.SetParameter.__overload__("const char*, Long64_t")(f"LogSel_{name}", value)
    try:
        return proof.Process(LOGSEL, n)
    finally:
        proof.DeleteParameters("LogSel_*")


def test_captured_line_survives_a_crash(tmp_path):
    """C's stdout is line-buffered during a capture: a printed line is in the file even when the
    process dies right after (no flush, no exit handlers)."""
    path = tmp_path / "w" / "query-1.log"
    # workerlog alone, without `import proofshim` installing the shim (ROOT is not needed here).
    code = textwrap.dedent(f"""
        import ctypes, os, sys, types
        pkg = types.ModuleType("proofshim")
        pkg.__path__ = [{os.path.join(os.path.dirname(HERE), "proofshim")!r}]
        sys.modules["proofshim"] = pkg
        from proofshim.worker import logcapture
        libc = ctypes.CDLL(None)
        with logcapture.captured_to({str(path)!r}):
            libc.printf(b"printed before the crash\\n")
            os.kill(os.getpid(), 9)
    """)
    # PYTHONUNBUFFERED would make C's stdout unbuffered and hide a missing line-buffering.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=env, check=False)
    assert res.returncode == -9, res.stderr
    assert path.read_text() == "printed before the crash\n"
    assert "printed before the crash" not in res.stdout


def test_a_long_log_keeps_its_end(tmp_path, monkeypatch):
    from proofshim.worker import logcapture

    monkeypatch.setenv("PROOFSHIM_CACHE_DIR", str(tmp_path))
    path = logcapture.log_path("t-2", "0.0", 1)
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as fh:
        fh.writelines(f"line {i}\n" for i in range(1000))
    text = logcapture.read_logs("t-2", 1, max_bytes=100)["0.0"][1]
    first, *kept = text.splitlines()
    assert "bytes are left out" in first and path in first
    assert kept[-1] == "line 999" and kept[0].startswith("line ") and len(kept) < 15
    assert logcapture.read_logs("t-2", 1)["0.0"][1].splitlines()[0] == "line 0"


def test_remote_cluster_logs_are_read_by_a_worker_of_their_host(tmp_path, monkeypatch):
    """On a remote cluster the client cannot open the files: one live worker per host reads them
    (a real dask cluster, in-process here); a dead worker's host without live workers is named."""
    from types import SimpleNamespace

    from distributed import Client, LocalCluster

    from proofshim.worker import logcapture

    monkeypatch.setenv("PROOFSHIM_CACHE_DIR", str(tmp_path))
    path = logcapture.log_path("t-1", "0.1", 3)
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as fh:
        fh.write("hello from 0.1\n")
    gone = "tcp://10.255.0.9:4000"
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=":0") as cl, \
            Client(cl, set_as_default=False) as client:
        executor = SimpleNamespace(spec=SimpleNamespace(kind="remote"), client=client,
                                   workers=lambda: sorted(client.nthreads()))
        addr = executor.workers()[0]
        got = logcapture.collect(executor, "t-1", 3, {addr: "0.1", gone: "0.2"}, failing=[gone])
    assert list(got) == ["0.1", "0.2"]
    assert (got["0.1"].text, got["0.1"].where, got["0.1"].path) == ("hello from 0.1\n", addr, path)
    assert got["0.2"].text is None and "no live worker is left on its host 10.255.0.9" in got["0.2"].note


def test_query_log_has_each_workers_output_under_its_ordinal(ROOT, fresh_proof, capfd):
    assert run_logsel(ROOT, fresh_proof, "first") == 0
    assert fresh_proof.GetOutputList().FindObject("LogSel_N").GetVal() == 2000
    capfd.readouterr()
    lines = macro_lines(fresh_proof.GetLastLog())
    assert sum(ln.startswith("+++ query ") for ln in lines) == 1, lines   # one log per query
    workers = by_worker(lines)
    assert sorted(workers) == list(ORDINALS), lines
    processed = 0
    for o in ORDINALS:
        mine = workers[o]
        # stdout (printf), stderr and ROOT's error handler, each under the worker's own header
        for expected in (f"LogSel[{o}] SlaveBegin tag=first", f"LogSel[{o}] stderr line tag=first",
                         f"Warning in <LogSel::SlaveTerminate>: LogSel[{o}] ROOT warning tag=first"):
            assert expected in mine, (o, mine)
        ends = [re.match(rf"LogSel\[{o}\] SlaveTerminate processed=(\d+) tag=first$", ln) for ln in mine]
        assert sum(1 for m in ends if m) == 1, mine
        processed += next(int(m[1]) for m in ends if m)
        assert not any("LogSel[" in ln and f"LogSel[{o}]" not in ln for ln in mine), mine
    assert processed == 2000   # what the logs say each worker did adds up to the query
    # The query's TQueryResult keeps the same log.
    assert macro_lines(fresh_proof.GetQueryResult().GetLogFile()) == lines
    # ShowLog() prints what was not shown yet, then nothing is left unread (PROOF's offsets).
    fresh_proof.ShowLog()
    out = capfd.readouterr().out
    assert out.splitlines() == lines
    assert not fresh_proof.GetLastLog()
    # SendLogToWindow: ShowLog emits the lines through the LogMessage signal instead (a GUI's way).
    ROOT.gInterpreter.Declare("struct LogTestSink { std::vector<std::string> got; "
                              "void Got(const char *m, Bool_t) { got.push_back(m); } };")
    sink = ROOT.LogTestSink()
    assert fresh_proof.Connect("LogMessage(const char*,Bool_t)", "LogTestSink", sink, "Got(const char*,Bool_t)")
    fresh_proof.SendLogToWindow(True)
    try:
        fresh_proof.ShowLog(-2)
        fresh_proof.PutLog(fresh_proof.GetQueryResult())
    finally:
        fresh_proof.SendLogToWindow(False)
        fresh_proof.Disconnect("LogMessage(const char*,Bool_t)")
    assert [str(x) for x in sink.got] == lines + lines
    assert capfd.readouterr().out == ""


def test_second_query_has_its_own_log_and_earlier_ones_stay(ROOT, fresh_proof, capfd, tmp_path):
    assert run_logsel(ROOT, fresh_proof, "first") == 0
    first = fresh_proof.GetQueryResult().GetSeqNum()
    assert run_logsel(ROOT, fresh_proof, "second", n=1500) == 0
    second = fresh_proof.GetQueryResult()
    lines = macro_lines(fresh_proof.GetLastLog())
    text = "\n".join(lines)
    assert "tag=second" in text and "tag=first" not in text
    assert sorted(by_worker(lines)) == list(ORDINALS)
    assert lines != macro_lines(fresh_proof.GetQueryResult(str(first)).GetLogFile())
    capfd.readouterr()
    fresh_proof.ShowLog(first)                       # by number
    out = capfd.readouterr().out
    assert f"+++ query {first} " in out and "tag=first" in out and "tag=second" not in out
    fresh_proof.ShowLog(second.GetTitle())           # by reference "<tag>:qN"
    out = capfd.readouterr().out
    assert "tag=second" in out and "tag=first" not in out
    # Exec's output is printed at once and kept in the session's log as already shown.
    assert fresh_proof.Exec('printf("exec-logged %d\\n", 7)') == 0
    assert macro_lines(fresh_proof.GetLastLog()) == lines   # still the second query's, unread
    fresh_proof.ShowLog(0)                           # the whole session
    out = capfd.readouterr().out
    # (earlier tests' Exec output is in the shared session's log too: the last one is this test's)
    assert out.index("tag=first") < out.index("tag=second") < out.rindex("+++ Exec(")
    assert [ln for ln in out.splitlines() if ln == "exec-logged 7"] == ["exec-logged 7"] * 2, out
    # TProof::GetLog fills GetMacroLog(); GetManager()->GetSessionLogs() has one element per worker.
    fresh_proof.GetLog()
    got = "\n".join(macro_lines(fresh_proof.GetMacroLog()))
    assert "tag=first" in got and "tag=second" in got
    plog = fresh_proof.GetManager().GetSessionLogs()
    elems = {str(e.GetName()): macro_lines(e.GetMacro()) for e in plog.GetListOfLogs()}
    # The session's logs also keep workers that left it earlier (a worker lost and replaced in
    # an earlier test of the shared session): those never saw this test's queries.
    assert set(ORDINALS) <= set(elems), sorted(elems)
    for o in set(elems) - set(ORDINALS):
        assert not any("tag=second" in ln or "tag=first" in ln for ln in elems[o]), (o, elems[o])
    for o in ORDINALS:
        assert f"LogSel[{o}] SlaveBegin tag=second" in elems[o]
        assert not any(f"LogSel[{other}]" in ln for ln in elems[o] for other in ORDINALS if other != o)
    saved = tmp_path / "session.log"
    assert plog.Save("0.1", str(saved)) == 0
    assert "LogSel[0.1] SlaveBegin tag=second" in saved.read_text()
    assert "LogSel[0.0]" not in saved.read_text()


def test_failing_query_shows_the_failing_workers_log_tail(ROOT, fresh_proof, capfd):
    capfd.readouterr()
    assert run_logsel(ROOT, fresh_proof, "fail", n=3000, FailAt=1234) == -1
    err = capfd.readouterr().err
    m = re.search(r"Last lines of the log of worker (\S+) \(", err)
    assert m, err[-3000:]
    tail = err[m.end():].splitlines()
    assert f"  | LogSel[{m[1]}] about to fail at cycle 1234" in tail[:21], err[-3000:]
    assert "failed on cycles" in err and "LogSel failed on purpose" in err
    # The log of the failed query is kept too.
    assert "about to fail at cycle 1234" in "\n".join(macro_lines(fresh_proof.GetLastLog()))


def test_worker_output_does_not_reach_the_terminal_and_cxx_showlog_prints_it():
    proc, lines = start_driver([os.path.join(HERE, "scripts", "log_driver.py"), LOGSEL],
                               marker="AFTER-PROCESS")
    out, err = finish_driver(proc, lines)
    before, _, after = out.partition("AFTER-PROCESS")
    assert "RC 0" in after.splitlines()[0], out + err
    assert "LogSel[" not in before and "LogSel[" not in err, out + err   # not echoed as it ran
    for o in ORDINALS:
        assert f"LogSel[{o}] SlaveBegin tag=drv" in after, out + err   # ShowLog from C++
    assert "LASTLOG 0" in after   # ShowLog() marked it read, as PROOF's log offsets did


def test_crashing_worker_keeps_what_it_printed_in_the_error(ROOT, fresh_proof, capfd):
    """Last: both workers crash, the local cluster is restarted by the next query."""
    capfd.readouterr()
    assert run_logsel(ROOT, fresh_proof, "crash", n=3000, CrashAt=1500) == -1
    err = capfd.readouterr().err
    assert "took down 2 worker processes" in err, err[-3000:]
    # "worker 0.1 (tcp://...)," or, for a replacement that joined and crashed during the query, "worker 0.2,"
    tails = re.findall(r"Last lines of the log of worker ([^\s,]+)[ ,]", err)
    assert tails, err[-3000:]
    for o in tails:
        assert f"  | LogSel[{o}] about to crash at cycle 1500" in err, err[-3000:]
    assert run_logsel(ROOT, fresh_proof, "after", n=500) == 0


def test_a_worker_that_joined_during_the_query_is_named_with_its_address(tmp_path, monkeypatch):
    """A replacement worker takes the next ordinal (0.2 of two); its log's header and the failure
    note name its address, never "worker 0.2 ()"."""
    from types import SimpleNamespace

    from proofshim.worker import querylogs, logcapture

    monkeypatch.setenv("PROOFSHIM_CACHE_DIR", str(tmp_path))
    path = logcapture.log_path("t-3", "0.2", 1)
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as fh:
        fh.write("segmentation violation\n")
    ordinals = {"tls://127.0.0.1:1": "0.0", "tls://127.0.0.1:2": "0.1"}
    newcomer = "tls://127.0.0.1:3"
    current = [*ordinals, newcomer]
    executor = SimpleNamespace(spec=SimpleNamespace(kind="local"), workers=lambda: current)
    for failing in ([newcomer], []):
        got = logcapture.collect(executor, "t-3", 1, ordinals, failing=failing)
        assert got["0.2"].where == newcomer, failing
        note = querylogs.failure_note([got["0.2"]])
        assert f"worker 0.2 ({newcomer})" in note and "()" not in note
    # Unknown (two newcomers): no address rather than a wrong one, and no empty parentheses.
    current.append("tls://127.0.0.1:4")
    got = logcapture.collect(executor, "t-3", 1, ordinals)
    assert got["0.2"].where == "" and "()" not in querylogs.failure_note([got["0.2"]])
    assert got["0.2"].header() == f"--- worker 0.2 {path} ---"
