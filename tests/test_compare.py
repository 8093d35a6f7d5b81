"""`proofshim compare`: the comparison of two output lists on hand-built ROOT objects (no cluster),
input parameter typing, usage errors, and two end-to-end CLI runs on real files with a real
selector: one that agrees with its one-process run (exit 0), one that cannot (exit 1)."""
from __future__ import annotations

import array
import json
import os
import subprocess
import sys

import pytest
from conftest import selector_path

from proofshim import compare
from proofshim.compare import DIFFERENT, EQUAL, EXTRA, IGNORED, MISSING, NOT_COMPARED

WT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ------------------------------------------------------------------ pure logic

def test_values_close_integers_exact_floats_relative():
    assert compare.values_close(7.0, 7.0, 1e-9)
    assert not compare.values_close(7.0, 8.0, 0.5)                  # integers: exact whatever the tolerance
    assert not compare.values_close(2.0 ** 53, 2.0 ** 53 + 2, 1e-9)
    assert compare.values_close(1.0 + 1e-12, 1.0, 1e-9)
    assert not compare.values_close(1.0 + 1e-6, 1.0, 1e-9)
    assert compare.values_close(float("nan"), float("nan"), 0)
    assert not compare.values_close(float("inf"), 1e308, 1e-9)


@pytest.mark.parametrize("text, expected", [
    ("a=5", ("a", "Int_t", 5)),
    ("a=-2147483648", ("a", "Int_t", -2147483648)),
    ("a=2147483648", ("a", "Long64_t", 2147483648)),
    ("a=2.5", ("a", "Double_t", 2.5)),
    ("a=1e3", ("a", "Double_t", 1000.0)),
    ("a=hello world", ("a", "string", "hello world")),
    ("a=x=y", ("a", "string", "x=y")),
    ("a=", ("a", "string", "")),
    ("a:Long_t=5", ("a", "Long_t", 5)),
    ("a:Double_t=5", ("a", "Double_t", 5.0)),
    ("a:string=5", ("a", "string", "5")),
])
def test_parse_input(text, expected):
    p = compare.parse_input(text)
    assert (p.name, p.type, p.value) == expected


@pytest.mark.parametrize("text, words", [("novalue", "name=value"), ("=3", "name=value"),
                                         ("a:float=1", "unknown type"), ("a:Int_t=x", "not a valid Int_t")])
def test_parse_input_errors(text, words):
    with pytest.raises(compare.CompareError, match=words):
        compare.parse_input(text)


def test_table_and_summary():
    rows = [compare.Row("hpx", "TH1F", EQUAL, "10 entries"),
            compare.Row("sub/h", "TH1D", DIFFERENT, "bin 3 content: 1 (local) != 2 (shim)\nbin 4 ..."),
            compare.Row("x", "TNamed", MISSING)]
    text = compare.format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["object", "class", "status", "detail"]
    assert any(line.startswith("sub/h") and "DIFFERENT" in line and "bin 3" in line for line in lines)
    assert lines[-2].strip() == "bin 4 ..."           # continuation line under the detail column
    assert compare.summary(rows).startswith("DIFFERENCES FOUND: 1 equal, 1 different, 1 missing")
    assert compare.summary(rows[:1]).startswith("outputs agree")


# ------------------------------------------------------------------ ROOT objects, no cluster

@pytest.fixture(scope="module")
def R(ROOT):
    import proofshim  # noqa: F401 - the shim's library: TProof for the parameter tests

    ROOT.TH1.AddDirectory(False)
    yield ROOT
    ROOT.TH1.AddDirectory(True)


def keep(R, obj):
    """Hand `obj` to the C++ list it is added to (Python must not delete it)."""
    R.SetOwnership(obj, False)
    return obj


def olist(R, *objs):
    lst = R.TList()
    for o in objs:
        R.SetOwnership(o, False)
        lst.Add(o)
    lst.SetOwner(True)
    return lst


def rows_by_name(rows):
    return {r.name: r for r in rows}


