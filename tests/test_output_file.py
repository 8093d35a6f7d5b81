"""TProofOutputFile on real workers: parts written on the workers, fetched through dask and merged
into one file on the client (compared with a one-process run), data set mode, part-less workers."""
from __future__ import annotations

import glob
import os

import pytest
from conftest import assert_hist_equal, local_run, selector_path

POF_SEL = selector_path("PofSel.C") + "+"
NTP_SEL = selector_path("NtpSel.C") + "+"


def _inputs(ROOT, proof, **values):
    """PofSel's TNamed inputs on the session (and, returned, for a local run)."""
    objs = []
    for key, value in values.items():
        obj = ROOT.TNamed(f"PofSel_{key}", value)
        ROOT.SetOwnership(obj, False)
        proof.AddInput(obj)
        objs.append(ROOT.TNamed(f"PofSel_{key}", value))
    return objs


def _rows(ROOT, path):
    """The ntuple's rows, sorted (workers fill in another order than one process), and its entries."""
    f = ROOT.TFile.Open(path)
    t = f.Get("ntuple")
    if not t:
        f.Close()
        return []
    rows = []
    for _ in t:
        rows.append((t.gid, t.px, t.py, t.ntrk))
    f.Close()
    return sorted(rows)


def _hists(ROOT, path):
    f = ROOT.TFile.Open(path)
    out = {}
    for name in ("hpx", "sub/hntrk"):
        h = f.Get(name)
        assert h, f"{name} missing from {path}"
        h.SetDirectory(ROOT.nullptr)
        out[name] = h
    f.Close()
    return out


def _worker_parts(ROOT):
    """Part files still on the workers (they share this host and cache directory)."""
    from proofshim.util import runtime

    return glob.glob(os.path.join(runtime.cache_dir(), "sessions", "*", "data", "*", "q*", "PofSel.root"))


def test_merge_mode_matches_a_one_process_run(ROOT, fresh_proof, chain, data_files, tmp_path,
                                              monkeypatch, total_entries):
    local_dir, proof_dir = tmp_path / "local", tmp_path / "proof"
    local_dir.mkdir()
    proof_dir.mkdir()
    monkeypatch.chdir(local_dir)
    sel, _, _ = local_run(ROOT, data_files, POF_SEL)
    assert sel.GetOutputList().FindObject("PofSel_TerminateEntries").GetVal() == total_entries
    local_file = str(local_dir / "PofSel.root")

    monkeypatch.chdir(proof_dir)
    before = set(_worker_parts(ROOT))
    c = chain()
    c.SetProof()
    assert c.Process(POF_SEL) == 0
    merged = str(proof_dir / "PofSel.root")            # PROOF's default: the client's directory
    pof = fresh_proof.GetOutput("PofSel.root")
    assert pof and pof.IsMerge()
    assert pof.GetOutputFileName() == merged
    assert fresh_proof.GetOutput("PofSel_TerminateFile").GetTitle() == merged
    assert fresh_proof.GetOutput("PofSel_TerminateEntries").GetVal() == total_entries
    assert fresh_proof.GetOutput("PofSel_Written").GetVal() == total_entries

    assert _rows(ROOT, merged) == _rows(ROOT, local_file)
    local_h, proof_h = _hists(ROOT, local_file), _hists(ROOT, merged)
    for name in local_h:
        assert_hist_equal(proof_h[name], local_h[name], name)
    assert set(_worker_parts(ROOT)) <= before, "merged parts are deleted on the workers"


