"""A session whose external dask scheduler dies: one clear line within the connect timeout (no
traceback, no "worker lost" warnings, no "took over 300 s"), every later call says the session is
gone (Process returns -1), Close works, and new sessions open as usual. The scheduler is a real
`dask scheduler` process that the test kills, before a query and during one."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from conftest import selector_path
from test_remote_cluster import DaskCluster

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

CONNECT_TIMEOUT = 8
GONE = "the session is gone: its dask scheduler at"


@pytest.fixture()
def doomed_cluster(tmp_path, ROOT, proof):
    """A scheduler and one worker started with dask's CLI (the client's compile cache: same host)."""
    from proofshim.util import runtime

    cluster = DaskCluster(str(tmp_path / "cluster"), runtime.cache_dir())
    try:
        cluster.start(1)
        yield cluster
    finally:
        cluster.stop()
        ROOT.gProof = proof


def _kill_scheduler(cluster) -> float:
    os.killpg(cluster.procs[0].pid, signal.SIGKILL)
    cluster.procs[0].wait(10)
    return time.monotonic()


def _only_the_gone_line(err: str, method: str = "TProof::Process") -> None:
    # Not counted: the progress bar, the selector's compile announcement on a new host, and the
    # note that its class is loaded already (an earlier test of this process compiled it).
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[TProof::Progress]")
             and not ln.startswith("Info in <TProof::Process>: compiling ")
             and not (ln.startswith("Info in <TProof>: using the class ") and "already loaded" in ln)]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error in <{method}>: {GONE}"), err
    assert f"within {CONNECT_TIMEOUT} s (proofshim.connect-timeout)" in lines[0]


def _later_calls_say_the_session_is_gone(ROOT, other, chain, capfd, proof):
    t0 = time.monotonic()
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+") == -1
    assert time.monotonic() - t0 < 5, "a known-dead session fails at once"
    _only_the_gone_line(capfd.readouterr().err)
    assert other.Exec("1+1") == -1
    _only_the_gone_line(capfd.readouterr().err, "TProof::Exec")
    other.Print()
    _only_the_gone_line(capfd.readouterr().err, "TProof::Print")
    assert other.Ping() == -1
    other.Close()
    assert not other.IsValid()
    assert "Traceback" not in capfd.readouterr().err
    # New sessions open and work: one on the shared session's (live) cluster, and the shared one.
    from proofshim.face import session

    again = ROOT.TProof.Open(session.get(proof).executor.address)
    assert again and again.IsValid()
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+", "", 100) == 0
    assert again.GetOutput("n_ProcessCut").GetVal() == 100
    again.Close()


def test_scheduler_dead_before_a_query(ROOT, proof, chain, doomed_cluster, capfd, total_entries):
    import dask

    with dask.config.set({"proofshim.connect-timeout": CONNECT_TIMEOUT}):
        other = ROOT.TProof.Open(doomed_cluster.address)
        assert other and other.IsValid()
        c = chain()
        c.SetProof()
        assert c.Process(selector_path("V0Sel.C") + "+") == 0
        assert other.GetOutput("n_ProcessCut").GetVal() == total_entries
        capfd.readouterr()
        killed = _kill_scheduler(doomed_cluster)
        time.sleep(1)
        c = chain()
        c.SetProof()
        assert c.Process(selector_path("V0Sel.C") + "+") == -1
        assert time.monotonic() - killed < CONNECT_TIMEOUT + 10
        _only_the_gone_line(capfd.readouterr().err)
        _later_calls_say_the_session_is_gone(ROOT, other, chain, capfd, proof)


def test_scheduler_dying_during_a_query(ROOT, proof, chain, doomed_cluster, capfd):
    import dask

    with dask.config.set({"proofshim.connect-timeout": CONNECT_TIMEOUT}):
        other = ROOT.TProof.Open(doomed_cluster.address)
        assert other and other.IsValid()
        killed: list[float] = []

        def on_progress(total, done):
            if done > 0 and not killed:   # the query is running on the worker: kill the scheduler
                killed.append(0.0)
                threading.Thread(target=lambda: killed.__setitem__(0, _kill_scheduler(doomed_cluster))).start()

        other.Connect("Progress(Long64_t,Long64_t)", on_progress)
        capfd.readouterr()
        rc = other.Process(selector_path("SlowSel.C") + "+", 60000)   # a minute of 1 ms cycles
        ended = time.monotonic()
        assert rc == -1
        assert killed and killed[0] > 0, "the scheduler was not killed during the query"
        assert ended - killed[0] < CONNECT_TIMEOUT + 10, "the failure is reported within the timeout"
        err = capfd.readouterr().err
        assert "was lost" not in err and "took over" not in err and "Traceback" not in err, err
        _only_the_gone_line(err)
        _later_calls_say_the_session_is_gone(ROOT, other, chain, capfd, proof)