def h1(R, fills=(), cls="TH1D", name="h", nbins=10, lo=0.0, hi=10.0, sumw2=False):
    h = getattr(R, cls)(name, "a histogram", nbins, lo, hi)
    if sumw2:
        h.Sumw2()
    for f in fills:
        h.Fill(*f) if isinstance(f, tuple) else h.Fill(f)
    return h


def test_equal_outputs_of_every_kind(R):
    def make():
        hx = h1(R, [0.5, 3.3, 3.4, -1, 11, 12], cls="TH1F", name="hx")
        h2 = R.TH2D("h2", "2d", 4, 0, 4, 3, 0, 3)
        h2.Fill(1.5, 2.5)
        h2.Fill(3.5, 0.5, 0.25)
        prof = R.TProfile("prof", "p", 5, 0, 5)
        for x, y in ((0.5, 1.25), (0.7, 3.5), (4.2, -2.0)):
            prof.Fill(x, y)
        sub = R.TList()
        sub.SetName("sub")
        sub.Add(keep(R, h1(R, [1, 2], name="inner")))
        return olist(R, hx, h2, prof, R.TParameter["Long64_t"]("n", 42), R.TParameter["double"]("d", 0.5),
                     R.TNamed("label", "some text"), R.TObjString("a string"), sub)
    rows = compare.compare_outputs(make(), make())
    assert [r.name for r in rows] == ["hx", "h2", "prof", "n", "d", "label", "a string", "sub", "sub/inner"]
    assert all(r.status == EQUAL for r in rows), compare.format_table(rows)


def test_one_bin_differs(R):
    a = h1(R, [0.5, 5.5, 5.5])
    b = h1(R, [0.5, 5.5, 5.5, 5.7])
    rows = compare.compare_outputs(olist(R, a), olist(R, b))
    assert rows[0].status == DIFFERENT
    assert "bin 6 content: 2 (local) != 3 (shim)" in rows[0].detail
    assert "entries 3 (local) != 4 (shim)" in rows[0].detail


def test_flow_bins_are_compared(R):
    rows = compare.compare_outputs(olist(R, h1(R, [0.5, 99])), olist(R, h1(R, [0.5, 98])))
    assert rows[0].status == EQUAL                    # same overflow bin
    rows = compare.compare_outputs(olist(R, h1(R, [0.5, 99])), olist(R, h1(R, [0.5, -1])))
    assert rows[0].status == DIFFERENT
    assert "bin 11 content: 1 (local) != 0 (shim)" in rows[0].detail   # overflow
    assert "bin 0 content: 0 (local) != 1 (shim)" in rows[0].detail    # underflow


def test_error_differs_with_equal_contents(R):
    a = h1(R, [(2.5, 2.0)], sumw2=True)              # content 2, error 2
    b = h1(R, [(2.5, 1.0), (2.5, 1.0)], sumw2=True)   # content 2, error sqrt(2)
    rows = compare.compare_outputs(olist(R, a), olist(R, b))
    assert rows[0].status == DIFFERENT
    assert "bin 3 error: 2 (local) != 1.41421356237 (shim)" in rows[0].detail
    assert "content" not in rows[0].detail


def test_tolerance_for_float_sums_but_integers_exact(R):
    def hist(value, value2):
        h = h1(R, name="hf")
        h.SetBinContent(1, value)
        h.SetBinContent(2, value2)
        return h
    local, shim = olist(R, hist(0.1 + 0.2, 5.0)), olist(R, hist(0.3, 5.0))
    assert compare.compare_outputs(local, shim)[0].status == EQUAL
    assert compare.compare_outputs(local, shim, rel=1e-6)[0].status == EQUAL
    exact = compare.compare_outputs(local, shim, rel=0.0)[0]
    assert exact.status == DIFFERENT and "bin 1 content" in exact.detail
    # 1e12 vs 1e12+1 is within 1e-9 relative, but both are integers: a miscount, not rounding.
    big = compare.compare_outputs(olist(R, hist(0.5, 1e12)), olist(R, hist(0.5, 1e12 + 1)), rel=1e-9)[0]
    assert big.status == DIFFERENT and "bin 2 content: 1000000000000 (local) != 1000000000001 (shim)" in big.detail
    # Relative to the largest bin: a float sum that cancels to almost zero.
    near0 = compare.compare_outputs(olist(R, hist(1e-17, 1000.5)), olist(R, hist(-2e-17, 1000.5)))[0]
    assert near0.status == EQUAL


