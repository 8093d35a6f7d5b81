"""Every program in legacy_examples/ runs unmodified through the shim (2 real dask workers), and its
outputs equal a one-process run of the same program with --local, object by object, bin by bin."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import assert_hist_equal

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = [
    ("makeselector", "run_proof.py", []),
    ("treereader_params", "run_proof.py", []),
    ("pyroot_driver", "run_analysis.py", ["-w", "2"]),
    ("tdset_friends", "run_proof.py", []),
    ("cycle_generator", "run_proof.py", []),
    ("named_dataset", "run_proof.py", []),
    ("tpyselector", "run_proof.py", []),
    ("draw_proof", "draw_proof.py", []),
]


# The C++ driver examples and the test that runs each (the Python ones are EXAMPLES above).
MACRO_EXAMPLES = {
    "cxx_driver": "tests/test_legacy_examples.py::test_cxx_driver_macro_matches_one_process_run",
    "ntuple_outputfile": "tests/test_legacy_examples.py::test_ntuple_outputfile_macro_matches_one_process_run",
    "par_package": "tests/test_legacy_examples.py::test_par_package_macro_matches_one_process_run",
    "proof_design": "tests/test_original_forms.py::test_proof_design_example_matches_one_process_run",
}
GALLERY = os.path.join(ROOT_DIR, "legacy_examples", "README.md")


def gallery() -> dict[str, str]:
    """legacy_examples/README.md's table: example -> the line it prints."""
    rows = {}
    with open(GALLERY) as fh:
        for line in fh:
            if not line.startswith("| ["):
                continue
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows[re.match(r"\[(\w+)\]", cells[0])[1]] = re.fullmatch(r"`(.*)`", cells[3])[1]
    return rows


def check_gallery_line(example: str, stdout: str) -> None:
    """The gallery's 'prints' column is true of the run."""
    line = gallery()[example]
    assert line in stdout, f"legacy_examples/README.md says {example} prints {line!r}:\n{stdout}"


def test_gallery_lists_every_example_and_every_example_has_a_test():
    here = os.path.join(ROOT_DIR, "legacy_examples")
    examples = {d for d in os.listdir(here) if os.path.isdir(os.path.join(here, d)) and not d.startswith(".")}
    assert set(gallery()) == examples, "legacy_examples/README.md lists exactly the examples"
    assert {e[0] for e in EXAMPLES} | set(MACRO_EXAMPLES) == examples, "every example is run by a test"
    for test in MACRO_EXAMPLES.values():
        path, name = test.split("::")
        with open(os.path.join(ROOT_DIR, path)) as fh:
            assert f"def {name}(" in fh.read(), test


