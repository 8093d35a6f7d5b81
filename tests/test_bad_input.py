"""Selector errors and bad input: each case gets a clear message and a defined result, and the
session keeps working afterwards (a good query right after counts every entry exactly once).

One test selector, ThrowSel.C, throws where the input parameter ThrowSel_Where says; it counts
entries by global id, so "exactly once" is checked entry by entry. The table "When things go wrong"
in docs/TROUBLESHOOTING.md lists these cases with the test of each.
"""
from __future__ import annotations

import os
import random
import shutil

import pytest
from conftest import FILE_SIZES, selector_path

from proofshim.plan import filecheck

THROW_SEL = selector_path("ThrowSel.C") + "+"
TOTAL = sum(FILE_SIZES)
FIRST_GID = [sum(FILE_SIZES[:i]) for i in range(len(FILE_SIZES))]   # first global id of each file


def _set_ll(proof, name, value):
    proof.SetParameter.__overload__("const char*, Long64_t")(name, value)


@pytest.fixture()
def tproof(fresh_proof):
    """The shared session, ThrowSel sized for the test data, no throw point."""
    _set_ll(fresh_proof, "ThrowSel_NTotal", TOTAL)
    yield fresh_proof
    fresh_proof.DeleteParameters("ThrowSel_Where")


def _gid_counts(proof) -> list[int]:
    hgid = proof.GetOutput("hgid")
    assert hgid, "no 'hgid' in the output list"
    return [int(hgid.GetBinContent(b + 1)) for b in range(hgid.GetNbinsX())]


def _expected_counts(files_used: list[int]) -> list[int]:
    """1 for every global id of the data files with these indices, 0 elsewhere."""
    out = [0] * TOTAL
    for i in files_used:
        out[FIRST_GID[i]:FIRST_GID[i] + FILE_SIZES[i]] = [1] * FILE_SIZES[i]
    return out


def _error_lines(err: str) -> str:
    return "\n".join(ln for ln in err.splitlines() if ln.startswith(("Error in", "Warning in")))


def _good_query_works(ROOT, proof, data_files):
    """The session is still usable: a query over all the test data counts each entry once."""
    proof.DeleteParameters("ThrowSel_Where")
    c = ROOT.TChain("T")
    for f in data_files:
        c.Add(f)
    c.SetProof()
    assert c.Process(THROW_SEL) == 0
    assert _gid_counts(proof) == [1] * TOTAL
    assert not proof.GetOutput("MissingFiles")


# ---- exceptions in the selector ---------------------------------------------------------------

# (where, what the error names): gid 5000 is entry 2499 of data2.root (gids 2501..9500).
WORKER_THROWS = [
    ("Process:5000", ["C++ exception in ThrowSel::Process(2499): ThrowSel: test exception at gid 5000",
                      "data2.root' tree 'T'", "(at entry 2499)"]),
    ("ProcessInt:5000", ["unknown C++ exception in ThrowSel::Process(2499)", "data2.root' tree 'T'"]),
    ("SlaveBegin", ["C++ exception in ThrowSel::SlaveBegin: ThrowSel: test exception in SlaveBegin"]),
    ("Init", ["C++ exception in ThrowSel::Init/Notify for tree 'T' of '",
              "ThrowSel: test exception in Init"]),
    ("SlaveTerminate", ["C++ exception in ThrowSel::SlaveTerminate: ThrowSel: test exception in SlaveTerminate",
                        "failed at the end of the query: on worker 0."]),
]


@pytest.mark.parametrize("where,names", WORKER_THROWS, ids=[w for w, _ in WORKER_THROWS])
def test_exception_on_the_workers_fails_the_query_with_where(ROOT, tproof, chain, data_files, capfd,
                                                             where, names):
    tproof.SetParameter("ThrowSel_Where", where)
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL) == -1
    err = _error_lines(capfd.readouterr().err)
    line = next((ln for ln in err.splitlines() if "Error in <TProof::Process>" in ln), "")
    assert "ThrowSel.C+" in line, err
    for name in names:
        assert name in line, err
    assert not tproof.GetOutput("hgid"), "a failed query leaves no partial outputs behind"
    _good_query_works(ROOT, tproof, data_files)


