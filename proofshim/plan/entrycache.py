"""The client's memory of how many entries each tree holds: the entries of a file counted by one
query are not counted again by the next (PROOF's packetizer kept them in its data set's elements
and its lookup cache the same way).

An entry is trusted only while the file is unchanged: local files are remembered with their size,
modification time and inode, and forgotten when any of them differs; remote files (root://, ...)
cannot be checked from the client and are never remembered. The cache holds at most `max_files`
trees, dropping the oldest first. Pure standard library.

>>> import os, tempfile
>>> cache = EntryCache()
>>> path = os.path.join(tempfile.mkdtemp(), "a.root"); open(path, "wb").write(b"x" * 10)
10
>>> cache.get(path, "T", ""), cache.put(path, "T", "", 500), cache.get(path, "T", "")
(None, None, 500)
>>> open(path, "ab").write(b"more")      # the file changed: counted again
4
>>> cache.get(path, "T", "")
>>> cache.put("root://eos.example//a.root", "T", "", 7); cache.get("root://eos.example//a.root", "T", "")
>>> import shutil; shutil.rmtree(os.path.dirname(path))
"""
from __future__ import annotations

import os
from collections import OrderedDict

from .filecheck import local_path


class EntryCache:
    """(url, tree, directory) -> entries, for files that have not changed since."""

    def __init__(self, max_files: int = 200_000):
        self.max_files = max_files
        self._known: OrderedDict[tuple, tuple] = OrderedDict()   # key -> (signature, entries)

    @staticmethod
    def _signature(url: str):
        path = local_path(url)
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)

    def get(self, url: str, tree: str, directory: str) -> int | None:
        """The entries of the tree, if it was counted and its file is unchanged."""
        key = (url, tree, directory)
        known = self._known.get(key)
        if known is None:
            return None
        if self._signature(url) != known[0]:
            del self._known[key]
            return None
        return known[1]

    def put(self, url: str, tree: str, directory: str, entries: int) -> None:
        """Remember a count (local files only; a negative count, an unreadable tree, is not kept)."""
        if entries < 0:
            return
        sig = self._signature(url)
        if sig is None:
            return
        key = (url, tree, directory)
        self._known[key] = (sig, int(entries))
        self._known.move_to_end(key)
        while len(self._known) > self.max_files:
            self._known.popitem(last=False)

    def __len__(self) -> int:
        return len(self._known)

    def clear(self) -> None:
        self._known.clear()


cache = EntryCache()   # the process's (every session's) memory of counted trees
