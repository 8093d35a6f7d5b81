"""Worker logs: what a worker process writes to its stdout and stderr while it runs a query's
tasks goes to a log file per query and worker, as PROOF's worker servers logged to their files.

Capture is at the file-descriptor level: a compiled selector's printf writes to fd 1 and ROOT's
error handler to fd 2, neither through Python. The descriptors point at the log file only while a
task of the query runs, and C's stdout is line-buffered meanwhile, so that every finished line is
in the file even when the selector then crashes the process. dask's own log handlers keep writing
to the real stderr (a duplicate taken before any capture), so its threads, which run while a
packet does, do not end up in the query's log.

Layout, on each worker's host: <cache dir>/sessions/<session tag>/worker-<ordinal>/query-<seq>.log
(the worker's session directory, `gProofServ->GetWorkDir()`).
"""
from __future__ import annotations

import contextlib
import ctypes
import glob
import logging
import os
import sys

from ..util import runtime, sessiondir, settings
from .querylogs import WorkerLog, ordinal_key

_IOLBF = 1           # setvbuf mode: line buffered (glibc's value)
_setup_pid = -1      # the process (forked workers inherit module state) that did _setup_process
_real_stderr = None


def session_dir(session_tag: str) -> str:
    """The session's directory on this host."""
    return sessiondir.path(runtime.cache_dir(), session_tag)


def log_path(session_tag: str, ordinal: str, seq: int) -> str:
    """Where worker `ordinal` writes its log of query `seq`, on its host."""
    return os.path.join(session_dir(session_tag), f"worker-{ordinal}", f"query-{seq}.log")


def _libc():
    return ctypes.CDLL(None)


