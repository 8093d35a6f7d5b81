"""Physicists' own PROOF drivers (issue 18, issue 14 item 8): chain.SetProof() before
TProof::Open, the worker count as Open's second argument, a process whose exit goes wrong
(a selector corrupting the heap in a global destructor, a hang), and `proofshim run a.C a.C`.

The drivers run as they would for a user: a pyroot script and `proofshim run` macros, each in a
process of its own (process exit is what is tested), on real local clusters of one worker."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import HERE, selector_path

from proofshim.cluster import url

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

MACROS = os.path.join(HERE, "macros")
COUNT_SEL = selector_path("CountSel.C") + "+"
EXIT_SEL = selector_path("ExitCrashSel.C") + "+"
# Several drivers start their clusters at once on a loaded machine: give them time.
SLOW_START = {"DASK_PROOFSHIM__CONNECT_TIMEOUT": "300"}


def _env(**extra):
    return {**os.environ, **SLOW_START, **extra}


def _pattern(data_files):
    return os.path.join(os.path.dirname(data_files[0]), "data*.root")


# ---- pure logic

@pytest.mark.parametrize("field,workers,per_host,notes", [
    ("workers=8", 8, False, 0),
    (" workers=3 , valgrind", 3, False, 1),
    ("workers=2x", 2, True, 0),
    ("workers=0", None, False, 1),          # PROOF: not positive -> default, with a warning
    ("workers=many", None, False, 1),
    ("proof.conf", None, False, 1),          # a PROOF configuration file: no effect, said once
    ("", None, False, 0),
    (None, None, False, 0),
])
def test_open_second_argument_is_read_as_proof_did(field, workers, per_host, notes):
    cfg = url.parse_config_field(field)
    assert (cfg.workers, cfg.per_host, len(cfg.notes)) == (workers, per_host, notes)


def test_open_worker_count_precedence():
    """PROOF-Lite: a count in the URL wins over Open's second argument, which wins over the
    ProofLite.Workers-like setting (proofshim.workers) and the number of cores."""
    assert url.parse_open_url("", ncpu=2, default_workers=5).workers == 5
    assert url.parse_open_url("lite:///?workers=3", ncpu=2, default_workers=5).workers == 3
    assert url.parse_open_url("lite://", ncpu=2, default=None, default_workers=None).workers == 2


# ---- the worker count on an existing cluster: at most N of its workers

def test_open_workers_argument_caps_a_scheduler_session(ROOT, proof, fresh_proof, data_files, total_entries,
                                                        capfd):
    from proofshim.face import session

    address = session.get(proof).executor.client.scheduler.address
    capped = ROOT.TProof.Open(address, "workers=1", "/etc/proof")
    try:
        assert capped and capped.IsValid() and ROOT.addressof(capped) != ROOT.addressof(proof)
        assert capped.GetParallel() == 1, "workers=1 on a 2-worker scheduler: at most 1 is used"
        err = capfd.readouterr().err
        assert "third argument (configuration directory '/etc/proof') has no effect" in err
        capped.SetParameter("CountSel_NTotal", total_entries)
        dset = ROOT.TDSet("TTree", "T")
        for f in data_files:
            dset.Add(f)
        assert capped.Process(dset, COUNT_SEL) == 0
        qr = capped.GetQueryResult()
        assert qr.GetEntries() == total_entries
        h = capped.GetOutputList().FindObject("hgid")
        assert all(h.GetBinContent(b) == 1 for b in range(1, h.GetNbinsX() + 1)), "each entry once"
        assert len(session.get(capped).executor.active_workers()) == 1
    finally:
        capped.Close()
        ROOT.gProof = proof
    assert proof.IsValid(), "closing the capped session leaves the shared one running"


# ---- a pyroot driver: SetProof before Open, Open("", "workers=1"), a crash at exit

@pytest.fixture(scope="module")
def pyroot_driver(data_files, total_entries):
    script = os.path.join(HERE, "scripts", "setproof_driver.py")
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, script, _pattern(data_files), COUNT_SEL, str(total_entries), EXIT_SEL],
                         capture_output=True, text=True, timeout=900, env=_env())
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"the driver printed no result:\n{res.stdout}\n{res.stderr}"
    return res, json.loads(lines[0][len("RESULT "):]), time.monotonic() - t0


def test_setproof_before_open_from_pyroot(pyroot_driver, total_entries):
    res, seen, _ = pyroot_driver
    # No session when Process/Draw run: PROOF's error and -1, not a silent local run.
    assert seen["no_session_process"] == -1 and seen["no_session_draw"] == -1
    assert "chain 'T' was given SetProof() but no PROOF session is open" in res.stderr
    # Open("", "workers=1"): one worker, not one per core.
    assert seen["parallel"] == 1 and seen["workers"] == 1
    assert "Starting PROOF-Lite with 1 workers" in res.stdout
    # The chain SetProof'd before Open is processed on the session opened afterwards.
    assert seen["process"] == 0 and seen["query_entries"] == total_entries
    assert seen["entries"] == total_entries and seen["bins_not_one"] == 0, "every entry exactly once"
    assert seen["draw"] == total_entries and seen["draw_queries"] >= 1, "Draw went to the session too"
    assert seen["exit_query"] == 0


def test_pyroot_driver_crashing_at_exit_dies_at_once(pyroot_driver):
    """The selector frees a block twice when the script's process exits, session still open:
    proofshim closes the session at exit and gives SIGABRT its default action back, so the
    process dies of it instead of hanging in ROOT's crash handler."""
    res, _, _ = pyroot_driver
    assert res.returncode == -signal.SIGABRT, (res.returncode, res.stderr[-3000:])


