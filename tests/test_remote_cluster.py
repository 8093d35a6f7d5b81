"""Existing dask clusters: a scheduler and workers started with dask's own `dask scheduler` /
`dask worker` commands, in another working directory and with their own compile cache, reached
with TProof.Open("tcp://..."), through a legacy master name in dask's configuration, and over TLS.

Everything a query needs (selector, headers, package, helper, input data) reaches the workers
through dask only: their cwd is elsewhere, relative paths mean nothing to them, and they compile
the code themselves."""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import (
    HERE,
    SELECTORS,
    assert_hist_equal,
    local_run,
    outputs_by_name,
    selector_path,
)

# Each test starts its own processes (drivers, clusters, killed workers): `-m 'not slow'` skips them.
pytestmark = pytest.mark.slow

REPO = os.path.dirname(HERE)
START_TIMEOUT = 180        # s for a scheduler to write its address and the workers to register


def _worker_env(cache_dir: str) -> dict:
    """The environment of the cluster's processes: proofshim importable (dask pickles functions by
    reference, so workers need the package, as installing it on worker hosts gives them), their own cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "PROOFSHIM_"))}
    env.update(PYTHONPATH=REPO, PROOFSHIM_CACHE_DIR=cache_dir, PYTHONWARNINGS="ignore")
    return env


class DaskCluster:
    """`dask scheduler` and `dask worker` processes, each in its own process group."""

    def __init__(self, workdir: str, cache_dir: str, tls_args: tuple = (), extra_env: dict | None = None):
        self.workdir, self.cache_dir, self.tls_args = workdir, cache_dir, tuple(tls_args)
        self.extra_env = dict(extra_env or {})
        self.procs: list[subprocess.Popen] = []
        self.address = ""
        os.makedirs(workdir, exist_ok=True)

    def _spawn(self, name: str, args: list[str]) -> None:
        with open(os.path.join(self.workdir, f"{name}.log"), "w") as log:
            self.procs.append(subprocess.Popen(
                ["dask", *args, *self.tls_args], cwd=self.workdir, env={**_worker_env(self.cache_dir), **self.extra_env},
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def start(self, nworkers: int, protocol: str = "tcp", security=None) -> str:
        sched_file = os.path.join(self.workdir, "scheduler.json")
        self._spawn("scheduler", ["scheduler", "--protocol", protocol, "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", sched_file])
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(sched_file):
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                self.fail("the scheduler did not start")
            time.sleep(0.2)
        time.sleep(0.2)   # the file is written in one go, but be sure it is complete
        with open(sched_file) as fh:
            self.address = json.load(fh)["address"]
        self._spawn("workers", ["worker", self.address, "--nworkers", str(nworkers), "--nthreads", "1",
                                "--no-dashboard", "--local-directory", os.path.join(self.workdir, "dask")])
        from distributed import Client

        with Client(self.address, timeout="60s", set_as_default=False, security=security) as client:
            try:
                client.wait_for_workers(nworkers, timeout=START_TIMEOUT)
            except TimeoutError:
                self.fail(f"{nworkers} workers did not register")
        return self.address

    def fail(self, what: str) -> None:
        logs = ""
        for name in ("scheduler.log", "workers.log"):
            path = os.path.join(self.workdir, name)
            if os.path.exists(path):
                with open(path) as fh:
                    logs += f"--- {name}\n" + fh.read()[-3000:]
        self.stop()
        pytest.fail(f"{what} within {START_TIMEOUT} s\n{logs}")

    def stop(self) -> None:
        """Workers first, then the scheduler; SIGTERM, then SIGKILL after a bounded wait."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.procs = []


@pytest.fixture(scope="module")
def worker_cache(tmp_path_factory):
    """The cluster hosts' compile cache: not the client's, so the workers compile for themselves."""
    return str(tmp_path_factory.mktemp("worker-cache"))


@pytest.fixture(scope="module")
def remote_cluster(tmp_path_factory, worker_cache, ROOT):
    """A plain-TCP scheduler on loopback with 2 single-threaded workers, started by dask's CLI."""
    cluster = DaskCluster(str(tmp_path_factory.mktemp("cluster-cwd")), worker_cache)
    try:
        cluster.start(2)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture()
