"""Session directories: where a session's files live on each host, owner-only, and their removal
when the session ends. Pure Python (no ROOT, no dask).

Layout, on every host that runs a worker of the session (and the client's, for the embedded
cluster): <cache dir>/sessions/<session tag>/
    worker-<ordinal>/query-<n>.log    each worker's log of each query (gProofServ->GetWorkDir())
    data/<ordinal>/q<n>-<slot>/...    TProofOutputFile parts (gProofServ->GetDataDir())
    dask/                             the embedded cluster's dask local directory (scratch space)

Every directory from the session's own down is created with mode 0700 and the files proofshim
writes with 0600: worker logs hold whatever the selector prints, and dask inserts its local
directory into the workers' sys.path, so neither may be readable or writable by other accounts.
A session directory that exists already must be a real directory (not a symbolic link) owned by
this account.

When the session ends its directory is removed, except the files named in `keep` (the parts of a
TProofOutputFile in dataset mode, which the data set's TFileCollection points to), and except when
the setting `proofshim.keep-session-dirs` is true.
"""
from __future__ import annotations

import os
import shutil
import stat

KEEP_SETTING = "keep-session-dirs"
SESSIONS = "sessions"
DIR_MODE = 0o700
FILE_MODE = 0o600


class UnsafeDirectory(OSError):
    """A session directory exists but is not this account's own private directory."""


def path(cache: str, tag: str) -> str:
    """The directory of session `tag` under the cache directory `cache`.

    >>> path("/c", "host-1-2-3")
    '/c/sessions/host-1-2-3'
    """
    return os.path.join(cache, SESSIONS, tag)


def _own_dir(p: str) -> None:
    """Make the existing `p` owner-only, after checking that it is this account's own directory."""
    st = os.lstat(p)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(f"'{p}' is not a directory (a symbolic link?): proofshim keeps a "
                              "session's logs and data only in a directory of its own")
    if st.st_uid != os.geteuid():
        raise UnsafeDirectory(f"the session directory '{p}' belongs to another account (uid "
                              f"{st.st_uid}): remove it or set PROOFSHIM_CACHE_DIR to a directory of yours")
    if stat.S_IMODE(st.st_mode) != DIR_MODE:
        os.chmod(p, DIR_MODE)


def create(session: str) -> str:
    """Create the session directory `session` (and `sessions/` above it if missing), mode 0700;
    an existing one is checked and made owner-only. Returns `session`."""
    parent = os.path.dirname(session)
    if not os.path.isdir(parent):
        os.makedirs(os.path.dirname(parent), exist_ok=True)
        try:
            os.mkdir(parent, DIR_MODE)
        except FileExistsError:
            pass
    try:
        os.mkdir(session, DIR_MODE)
    except FileExistsError:
        pass
    _own_dir(session)
    return session


def make_private(directory: str, session: str) -> str:
    """Create `directory`, which lies inside the session directory `session`, with every missing
    level between them owner-only (os.makedirs would give the levels above the last the umask's
    mode). Returns `directory`."""
    rel = os.path.relpath(directory, session)
    if rel.startswith(os.pardir) or os.path.isabs(rel):
        raise ValueError(f"'{directory}' is not inside the session directory '{session}'")
    if not os.path.isdir(session) or os.path.islink(session):
        create(session)
    current = session
    for part in ([] if rel == os.curdir else rel.split(os.sep)):
        current = os.path.join(current, part)
        try:
            os.mkdir(current, DIR_MODE)
        except FileExistsError:
            if not os.path.isdir(current):
                raise
    return directory


def open_private(file_path: str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    """os.open of a file only its owner may read (mode 0600 when it is created)."""
    return os.open(file_path, flags, FILE_MODE)


def protect(file_path: str, mode: int = FILE_MODE) -> None:
    """Make a file (or, with DIR_MODE, a directory) that proofshim did not create itself, such as
    a part ROOT wrote, owner-only; best effort."""
    try:
        os.chmod(file_path, mode)
    except OSError:
        pass


def inside(p: str, top: str) -> bool:
    """Whether path `p` is `top` or lies below it."""
    return os.path.commonpath([os.path.abspath(p), os.path.abspath(top)]) == os.path.abspath(top)


def remove(session: str, keep=()) -> list[str]:
    """Remove the session directory, except the files in `keep` (and the directories holding
    them); return the kept files that still exist. Best effort: a file that cannot be removed is
    left, nothing is raised. Symbolic links are removed, never followed.

    >>> import tempfile; top = tempfile.mkdtemp(); s = create(path(top, "t"))
    >>> for d in ("worker-0.0", "data/0.0/q1-1"): _ = make_private(os.path.join(s, d), s)
    >>> for f in ("worker-0.0/query-1.log", "data/0.0/q1-1/a.root", "data/0.0/q1-1/b.root"):
    ...     os.close(open_private(os.path.join(s, f)))
    >>> [os.path.relpath(k, s) for k in remove(s, keep=[os.path.join(s, "data/0.0/q1-1/a.root")])]
    ['data/0.0/q1-1/a.root']
    >>> sorted(os.path.relpath(os.path.join(r, f), s) for r, _, fs in os.walk(s) for f in fs)
    ['data/0.0/q1-1/a.root']
    >>> remove(s), os.path.exists(s)
    ([], False)
    >>> import shutil; shutil.rmtree(top)
    """
    session = os.path.abspath(session)
    if not os.path.lexists(session):
        return []
    kept = sorted({os.path.abspath(k) for k in keep if inside(k, session) and os.path.isfile(k)})
    if not kept:
        shutil.rmtree(session, ignore_errors=True)
        return []
    protected_dirs = {session}
    for k in kept:
        d = os.path.dirname(k)
        while inside(d, session) and d not in protected_dirs:
            protected_dirs.add(d)
            d = os.path.dirname(d)
    for top, dirs, files in os.walk(session, topdown=True):
        for name in files:
            p = os.path.join(top, name)
            if p not in kept:
                try:
                    os.unlink(p)
                except OSError:
                    pass
        for name in list(dirs):
            p = os.path.join(top, name)
            if os.path.islink(p):
                try:
                    os.unlink(p)
                except OSError:
                    pass
                dirs.remove(name)
            elif p not in protected_dirs:
                shutil.rmtree(p, ignore_errors=True)
                dirs.remove(name)
    return kept
