"""Draw through PROOF on real workers: chain.Draw on a SetProof'd chain, TDSet::Draw and
TProof::DrawSelect. Every result is compared with the same Draw made locally in this process (the
chain with SetProof(False)), object by object: class, name, title, axes, bin contents, entries."""
from __future__ import annotations

import dask
import pytest
from conftest import assert_hist_equal, file_collection


def _found(ROOT, name):
    obj = ROOT.gDirectory.Get(name)
    if not obj and ROOT.gPad:
        obj = ROOT.gPad.GetPrimitive(name)
    assert obj, f"no object '{name}' where a Draw puts it"
    return obj


def _snapshot(h):
    """What a user sees of a drawn histogram, detached from where it lives."""
    axes = [(a.GetNbins(), a.GetXmin(), a.GetXmax(), a.GetTitle())
            for a in (h.GetXaxis(), h.GetYaxis(), h.GetZaxis())]
    copy = h.Clone(f"{h.GetName()}_copy")
    copy.SetDirectory(0)
    return {"class": h.ClassName(), "name": h.GetName(), "title": h.GetTitle(), "axes": axes,
            "hist": copy}


def _same(shim, local, what):
    for key in ("class", "name", "title", "axes"):
        assert shim[key] == local[key], f"{what}: {key} {shim[key]} != {local[key]}"
    if shim["class"].startswith("TProfile"):
        a, b = shim["hist"], local["hist"]
        assert a.GetEntries() == b.GetEntries()
        for i in range(a.GetNcells()):
            assert a.GetBinEntries(i) == b.GetBinEntries(i), f"{what}: bin {i} entries"
            assert a.GetBinContent(i) == pytest.approx(b.GetBinContent(i), rel=1e-9, abs=1e-12)
            assert a.GetBinError(i) == pytest.approx(b.GetBinError(i), rel=1e-6, abs=1e-9), \
                f"{what}: bin {i} error"
    else:
        assert_hist_equal(shim["hist"], local["hist"], what)


def _both(ROOT, c, name, *args):
    """The same Draw locally and through the shim: (rows, snapshot) of each."""
    c.SetProof(False)
    n_local = c.Draw(*args)
    local = _snapshot(_found(ROOT, name))
    c.SetProof()
    n_shim = c.Draw(*args)
    shim = _snapshot(_found(ROOT, name))
    return (n_shim, shim), (n_local, local)


@pytest.fixture()
def proof_chain(ROOT, fresh_proof, chain):
    c = chain()
    c.SetProof()
    yield c
    c.SetProof(False)


DRAWS = [
    ("htemp", ("px", "py>0")),                                   # automatic binning, drawn on a canvas
    ("htemp", ("px", "py>0", "goff")),
    ("htemp", ("ntrk", "", "goff")),                             # integer: ROOT's integer binning
    ("htemp", ("px:ntrk", "", "goff")),                          # 2-D automatic binning
    ("h2", ("px:py>>h2(50,-3,3,50,-3,3)", "", "goff")),          # named, fixed binning
    ("htemp", ("trkpt", "ntrk>2", "goff")),                      # several values per entry
    ("htemp", ("px*py", "abs(px)<1", "goff", 9000, 1200)),      # nentries/firstentry
    ("hprof", ("py:ntrk>>hprof", "", "prof goff")),              # profile, automatic binning
    ("h3", ("px:py:ntrk>>h3(10,0,10,8,-4,4,8,-4,4)", "", "goff")),
]


@pytest.mark.parametrize("name,args", DRAWS, ids=[" ".join(map(str, a)) for _, a in DRAWS])
def test_chain_draw_equals_local_draw(ROOT, proof_chain, name, args):
    (n_shim, shim), (n_local, local) = _both(ROOT, proof_chain, name, *args)
    assert n_shim == n_local > 0
    _same(shim, local, str(args))
    assert proof_chain.GetSelectedRows() == n_local
    assert proof_chain.GetHistogram().GetName() == name


@pytest.mark.parametrize("varexp,as_hist", [("px:py", "col goff"), ("px:py:ntrk", "box goff")],
                         ids=["2-D", "3-D"])
def test_scatter_plot_comes_back_as_the_histogram_of_its_points(ROOT, proof_chain, varexp, as_hist):
    """A scatter plot (every point, TGraph/TPolyMarker3D locally) is drawn through proofshim as the
    histogram of its points: the same rows, and the histogram a local Draw makes with "col"/"box"."""
    proof_chain.SetProof(False)
    n_local = proof_chain.Draw(varexp, "py>0", as_hist)
    local = _snapshot(_found(ROOT, "htemp"))
    n_scatter = proof_chain.Draw(varexp, "py>0", "goff")
    proof_chain.SetProof()
    n_shim = proof_chain.Draw(varexp, "py>0", "goff")
    shim = _snapshot(_found(ROOT, "htemp"))
    assert n_shim == n_local == n_scatter > 0
    assert shim["hist"].GetEntries() == n_local, "every point is in the histogram"
    _same(shim, local, varexp)


def test_draw_without_goff_lands_on_the_pad(ROOT, proof_chain):
    proof_chain.Draw("py", "px>1")
    assert ROOT.gPad and ROOT.gPad.GetPrimitive("htemp"), "htemp drawn on the current pad"


