"""Other PROOF inputs on real workers: cycle-driven queries, TDSets (per-element ranges, trees in
subdirectories, the old constructor form), file collections."""
from __future__ import annotations

import pytest
from conftest import file_collection, outputs_by_name, selector_path

COUNT_SEL = selector_path("CountSel.C") + "+"


def _gids(proof):
    h = proof.GetOutput("hgid")
    return [int(h.GetBinContent(b + 1)) for b in range(h.GetNbinsX())]


def test_cycle_driven_query_hands_out_every_index_once(ROOT, fresh_proof):
    n = 50000
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CycleSel_N", n)
    assert fresh_proof.Process(selector_path("CycleSel.C") + "+", n) == 0
    h = fresh_proof.GetOutput("hcycle")
    assert h.GetEntries() == n
    assert all(h.GetBinContent(b) == 1 for b in range(1, n + 1))
    assert fresh_proof.GetOutput("n_Init").GetVal() == 0, "no Init for cycle-driven queries"
    assert fresh_proof.Process(selector_path("CycleSel.C") + "+", 0) == -1


@pytest.mark.parametrize("old_form", [True, False])
def test_tdset_with_element_ranges(ROOT, fresh_proof, data_files, total_entries, old_form):
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    dset = ROOT.TDSet("TTree", "T") if old_form else ROOT.TDSet("mydata", "T", "/")
    assert dset.GetType() == "TTree" and dset.GetObjName() == "T"
    starts = [0, 1, 2501, 9501, 9834, 21834]      # first gid of each file
    dset.Add(data_files[1], "T", "/", 100, 200)     # gids 101..300
    dset.Add(data_files[2])                         # whole file: 2501..9500
    dset.Add(data_files[4], "", "", 11990)          # from entry 11990 to the end: 21824..21833
    assert not dset.Add(data_files[2]), "duplicates are ignored"
    assert dset.Process(COUNT_SEL) == 0
    counts = _gids(fresh_proof)
    expected = set(range(101, 301)) | set(range(2501, 9501)) | set(range(starts[4] + 11990, starts[5]))
    assert {g for g, c in enumerate(counts) if c} == expected
    assert max(counts) == 1
    # Chain-global nentries/first apply over the element ranges.
    assert fresh_proof.Process(dset, COUNT_SEL, "", 300, 150) == 0
    counts = _gids(fresh_proof)
    assert {g for g, c in enumerate(counts) if c} == set(range(251, 301)) | set(range(2501, 2751))


def test_tdset_tree_in_subdirectory(ROOT, fresh_proof, make_files, tmp_path):
    files = make_files(tmp_path / "sub", [300, 700], subdir="events")
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", 1000)
    dset = ROOT.TDSet("subset", "T", "/events")
    for f in files:
        dset.Add(f)
    assert dset.Process(COUNT_SEL) == 0
    assert _gids(fresh_proof) == [1] * 1000


def test_file_collection_uses_its_default_tree(ROOT, fresh_proof, data_files, total_entries):
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    fc = ROOT.TFileCollection("fc", "test files")
    for f in data_files:
        fi = ROOT.TFileInfo(f)
        ROOT.SetOwnership(fi, False)
        fc.Add(fi)
    fc.SetDefaultTreeName("T")
    assert fresh_proof.Process(fc, COUNT_SEL) == 0
    assert _gids(fresh_proof) == [1] * total_entries
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert out["n_Process"].GetVal() == total_entries


def test_selector_object_is_streamed_and_terminated_on_the_client(ROOT, fresh_proof, chain, total_entries):
    ROOT.gROOT.ProcessLine(f".L {selector_path('ObjSel.C')}+")
    sel = ROOT.ObjSel()
    sel.fScale = 3.0
    sel.fTransient = 5
    c = chain()
    c.SetProof()
    assert c.Process(sel) == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    # Summed over the workers that ran (1 or 2): each saw fScale == 3.
    assert out["seen_scale"].GetVal() in (3.0, 6.0), "persistent members reach the workers"
    assert out["seen_transient"].GetVal() == 0, "//! members do not"
    assert out["hobj"].GetBinContent(2) == 3.0 * total_entries
    assert sel.fBeginCalls == 1 and sel.fTerminateCalls == 1
    assert ROOT.addressof(sel.fHist) == ROOT.addressof(out["hobj"]), "pointer re-pointed at the merged object"
    dset = ROOT.TDSet("TTree", "T")
    for f in c.GetListOfFiles():
        dset.Add(f.GetTitle())
    assert fresh_proof.Process(dset, sel, "", 100) == 0
    assert fresh_proof.GetOutput("hobj").GetBinContent(2) == 300.0
    assert sel.fTerminateCalls == 2


