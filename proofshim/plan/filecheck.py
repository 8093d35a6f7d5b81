"""Why a file of a query cannot be processed, and what to do with it: PROOF's rules for missing,
unreadable, corrupt and empty files, as pure functions (no ROOT, no dask).

PROOF (TPacketizerAdaptive::ValidateFiles) skipped every element whose entries it could not get
or that had none, with an error naming the file, and listed it in the output list's `MissingFiles`;
an element whose `first` lay beyond its entries was skipped the same way. proofshim does the same
by default; in strict mode (`proofshim.strict` in dask's config, or the input parameter
`PROOFSHIM_Strict`) such a file fails the query instead.
"""
from __future__ import annotations

import os

STRICT_PARAMETER = "PROOFSHIM_Strict"


def local_path(url: str) -> str | None:
    """The local path a file URL names, or None for a remote URL (root://, http://, ...).

    >>> local_path("/data/a.root"), local_path("file:///data/a.root"), local_path("file:/d/a.root")
    ('/data/a.root', '/data/a.root', '/d/a.root')
    >>> local_path("root://eos.example//store/a.root") is None
    True
    """
    if url.startswith("file:"):
        rest = url[len("file:"):]
        # file:///abs and file://localhost/abs name /abs; file:/abs too.
        if rest.startswith("//"):
            rest = rest[2:]
            rest = rest[rest.index("/"):] if "/" in rest else ""
        return rest.split("?", 1)[0] or None
    if "://" in url:
        return None
    return url.split("?", 1)[0]


def _readable(path: str) -> bool:
    return os.access(path, os.R_OK)


def unopenable_reason(url: str, exists=os.path.exists, readable=_readable, isdir=os.path.isdir) -> str:
    """Why TFile::Open failed on `url`, in words a user can act on.

    The checks run on the host that tried to open the file (defaults: this process's).

    >>> unopenable_reason("/no/such.root", exists=lambda p: False)
    "file '/no/such.root' does not exist"
    >>> unopenable_reason("/d/x.root", exists=bool, readable=lambda p: False, isdir=lambda p: False)
    "file '/d/x.root' cannot be read (permission denied)"
    >>> unopenable_reason("/d/x.root", exists=bool, readable=bool, isdir=lambda p: False)
    "file '/d/x.root' is not a readable ROOT file (corrupt, truncated or not ROOT at all)"
    """
    path = local_path(url)
    if path is None:
        return (f"cannot open remote file '{url}' (file missing, server unreachable, or not a "
                "ROOT file)")
    if not exists(path):
        return f"file '{url}' does not exist"
    if isdir(path):
        return f"'{url}' is a directory, not a ROOT file"
    if not readable(path):
        return f"file '{url}' cannot be read (permission denied)"
    return f"file '{url}' is not a readable ROOT file (corrupt, truncated or not ROOT at all)"


def skip_reason(url: str, tree: str, entries: int, error: str = "", first: int = 0) -> str:
    """Why an element is left out of the query ('' to keep it), given its counted entries
    (-1 with `error` when its tree could not be read) and the element's own first entry.

    >>> skip_reason("/d/a.root", "T", 10)
    ''
    >>> skip_reason("/d/a.root", "T", 0)
    "tree 'T' in file '/d/a.root' has no entries"
    >>> skip_reason("/d/a.root", "T", 10, first=12)
    "first entry 12 of the element is beyond the 10 entries of tree 'T' in file '/d/a.root'"
    >>> skip_reason("/d/a.root", "T", -1, "file '/d/a.root' does not exist")
    "file '/d/a.root' does not exist"
    """
    if entries < 0:
        return error or f"cannot read tree '{tree}' in file '{url}'"
    if entries == 0:
        return f"tree '{tree}' in file '{url}' has no entries"
    if first >= entries:
        return (f"first entry {first} of the element is beyond the {entries} entries of tree "
                f"'{tree}' in file '{url}'")
    return ""


def is_true(value) -> bool:
    """A strict-mode switch as users write it: 1/0, True/False, "yes"/"no", "on"/"off".

    >>> [is_true(v) for v in (1, 0, "1", "true", "Yes", "off", "", None, 2.0)]
    [True, False, True, True, True, False, False, False, True]
    """
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "strict")
    return bool(value)