def test_exception_in_client_begin_processes_nothing(ROOT, tproof, chain, data_files, capfd):
    tproof.SetParameter("ThrowSel_Where", "Begin")
    queries = tproof.GetQueryResults().GetSize()
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL) == -1
    err = _error_lines(capfd.readouterr().err)
    assert ("Error in <TProof::Process>: selector ThrowSel.C+: C++ exception in ThrowSel::Begin: "
            "ThrowSel: test exception in Begin (on the client, before any entry was processed") in err
    assert tproof.GetOutputList().GetSize() == 0
    assert tproof.GetQueryResults().GetSize() == queries, "no query ran on the workers"
    _good_query_works(ROOT, tproof, data_files)


def test_exception_in_client_terminate_keeps_the_outputs(ROOT, tproof, chain, data_files, capfd):
    tproof.SetParameter("ThrowSel_Where", "Terminate")
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL) == -1
    err = _error_lines(capfd.readouterr().err)
    assert ("Error in <TProof::Process>: selector ThrowSel.C+: C++ exception in ThrowSel::Terminate: "
            f"ThrowSel: test exception in Terminate (on the client, after merging: the merged outputs "
            f"of the {TOTAL} entries processed are in the output list)") in err
    # The merged outputs, and what Terminate made before it threw, are in the output list.
    assert _gid_counts(tproof) == [1] * TOTAL
    assert tproof.GetOutput("made_by_Terminate")
    qr = tproof.GetQueryResult()
    assert qr.GetEntries() == TOTAL
    _good_query_works(ROOT, tproof, data_files)


# ---- files that cannot be processed --------------------------------------------------------------

@pytest.fixture(scope="module")
def bad_files(ROOT, make_files, data_files, tmp_path_factory):
    """One file per kind of trouble; the truncated one is a cut copy of data4.root."""
    d = tmp_path_factory.mktemp("bad")
    out = {"missing": str(d / "missing.root")}
    rng = random.Random(5)
    out["garbage"] = str(d / "garbage.root")
    with open(out["garbage"], "wb") as fh:
        fh.write(bytes(rng.randrange(256) for _ in range(5000)))
    out["truncated"] = str(d / "truncated.root")
    with open(data_files[4], "rb") as src, open(out["truncated"], "wb") as dst:
        dst.write(src.read()[: int(os.path.getsize(data_files[4]) * 0.6)])
    out["zero_bytes"] = str(d / "zero_bytes.root")
    open(out["zero_bytes"], "wb").close()
    out["tree_absent"] = str(d / "tree_absent.root")
    f = ROOT.TFile(out["tree_absent"], "RECREATE")
    ROOT.TNamed("info", "no tree here").Write()
    f.Close()
    out["no_entries"] = make_files(d / "empty", [0])[0]
    return out


BAD_KINDS = {
    "missing": "file '{f}' does not exist",
    "garbage": "file '{f}' is not a readable ROOT file (corrupt, truncated or not ROOT at all)",
    "truncated": "file '{f}' is not a readable ROOT file (corrupt, truncated or not ROOT at all)",
    "zero_bytes": "file '{f}' is not a readable ROOT file (corrupt, truncated or not ROOT at all)",
    "tree_absent": "tree 'T' not found in file '{f}'",
    "no_entries": "tree 'T' in file '{f}' has no entries",
}


def _chain_with(ROOT, data_files, bad, position=2):
    c = ROOT.TChain("T")
    files = list(data_files)
    files.insert(position, bad)
    for f in files:
        c.Add(f)
    c.SetProof()
    return c


def _missing_files(proof) -> dict[str, str]:
    lst = proof.GetOutput("MissingFiles")
    return {str(fi.GetCurrentUrl().GetFile()): str(fi.GetTitle()) for fi in lst} if lst else {}


@pytest.mark.parametrize("kind", list(BAD_KINDS))
def test_bad_file_is_skipped_warned_and_listed_in_missing_files(ROOT, tproof, data_files, bad_files,
                                                                capfd, kind):
    bad = bad_files[kind]
    reason = BAD_KINDS[kind].format(f=bad)
    c = _chain_with(ROOT, data_files, bad)
    capfd.readouterr()
    assert c.Process(THROW_SEL) == 0
    err = _error_lines(capfd.readouterr().err)
    # Said once, by proofshim: not also by ROOT's own TFile/TChain messages.
    assert err == f"Warning in <TProof>: {reason}: file skipped, listed in MissingFiles", err
    assert _missing_files(tproof) == {bad: reason}
    assert _gid_counts(tproof) == [1] * TOTAL, "every entry of the good files exactly once"
    assert tproof.GetQueryResult().GetEntries() == TOTAL