def test_axes_and_class_differences(R):
    rows = compare.compare_outputs(olist(R, h1(R, nbins=10)), olist(R, h1(R, nbins=20)))
    assert rows[0].status == DIFFERENT and "x axis: 10 bins (local) != 20 (shim)" in rows[0].detail
    rows = compare.compare_outputs(olist(R, h1(R, hi=10)), olist(R, h1(R, hi=11)))
    assert "x axis: bin edge 1: 1 (local) != 1.1 (shim)" in rows[0].detail
    rows = compare.compare_outputs(olist(R, h1(R, cls="TH1F")), olist(R, h1(R, cls="TH1D")))
    assert rows[0].status == DIFFERENT and rows[0].cls == "TH1F / TH1D"


def test_labelled_histograms_compared_label_by_label(R):
    def cutflow(order, extra=0.0):
        h = R.TH1D("cutflow", "cuts", 4, 0, 4)
        for lab, w in order:
            h.Fill(lab, w)
        h.Fill("all", extra)
        return h
    local = [("all", 10), ("trigger", 6), ("pt", 3)]
    merged = [("pt", 3), ("all", 10), ("trigger", 6)]       # another worker filled "pt" first
    row = compare.compare_outputs(olist(R, cutflow(local)), olist(R, cutflow(merged)))[0]
    assert row.status == EQUAL and "compared label by label" in row.detail
    row = compare.compare_outputs(olist(R, cutflow(local)), olist(R, cutflow(merged, extra=1)))[0]
    assert row.status == DIFFERENT and "bin 1 content: 10 (local) != 11 (shim)" in row.detail
    other = [("all", 10), ("trigger", 6), ("eta", 3)]
    row = compare.compare_outputs(olist(R, cutflow(local)), olist(R, cutflow(other)))[0]
    assert row.status == DIFFERENT and "x axis: labels ['all', 'trigger', 'pt'] (local)" in row.detail


def test_profile_bin_entries_and_2d_bins(R):
    def prof(ys):
        p = R.TProfile("p", "p", 3, 0, 3)
        for y in ys:
            p.Fill(1.5, y)
        return p
    # Same mean (2) in bin 2, but 2 entries against 3: error and entries differ.
    row = compare.compare_outputs(olist(R, prof([1, 3])), olist(R, prof([1, 2, 3])))[0]
    assert row.status == DIFFERENT and "bin 2 entries: 2 (local) != 3 (shim)" in row.detail
    # Same bins, only the profile's sum of y in its statistics differs.
    a, b = prof([1, 3]), prof([1, 3])
    stats = array.array("d", [0.0] * 16)
    b.GetStats(stats)
    stats[4] += 0.5                                   # sumwy
    b.PutStats(stats)
    row = compare.compare_outputs(olist(R, a), olist(R, b))[0]
    assert row.status == DIFFERENT and row.detail == "statistics sumwy: 4 (local) != 4.5 (shim)"
    a, b = R.TH2F("h2", "", 3, 0, 3, 3, 0, 3), R.TH2F("h2", "", 3, 0, 3, 3, 0, 3)
    a.Fill(0.5, 2.5)
    b.Fill(2.5, 0.5)
    row = compare.compare_outputs(olist(R, a), olist(R, b))[0]
    assert "bin (1,3) content: 1 (local) != 0 (shim)" in row.detail
    assert "bin (3,1) content: 0 (local) != 1 (shim)" in row.detail


def test_missing_and_extra_objects(R):
    rows = compare.compare_outputs(olist(R, h1(R, name="a"), R.TNamed("b", "x")),
                                   olist(R, R.TNamed("b", "x"), R.TNamed("c", "y")))
    by = rows_by_name(rows)
    assert by["a"].status == MISSING and by["b"].status == EQUAL and by["c"].status == EXTRA
    assert [r.name for r in rows] == ["a", "b", "c"]


