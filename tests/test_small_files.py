"""Many small files (issue 15): packets that go through several files, files counted by the packet
that first reads them, and the entry cache. End to end on the shared session: real files, compiled
selectors, 2 dask workers. What users rely on: every entry exactly once, the merged histograms equal
to a one-process run, stops and aborts that end the query with exact counts, and a bad file among
hundreds skipped by name (or, strict, failing the query by name)."""
from __future__ import annotations

import contextlib
import logging
import random
import threading
import time

import pytest
from conftest import assert_hist_equal, local_run, outputs_by_name, selector_path

COUNT_SEL = selector_path("CountSel.C") + "+"
SLOW_SEL = selector_path("SlowTreeSel.C") + "+"
N_FILES = 200
EMPTY_AT = 57                       # one file without entries: skipped, listed in MissingFiles


def _sizes(n: int, seed: int, lo: int = 1, hi: int = 30) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(lo, hi) for _ in range(n)]


@pytest.fixture(scope="module")
def small(make_files, tmp_path_factory):
    sizes = _sizes(N_FILES, 15)
    sizes[EMPTY_AT] = 0
    return make_files(tmp_path_factory.mktemp("small"), sizes), sizes


def _set_ll(proof, name, value):
    proof.SetParameter.__overload__("const char*, Long64_t")(name, value)


def _chain(ROOT, files):
    c = ROOT.TChain("T")
    for f in files:
        c.Add(f)
    c.SetProof()
    return c


def _gid_counts(proof) -> list[int]:
    h = proof.GetOutput("hgid")
    assert h, "no 'hgid' in the output list"
    return [int(h.GetBinContent(b + 1)) for b in range(h.GetNbinsX())]


def _missing(proof) -> dict[str, str]:
    lst = proof.GetOutput("MissingFiles")
    return {str(fi.GetCurrentUrl().GetFile()): str(fi.GetTitle()) for fi in lst} if lst else {}