def client_dir(tmp_path, monkeypatch):
    """The client's working directory: copies of the analysis code, used with relative paths."""
    d = tmp_path / "analysis"
    for name in ("remote", "remote_incpath", "helper"):
        shutil.copytree(os.path.join(SELECTORS, name), d / name)
    shutil.copytree(os.path.join(HERE, "packages", "remotegain"), d / "remotegain")
    monkeypatch.chdir(d)
    return str(d)


@pytest.fixture()
def restore_gproof(ROOT):
    """Close the session the test opened (never the shared one) and make the earlier gProof current."""
    import proofshim  # noqa: F401 - gProof exists once the shim is installed (this file may run alone)

    before = ROOT.gProof
    yield
    current = ROOT.gProof
    if current and (not before or ROOT.addressof(current) != ROOT.addressof(before)):
        current.Close()
    if before and before.IsValid():
        ROOT.gProof = before


def _own_include_path(ROOT) -> str:
    full, cling = str(ROOT.gSystem.GetIncludePath()), str(ROOT.gInterpreter.GetIncludePath())
    return full[:-len(cling)].rstrip() if cling and full.endswith(cling) else full


def test_remote_cluster_gets_code_headers_package_helper_and_input_data_through_dask(
        ROOT, remote_cluster, client_dir, chain, data_files, worker_cache, restore_gproof, capfd):
    import proofshim  # noqa: F401

    saved_include_path = _own_include_path(ROOT)
    # A header only the client's include path finds (the workers have no such directory).
    ROOT.gSystem.AddIncludePath("-Iremote_incpath")
    try:
        proof = ROOT.TProof.Open(remote_cluster.address)
        assert proof and proof.IsValid() and not proof.IsLite()
        assert proof.GetParallel() == 2
        assert proof.UploadPackage("remotegain") == 0, "a package directory of the client's cwd"
        assert proof.EnablePackage("remotegain") == 0
        assert proof.Load("helper/Helper.C+") == 0
        proof.SetParameter("Remote_PtCut", 0.8)
        weights = ROOT.TH1D("remote_weights", "weights", 50, -5, 5)
        for i in range(1, 51):
            weights.SetBinContent(i, 1 + 0.1 * i)
        f = ROOT.TFile("inputdata.root", "RECREATE")
        weights.Write()
        f.Close()
        proof.SetInputDataFile("inputdata.root")   # relative: read here, shipped in the input list

        c = chain()
        c.SetProof()
        assert c.Process("remote/RemoteSel.C+") == 0
        remote = outputs_by_name(proof.GetOutputList())
        c.SetProof(False)

        cut = ROOT.TParameter["Double_t"]("Remote_PtCut", 0.8)
        # The class the client compiled for Begin/Terminate, run by plain ROOT in this process.
        sel, _, _ = local_run(ROOT, data_files, "RemoteSel", inputs=[cut, weights])
        local = outputs_by_name(sel.GetOutputList())
        assert local["remote_pass"].GetVal() > 0
        assert remote["remote_pass"].GetVal() == local["remote_pass"].GetVal()
        for name in ("remote_pt", "remote_wpx"):
            assert_hist_equal(remote[name], local[name], name)

        # The workers compiled the shipped copies in their own cache, header of the -I path included.
        shipped = []
        for root, _, files in os.walk(os.path.join(worker_cache, "selectors")):
            shipped += [os.path.relpath(os.path.join(root, f), worker_cache) for f in files]
        assert any(p.endswith(os.path.join("inc", "RemoteCuts.h")) for p in shipped), shipped
        # (under the index of its directory in the client's include path, which earlier tests may extend)
        assert any(re.search(r"[/\\]\.proofshim-include[/\\]\d+[/\\]RemoteUnits\.h$", p) for p in shipped), shipped
        assert any(p.endswith("Helper_C.so") for p in shipped), shipped
        assert glob.glob(os.path.join(worker_cache, "packages", "*", "remotegain-*", "remotegain",
                                      "libRemoteGain.so")), \
            "the package was unpacked and built (BUILD.sh) in the workers' own cache"
        # The session's directory on the workers' host: owner-only, and removed by Close.
        wdir = os.path.join(worker_cache, "sessions", str(proof.GetSessionTag()))
        assert stat.S_IMODE(os.stat(wdir).st_mode) == 0o700
        logs = glob.glob(os.path.join(wdir, "worker-*", "query-1.log"))
        assert len(logs) == 2 and all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in logs), logs
        proof.Close()
        assert not os.path.exists(wdir), "the workers' session directory outlived the session"
        err = capfd.readouterr().err
        assert "Error" not in err and "install the same version" not in err, err
    finally:
        ROOT.gSystem.SetIncludePath(saved_include_path)


