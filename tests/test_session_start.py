"""TProof::Open of a local session returns while its embedded cluster starts (issue 15: Open <= 1 s):
the session is usable at once, what needs the workers waits for them (bounded, Ctrl-C interrupts
the wait), a cluster that does not start is a clear error at the first use, a wrong option still
fails Open itself, and no process outlives its client, whatever moment it dies at.

Behaviour only: how fast Open is, is measured by benchmarks/session_overhead.py. Each test runs a
driver of its own (a fresh process: Open's start is what is tested, the shared session is started).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from conftest import finish_driver, selector_path, start_driver

pytestmark = pytest.mark.slow

_HEAD = textwrap.dedent('''
    import os, sys, warnings
    warnings.filterwarnings("ignore")
    import ROOT
    ROOT.gROOT.SetBatch(True)
    import proofshim
    from proofshim.face import session
    files, sel, total = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])

    def chain():
        c = ROOT.TChain("T")
        for f in files:
            c.Add(f)
        c.SetProof()
        return c

    def check(proof, what):
        h = proof.GetOutputList().FindObject("hgid")
        once = h and all(h.GetBinContent(b) == 1 for b in range(1, total + 1))
        print(what, "ENTRIES", int(h.GetEntries()) if h else -1, "ONCE", bool(once), flush=True)
''')

_USABLE = _HEAD + textwrap.dedent('''
    p = ROOT.TProof.Open("workers=2")
    print("STARTING", session.get(p).executor.starting(), flush=True)
    assert p.IsValid() and p.GetParallel() == 2 and ROOT.gProof == p
    p.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total)
    rc = chain().Process(sel)
    print("RC", rc, flush=True)
    check(p, "FIRST")
    print("SLAVES", p.GetListOfSlaveInfos().GetSize(), flush=True)
    p.Close()
    print("DONE", flush=True)
''')

_FAILED_START = _HEAD + textwrap.dedent('''
    import dask
    dask.config.set({"proofshim.connect-timeout": 0.01})   # the cluster cannot be up in time
    p = ROOT.TProof.Open("workers=2")
    print("OPENED", bool(p and p.IsValid()), flush=True)
    print("RC1", chain().Process(sel), flush=True)
    print("RC2", chain().Process(sel), flush=True)
    p.Close()
    print("DONE", flush=True)
''')

_CTRL_C = _HEAD + textwrap.dedent('''
    import signal, threading, time
    # Whether Python's handler saw the Ctrl-C: a run where the signal never reached it says
    # nothing about proofshim (seen once per CI run, never reproduced; the disposition inherited
    # is printed to tell).
    handled = []
    print("INHERITED", "ignored" if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else "default", flush=True)

    def on_sigint(signum, frame):
        handled.append(time.monotonic())
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, on_sigint)
    # Compiled and loaded before Open: a compile inside Process (cold cache) would take the Ctrl-C
    # in ACLiC instead, and the workers would be up before Process waits for them.
    ROOT.gROOT.ProcessLine(".L " + sel)
    p = ROOT.TProof.Open("workers=2")
    p.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total)
    c = chain()

    def ctrl_c_in_the_wait():
        # The Ctrl-C goes once the main thread waits for the workers: a signal sent from outside
        # after a fixed delay may arrive before or after that wait on a loaded machine.
        main, deadline = threading.main_thread().ident, time.monotonic() + 120
        while time.monotonic() < deadline:
            frame, names = sys._current_frames().get(main), set()
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            if "wait_started" in names:
                print("SIGINT", session.get(p).executor.starting(), flush=True)
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.002)
        print("NEVER WAITED", flush=True)

    threading.Thread(target=ctrl_c_in_the_wait, daemon=True).start()
    try:
        print("PROCESSING", session.get(p).executor.starting(), flush=True)
        rc = c.Process(sel)       # waits for the workers: Ctrl-C arrives meanwhile
    except KeyboardInterrupt:     # (not expected: the wait takes it)
        rc = "interrupted"
    print("RC1", rc, flush=True)
    print("HANDLED", bool(handled), flush=True)
    rc = c.Process(sel)
    print("RC2", rc, flush=True)
    check(p, "SECOND")
    p.Close()
    print("DONE", flush=True)
''')

_DIES = _HEAD + textwrap.dedent('''
    p = ROOT.TProof.Open("workers=2")
    print("STARTING", session.get(p).executor.starting(), flush=True)
    os._exit(0)                   # the client dies while its cluster starts
''')


def _marked(tag: str) -> list[int]:
    """Processes (any depth, any session) that inherited the driver's marker variable."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if f"PROOFSHIM_START_TEST={tag}".encode() + b"\0" in fh.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _none_left(tag: str, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    left = _marked(tag)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = _marked(tag)
    return left


