"""PROOF sessions: TProof::Open's behaviour, the executor behind a TProof object, query records."""
from __future__ import annotations

import ctypes
import getpass
import logging
import os
import socket
import sys
import time
from urllib.parse import urlsplit

from ..plan import locality, selector
from ..worker import querylogs, slots
from ..util import messages, runtime, sandbox, sessiondir, settings
from . import macros
from ..util.errors import ProofShimError
from ..cluster.url import parse_config_field, parse_open_url

log = logging.getLogger("proofshim")

_sessions: dict[int, "Session"] = {}
_next_id = [0]


def _spec(url: str, workers: int | None = None):
    """The cluster of an Open URL; `workers` (Open's "workers=N" argument) comes after a count in
    the URL itself and before the proofshim.workers setting, as in PROOF-Lite."""
    return parse_open_url(url, ncpu=os.cpu_count() or 1, default_workers=workers or settings.get("workers"),
                          masters=settings.get("masters"), default=settings.get("default"))


def get(proof) -> "Session | None":
    """The Python session behind a TProof object."""
    return _sessions.get(int(proof.GetSessionId())) if proof else None


def gone_message(proof) -> str:
    """Why the session behind `proof` cannot be used any more ('' if it can, or if `proof` is no
    TProof): its scheduler is gone, or the connection to it was just lost (then this waits, at
    most the connect timeout, for it to come back)."""
    sess = get(proof) if proof is not None and hasattr(proof, "GetSessionId") else None
    if sess is None:
        return ""
    try:
        sess.executor.check_connection()
    except ProofShimError as exc:
        return str(exc)
    return ""


def all_sessions() -> list["Session"]:
    return list(_sessions.values())


def ever_opened() -> bool:
    """Whether this process has opened a session (and so started dask's threads)."""
    return _next_id[0] > 0


