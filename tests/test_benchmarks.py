"""The benchmarks still run (benchmarks/README.md), each in a tiny configuration.

Speed is not asserted here (issue 15: a benchmark, not a timed test); what is asserted is that every
script finishes, every runner of its table ran, and the figures it reports are whole: every entry
processed once, histograms identical to the one-process run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(HERE), "benchmarks")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", os.path.join(BENCH, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(args, timeout=900):
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{args[0]} failed ({res.returncode}):\n{res.stdout[-4000:]}\n{res.stderr[-4000:]}"
    return res.stdout


@pytest.mark.smoke
def test_simulated_client_runs_every_packet(tmp_path, capsys):
    """simulate_client.py drives the real QueryRun and packetizer: every entry of the query is
    processed (simulate() raises otherwise) and every row of the curve and of the straggler table
    is printed."""
    sim = _load("simulate_client")
    out = tmp_path / "sim.json"
    assert sim.main(["--workers", "2", "10", "--packets-per-worker", "3", "--straggler-workers", "10", "--small-files", "300",
                     "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    res = json.loads(out.read_text())
    assert [r["workers"] for r in res["curve"]] == [2, 10]
    for r in res["curve"] + list(res["stragglers"].values()):
        assert r["packets"] > 0 and r["wall_s"] > 0 and r["capacity_per_s"] > 0
    assert "client capacity at 10 workers" in printed and "10 workers, speeds 1x-4x" in printed
    # Files counted by their first packet (as for chains of many small files) go through as well.
    r = sim.simulate([1000.0] * 3, [50] * 200, uncounted=True)
    assert r["entries"] == 10000 and r["packets"] < 200   # packets span several files


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    top = tmp_path_factory.mktemp("bench-data")
    main, small = str(top / "main"), str(top / "small")
    _run([os.path.join(BENCH, "make_data.py"), "--outdir", main, "--entries", "4000", "--files", "2"])
    _run([os.path.join(BENCH, "make_data.py"), "--outdir", small, "--entries", "1000", "--files", "20", "--jobs", "1"])
    return main, small


@pytest.mark.slow
def test_run_benchmark_tiny(tiny_data, tmp_path):
    """Every row of run_benchmark's table, on both data sets: one process, the limit,
    TTreeProcessorMP, proofshim (with its client memory on the small files), distributed
    RDataFrame, the Python selector; all histograms identical to the one-process runs."""
    main, small = tiny_data
    out = tmp_path / "bench.json"
    _run([os.path.join(BENCH, "run_benchmark.py"), "--data", main, "--small-data", small, "--many-data", "none",
          "--repeat", "1", "--py-entries", "300", "--json", str(out)])
    res = json.loads(out.read_text())
    runners = res["runners"]
    for key in ("plain", "limit", "mp", "shim", "rdf", "small:plain", "small:limit", "small:mp", "small:shim",
                "py_plain", "py_limit", "py_shim"):
        assert runners[key]["ok"], (key, runners[key].get("error"))
    assert res["consistent"] and not res["mismatches"]
    assert runners["small:shim"]["client_traced_peak_mb"] > 0
    assert runners["rdf"]["hists"]["hpt"]["entries"] == 4000


@pytest.mark.slow
def test_straggler_and_many_files_tiny(tiny_data, tmp_path):
    """straggler.py: both queries count every entry once and each worker reports its share;
    many_files.py: a row per number of files, each with proofshim's time and client memory."""
    main, small = tiny_data
    out = tmp_path / "straggler.json"
    _run([os.path.join(BENCH, "straggler.py"), "--data", main, "--entries", "2000", "--repeat", "1",
          "--json", str(out)])
    res = json.loads(out.read_text())
    for case in ("equal", "straggler"):
        split = res["cases"][case]["split"]
        assert sorted(split) == ["0.0", "0.1"] and sum(split.values()) == 2000
    out = tmp_path / "many.json"
    _run([os.path.join(BENCH, "many_files.py"), "--data", small, "--files", "10", "20", "--repeat", "1",
          "--json", str(out)])
    rows = json.loads(out.read_text())
    assert [r["files"] for r in rows] == [10, 20]
    assert all(r["ok"] and r["shim_s"] and r["traced_mb"] for r in rows)


@pytest.mark.slow
def test_paired_limit_tiny(tiny_data, tmp_path):
    """paired_limit.py: each round runs the limit, TTreeProcessorMP and proofshim once, in a
    rotating order; every run counted every entry (the script exits 1 otherwise) and the shares
    are each round's limit time over the runner's."""
    main, _ = tiny_data
    out = tmp_path / "paired.json"
    printed = _run([os.path.join(BENCH, "paired_limit.py"), "--data", main, "--rounds", "3", "--json", str(out)])
    res = json.loads(out.read_text())
    assert res["entries"] == 4000 and len(res["rounds"]) == 3
    for r in res["rounds"]:
        assert not any(k.endswith("_entries") for k in r), r
        for name in ("shim", "mp"):
            assert r[name + "_share"] == pytest.approx(r["limit_s"] / r[name + "_s"])
    assert "proofshim's share of the limit: median" in printed and "TTreeProcessorMP's share" in printed


@pytest.mark.slow
def test_session_overhead_tiny(tmp_path):
    """session_overhead.py with one run: the warm-query figures and the start-up table (imports,
    Open, warm query, a cold first query that compiles BenchSel in an empty selector cache)."""
    out = tmp_path / "overhead.json"
    _run([os.path.join(BENCH, "session_overhead.py"), "--runs", "1", "--queries", "1", "--json", str(out)])
    res = json.loads(out.read_text())
    assert len(res["runs"]) == 1
    whats = [r["what"] for r in res["startup_rows"]]
    assert any(w.startswith("import proofshim") for w in whats) and "cold first query - compile time" in whats
    # Open returning early must not hide its cost: the time to the first query's result is reported.
    assert "Open's start to the first query's result" in whats
    assert res["runs"][0]["open_first_s"] >= res["runs"][0]["open_s"] > 0
    assert res["startup"]["compile_s"][0] > 0 and res["startup"]["cold_s"][0] > 0
