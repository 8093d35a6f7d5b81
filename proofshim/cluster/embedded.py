"""The embedded local cluster, run in its own process session.

Started by the client as `python -m proofshim.cluster.embedded [N [MEMORY_LIMIT]]`: a dask
LocalCluster of N single-threaded worker processes, each with that memory limit
(proofshim.memory-limit: "auto", i.e. the machine's memory shared out, a size such as "4GiB", or 0
for none). The client starts it as the first thing TProof::Open does, before it knows either (its
own imports of dask then overlap this process's of ROOT and dask): they come with the first line
of its input, which take precedence over the command line. It lives in a new session (process group), so a Ctrl-C typed
in the user's terminal reaches the client only and the workers survive it. It prints the scheduler
address on one line and shuts down when its standard input closes, i.e. when the client closes
the session or dies: no worker process outlives its client.

Its standard input, a pipe only the client holds, is also how the client talks to it:
- first line, JSON: the cluster's TLS credentials (PEM text; nothing secret goes on the command
  line, which every local account can read), the session directory, the dask local directory
  inside it, the files of it kept so far, whether session directories are kept, the number of
  workers and their memory limit, and the client's environment variables that the workers inherit
  (as the client has them now: it set some for the session after it started this process);
- then any number of lines `keep <path>` (a file of the session directory that must survive it: a
  dataset-mode TProofOutputFile part) and `keep-all` (the client itself takes care of the
  directory, or starts another cluster on it).
When the input ends without `keep-all` (the client died), the session directory is removed here,
once the workers are gone, except the kept files.

Scheduler, nannies and workers listen on 127.0.0.1 over TLS and accept only peers presenting the
session's certificate; their HTTP endpoints (dashboard, metrics, call stacks, logs) serve nothing.
"""
from __future__ import annotations

import json
import logging
import os
import sys


def _lines(fd: int, buffer: bytearray):
    """Lines read from `fd` with os.read, until it ends."""
    while True:
        while b"\n" in buffer:
            line, _, rest = bytes(buffer).partition(b"\n")
            buffer[:] = rest
            yield line.decode()
        chunk = os.read(fd, 65536)
        if not chunk:
            if buffer:
                yield buffer.decode()
                buffer.clear()
            return
        buffer += chunk


def _apply_environment(env: dict, inherited: dict) -> None:
    """Bring the client's changes to its environment since it started this process (`inherited`)
    here: the workers, forked later, inherit them. What this process's own imports (ROOT's) set
    stays, as it did when the client started this process with the session's environment."""
    for name in inherited:
        if name not in env:
            os.environ.pop(name, None)
    for name, value in env.items():
        if inherited.get(name) != value:
            os.environ[name] = value


def main(argv: list[str]) -> int:
    inherited = dict(os.environ)
    n_workers = int(argv[1]) if len(argv) > 1 else 2
    memory_limit = argv[2] if len(argv) > 2 else "auto"
    import dask  # noqa: PLC0415
    from distributed import LocalCluster  # noqa: PLC0415

    from proofshim.cluster import tls  # noqa: PLC0415
    from proofshim.util import sessiondir  # noqa: PLC0415
    from proofshim.worker import slots  # noqa: PLC0415

    # Load ROOT and the shim library here, then fork the workers: they start warm, in seconds,
    # instead of each importing ROOT again (ROOT's own multi-process runners also fork after init).
    slots.prepare()
    # Read the raw descriptor: a blocked sys.stdin.read() holds the buffered reader's lock, and a
    # worker the nanny forks later deadlocks closing stdin.
    stdin = sys.stdin.fileno()
    lines = _lines(stdin, bytearray())
    first = next(lines, "")
    if not first.strip().startswith("{"):
        return 0        # the client went away (or stopped the session) before configuring it
    config = json.loads(first)
    n_workers = int(config.get("n_workers", n_workers))
    memory_limit = str(config.get("memory_limit", memory_limit))
    if memory_limit.isdigit():
        memory_limit = int(memory_limit)
    if "env" in config:
        _apply_environment(config["env"], inherited)
    session_dir, local_dir = config["session_dir"], config["local_directory"]
    sessiondir.make_private(local_dir, session_dir)
    dask.config.set({
        "distributed.worker.multiprocessing-method": "fork",
        # The event loop runs in C++; dask's sampling profiler and frequent monitors only steal
        # cycles from it.
        "distributed.worker.profile.enabled": False,
        "distributed.admin.system-monitor.interval": "2s",
        "distributed.admin.tick.interval": "500ms",
        "distributed.worker.memory.monitor-interval": "1s",
        # Packets are pinned to their worker: work stealing has nothing to do but its timer.
        "distributed.scheduler.work-stealing": False,
        # dask starts an HTTP server in the scheduler and every worker even without a dashboard;
        # it is plain HTTP without authentication: let it serve nothing (call stacks, logs, ...).
        "distributed.scheduler.http.routes": [],
        "distributed.worker.http.routes": [],
        # Scratch space, spilling, the nannies' and workers' directories: the session's private
        # directory, never the shared, predictable $TMPDIR/dask-scratch-space.
        "temporary-directory": local_dir,
    })
    security = tls.embedded_security(config["tls"])
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           memory_limit=memory_limit, host="127.0.0.1", protocol="tls://",
                           security=security, local_directory=local_dir, dashboard_address=None,
                           silence_logs=logging.CRITICAL)
    print(f"PROOFSHIM-SCHEDULER {cluster.scheduler_address}", flush=True)
    keep: list[str] = list(config.get("keep_files", []))
    keep_all = bool(config.get("keep_dirs"))
    try:
        for line in lines:
            word, _, arg = line.strip().partition(" ")
            if word == "keep" and arg:
                keep.append(arg)
            elif word == "keep-all":
                keep_all = True
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close(timeout=10)
        if not keep_all:
            sessiondir.remove(session_dir, keep)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