def test_named_histogram_is_reused_and_accumulated(ROOT, proof_chain, total_entries):
    (n1, _), _ = _both(ROOT, proof_chain, "hacc", "px>>hacc(40,-4,4)", "py>0", "goff")
    h = ROOT.gDirectory.Get("hacc")
    n2 = proof_chain.Draw("px>>+hacc", "py<=0", "goff")
    assert ROOT.gDirectory.Get("hacc") == h, "'>>+' fills the existing histogram"
    assert n1 + n2 == total_entries
    assert h.GetEntries() == total_entries
    # Without '+', the same histogram is reset and refilled.
    assert proof_chain.Draw("px>>hacc", "py<=0", "goff") == n2
    assert h.GetEntries() == n2


def test_draw_selecting_nothing(ROOT, proof_chain):
    (n_shim, shim), (n_local, local) = _both(ROOT, proof_chain, "htemp", "px", "px>100", "goff")
    assert n_shim == n_local == 0
    assert shim["hist"].GetEntries() == 0


def test_bad_expression_fails_and_session_goes_on(ROOT, proof_chain, capfd):
    assert proof_chain.Draw("nosuchbranch", "", "goff") == -1
    assert "nosuchbranch" in capfd.readouterr().err
    assert proof_chain.Draw("px", "", "goff") > 0


def test_expression_that_does_not_compile_gives_the_compile_error_and_minus_one(ROOT, fresh_proof, chain,
                                                                              data_files, capfd):
    """TProof::DrawSelect once answered an expression that does not compile with "this kind of Draw
    is not run in parallel"; it says the compiler's error, as a local Draw does, and returns -1."""
    local = chain()
    dset = ROOT.TDSet("TTree", "T")
    for f in data_files:
        dset.Add(f)
    cases = [("px+", "", "Invalid Syntax"), ("px", "nosuchbranch>1", "Bad numerical expression"),
             ("px:py", "sqrt(px", "')' is expected")]
    for varexp, selection, why in cases:
        capfd.readouterr()
        assert local.Draw(varexp, selection, "goff") == -1
        local_err = capfd.readouterr().err
        compile_error = next(ln for ln in local_err.splitlines() if "TTreeFormula::Compile" in ln)
        assert why in compile_error
        assert fresh_proof.DrawSelect(dset, varexp, selection, "goff") == -1
        err = capfd.readouterr().err
        assert compile_error in err, f"{varexp!r}/{selection!r}: the local Draw's compile error is said"
        assert "not run in parallel" not in err
    assert fresh_proof.DrawSelect(dset, "px", "ntrk>3", "goff") == local.Draw("px", "ntrk>3", "goff") > 0


def test_proof_drawing_attributes_are_applied_and_not_announced(ROOT, fresh_proof, chain, data_files, capfd):
    """runProof's "dataset" plots set PROOF_FillColor, PROOF_LineColor, PROOF_MarkerColor... before
    DrawSelect, as PROOF's TProofDraw applied them to the drawn object."""
    dset = ROOT.TDSet("TTree", "T")
    for f in data_files:
        dset.Add(f)
    fresh_proof.SetParameter("PROOF_FillColor", 45)
    fresh_proof.SetParameter("PROOF_LineColor", 2)
    fresh_proof.SetParameter("PROOF_FillStyle", 1001)
    fresh_proof.SetParameter("PROOF_MarkerSize", 1.5)
    capfd.readouterr()
    try:
        assert fresh_proof.DrawSelect(dset, "px", "ntrk>3", "goff") > 0
        h = ROOT.gDirectory.Get("htemp")
        assert (h.GetFillColor(), h.GetLineColor(), h.GetFillStyle()) == (45, 2, 1001)
        assert h.GetMarkerSize() == pytest.approx(1.5)
        assert "has no effect" not in capfd.readouterr().err
    finally:
        fresh_proof.DeleteParameters("PROOF_*")


def test_tdset_draw_and_drawselect(ROOT, fresh_proof, chain, data_files, tmp_path):
    local_chain = chain()
    n_local = local_chain.Draw("px:py", "ntrk>3", "goff")
    local = _snapshot(_found(ROOT, "htemp"))
    dset = ROOT.TDSet("TTree", "T")
    for f in data_files:
        dset.Add(f)
    assert dset.Draw("px:py", "ntrk>3", "goff") == n_local
    _same(_snapshot(_found(ROOT, "htemp")), local, "TDSet::Draw")
    assert fresh_proof.DrawSelect(dset, "px:py", "ntrk>3", "goff") == n_local
    _same(_snapshot(_found(ROOT, "htemp")), local, "TProof::DrawSelect(TDSet*)")

    fc = file_collection(ROOT, data_files)
    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        assert fresh_proof.RegisterDataSet("drawme", fc)
        assert fresh_proof.DrawSelect("drawme", "px:py", "ntrk>3", "goff") == n_local
    _same(_snapshot(_found(ROOT, "htemp")), local, "TProof::DrawSelect(dataset)")


def test_draw_with_entry_list_and_friend(ROOT, proof_chain, chain):
    c = chain()
    assert c.Draw(">>proofshim_draw_elist", "abs(py) < 0.5", "entrylist") > 0
    elist = ROOT.gDirectory.Get("proofshim_draw_elist")
    proof_chain.SetEntryList(elist)
    twin = chain()                    # the same files as a friend: fr.px == px entry by entry
    proof_chain.AddFriend(twin, "fr")
    (n_shim, shim), (n_local, local) = _both(ROOT, proof_chain, "htemp", "px+fr.px", "fr.ntrk>2", "goff")
    assert n_shim == n_local > 0
    _same(shim, local, "entry list + friend")
    proof_chain.SetEntryList(ROOT.nullptr)
