"""PROOF sessions: TProof::Open's behaviour, the executor behind a TProof object, query records."""
from __future__ import annotations

import ctypes
import logging
import os
import socket
import sys
import time

from . import logs, runtime, selector, settings, worker
from .executor import Executor
from .url import parse_open_url

log = logging.getLogger("proofshim")

_sessions: dict[int, "Session"] = {}
_next_id = [0]


def _spec(url: str):
    return parse_open_url(url, ncpu=os.cpu_count() or 1, default_workers=settings.get("workers"),
                          masters=settings.get("masters", {}))


def get(proof) -> "Session | None":
    """The Python session behind a TProof object."""
    return _sessions.get(int(proof.GetSessionId())) if proof else None


def all_sessions() -> list["Session"]:
    return list(_sessions.values())


class Session:
    """One PROOF session: a TProof object (C++, shared with Python) and the dask cluster it uses."""

    def __init__(self, spec, loglevel: int = 0):
        ROOT = runtime.load_library()
        self.spec = spec
        self.executor = Executor(self.spec)
        t0 = time.monotonic()
        if self.spec.kind == "local":
            print(f" +++ Starting PROOF-Lite with {self.spec.workers} workers +++")
        self.executor.start()
        _next_id[0] += 1
        self.id = _next_id[0]
        self.tag = f"{socket.gethostname()}-{os.getpid()}-{int(time.time())}-{self.id}"
        self.seq = 0
        self.client_selector = None
        self.progress_callbacks: list = []
        self.loaded: list = []             # code shipped with TProof::Load
        self.packages: dict = {}           # name -> packages.Package, from UploadPackage
        self.enabled_packages: list = []   # packages.EnabledPackage, in the order enabled
        self.announced: set[str] = set()   # PROOF_* parameters already reported as ignored
        self.logs = logs.SessionLog()      # the workers' logs of every query and Exec
        self.proof = ROOT.TProof(self.spec.url, self.id, self.tag, self.spec.kind == "local", loglevel)
        ROOT.SetOwnership(self.proof, False)
        n = len(self.executor.workers())
        self.proof.SetParallelCount(n)
        _sessions[self.id] = self
        print(f"PROOF set to parallel mode ({n} workers)")
        log.info("session %s on %s ready in %.1f s", self.tag, self.spec.url, time.monotonic() - t0)

    def parameter(self, name: str, default):
        """A PROOF_* parameter from the input list, or `default`."""
        obj = self.proof.GetParameter(name)
        if not obj:
            return default
        if obj.IsA().GetName() == "TNamed":
            return obj.GetTitle()
        return obj.GetVal()

    def release_client_selector(self) -> None:
        """Drop the previous query's client selector without deleting the outputs it refers to."""
        sel = self.client_selector
        if sel is not None:
            out = sel.GetOutputList()
            if out:
                out.SetOwner(False)
                out.Clear("nodelete")
            self.client_selector = None

    def set_parallel(self, nodes: int) -> int:
        """TProof::SetParallel: use the first `nodes` workers (all when negative or too many)."""
        total = len(self.executor.workers())
        self.executor.parallel = None if nodes is None or nodes < 0 or nodes >= total else max(1, nodes)
        n = len(self.executor.active_workers())
        self.proof.SetParallelCount(n)
        if nodes == 0:
            log.info("SetParallel(0): proofshim has no sequential mode on the client; using 1 worker")
        print(f"PROOF set to parallel mode ({n} worker{'s' if n != 1 else ''})")
        return n

    def print_info(self, option: str = "") -> None:
        workers = self.executor.workers()
        print(f"Connected to:             {self.spec.url} (dask scheduler "
              f"{self.executor.client.scheduler.address})")
        print(f"Session tag:              {self.tag}")
        print(f"Number of workers:        {len(workers)}")
        print(f"Number of active workers: {self.proof.GetParallel()}")
        print(f"Queries processed:        {self.proof.GetQueryResults().GetSize()}")
        if "a" in (option or "").lower():
            for i, w in enumerate(workers):
                print(f"  worker 0.{i}: {w}")

    def fill_slave_infos(self) -> None:
        """TProof::GetListOfSlaveInfos: one TSlaveInfo per dask worker, ordinals as in queries."""
        active = set(self.executor.active_workers())
        for i, w in enumerate(self.executor.workers()):
            self.proof.AddSlaveInfo(f"0.{i}", w, 0 if w in active else 1)

    def exec_everywhere(self, cmd: str) -> int:
        """TProof::Exec: run a ROOT line on every worker; print what each printed, tagged."""
        results = self.executor.on_every_worker(worker.exec_line, cmd, worker.env_vars(),
                                                tuple(self.enabled_packages))
        rc = 0
        # Printed here already, so kept in the session's log as read (ShowLog(0) shows it again).
        self.logs.add(logs.LogEntry("exec", 0, cmd, "", [
            logs.WorkerLog(f"0.{i}", addr, "", output) for i, (addr, (_, output)) in
            enumerate(sorted(results.items()))]), read=True)
        for i, (addr, (status, output)) in enumerate(sorted(results.items())):
            for line in output.splitlines():
                print(f"[0.{i}] {line}")
            if status != 0:
                log.error("Exec(%r) failed on worker 0.%d (%s)", cmd, i, addr, extra={"where": "TProof::Exec"})
                rc = -1
        return rc

    def load_code(self, macro: str, not_on_client: bool = False) -> int:
        """TProof::Load: ship "Helper.C+[,extra.h,...]" to every worker, compile it once per host,
        load it there (and here unless not_on_client); later workers load it before each query."""
        first, *extra = [p.strip() for p in macro.split(",") if p.strip()]
        code = selector.collect(selector.parse(first), extra=tuple(extra))
        if not not_on_client:
            selector.load(code, require_selector=False)
        if not self.executor.all_succeed("TProof::Load", worker.load_helper, code):
            return -1
        if code.digest not in {c.digest for c in self.loaded}:
            self.loaded.append(code)
        return 0

    def show_log(self, qry: int = -1, ref: str | None = None, to_window: bool = False) -> None:
        """TProof::ShowLog: -1 what was not shown yet (after a query, its log), 0 everything,
        -2 the last query, n > 0 query n; `ref` a query reference instead. Printed on stdout as
        PROOF did, or emitted line by line through the LogMessage signal (SendLogToWindow)."""
        if ref is not None:
            entry = self.logs.query_by_ref(ref)
            entries = [entry] if entry else []
            if not entries:
                log.info("no log of query '%s' in this session", ref, extra={"where": "TProof::ShowLog"})
        elif qry == -1:
            entries = self.logs.unread()
            self.logs.mark_read()
        elif qry == 0:
            entries = self.logs.entries
        else:
            entry = self.logs.query(qry if qry > 0 else -1)
            entries = [entry] if entry else []
            if not entries:
                log.info("no log of query %d in this session", qry, extra={"where": "TProof::ShowLog"})
        lines = self.logs.render(entries)
        if to_window:
            for line in lines:
                self.proof.LogMessage(line, False)
            return
        # After what C++ code (a macro calling ShowLog) printed so far, not before it.
        ctypes.CDLL(None).fflush(None)
        sys.stdout.write("".join(f"{ln}\n" for ln in lines))
        sys.stdout.flush()

    def close(self) -> None:
        self.release_client_selector()
        self.executor.close()
        _sessions.pop(self.id, None)


def open_session(url: str, loglevel: int = 0):
    """TProof::Open: reuse a valid lite session with the same worker count, else start a new one."""
    ROOT = runtime.load_library()
    spec = _spec(url)
    current = get(ROOT.gProof) if ROOT.gProof else None
    if current is not None and current.proof.IsValid() and spec.kind == "local" \
            and current.spec.kind == "local":
        if current.spec.workers == spec.workers:
            log.info("a PROOF-Lite session with %d workers is already running: reusing it", spec.workers)
            return current.proof
        current.proof.Close()
    return Session(spec, loglevel).proof
