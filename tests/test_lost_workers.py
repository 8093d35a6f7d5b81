"""A worker process killed (SIGKILL) in the middle of a query: its packets are processed again
elsewhere and every entry counts exactly once in the merged outputs."""
from __future__ import annotations

import os
import re
import signal
import time

import pytest
from conftest import HERE, finish_driver, selector_path, start_driver

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

SLOW = selector_path("SlowSel.C") + "+"
DRIVER = os.path.join(HERE, "scripts", "kill_driver.py")
N = 9000        # 1 ms each: about 4.5 s on 2 workers


@pytest.mark.parametrize("kill_after,victims,selector", [
    (0.5, "one", [SLOW]), (3.0, "one", [SLOW]), pytest.param(2.0, "all", [SLOW], marks=pytest.mark.smoke),
    (3.0, "one", ["TPySelector", "pyidx"])], ids=["0.5", "3.0", "2.0-all", "python-3.0"])
def test_killed_worker_loses_nothing_and_counts_nothing_twice(kill_after, victims, selector):
    """One worker killed: its work is redone by the other. Every worker killed at once: the query
    waits for the nanny's replacements and redoes everything lost on them."""
    proc, lines = start_driver([DRIVER, selector[0], str(N), *selector[1:]])
    pids = [int(p) for ln in lines if ln.startswith("PIDS") for p in ln.split()[1:]]
    assert pids, "".join(lines)
    time.sleep(kill_after)
    for pid in (pids if victims == "all" else pids[:1]):
        os.kill(pid, signal.SIGKILL)
    out, err = finish_driver(proc, lines)
    m = re.search(r"RC (-?\d+) ONCE (\d+) OTHER (\d+) ENTRIES (\d+)", out)
    assert m, out + err
    assert (int(m[1]), int(m[2]), int(m[3])) == (0, N, 0), out + err[-3000:]
    assert int(m[4]) == N, "the query's entry count leaves out the lost worker's redone work"
    assert "was lost" in err, "the kill was noticed (not a query that had already ended)"
    assert "took down" not in err, "workers killed together are not taken for a crash of the selector"
    if victims == "all":   # (the nanny may have replaced them before the client looked)
        assert err.count("was lost") >= 2, err[-3000:]
    assert "SECOND 0" in out


def test_selector_crashing_on_one_entry_fails_the_query_with_its_range(ROOT, fresh_proof, capfd):
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CrashSel_At", 3456)
    t0 = time.monotonic()
    assert fresh_proof.Process(selector_path("CrashSel.C") + "+", 20000) == -1
    assert time.monotonic() - t0 < 120
    err = capfd.readouterr().err
    line = next((ln for ln in err.splitlines() if "CrashSel.C+ took down 2 worker processes" in ln), "")
    ranges = [(int(a), int(b)) for a, b in re.findall(r"cycles (\d+)\.\.(\d+)", line)]
    assert any(a <= 3456 < b for a, b in ranges), err[-3000:]
    fresh_proof.DeleteParameters("CrashSel_At")
    # The session recovers: its workers were replaced and a query runs normally.
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("SlowSel_N", 300)
    assert fresh_proof.Process(SLOW, 300) == 0
    h = fresh_proof.GetOutputList().FindObject("hidx")
    assert [h.GetBinContent(b) for b in range(1, 301)] == [1] * 300


def test_workers_over_the_memory_limit_are_named_with_the_limit(monkeypatch):
    """proofshim.memory-limit sets the embedded cluster's per-worker limit; a selector that goes
    over it on one packet loses a worker to its nanny each time, and the error says so."""
    monkeypatch.setenv("DASK_PROOFSHIM__MEMORY_LIMIT", "1GiB")
    proc, lines = start_driver([DRIVER, selector_path("MemSel.C") + "+", "4000", "MemSel_At=1500",
                                "MemSel_MB=1400"])
    out, err = finish_driver(proc, lines)
    assert "RC -1" in out, out + err[-3000:]
    lost = re.findall(r"worker 0\.\d \((?:tcp|tls)://[\d.:]+\) was lost \(it used [\d.]+ GiB, over its memory limit of "
                      r"1\.00 GiB, and its nanny restarted it; raise proofshim\.memory-limit", err)
    assert lost, err[-3000:]
    m = re.search(r"took down 2 worker processes on the same data \(it used [\d.]+ GiB, over its memory limit "
                  r"of 1\.00 GiB.*: cycles (\d+)\.\.(\d+) \(the selector", err)
    assert m and int(m[1]) <= 1500 < int(m[2]), err[-3000:]
    assert "SECOND 0" in out, "the session goes on with the replaced workers"