_MAKE_FRIEND = r"""
void proofshim_test_make_friend(const char *name, Long64_t n, Long64_t gid0)
{
   TFile f(name, "RECREATE");
   TTree t("F", "friend");
   Long64_t fgid;
   t.Branch("fgid", &fgid);
   for (Long64_t i = 0; i < n; ++i) { fgid = gid0 + i; t.Fill(); }
   t.Write();
   f.Close();
}
"""


def test_chain_with_friend_chain(ROOT, fresh_proof, chain, data_files, tmp_path, total_entries):
    from conftest import FILE_SIZES

    ROOT.gInterpreter.Declare(_MAKE_FRIEND)
    friends, gid0 = [], 0
    for i, n in enumerate(FILE_SIZES):
        path = str(tmp_path / f"friend{i}.root")
        ROOT.proofshim_test_make_friend(path, n, gid0)
        friends.append(path)
        gid0 += n
    fchain = ROOT.TChain("F")
    for f in friends:
        fchain.Add(f)
    c = chain()
    c.AddFriend(fchain, "fr")
    c.SetProof()
    assert c.Process(selector_path("FriendSel.C") + "+") == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert out["n_match"].GetVal() == total_entries and out["n_mismatch"].GetVal() == 0
    local_chain = chain()
    local_f = ROOT.TChain("F")
    for f in friends:
        local_f.Add(f)
    local_chain.AddFriend(local_f, "fr")
    sel = ROOT.TSelector.GetSelector(selector_path("FriendSel.C") + "+")
    local_chain.Process(sel)
    local = outputs_by_name(sel.GetOutputList())
    assert local["n_match"].GetVal() == total_entries
    from conftest import assert_hist_equal
    assert_hist_equal(out["hfgid"], local["hfgid"], "hfgid")
    # TDSet(chain) keeps the chain's friends; TDSet::AddFriend does the same by hand.
    ds_from_chain = ROOT.TDSet(c)
    assert ds_from_chain.GetListOfFriends().GetSize() == 1
    assert ds_from_chain.Process(selector_path("FriendSel.C") + "+") == 0
    assert fresh_proof.GetOutput("n_match").GetVal() == total_entries
    main, fr = ROOT.TDSet("TTree", "T"), ROOT.TDSet("TTree", "F")
    for f, g in zip(data_files, friends):
        main.Add(f)
        fr.Add(g)
    main.AddFriend(fr, "fr")
    assert main.Process(selector_path("FriendSel.C") + "+", "", 5000, 1000) == 0
    assert fresh_proof.GetOutput("n_match").GetVal() == 5000
    assert fresh_proof.GetOutput("n_mismatch").GetVal() == 0
    # A friend split differently from the chain is refused with a clear message.
    bad = ROOT.TChain("F")
    bad.Add(friends[0])
    c2 = chain()
    c2.AddFriend(bad, "fr")
    c2.SetProof()
    assert c2.Process(selector_path("FriendSel.C") + "+") == -1


def test_entry_list_selects_exactly_its_entries(ROOT, fresh_proof, chain, data_files, total_entries):
    from conftest import assert_hist_equal

    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    c = chain()
    n_sel = c.Draw(">>proofshim_elist", "px > 0.5", "entrylist")
    elist = ROOT.gDirectory.Get("proofshim_elist")
    assert elist and elist.GetN() == n_sel > 0
    selected = set()
    for i in range(c.GetEntries()):
        c.GetEntry(i)
        if c.px > 0.5:
            selected.add(int(c.gid))
    c.SetEntryList(elist)
    c.SetProof()
    assert c.Process(COUNT_SEL) == 0
    counts = _gids(fresh_proof)
    assert {g for g, n in enumerate(counts) if n} == selected and max(counts) == 1
    c.SetProof(False)
    c.SetEntryList(ROOT.nullptr)
    c.Draw("px>>proofshim_hloc(64,-4,4)", "px > 0.5", "goff")
    assert_hist_equal(fresh_proof.GetOutput("hpx"), ROOT.gDirectory.Get("proofshim_hloc"), "hpx")
    c.SetEntryList(elist)
    # nentries/firstentry count positions in the entry list, as TChain::Process does.
    c.SetProof()
    assert c.Process(COUNT_SEL, "", 100, 50) == 0
    counts = _gids(fresh_proof)
    assert sum(counts) == 100 and {g for g, n in enumerate(counts) if n} == set(sorted(selected)[50:150])



