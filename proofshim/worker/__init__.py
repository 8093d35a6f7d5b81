"""What runs inside a dask worker process: selector slots driven by the C++ or Python event loop,
log capture, Python selectors, and the worker halves of output files and packages. Uses `plan` and
`util`; the client imports it for the tasks it submits and the records they return.
"""
