"""Cluster specifications: dask clusters that proofshim starts itself for a session, over SSH
(`dask.distributed.SSHCluster`) or through a batch system (`dask-jobqueue`: SLURM, HTCondor).

A specification is a one-key mapping in dask's configuration, the value of a legacy master in
`proofshim.masters` (or of `proofshim.default`)::

    proofshim:
      masters:
        "master.example:1093":
          ssh: {hosts: [node0, node1, node2], workers-per-host: 4}
        "batch":
          slurm: {queue: short, cores: 4, memory: 8GB, jobs: 10}

`parse` turns such a mapping into a validated, frozen spec (pure: no dask, no ROOT);
`ClusterHandle` builds and starts the dask cluster object from it, importing the optional
package (asyncssh, dask-jobqueue) only then. proofshim's workers are single-threaded processes
(ROOT and threaded dask workers do not mix), so every spec makes one thread per worker.

>>> s = parse({"ssh": {"hosts": ["head", "n1", "n2"], "workers-per-host": 2}}, "example")
>>> s.kind, s.expected_workers, s.describe()
('ssh', 4, 'ssh://head (workers on n1, n2: 2 per host)')
>>> j = parse({"slurm": {"queue": "short", "cores": 4, "memory": "8GB", "jobs": 3}}, "example")
>>> j.expected_workers, j.kwargs["processes"]
(12, 4)
"""
from __future__ import annotations

import dataclasses
import logging
import re
import shlex
import sys
import threading
from collections.abc import Mapping

from ..util.errors import OpenError

log = logging.getLogger("proofshim")

SSH_KINDS = ("ssh",)
JOBQUEUE_KINDS = ("slurm", "htcondor")
KINDS = SSH_KINDS + JOBQUEUE_KINDS
EXTRA = {"ssh": "ssh", "slurm": "jobqueue", "htcondor": "jobqueue"}
_SSH_KEYS = ("hosts", "workers-per-host", "connect-options", "remote-python", "env",
             "worker-options", "scheduler-options")
_SETTINGS_HELP = "fix it in dask's configuration (~/.config/dask/*.yaml or DASK_PROOFSHIM__... variables)"


@dataclasses.dataclass(frozen=True)
class SSHSpec:
    """dask's SSHCluster: the scheduler on hosts[0], `workers_per_host` workers on each later host
    (repeat hosts[0] to have workers there too)."""

    hosts: tuple[str, ...]
    workers_per_host: int = 1
    connect_options: Mapping = dataclasses.field(default_factory=dict)   # asyncssh.connect keywords
    remote_python: str | None = None      # python on the hosts (default: this one's path)
    env: Mapping = dataclasses.field(default_factory=dict)               # environment of remote processes
    worker_options: Mapping = dataclasses.field(default_factory=dict)
    scheduler_options: Mapping = dataclasses.field(default_factory=dict)
    kind: str = "ssh"

    @property
    def expected_workers(self) -> int:
        return (len(self.hosts) - 1) * self.workers_per_host

    def describe(self) -> str:
        return (f"ssh://{self.hosts[0]} (workers on {', '.join(self.hosts[1:])}: "
                f"{self.workers_per_host} per host)")


@dataclasses.dataclass(frozen=True)
class JobqueueSpec:
    """A dask-jobqueue cluster (`kind` 'slurm' or 'htcondor'): `jobs` batch jobs, each running
    `kwargs['processes']` single-threaded workers; `kwargs` are the cluster class's keywords."""

    kind: str
    jobs: int
    kwargs: Mapping

    @property
    def expected_workers(self) -> int:
        return self.jobs * int(self.kwargs["processes"])

    def describe(self) -> str:
        where = f" queue {self.kwargs['queue']}" if self.kwargs.get("queue") else ""
        return f"{self.kind}{where} ({self.jobs} job(s) of {self.kwargs['processes']} workers)"


def _keys(options: Mapping, where: str) -> dict:
    """A mapping with keyword-style keys (dask's configuration writes them with hyphens)."""
    if not isinstance(options, Mapping):
        raise OpenError(f"{where} must be a mapping, got {options!r}; {_SETTINGS_HELP}")
    return {str(k).replace("-", "_"): v for k, v in options.items()}


def _positive_int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
            or int(value) < 1:
        raise OpenError(f"{where} must be a whole number >= 1, got {value!r}; {_SETTINGS_HELP}")
    return int(value)