# ---- a C++ driver run three times in one process, then a crash at exit

@pytest.fixture(scope="module")
def cxx_driver_runs(data_files, total_entries, tmp_path_factory):
    macro = os.path.join(MACROS, "setproof_first.C")
    head = f'{macro}("{_pattern(data_files)}", "{COUNT_SEL}", {total_entries}'
    cmd = [sys.executable, "-m", "proofshim", "run", f"{head}, 0)", f"{head}, 0)", f'{head}, 1, "{EXIT_SEL}")']
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=_env(),
                          cwd=tmp_path_factory.mktemp("cxx_driver"))


def test_cxx_driver_setproof_first_run_again_in_one_process(cxx_driver_runs):
    """SetProof before Open, Open("", "workers=1"), from a C++ macro; and issue 14 item 8: the
    macro opens the process's first session and runs again in the same process (once
    'SystemError: error return without exception set', then a crash)."""
    res = cxx_driver_runs
    assert "SystemError" not in res.stderr and "segmentation" not in res.stderr.lower(), res.stderr[-3000:]
    for run in ("first run", "later run", "later run, with Process"):
        assert f"setproof_first: all checks passed ({run})" in res.stdout, res.stdout + res.stderr[-3000:]
    assert res.stdout.count("Starting PROOF-Lite with 1 workers") == 1, "later runs reuse the session"
    assert "chain 'T' was given SetProof() but no PROOF session is open" in res.stderr
    assert "third argument (configuration directory '/no/such/confdir') has no effect" in res.stderr


def test_cxx_driver_crashing_at_exit_ends_with_a_crash_status(cxx_driver_runs):
    """The last query's selector corrupts the heap when the process exits: `proofshim run` ends,
    with 128 + SIGABRT and a line saying that the macros had returned 0."""
    res = cxx_driver_runs
    assert res.returncode == 128 + signal.SIGABRT, (res.returncode, res.stderr[-3000:])
    assert "proofshim run: the process was killed by SIGABRT while exiting, after the macros returned 0" \
        in res.stderr


# ---- process exit going wrong in other ways: each run bounded, with a status that says what happened

EXIT_CASES = {
    # name: (option, macro status, gSystem->Exit from the macro, exit-timeout)
    "self-exit-free-twice": ("free-twice-at-exit", 4, 1, "30"),
    "hang-in-crash-handler": ("hang-in-crash-handler", 5, 0, "10"),
    "hang-at-exit": ("hang-at-exit", 6, 0, "5"),
    "self-exit-clean": ("", 7, 1, "30"),
}