class Session:
    """One PROOF session: a TProof object (C++, shared with Python) and the dask cluster it uses."""

    def __init__(self, spec, loglevel: int = 0, max_workers: int | None = None):
        from ..cluster.executor import Executor  # noqa: PLC0415 - dask's side: imported with the first session

        ROOT = runtime.load_library()
        self.spec = spec
        self.id = _next_id[0] + 1
        self.tag = f"{socket.gethostname()}-{os.getpid()}-{int(time.time())}-{self.id}"
        self.executor = Executor(self.spec, self.tag)
        t0 = time.monotonic()
        if self.spec.kind == "local":
            print(f" +++ Starting PROOF-Lite with {self.spec.workers} workers +++")
        # PROOF read the sandbox (gEnv Proof.Sandbox) when the session opened; data sets and the
        # local workers' data directories go there (proofshim/util/sandbox.py).
        self.sandbox = sandbox.configured()
        sandbox.session_opened(self.sandbox)
        # PROOF flagged its client for packages' BUILD.sh and SETUP.C.
        os.environ.setdefault("ROOTPROOFCLIENT", "")
        try:
            with _LocalWorkerEnvironment(self.spec, self.sandbox):
                # The embedded cluster's scheduler and workers come up in the background: Open
                # returns with the session usable, and what needs the workers waits for them.
                self.executor.start(background=self.spec.kind == "local")
        except BaseException:
            self.executor.end_session(gone=True)   # nothing of a session that never opened stays
            raise
        _next_id[0] = self.id
        self.seq = 0
        self.client_selector = None
        self.progress_callbacks: list = []   # (callable, 2/7/10 values), connected from Python
        self.feedback_callbacks: list = []   # callables taking the merged feedback TList
        self.last_feedback = None            # the last query's FeedbackCollector (keeps its lists)
        self.log_level = loglevel
        if loglevel > 0:
            messages.set_proof_level(loglevel)
        self.loaded: list = []             # code shipped with TProof::Load
        self.packages: dict = {}           # name -> packages.Package, from UploadPackage
        self.enabled_packages: list = []   # packages.EnabledPackage, in the order enabled
        self.announced: set[str] = set()   # PROOF_* parameters already reported as ignored
        self.rates: dict[str, float] = {}  # selector digest -> a slot's entries/s in its last query
        self.perf_tree = ""                # TProof::SetPerfTree's file, written after the next query
        self.logs = querylogs.SessionLog()      # the workers' logs of every query and Exec
        self.proof = ROOT.TProof(self.spec.url, self.id, self.tag, self.spec.kind == "local", loglevel)
        ROOT.SetOwnership(self.proof, False)
        # The port comes with the scheduler's address (for a local cluster: once it is up).
        self.proof.SetSessionInfo(*_session_info(self.spec, self.tag, None))
        self.executor.when_started(self._set_session_info)
        self.async_announced = False       # SetQueryMode(kAsync) / "ASYN" reported once
        self.draw_queries = 0              # Draw calls (TProof::GetNumberOfDrawQueries)
        if max_workers and self.spec.kind != "local" and max_workers < len(self.executor.workers()):
            self.executor.parallel = max_workers   # PROOF's "workers=N" on a cluster: at most N
        n = self.executor.expected_workers()
        self.proof.SetParallelCount(n)
        _sessions[self.id] = self
        print(f"PROOF set to parallel mode ({n} workers)")
        log.info("session %s on %s ready in %.1f s%s", self.tag, self.spec.url, time.monotonic() - t0,
                 " (its workers starting)" if self.executor.starting() else "")

    def _set_session_info(self, scheduler: str | None) -> None:
        self.proof.SetSessionInfo(*_session_info(self.spec, self.tag, scheduler))

    def parameter(self, name: str, default):
        """A PROOF_* parameter from the input list, or `default`."""
        obj = self.proof.GetParameter(name)
        if not obj:
            return default
        if obj.IsA().GetName() == "TNamed":
            return obj.GetTitle()
        return obj.GetVal()

    def set_log_level(self, level: int) -> None:
        """TProof::SetLogLevel: how much proofshim logs, here and (from the next query) on the workers."""
        self.log_level = level
        messages.set_proof_level(level)

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
        """TProof::GetListOfSlaveInfos: one TSlaveInfo per dask worker, ordinals as in queries,
        named by the worker's host (PROOF's TSlaveInfo::GetName()) with its data directory."""
        active = set(self.executor.active_workers())
        workers = self.executor.workers()
        ordinals = {w: f"0.{i}" for i, w in enumerate(workers)}
        try:
            described = self.executor.on_every_worker(sandbox.describe_worker, self.tag, ordinals, timeout=60)
        except Exception as exc:  # noqa: BLE001 - a worker that does not answer is still listed
            log.warning("could not ask every worker for its host and data directory: %s", exc,
                        extra={"where": "TProof::GetListOfSlaveInfos"})
            described = {}
        for w in workers:
            host, datadir = described.get(w, (locality.address_host(w) or w, ""))
            self.proof.AddSlaveInfo(ordinals[w], host, 0 if w in active else 1, datadir)

    def exec_everywhere(self, cmd: str) -> int:
        """TProof::Exec: run a ROOT line on every worker; print what each printed, tagged, and keep
        it in the session's log (ShowLog(0)). A '.x script.C' / '.L script.C+' line whose script exists here ships
        the script and the headers it includes to the workers, which run it from their cache."""
        env, pkgs = slots.env_vars(), tuple(self.enabled_packages)
        script = macros.script_line(cmd)
        if script and os.path.isfile(script[1]):
            letter, path, aclic, args = script
            name = os.path.splitext(os.path.basename(path))[0]
            code = selector.collect(selector.SelectorSpec(path=path, mode=aclic, class_name=name))
            results = self.executor.on_every_worker(slots.exec_script, letter, code, args, env, pkgs)
        else:
            results = self.executor.on_every_worker(slots.exec_line, cmd, env, pkgs)
        rc = 0
        # Printed here already, so kept in the session's log as read (ShowLog(0) shows it again).
        self.logs.add(querylogs.LogEntry("exec", 0, cmd, "", [
            querylogs.WorkerLog(f"0.{i}", addr, "", output) for i, (addr, (_, output)) in
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
        if not self.executor.all_succeed("TProof::Load", slots.load_helper, code):
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
        """TProof::Close: disconnect, stop the embedded cluster, remove the session's directories
        (sessiondir: kept with the setting proofshim.keep-session-dirs, and data sets' files)."""
        self.release_client_selector()
        self.executor.end_session()
        _sessions.pop(self.id, None)


class _LocalWorkerEnvironment:
    """While a local cluster starts (its workers inherit this process's environment): PROOF-Lite's
    ROOTPROOFLITE (the number of workers, for packages' BUILD.sh and SETUP.C) and the session's
    sandbox (proofshim/util/sandbox.py); the client's own environment is left as it was."""

    def __init__(self, spec, sandbox_dir: str | None):
        self.values = {}
        if spec.kind == "local":
            self.values = {"ROOTPROOFLITE": str(spec.workers), sandbox.ENV: sandbox_dir}

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.values}
        for k, v in self.values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return self

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return False


def open_session(url: str, loglevel: int = 0, conffile: str = "", confdir: str = ""):
    """TProof::Open(url, conffile, confdir, loglevel): reuse a valid lite session with the same
    worker count, else start a new one. `conffile` is PROOF's configuration field: its
    "workers=N" is the local cluster's worker count (unless the URL gives one) or, on a cluster,
    the most workers to use; the rest, and `confdir`, are reported as having no effect."""
    ROOT = runtime.load_library()
    from ..cluster import executor  # noqa: PLC0415 - dask's side: imported with the first session

    if _surely_local(url) and not (ROOT.gProof and ROOT.gProof.IsValid()):
        # The embedded cluster's process starts now: it loads ROOT and dask while this process
        # imports dask and reads its settings (a second on the way to the session otherwise).
        executor.prespawn_host()
    try:
        return _open(ROOT, url, loglevel, conffile, confdir)
    finally:
        executor.drop_spare_host()   # not taken: a session reused, a remote one, or a failure


def _surely_local(url) -> bool:
    """Whether an Open URL asks for an embedded cluster (unless the proofshim.default setting
    names another for "" and "lite://").

    >>> [_surely_local(u) for u in ("", "lite://", "workers=4", "tcp://h:8786", "proof://master")]
    [True, True, True, False, False]
    """
    text = url.strip().lower() if isinstance(url, str) else None
    return text is not None and (text in ("", "lite") or text.startswith("lite://")
                                 or text.replace(" ", "").startswith("workers="))


def _open(ROOT, url: str, loglevel: int, conffile: str, confdir: str):
    config = parse_config_field(conffile)
    for level, message in config.notes:
        log.log(level, "%s", message, extra={"where": "TProof::Open"})
    if confdir:
        log.info("TProof::Open's third argument (configuration directory '%s') has no effect with "
                 "proofshim: there are no PROOF configuration files", confdir, extra={"where": "TProof::Open"})
    spec = _spec(url, config.workers)
    if config.workers and config.per_host and spec.kind != "local":
        log.info("'workers=%dx' (at most %d per host) has no effect on a dask cluster: every worker is used; "
                 "SetParallel(n) limits their number", config.workers, config.workers,
                 extra={"where": "TProof::Open"})
    current = get(ROOT.gProof) if ROOT.gProof else None
    if current is not None and current.proof.IsValid() and spec.kind == "local" \
            and current.spec.kind == "local":
        if current.spec.workers == spec.workers and not current.executor.gone:
            log.info("a PROOF-Lite session with %d workers is already running: reusing it", spec.workers)
            return current.proof
        current.proof.Close()
    per_host = config.per_host and spec.kind != "local"
    return Session(spec, loglevel, max_workers=None if per_host else config.workers).proof


# ---- proofshim compat: the rest of TProof's API (TProof.h's compat block, docs/API.md)

def _session_info(spec, tag: str, scheduler: str | None) -> tuple[str, str, int]:
    """(user, work directory on the workers' hosts, port) of a session, for GetUser/GetWorkDir/GetPort."""
    url = spec.url if "://" in spec.url else "proof://" + spec.url
    try:
        parts = urlsplit(url)
        user, port = parts.username, parts.port
    except ValueError:
        user, port = None, None
    if port is None and (spec.address or scheduler):
        tail = (spec.address or scheduler).rpartition(":")[2]
        port = int(tail) if tail.isdigit() else None
    return user or getpass.getuser(), sessiondir.path(runtime.cache_dir(), tag), port or 0


def remote_getenv(name: str) -> str | None:
    """Worker task of TProof::Getenv: the variable in this worker's environment."""
    return os.environ.get(name)


def remote_rc(name: str) -> str | None:
    """Worker task of TProof::GetRC: gEnv's value of `name` here, None when it is not defined."""
    ROOT = runtime.load_library()
    if not ROOT.gEnv.Defined(name):
        return None
    return str(ROOT.gEnv.GetValue(name, ""))


def remote_echo(text: str, blob: bytes) -> str:
    """Worker task of TProof::Echo: the string, or what Print() of the streamed object prints."""
    if not blob:
        return text
    import pickle  # noqa: PLC0415

    runtime.load_library()
    obj = pickle.loads(blob)
    with runtime.captured_output() as out:
        obj.Print()
    return out[0]


def change_path(kind: str, action: str, paths: tuple[str, ...]) -> str:
    """Add or remove include ("include") or library ("dynamic") paths in this process, for ACLiC,
    cling and the dynamic loader; '' or what went wrong. Runs on the client and as a worker task."""
    ROOT = runtime.load_library()
    for path in paths:
        if kind == "include":
            # ACLiC's include path only, as PROOF did (gSystem): cling cannot forget a path, and
            # what ACLiC compiles (selectors, Load) is what these paths are for.
            if action == "add":
                if f'-I"{path}"' not in str(ROOT.gSystem.GetIncludePath()):
                    ROOT.gSystem.AddIncludePath(f'-I"{path}"')
            else:
                inc = str(ROOT.gSystem.GetIncludePath())
                for flag in (f'-I"{path}"', f"-I{path}"):
                    inc = inc.replace(" " + flag, "").replace(flag, "")
                ROOT.gSystem.SetIncludePath(inc.strip())
        else:
            current = [p for p in str(ROOT.gSystem.GetDynamicPath()).split(":") if p]
            if action == "add":
                if path not in current:
                    ROOT.gSystem.AddDynamicPath(path)
            else:
                ROOT.gSystem.SetDynamicPath(":".join(p for p in current if p != path))
    return ""


def list_data(session_tag: str, ordinals: dict) -> list[tuple[str, int]]:
    """Worker task of TProof::ShowData: (path, size) of the files the session produced on this host
    (in the data directories of its workers: this worker's, and its host's others in the cache)."""
    from distributed import get_worker  # noqa: PLC0415

    base, _, datadir = sandbox.this_worker_dirs(session_tag, ordinals.get(get_worker().address, "0.0"))
    tops = [os.path.join(base, "data"), datadir]
    out = []
    seen = set()
    for top, _dirs, files in (walked for t in tops for walked in os.walk(t)):
        for name in sorted(files):
            path = os.path.join(top, name)
            if path not in seen:
                seen.add(path)
                out.append((path, os.path.getsize(path)))
    return sorted(out)


def remove_data(paths: list[str]) -> int:
    """Worker task of TProof::ClearData: remove those of `paths` that are on this host."""
    removed = 0
    for path in paths:
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            continue     # another worker of this host removed it, or it lives on another host
    return removed


def _dataset_paths(datasets, names) -> set[str]:
    """The local paths of the files that the data sets `names` list."""
    paths = set()
    for name in names:
        fc = datasets.get(name)
        for fi in fc.GetList():
            url = fi.GetCurrentUrl()
            paths.add(os.path.abspath(str(url.GetFile())))
    return paths


def _confirmed(question: str) -> bool:
    """PROOF's Prompt: ask on the terminal; no terminal, no consent."""
    if not sys.stdin or not sys.stdin.isatty():
        return False
    return input(f"{question}? [N/y] ").strip().lower().startswith("y")


def _split_paths(arg: str) -> tuple[str, ...]:
    """PROOF's path lists: separated by commas or blanks."""
    return tuple(p for p in arg.replace(",", " ").split() if p)


class CompatCalls:
    """The session side of the compat methods: each takes (session, string argument, integer
    argument) as ProofShim::CallHook passes them and returns PROOF's integer result."""

    @staticmethod
    def _on_ordinal(sess: Session, ordinal: str, fn, *args):
        """Run fn(*args) on the worker of PROOF ordinal "0.N" (its executor thread)."""
        workers = sess.executor.workers()
        try:
            index = int(ordinal.split(".")[-1]) if ordinal not in ("", "0") else 0
            addr = workers[index]
        except (ValueError, IndexError):
            from ..util.errors import ProofShimError  # noqa: PLC0415

            raise ProofShimError(f"no worker with ordinal '{ordinal}': the session has "
                                 f"{len(workers)} (0.0 to 0.{len(workers) - 1})") from None
        fut = sess.executor.client.submit(fn, *args, workers=[addr], pure=False)
        return fut.result(timeout=float(settings.get("exec-timeout")))

    @staticmethod
    def ping(sess: Session, _s: str, _i: int) -> int:
        """TProof::Ping: 0 when the scheduler answers and has workers."""
        return 0 if sess.executor.workers() else -1

    @staticmethod
    def getenv(sess: Session, arg: str) -> str | None:
        """TProof::Getenv("NAME\\nordinal"): the variable on that worker, None if unset."""
        name, _, ordinal = arg.partition("\n")
        return CompatCalls._on_ordinal(sess, ordinal, remote_getenv, name)

    @staticmethod
    def get_rc(sess: Session, arg: str) -> str | None:
        """TProof::GetRC("Name.Key\\nordinal"): gEnv's value on that worker, None if undefined."""
        name, _, ordinal = arg.partition("\n")
        return CompatCalls._on_ordinal(sess, ordinal, remote_rc, name)

    @staticmethod
    def echo(sess: Session, text: str, blob: bytes = b"") -> int:
        """TProof::Echo: every worker sends back the string (or the object's Print()); each answer
        is printed with the worker's ordinal. Returns the number of workers that answered."""
        results = sess.executor.on_every_worker(remote_echo, text, blob)
        for i, (_addr, answer) in enumerate(sorted(results.items())):
            for line in (answer.rstrip("\n").splitlines() or [""]):
                print(f"[0.{i}] {line}")
        return len(results)

    @staticmethod
    def paths(sess: Session, method: str, arg: str, on_client: bool) -> int:
        """Add/RemoveIncludePath, Add/RemoveDynamicPath on every current worker (and here if
        asked). Workers that join the cluster later do not get them."""
        action = "add" if method.startswith("Add") else "remove"
        kind = "include" if "Include" in method else "dynamic"
        paths = _split_paths(arg)
        if not paths:
            return -1
        if on_client:
            change_path(kind, action, paths)
        return 0 if sess.executor.all_succeed(f"TProof::{method}", change_path, kind, action, paths) else -1

    @staticmethod
    def loaded_macros(sess: Session) -> None:
        """TProof::GetLoadedMacros: the labels ("Helper.C+") of the code shipped with Load."""
        for code in sess.loaded:
            sess.proof.AddLoadedMacro(code.label)

    @staticmethod
    def show_data(sess: Session) -> None:
        """TProof::ShowData: the files the session's queries produced on each worker host."""
        ordinals = {w: f"0.{i}" for i, w in enumerate(sess.executor.workers())}
        results = sess.executor.on_every_worker(list_data, sess.tag, ordinals)
        seen: set[str] = set()
        for i, (_addr, files) in enumerate(sorted(results.items())):
            for path, size in files:
                if path not in seen:   # workers of one host share the directory
                    seen.add(path)
                    print(f"[0.{i}] {size:>12}  {path}")
        if not seen:
            print("No data produced by this session's queries")

    @staticmethod
    def clear_data(sess: Session, what: int, dsname: str) -> None:
        """TProof::ClearData: remove files the session's queries produced on the workers' hosts:
        all of them (kPurge), those of data set `dsname` (kDataset; the data set is removed too),
        or those that no registered data set lists (kUnregistered, the default). Without
        kForceClear PROOF asked first: so does this on a terminal; elsewhere nothing is removed."""
        from ..plan import named_datasets  # noqa: PLC0415

        where = {"where": "TProof::ClearData"}
        # TProof::EProofClearData; kUnregistered (0x2) is what remains when neither of the first two is set.
        k_purge, k_dataset, k_force = 0x1, 0x4, 0x8
        ordinals = {w: f"0.{i}" for i, w in enumerate(sess.executor.workers())}
        produced = sorted({p for files in sess.executor.on_every_worker(list_data, sess.tag, ordinals).values()
                           for p, _size in files})
        if what & k_purge:
            doomed = produced
        elif what & k_dataset:
            if not dsname:
                log.error("kDataset needs the name of the data set whose files to remove", extra=where)
                return
            listed = _dataset_paths(named_datasets, [dsname])
            doomed = [p for p in produced if p in listed]
        else:
            listed = _dataset_paths(named_datasets, named_datasets.names())
            doomed = [p for p in produced if p not in listed]
        if not doomed:
            log.info("no file to remove", extra=where)
        elif not what & k_force and not _confirmed(f"Do you really want to remove {len(doomed)} data file(s)"):
            log.warning("nothing removed: PROOF asks before removing files unless TProof::kForceClear is "
                        "given, and there is no terminal to ask on", extra=where)
            return
        else:
            removed = sum(sess.executor.on_every_worker(remove_data, doomed).values())
            log.info("%d file(s) removed", min(removed, len(doomed)), extra=where)
        if what & k_dataset and not what & k_purge and named_datasets.exists(dsname):
            named_datasets.remove(dsname)

    @staticmethod
    def async_mode(sess: Session) -> None:
        """SetQueryMode(kAsync) or an "ASYN" option: say once that queries run synchronously."""
        if not sess.async_announced:
            sess.async_announced = True
            log.info("asynchronous queries run synchronously with proofshim: Process returns when the "
                     "query is done (Ctrl-C or StopProcess stop it)", extra={"where": "TProof::SetQueryMode"})