def _env(value, where: str) -> dict:
    """Environment variables for the remote processes; names are kept as written."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise OpenError(f"{where} must be a mapping of variable names to values, got {value!r}; {_SETTINGS_HELP}")
    for k, v in value.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(k)):
            raise OpenError(f"{where}: {k!r} is not an environment variable name; {_SETTINGS_HELP}")
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise OpenError(f"{where}[{k!r}] must be a string, got {v!r}; {_SETTINGS_HELP}")
    return {str(k): str(v) for k, v in value.items()}


def _single_threaded(threads, where: str) -> None:
    if threads not in (None, 1):
        raise OpenError(f"{where} asks for {threads} threads per worker: proofshim's workers run ROOT "
                        "and must be single-threaded (use more workers instead); remove it")


def parse(value: Mapping, where: str) -> SSHSpec | JobqueueSpec:
    """Validate a cluster specification read from the setting `where` (named in errors)."""
    if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in KINDS:
        raise OpenError(f"{where} must be a scheduler address or a cluster specification with one key "
                        f"out of {', '.join(KINDS)}, e.g. {{ssh: {{hosts: [head, node1], "
                        f"workers-per-host: 4}}}}; got {value!r}; {_SETTINGS_HELP}")
    kind, body = next(iter(value.items()))
    where = f"{where}.{kind}"
    opts = _keys(body if body is not None else {}, where)
    if kind in SSH_KINDS:
        return _parse_ssh(opts, where)
    return _parse_jobqueue(kind, opts, where)


def _parse_ssh(opts: dict, where: str) -> SSHSpec:
    unknown = sorted(set(opts) - {k.replace("-", "_") for k in _SSH_KEYS})
    if unknown:
        raise OpenError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are "
                        f"{', '.join(_SSH_KEYS)}; {_SETTINGS_HELP}")
    hosts = opts.get("hosts")
    if isinstance(hosts, str):
        hosts = [h for h in hosts.replace(",", " ").split() if h]
    if not isinstance(hosts, (list, tuple)) or len(hosts) < 2 or not all(isinstance(h, str) and h for h in hosts):
        raise OpenError(f"{where}.hosts must list at least two hosts: the scheduler's, then the workers' "
                        f"(repeat the first to run workers there too), got {hosts!r}; {_SETTINGS_HELP}")
    worker_options = _keys(opts.get("worker_options") or {}, f"{where}.worker-options")
    _single_threaded(worker_options.pop("nthreads", None), f"{where}.worker-options.nthreads")
    if "n_workers" in worker_options:
        raise OpenError(f"{where}.worker-options.n-workers: use {where}.workers-per-host instead")
    remote_python = opts.get("remote_python")
    if remote_python is not None and (not isinstance(remote_python, str) or not remote_python.strip()):
        raise OpenError(f"{where}.remote-python must be the path of python on the hosts, got "
                        f"{remote_python!r}; {_SETTINGS_HELP}")
    connect = _keys(opts.get("connect_options") or {}, f"{where}.connect-options")
    if isinstance(connect.get("client_keys"), str):
        connect["client_keys"] = [connect["client_keys"]]
    return SSHSpec(
        hosts=tuple(hosts),
        workers_per_host=_positive_int(opts.get("workers_per_host", 1), f"{where}.workers-per-host"),
        connect_options=connect, remote_python=remote_python,
        env=_env(opts.get("env"), f"{where}.env"), worker_options=worker_options,
        scheduler_options=_keys(opts.get("scheduler_options") or {}, f"{where}.scheduler-options"))


def _parse_jobqueue(kind: str, opts: dict, where: str) -> JobqueueSpec:
    jobs = _positive_int(opts.pop("jobs", 1), f"{where}.jobs")
    env = _env(opts.pop("env", None), f"{where}.env")
    if "cores" not in opts or "memory" not in opts:
        raise OpenError(f"{where} needs 'cores' and 'memory' per job, e.g. {{cores: 4, memory: 8GB}}; "
                        f"{_SETTINGS_HELP}")
    cores = _positive_int(opts["cores"], f"{where}.cores")
    processes = _positive_int(opts.get("processes", cores), f"{where}.processes")
    if processes != cores:
        # jobqueue gives each worker cores/processes threads.
        raise OpenError(f"{where}: processes={processes} with cores={cores} would make workers with "
                        f"{cores / processes:g} threads; proofshim's workers run ROOT and must be "
                        "single-threaded: leave 'processes' out (one worker per core)")
    if kind == "htcondor" and "disk" not in opts:
        raise OpenError(f"{where} needs 'disk' per job (HTCondor asks for it), e.g. disk: 1GB; {_SETTINGS_HELP}")
    for key in ("job_extra_directives", "job_script_prologue", "worker_extra_args"):
        if isinstance(opts.get(key), str):
            opts[key] = [opts[key]]
    if env:
        # Exported by the job script before the worker command: PYTHONPATH, PROOFSHIM_CACHE_DIR, ...
        opts["job_script_prologue"] = [f"export {k}={shlex.quote(v)}" for k, v in env.items()] \
            + list(opts.get("job_script_prologue") or [])
    return JobqueueSpec(kind=kind, jobs=jobs, kwargs={**opts, "cores": cores, "processes": processes})


def remote_command(python: str, env: Mapping) -> str:
    """The python command SSHCluster runs on the hosts, with `env` set for it.

    >>> remote_command("/opt/py/bin/python", {"PYTHONPATH": "/srv/a b"})
    "env PYTHONPATH='/srv/a b' /opt/py/bin/python"
    """
    if not env:
        return python
    return "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + python


def missing_extra(kind: str, module: str) -> OpenError:
    """The error for a cluster kind whose optional package is not installed."""
    # proofshim is not on PyPI: name the package itself, and the extra of a checkout.
    return OpenError(f"the '{kind}' cluster specification needs the Python package '{module}', which is "
                     f"not installed: pip install {module} (or, in proofshim's checkout, "
                     f"pip install '.[{EXTRA[kind]}]')")


def build(spec: SSHSpec | JobqueueSpec):
    """The dask cluster object for `spec` (an SSHCluster starts its processes now; a jobqueue
    cluster starts only its scheduler here, and submits jobs when scaled)."""
    if spec.kind in SSH_KINDS:
        try:
            import asyncssh  # noqa: F401 - dask's SSHCluster needs it
        except ImportError as exc:
            raise missing_extra(spec.kind, "asyncssh") from exc
        from distributed import SSHCluster

        ssh_log = logging.getLogger("distributed.deploy.ssh")
        if ssh_log.level == logging.NOTSET and not log.isEnabledFor(logging.DEBUG):
            # It relays every line the remote scheduler and workers print at INFO: PROOF's
            # sessions were quiet (proofshim's DEBUG level shows them).
            ssh_log.setLevel(logging.WARNING)
        return SSHCluster(
            list(spec.hosts), connect_options=dict(spec.connect_options),
            worker_options={**spec.worker_options, "nthreads": 1, "n_workers": spec.workers_per_host},
            # A random port: a fixed one would collide with another session's scheduler on the host.
            scheduler_options={"port": 0, "dashboard": False, "dashboard_address": ":0", **spec.scheduler_options},
            remote_python=remote_command(spec.remote_python or sys.executable, spec.env))
    try:
        import dask_jobqueue
    except ImportError as exc:
        raise missing_extra(spec.kind, "dask-jobqueue") from exc
    cls = {"slurm": dask_jobqueue.SLURMCluster, "htcondor": dask_jobqueue.HTCondorCluster}[spec.kind]
    kwargs = dict(spec.kwargs)
    kwargs.setdefault("python", sys.executable)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise OpenError(f"dask-jobqueue's {cls.__name__} refused the '{spec.kind}' specification: {exc}; "
                        f"see dask-jobqueue's documentation for its options") from exc


class ClusterHandle:
    """A cluster started from a spec for one session: start() -> scheduler address, stop()."""

    def __init__(self, spec: SSHSpec | JobqueueSpec):
        self.spec = spec
        self.cluster = None

    def start(self, timeout: float) -> str:
        """Build the cluster (bounded by `timeout`: SSH connections may hang) and, for a batch
        system, submit its jobs; return the scheduler address."""
        box: dict = {}
        lock = threading.Lock()

        def run():
            try:
                cluster = build(self.spec)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = exc
                return
            with lock:
                box["cluster"] = cluster
                abandoned = box.get("abandoned")
            if abandoned:   # the caller gave up waiting: no remote process may outlive that
                cluster.close(timeout=20)

        log.info("starting the %s cluster %s", self.spec.kind, self.spec.describe())
        t = threading.Thread(target=run, daemon=True, name="proofshim-cluster-start")
        t.start()
        try:
            t.join(timeout)
        except BaseException:
            # Ctrl-C while the cluster starts: the start is abandoned as on a timeout, and a
            # cluster that came up meanwhile is closed (the thread closes one that comes later).
            with lock:
                box["abandoned"], built = True, box.get("cluster")
            if built is not None:
                threading.Thread(target=lambda: built.close(timeout=20), daemon=True,
                                 name="proofshim-cluster-close").start()
            raise
        with lock:
            box["abandoned"] = "cluster" not in box and "error" not in box
        if box["abandoned"]:
            raise OpenError(f"the {self.spec.describe()} cluster did not start within {timeout:.0f} s: "
                            "check that the hosts are reachable (ssh to them by hand) and raise "
                            "proofshim.connect-timeout if they are slow")
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, OpenError):
                raise exc
            raise OpenError(f"could not start the {self.spec.describe()} cluster: "
                            f"{type(exc).__name__}: {exc}") from exc
        self.cluster = box["cluster"]
        if self.spec.kind in JOBQUEUE_KINDS:
            self.cluster.scale(jobs=self.spec.jobs)
        return self.cluster.scheduler_address

    def stop(self, timeout: float = 20.0) -> None:
        """Close the cluster: its workers, scheduler and (batch system) jobs; bounded."""
        cluster, self.cluster = self.cluster, None
        if cluster is None:
            return
        t = threading.Thread(target=lambda: cluster.close(timeout=max(timeout, 1)), daemon=True)
        t.start()
        t.join(max(timeout, 1) + 5)
        if t.is_alive():
            log.warning("the %s cluster did not close within %.0f s", self.spec.kind, timeout)