@pytest.fixture(scope="module")
def exit_runs(tmp_path_factory):
    """Every case at once (each starts its own one-worker cluster); name -> (result, seconds)."""
    macro = os.path.join(MACROS, "exit_driver.C")
    procs = {}
    for name, (option, status, selfexit, timeout) in EXIT_CASES.items():
        cmd = [sys.executable, "-m", "proofshim", "run", f'{macro}("{EXIT_SEL}", "{option}", {status}, {selfexit})']
        procs[name] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=_env(DASK_PROOFSHIM__EXIT_TIMEOUT=timeout),
                                        cwd=tmp_path_factory.mktemp(name), start_new_session=True),
                       time.monotonic())
    results = {}
    for name, (proc, t0) in procs.items():
        try:
            out, err = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            results[name] = (subprocess.CompletedProcess(proc.args, None, out, err), None)
            continue
        results[name] = (subprocess.CompletedProcess(proc.args, proc.returncode, out, err), time.monotonic() - t0)
    return results


def _exit_case(exit_runs, name):
    res, seconds = exit_runs[name]
    assert seconds is not None, f"proofshim run did not return ({name}):\n{res.stdout}\n{res.stderr[-3000:]}"
    assert "exit_driver: query done" in res.stdout, res.stdout + res.stderr[-3000:]
    return res


def test_heap_corruption_during_a_macros_own_gsystem_exit(exit_runs):
    """The macro ends the process itself (gSystem->Exit(4)) and the selector's global destructor
    corrupts the heap: the exit guard gave SIGABRT its default action back before ROOT's clean-up."""
    res = _exit_case(exit_runs, "self-exit-free-twice")
    assert res.returncode == 128 + signal.SIGABRT, (res.returncode, res.stderr[-3000:])
    assert "killed by SIGABRT while exiting, which a macro started" in res.stderr


def test_crash_that_hangs_in_roots_handler_is_killed_and_reported_as_a_crash(exit_runs):
    """The destructor hands SIGABRT back to ROOT's handler, then corrupts the heap: the handler
    waits for malloc's lock for ever. Killed after exit-timeout (10 s), reported as the crash."""
    res = _exit_case(exit_runs, "hang-in-crash-handler")
    assert res.returncode == 128 + signal.SIGABRT, (res.returncode, res.stderr[-3000:])
    assert ("the process crashed (SIGABRT) after the macros returned 5 and hung in the crash handler: "
            "killed after 10 s") in res.stderr


def test_exit_that_never_ends_is_killed_with_the_macros_status(exit_runs):
    res = _exit_case(exit_runs, "hang-at-exit")
    assert res.returncode == 6, (res.returncode, res.stderr[-3000:])
    assert "the process did not exit within 5 s after the macros returned 6: killed" in res.stderr


def test_clean_gsystem_exit_keeps_its_status(exit_runs):
    res = _exit_case(exit_runs, "self-exit-clean")
    assert res.returncode == 7, (res.returncode, res.stderr[-3000:])
    assert "proofshim run:" not in res.stderr


# ---- the migration guide's word on `from ROOT import *`

def test_from_root_import_star_is_refused_as_the_guide_says_and_its_replacement_works():
    guide = open(os.path.join(HERE, "..", "docs", "MIGRATION.md")).read()
    star = subprocess.run([sys.executable, "-c", "from ROOT import *"], capture_output=True, text=True,
                          timeout=300)
    assert star.returncode != 0
    message = star.stderr.strip().splitlines()[-1]
    assert message.startswith("Wildcard import") and message in guide, message
    # The guide's replacement: explicit names, after import proofshim (which brings the PROOF classes).
    code = ("import ROOT\nimport proofshim\nfrom ROOT import TChain, TProof, TDSet, TH1F, gROOT, gProof\n"
            "assert TProof.Open and TDSet('TTree', 'T').GetType() and not gProof\nprint('imports ok')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=_env())
    assert res.returncode == 0 and "imports ok" in res.stdout, res.stderr[-2000:]