@pytest.mark.parametrize("how", ["dask-config", "parameter"])
def test_strict_mode_fails_instead_of_skipping(ROOT, tproof, data_files, bad_files, capfd, how):
    import dask

    c = _chain_with(ROOT, data_files, bad_files["missing"])
    capfd.readouterr()
    if how == "parameter":
        tproof.SetParameter("PROOFSHIM_Strict", 1)
        try:
            rc = c.Process(THROW_SEL)
        finally:
            tproof.DeleteParameters("PROOFSHIM_Strict")
    else:
        with dask.config.set({"proofshim.strict": True}):
            rc = c.Process(THROW_SEL)
    assert rc == -1
    err = _error_lines(capfd.readouterr().err)
    assert (f"Error in <TProof::Process>: file '{bad_files['missing']}' does not exist (strict mode: "
            "no file may be skipped") in err
    assert not tproof.GetOutput("hgid")
    # The parameter wins over the setting, both ways.
    with dask.config.set({"proofshim.strict": True}):
        tproof.SetParameter("PROOFSHIM_Strict", "no")
        try:
            assert c.Process(THROW_SEL) == 0
        finally:
            tproof.DeleteParameters("PROOFSHIM_Strict")
    missing = bad_files["missing"]
    assert _missing_files(tproof) == {missing: BAD_KINDS["missing"].format(f=missing)}
    _good_query_works(ROOT, tproof, data_files)


def test_wrong_tree_name_says_so_once_per_file(ROOT, tproof, data_files, capfd):
    """A chain of the wrong tree name: one warning per file and the clear error, not ROOT's
    "Cannot find tree" errors of the chain loading its files first."""
    c = ROOT.TChain("Wrong")
    for f in data_files:
        c.Add(f)
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL) == -1
    err = capfd.readouterr().err
    assert "LoadTree" not in err and "Cannot find tree" not in err, err
    lines = _error_lines(err).splitlines()
    assert lines[:-1] == [f"Warning in <TProof>: tree 'Wrong' not found in file '{f}': file skipped, "
                          "listed in MissingFiles" for f in data_files], err
    assert lines[-1].startswith(f"Error in <TProof::Process>: no file of 'Wrong' can be processed, all "
                                f"{len(data_files)} were skipped: ")
    _good_query_works(ROOT, tproof, data_files)


def test_every_file_bad_fails_with_each_reason(ROOT, tproof, data_files, bad_files, capfd):
    c = ROOT.TChain("T")
    for kind in ("missing", "garbage", "no_entries"):
        c.Add(bad_files[kind])
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL) == -1
    err = _error_lines(capfd.readouterr().err)
    assert "Error in <TProof::Process>: no file of 'T' can be processed, all 3 were skipped: " in err
    for kind in ("missing", "garbage", "no_entries"):
        assert BAD_KINDS[kind].format(f=bad_files[kind]) in err
    _good_query_works(ROOT, tproof, data_files)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_file_removed_after_counting(ROOT, tproof, data_files, tmp_path, capfd, monkeypatch, strict):
    """The workers counted the file, then it vanished before its packets ran: its entries are
    never silently dropped: listed in MissingFiles with a warning, or (strict) the query fails."""
    from proofshim.face import query

    doomed = str(tmp_path / "doomed.root")
    shutil.copy(data_files[2], doomed)
    counted = query._elements_with_entries

    def count_then_remove(*args):
        result = counted(*args)
        os.remove(doomed)      # after counting, before any packet
        return result

    monkeypatch.setattr(query, "_elements_with_entries", count_then_remove)
    c = ROOT.TChain("T")
    for f in [*data_files[:2], doomed, *data_files[3:]]:
        c.Add(f)
    c.SetProof()
    if strict:
        tproof.SetParameter("PROOFSHIM_Strict", 1)
    capfd.readouterr()
    try:
        rc = c.Process(THROW_SEL)
    finally:
        tproof.DeleteParameters("PROOFSHIM_Strict")
    err = _error_lines(capfd.readouterr().err)
    reason = f"file '{doomed}' does not exist"
    if strict:
        assert rc == -1
        assert f"Error in <TProof::Process>: {reason}, while processing file '{doomed}' tree 'T' " \
               "entries " in err and "(strict mode: no file may be skipped)" in err
    else:
        assert rc == 0
        assert f"Warning in <TProof>: {reason} while processing: " in err
        assert err.count(reason) == 1, f"reported once, not once per packet of it:\n{err}"
        assert _missing_files(tproof) == {doomed: f"{reason} (while processing)"}
        assert _gid_counts(tproof) == _expected_counts([0, 1, 3, 4, 5]), \
            "the other files exactly once, nothing of the vanished one"
        assert tproof.GetQueryResult().GetEntries() == TOTAL - FILE_SIZES[2]
    monkeypatch.undo()
    _good_query_works(ROOT, tproof, data_files)


