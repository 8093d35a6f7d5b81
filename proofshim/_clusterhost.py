"""The embedded local cluster, run in its own process session.

Started by the client as `python -m proofshim._clusterhost N [MEMORY_LIMIT]`: a dask LocalCluster
of N single-threaded worker processes, each with that memory limit (proofshim.memory-limit: "auto",
i.e. the machine's memory shared out, a size such as "4GiB", or 0 for none). It lives in a new session (process group), so a Ctrl-C typed
in the user's terminal reaches the client only and the workers survive it. It prints the scheduler
address on one line and shuts down when its standard input closes, i.e. when the client closes
the session or dies: no worker process outlives its client.
"""
from __future__ import annotations

import logging
import os
import sys


def main(argv: list[str]) -> int:
    n_workers = int(argv[1]) if len(argv) > 1 else 2
    memory_limit = argv[2] if len(argv) > 2 else "auto"
    if memory_limit.isdigit():
        memory_limit = int(memory_limit)
    import dask  # noqa: PLC0415
    from distributed import LocalCluster  # noqa: PLC0415

    from proofshim import worker  # noqa: PLC0415

    # Load ROOT and the shim library here, then fork the workers: they start warm, in seconds,
    # instead of each importing ROOT again (ROOT's own multi-process runners also fork after init).
    worker.prepare()
    dask.config.set({
        "distributed.worker.multiprocessing-method": "fork",
        # The event loop runs in C++; dask's sampling profiler and frequent monitors only steal
        # cycles from it.
        "distributed.worker.profile.enabled": False,
        "distributed.admin.system-monitor.interval": "2s",
        "distributed.worker.memory.monitor-interval": "1s",
        # Packets are pinned to their worker: work stealing has nothing to do but its timer.
        "distributed.scheduler.work-stealing": False,
    })
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    print(f"PROOFSHIM-SCHEDULER {cluster.scheduler_address}", flush=True)
    try:
        # Read the raw descriptor: a blocked sys.stdin.read() holds the buffered reader's lock,
        # and a worker the nanny forks later (to replace a dead one) deadlocks closing stdin.
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
