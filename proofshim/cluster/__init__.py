"""The dask side: which cluster a session uses and the run of one query's packets on it.

Open URLs, cluster specifications (SSH, batch systems), the embedded local cluster, TLS, the
executor (the dask client) and the query run (packets to worker slots, lost workers, stops,
hangs). Uses `plan`, `worker` (the tasks it submits) and `util`.
"""
