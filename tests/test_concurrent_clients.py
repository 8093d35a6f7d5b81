"""Several clients on one dask cluster at once (issue 13, item 1): two real client processes, each
with its own selector and data, run their queries side by side on the same `dask scheduler` and
`dask worker` processes; every query of each is exact (every entry once, histograms equal to a
one-process run), and a third client killed in the middle of a query leaves nothing behind that
disturbs them: its selectors on the workers are reclaimed once its query is abandoned."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from conftest import HERE, assert_hist_equal, local_run, read_until, selector_path
from test_remote_cluster import DaskCluster

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

DRIVER = os.path.join(HERE, "scripts", "client_driver.py")
COUNT = selector_path("CountSel.C") + "+"
SLOW = selector_path("SlowSel.C") + "+"
N_SLOW = 4000      # 1 ms each


def _start(args, tmp_path, name):
    err = open(tmp_path / f"{name}.err", "w")
    proc = subprocess.Popen([sys.executable, DRIVER, *args], stdout=subprocess.PIPE, stderr=err, text=True,
                            start_new_session=True)
    proc.err_path = tmp_path / f"{name}.err"
    return proc


def _read_until(proc, marker, timeout=240):
    reached, lines = read_until(proc, marker, timeout)
    if reached:
        return lines
    pytest.fail(f"client did not reach {marker}: {''.join(lines)}{proc.err_path.read_text()[-3000:]}")


def _queries(out):
    return [(int(i), int(rc), int(n), float(a), float(b)) for i, rc, n, a, b in
            re.findall(r"QUERY (\d+) RC (-?\d+) ENTRIES (\d+) START ([\d.]+) END ([\d.]+)", out)]


@pytest.fixture()
def shared_cluster(tmp_path_factory, ROOT):
    # Abandoned selectors may be reclaimed after 3 s idle on these workers (60 s by default).
    from proofshim.util import runtime

    # The client's compile cache: the workers find the selectors the session compiled.
    cluster = DaskCluster(str(tmp_path_factory.mktemp("shared-cluster")), runtime.cache_dir(),
                          extra_env={"DASK_PROOFSHIM__RECLAIM_IDLE": "3"})
    try:
        cluster.start(2)
        yield cluster
    finally:
        cluster.stop()


def test_two_clients_at_once_both_exact_and_an_abandoned_client_is_reclaimed(
        ROOT, shared_cluster, make_files, tmp_path):
    from distributed import Client

    from proofshim.worker import slots

    sizes = [3000, 9000, 6000]
    files = make_files(tmp_path / "a", sizes)
    total = sum(sizes)
    go = str(tmp_path / "go")
    a = _start([shared_cluster.address, go, str(tmp_path / "a-out"), "count", COUNT, str(total), "3", *files],
               tmp_path, "a")
    b = _start([shared_cluster.address, go, str(tmp_path / "b-out"), "slow", SLOW, str(N_SLOW), "2"],
               tmp_path, "b")
    # A third client whose long query is abandoned: killed while its packets run.
    c = _start([shared_cluster.address, go + "-c", str(tmp_path / "c-out"), "slow", SLOW, "40000", "1"],
               tmp_path, "c")
    procs = [a, b, c]
    try:
        out_a, out_b = _read_until(a, "READY"), _read_until(b, "READY")
        _read_until(c, "READY")
        open(go + "-c", "w").close()
        time.sleep(4)                               # c's selectors now hold packets on both workers
        with Client(shared_cluster.address, timeout="30s", set_as_default=False) as client:
            held = client.run(slots.held_queries)
            assert all(held.values()), f"the third client's query runs on every worker: {held}"
            abandoned = {q for h in held.values() for q in h}
            os.killpg(c.pid, signal.SIGKILL)
            c.wait(10)
            open(go, "w").close()                   # a and b start together
            for p in (a, b):
                p.wait(300)
            out_a += a.stdout.read()
            out_b += b.stdout.read()
            # The killed client's packets have ended (those running when it died ran on; its
            # queued ones were cancelled by the scheduler) and its selectors idle for 3 s: the
            # scheduler has forgotten its query, so a worker drops them when a slot begins.
            time.sleep(4)
            reclaim = [client.submit(slots.reclaim_abandoned, workers=[w], pure=False) for w in held]
            client.gather(reclaim)
            left = client.run(slots.held_queries)
        qa, qb = _queries("".join(out_a)), _queries("".join(out_b))
        assert a.returncode == 0 and b.returncode == 0, a.err_path.read_text()[-3000:] + b.err_path.read_text()[-3000:]
        assert [q[:3] for q in qa] == [(i, 0, total) for i in range(3)], out_a
        assert [q[:3] for q in qb] == [(i, 0, N_SLOW) for i in range(2)], out_b
        # They ran side by side: b's queries overlap a's in time.
        assert any(sa < eb and sb < ea for _, _, _, sa, ea in qa for _, _, _, sb, eb in qb), (qa, qb)
        assert not any(q in abandoned for h in left.values() for q in h), \
            f"the killed client's selectors are reclaimed: {left}"
        assert "Error" not in a.err_path.read_text() + b.err_path.read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    # Every query of a: histograms equal a one-process run, every entry once.
    sel, _, _ = local_run(ROOT, files, COUNT, inputs=[ROOT.TParameter["Long64_t"]("CountSel_NTotal", total)])
    local = {o.GetName(): o for o in sel.GetOutputList()}
    for i in range(3):
        f = ROOT.TFile(str(tmp_path / f"a-out-{i}.root"))
        hgid = f.Get("hgid")
        assert [hgid.GetBinContent(k) for k in range(1, total + 1)] == [1.0] * total, f"query {i} of a"
        for name in ("hpx", "hpxpy", "prof"):
            assert_hist_equal(f.Get(name), local[name], f"a query {i} {name}")
        f.Close()
    for i in range(2):
        f = ROOT.TFile(str(tmp_path / f"b-out-{i}.root"))
        hidx = f.Get("hidx")
        assert [hidx.GetBinContent(k) for k in range(1, N_SLOW + 1)] == [1.0] * N_SLOW, f"query {i} of b"
        assert f.Get("n_processed").GetVal() == N_SLOW
        f.Close()


def test_workers_with_several_threads_are_refused_at_open(ROOT, capfd):
    """Two packets must never run at once on one selector (nor ROOT's event loop on two threads of
    one process): a cluster whose workers run several threads is refused with the fix."""
    import proofshim  # noqa: F401
    from distributed import LocalCluster

    before = ROOT.gProof
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        proof = ROOT.TProof.Open(cluster.scheduler_address)
        assert not proof or not proof.IsValid()
    err = capfd.readouterr().err
    assert re.search(r"the dask workers of tcp://[\d.]+:\d+ must each run one thread \(tcp://[\d.]+:\d+ has 2\)",
                     err), err[-2000:]
    assert "dask worker --nthreads 1" in err
    if before:
        ROOT.gProof = before


def test_stop_requests_and_progress_probes_are_per_query(ROOT):
    """On one worker process, a stop of one query reaches that query's selectors only, also ones
    begun after the request, and a probe reports that query's slots only (real ProofShim::Runner)."""
    from proofshim.util import runtime
    from proofshim.worker import slots

    runtime.load_library()

    def runner():
        inputs = ROOT.TList()
        sel = ROOT.TSelector()
        ROOT.SetOwnership(inputs, False)
        ROOT.SetOwnership(sel, False)
        return ROOT.ProofShim.Runner(sel, inputs, "")

    a, b = slots.Slot("qa", "tcp://w:1", 1), slots.Slot("qb", "tcp://w:1", 1)
    saved = dict(slots._slots), dict(slots._queries)
    try:
        slots._slots[a] = slots._SlotState("qa", runner())
        slots._slots[b] = slots._SlotState("qb", runner())
        assert slots.request_stop("qa", 1) == 1
        assert slots._slots[a].runner.GetStopLevel() == 1
        assert slots._slots[b].runner.GetStopLevel() == 0, "the other client's query goes on"
        assert slots.request_stop("qa", 2) == 1 and slots._slots[a].runner.GetStopLevel() == 2
        assert slots._queries["qa"].stop == 2 and slots._queries.get("qb", slots._QueryState()).stop == 0
        probe = slots.activity("qb")
        assert list(probe["slots"]) == [b] and probe["slots"][b][0] == "idle"
        assert slots.held_queries() == {"qa": 1, "qb": 1}
        assert slots.forget_query("qa") == 1 and slots.held_queries() == {"qb": 1}
    finally:
        slots._slots.clear()
        slots._slots.update(saved[0])
        slots._queries.clear()
        slots._queries.update(saved[1])
