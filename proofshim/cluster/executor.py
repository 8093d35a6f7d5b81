"""The dask side of a session: which cluster, and the dask half of running a query's packets.

The run loop itself (slots, packets, lost workers, stops, hang detection, the outputs' check) is
queryrun.QueryRun; DaskRun below is its Backend on this session's dask client: tasks pinned to
workers, out-of-band calls to the workers' event loops (stop requests, progress probes, each with
a bound), worker restarts, and why a worker went (the memory limit).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from . import clusters, tls
from ..plan import locality
from ..util import runtime, sessiondir, settings
from ..worker import slots, logcapture
from ..util.errors import OpenError, ProofShimError, QueryError, SessionGone
from ..plan.packetizer import AdaptivePacketizer
from .queryrun import QueryOutcome, QueryRun, RunSettings, Tally  # noqa: F401 - Tally: part of the API
from .url import ClusterSpec, check_memory_limit

log = logging.getLogger("proofshim")

RESULT_TIMEOUT = 30.0             # s to fetch a finished task's (small) result from its worker
CALL_TIMEOUT = 5.0                # s for a worker's event loop to answer a stop request or a probe
# s for which the workers the scheduler last named stand for its current ones, where a query
# starts (its ordinals, hosts, first slots: each asked the scheduler again, a round trip each);
# looks at the cluster while a query runs are a second apart, and so always fresh.
VIEW_AGE = 0.5
# Python 3.10's asyncio.TimeoutError (which distributed.wait raises) is not the builtin one.
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)
# distributed.wait on cancelled futures: FuturesCancelledError (a concurrent.futures.CancelledError)
# in recent versions, the plain CancelledError in 2024.1 (which has no FuturesCancelledError).
CANCELLED = (concurrent.futures.CancelledError, asyncio.CancelledError)


def _worker_died(exc) -> bool:
    """Whether a task failed because its worker process died (dask's KilledWorker)."""
    return type(exc).__name__ == "KilledWorker"


def installation_probe():
    """A function for Client.run that says where a worker would import proofshim from: its
    version, or None when it has none. It is local, so dask sends it by value and it runs where
    proofshim is missing; it reads the version without importing proofshim (which loads ROOT)."""
    def probe():
        import importlib.util
        import re

        spec = importlib.util.find_spec("proofshim")
        if spec is None or not spec.origin:
            return None
        try:
            with open(spec.origin) as fh:
                m = re.search(r'__version__\s*=\s*"([^"]+)"', fh.read())
        except OSError:
            return "?"
        return m.group(1) if m else "?"
    return probe


def installation_problems(found: dict, version: str, address: str) -> tuple[str, str]:
    """(error, warning) about proofshim on a cluster's workers, from installation_probe's answers
    (worker address -> version, None, or the exception the probe raised).

    >>> installation_problems({"tcp://w1:1": "0.1.0"}, "0.1.0", "tcp://s:8786")
    ('', '')
    """
    missing = sorted(w for w, v in found.items() if v is None)
    if missing:
        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        return (f"proofshim is not installed on {len(missing)} of the {len(found)} dask workers of "
                f"{address} ({shown}): dask runs proofshim's code there by reference. Install it in "
                f"the workers' environment (proofshim {version}: pip install a wheel built from the client's "
                f"checkout, or the checkout itself; see docs/DEPLOYMENT.md) and restart them."), ""
    other = sorted(f"{w} has {v}" for w, v in found.items() if isinstance(v, str) and v not in (version, "?"))
    if other:
        return "", (f"the client runs proofshim {version}, but on the workers of {address}: "
                    f"{'; '.join(other[:3])}; install the same version everywhere")
    return "", ""


_spare: list = []   # an embedded cluster's host process started ahead of its session


def _host_environment() -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
    return env


def _spawn_host() -> subprocess.Popen:
    """Start proofshim.cluster.embedded in its own session; it waits for its configuration."""
    return subprocess.Popen([sys.executable, "-m", "proofshim.cluster.embedded"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True,
                            start_new_session=True, env=_host_environment())


def prespawn_host() -> None:
    """Start the host process of an embedded cluster now, for the session TProof::Open is about
    to start: it loads ROOT and dask while this process reads its settings and imports dask (the
    next LocalClusterProcess.start takes it). drop_spare_host() ends one that no session took."""
    if not _spare:
        _spare.append(_spawn_host())


def drop_spare_host() -> None:
    """End a host process started ahead that no session took (Open reused a session, opened a
    remote one, or failed). It has started no worker yet: its process group is only itself."""
    while _spare:
        proc = _spare.pop()
        with contextlib.suppress(Exception):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            proc.wait(5)
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(Exception):
                pipe.close()


def _take_spare() -> subprocess.Popen | None:
    """The host process started ahead, if it is still alive."""
    while _spare:
        proc = _spare.pop()
        if proc.poll() is None:
            return proc
    return None


class LocalClusterProcess:
    """The embedded cluster: proofshim.cluster.embedded in its own session, tied to our lifetime.

    Secured with TLS credentials made for it (tls.embedded_credentials), handed to the cluster
    host through its standard input; its dask local directory is `<session dir>/dask`."""

    def __init__(self, n_workers: int, session_dir: str, kept_files=(), memory_limit: str = "auto"):
        self.n_workers = n_workers
        self.memory_limit = memory_limit
        self.session_dir = session_dir
        self.kept_files = list(kept_files)   # kept by an earlier cluster of the session (a restart)
        self.proc: subprocess.Popen | None = None
        self.address: str | None = None
        self.credentials: dict | None = None

    def spawn(self) -> None:
        """Start (or take the one started ahead) the cluster's host process, and note the
        environment its workers are to inherit: this process's as it is now (see start)."""
        sessiondir.create(self.session_dir)
        self.proc = _take_spare() or _spawn_host()
        self._env = _host_environment()
        self._found: list[str] = []
        self._ready = threading.Event()
        out = self.proc.stdout
        found, ready = self._found, self._ready

        def read():
            # Keeps draining the pipe after the address line: worker processes share it, and one
            # printing outside a query (whose output is captured) must never block on a full pipe.
            for line in out:
                if not ready.is_set() and line.startswith("PROOFSHIM-SCHEDULER "):
                    found.append(line.split(None, 1)[1].strip())
                    ready.set()
                else:
                    log.debug("local cluster: %s", line.rstrip())
            ready.set()
            out.close()

        threading.Thread(target=read, daemon=True, name="proofshim-cluster-stdout").start()

    def connect(self, timeout: float) -> str:
        """Configure the host process started by spawn(), wait (at most `timeout` s) for its
        scheduler and workers; return the scheduler's address."""
        try:
            # Made while the cluster host loads ROOT; they travel through its stdin, a pipe only
            # this process holds (never its command line or environment, which others can read).
            self.credentials = tls.embedded_credentials()
            # The environment as it was at spawn(), not as when the process started (possibly
            # ahead of the session, before the session's variables were set): the workers inherit it.
            self._tell(json.dumps({"tls": self.credentials, "session_dir": self.session_dir,
                                   "local_directory": os.path.join(self.session_dir, "dask"),
                                   "keep_files": self.kept_files,
                                   "keep_dirs": bool(settings.get(sessiondir.KEEP_SETTING)),
                                   "n_workers": self.n_workers, "memory_limit": str(self.memory_limit),
                                   "env": self._env}))
        except BaseException:
            self.stop()
            raise
        self._ready.wait(timeout)
        if not self._found:
            ended = self.proc is not None and self.proc.poll() is not None
            self.stop()
            raise OpenError(f"the local dask cluster of {self.n_workers} workers "
                            + ("ended before its scheduler and workers were up" if ended else
                               f"did not start within {timeout:.0f} s")
                            + " (see the messages above)")
        self.address = self._found[0]
        tls.remember(self.address, self.credentials)
        return self.address

    def start(self, timeout: float) -> str:
        """spawn() and connect(): the cluster up, its scheduler's address."""
        self.spawn()
        return self.connect(timeout)

    def _tell(self, line: str) -> bool:
        """Send the cluster host one line of its protocol (see proofshim.cluster.embedded)."""
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError, AttributeError):
            return False

    def keep(self, path: str) -> None:
        """A file of the session directory that must survive the session (a data set's part)."""
        if self.proc:
            self._tell(f"keep {path}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the cluster; the session directory is left to the client (Executor.end_session)."""
        if not self.proc:
            return
        if self.address:
            tls.remember(self.address, None)
        try:
            if self.proc.stdin:
                self._tell("keep-all")
                self.proc.stdin.close()
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            if timeout >= 1:
                log.warning("local cluster did not stop within %.0f s: killing it", timeout)
            os.killpg(self.proc.pid, 9)
            self.proc.wait(5)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass
        self.proc = None


def _quietly(fn, *args, **kwargs) -> None:
    """Call fn, ignoring its failure (closing what may be broken already)."""
    try:
        fn(*args, **kwargs)
    except Exception:  # noqa: BLE001
        pass


def _tls_only(exc: BaseException) -> bool:
    """Whether a failed tcp:// connection looks like a TLS-only scheduler: it resets or closes the
    plain connection at once (dask's TLS listener drops a peer that does not start a handshake)."""
    text = " ".join(str(e) for e in _chain(exc))
    return "Connection reset by peer" in text or "Stream is closed" in text \
        or "EOF occurred" in text or "ConnectionResetError" in text


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def remove_session_dir(session_tag: str, keep: tuple = ()) -> list[str]:
    """Run on one worker of each host (Client.run) when a session ends: remove its directory
    there, except the files in `keep`; return the kept files found there."""
    return sessiondir.remove(sessiondir.path(runtime.cache_dir(), session_tag), keep)


class _GoneClient:
    """Stands in for the dask client of a session whose scheduler is gone: any use says so."""

    def __init__(self, message: str):
        self._message = message

    def __getattr__(self, name):
        raise SessionGone(self._message)


_lost_clients: set[int] = set()   # ids of session clients that lost their scheduler


class _ReconnectFailureFilter(logging.Filter):
    """Drop dask's "Failed to reconnect to scheduler" error once a session's client lost its
    scheduler: the session reports that itself, in one line. (The record does not say which
    client it is about, so it is dropped for any client of the process from then on.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_lost_clients and str(record.msg).startswith("Failed to reconnect to scheduler"))


_reconnect_filter = _ReconnectFailureFilter()


class _CountBatches(list):
    """The futures of Executor.submit_counts: each counts a batch of files."""


class Executor:
    """A dask client bound to one cluster, for one session."""

    def __init__(self, spec: ClusterSpec, session_tag: str = ""):
        self.spec = spec
        self.session_tag = session_tag
        self.kept_files: list[str] = []       # session-directory files that outlive it (data sets)
        self.address = ""                     # the scheduler's
        self.gone = ""                        # why the session is gone ('' while it is not)
        self.cluster: LocalClusterProcess | clusters.ClusterHandle | None = None
        self._client = None
        self._starting: threading.Thread | None = None   # the start going on in the background
        self._start_done = threading.Event()            # set by that thread when it ends
        self._start_error: BaseException | None = None
        self._start_bound = 0.0
        self._on_started: list = []
        self._warm: list = []
        self._run: QueryRun | None = None       # the query running now
        self._last_run: QueryRun | None = None  # the one that ran last
        self._refused: set[str] = set()         # multi-threaded workers already warned about
        self.parallel: int | None = None      # SetParallel(n): use the first n workers only
        self._view: tuple[float, list[str]] | None = None   # (when, workers()) of the last answer

    # ---- lifecycle
    @property
    def client(self):
        """The session's dask client; while the embedded cluster starts in the background
        (start(background=True)), waits for it first (wait_started)."""
        if self._starting is not None:
            self.wait_started()
        return self._client

    @client.setter
    def client(self, value) -> None:
        self._client = value

    def start(self, background: bool = False) -> None:
        """Start (or reach) the session's cluster and connect to it. With `background`, an
        embedded cluster's process is started and the rest (its scheduler and workers up, the
        client connected) goes on in a thread: the first use of the client waits for it."""
        timeout = float(settings.get("connect-timeout"))
        if self.spec.kind == "local":
            limit = check_memory_limit(settings.get("memory-limit"))
            self.cluster = LocalClusterProcess(self.spec.workers, self.session_dir(), self.kept_files, limit)
            self.cluster.spawn()
            if background:
                self._start_error = None
                self._start_done = threading.Event()
                # Every wait of the start has its own bound (the address, the connection, the
                # workers); this one is a last resort, should a thread hang between them.
                self._start_bound = 3 * timeout + 10
                self._starting = threading.Thread(target=self._start_in_background, args=(timeout,),
                                                  daemon=True, name="proofshim-session-start")
                self._starting.start()
                return
            address = self.cluster.connect(timeout)
        elif self.spec.kind == "cluster":
            # SSH or batch-system cluster started for this session, closed with it.
            self.cluster = clusters.ClusterHandle(self.spec.cluster)
            address = self.cluster.start(timeout)
        else:
            address = self.spec.address
        self._connect(address, timeout)

    def _start_in_background(self, timeout: float) -> None:
        t0 = time.monotonic()
        try:
            try:
                self._connect(self.cluster.connect(timeout), timeout)
            except BaseException as exc:  # noqa: BLE001 - handed to the first use of the client
                self._start_error = exc
                return
            for fn in self._on_started:
                try:
                    fn(self.address)
                except Exception as exc:  # noqa: BLE001 - a detail of the session (e.g. its port)
                    log.debug("after the start of the local cluster: %s", exc)
            log.debug("local cluster of %d workers up in %.1f s", self.spec.workers, time.monotonic() - t0)
        finally:
            self._start_done.set()

    def _start_running(self) -> bool:
        # Not Thread.is_alive(): on Python < 3.13 a Ctrl-C that interrupts Thread.join() marks a
        # thread that still runs as stopped for good (the interrupted join releases its state lock).
        return not self._start_done.is_set()

    def starting(self) -> bool:
        """Whether the cluster is still starting in the background (nothing waited for it yet)."""
        return self._starting is not None and self._start_running()

    def when_started(self, fn) -> None:
        """Call fn(scheduler address) once the cluster is up: now if it is (or did not start in
        the background), else from the thread that started it."""
        if self._starting is None:
            fn(self.address)
            return
        self._on_started.append(fn)
        if not self._start_running() and self._start_error is None and self._client is not None:
            # It finished before fn was added (a callback may then run twice: fn must not mind).
            fn(self.address)

    def expected_workers(self) -> int:
        """The number of workers queries will use: known without waiting while an embedded
        cluster of spec.workers starts (it starts them all, or fails), else active_workers()."""
        if self._starting is not None and self.spec.kind == "local":
            n = self.spec.workers
            return n if self.parallel is None else min(n, max(1, self.parallel))
        return len(self.active_workers())

    def wait_started(self) -> None:
        """Wait for a start in the background to finish: bounded, Ctrl-C interrupts it (the start
        goes on). Raises OpenError naming what did not start, and the session is then gone."""
        thread = self._starting
        if thread is None or thread is threading.current_thread():
            return
        done, deadline = self._start_done, time.monotonic() + self._start_bound
        while not done.is_set() and time.monotonic() < deadline:
            done.wait(min(0.25, max(0.0, deadline - time.monotonic())))
        if self._starting is not thread:
            return      # another thread saw it finish meanwhile
        self._starting = None
        error = self._start_error
        if not done.is_set():
            error = OpenError(f"the local dask cluster of {self.spec.workers} workers did not start within "
                              f"{self._start_bound:.0f} s (see the messages above)")
            if self.cluster is not None:
                self.cluster.stop(timeout=0.1)
        if error is None:
            return
        self.gone = (f"the session could not start: {error}; open a new session with TProof.Open")
        self._client = _GoneClient(self.gone)
        if isinstance(error, ProofShimError):
            raise error
        raise OpenError(f"the local dask cluster did not start: {type(error).__name__}: {error}") from error

    def _settle(self) -> None:
        """Before closing: a start in the background finished (bounded), its failure not raised
        again (the session is gone then, and its cluster stopped)."""
        try:
            self.wait_started()
        except ProofShimError:
            pass

    def _connect(self, address: str, timeout: float) -> None:
        """Connect the client to the scheduler at `address`, wait for the workers, check them."""
        # Imported once the embedded cluster's process is on its way (it takes a second).
        from distributed import Client  # noqa: PLC0415

        try:
            security = tls.security_for(address)
        except OpenError:
            if self.cluster:
                self.cluster.stop()
            raise
        self.address = address
        try:
            self.client = Client(address, timeout=f"{timeout}s", set_as_default=False, security=security)
        except Exception as exc:
            if self.cluster:
                self.cluster.stop()
            hint = "Check that the scheduler runs and the address is right."
            if address.lower().startswith("tcp://") and _tls_only(exc):
                hint = (f"The scheduler at {address} seems to speak TLS only (it closed the plain "
                        f"TCP connection at once): open it as {'tls://' + address[len('tcp://'):]} "
                        f"with a client certificate ({tls.SETTING}.ca-file, .cert, .key).")
            elif address.lower().startswith("tls://"):
                hint += (f" For TLS, also check that {tls.SETTING}.cert (or dask's "
                         "distributed.comm.tls.client.cert) is signed by a CA the scheduler trusts and "
                         f"that {tls.SETTING}.ca-file holds the CA of the scheduler's certificate.")
            raise OpenError(f"cannot reach the dask scheduler at {address} within {timeout:.0f} s: {exc}\n"
                            + hint) from exc
        try:
            if self.spec.kind == "local" or (self.spec.kind == "cluster"
                                             and self.spec.cluster.kind in clusters.SSH_KINDS):
                # All the workers we start ourselves; a batch system's jobs may wait in its queue.
                self.client.wait_for_workers(self.spec.workers, timeout=timeout)
            else:
                self.client.wait_for_workers(1, timeout=timeout)
        except Exception as exc:
            self.close()
            raise OpenError(f"the dask cluster at {address} has no workers after {timeout:.0f} s") from exc
        logging.getLogger("distributed.client").addFilter(_reconnect_filter)
        if self.spec.kind != "local":
            self._check_threads(address)
            self._check_installation(address)
        # Load ROOT and the shim library in every worker now, so that the first query is quick.
        self._warm = [self.client.submit(slots.prepare, workers=[w], pure=False, key=f"proofshim-warm-{w}")
                      for w in self.workers()]

    def _check_threads(self, address: str) -> None:
        """Refuse a cluster whose workers run several threads: two packets would run at once in one
        process, where ROOT's event loop and the selectors are not thread-safe."""
        many = sorted((w, n) for w, n in self.client.nthreads().items() if n != 1)
        if many:
            shown = ", ".join(f"{w} has {n}" for w, n in many[:3]) + (" ..." if len(many) > 3 else "")
            self.close()
            raise OpenError(f"the dask workers of {address} must each run one thread ({shown}): a "
                            "worker process runs one selector's packets at a time, as a PROOF worker "
                            "did. Start them with `dask worker --nthreads 1 --nworkers N`.")

    def _check_installation(self, address: str) -> None:
        """Fail Open clearly when the workers of an existing cluster cannot import proofshim
        (every query would fail with dask's ModuleNotFoundError); warn about other versions."""
        from .. import __version__

        try:
            found = self.client.run(installation_probe(), on_error="return")
        except Exception as exc:  # noqa: BLE001 - a check only: queries report real failures
            log.warning("could not check proofshim on the workers of %s: %s", address, exc)
            return
        error, warning = installation_problems(found, __version__, address)
        if error:
            self.close()
            raise OpenError(error)
        if warning:
            log.warning(warning)

    def session_dir(self) -> str:
        """The session's directory on this host (sessiondir's layout)."""
        return sessiondir.path(runtime.cache_dir(), self.session_tag or "no-session")

    def keep_file(self, path: str) -> None:
        """A file of the session directory (on a worker's host) that must outlive the session."""
        self.kept_files.append(path)
        if isinstance(self.cluster, LocalClusterProcess):
            self.cluster.keep(path)

    # ---- a scheduler that goes away
    def connected(self) -> bool:
        """Whether the client is connected to its scheduler (not gone, not reconnecting); a
        cluster still starting in the background counts as connected (nothing is lost yet)."""
        if self.starting():
            return not self.gone
        return not self.gone and self.client is not None and \
            getattr(self.client, "status", "") in ("running", "newly-created")

    def connection_lost(self) -> None:
        """Called when a dask call failed or futures were cancelled while the client is not
        connected: wait (at most `connect-timeout` s, as long as dask is trying to reconnect) for
        the scheduler to come back. Raises QueryError when it did (the work in flight was lost
        with the connection), SessionGone when it did not."""
        if self.gone:
            raise SessionGone(self.gone)
        client = self.client
        _lost_clients.add(id(client))
        timeout = float(settings.get("connect-timeout"))
        t0, noticed = time.monotonic(), time.strftime("%H:%M:%S")
        while client.status in ("connecting", "newly-created") and time.monotonic() - t0 < timeout:
            time.sleep(0.1)
        if client.status == "running":
            raise QueryError(f"the connection to the dask scheduler at {self.address} was lost and "
                             f"came back {time.monotonic() - t0:.0f} s later; what was running was lost "
                             "with it: run the query again")
        self.gone = (f"the session is gone: its dask scheduler at {self.address} stopped answering "
                     f"at {noticed} and did not come back within {timeout:.0f} s "
                     "(proofshim.connect-timeout); open a new session with TProof.Open")
        self.client = _GoneClient(self.gone)
        threading.Thread(target=lambda: _quietly(client.close, timeout=2), daemon=True,
                         name="proofshim-close-lost-client").start()
        if isinstance(self.cluster, LocalClusterProcess):
            self.cluster.stop(timeout=0.1)
        raise SessionGone(self.gone)

    def check_connection(self) -> None:
        """Raise SessionGone (or QueryError, see connection_lost) unless connected."""
        if not self.connected():
            self.connection_lost()

    def end_session(self, gone: bool = False) -> None:
        """Close at the end of the session: remove the session's directories (on this host for the
        embedded cluster, on every worker host of any other cluster), unless they are to be kept;
        then disconnect and stop the embedded cluster. `gone`: the scheduler is known to be dead."""
        self._settle()
        remove = bool(self.session_tag) and not settings.get(sessiondir.KEEP_SETTING)
        gone = gone or not self.connected()
        if remove and self.spec.kind != "local" and self.client is not None and not gone:
            try:
                hosts: dict[str, str] = {}
                for addr in self.workers():
                    hosts.setdefault(logcapture.host_of(addr), addr)
                self.client.run(remove_session_dir, self.session_tag, tuple(self.kept_files),
                                workers=list(hosts.values()), on_error="return")
            except Exception as exc:  # noqa: BLE001 - files left behind must not fail Close
                log.debug("session directories on the workers not removed: %s", exc)
        self.close()
        if remove and self.spec.kind == "local":
            sessiondir.remove(self.session_dir(), self.kept_files)

    def close(self, fast: bool = False) -> None:
        """Disconnect; stop the embedded cluster (at once if `fast`: its workers are broken).
        The session directory stays (end_session removes it)."""
        self._settle()
        self._view = None
        if self.client is not None:
            if not isinstance(self.client, _GoneClient):
                _quietly(self.client.close, timeout=2 if fast or not self.connected() else 10)
            self.client = None
        if self.cluster is not None:
            self.cluster.stop(timeout=0.1 if fast else 20.0)
            self.cluster = None

    def _wait(self, futures, timeout: float, return_when: str = "FIRST_COMPLETED"):
        """distributed.wait on this session's client (which is deliberately not the default one)."""
        from distributed import wait  # noqa: PLC0415

        with self.client.as_current():
            try:
                result = wait(futures, timeout=timeout, return_when=return_when)
            except TIMEOUTS:
                result = set(), set(futures)
            except CANCELLED:
                # A lost worker took some (or their input) with it: the callers treat cancelled
                # futures as lost work.
                done = {f for f in futures if f.done()}
                result = done, set(futures) - done
        if not self.connected():
            # Not lost workers: the scheduler itself (dask cancels every future when the
            # connection drops). Say so, instead of treating the work as lost by its workers.
            self.connection_lost()
        return result

    def ensure_workers(self, max_age: float = 0.0) -> None:
        """Wait (bounded) for workers that are being replaced, e.g. after a crash killed them all
        (`max_age`: as for workers())."""
        want = self.spec.workers if self.spec.kind == "local" else 1
        if len(self.workers(max_age)) >= want:
            return
        timeout = float(settings.get("connect-timeout"))
        if self.spec.kind == "local":
            # dask's nannies do not bring back a worker whose process crashed (forked from a
            # process with ROOT loaded); the embedded cluster is cheap to start again.
            try:
                self.client.wait_for_workers(want, timeout=min(timeout, 10))
                return
            except Exception:  # noqa: BLE001
                log.warning("%d of the %d local workers are gone (a crash?): restarting the local "
                            "cluster", want - len(self.workers()), want)
                self.close(fast=True)
                self.start()
                return
        try:
            self.client.wait_for_workers(want, timeout=timeout)
        except Exception:  # noqa: BLE001 - fewer workers than hoped is fine, none is not
            if not self.workers():
                raise QueryError(f"no dask worker is available (waited {timeout:.0f} s for the "
                                 f"cluster at {self.client.scheduler.address})") from None

    def workers(self, max_age: float = 0.0) -> list[str]:
        """Every usable worker of the cluster, sorted (their order gives the PROOF ordinals).
        Workers with several threads (joined after Open) are left out, with a warning. With
        `max_age`, the scheduler's last answer if it is at most that many seconds old."""
        view = self._view
        if max_age > 0 and view is not None and time.monotonic() - view[0] <= max_age:
            return list(view[1])
        asked = time.monotonic()
        try:
            nthreads = self.client.nthreads()   # a small reply, unlike scheduler_info()
        except ProofShimError:
            raise
        except Exception:
            if not self.connected():
                self.connection_lost()
            raise
        many = {w for w, n in nthreads.items() if n != 1}
        if many - self._refused:
            log.warning("dask worker(s) %s run several threads: proofshim does not use them (start "
                        "workers with --nthreads 1)", ", ".join(sorted(many - self._refused)))
            self._refused |= many
        current = sorted(w for w in nthreads if w not in many)
        self._view = (asked, current)
        return list(current)

    def recent_workers(self) -> list[str]:
        """workers(), or the scheduler's answer of at most VIEW_AGE s ago."""
        return self.workers(VIEW_AGE)

    def active_workers(self, current: list[str] | None = None) -> list[str]:
        """The workers queries use: all of them, or the first n after SetParallel(n)."""
        current = self.recent_workers() if current is None else current
        return current if self.parallel is None else current[:max(1, self.parallel)]

    def on_every_worker(self, fn, *args, timeout: float | None = None) -> dict:
        """Run fn(*args) as a task pinned to each worker (its executor thread, where ROOT lives)."""
        timeout = float(timeout if timeout is not None else settings.get("exec-timeout"))
        futures = {w: self.client.submit(fn, *args, workers=[w], pure=False) for w in self.workers()}
        _, not_done = self._wait(list(futures.values()), timeout, "ALL_COMPLETED")
        if not_done:
            self.client.cancel(list(not_done))
            raise QueryError(f"{len(not_done)} worker(s) did not finish {fn.__name__} within {timeout:.0f} s")
        return {w: f.result() for w, f in futures.items()}

    def all_succeed(self, where: str, fn, *args) -> bool:
        """on_every_worker for tasks returning '' or an error message: log each error (naming the
        worker and `where`, the PROOF method) and say whether every worker succeeded."""
        failed = {w: err for w, err in self.on_every_worker(fn, *args).items() if err}
        for w, err in failed.items():
            log.error("on %s: %s", w, err, extra={"where": where})
        return not failed

    # ---- data locality
    def _host_of(self, addr: str) -> str | None:
        """A worker's host as the packetizer compares it with the files' hosts."""
        host = locality.address_host(addr)
        return locality.resolve(host) if host else None

    def worker_hosts(self) -> set[str]:
        """The hosts of the active workers, written as the packetizer is told them."""
        return {h for h in map(self._host_of, self.active_workers()) if h}

    def element_hosts(self, urls: list[str]) -> list[str | None]:
        """Which worker host holds each file (None: unknown, or all workers on one host): root://
        URLs name their server; local paths are the client's (its address towards the scheduler)."""
        sched = locality.address_host(self.client.scheduler.address) or "127.0.0.1"
        client_host = locality.local_address_towards(locality.resolve(sched))
        return locality.element_hosts(urls, self.active_workers(), client_host=client_host,
                                      canonical=locality.resolve)

    def running(self) -> QueryRun | None:
        """The query running now, else the last one (its tally and packets in flight: the closing
        feedback after the run reads the final tally), or None before the first."""
        return self._run or self._last_run

    # ---- stopping
    def request_stop(self, abort: bool) -> None:
        """Soft stop (no new packets, running ones end at the next entry) or abort of the query
        running now; no effect between queries. Callable from any thread (StopProcess from a
        callback or another thread): the query's loop passes it on to its workers within a poll."""
        run = self._run
        if run is not None:
            run.request_stop(abort)

    def run_on_each(self, fn, args: tuple, addrs: list[str], timeout: float = CALL_TIMEOUT) -> dict:
        """fn(*args) in the event loop of each worker (Client.run: next to a running task), all at
        once; worker -> its answer, or None if it did not answer within `timeout` s (stopped, gone).
        A plain function with wait=True: distributed 2026 refuses wait=False for those."""
        client = self.client

        async def one(addr):
            try:
                res = await asyncio.wait_for(client.run(fn, *args, workers=[addr], on_error="return",
                                                        asynchronous=True), timeout)
            except Exception:  # noqa: BLE001 - timed out, or the worker left: no answer
                return addr, None
            value = res.get(addr) if isinstance(res, dict) else None
            return addr, None if isinstance(value, BaseException) else value

        async def each():
            return dict(await asyncio.gather(*(one(a) for a in addrs)))

        if not addrs:
            return {}
        return client.sync(each)

    def restart_workers(self, addrs: list[str]) -> dict[str, str]:
        """Restart workers (their nannies kill and replace the processes); worker -> "" if done,
        else why not (e.g. an external worker without a nanny)."""
        timeout = float(settings.get("connect-timeout"))
        try:
            self.client.restart_workers(list(addrs), timeout=timeout)
            return {a: "" for a in addrs}
        except Exception as exc:  # noqa: BLE001
            return {a: f"{type(exc).__name__}: {exc}" for a in addrs}

    def memory_deaths(self) -> dict[str, int]:
        """Workers their nanny restarted for exceeding the memory limit: address -> memory used."""
        try:
            events = self.client.get_events("worker-restart-memory")
        except Exception:  # noqa: BLE001 - a diagnostic only
            return {}
        return {msg.get("worker"): int(msg.get("rss", 0)) for _, msg in events if isinstance(msg, dict)}

    def memory_limit(self) -> int:
        """The per-worker memory limit of the cluster's workers in bytes (0: none or unknown)."""
        try:
            limits = [w.get("memory_limit") or 0 for w in self.client.scheduler_info()["workers"].values()]
        except Exception:  # noqa: BLE001
            return 0
        return max(limits, default=0)

    # ---- queries
    def submit_counts(self, refs: list[tuple[str, str, str]]) -> list:
        """Start counting the entries of each (url, tree, directory) on the workers: in a few
        batches per worker (one task per file costs more than the counting of a small file)."""
        refs = list(refs)
        if not refs:
            return _CountBatches()
        per_task = max(1, -(-len(refs) // (4 * max(1, len(self.recent_workers())))))
        batches = _CountBatches(self.client.submit(slots.count_entries_many, refs[i:i + per_task], pure=False)
                                for i in range(0, len(refs), per_task))
        return batches

    def gather_counts(self, futures: list) -> list[tuple[int, str]]:
        """Entries (or -1 and the reason) of each counted tree, waiting at most `count-timeout` s
        (the results of other futures, e.g. listed keys, as they are)."""
        if not futures:
            return []
        if isinstance(futures, _CountBatches):
            return [c for batch in self._gather(list(futures)) for c in batch]
        return self._gather(futures)

    def _gather(self, futures: list) -> list:
        timeout = float(settings.get("count-timeout"))
        _, not_done = self._wait(futures, timeout, "ALL_COMPLETED")
        if not_done:
            self.client.cancel(futures)
            raise QueryError(f"counting the entries of {len(futures)} file(s) took over {timeout:.0f} s "
                             f"(setting proofshim.count-timeout): {len(not_done)} not counted")
        try:
            return self.client.gather(futures)
        except Exception as exc:
            self.check_connection()
            raise QueryError(f"counting the entries of {len(futures)} file(s) failed: {exc}") from exc

    def run(self, spec: slots.QuerySpec, packetizer: AdaptivePacketizer, progress) -> QueryOutcome:
        """Run every packet of the query, finish every slot, return the outputs (queryrun.QueryRun)."""
        self.ensure_workers(VIEW_AGE)   # _ordinals made sure of them just before
        backend = DaskRun(self, spec)
        self._run = run = QueryRun(spec, packetizer, progress, backend, run_settings())
        try:
            with _ctrl_c_to(run.interrupted):
                return run.run()
        finally:
            self._run, self._last_run = None, run
            backend.close()

    def _fetch(self, fut, timeout: float, worker_address: str | None = None):
        """A finished task's result, or None when it went down with its worker: dask would
        otherwise wait, without bound, to recompute it on the (pinned, dead) worker. Gives up as
        soon as `worker_address` has left the cluster, else after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return fut.result(timeout=max(0.1, min(1.0, deadline - time.monotonic())))
            except TIMEOUTS:
                gone = worker_address is not None and worker_address not in self.workers()
                if gone or time.monotonic() >= deadline:
                    log.debug("result of %s lost", fut.key)
                    return None
            except Exception:  # noqa: BLE001 - cancelled, or lost with the worker
                if not self.connected():
                    self.connection_lost()
                log.debug("result of %s lost", fut.key)
                return None

    def forget(self, query_id: str) -> None:
        """Drop the selectors an aborted or failed query left on the workers."""
        try:
            for w in self.workers():
                self.client.submit(slots.forget_query, query_id, workers=[w], pure=False)
        except Exception:  # noqa: BLE001 - cleanup only
            pass


@contextlib.contextmanager
def _ctrl_c_to(handler):
    """While a query runs, Ctrl-C (SIGINT) calls `handler` (first a soft stop, then an abort)
    instead of raising KeyboardInterrupt wherever the main thread happens to be. Only the main
    thread can take signals; elsewhere the run loop turns a KeyboardInterrupt into the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.signal(signal.SIGINT, lambda _sig, _frame: handler())
    except ValueError:   # not in the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_settings() -> RunSettings:
    """The run loop's limits from proofshim's settings."""
    def seconds(key: str) -> float:
        value = settings.get(key)
        return 0.0 if value in (None, False, "", "off") else float(value)

    wait = settings.get("worker-wait")
    return RunSettings(result_timeout=RESULT_TIMEOUT,
                       finish_timeout=seconds("finish-timeout"),
                       hang_warning=seconds("hang-warning"),
                       packet_timeout=seconds("packet-timeout"),
                       worker_wait=seconds("worker-wait" if wait is not None else "connect-timeout"),
                       abort_grace=seconds("abort-grace"))


class DaskRun:
    """queryrun.Backend on an Executor's dask client, for one query."""

    def __init__(self, executor: Executor, spec: slots.QuerySpec):
        self.ex, self.client, self.spec = executor, executor.client, spec
        self._spec_future = self.client.scatter(spec, broadcast=True, hash=False)
        self._fetched: dict = {}   # handle -> its result, fetched with others done at once

    def clock(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def workers(self) -> list[str]:
        # The run's first look repeats the query's own of a moment ago; later ones are fresh.
        return self.ex.recent_workers()

    def active(self, current: list[str]) -> list[str]:
        return self.ex.active_workers(current)

    def host_of(self, addr: str) -> str | None:
        return self.ex._host_of(addr)

    def _spec(self):
        if self._spec_future.status != "finished":
            # Every copy of the query's description went down with lost workers.
            self._spec_future = self.client.scatter(self.spec, broadcast=True, hash=False)
        return self._spec_future

    def submit_packet(self, slot: slots.Slot, packet):
        spec = self._spec()
        return self.client.submit(slots.run_packet, spec, slot, packet, spec.key, workers=[slot.worker],
                                  pure=False, key=f"proofshim-packet-{self.spec.query_id}-{packet.id}")

    def submit_finish(self, slot: slots.Slot, create: bool, after: list = ()):
        spec = self._spec()
        # `after`, the slot's packets still running: dependencies, so that the scheduler hands the
        # finish to the worker only once they are done (sent to the worker with them, it could run
        # first: dask does not keep the order of submission).
        return self.client.submit(slots.finish_slot, spec, slot, create, spec.key, *after, workers=[slot.worker],
                                  pure=False, key=f"proofshim-finish-{slot}")

    def wait(self, handles: list, timeout: float) -> set:
        done, _ = self.ex._wait(handles, timeout)
        finished = [h for h in done if h.status == "finished" and h not in self._fetched]
        if len(finished) > 1:
            self._fetched.update(self._fetch_together(finished))
        return done

    def _fetch_together(self, futures: list) -> dict:
        """The results of several finished tasks in one round trip (outcome() would fetch each
        in its own); {} when that fails or takes longer than a moment, and outcome() then fetches
        each, with its handling of results lost with their worker."""
        client = self.client

        async def gather():
            return await asyncio.wait_for(client.gather(futures, errors="skip", asynchronous=True),
                                          CALL_TIMEOUT)

        try:
            values = client.sync(gather)
        except Exception:  # noqa: BLE001 - fetched one by one instead
            return {}
        if not isinstance(values, list) or len(values) != len(futures) or any(v is None for v in values):
            return {}
        return dict(zip(futures, values))

    def outcome(self, handle, addr: str) -> tuple[str, object]:
        res = self._fetched.pop(handle, None)
        if res is not None:
            return "ok", res
        if handle.status == "finished":
            res = self.ex._fetch(handle, RESULT_TIMEOUT, addr)
            return ("ok", res) if res is not None else ("lost", None)
        if handle.status == "error":
            exc = handle.exception()
            return ("died", exc) if _worker_died(exc) else ("error", exc)
        if handle.status == "lost":
            return "lost", None   # it ran; its result went with its worker
        return "died", None   # cancelled: its worker (or its input's) went

    def ran(self, handle, slot: slots.Slot, packet_id: int) -> bool:
        # dask marks a finished task's future "lost" when the only worker holding its result goes.
        if handle.status in ("finished", "lost"):
            return True
        # Ended, but its worker died in the next packet before saying so: the slot's note of the
        # packet it started last tells (on the workers' host: the embedded cluster).
        started = slots.last_started(self.spec.session_tag, slot)
        return started is not None and started > packet_id

    def cancel(self, handles: list) -> None:
        if handles:
            self.client.cancel(list(handles))

    def stop(self, addrs: list[str], level: int) -> None:
        self.ex.run_on_each(slots.request_stop, (self.spec.query_id, level), addrs)

    def probe(self, addrs: list[str]) -> dict:
        return self.ex.run_on_each(slots.activity, (self.spec.query_id,), addrs)

    def restart(self, addrs: list[str]) -> dict[str, str]:
        return self.ex.restart_workers(addrs)

    def lost_cause(self, addr: str) -> str:
        rss = self.ex.memory_deaths().get(addr)
        if rss is None:
            return ""
        limit = self.ex.memory_limit()
        return (f"it used {rss / 2**30:.2f} GiB, over its memory limit"
                + (f" of {limit / 2**30:.2f} GiB" if limit else "")
                + ", and its nanny restarted it; raise proofshim.memory-limit or use less memory per worker")

    def forget(self) -> None:
        self.ex.forget(self.spec.query_id)

    def close(self) -> None:
        self._fetched.clear()
        try:
            # Dropped without waiting for the scheduler's answer (cancel would: a round trip);
            # the scheduler forgets it, and so the query's lease, all the same.
            self._spec_future.release()
        except Exception:  # noqa: BLE001 - cleanup only
            pass