def _run(script, args, cwd, data):
    env = dict(os.environ, PROOFSHIM_EXAMPLE_DATA=str(data))
    res = subprocess.run([sys.executable, script, *args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, f"{script} {args} failed:\n{res.stdout}\n{res.stderr}"
    return res


def _objects(ROOT, path):
    f = ROOT.TFile.Open(str(path))
    assert f and not f.IsZombie(), path
    objs = {}

    def walk(d, prefix):
        for key in d.GetListOfKeys():
            obj = key.ReadObj()
            name = prefix + key.GetName()
            if obj.InheritsFrom("TDirectory"):
                walk(obj, name + "/")
            else:
                if obj.InheritsFrom("TH1"):
                    obj.SetDirectory(ROOT.nullptr)
                objs[name] = obj
    walk(f, "")
    return f, objs


def _compare(ROOT, shim, local):
    assert set(shim) == set(local), f"different objects: {sorted(set(shim) ^ set(local))}"
    compared = 0
    for name, obj in local.items():
        other = shim[name]
        if obj.InheritsFrom("TH1"):
            assert_hist_equal(other, obj, name)
            compared += 1
        elif obj.InheritsFrom("TParameter<Long64_t>") or hasattr(obj, "GetVal"):
            assert other.GetVal() == obj.GetVal(), name
            compared += 1
        elif obj.InheritsFrom("TCollection"):
            a = {o.GetName(): o for o in obj}
            b = {o.GetName(): o for o in other}
            assert set(a) == set(b), name
            for k in a:
                if a[k].InheritsFrom("TH1"):
                    assert_hist_equal(b[k], a[k], f"{name}/{k}")
                    compared += 1
    assert compared > 0, "nothing comparable in the outputs"


@pytest.mark.parametrize("example,script,args", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_matches_one_process_run(ROOT, example, script, args, tmp_path):
    path = os.path.join(ROOT_DIR, "legacy_examples", example, script)
    data = tmp_path / "data"
    shim_out, local_out = tmp_path / "shim.root", tmp_path / "local.root"
    res = _run(path, [*args, "--out", str(shim_out)], tmp_path, data)
    assert "PROOF set to parallel mode" in res.stdout, "the example went through the shim"
    check_gallery_line(example, res.stdout)
    _run(path, [*args, "--local", "--out", str(local_out)], tmp_path, data)
    f1, shim = _objects(ROOT, shim_out)
    f2, local = _objects(ROOT, local_out)
    _compare(ROOT, shim, local)


def _proofshim_run(macro, cwd, env=None):
    # TProof::Open("") takes one worker per core; two on every machine keep the printed lines fixed.
    env = dict(env or os.environ, DASK_PROOFSHIM__WORKERS="2")
    res = subprocess.run([sys.executable, "-m", "proofshim", "run", macro], cwd=cwd, capture_output=True,
                         text=True, timeout=600, env=env)
    assert res.returncode == 0, f"proofshim run {macro} failed:\n{res.stdout}\n{res.stderr}"
    return res


def _macro_example(ROOT, tmp_path, example, macro_name):
    """Run an example's C++ driver through the shim and through its no-PROOF branch (kFALSE) on
    data from its make_data.py; compare the two output files. Returns the shim run."""
    here = os.path.join(ROOT_DIR, "legacy_examples", example)
    data = tmp_path / "data"
    subprocess.run([sys.executable, os.path.join(here, "make_data.py"), str(data)], check=True,
                   capture_output=True, timeout=300)
    macro = os.path.join(here, macro_name)
    shim_out, local_out = tmp_path / "shim.root", tmp_path / "local.root"
    res = _proofshim_run(f'{macro}("{data}", "{shim_out}")', tmp_path)
    assert "PROOF set to parallel mode" in res.stdout
    check_gallery_line(example, res.stdout)
    _proofshim_run(f'{macro}("{data}", "{local_out}", kFALSE)', tmp_path)
    f1, shim = _objects(ROOT, shim_out)
    f2, local = _objects(ROOT, local_out)
    _compare(ROOT, shim, local)
    return res


def test_cxx_driver_macro_matches_one_process_run(ROOT, tmp_path):
    """The C++ driver macro, run unmodified with `proofshim run`, against its own no-PROOF branch."""
    res = _macro_example(ROOT, tmp_path, "cxx_driver", "run_proof.C")
    m = re.search(r"workers seen: (\d+), data dirs ok: (\d+)", res.stdout)
    assert m and m[1] == m[2] and int(m[1]) >= min(2, os.cpu_count() or 1), \
        "gProofServ's ordinal and data directory on each worker"


def test_ntuple_outputfile_macro_matches_one_process_run(ROOT, tmp_path):
    """TProofOutputFile in merge and dataset modes from a cycle-driven generator, via proofshim run."""
    macro = os.path.join(ROOT_DIR, "legacy_examples", "ntuple_outputfile", "run_ntuple.C")
    env = dict(os.environ, DASK_PROOFSHIM__DATASET_DIR=str(tmp_path / "datasets"))
    res = _proofshim_run(f'{macro}("{tmp_path / "shim"}", 30000)', tmp_path, env)
    check_gallery_line("ntuple_outputfile", res.stdout)
    assert "data set ntuple_parts" in res.stderr
    (tmp_path / "local").mkdir()
    _proofshim_run(f'{macro}("{tmp_path / "local"}", 30000, kFALSE)', tmp_path / "local", env)
    f1, shim = _objects(ROOT, tmp_path / "shim" / "summary.root")
    f2, local = _objects(ROOT, tmp_path / "local" / "summary.root")
    _compare(ROOT, shim, local)


def test_par_package_macro_matches_one_process_run(ROOT, tmp_path):
    """A selector needing a PAR package's helper class, via UploadPackage/EnablePackage."""
    res = _macro_example(ROOT, tmp_path, "par_package", "run_par.C")
    assert "Enabled packages on the workers" in res.stdout and "DiMuon" in res.stdout
