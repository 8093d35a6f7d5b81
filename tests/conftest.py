"""Shared test fixtures: ROOT, one PROOF session (a real local dask cluster of 2 worker
processes) for the whole run, real ROOT files made here, and the test selectors."""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings

import pytest

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha")

HERE = os.path.dirname(os.path.abspath(__file__))

# A test run leaves nothing in /tmp or ~/.proof. TMPDIR points every process of the run (ROOT, dask
# workers and directories, drivers, servers, pytest's own tmp_path) at one directory of the run's
# own, so that whatever is left in it at the end, besides pytest's tmp_path tree, was left by this
# run (a shared /tmp could not tell other programs' files from ours); it is removed when the run
# passes. 0711: xrootd, run as its own user when we are root, reaches its data dirs inside.
# Under pytest-xdist every worker process is a run of its own (its TMPDIR, marker and end checks),
# its directory made beside the controller's, not inside it: xrootd refuses long admin paths.
RUN_TMP = tempfile.mkdtemp(prefix=f"proofshim-tests-{os.getpid()}-",
                           dir=os.environ.setdefault("PROOFSHIM_TESTS_TMP_BASE", tempfile.gettempdir()))
os.chmod(RUN_TMP, 0o711)
os.environ["TMPDIR"] = RUN_TMP
tempfile.tempdir = RUN_TMP
HOME_PROOF = os.path.join(os.path.expanduser("~"), ".proof")


