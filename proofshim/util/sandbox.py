"""PROOF's sandbox: the per-user directory where PROOF-Lite kept a user's data sets and the data
its workers produced. Legacy scripts choose it with gEnv's `ProofLite.Sandbox` or `Proof.Sandbox`
(ROOT's getProof.C sets `Proof.Sandbox` to the tutorial directory); PROOF's default is ~/.proof.

What proofshim keeps there, as PROOF-Lite did:
- registered data sets: `<sandbox>/datasets` (gEnv `Proof.DataSetDir` overrides it, the setting
  `proofshim.dataset-dir` overrides both);
- when the script set a sandbox, the data directory of each local worker
  (gProofServ->GetDataDir(), TSlaveInfo::GetDataDir(), where TProofOutputFile parts go):
  `<sandbox>/data/<ordinal>/<session tag>` (gEnv `ProofServ.DataDir` overrides it). Without one,
  and on remote workers (whose sandbox was their server's business in PROOF), it stays in the
  worker host's proofshim cache: `<cache>/sessions/<tag>/data/<ordinal>`.
The compiled selectors, helpers and packages stay in proofshim's host cache (runtime.cache_dir()):
they are content-addressed and shared by every session of a host.

The sandbox is read when a session opens (TProof::Open), as PROOF did; local workers learn it
from the environment they are started with (PROOFSHIM_SANDBOX).
"""
from __future__ import annotations

import os

ENV = "PROOFSHIM_SANDBOX"     # the sandbox of the session a local worker serves

_current: list[str | None] = [None]   # the sandbox of the last session opened in this process


def _genv(name: str) -> str:
    from . import runtime  # noqa: PLC0415 - ROOT only when asked

    ROOT = runtime.import_root()
    return str(ROOT.gEnv.GetValue(name, "")).strip() if ROOT.gEnv.Defined(name) else ""


def configured() -> str | None:
    """The sandbox the script set (gEnv ProofLite.Sandbox, else Proof.Sandbox), expanded; None
    when neither is set."""
    value = _genv("ProofLite.Sandbox") or _genv("Proof.Sandbox")
    return expand(value) if value else None


def expand(path: str) -> str:
    """~ and $VARIABLES expanded, made absolute.

    >>> expand("/tmp/x/../y")
    '/tmp/y'
    """
    return os.path.abspath(os.path.expandvars(os.path.expanduser(path)))


def sandbox_dir() -> str:
    """The sandbox of the current session (or the one gEnv names now; else ~/.proof)."""
    return _current[0] or configured() or expand("~/.proof")


def session_opened(path: str | None) -> None:
    """Remember the sandbox a session was opened with (None: the script set none)."""
    _current[0] = path


def dataset_dir() -> str:
    """Where registered data sets are kept (see the module's docstring)."""
    from . import settings  # noqa: PLC0415

    return settings.get("dataset-dir") or (expand(_genv("Proof.DataSetDir")) if _genv("Proof.DataSetDir")
                                           else os.path.join(sandbox_dir(), "datasets"))


def worker_dirs(cache_dir: str, session_tag: str, ordinal: str, sandbox: str | None = None,
                data_dir: str | None = None) -> tuple[str, str, str]:
    """(session directory, work directory, data directory) of worker `ordinal` of a session.

    `data_dir` is gEnv's ProofServ.DataDir (<ord> and <stag> replaced, as PROOF did).

    >>> worker_dirs("/c", "t1", "0.1")
    ('/c/sessions/t1', '/c/sessions/t1/worker-0.1', '/c/sessions/t1/data/0.1')
    >>> worker_dirs("/c", "t1", "0.1", sandbox="/sb")[2]
    '/sb/data/0.1/t1'
    >>> worker_dirs("/c", "t1", "0.1", sandbox="/sb", data_dir="/d/<ord>-<stag>")[2]
    '/d/0.1-t1'
    """
    base = os.path.join(cache_dir, "sessions", session_tag)
    workdir = os.path.join(base, f"worker-{ordinal}")
    if data_dir:
        datadir = data_dir.replace("<ord>", ordinal).replace("<stag>", session_tag)
    elif sandbox:
        datadir = os.path.join(sandbox, "data", ordinal, session_tag)
    else:
        datadir = os.path.join(base, "data", ordinal)
    return base, workdir, datadir


def this_worker_dirs(session_tag: str, ordinal: str) -> tuple[str, str, str]:
    """worker_dirs for this worker process: its cache, the sandbox it was started with."""
    from . import runtime  # noqa: PLC0415

    custom = _genv("ProofServ.DataDir")
    return worker_dirs(runtime.cache_dir(), session_tag, ordinal, os.environ.get(ENV) or None,
                       expand(custom) if custom else None)


def describe_worker(session_tag: str, ordinals: dict) -> tuple[str, str]:
    """Worker task of TProof::GetListOfSlaveInfos: (this host's name, this worker's data directory)."""
    import socket  # noqa: PLC0415

    from distributed import get_worker  # noqa: PLC0415

    ordinal = ordinals.get(get_worker().address, "0.0")
    datadir = this_worker_dirs(session_tag, ordinal)[2]
    os.makedirs(datadir, exist_ok=True)   # PROOF's workers made it when they started
    return socket.gethostname(), datadir