def test_unmergeable_copies_and_missing_files_explained(R):
    missing = R.TList()
    missing.SetName("MissingFiles")
    info = R.TFileInfo("root://x//bad.root")
    info.SetTitle("cannot open")
    missing.Add(keep(R, info))
    rows = compare.compare_outputs(olist(R, R.TNamed("params", "p")),
                                   olist(R, R.TNamed("params", "p"), R.TNamed("params", "p"), missing))
    assert [r.status for r in rows] == [EQUAL, EXTRA, EXTRA]
    assert "TNamed has no Merge method" in rows[1].detail
    assert rows[2].name == "MissingFiles" and "bad.root: cannot open" in rows[2].detail


_TREE = r"""
TTree *proofshim_compare_tree(int n, int perm, int changed, int with_vector)
{
   auto *t = new TTree("skim", "skim");
   t->SetDirectory(nullptr);
   Long64_t gid; Float_t px; Int_t nv; Double_t arr[8]; char tag[16]; std::vector<float> v;
   t->Branch("gid", &gid); t->Branch("px", &px); t->Branch("nv", &nv);
   t->Branch("arr", arr, "arr[nv]/D"); t->Branch("tag", tag, "tag/C");
   if (with_vector) t->Branch("v", &v);
   for (int k = 0; k < n; ++k) {
      int i = perm ? (k * 7) % n : k;            // n prime: a permutation of 0..n-1
      gid = i; px = 0.5f * i; nv = i % 5;
      for (int j = 0; j < nv; ++j) arr[j] = i + 0.25 * j;
      snprintf(tag, sizeof(tag), "e%d", i);
      v.assign(i % 4, 1.5f * i);
      if (i == changed && with_vector) v.push_back(1);
      else if (i == changed) px += 1;
      t->Fill();
   }
   t->ResetBranchAddresses();
   return t;
}
"""


@pytest.fixture(scope="module")
def tree(R):
    R.gInterpreter.Declare(_TREE)
    return lambda n=13, perm=0, changed=-1, vec=1: R.proofshim_compare_tree(n, perm, changed, vec)


def test_tree_with_permuted_entries_is_equal(R, tree):
    row = compare.compare_outputs(olist(R, tree()), olist(R, tree(perm=1)))[0]
    assert row.status == EQUAL and row.detail == "13 entries, same content"


@pytest.mark.parametrize("changed, vec", [(4, 0), (6, 1)])
def test_tree_with_one_changed_value_differs(R, tree, changed, vec):
    row = compare.compare_outputs(olist(R, tree(vec=vec)), olist(R, tree(perm=1, changed=changed, vec=vec)))[0]
    assert row.status == DIFFERENT
    assert "1 entries of the local tree have no identical entry in the shim's (1 the other way round)" in row.detail


def test_tree_entry_count_and_branches(R, tree):
    row = compare.compare_outputs(olist(R, tree(n=13)), olist(R, tree(n=11)))[0]
    assert row.status == DIFFERENT and row.detail == "13 entries (local) != 11 (shim)"
    row = compare.compare_outputs(olist(R, tree(vec=1)), olist(R, tree(vec=0)))[0]
    assert row.status == DIFFERENT and "local only ['v (vector<float>)']" in row.detail


def test_parameters_values_and_types(R):
    rows = compare.compare_outputs(
        olist(R, R.TParameter["Long64_t"]("n", 10), R.TParameter["double"]("d", 1.0),
              R.TParameter["Int_t"]("i", 3)),
        olist(R, R.TParameter["Long64_t"]("n", 11), R.TParameter["double"]("d", 1.0 + 1e-13),
              R.TParameter["Long64_t"]("i", 3)))
    by = rows_by_name(rows)
    assert by["n"].status == DIFFERENT and by["n"].detail == "value 10 (local) != 11 (shim)"
    assert by["d"].status == EQUAL
    assert by["i"].status == DIFFERENT and "class TParameter<int> (local) != TParameter<Long64_t> (shim)" \
        in by["i"].detail