def tree_state(top: str) -> dict[str, int]:
    """Every path under `top` (and `top`) -> its modification time, to tell what a run changed."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in [""] + dirnames + filenames:
            path = os.path.join(dirpath, name) if name else dirpath
            try:
                state[path] = os.lstat(path).st_mtime_ns
            except OSError:
                continue
    return state


HOME_PROOF_AT_START = tree_state(HOME_PROOF)


def leftovers(run_tmp: str, proof_dir: str, proof_at_start: dict[str, int]) -> list[str]:
    """What a run left in its TMPDIR `run_tmp` and changed in `proof_dir` (~/.proof) since
    `proof_at_start` (its tree_state then). Not counted: pytest's tmp_path tree, and dask's own
    scratch space (dask-scratch-space: lock files dask leaves there for the clusters some tests
    start themselves; proofshim's clusters work in their session directories)."""
    left = [os.path.join(run_tmp, n) for n in sorted(os.listdir(run_tmp))
            if not n.startswith("pytest-of-") and n != "dask-scratch-space"]
    now = tree_state(proof_dir)
    left += [f"{p} (in {proof_dir})" for p in sorted(now) if proof_at_start.get(p) != now[p]]
    left += [f"{p} (removed from {proof_dir})" for p in sorted(set(proof_at_start) - set(now))]
    return left

# Every process this test run starts (drivers, local clusters, dask workers) inherits this marker,
# so that the run can check at its end that none of them is left behind.
RUN_MARKER = f"PROOFSHIM_TEST_RUN={os.getpid()}"
os.environ["PROOFSHIM_TEST_RUN"] = str(os.getpid())


def _marked_processes() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if RUN_MARKER.encode() + b"\0" in fh.read():
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


@pytest.hookimpl(trylast=True)   # after the session fixtures (the shared cluster) are torn down
def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a process it started outlives it (bounded wait for clusters shutting down)."""
    import time  # noqa: PLC0415

    deadline = time.monotonic() + 30
    left = _marked_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = _marked_processes()
    if left:
        cmds = []
        for pid in left:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
                cmds.append(f"{pid}: {cmd[:160]}")
            except OSError:
                continue
        if cmds:
            print("\nstray processes left by the test run:\n  " + "\n  ".join(cmds))
            session.exitstatus = 1
    left = leftovers(RUN_TMP, HOME_PROOF, HOME_PROOF_AT_START)
    if left:
        print("\nfiles left by the test run in its TMPDIR, or changed in ~/.proof (tests must remove "
              "what they make, and use tmp_path or a private dataset-dir):\n  " + "\n  ".join(left))
        session.exitstatus = 1
    if session.exitstatus == 0:
        shutil.rmtree(RUN_TMP, ignore_errors=True)
    else:
        print(f"\nthe test run's temporary files are kept in {RUN_TMP}")
SELECTORS = os.path.join(HERE, "selectors")

# Uneven on purpose: a one-entry file, a small one, large ones.
FILE_SIZES = [1, 2500, 7000, 333, 12000, 4000]

_MAKE_FILE = r"""
#include "TFile.h"
#include "TTree.h"
#include "TRandom3.h"
#include <vector>
void proofshim_test_make_file(const char *name, Long64_t n, Long64_t gid0, int seed, const char *dir)
{
   TFile f(name, "RECREATE");
   TDirectory *d = &f;
   if (dir && *dir) d = f.mkdir(dir);
   d->cd();
   TTree t("T", "proofshim test tree");
   Long64_t gid; Float_t px, py; Int_t ntrk; std::vector<float> trkpt;
   t.Branch("gid", &gid); t.Branch("px", &px); t.Branch("py", &py);
   t.Branch("ntrk", &ntrk); t.Branch("trkpt", &trkpt);
   TRandom3 r(seed);
   for (Long64_t i = 0; i < n; ++i) {
      gid = gid0 + i; px = r.Gaus(); py = r.Gaus(); ntrk = r.Poisson(4);
      trkpt.clear();
      for (int k = 0; k < ntrk; ++k) trkpt.push_back(r.Exp(1.5));
      t.Fill();
   }
   t.Write();
   f.Close();
}
"""


@pytest.fixture(scope="session")
def ROOT():
    import ROOT as _ROOT  # noqa: N811

    _ROOT.gROOT.SetBatch(True)
    return _ROOT


@pytest.fixture(scope="session")
def make_files(ROOT):
    """make_files(directory, sizes, dir='') -> list of paths; gid runs over all files in order."""
    ROOT.gInterpreter.Declare(_MAKE_FILE)

    def make(directory, sizes, subdir=""):
        os.makedirs(directory, exist_ok=True)
        paths, gid0 = [], 0
        for i, n in enumerate(sizes):
            path = os.path.join(str(directory), f"data{i}.root")
            ROOT.proofshim_test_make_file(path, n, gid0, 1000 + i, subdir)
            paths.append(path)
            gid0 += n
        return paths

    return make


@pytest.fixture(scope="session")
def data_files(make_files, tmp_path_factory):
    return make_files(tmp_path_factory.mktemp("data"), FILE_SIZES)


@pytest.fixture(scope="session")
def total_entries():
    return sum(FILE_SIZES)


@pytest.fixture(scope="session")
def proof(ROOT):
    """The one PROOF session of the test run: TProof.Open("workers=2") after import proofshim."""
    import proofshim  # noqa: F401

    p = ROOT.TProof.Open("workers=2")
    assert p and p.IsValid(), "TProof.Open('workers=2') failed"
    yield p
    p.Close()


@pytest.fixture()
def fresh_proof(proof, ROOT):
    """The shared session with an empty input list, made gProof again."""
    proof.ClearInput()
    ROOT.gProof = proof
    yield proof
    proof.ClearInput()


@pytest.fixture()
def chain(ROOT, data_files):
    def make(files=None, name="T"):
        c = ROOT.TChain(name)
        for f in files or data_files:
            c.Add(f)
        return c

    return make


def file_collection(ROOT, files, tree="T"):
    """A TFileCollection of `files` with default tree `tree`."""
    fc = ROOT.TFileCollection("fc")
    for f in files:
        fi = ROOT.TFileInfo(f)
        ROOT.SetOwnership(fi, False)
        fc.Add(fi)
    fc.SetDefaultTreeName(tree)
    return fc


def start_driver(args, marker="PROCESSING", timeout=240):
    """Start a driver script in its own process group; return (process, lines up to `marker`)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    reached, lines = read_until(proc, marker, timeout)
    if reached:
        return proc, lines
    proc.kill()
    pytest.fail(f"the driver did not reach '{marker}': {''.join(lines)}{proc.stderr.read()}")


def read_until(proc, marker, timeout):
    """Read `proc`'s stdout up to a line starting with `marker` (for at most `timeout` s between
    lines and in all): (whether it came, the lines read)."""
    import time  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(marker):
            return True, lines
    return False, lines


def finish_driver(proc, lines, timeout=180):
    """Wait (bounded) for a driver started by start_driver; return (all stdout, stderr)."""
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the driver did not finish within {timeout} s")
    return "".join(lines) + out, err


def selector_path(name: str) -> str:
    return os.path.join(SELECTORS, name)


def outputs_by_name(lst) -> dict:
    return {o.GetName(): o for o in lst}


def local_run(ROOT, files, sel_source, inputs=(), option="", nentries=None, first=0):
    """Process the files in this process with plain ROOT (no shim) and return the selector's outputs."""
    c = ROOT.TChain("T")
    for f in files:
        c.Add(f)
    sel = ROOT.TSelector.GetSelector(sel_source)
    assert sel, f"cannot load {sel_source} locally"
    # The list owns copies: callers pass temporaries (`inputs=[ROOT.TParameter(...)]`) that Python
    # deletes when the call returns, and the returned list, destroyed later, would read them (a
    # use after free that crashed the test process now and then).
    inp = ROOT.TList()
    inp.SetOwner(True)
    for obj in inputs:
        copy = obj.Clone()
        ROOT.SetOwnership(copy, False)
        inp.Add(copy)
    sel.SetInputList(inp)
    if nentries is None:
        c.Process(sel, option)
    else:
        c.Process(sel, option, nentries, first)
    return sel, inp, c


def assert_hist_equal(a, b, what=""):
    """Bin-by-bin equality, overflow included: contents, errors and entries."""
    assert a.GetEntries() == b.GetEntries(), f"{what}: entries {a.GetEntries()} != {b.GetEntries()}"
    n = (a.GetNbinsX() + 2) * (a.GetNbinsY() + 2) * (a.GetNbinsZ() + 2)
    assert n == (b.GetNbinsX() + 2) * (b.GetNbinsY() + 2) * (b.GetNbinsZ() + 2)
    for i in range(n):
        assert a.GetBinContent(i) == pytest.approx(b.GetBinContent(i), rel=1e-9, abs=1e-12), \
            f"{what}: bin {i} content {a.GetBinContent(i)} != {b.GetBinContent(i)}"
        assert a.GetBinError(i) == pytest.approx(b.GetBinError(i), rel=1e-9, abs=1e-12), \
            f"{what}: bin {i} error"


# The modules that take longest (each starts its own drivers and clusters), longest first. With
# pytest-xdist's `--dist loadfile --no-loadscope-reorder` (pyproject.toml) files are handed out in
# collection order, so starting with these lets the workers finish together; a module missing from
# the list only runs later, nothing else changes.
LONGEST_FIRST = ["test_benchmarks.py", "test_legacy_examples.py", "test_tutorial_forms.py", "test_lost_workers.py",
                 "test_remote_cluster.py", "test_original_forms.py", "test_stop.py", "test_hangs.py",
                 "test_macros.py", "test_drivers.py", "test_concurrent_clients.py", "test_security.py",
                 "test_dead_scheduler.py", "test_session_start.py", "test_newcomer.py", "test_compare.py"]


def pytest_collection_modifyitems(config, items):
    """Collected tests, their modules ordered longest first (LONGEST_FIRST), each module's own
    order kept (sorted() is stable)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items[:] = sorted(items, key=lambda item: rank.get(item.path.name, len(rank)))
