"""Stopping and aborting queries: real SIGINT sent to the process group of a real legacy driver
(as a terminal's Ctrl-C does), and StopProcess called from another thread.

The long queries' packets last at least 20 s (PROOF_MinPacketTime), and each entry 1 ms: a stop
that did not reach the running packets would only end them after many seconds and thousands of
entries more, and workers left running abandoned packets would hold up the next query."""
from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
from conftest import HERE, finish_driver, selector_path, start_driver

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

SLOW = selector_path("SlowSel.C") + "+"
DRIVER = os.path.join(HERE, "scripts", "stop_driver.py")


# The compiled SlowSel, and its twin in Python (whose Process is Python code the stop must interrupt).
SELECTORS = {"compiled": ([SLOW], "SlowSel"), "python": (["TPySelector", "pyslowsel"], "PySlowSel")}


def _start(kind="compiled"):
    return start_driver([DRIVER, *SELECTORS[kind][0]])


def _finish(proc, lines):
    return finish_driver(proc, lines, timeout=120)


@pytest.mark.parametrize("kind", SELECTORS)
def test_first_ctrl_c_stops_softly_and_the_session_goes_on(kind):
    proc, lines = _start(kind)
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)     # the whole foreground group, workers' parent included
    sent = time.time()
    out, err = _finish(proc, lines)
    assert proc.returncode == 0, err
    m = re.search(r"RC (-?\d+) N (\d+) AT ([\d.]+)", out)
    assert m and int(m[1]) == 0, out + err
    n = int(m[2])
    # The running packets ended at their next entry: within a few seconds, far short of the
    # total (the packets in flight alone hold over 20,000 entries each).
    assert float(m[3]) - sent < 4.0, "Process returned within a few seconds of the Ctrl-C"
    assert 0 < n < 20000, f"stopped at once, not at the end of the running packets: {n}"
    assert f"processing was stopped - {n} events processed" in out
    assert f"{SELECTORS[kind][1]}::Terminate n_processed={n}" in out, "Terminate saw the merged partial outputs"
    assert "SECOND 0 50" in out, "the session works after the stop (its workers survived Ctrl-C)"


@pytest.mark.parametrize("kind", [pytest.param("compiled", marks=pytest.mark.smoke), "python"])
def test_second_ctrl_c_aborts_quickly_and_the_workers_are_free(kind):
    proc, lines = _start(kind)
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.time()
    out, err = _finish(proc, lines)
    assert proc.returncode == 0, err
    m = re.search(r"RC (-?\d+) N (-?\d+) AT ([\d.]+)", out)
    assert m and int(m[1]) == -1, out + err
    assert float(m[3]) - sent < 3.0, "Process returned within a few seconds of the abort"
    aborted_part = out.split("PROCESSING", 1)[1].split("RC ", 1)[0]
    assert f"{SELECTORS[kind][1]}::Terminate" not in aborted_part, "no Terminate for an aborted query"
    m2 = re.search(r"SECOND 0 50 TOOK ([\d.]+)", out)
    assert m2, out + err
    # The abandoned packets had over 15 s to go: the next query did not wait for them.
    assert float(m2[1]) < 8.0, f"the next query waited for abandoned packets: {m2[1]} s"


@pytest.mark.smoke
def test_stop_process_from_another_thread(ROOT, fresh_proof, capfd):
    assert fresh_proof.Process(SLOW, 50) == 0
    fresh_proof.SetParameter.__overload__("const char*, Double_t")("PROOF_MinPacketTime", 20.0)
    stopped_at = []

    def stop(abort):
        stopped_at.append(time.monotonic())
        fresh_proof.StopProcess(abort)

    timer = threading.Timer(2.0, stop, (False,))
    timer.start()
    try:
        assert fresh_proof.Process(SLOW, 60000) == 0
        returned = time.monotonic()
    finally:
        timer.cancel()
    n = fresh_proof.GetOutputList().FindObject("n_processed").GetVal()
    assert returned - stopped_at[0] < 4.0, "the running packets ended at their next entry"
    assert 0 < n < 20000, f"stopped well short of the packets' end: {n}"
    assert f"SlowSel::Terminate n_processed={n}" in capfd.readouterr().out
    qr = fresh_proof.GetQueryResult()
    assert qr.GetEntries() == n
    timer = threading.Timer(2.0, stop, (True,))
    timer.start()
    try:
        assert fresh_proof.Process(SLOW, 60000) == -1
        returned = time.monotonic()
    finally:
        timer.cancel()
        fresh_proof.DeleteParameters("PROOF_MinPacketTime")
    assert returned - stopped_at[1] < 4.0
    t0 = time.monotonic()
    assert fresh_proof.Process(SLOW, 50) == 0
    assert time.monotonic() - t0 < 8.0, "the workers were not still busy with the aborted packets"
    assert fresh_proof.GetOutputList().FindObject("n_processed").GetVal() == 50
