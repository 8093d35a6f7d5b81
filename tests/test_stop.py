"""Stopping and aborting queries: real SIGINT sent to the process group of a real legacy driver
(as a terminal's Ctrl-C does), and StopProcess called from another thread."""
from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
from conftest import HERE, finish_driver, selector_path, start_driver

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
    out, err = _finish(proc, lines)
    assert proc.returncode == 0, err
    m = re.search(r"RC (-?\d+) N (\d+)", out)
    assert m and int(m[1]) == 0, out + err
    n = int(m[2])
    assert 0 < n < 60000, "stopped part-way"
    assert f"processing was stopped - {n} events processed" in out
    assert f"{SELECTORS[kind][1]}::Terminate n_processed={n}" in out, "Terminate saw the merged partial outputs"
    assert "SECOND 0 50" in out, "the session works after the stop (its workers survived Ctrl-C)"


@pytest.mark.parametrize("kind", SELECTORS)
def test_second_ctrl_c_aborts_quickly(kind):
    proc, lines = _start(kind)
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.time()
    out, err = _finish(proc, lines)
    assert proc.returncode == 0, err
    m = re.search(r"RC (-?\d+) N (-?\d+) AT ([\d.]+)", out)
    assert m and int(m[1]) == -1, out + err
    assert float(m[3]) - sent < 3.0, "Process returned within a few seconds of the abort"
    aborted_part = out.split("PROCESSING", 1)[1].split("RC ", 1)[0]
    assert f"{SELECTORS[kind][1]}::Terminate" not in aborted_part, "no Terminate for an aborted query"
    assert "SECOND 0 50" in out


def test_stop_process_from_another_thread(ROOT, fresh_proof, capfd):
    assert fresh_proof.Process(SLOW, 50) == 0
    timer = threading.Timer(2.0, lambda: fresh_proof.StopProcess(False))
    timer.start()
    try:
        assert fresh_proof.Process(SLOW, 60000) == 0
    finally:
        timer.cancel()
    n = fresh_proof.GetOutputList().FindObject("n_processed").GetVal()
    assert 0 < n < 60000
    assert f"SlowSel::Terminate n_processed={n}" in capfd.readouterr().out
    qr = fresh_proof.GetQueryResult()
    assert qr.GetEntries() == n
    timer = threading.Timer(2.0, lambda: fresh_proof.StopProcess(True))
    timer.start()
    try:
        assert fresh_proof.Process(SLOW, 60000) == -1
    finally:
        timer.cancel()
    assert fresh_proof.Process(SLOW, 50) == 0
    assert fresh_proof.GetOutputList().FindObject("n_processed").GetVal() == 50