def test_named_datasets_registered_shown_processed_removed(ROOT, fresh_proof, data_files, total_entries,
                                                          tmp_path, capfd):
    import dask

    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)

    def collection(files):
        return file_collection(ROOT, files)

    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        assert fresh_proof.RegisterDataSet("firsthalf", collection(data_files[:3]))
        assert fresh_proof.RegisterDataSet("/phys/alice/secondhalf", collection(data_files[3:]))
        assert not fresh_proof.RegisterDataSet("firsthalf", collection(data_files[:1])), "no silent overwrite"
        assert fresh_proof.RegisterDataSet("firsthalf", collection(data_files[:3]), "O")
        assert fresh_proof.ExistsDataSet("firsthalf") and not fresh_proof.ExistsDataSet("nosuch")
        assert fresh_proof.GetDataSet("/phys/alice/secondhalf").GetNFiles() == 3
        capfd.readouterr()
        fresh_proof.ShowDataSets()
        assert "/phys/alice/secondhalf" in capfd.readouterr().out
        first_half = 1 + 2500 + 7000
        assert fresh_proof.Process("firsthalf", COUNT_SEL) == 0
        assert _gids(fresh_proof) == [1] * first_half + [0] * (total_entries - first_half)
        assert fresh_proof.Process("firsthalf#T|/phys/alice/secondhalf", COUNT_SEL) == 0
        assert _gids(fresh_proof) == [1] * total_entries
        # "U" adds files; "V" verifies them on the workers: entries recorded, unreadable ones marked.
        broken = tmp_path / "broken.root"
        broken.write_bytes(b"not a ROOT file")
        assert fresh_proof.RegisterDataSet("grown", collection(data_files[:2]))
        assert fresh_proof.RegisterDataSet("grown", collection(data_files[2:3] + [str(broken)]), "UV")
        grown = fresh_proof.GetDataSet("grown")
        assert grown.GetNFiles() == 4 and grown.GetNCorruptFiles() == 1
        assert grown.GetTotalEntries("/T") == first_half
        assert "1 corrupted" in capfd.readouterr().err
        assert fresh_proof.RemoveDataSet("firsthalf") == 0
        assert not fresh_proof.ExistsDataSet("firsthalf")
        assert fresh_proof.Process("firsthalf", COUNT_SEL) == -1
        assert "not registered" in capfd.readouterr().err


def test_tdset_add_collection_of_fileinfo_url_and_string(ROOT, fresh_proof, data_files, total_entries):
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total_entries)
    files = ROOT.TList()
    kept = [ROOT.TFileInfo(data_files[0]), ROOT.TUrl(data_files[1]), ROOT.TObjString(data_files[2])]
    for obj in kept:
        files.Add(obj)
    dset = ROOT.TDSet("TTree", "T")
    assert dset.Add(files)
    assert dset.GetNumOfFiles() == 3
    other = ROOT.TDSet("TTree", "T")
    other.Add(data_files[3])
    assert dset.Add(other) and dset.GetNumOfFiles() == 4
    assert dset.Process(COUNT_SEL) == 0
    assert _gids(fresh_proof) == [1] * 9834 + [0] * (total_entries - 9834)


