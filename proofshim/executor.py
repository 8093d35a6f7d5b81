"""The dask side of a session: which cluster, and running a query's packets on its workers.

One selector per worker slot (a worker process within one query): packets go to a slot's worker
pinned, two in flight so the worker never waits for the client; when the packetizer is drained
every slot is finished (SlaveTerminate) and returns its serialised output list. A slot whose worker
disappears is lost: the packetizer hands its packets out again and its outputs are never used.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time

from . import clusters, locality, runtime, sessiondir, settings, tls, worker, workerlog
from .errors import OpenError, ProofShimError, QueryAborted, QueryError, SessionGone
from .packetizer import AdaptivePacketizer
from .url import ClusterSpec

log = logging.getLogger("proofshim")

IN_FLIGHT_PER_SLOT = 2
RESULT_TIMEOUT = 30.0             # s to fetch a finished task's (small) result from its worker
MAX_WORKER_LOSSES_PER_PACKET = 2   # a packet in flight at this many worker deaths fails the query
WORKER_CHECK_INTERVAL = 1.0


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
                f"the workers' environment (pip install proofshim=={version}) and restart them."), ""
    other = sorted(f"{w} has {v}" for w, v in found.items() if isinstance(v, str) and v not in (version, "?"))
    if other:
        return "", (f"the client runs proofshim {version}, but on the workers of {address}: "
                    f"{'; '.join(other[:3])}; install the same version everywhere")
    return "", ""


class LocalClusterProcess:
    """The embedded cluster: proofshim._clusterhost in its own session, tied to our lifetime.

    Secured with TLS credentials made for it (tls.embedded_credentials), handed to the cluster
    host through its standard input; its dask local directory is `<session dir>/dask`."""

    def __init__(self, n_workers: int, session_dir: str, kept_files=()):
        self.n_workers = n_workers
        self.session_dir = session_dir
        self.kept_files = list(kept_files)   # kept by an earlier cluster of the session (a restart)
        self.proc: subprocess.Popen | None = None
        self.address: str | None = None
        self.credentials: dict | None = None

    def start(self, timeout: float) -> str:
        sessiondir.create(self.session_dir)
        env = dict(os.environ)
        env.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "proofshim._clusterhost", str(self.n_workers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True,
            start_new_session=True, env=env)
        found: list[str] = []
        ready = threading.Event()
        out = self.proc.stdout

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
        try:
            # Made while the cluster host loads ROOT; they travel through its stdin, a pipe only
            # this process holds (never its command line or environment, which others can read).
            self.credentials = tls.embedded_credentials()
            self._tell(json.dumps({"tls": self.credentials, "session_dir": self.session_dir,
                                   "local_directory": os.path.join(self.session_dir, "dask"),
                                   "keep_files": self.kept_files,
                                   "keep_dirs": bool(settings.get(sessiondir.KEEP_SETTING, False))}))
        except BaseException:
            self.stop()
            raise
        ready.wait(timeout)
        if not found:
            self.stop()
            raise OpenError(f"the local dask cluster of {self.n_workers} workers did not start within "
                            f"{timeout:.0f} s (see the messages above)")
        self.address = found[0]
        tls.remember(self.address, self.credentials)
        return self.address

    def _tell(self, line: str) -> bool:
        """Send the cluster host one line of its protocol (see proofshim._clusterhost)."""
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


@dataclasses.dataclass
class Tally:
    """What one slot (or one worker) did in a query."""

    entries: int = 0
    bytes_read: int = 0
    packets: int = 0
    proc_time: float = 0.0     # s spent in packets
    cpu: float = 0.0           # CPU s spent in packets

    def add_packet(self, res: worker.PacketResult) -> None:
        self.entries += res.processed
        self.bytes_read += res.bytes_read
        self.packets += 1
        self.proc_time += res.elapsed
        self.cpu += res.cpu

    def merge(self, other: "Tally") -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@dataclasses.dataclass
class QueryOutcome:
    """What the workers returned for a query."""

    outputs: list[bytes]
    processed: int
    bytes_read: int
    dropped: dict                     # file URL -> reason, for MissingFiles
    stopped: bool
    slots: list[worker.SlotResult]
    workers: dict[str, Tally] = dataclasses.field(default_factory=dict)   # address -> its work kept


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


class Executor:
    """A dask client bound to one cluster, for one session."""

    def __init__(self, spec: ClusterSpec, session_tag: str = ""):
        self.spec = spec
        self.session_tag = session_tag
        self.kept_files: list[str] = []       # session-directory files that outlive it (data sets)
        self.address = ""                     # the scheduler's
        self.gone = ""                        # why the session is gone ('' while it is not)
        self.cluster: LocalClusterProcess | clusters.ClusterHandle | None = None
        self.client = None
        self._warm: list = []
        self._stop_request: str | None = None
        self._stop_sent = 0
        self.parallel: int | None = None      # SetParallel(n): use the first n workers only

    # ---- lifecycle
    def start(self) -> None:
        from distributed import Client  # noqa: PLC0415

        timeout = float(settings.get("connect-timeout", 60))
        if self.spec.kind == "local":
            self.cluster = LocalClusterProcess(self.spec.workers, self.session_dir(), self.kept_files)
            address = self.cluster.start(timeout)
        elif self.spec.kind == "cluster":
            # SSH or batch-system cluster started for this session, closed with it.
            self.cluster = clusters.ClusterHandle(self.spec.cluster)
            address = self.cluster.start(timeout)
        else:
            address = self.spec.address
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
            self._check_installation(address)
        # Load ROOT and the shim library in every worker now, so that the first query is quick.
        self._warm = [self.client.submit(worker.prepare, workers=[w], pure=False, key=f"proofshim-warm-{w}")
                      for w in self.workers()]

    def _check_installation(self, address: str) -> None:
        """Fail Open clearly when the workers of an existing cluster cannot import proofshim
        (every query would fail with dask's ModuleNotFoundError); warn about other versions."""
        from . import __version__

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
        """Whether the client is connected to its scheduler (not gone, not reconnecting)."""
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
        timeout = float(settings.get("connect-timeout", 60))
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
        remove = bool(self.session_tag) and not settings.get(sessiondir.KEEP_SETTING, False)
        gone = gone or not self.connected()
        if remove and self.spec.kind != "local" and self.client is not None and not gone:
            try:
                hosts: dict[str, str] = {}
                for addr in self.workers():
                    hosts.setdefault(workerlog.host_of(addr), addr)
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

        from distributed.client import FuturesCancelledError  # noqa: PLC0415

        with self.client.as_current():
            try:
                result = wait(futures, timeout=timeout, return_when=return_when)
            except TimeoutError:
                result = set(), set(futures)
            except FuturesCancelledError:
                # A lost worker took some (or their input) with it: the callers treat cancelled
                # futures as lost work.
                done = {f for f in futures if f.done()}
                result = done, set(futures) - done
        if not self.connected():
            # Not lost workers: the scheduler itself (dask cancels every future when the
            # connection drops). Say so, instead of treating the work as lost by its workers.
            self.connection_lost()
        return result

    def ensure_workers(self) -> None:
        """Wait (bounded) for workers that are being replaced, e.g. after a crash killed them all."""
        want = self.spec.workers if self.spec.kind == "local" else 1
        if len(self.workers()) >= want:
            return
        timeout = float(settings.get("connect-timeout", 60))
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

    def workers(self) -> list[str]:
        """Every worker of the cluster, sorted (their order gives the PROOF ordinals)."""
        try:
            return sorted(self.client.nthreads())   # a small reply, unlike scheduler_info()
        except ProofShimError:
            raise
        except Exception:
            if not self.connected():
                self.connection_lost()
            raise

    def active_workers(self, current: list[str] | None = None) -> list[str]:
        """The workers queries use: all of them, or the first n after SetParallel(n)."""
        current = self.workers() if current is None else current
        return current if self.parallel is None else current[:max(1, self.parallel)]

    def on_every_worker(self, fn, *args, timeout: float | None = None) -> dict:
        """Run fn(*args) as a task pinned to each worker (its executor thread, where ROOT lives)."""
        timeout = float(timeout if timeout is not None else settings.get("exec-timeout", 600))
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

    def element_hosts(self, urls: list[str]) -> list[str | None]:
        """Which worker host holds each file (None: unknown, or all workers on one host): root://
        URLs name their server; local paths are the client's (its address towards the scheduler)."""
        sched = locality.address_host(self.client.scheduler.address) or "127.0.0.1"
        client_host = locality.local_address_towards(locality.resolve(sched))
        return locality.element_hosts(urls, self.active_workers(), client_host=client_host,
                                      canonical=locality.resolve)

    # ---- stopping
    def request_stop(self, abort: bool) -> None:
        """Soft stop (no new packets, running ones end at the next entry) or abort.

        Callable from any thread (StopProcess from a callback or another thread); the query's
        loop passes it on to the workers within a quarter of a second."""
        self._stop_request = "abort" if abort else (self._stop_request or "stop")

    def _tell_workers_to_stop(self) -> None:
        """Set the flag every worker's event loop checks before each entry (1 stop, 2 abort).

        client.run executes in the worker's event-loop thread, next to the packet running in its
        executor thread, so the packet sees the flag at its next entry."""
        level = 2 if self._stop_request == "abort" else 1
        if self._stop_sent >= level:
            return
        self._stop_sent = level
        try:
            self.client.run(worker.request_stop, level, workers=self.active_workers(), wait=False)
        except Exception as exc:  # noqa: BLE001 - the futures are cancelled regardless
            log.warning("could not pass the stop request to the workers: %s", exc)

    def _wait_interruptible(self, futures, timeout: float):
        """_wait, where Ctrl-C asks for a soft stop the first time and an abort the second."""
        try:
            return self._wait(futures, timeout)
        except KeyboardInterrupt:
            first = self._stop_request is None
            self.request_stop(abort=not first)
            if first:
                print("Info in <TProof::StopProcess>: Ctrl-C: stopping the query (running packets end "
                      "at their next entry); press Ctrl-C again to abort it", file=sys.stderr)
            return set(), set(futures)

    # ---- queries
    def submit_counts(self, refs: list[tuple[str, str, str]]) -> list:
        """Start counting the entries of each (url, tree, directory) on the workers."""
        return [self.client.submit(worker.count_entries, *ref, pure=False) for ref in refs]

    def gather_counts(self, futures: list) -> list[tuple[int, str]]:
        """Entries (or -1 and the reason) of each counted tree, waiting at most `count-timeout` s."""
        if not futures:
            return []
        timeout = float(settings.get("count-timeout", 300))
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

    def run(self, spec: worker.QuerySpec, packetizer: AdaptivePacketizer, progress) -> QueryOutcome:
        """Run every packet of the query, finish every slot, return the outputs."""
        self._stop_request = None
        self._stop_sent = 0
        self.ensure_workers()
        client = self.client
        spec_holder = [client.scatter(spec, broadcast=True, hash=False)]
        slot_worker: dict[str, str] = {}        # slot -> worker address
        active_slot: dict[str, str] = {}        # worker address -> its slot taking packets
        slot_counter = 0
        inflight: dict = {}                     # future -> (slot, packet)
        closed_workers: set[str] = set()        # workers whose selector aborted (kAbortProcess)
        submitted = 0
        results: list[worker.SlotResult] = []
        dropped: dict[str, str] = {}
        tally: dict[str, Tally] = {}            # slot -> the work it did (none of a lost slot's counts)
        last_check = 0.0
        known_workers = self.active_workers()
        suspects: dict[tuple, int] = {}         # packet range -> worker losses while it was in flight
        suspect_workers: dict[tuple, list] = {}  # packet range -> the workers lost with it

        def new_slot(addr: str) -> str:
            nonlocal slot_counter
            slot_counter += 1
            slot = f"{spec.query_id}|{addr}|{slot_counter}"
            active_slot[addr] = slot
            return slot

        def feed(addr: str) -> None:
            nonlocal submitted
            if self._stop_request or addr in closed_workers:
                return
            slot = active_slot.get(addr) or new_slot(addr)
            n = sum(1 for s, _ in inflight.values() if s == slot)
            while n < IN_FLIGHT_PER_SLOT:
                packet = packetizer.next_packet(slot, self._host_of(addr))
                if packet is None:
                    return
                if spec_holder[0].status != "finished":
                    # Every copy of the query's description went down with lost workers.
                    spec_holder[0] = client.scatter(spec, broadcast=True, hash=False)
                fut = client.submit(worker.run_packet, spec_holder[0], slot, packet, workers=[addr],
                                    pure=False, key=f"proofshim-packet-{spec.query_id}-{packet.id}")
                inflight[fut] = (slot, packet)
                slot_worker[slot] = addr   # a slot exists on its worker once it has a packet
                submitted += 1
                n += 1

        def lose_slot(slot: str, also=()) -> None:
            """The slot's selector is gone: everything it did goes back in the queue. Its packets
            in flight (`also`: ones already taken off `inflight`) are suspects of the crash."""
            addr = slot_worker.get(slot)
            packets = list(also)
            for f in [f for f, (s, _) in inflight.items() if s == slot]:
                packets.append(inflight.pop(f)[1])
                f.cancel()
            culprits = []
            for packet in packets:
                # Requeued work comes back under a new packet id, with the same range.
                key = (packet.element, packet.first, packet.num)
                suspects[key] = suspects.get(key, 0) + 1
                suspect_workers.setdefault(key, []).append(addr)
                if suspects[key] >= MAX_WORKER_LOSSES_PER_PACKET:
                    culprits.append(packet)
            if culprits:
                crashed = [a for p in culprits for a in suspect_workers[(p.element, p.first, p.num)]]
                raise QueryError(
                    f"selector {spec.selector.label} took down {MAX_WORKER_LOSSES_PER_PACKET} "
                    "worker processes on the same data (a crash, e.g. a segmentation violation, "
                    "or the memory limit): " + "; ".join(self._where(spec, p) for p in culprits)
                    + " (the selector's Process() is the first suspect).",
                    workers=list(dict.fromkeys(crashed)))
            requeued = packetizer.slot_lost(slot)
            tally.pop(slot, None)
            if progress.feedback is not None:
                progress.feedback.drop(slot)
            log.warning("worker %s was lost: %d packet(s) of its work go back in the queue",
                        addr, len(requeued))
            slot_worker.pop(slot, None)
            if active_slot.get(addr) == slot:
                active_slot.pop(addr)

        def lose_slots(gone: set[str]) -> None:
            finished = {r.slot for r in results}
            for slot, addr in list(slot_worker.items()):
                if addr in gone and slot not in finished:
                    lose_slot(slot)

        try:
            while True:
                submitted = 0
                known_workers = self.active_workers()
                for addr in known_workers:
                    feed(addr)
                while inflight:
                    if self._stop_request:
                        self._tell_workers_to_stop()
                    if self._stop_request == "abort":
                        raise QueryAborted("query aborted")
                    done, _ = self._wait_interruptible(list(inflight), 0.25)
                    for fut in done:
                        if fut not in inflight:   # already given up with its lost slot
                            continue
                        slot, packet = inflight.pop(fut)
                        if fut.status != "finished":
                            exc = fut.exception() if fut.status == "error" else None
                            if exc is None or _worker_died(exc):
                                if slot in slot_worker:
                                    lose_slot(slot, also=[packet])
                                continue
                            raise QueryError(f"packet {packet.first}..{packet.first + packet.num} of "
                                 f"{self._where(spec, packet)} failed on {slot_worker.get(slot)}: {exc}",
                                 workers=[slot_worker.get(slot)])
                        res = self._fetch(fut, RESULT_TIMEOUT, slot_worker.get(slot))
                        if res is None:   # done, but its worker died before the result was fetched:
                            if slot in slot_worker:   # requeued with the slot, not a suspect
                                lose_slot(slot)
                            continue
                        packetizer.packet_done(slot, packet, res.elapsed, res.processed)
                        tally.setdefault(slot, Tally()).add_packet(res)
                        log.debug("packet %d (%s) on %s: %d entries in %.3f s", packet.id,
                                  self._where(spec, packet), slot_worker.get(slot), res.processed, res.elapsed)
                        if res.feedback and progress.feedback is not None:
                            progress.feedback.add(slot, res.feedback)
                        if res.status == worker.ERROR:
                            raise QueryError(f"selector {spec.selector.label} failed on "
                                 f"{self._where(spec, packet, res)}: {res.error}",
                                 workers=[slot_worker.get(slot)])
                        elif res.status == worker.DATA_ERROR:
                            # Counted before, unreadable now: PROOF's TPacketizerAdaptive dropped
                            # the rest of such a file into MissingFiles; strict mode fails instead.
                            url = spec.elements[packet.element][0]
                            if spec.strict:
                                raise QueryError(f"{res.error}, while processing "
                                                 f"{self._where(spec, packet)} (strict mode: no file "
                                                 "may be skipped)")
                            n = packetizer.drop_rest_of_element(slot, packet, packet.first)
                            if url not in dropped:   # once per file, not once per packet of it
                                log.warning("%s while processing: %d entries of it from entry %d on "
                                            "(and its other packets not yet processed) are skipped, "
                                            "the file is listed in MissingFiles", res.error,
                                            n, packet.first)
                            dropped.setdefault(url, f"{res.error} (while processing)")
                        elif res.status == worker.ABORTED_PROCESS:
                            log.info("selector asked to abort processing on %s (kAbortProcess)",
                                     slot_worker.get(slot))
                            closed_workers.add(slot_worker[slot])
                        elif res.status == worker.ABORTED_FILE:
                            url = spec.elements[packet.element][0] if not spec.cycles else "cycles"
                            n = packetizer.drop_rest_of_element(slot, packet, res.last_entry + 1)
                            dropped.setdefault(url, "the selector skipped the rest of the file (kAbortFile)")
                            log.info("kAbortFile: %d entries of %s skipped", n, url)
                        elif res.status == worker.STOPPED:
                            closed_workers.add(slot_worker[slot])
                        progress.update(sum(t.entries for t in tally.values()),
                                        sum(t.bytes_read for t in tally.values()), len(active_slot))
                        if slot in slot_worker:
                            feed(slot_worker[slot])
                    now = time.monotonic()
                    if now - last_check > WORKER_CHECK_INTERVAL:
                        last_check = now
                        current = self.workers()
                        gone = set(known_workers) - set(current)
                        known_workers = self.active_workers(current)
                        if gone:
                            lose_slots(gone)
                        for addr in known_workers:
                            feed(addr)
                        if not current:
                            raise QueryError("no dask worker is left in the cluster")
                # Every packet is back: SlaveTerminate on every slot, collect its outputs.
                pending = [s for s in slot_worker if s not in {r.slot for r in results}]
                fin = {client.submit(worker.finish_slot, spec_holder[0], s, workers=[slot_worker[s]],
                                     pure=False, key=f"proofshim-finish-{s}"): s for s in pending}
                lost_during_finish = self._gather_finish(fin, results, packetizer, spec)
                active_slot.clear()   # finished slots take no more packets: new ones would start
                if lost_during_finish:
                    lose_slots(lost_during_finish)
                    known_workers = self.active_workers()
                    continue
                if packetizer.finished or self._stop_request or submitted == 0:
                    break
        except BaseException:   # errors, aborts, Ctrl-C: nothing of this query may keep running
            client.cancel(list(inflight))
            self._forget(spec.query_id)
            raise
        finally:
            client.cancel(spec_holder)
        if not self._stop_request:
            committed = {r.slot for r in results}
            if not packetizer.finished or any(s not in committed for s in slot_worker):
                # Never hand back a partial result as if it were whole.
                raise QueryError(f"the query ended with work unaccounted for ({packetizer.remaining_entries} "
                                 "entries not processed, or a worker's outputs missing); failing it "
                                 "rather than returning incomplete results")
        errors = [r for r in results if r.error]
        if errors:
            def on(r):
                addr = slot_worker.get(r.slot, r.slot)
                return f"worker {spec.ordinals.get(addr, '?')} ({addr})"

            raise QueryError(f"selector {spec.selector.label} failed at the end of the query: "
                             + "; ".join(f"on {on(r)}: {r.error}" for r in errors)
                             + " (the outputs are not merged)", workers=[r.slot.split("|")[1] for r in errors])
        per_worker: dict[str, Tally] = {}
        for slot, t in tally.items():
            per_worker.setdefault(slot.split("|")[1], Tally()).merge(t)
        return QueryOutcome(outputs=[r.output for r in results if r.output],
                            processed=sum(t.entries for t in tally.values()),
                            bytes_read=sum(t.bytes_read for t in tally.values()), dropped=dropped,
                            stopped=bool(self._stop_request), slots=results, workers=per_worker)

    def _gather_finish(self, fin: dict, results: list, packetizer: AdaptivePacketizer,
                       spec: worker.QuerySpec) -> set[str]:
        timeout = float(settings.get("finish-timeout", 600))
        deadline = time.monotonic() + timeout
        lost: set[str] = set()
        remaining = dict(fin)
        while remaining:
            if self._stop_request == "abort":
                self._tell_workers_to_stop()
                raise QueryAborted("query aborted")
            if time.monotonic() > deadline:
                raise QueryError(f"SlaveTerminate did not finish on {len(remaining)} worker(s) "
                                 f"within {timeout:.0f} s")
            done, _ = self._wait_interruptible(list(remaining), 0.25)
            for fut in done:
                slot = remaining.pop(fut)
                if fut.status == "finished":
                    res = self._fetch(fut, max(RESULT_TIMEOUT, deadline - time.monotonic()), slot.split("|")[1])
                    if res is None:
                        lost.add(slot.split("|")[1])
                        continue
                    results.append(res)
                    packetizer.slot_committed(slot)
                elif fut.status == "error" and not _worker_died(fut.exception()):
                    raise QueryError(f"finishing the selector on {slot} failed: {fut.exception()}",
                                     workers=[slot.split("|")[1]])
                else:   # cancelled, or its worker died running it
                    lost.add(slot.split("|")[1])
            if remaining:
                current = set(self.workers())
                for fut, slot in list(remaining.items()):
                    addr = slot.split("|")[1]
                    if addr not in current:
                        fut.cancel()
                        remaining.pop(fut)
                        lost.add(addr)
        return lost

    def _fetch(self, fut, timeout: float, worker_address: str | None = None):
        """A finished task's result, or None when it went down with its worker: dask would
        otherwise wait, without bound, to recompute it on the (pinned, dead) worker. Gives up as
        soon as `worker_address` has left the cluster, else after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return fut.result(timeout=max(0.1, min(1.0, deadline - time.monotonic())))
            except TimeoutError:
                gone = worker_address is not None and worker_address not in self.workers()
                if gone or time.monotonic() >= deadline:
                    log.debug("result of %s lost", fut.key)
                    return None
            except Exception:  # noqa: BLE001 - cancelled, or lost with the worker
                if not self.connected():
                    self.connection_lost()
                log.debug("result of %s lost", fut.key)
                return None

    def _forget(self, query_id: str) -> None:
        try:
            for w in self.workers():
                self.client.submit(worker.forget_query, query_id, workers=[w], pure=False)
        except Exception:  # noqa: BLE001 - cleanup only
            pass

    @staticmethod
    def _where(spec: worker.QuerySpec, packet, res=None) -> str:
        if spec.cycles:
            return f"cycles {packet.first}..{packet.first + packet.num}"
        url, tree, _ = spec.elements[packet.element]
        if spec.objects:
            return f"file '{url}' objects {packet.first}..{packet.first + packet.num}"
        where = f"file '{url}' tree '{tree}' entries {packet.first}..{packet.first + packet.num}"
        if res is not None and res.last_entry >= 0:
            where += f" (at entry {res.last_entry})"
        return where
