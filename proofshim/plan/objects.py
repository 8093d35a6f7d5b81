"""Object data sets: a TDSet whose type is not a tree class (`TDSet("MyEvent", "*", "/events")`).

PROOF's TEventIterObj handed the selector the objects stored as keys of a directory of each file,
one by one: `SetObject(obj)`, then `Process(i)`. Which keys count is decided here, on the client,
from the keys' class names and names the workers list (pure Python, no ROOT): a key counts when its
class inherits from the data set's type and its name matches the object name (`"*"` or empty: all
names; a name with `*`/`?`: that wildcard; else that exact name). Every cycle of a name is its own
object (files written with `obj.Write("event")` in a loop hold event;1, event;2, ...).
The workers then read exactly the chosen keys, by their position in the directory's key list, so
client and workers agree on object i of a file even when a worker lacks a derived class.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable


def name_matches(pattern: str, name: str) -> bool:
    """TDSet object-name filter.

    >>> name_matches("*", "ev1"), name_matches("", "ev1"), name_matches("ev*", "ev1")
    (True, True, True)
    >>> name_matches("ev1", "ev10"), name_matches("ev?", "ev10")
    (False, False)
    """
    if pattern in ("", "*"):
        return True
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern


def select_keys(keys: Iterable[tuple[str, str]], inherits: Callable[[str], bool], objname: str) -> list[int]:
    """Positions (in the directory's key order) of the keys whose class passes `inherits` and whose
    name passes the object-name filter.

    >>> keys = [("MyEvent", "e1"), ("TH1F", "h"), ("MyEvent", "e2"), ("MyDerived", "e3")]
    >>> select_keys(keys, lambda c: c.startswith("My"), "*")
    [0, 2, 3]
    >>> select_keys(keys, lambda c: c == "MyEvent", "e2")
    [2]
    """
    return [i for i, (cls, name) in enumerate(keys) if name_matches(objname, name) and inherits(cls)]


def check_directory(directory: str) -> str | None:
    """Why a TDSet directory cannot be used for objects (None if it can).

    >>> check_directory("/events") is None, check_directory("/*") is not None
    (True, True)
    """
    if any(c in directory for c in "*?["):
        return (f"directory '{directory}' has a wildcard: proofshim reads objects from one named "
                "directory per file; add the file once per directory (dset.Add(file, obj, dir))")
    return None