_LEGACY = textwrap.dedent('''
    import sys
    import ROOT
    import proofshim                                   # the one added line

    files, sel = sys.argv[1].split(","), sys.argv[2]
    proof = ROOT.TProof.Open("alice@master.example")   # the old PROOF master
    chain = ROOT.TChain("T")
    for f in files:
        chain.Add(f)
    chain.SetProof()
    rc = chain.Process(sel, "", 300)
    print("MASTER", rc, proof.IsLite(), proof.GetParallel(), proof.GetOutput("n_ProcessCut").GetVal())
    proof.Close()
    proof = ROOT.TProof.Open("")                       # proofshim.default
    chain.SetProof()
    rc = chain.Process(sel, "", 200, 100)
    print("DEFAULT", rc, proof.IsLite(), proof.GetParallel(), proof.GetOutput("n_ProcessCut").GetVal())
    proof.Close()
''')


def test_legacy_master_and_default_from_dask_config_reach_the_cluster(remote_cluster, data_files, tmp_path):
    script = tmp_path / "legacy.py"
    script.write_text(_LEGACY)
    config_dir = tmp_path / "dask-config"
    config_dir.mkdir()
    (config_dir / "proofshim.yaml").write_text(
        f"proofshim:\n  default: \"{remote_cluster.address}\"\n  connect-timeout: 60\n")
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONPATH=REPO, DASK_CONFIG=str(config_dir),
               DASK_PROOFSHIM__MASTERS=json.dumps({"alice@master.example": remote_cluster.address}))
    res = subprocess.run([sys.executable, str(script), ",".join(data_files), selector_path("V0Sel.C") + "+"],
                         cwd=str(tmp_path), env=env, check=False, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = {ln.split()[0]: ln.split()[1:] for ln in res.stdout.splitlines() if ln.startswith(("MASTER", "DEFAULT"))}
    assert lines["MASTER"] == ["0", "False", "2", "300"], res.stdout + res.stderr
    assert lines["DEFAULT"] == ["0", "False", "2", "200"], res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# TLS

def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _make_ca(d, name):
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
             "-days", "2", "-subj", f"/CN=proofshim test {name}", cwd=d)


def _make_cert(d, name, ca):
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", f"/CN={name}", cwd=d)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", cwd=d)


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory, worker_cache, ROOT):
    """A TLS scheduler and one worker, certificates from a CA made here; also a client certificate
    of another CA (`rogue`), which the scheduler must refuse."""
    d = str(tmp_path_factory.mktemp("tls"))
    _make_ca(d, "ca")
    _make_cert(d, "node", "ca")
    _make_cert(d, "client", "ca")
    _make_ca(d, "rogueca")
    _make_cert(d, "rogue", "rogueca")
    pem = {n: os.path.join(d, f"{n}.pem") for n in ("ca", "node", "client", "rogue")}
    key = {n: os.path.join(d, f"{n}.key") for n in ("node", "client", "rogue")}
    from distributed.security import Security

    cluster = DaskCluster(os.path.join(d, "cwd"), worker_cache,
                          ("--tls-ca-file", pem["ca"], "--tls-cert", pem["node"], "--tls-key", key["node"]))
    cluster.pem, cluster.key = pem, key
    try:
        cluster.start(1, protocol="tls", security=Security(tls_ca_file=pem["ca"], tls_client_cert=pem["client"],
                                                            tls_client_key=key["client"], require_encryption=True))
        assert cluster.address.startswith("tls://")
        yield cluster
    finally:
        cluster.stop()


def _no_secrets(text: str) -> None:
    assert "-----BEGIN" not in text and "PRIVATE KEY" not in text, "certificate or key content was printed"