def test_strings_and_nested_lists(R):
    def nested(title, inner_fill):
        sub = R.TList()
        sub.SetName("sub")
        sub.Add(keep(R, h1(R, [inner_fill], name="h")))
        sub.Add(keep(R, R.TNamed("t", title)))
        return olist(R, sub, R.TObjString("s " + title))
    rows = compare.compare_outputs(nested("a", 1.5), nested("b", 2.5))
    by = rows_by_name(rows)
    assert by["sub"].status == DIFFERENT and by["sub"].detail == "2 of its elements differ (below)"
    assert by["sub/h"].status == DIFFERENT and by["sub/t"].status == DIFFERENT
    assert by["sub/t"].detail == "title 'a' (local) != 'b' (shim)"
    assert by["s a"].status == MISSING and by["s b"].status == EXTRA   # TObjString's name is its text


def test_other_classes_by_json(R):
    def graph(y):
        g = R.TGraph(3)
        g.SetName("g")
        for i in range(3):
            g.SetPoint(i, i, y[i])
        return g
    assert compare.compare_outputs(olist(R, graph([1, 2, 3])), olist(R, graph([1, 2, 3])))[0].status == EQUAL
    row = compare.compare_outputs(olist(R, graph([1, 2, 3])), olist(R, graph([1, 2.5, 3])))[0]
    assert row.status == DIFFERENT and "fY [1]: 2 (local) != 2.5 (shim)" in row.detail


def test_thnsparse_by_coordinates(R):
    def sparse(points, extra=None):
        nbins, lo, hi = array.array("i", [10, 10]), array.array("d", [0, 0]), array.array("d", [10, 10])
        h = R.THnSparseD("hs", "sparse", 2, nbins, lo, hi)
        for p in points + ([extra] if extra else []):
            x = array.array("d", p)
            h.Fill(x)
        return h
    pts = [[1.5, 2.5], [7.5, 0.5], [1.5, 2.5], [3.5, 9.5]]
    # Filled in another order, the sparse bins are stored in another order: still equal.
    assert compare.compare_outputs(olist(R, sparse(pts)), olist(R, sparse(pts[::-1])))[0].status == EQUAL
    row = compare.compare_outputs(olist(R, sparse(pts)), olist(R, sparse(pts[::-1], [3.5, 9.5])))[0]
    assert row.status == DIFFERENT and "bin (4,10) content: 1 (local) != 2 (shim)" in row.detail


def test_expand_files(tmp_path):
    for name in ("b.root", "a.root", "c.txt"):
        (tmp_path / name).write_text("")
    assert compare.expand_files([str(tmp_path / "*.root"), "root://host//x*.root", "plain.root"]) == [
        str(tmp_path / "a.root"), str(tmp_path / "b.root"), "root://host//x*.root", "plain.root"]


def test_ignore_patterns(R):
    rows = compare.compare_outputs(olist(R, R.TNamed("n_SlaveBegin", "1"), R.TNamed("keep", "1")),
                                   olist(R, R.TNamed("n_SlaveBegin", "2"), R.TNamed("keep", "1")),
                                   ignore=("n_Slave*",))
    assert [r.status for r in rows] == [IGNORED, EQUAL]


def test_proof_bookkeeping_not_a_difference(R):
    rows = compare.compare_outputs(olist(R), olist(R, R.TParameter["Long64_t"]("PROOF_SelectorStatus", 0)))
    assert rows[0].status == NOT_COMPARED and not rows[0].failed