def _flush_all() -> None:
    """Flush Python's and C's buffered output, so that it lands where the descriptors point now."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(Exception):
        _libc().fflush(None)


def _setup_process() -> None:
    """Once per process: C's stdout line-buffered; logging handlers on stderr moved to a
    duplicate of the real stderr, so captures do not take other threads' log records."""
    global _setup_pid, _real_stderr
    if _setup_pid == os.getpid():
        return
    _setup_pid = os.getpid()
    with contextlib.suppress(Exception):
        libc = _libc()
        libc.setvbuf(ctypes.c_void_p.in_dll(libc, "stdout"), None, _IOLBF, 0)
    _real_stderr = os.fdopen(os.dup(2), "w", buffering=1, errors="replace")
    loggers = [logging.getLogger()] + [lg for lg in logging.root.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    for lg in loggers:
        for h in lg.handlers:
            # proofshim's own handler follows sys.stderr on purpose: its worker-side messages
            # belong in the query's log.
            if type(h) is logging.StreamHandler and h.stream in (sys.stderr, sys.__stderr__):
                h.setStream(_real_stderr)


@contextlib.contextmanager
def captured_to(path: str, session: str | None = None):
    """Send this process's fd 1 and 2 to the end of `path` for the duration of the block. The
    log is owner-only, and so are the directories created for it inside the session directory
    `session` (default: the directory two levels above the log, as log_path lays it out)."""
    _setup_process()
    sessiondir.make_private(os.path.dirname(path), session or os.path.dirname(os.path.dirname(path)))
    _flush_all()
    fd = sessiondir.open_private(path)
    saved = (os.dup(1), os.dup(2))
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        _flush_all()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (*saved, fd):
            os.close(f)




def _read_tail(path: str, max_bytes: int) -> str:
    """The file's text, or its last `max_bytes` (from a line start) after a line saying so."""
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size <= max_bytes:
            fh.seek(0)
            return fh.read().decode(errors="replace")
        fh.seek(size - max_bytes)
        data = fh.read()
    cut = data.find(b"\n") + 1
    data = data[cut:]
    return (f"(the first {size - len(data)} bytes are left out here (setting proofshim.log-max-kb); "
            f"the whole log is {path} on the worker's host)\n" + data.decode(errors="replace"))


def read_logs(session_tag: str, seq: int, max_bytes: int | None = None) -> dict[str, tuple[str, str]]:
    """Every worker log of query `seq` on this host: {ordinal: (path, text)}, each at most
    about `max_bytes` long (its end: that is where a failure shows; default: proofshim.log-max-kb)."""
    if max_bytes is None:
        max_bytes = int(float(settings.get("log-max-kb")) * 1024)
    out = {}
    for path in glob.glob(os.path.join(session_dir(session_tag), "worker-*", f"query-{seq}.log")):
        ordinal = os.path.basename(os.path.dirname(path))[len("worker-"):]
        try:
            out[ordinal] = (path, _read_tail(path, max_bytes))
        except OSError:
            continue
    return out


def host_of(address: str) -> str:
    """The host part of a dask address: "tcp://10.0.0.5:4000" -> "10.0.0.5".

    >>> host_of("tcp://127.0.0.1:40123"), host_of("tls://[::1]:8786")
    ('127.0.0.1', '::1')
    """
    rest = address.split("://", 1)[-1]
    host = rest.rsplit(":", 1)[0] if ":" in rest else rest
    return host.strip("[]")


# ---- client side

def _joined_address(executor, ordinals: dict, failing, where: dict, found: dict) -> None:
    """A worker that joined during the query (a replacement) has no ordinal in it: it takes the
    next one (worker._ordinal). Find its address for `where` (ordinal -> address): a failing
    worker the ordinals do not know, else the one current worker they do not know."""
    joined = f"0.{len(ordinals)}"
    if joined in where or joined not in found:
        return
    newcomers = [a for a in failing if a not in ordinals]
    if not newcomers:
        try:
            newcomers = [a for a in executor.workers() if a not in ordinals]
        except Exception:  # noqa: BLE001 - an address in a header is not worth failing for
            return
    if len(newcomers) == 1:
        where[joined] = newcomers[0]


def collect(executor, session_tag: str, seq: int, ordinals: dict, failing=()):
    """The workers' logs of query `seq`: {ordinal: logs.WorkerLog}, sorted by ordinal.

    `ordinals` maps worker addresses to ordinals (the query's); `failing` are addresses whose log
    must be reported even when it cannot be read (the entry then says why). On the embedded local
    cluster the files are on this host and read directly, also those of workers that died. On a
    remote cluster one live worker per host reads every log of its host, a dead worker's too;
    a dead worker's log on a host with no live worker left is unavailable.
    """
    where = {o: a for a, o in ordinals.items()}
    max_bytes = max(1, int(float(settings.get("log-max-kb")) * 1024))
    found: dict[str, tuple[str, str]] = {}
    unreadable: dict[str, str] = {}
    if executor.spec.kind == "local":
        found = read_logs(session_tag, seq, max_bytes)
    else:
        readers: dict[str, str] = {}
        try:
            for addr in executor.workers():
                readers.setdefault(host_of(addr), addr)
            replies = executor.client.run(read_logs, session_tag, seq, max_bytes,
                                          workers=list(readers.values()),
                                          on_error="return")
        except Exception as exc:  # noqa: BLE001 - logs are a diagnostic: never fail the query for them
            replies = {}
            unreadable["*"] = f"the workers could not be asked for them ({exc})"
        for addr, reply in replies.items():
            if isinstance(reply, BaseException):
                unreadable[host_of(addr)] = f"reading them on {addr} failed: {reply!r}"
            else:
                found.update(reply)
    _joined_address(executor, ordinals, failing, where, found)
    out = {o: WorkerLog(o, where.get(o, ""), path, text) for o, (path, text) in found.items()}
    for addr in failing:
        o = ordinals.get(addr, f"0.{len(ordinals)}")
        if o in out:
            continue
        host = host_of(addr)
        if executor.spec.kind == "local":
            why = f"no log file {log_path(session_tag, o, seq)} (the worker wrote nothing before failing?)"
        else:
            why = unreadable.get(host) or unreadable.get("*") or (
                f"no live worker is left on its host {host} to read it from (file "
                f"sessions/{session_tag}/worker-{o}/query-{seq}.log in the proofshim cache there)")
        out[o] = WorkerLog(o, addr, "", None, why)
    return dict(sorted(out.items(), key=lambda kv: ordinal_key(kv[0])))