def test_tls_scheduler_refuses_clients_without_its_certificate_and_serves_one_with_it(
        ROOT, tls_cluster, chain, data_files, restore_gproof, capfd):
    import dask

    import proofshim  # noqa: F401

    address, pem, key = tls_cluster.address, tls_cluster.pem, tls_cluster.key
    timeout = 5
    # No certificate configured at all: refused here at once, naming the settings to add.
    with dask.config.set({"proofshim.connect-timeout": timeout}):
        assert not ROOT.TProof.Open(address)
    err = capfd.readouterr().err
    assert address in err and "proofshim:\n    tls:" in err and "ca-file" in err, err
    _no_secrets(err)

    # tcp:// to this TLS scheduler: it drops the plain connection at once; the message says tls://.
    with dask.config.set({"proofshim.connect-timeout": timeout}):
        assert not ROOT.TProof.Open(address.replace("tls://", "tcp://"))
    err = capfd.readouterr().err
    assert "seems to speak TLS only" in err and f"open it as {address} with a client certificate" in err, err

    # A certificate of another CA: the scheduler refuses the handshake; Open fails within the timeout.
    rogue = {"proofshim.tls": {"ca-file": pem["ca"], "cert": pem["rogue"], "key": key["rogue"]},
             "proofshim.connect-timeout": timeout}
    t0 = time.monotonic()
    with dask.config.set(rogue):
        assert not ROOT.TProof.Open(address)
    assert time.monotonic() - t0 < timeout + 15
    out, err = capfd.readouterr()
    assert f"cannot reach the dask scheduler at {address} within {timeout} s" in err, err
    assert "proofshim.tls.cert" in err
    _no_secrets(out + err)

    # A missing file is named (a path is not a secret).
    with dask.config.set({"proofshim.tls": {"ca-file": pem["ca"], "cert": "/nonexistent/client.pem"}}):
        assert not ROOT.TProof.Open(address)
    assert "proofshim.tls.cert: no such file '/nonexistent/client.pem'" in capfd.readouterr().err

    # The right certificate: the query runs and equals a one-process run.
    good = {"proofshim.tls": {"ca-file": pem["ca"], "cert": pem["client"], "key": key["client"]}}
    with dask.config.set(good):
        proof = ROOT.TProof.Open(address)
        assert proof and proof.IsValid() and proof.GetParallel() == 1
        c = chain()
        c.SetProof()
        assert c.Process(selector_path("V0Sel.C") + "+", "", 2000, 500) == 0
        remote = outputs_by_name(proof.GetOutputList())
        c.SetProof(False)
    sel, _, _ = local_run(ROOT, data_files, selector_path("V0Sel.C") + "+", nentries=2000, first=500)
    local = outputs_by_name(sel.GetOutputList())
    assert remote["n_ProcessCut"].GetVal() == 2000
    assert remote["n_ProcessFill"].GetVal() == local["n_ProcessFill"].GetVal()
    assert_hist_equal(remote["hpx_v0"], local["hpx_v0"], "hpx_v0")
    proof.Close()
    out, err = capfd.readouterr()
    _no_secrets(out + err)


# ---------------------------------------------------------------------------------------------
# Python selectors on workers started elsewhere: code only in the client's directory and __main__