def _driver(code: str, data_files, total_entries, marker: str):
    tag = uuid.uuid4().hex
    os.environ["PROOFSHIM_START_TEST"] = tag
    try:
        proc, lines = start_driver(["-c", code, ",".join(data_files), selector_path("CountSel.C+"),
                                    str(total_entries)], marker=marker)
    finally:
        del os.environ["PROOFSHIM_START_TEST"]
    return proc, lines, tag


def test_open_returns_while_the_workers_start_and_the_first_query_waits_for_them(data_files, total_entries):
    proc, lines, tag = _driver(_USABLE, data_files, total_entries, "STARTING")
    out, err = finish_driver(proc, lines)
    assert proc.returncode == 0, out + err
    # PROOF's Open lines as before, and Open did not wait for the cluster.
    assert " +++ Starting PROOF-Lite with 2 workers +++" in out and "PROOF set to parallel mode (2 workers)" in out
    assert "STARTING True" in out
    assert "RC 0" in out and f"FIRST ENTRIES {total_entries} ONCE True" in out, out + err
    assert "SLAVES 2" in out and "DONE" in out
    assert not _none_left(tag)


def test_a_cluster_that_does_not_start_is_a_clear_error_at_first_use(data_files, total_entries):
    proc, lines, tag = _driver(_FAILED_START, data_files, total_entries, "OPENED")
    out, err = finish_driver(proc, lines)
    assert proc.returncode == 0, out + err
    assert "OPENED True" in out and "RC1 -1" in out and "RC2 -1" in out and "DONE" in out
    # The first use names what did not start; the next says the session could not start.
    assert "Error in <TProof::Process>: the local dask cluster of 2 workers did not start within" in err, err
    assert "the session could not start" in err, err
    assert not _none_left(tag)


def test_ctrl_c_while_the_first_query_waits_for_the_workers(data_files, total_entries):
    proc, lines, tag = _driver(_CTRL_C, data_files, total_entries, "PROCESSING")
    assert lines[-1].split() == ["PROCESSING", "True"], "the workers were up before Process"
    out, err = finish_driver(proc, lines)
    assert proc.returncode == 0, out + err
    assert "SIGINT True" in out, out + err     # sent while the workers were still starting
    if "HANDLED False" in out:
        pytest.skip("the SIGINT sent to the driver never reached Python's handler (" +
                    next((ln for ln in out.splitlines() if ln.startswith("INHERITED")), "?") + ")")
    assert "RC1 -1" in out and "Ctrl-C" in err, out + err   # the first query ended, said why
    assert "RC2 0" in out and f"SECOND ENTRIES {total_entries} ONCE True" in out, out + err
    assert "DONE" in out
    assert "Traceback" not in err, err      # neither the client nor its cluster's host broke
    assert not _none_left(tag)


def test_a_client_dying_while_its_cluster_starts_leaves_no_process(data_files, total_entries):
    proc, lines, tag = _driver(_DIES, data_files, total_entries, "STARTING")
    out, err = finish_driver(proc, lines)
    assert "STARTING True" in out, out + err
    assert not _none_left(tag), "the embedded cluster (or a worker) outlived its client"


def test_import_proofshim_starts_no_process():
    code = ("import warnings; warnings.filterwarnings('ignore'); import os, ROOT, proofshim; ROOT.gROOT; "
            "me = str(os.getpid()); kids = [p for p in os.listdir('/proc') if p.isdigit() and "
            "open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[1] == me]; print('CHILDREN', len(kids))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "CHILDREN 0" in res.stdout, res.stdout + res.stderr


def test_a_wrong_memory_limit_still_fails_open():
    code = ("import warnings; warnings.filterwarnings('ignore'); import dask, os, ROOT, proofshim; "
            "dask.config.set({'proofshim.memory-limit': 'lots'}); p = ROOT.TProof.Open('workers=2'); "
            "me = str(os.getpid()); kids = [q for q in os.listdir('/proc') if q.isdigit() and "
            "open(f'/proc/{q}/stat').read().rsplit(')', 1)[1].split()[1] == me]; "
            "print('OPENED', bool(p), 'CHILDREN', len(kids))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "OPENED False CHILDREN 0" in res.stdout, res.stdout + res.stderr
    assert "Error in <TProof::Open>: proofshim.memory-limit is 'lots'" in res.stderr, res.stderr