def test_verifying_a_dataset_of_files_with_several_trees_keeps_its_default_tree(
        ROOT, fresh_proof, make_files, tmp_path):
    """RegisterDataSet(..., "V") once turned the default tree of a collection whose files hold
    several trees (e.g. TProofOutputFile's data sets of two ntuples) into the last one."""
    import dask

    sizes = [400, 900]
    files = make_files(tmp_path / "twotrees", sizes)
    fc = ROOT.TFileCollection("twotrees")
    for path, n in zip(files, sizes):
        f = ROOT.TFile(path, "UPDATE")
        other = ROOT.TNtuple("Tother", "second tree", "x")
        for i in range(n // 4):
            other.Fill(i)
        other.Write()
        f.Close()
        info = ROOT.TFileInfo(path)
        for name, entries in (("/T", n), ("/Tother", n // 4)):
            meta = ROOT.TFileInfoMeta(name, "TTree", entries)
            ROOT.SetOwnership(meta, False)
            info.AddMetaData(meta)
        info.SetBit(ROOT.TFileInfo.kStaged)   # as TProofOutputFile's data sets are
        ROOT.SetOwnership(info, False)
        fc.Add(info)
    fc.Update()
    assert fc.GetDefaultTreeName() == "/T", "the first tree is the default"
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", sum(sizes))
    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        assert fresh_proof.RegisterDataSet("twotrees", fc, "OV")
        stored = fresh_proof.GetDataSet("twotrees")
        assert stored.GetDefaultTreeName() == "/T"
        assert stored.GetTotalEntries("/T") == sum(sizes)
        assert stored.GetTotalEntries("/Tother") == sum(n // 4 for n in sizes)
        assert fresh_proof.VerifyDataSet("twotrees") == 0
        assert fresh_proof.GetDataSet("twotrees").GetDefaultTreeName() == "/T"
        assert fresh_proof.Process("twotrees", COUNT_SEL) == 0
    assert _gids(fresh_proof) == [1] * sum(sizes), "the default tree T was processed, entry by entry"


def _generated(ROOT, proof) -> dict[str, list[str]]:
    gen = proof.GetOutput("generated")
    rows = [str(o.GetName()).split("|") for o in gen] if gen else []
    by_name: dict[str, list[list[str]]] = {}
    for row in rows:
        by_name.setdefault(row[0], []).append(row)
    return by_name


def test_tpacketizerfile_hands_each_file_to_one_cycle(ROOT, fresh_proof, tmp_path, capfd):
    """PROOF_Packetizer = "TPacketizerFile" with PROOF_FilesToProcess (host -> list of file names),
    as runProof("friends") generates its files with ProofAux: one cycle per file, whatever the number
    of cycles asked for, the file named by PROOF_CurrentElement, Process(0), every file exactly once.
    Once "no effect", it ran one cycle with an empty file name."""
    import socket

    def made_in_cpp(obj):
        ROOT.SetOwnership(obj, False)     # as a macro's `new`: the map holds them
        return obj

    here = socket.gethostname()
    elsewhere = "no-such-host.invalid"          # no worker there: any worker takes its files
    files = made_in_cpp(ROOT.TMap())
    files.SetName("PROOF_FilesToProcess")
    local = made_in_cpp(ROOT.THashList())
    local.SetName(here)
    names = [f"gen_{i}.root" for i in range(5)]
    for n in names:
        local.Add(made_in_cpp(ROOT.TObjString(n)))
    absolute = str(tmp_path / "gen_abs.root")
    local.Add(made_in_cpp(ROOT.TFileInfo(absolute)))   # TFileInfo entries: their URL is the name
    other = made_in_cpp(ROOT.TList())
    for n in ("far_0.root", "far_1.root"):
        other.Add(made_in_cpp(ROOT.TObjString(n)))
    files.Add(made_in_cpp(ROOT.TObjString(here)), local)
    files.Add(made_in_cpp(ROOT.TObjString(elsewhere)), other)
    fresh_proof.AddInput(files)
    fresh_proof.SetParameter("PROOF_Packetizer", "TPacketizerFile")
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("FileGenSel_NEvents", 25)
    sel = selector_path("FileGenSel.C") + "+"
    try:
        capfd.readouterr()
        assert fresh_proof.Process(sel, 1) == 0
        err = capfd.readouterr().err
        assert "PROOF_Packetizer" not in err and "PROOF_FilesToProcess" not in err, "honoured, not announced"
        generated = _generated(ROOT, fresh_proof)
        expected = set(names) | {"far_0.root", "far_1.root", "file://" + absolute}
        assert set(generated) == expected
        assert all(len(rows) == 1 for rows in generated.values()), "every file handed out exactly once"
        for name, [row] in generated.items():
            _, path, ordinal, entry, first, num, empty = row
            assert (entry, first, num, empty) == ("0", "0", "1", "1"), \
                f"{name}: Process(0) of a one-entry kEmpty element"
            f = ROOT.TFile.Open(path)
            assert f and f.Get("Tgen").GetEntries() == 25, f"{name}: the file was written"
            f.Close()
        assert fresh_proof.GetQueryResult().GetEntries() == len(expected), "one cycle per file"

        # PROOF_ProcessNotAssigned = 0: the files of hosts without workers are left alone.
        fresh_proof.SetParameter("PROOF_ProcessNotAssigned", 0)
        assert fresh_proof.Process(sel, 1000) == 0
        assert set(_generated(ROOT, fresh_proof)) == set(names) | {"file://" + absolute}
        assert "not processed (PROOF_ProcessNotAssigned is 0)" in capfd.readouterr().err

        # Data queries cannot use it (PROOF could not either); without the map it cannot work.
        dset = ROOT.TDSet("TTree", "Tgen")
        dset.Add(generated["gen_0.root"][0][1])
        assert dset.Process(selector_path("V0Sel.C") + "+") == -1
        assert "cycle-driven queries" in capfd.readouterr().err
        fresh_proof.GetInputList().Remove(files)
        assert fresh_proof.Process(sel, 3) == -1
        assert "no TMap named 'PROOF_FilesToProcess'" in capfd.readouterr().err
    finally:
        fresh_proof.DeleteParameters("PROOF_Packetizer")
        fresh_proof.DeleteParameters("PROOF_ProcessNotAssigned")
    # Without it, cycle-driven queries are ordinary ones again.
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CycleSel_N", 100)
    assert fresh_proof.Process(selector_path("CycleSel.C") + "+", 100) == 0
    assert fresh_proof.GetOutput("hcycle").GetEntries() == 100