@contextlib.contextmanager
def _packet_log():
    """The client's per-packet debug records ("packet N (...) on worker: ...") during the block."""
    records, log = [], logging.getLogger("proofshim")

    class Keep(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("packet "):
                records.append(record)

    handler, level = Keep(logging.DEBUG), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def _errors(err: str) -> str:
    return "\n".join(ln for ln in err.splitlines() if ln.startswith(("Error in", "Warning in")))


@pytest.mark.parametrize("n_files", [N_FILES, 30], ids=["counted-by-packets", "counted-first"])
def test_many_small_files_every_entry_once_equal_to_one_process(ROOT, fresh_proof, small, n_files):
    """200 files (counted by their first packet) and 30 (counted before the query), twice each (the
    second time from the entry cache): each entry once, histograms as a plain TChain::Process."""
    files, sizes = small
    files, sizes = files[:n_files], sizes[:n_files]
    total = sum(sizes)
    _set_ll(fresh_proof, "CountSel_NTotal", total)
    sel, _, _ = local_run(ROOT, files, selector_path("CountSel.C") + "+")
    ref = outputs_by_name(sel.GetOutputList())
    nonempty = sum(1 for n in sizes if n)
    for attempt in ("first", "again"):
        with _packet_log() as packets:
            assert _chain(ROOT, files).Process(COUNT_SEL) == 0
        assert 0 < len(packets) < n_files / 2, f"{attempt}: packets go through several small files"
        out = outputs_by_name(fresh_proof.GetOutputList())
        assert _gid_counts(fresh_proof) == [1] * total, f"{attempt}: each entry exactly once"
        assert out["n_Process"].GetVal() == total
        assert fresh_proof.GetQueryResult().GetEntries() == total
        for name in ("hpx", "hpxpy", "prof"):
            assert_hist_equal(out[name], ref[name], f"{attempt}: {name}")
        # Init and Notify once for every file a worker reads (never for the empty one).
        assert out["n_Init"].GetVal() == out["n_Notify"].GetVal()
        assert nonempty <= out["n_Init"].GetVal() <= nonempty + 8
        if n_files > EMPTY_AT:
            assert _missing(fresh_proof) == {files[EMPTY_AT]: f"tree 'T' in file '{files[EMPTY_AT]}' has no entries"}
        else:
            assert _missing(fresh_proof) == {}


def test_kabortfile_in_one_of_many_small_files(ROOT, fresh_proof, small):
    """kAbortFile in file 120: the rest of that file is skipped, the packet goes on with its next
    files, every other entry exactly once."""
    files, sizes = small
    total = sum(sizes)
    first_gid = [sum(sizes[:i]) for i in range(len(sizes))]
    victim = 120
    while sizes[victim] < 3:
        victim += 1
    abort_at = first_gid[victim] + 1
    _set_ll(fresh_proof, "CountSel_NTotal", total)
    _set_ll(fresh_proof, "CountSel_AbortFileAt", abort_at)
    try:
        assert _chain(ROOT, files).Process(COUNT_SEL) == 0
    finally:
        fresh_proof.DeleteParameters("CountSel_AbortFileAt")
    counts = _gid_counts(fresh_proof)
    expected = [1] * total
    for g in range(abort_at + 1, first_gid[victim] + sizes[victim]):
        expected[g] = 0
    assert counts == expected, "the rest of the aborted file skipped, everything else exactly once"
    assert set(_missing(fresh_proof)) == {files[victim], files[EMPTY_AT]}


@pytest.fixture(scope="module")
def bad_in_the_middle(small, tmp_path_factory):
    files, sizes = small
    bad = str(tmp_path_factory.mktemp("badsmall") / "garbage.root")
    rng = random.Random(3)
    with open(bad, "wb") as fh:
        fh.write(bytes(rng.randrange(256) for _ in range(4000)))
    return files[:100] + [bad] + files[100:], bad


def test_bad_file_among_many_small_files_is_skipped_by_name(ROOT, fresh_proof, small, bad_in_the_middle, capfd):
    files, sizes = small
    chain_files, bad = bad_in_the_middle
    total = sum(sizes)
    reason = f"file '{bad}' is not a readable ROOT file (corrupt, truncated or not ROOT at all)"
    _set_ll(fresh_proof, "CountSel_NTotal", total)
    capfd.readouterr()
    assert _chain(ROOT, chain_files).Process(COUNT_SEL) == 0
    err = _errors(capfd.readouterr().err)
    assert f"Warning in <TProof>: {reason}: file skipped, listed in MissingFiles" in err
    assert "TFile::Init" not in err, "ROOT's own message is not repeated on top of the warning"
    assert _missing(fresh_proof)[bad] == reason
    assert _gid_counts(fresh_proof) == [1] * total, "every entry of the good files exactly once"
    assert fresh_proof.GetQueryResult().GetEntries() == total


def test_bad_file_among_many_small_files_fails_a_strict_query_by_name(ROOT, fresh_proof, small,
                                                                     bad_in_the_middle, capfd):
    files, sizes = small
    chain_files, bad = bad_in_the_middle
    chain_files = [f for f in chain_files if f != files[EMPTY_AT]]   # strict fails on the empty one too
    _set_ll(fresh_proof, "CountSel_NTotal", sum(sizes))
    _set_ll(fresh_proof, "PROOFSHIM_Strict", 1)
    capfd.readouterr()
    try:
        rc = _chain(ROOT, chain_files).Process(COUNT_SEL)
    finally:
        fresh_proof.DeleteParameters("PROOFSHIM_Strict")
    assert rc == -1
    err = _errors(capfd.readouterr().err)
    assert f"file '{bad}' is not a readable ROOT file" in err and "strict mode" in err, err
    # The session goes on: the good files, each entry once.
    assert _chain(ROOT, files).Process(COUNT_SEL) == 0
    assert _gid_counts(fresh_proof) == [1] * sum(sizes)


@pytest.fixture(scope="module")
def slow_files(make_files, tmp_path_factory):
    sizes = _sizes(300, 16, 30, 50)
    return make_files(tmp_path_factory.mktemp("slowsmall"), sizes), sizes


@pytest.mark.parametrize("abort", [False, True], ids=["stop", "abort"])
def test_stop_and_abort_in_the_middle_of_many_small_files(ROOT, fresh_proof, slow_files, small, abort):
    """StopProcess while packets go through several files: a stop keeps exactly what was processed
    (no entry twice, counts agree everywhere), an abort fails the query; the session goes on."""
    files, sizes = slow_files
    total = sum(sizes)                       # about 12,000 entries, 1 ms each: 6 s on 2 workers
    _set_ll(fresh_proof, "SlowTreeSel_NTotal", total)
    assert _chain(ROOT, files[:2]).Process(SLOW_SEL) == 0     # compiled, workers warm
    timer = threading.Timer(2.0, fresh_proof.StopProcess, (abort,))
    t0 = time.monotonic()
    timer.start()
    try:
        rc = _chain(ROOT, files).Process(SLOW_SEL)
    finally:
        timer.cancel()
    took = time.monotonic() - t0
    if abort:
        assert rc == -1
    else:
        assert rc == 0
        counts = _gid_counts(fresh_proof)
        n = fresh_proof.GetOutput("n_processed").GetVal()
        assert max(counts) <= 1, "no entry processed twice"
        assert sum(counts) == n == fresh_proof.GetQueryResult().GetEntries()
        assert 0 < n < total, f"stopped short of the end: {n} of {total} (query took {took:.1f} s)"
    small_files, small_sizes = small
    _set_ll(fresh_proof, "CountSel_NTotal", sum(small_sizes))
    assert _chain(ROOT, small_files).Process(COUNT_SEL) == 0
    assert _gid_counts(fresh_proof) == [1] * sum(small_sizes)


def test_python_selector_over_many_small_files(ROOT, fresh_proof, small, monkeypatch):
    """A TPySelector module (its runner has no compiled loop over pieces: one call per file of a
    packet) over the 200 files: each entry once, px as a one-process TTree::Draw, Init and Notify
    once per file a worker reads."""
    import os

    from conftest import HERE

    monkeypatch.syspath_prepend(os.path.join(HERE, "pyselectors"))
    files, sizes = small
    total, nonempty = sum(sizes), sum(1 for n in sizes if n)
    with _packet_log() as packets:
        assert _chain(ROOT, files).Process("TPySelector", "pycount#cut=0.5") == 0
    assert 0 < len(packets) < len(files) / 2, "packets go through several small files"
    out = outputs_by_name(fresh_proof.GetOutputList())
    hgid = out["hgid"]
    assert [int(hgid.GetBinContent(b + 1)) for b in range(total)] == [1] * total
    assert hgid.GetEntries() == total
    c = ROOT.TChain("T")
    for f in files:
        c.Add(f)
    ref = ROOT.TH1D("href_small_hpx", "px", 50, -4, 4)
    ref.SetDirectory(ROOT.gDirectory)
    c.Draw("px>>href_small_hpx", "px>0.5", "goff")
    ref.SetDirectory(ROOT.nullptr)
    assert_hist_equal(out["hpx"], ref, "hpx")
    assert out["calls_Process"].GetVal() == total
    assert out["calls_Init"].GetVal() == out["calls_Notify"].GetVal()
    assert nonempty <= out["calls_Init"].GetVal() <= nonempty + 8
    assert _missing(fresh_proof) == {files[EMPTY_AT]: f"tree 'T' in file '{files[EMPTY_AT]}' has no entries"}