def test_parameters_have_setparameter_types_on_both_sides(R):
    """The local input list holds what SetParameter stores on the shim side, and an untyped value
    gets the type PyROOT's proof.SetParameter(name, value) gives it."""
    texts = ["i=5", "big=10000000000", "d=2.5", "s=abc", "l:Long_t=7", "ll:Long64_t=8", "dd:Double_t=3"]
    params = [compare.parse_input(t) for t in texts]
    shim = R.TProof()
    for p in params:
        compare.set_parameter(shim, p)
    local = [compare.make_parameter(R, p) for p in params]
    shim_objs = list(shim.GetInputList())
    assert [o.ClassName() for o in local] == [o.ClassName() for o in shim_objs] == [
        "TParameter<int>", "TParameter<Long64_t>", "TParameter<double>", "TNamed", "TParameter<long>",
        "TParameter<Long64_t>", "TParameter<double>"]
    assert [o.GetVal() if o.ClassName() != "TNamed" else o.GetTitle() for o in shim_objs] == \
        [5, 10000000000, 2.5, "abc", 7, 8, 3.0]
    pyroot = R.TProof()
    for name, value in (("i", 5), ("big", 10000000000), ("d", 2.5), ("s", "abc")):
        pyroot.SetParameter(name, value)
    assert [o.ClassName() for o in pyroot.GetInputList()] == [o.ClassName() for o in local[:4]]


# ------------------------------------------------------------------ command line

def test_usage_errors_exit_2_before_any_cluster(data_files, tmp_path, capsys):
    from proofshim import cli

    sel = selector_path("CmpSel.C") + "+"
    assert cli.main(["compare", sel, "--files", str(tmp_path / "nope.root")]) == 2
    assert "input file" in capsys.readouterr().err
    assert cli.main(["compare", sel, "--files", data_files[0], "--tree", "Events"]) == 2
    assert "has no tree 'Events'; name the tree with --tree" in capsys.readouterr().err
    assert cli.main(["compare", sel, "--files", data_files[0], "--input", "novalue"]) == 2
    assert "expected name=value" in capsys.readouterr().err
    assert cli.main(["compare", "CmpSel", "--files", data_files[0]]) == 2
    assert "ACLiC suffix" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", sel])          # --files is required
    assert exc.value.code == 2


def _run_cli(args, tmp_path, name):
    out_json = tmp_path / f"{name}.json"
    env = dict(os.environ, PYTHONPATH=WT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "proofshim", "compare", *args, "--workers", "2",
                           "--json", str(out_json)], check=False, capture_output=True, text=True, timeout=600,
                          cwd=str(tmp_path), env=env, start_new_session=True)
    rows = json.loads(out_json.read_text()) if out_json.exists() else None
    return proc, rows


def test_cli_agreeing_selector_exits_0(data_files, total_entries, tmp_path):
    args = [selector_path("CmpSel.C") + "+", "--files", *data_files, "--tree", "T",
            "--nentries", str(total_entries - 1500), "--firstentry", "1000",
            "--input", "CmpSel_NBins=30", "--input", "CmpSel_PtCut=0.5", "--input", "CmpSel_Label=abc",
            "--input", "CmpSel_Every:Long_t=20", "--option", "stats myopt"]
    proc, result = _run_cli(args, tmp_path, "agree")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "outputs agree" in proc.stdout
    assert result["ok"] and result["shim_entries"] == total_entries - 1500
    by = {r["name"]: r for r in result["rows"]}
    for name in ("hpx", "hwpt", "hpxpy", "tracks", "tracks/hntrk", "tracks/prof", "skim", "nsel", "params",
                 "(Process return value)"):
        assert by[name]["status"] == EQUAL, proc.stdout
    assert by["params"]["detail"] == "'nbins=30 cut=0.5 label=abc every=20 option=myopt'"
    # (typed parameters arrived; PROOF's "stats" token left out of the option on both sides)
    assert by["hpx"]["detail"] == f"{total_entries - 1500} entries"
    assert {r["status"] for r in result["rows"]} == {EQUAL, NOT_COMPARED}


def test_cli_worker_dependent_selector_exits_1(data_files, tmp_path):
    pattern = os.path.join(os.path.dirname(data_files[0]), "data*.root")     # expanded by compare itself
    args = [selector_path("CmpSel.C") + "+", "--files", pattern, "--input", "CmpSel_Skew=1"]
    proc, result = _run_cli(args, tmp_path, "skew")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "DIFFERENCES FOUND: " in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("hworker"))
    assert "DIFFERENT" in line and "bin 1 content" in line      # all entries at ordinal -1 locally
    failed = [r["name"] for r in result["rows"] if r["failed"]]
    assert failed == ["hworker"]