def test_cycle_driven_ntuple_to_a_chosen_file(ROOT, fresh_proof, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    n = 5000
    _inputs(ROOT, fresh_proof, Output="out/cycles.root")      # relative: the client's directory
    assert fresh_proof.Process(POF_SEL, n) == 0
    merged = str(tmp_path / "out" / "cycles.root")
    assert fresh_proof.GetOutput("PofSel.root").GetOutputFileName() == merged
    rows = _rows(ROOT, merged)
    assert [int(r[0]) for r in rows] == list(range(n))
    assert fresh_proof.GetOutput("PofSel_TerminateEntries").GetVal() == n
    assert _hists(ROOT, merged)["sub/hntrk"].GetEntries() == n
    assert not (tmp_path / "PofSel.root").exists()


def test_a_part_left_open_is_written_and_closed(ROOT, fresh_proof, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _inputs(ROOT, fresh_proof, NoClose="1")
    assert fresh_proof.Process(POF_SEL, 3000) == 0
    assert [int(r[0]) for r in _rows(ROOT, str(tmp_path / "PofSel.root"))] == list(range(3000))
    assert _hists(ROOT, str(tmp_path / "PofSel.root"))["hpx"].GetEntries() == 3000


def test_dataset_mode_registers_and_processes(ROOT, fresh_proof, chain, tmp_path, monkeypatch,
                                              total_entries):
    import dask

    monkeypatch.chdir(tmp_path)
    _inputs(ROOT, fresh_proof, Mode="DRV", DataSet="pofds")
    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        c = chain()
        c.SetProof()
        assert c.Process(POF_SEL) == 0
        out = fresh_proof.GetOutputList()
        assert not out.FindObject("PofSel.root"), "the TProofOutputFile is replaced by the collection"
        fc = out.FindObject("pofds")
        assert fc and fc.InheritsFrom("TFileCollection")
        assert 1 <= fc.GetNFiles() <= 2
        assert fc.GetTotalEntries("/ntuple") == total_entries
        assert str(fc.GetDefaultTreeName()) == "/ntuple"
        for info in fc.GetList():
            assert os.path.exists(info.GetCurrentUrl().GetFile()), "data set parts stay on the workers"
        assert not (tmp_path / "PofSel.root").exists(), "nothing is merged in dataset mode"

        assert fresh_proof.ExistsDataSet("pofds")
        registered = fresh_proof.GetDataSet("pofds")
        assert registered.GetNFiles() == fc.GetNFiles() and registered.GetNCorruptFiles() == 0
        assert registered.GetTotalEntries("/ntuple") == total_entries
        fresh_proof.ClearInput()
        assert fresh_proof.Process("pofds", NTP_SEL) == 0
        assert fresh_proof.GetOutput("NtpSel_N").GetVal() == total_entries
        assert fresh_proof.GetOutput("NtpSel_SumGid").GetVal() == total_entries * (total_entries - 1) / 2

        # ClearData: a file the session produced that no data set lists goes; the data set's stay.
        parts = [str(info.GetCurrentUrl().GetFile()) for info in registered.GetList()]
        stray = os.path.join(os.path.dirname(parts[0]), "unregistered_part.root")
        with open(stray, "wb") as fh:
            fh.write(b"x")
        fresh_proof.ClearData()             # PROOF asks first; no terminal here: nothing removed
        assert os.path.exists(stray)
        fresh_proof.ClearData(ROOT.TProof.kUnregistered | ROOT.TProof.kForceClear)
        assert not os.path.exists(stray) and all(os.path.exists(p) for p in parts)
        fresh_proof.ClearData(ROOT.TProof.kDataset | ROOT.TProof.kForceClear, "pofds")
        assert not any(os.path.exists(p) for p in parts) and not fresh_proof.ExistsDataSet("pofds")


def test_empty_parts_are_skipped(ROOT, fresh_proof, chain, data_files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Worker 0.0 writes nothing into its file: its part holds no key and is left out of the merge.
    _inputs(ROOT, fresh_proof, SkipOrdinal="0.0")
    n = 20000
    assert fresh_proof.Process(POF_SEL, n) == 0
    written = fresh_proof.GetOutput("PofSel_Written").GetVal()
    assert written <= n
    assert fresh_proof.GetOutput("PofSel_TerminateEntries").GetVal() == written
    assert len(_rows(ROOT, str(tmp_path / "PofSel.root"))) == written

    # One worker only (SetParallel): a single part, nothing to merge with.
    fresh_proof.ClearInput()
    try:
        assert fresh_proof.SetParallel(1) == 1
        assert fresh_proof.Process(POF_SEL, 300) == 0
    finally:
        assert fresh_proof.SetParallel(-1) == 2
    assert [int(r[0]) for r in _rows(ROOT, str(tmp_path / "PofSel.root"))] == list(range(300))

    # A one-entry query: at most one worker gets a packet.
    c = chain(data_files[:1])
    c.SetProof()
    assert c.Process(POF_SEL) == 0
    assert [int(r[0]) for r in _rows(ROOT, str(tmp_path / "PofSel.root"))] == [0]


@pytest.mark.parametrize("args, merge, register, typeopt", [
    (("a.root",), True, False, 1),
    (("a.root", "L"), True, False, 2),
    (("a.root", "DRO", "ds"), False, True, 4 | 8 | 16),
    (("a.root", "DV"), False, True, 4 | 32),
    (("a.root", 2, 8 | 16, "ds"), False, True, 8 | 16),    # (path, kDataset, kRegister|kOverwrite, name)
    (("a.root", 1, 2), True, False, 2),                      # (path, kMerge, kLocal)
])
def test_options_as_proof_read_them(ROOT, fresh_proof, tmp_path, monkeypatch, args, merge, register, typeopt):
    monkeypatch.chdir(tmp_path)
    pof = ROOT.TProofOutputFile(*args)
    assert pof.GetName() == "a.root"
    assert pof.IsMerge() == merge and pof.IsRegister() == register and pof.GetTypeOpt() == typeopt
    assert pof.GetTitle() == (args[-1] if isinstance(args[-1], str) and len(args) > 2 else "a.root")
    assert pof.GetDir() == str(tmp_path), "outside PROOF the file goes to the working directory"
    assert not pof.IsRetrieve()
    pof.SetRetrieve()
    assert pof.IsRetrieve()
