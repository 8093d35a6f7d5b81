"""Cluster specifications: parsing (pure), dask-jobqueue job scripts (no batch system needed), the
missing-extra errors, and a legacy script whose old master maps to an SSHCluster started over a
real sshd on loopback."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import warnings

import pytest
from conftest import HERE, assert_hist_equal, local_run, outputs_by_name, selector_path
from servers import SSHServer, free_port

from proofshim.cluster import clusters, url
from proofshim.util.errors import OpenError

ROOT_DIR = os.path.dirname(HERE)


# ---------------------------------------------------------------- parsing (pure)
def test_ssh_spec_from_a_master_mapping():
    masters = {"oldmaster:1093": {"ssh": {
        "hosts": ["head", "n1", "n2"], "workers-per-host": "3",
        "connect-options": {"port": 2222, "client-keys": "/k/id", "known-hosts": None},
        "env": {"PYTHONPATH": "/srv/code"}, "remote-python": "/opt/bin/python"}}}
    spec = url.parse_open_url("proof://oldmaster", ncpu=2, masters=masters)
    assert spec.kind == "cluster" and spec.url == "proof://oldmaster" and spec.workers == 6
    ssh = spec.cluster
    assert ssh.hosts == ("head", "n1", "n2") and ssh.workers_per_host == 3
    # asyncssh keywords, as dask's configuration writes them with hyphens
    assert ssh.connect_options == {"port": 2222, "client_keys": ["/k/id"], "known_hosts": None}
    assert clusters.remote_command(ssh.remote_python, ssh.env) == "env PYTHONPATH=/srv/code /opt/bin/python"


def test_a_cluster_spec_can_be_the_url_itself():
    spec = url.parse_open_url({"ssh": {"hosts": "a b"}}, ncpu=2)
    assert spec.kind == "cluster" and spec.workers == 1 and spec.url.startswith("ssh://a")


@pytest.mark.parametrize("value,message", [
    ({"ssh": {"hosts": ["only-one"]}}, "at least two hosts"),
    ({"ssh": {"hosts": ["a", "b"], "workers-per-host": 0}}, "workers-per-host must be a whole number"),
    ({"ssh": {"hosts": ["a", "b"], "nodes": 3}}, "unknown key(s) nodes"),
    ({"ssh": {"hosts": ["a", "b"], "worker-options": {"nthreads": 4}}}, "must be single-threaded"),
    ({"ssh": {"hosts": ["a", "b"], "env": {"A B": "x"}}}, "not an environment variable name"),
    ({"kubernetes": {}}, "one key out of ssh, slurm, htcondor"),
    ({"ssh": {}, "slurm": {}}, "one key out of"),
    ({"slurm": {"cores": 4}}, "needs 'cores' and 'memory'"),
    ({"slurm": {"cores": 4, "memory": "8GB", "processes": 2}}, "would make workers with 2 threads"),
    ({"htcondor": {"cores": 1, "memory": "2GB"}}, "needs 'disk'"),
    ({"slurm": {"cores": 1, "memory": "2GB", "jobs": -1}}, "jobs must be a whole number"),
])
def test_bad_specs_say_where_and_what(value, message):
    with pytest.raises(OpenError) as err:
        url.parse_open_url("proof://m:1093", ncpu=2, masters={"m": value})
    assert message in str(err.value)
    assert "proofshim.masters['m']" in str(err.value)


def test_non_mapping_non_string_master_is_refused():
    with pytest.raises(OpenError, match="cluster specification"):
        url.parse_open_url("m", ncpu=2, masters={"m": 42})


# ---------------------------------------------------------------- dask-jobqueue
def _jobqueue_script(kind, body):
    pytest.importorskip("dask_jobqueue", reason="pip install -e '.[test]' installs dask-jobqueue")
    spec = url.parse_open_url("batch", ncpu=2, masters={"batch": {kind: body}}).cluster
    cluster = clusters.build(spec)   # starts its scheduler here; submits nothing until scaled
    try:
        assert cluster.workers == {}, "no job may be submitted before scaling"
        return spec, cluster.job_script()
    finally:
        cluster.close(timeout=10)


def test_slurm_spec_job_script():
    spec, script = _jobqueue_script("slurm", {
        "queue": "short", "cores": 4, "memory": "8GB", "jobs": 5, "walltime": "01:30:00",
        "job-extra-directives": ["--exclusive", "--constraint=avx2"],
        "env": {"PYTHONPATH": "/srv/proof code"}, "scheduler-options": {"dashboard_address": ":0"}})
    assert spec.expected_workers == 20
    assert "#SBATCH -p short" in script
    assert "#SBATCH -n 1" in script and "#SBATCH --cpus-per-task=4" in script
    assert "#SBATCH --mem=8G" in script
    assert "#SBATCH -t 01:30:00" in script
    assert "#SBATCH --exclusive" in script and "#SBATCH --constraint=avx2" in script
    assert "export PYTHONPATH='/srv/proof code'" in script
    # the worker command: this python, 4 single-threaded worker processes
    cmd = next(line for line in script.splitlines() if "distributed.cli.dask_worker" in line)
    assert cmd.startswith(sys.executable + " -m distributed.cli.dask_worker")
    assert "--nthreads 1" in cmd and "--nworkers 4" in cmd


def test_htcondor_spec_job_script():
    spec, script = _jobqueue_script("htcondor", {
        "cores": 2, "memory": "4GB", "disk": "1GB", "jobs": 2,
        "job-extra-directives": {"+JobFlavour": '"longlunch"'}, "scheduler-options": {"dashboard_address": ":0"}})
    assert spec.expected_workers == 4
    assert "RequestCpus = MY.DaskWorkerCores" in script and "MY.DaskWorkerCores = 2" in script
    assert "RequestMemory = floor(MY.DaskWorkerMemory / 1048576)" in script
    assert 'MY.JobFlavour = "longlunch"' in script or '+JobFlavour = "longlunch"' in script
    assert sys.executable in script and "--nthreads 1" in script and "--nworkers 2" in script


def test_missing_extras_name_the_install_command(monkeypatch):
    jq = clusters.parse({"slurm": {"cores": 1, "memory": "1GB"}}, "s")
    ssh = clusters.parse({"ssh": {"hosts": ["a", "b"]}}, "s")
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)   # import fails as if not installed
    monkeypatch.setitem(sys.modules, "asyncssh", None)
    with pytest.raises(OpenError, match=r"pip install dask-jobqueue \(or, in proofshim's checkout, pip install '\.\[jobqueue\]'\)"):
        clusters.build(jq)
    with pytest.raises(OpenError, match=r"pip install asyncssh \(or, in proofshim's checkout, pip install '\.\[ssh\]'\)"):
        clusters.build(ssh)
    # and through TProof::Open's path: the handle reports it as is
    with pytest.raises(OpenError, match=r"pip install asyncssh"):
        clusters.ClusterHandle(ssh).start(timeout=30)


@pytest.mark.parametrize("up", ["before the Ctrl-C", "after the Ctrl-C"])
def test_ctrl_c_while_a_cluster_starts_leaves_no_cluster_running(monkeypatch, up):
    """Ctrl-C in Open while an SSH or batch cluster starts: the interrupt reaches the script and
    the cluster, whether it was up already or comes up later, is closed (its remote processes
    must not outlive the abandoned start)."""
    closed, release = threading.Event(), threading.Event()

    class FakeCluster:
        scheduler_address = "tcp://127.0.0.1:1"

        def close(self, timeout=None):
            closed.set()

    def build(spec):
        if up == "after the Ctrl-C":
            release.wait(10)
        return FakeCluster()

    real_join = threading.Thread.join

    def join(self, timeout=None):
        if self.name != "proofshim-cluster-start":
            return real_join(self, timeout)
        if up == "before the Ctrl-C":
            real_join(self, 10)
        raise KeyboardInterrupt

    monkeypatch.setattr(clusters, "build", build)
    monkeypatch.setattr(threading.Thread, "join", join)
    spec = clusters.parse({"ssh": {"hosts": ["a", "b"]}}, "s")
    with pytest.raises(KeyboardInterrupt):
        clusters.ClusterHandle(spec).start(timeout=30)
    release.set()
    assert closed.wait(10), "the cluster was left running"


def test_unreachable_ssh_host_fails_open_with_the_reason():
    pytest.importorskip("asyncssh", reason="pip install -e '.[test]' installs asyncssh")
    spec = clusters.parse({"ssh": {"hosts": ["127.0.0.1", "127.0.0.1"],
                                   "connect-options": {"port": free_port(), "known-hosts": None}}}, "m")
    with pytest.raises(OpenError, match="could not start the ssh://127.0.0.1 .*(refused|Connect)"):
        clusters.ClusterHandle(spec).start(timeout=60)


def test_ssh_host_that_never_answers_fails_open_within_the_timeout():
    pytest.importorskip("asyncssh", reason="pip install -e '.[test]' installs asyncssh")
    with socket.socket() as mute:          # accepts connections, never says a word
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        spec = clusters.parse({"ssh": {"hosts": ["127.0.0.1", "127.0.0.1"], "connect-options": {
            "port": mute.getsockname()[1], "known-hosts": None, "login-timeout": 30}}}, "m")
        t0 = time.monotonic()
        with pytest.raises(OpenError, match="did not start within 2 s"):
            clusters.ClusterHandle(spec).start(timeout=2)
        assert time.monotonic() - t0 < 10


# ---------------------------------------------------------------- SSH, end to end
@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    server = SSHServer(str(tmp_path_factory.mktemp("sshd")))
    yield server
    server.stop()


def test_legacy_master_runs_on_an_ssh_cluster(ROOT, sshd, data_files, total_entries, tmp_path):
    """`TProof.Open("proof://oldmaster.example:1093")` in an unmodified script, the master mapped in
    dask's YAML configuration to an SSH cluster (scheduler and 2 workers started through sshd);
    the outputs equal a one-process run, every entry once."""
    pytest.importorskip("asyncssh", reason="pip install -e '.[test]' installs asyncssh")
    import yaml

    env = {"PYTHONPATH": os.pathsep.join(p for p in (ROOT_DIR, os.environ.get("PYTHONPATH", "")) if p)}
    if os.environ.get("PROOFSHIM_CACHE_DIR"):
        env["PROOFSHIM_CACHE_DIR"] = os.environ["PROOFSHIM_CACHE_DIR"]
    config_dir = tmp_path / "dask"
    config_dir.mkdir()
    (config_dir / "proofshim.yaml").write_text(yaml.safe_dump({"proofshim": {
        "connect-timeout": 180,
        "masters": {"oldmaster.example:1093": {"ssh": {
            "hosts": ["127.0.0.1", "127.0.0.1"], "workers-per-host": 2,
            "connect-options": sshd.connect_options(),
            "remote-python": sys.executable, "env": env}}}}}))
    out_file = str(tmp_path / "out.root")
    logins_before = sshd.accepted_logins()
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "scripts", "master_driver.py"), "proof://oldmaster.example:1093",
         selector_path("CountSel.C") + "+", out_file, str(total_entries), *data_files],
        env={**os.environ, "DASK_CONFIG": str(config_dir)}, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0 and "DONE" in proc.stdout, proc.stdout + proc.stderr
    assert "WORKERS 2" in proc.stdout and "RC 0" in proc.stdout, proc.stdout
    # scheduler and worker host were both reached through sshd with the test's key
    assert sshd.accepted_logins() - logins_before == 2, sshd.log_text()

    f = ROOT.TFile(out_file)
    hgid = f.Get("hgid")
    assert hgid.GetEntries() == total_entries
    assert all(hgid.GetBinContent(b) == 1 for b in range(1, total_entries + 1)), "an entry not processed once"
    inputs = [ROOT.TParameter["Long64_t"]("CountSel_NTotal", total_entries)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel, _, _ = local_run(ROOT, data_files, selector_path("CountSel.C") + "+", inputs)
    local = outputs_by_name(sel.GetOutputList())
    for name in ("hgid", "hpx", "hpxpy", "prof"):
        assert_hist_equal(f.Get(name), local[name], name)
    f.Close()
