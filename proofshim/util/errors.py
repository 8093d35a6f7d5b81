"""proofshim's exceptions: each says what failed, where, and how to fix it."""


class ProofShimError(Exception):
    """Base class of every error proofshim raises."""


class OpenError(ProofShimError):
    """A session could not be opened: bad URL, unmapped legacy master, unreachable scheduler."""


class SelectorError(ProofShimError):
    """A selector could not be found, compiled or instantiated."""


class DatasetError(ProofShimError):
    """The data to process is wrong: missing file or tree, entry range outside the data."""


class PackageError(ProofShimError):
    """A PROOF package (PAR file) could not be read, unpacked, built (BUILD.sh) or set up (SETUP.C)."""


class QueryError(ProofShimError):
    """A query failed while running on the workers; `workers` are the dask addresses of the
    workers where it failed (their logs' tails are added to the message)."""

    def __init__(self, message: str = "", workers=()):
        super().__init__(message)
        self.workers = tuple(w for w in workers if w)


class SessionGone(ProofShimError):
    """The session's dask scheduler is gone (it died, or the connection to it was lost for longer
    than the connect timeout): nothing more can run in this session."""


class QueryAborted(ProofShimError):
    """A query was aborted (StopProcess(kTRUE) or a second Ctrl-C)."""


class CompareError(ProofShimError):
    """`proofshim compare` was used wrongly (bad --input, no files, negative tolerance)."""
