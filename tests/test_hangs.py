"""Hung selectors and stopped workers (issue 13, item 3), on the session's real workers: within
seconds the user is told which worker and which packet does not progress; an abort frees the
session (workers stuck in user code are restarted by their nanny) and the next query runs; the
packet time limit fails the query naming the packet. Also PROOF's rule that every worker of a
query runs SlaveBegin and SlaveTerminate once, packets or not."""
from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
from conftest import outputs_by_name, selector_path

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

HANG = selector_path("HangSel.C") + "+"
WORKER = r"worker 0\.\d \((?:tcp|tls)://[\d.]+:\d+\)"


@pytest.fixture()
def quick_watch():
    import dask

    with dask.config.set({"proofshim.hang-warning": 2, "proofshim.abort-grace": 2}):
        yield


def _set_ll(proof, name, value):
    proof.SetParameter.__overload__("const char*, Long64_t")(name, value)


def _abort_after(proof, seconds):
    timer = threading.Timer(seconds, lambda: proof.StopProcess(True))
    timer.start()
    return timer


def _session_runs_again(proof):
    t0 = time.monotonic()
    assert proof.Process(HANG, 300) == 0
    out = outputs_by_name(proof.GetOutputList())
    assert out["n_processed"].GetVal() == 300
    assert out["n_SlaveBegin"].GetVal() == proof.GetParallel() == 2, "both workers (one replaced) take part"
    return time.monotonic() - t0


@pytest.mark.smoke
def test_every_worker_runs_slavebegin_and_slaveterminate_once(ROOT, fresh_proof):
    assert fresh_proof.Process(HANG, 1) == 0      # one cycle: one packet, for one worker only
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert out["n_processed"].GetVal() == 1
    assert out["n_SlaveBegin"].GetVal() == 2, "the worker without a packet ran SlaveBegin too"
    assert out["n_SlaveTerminate"].GetVal() == 2


@pytest.mark.smoke
def test_hung_selector_is_named_and_an_abort_frees_the_session(ROOT, fresh_proof, capfd, quick_watch):
    _set_ll(fresh_proof, "HangSel_At", 700)
    capfd.readouterr()
    timer = _abort_after(fresh_proof, 15)
    try:
        t0 = time.monotonic()
        assert fresh_proof.Process(HANG, 4000) == -1
        took = time.monotonic() - t0
    finally:
        timer.cancel()
        fresh_proof.DeleteParameters("HangSel_At")
    assert took < 90, f"the abort freed the session: {took:.0f} s"
    err = capfd.readouterr().err
    stalls = re.findall(WORKER + r" has processed no entry for \d+ s, in cycles \d+\.\.\d+ \(at entry 700\)", err)
    assert stalls, err[-3000:]
    assert len(stalls) <= 4, f"repeated sparingly (about 2, 4, 8 s of stall): {stalls}"
    assert re.search(WORKER + r" was restarted: its packet did not end within 2 s of the abort", err), err[-3000:]
    assert _session_runs_again(fresh_proof) < 60   # the hung packet never ends: any bound shows it is gone


def test_packet_time_limit_fails_the_query_naming_the_packet(ROOT, fresh_proof, capfd):
    import dask

    _set_ll(fresh_proof, "HangSel_At", 150)
    capfd.readouterr()
    try:
        with dask.config.set({"proofshim.packet-timeout": 4}):
            t0 = time.monotonic()
            assert fresh_proof.Process(HANG, 2000) == -1
            took = time.monotonic() - t0
    finally:
        fresh_proof.DeleteParameters("HangSel_At")
    err = capfd.readouterr().err
    assert re.search(r"cycles \d+\.\.\d+ \(at entry 150\) did not end within the packet time limit of 4 s "
                     r"\(proofshim.packet-timeout\): " + WORKER + r" has run it for \d+ s\. " + WORKER
                     + " was restarted", err), err[-3000:]
    assert took < 90
    assert _session_runs_again(fresh_proof) < 60   # the hung packet never ends: any bound shows it is gone


def test_stopped_worker_is_named_and_an_abort_frees_the_session(ROOT, fresh_proof, capfd, quick_watch):
    from proofshim.face import session

    assert fresh_proof.Process(HANG, 10) == 0
    pids = session.get(fresh_proof).executor.client.run(os.getpid)
    addr, pid = sorted(pids.items())[0]
    capfd.readouterr()
    stopper = threading.Timer(1.5, os.kill, (pid, signal.SIGSTOP))
    stopper.start()
    timer = _abort_after(fresh_proof, 10)
    try:
        assert fresh_proof.Process(HANG, 8000) == -1
    finally:
        stopper.cancel()
        timer.cancel()
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    err = capfd.readouterr().err
    assert re.search(r"worker 0\.0 \(" + re.escape(addr) + r"\) has not answered for \d+ s \(stopped, e\.g\. by "
                     r"SIGSTOP, or overloaded\?\): its cycles \d+\.\.\d+ is not progressing", err), err[-3000:]
    assert re.search(r"worker 0\.0 \(" + re.escape(addr) + r"\) was restarted", err), err[-3000:]
    assert _session_runs_again(fresh_proof) < 60   # the hung packet never ends: any bound shows it is gone