def test_tdset_element_first_beyond_its_entries_is_skipped(ROOT, tproof, data_files, capfd):
    """PROOF: "first (N) higher then number of entries" - the element is invalid, in MissingFiles."""
    dset = ROOT.TDSet("TTree", "T")
    for i, f in enumerate(data_files):
        dset.Add(f, "T", "", 10**6 if i == 3 else 0)
    capfd.readouterr()
    assert tproof.Process(dset, THROW_SEL) == 0
    err = _error_lines(capfd.readouterr().err)
    reason = ("first entry 1000000 of the element is beyond the 333 entries of tree 'T' in file "
              f"'{data_files[3]}'")
    assert f"Warning in <TProof>: {reason}: file skipped, listed in MissingFiles" in err
    assert _missing_files(tproof) == {data_files[3]: reason}
    assert _gid_counts(tproof) == _expected_counts([0, 1, 2, 4, 5])


# ---- entry ranges --------------------------------------------------------------------------------

NOTHING = "nothing to process: firstentry={} with nentries={} selects no entry of the " + str(TOTAL)
BAD_RANGES = [
    (-5, 0, "nentries=-5: give -1 for all entries or a positive number"),
    (10, -3, "firstentry=-3 is negative"),
    (10, TOTAL, NOTHING.format(TOTAL, 10)),
    (10, TOTAL + 5, NOTHING.format(TOTAL + 5, 10)),
    (0, 0, NOTHING.format(0, 0)),
]


@pytest.mark.parametrize("nentries,first,message", BAD_RANGES,
                         ids=["negative-nentries", "negative-first", "first-at-end", "first-beyond",
                              "zero-nentries"])
def test_bad_entry_range_fails_with_the_range(ROOT, tproof, chain, data_files, capfd, nentries, first,
                                              message):
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(THROW_SEL, "", nentries, first) == -1
    err = _error_lines(capfd.readouterr().err)
    assert f"Error in <TProof::Process>: {message}" in err
    _good_query_works(ROOT, tproof, data_files)


@pytest.mark.parametrize("nentries,first", [(TOTAL + 1000, 0), (500, TOTAL - 100), (10**12, 7)])
def test_range_running_past_the_data_processes_up_to_its_end(ROOT, tproof, chain, nentries, first):
    """As TChain::Process: nentries beyond the data means "to the end", exactly once each."""
    c = chain()
    c.SetProof()
    assert c.Process(THROW_SEL, "", nentries, first) == 0
    assert _gid_counts(tproof) == [0] * first + [1] * (TOTAL - first)


# ---- opening a session ---------------------------------------------------------------------------

@pytest.mark.parametrize("url,message", [
    ("a b c", "cannot parse the PROOF URL 'a b c': expected '', 'lite://', 'workers=N', 'tcp://host:port'"),
    ("workers=0", "workers=0 in the Open URL: at least one worker is needed"),
    ("lite:///?workers=many", "workers='many' in the Open URL is not a whole number"),
])
def test_unparsable_open_url_returns_null_and_the_session_stays(ROOT, tproof, data_files, capfd, url,
                                                                message):
    """(An unanswering scheduler: tests/test_sessions.py, bounded by proofshim.connect-timeout.)"""
    capfd.readouterr()
    try:
        assert not ROOT.TProof.Open(url)
        assert f"Error in <TProof::Open>: {message}" in capfd.readouterr().err
    finally:
        ROOT.gProof = tproof
    _good_query_works(ROOT, tproof, data_files)


# ---- pure logic ----------------------------------------------------------------------------------

def test_reasons_name_the_file_and_the_trouble(tmp_path):
    missing = str(tmp_path / "nope.root")
    assert filecheck.unopenable_reason(missing) == f"file '{missing}' does not exist"
    assert filecheck.unopenable_reason(str(tmp_path)) == f"'{tmp_path}' is a directory, not a ROOT file"
    junk = tmp_path / "junk.root"
    junk.write_bytes(b"not root")
    assert "not a readable ROOT file" in filecheck.unopenable_reason(f"file://{junk}")
    assert filecheck.unopenable_reason("root://eos.example//a.root").startswith("cannot open remote file")
    assert filecheck.skip_reason("a.root", "T", 5, first=4) == ""
    assert filecheck.skip_reason("a.root", "T", 5, first=5).startswith("first entry 5 ")