_PY_DRIVER = textwrap.dedent('''
    import json, os, sys
    import ROOT
    import proofshim                                   # the one added line

    import remote_pycuts                               # exists only in this (the client's) directory

    class MainSel(ROOT.TSelector):                     # defined in the driver's __main__
        def Version(self):
            return 2

        def SlaveBegin(self, tree):
            self.h = ROOT.TH1D("hmain", "", 40, -4, 4)
            self.GetOutputList().Add(self.h)
            self.GetOutputList().Add(ROOT.TNamed("cwd", os.getcwd()))

        def Init(self, tree):
            self.t = tree

        def Notify(self):
            self.lpx = self.t.GetLeaf("px")
            return True

        def Process(self, entry):
            self.t.GetTree().GetEntry(entry)
            px = self.lpx.GetValue()
            if remote_pycuts.keep(px):
                self.h.Fill(px)
            return True

    def bins(h):
        return [h.GetBinContent(i) for i in range(h.GetNbinsX() + 2)]

    files, address = sys.argv[1].split(","), sys.argv[2]
    chain = ROOT.TChain("T")
    for f in files:
        chain.Add(f)
    proof = ROOT.TProof.Open(address)
    chain.SetProof()
    res = {"main_rc": chain.Process(MainSel())}
    res["main"] = bins(proof.GetOutput("hmain"))
    res["worker_cwds"] = sorted({o.GetTitle() for o in proof.GetOutputList() if o.GetName() == "cwd"})
    res["py_rc"] = chain.Process("TPySelector", "remote_pysel#0.3")
    res["py"] = bins(proof.GetOutput("hpy"))
    res["bad_rc"] = chain.Process("TPySelector", "remote_pybad", 100)
    res["after_rc"] = chain.Process("TPySelector", "remote_pysel#0.3", 1000)
    proof.Close()
    chain.SetProof(False)                              # the same, in this one process
    local = MainSel()
    res["local_main_rc"] = chain.Process(local)
    res["local_main"] = bins(local.h)
    res["local_py_rc"] = chain.Process("TPySelector", "remote_pysel#0.3")
    import remote_pysel
    res["local_py"] = bins(remote_pysel.LAST.h)
    print("RESULT " + json.dumps(res))
''')

_PY_MODULES = {
    "remote_pycuts.py": "def keep(px):\n    return abs(px) > 0.25\n",
    "remote_pysel.py": textwrap.dedent('''
        import numpy                                   # installed on the workers: imported there
        import ROOT
        from ROOT import TPySelector

        import remote_pycuts

        LAST = None

        class RemotePy(TPySelector):
            def SlaveBegin(self, tree):
                self.cut = float(self.GetOption())
                self.h = ROOT.TH1D("hpy", "", 40, -4, 4)
                self.GetOutputList().Add(self.h)

            def Process(self, entry):
                self.fChain.GetEntry(entry)
                px = self.fChain.GetLeaf("px").GetValue()
                if remote_pycuts.keep(px) and numpy.abs(px) > self.cut:
                    self.h.Fill(px)
                return True

            def Terminate(self):
                global LAST
                LAST = self
    '''),
    "remote_pybad.py": textwrap.dedent('''
        import os

        from ROOT import TPySelector

        class RemoteBad(TPySelector):
            def Begin(self):
                # On the client, once the code was sent: from now on only the shipped copy of this
                # file exists, which the workers' traceback shows.
                os.remove(__file__)

            def Process(self, entry):
                raise RuntimeError("bad remote entry %d" % entry)
    '''),
}


def test_python_selectors_reach_workers_started_elsewhere_by_value(remote_cluster, data_files, tmp_path):
    """A class of the driver's __main__, a TPySelector module and the helper both import exist only
    in the client's directory; the workers (another cwd, no such files) get them by value."""
    client = tmp_path / "client"
    client.mkdir()
    for name, text in _PY_MODULES.items():
        (client / name).write_text(text)
    (client / "driver.py").write_text(_PY_DRIVER)
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONPATH=REPO)
    res = subprocess.run([sys.executable, "driver.py", ",".join(data_files), remote_cluster.address],
                         cwd=str(client), env=env, capture_output=True, text=True, timeout=600)
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert res.returncode == 0 and line, res.stdout + res.stderr
    out = json.loads(line[len("RESULT "):])
    assert out["main_rc"] == 0 and out["local_main_rc"] == 0
    assert out["main"] == out["local_main"] and sum(out["main"]) > 0, "__main__ class: same bins"
    assert out["worker_cwds"] and str(client) not in out["worker_cwds"], "the workers run elsewhere"
    assert out["py_rc"] == 0 and out["local_py_rc"] == 0
    assert out["py"] == out["local_py"] and sum(out["py"]) > 0, "TPySelector module: same bins"
    assert out["bad_rc"] == -1 and out["after_rc"] == 0, "a failing query, then the session goes on" + res.stderr[-4000:]
    assert "selector remote_pybad.RemoteBad failed on file" in res.stderr, res.stderr
    assert 'raise RuntimeError("bad remote entry %d" % entry)' in res.stderr, \
        "the worker's traceback shows the source line, shipped with the code"
