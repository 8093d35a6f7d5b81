"""TProofOutputFile on the workers: the parts, written there, merged into one file or listed as a
data set by the client (proofshim.face.outputfile).

`begin_slot`, `finish_parts`, and the dask tasks `describe_part`, `read_chunk`, `remove_part`: each
slot writes its part under gProofServ->GetDataDir() in a subdirectory of its own, so that no two
slots (or queries) of one worker share a file. After SlaveTerminate the part is closed if the
selector left it open; an empty part (missing, or holding no key) is dropped from the output list
as if the selector had not added it, which is what PROOF's tutorials do themselves.
"""
from __future__ import annotations

import dataclasses
import logging
import os

from ..util import runtime, sessiondir

log = logging.getLogger("proofshim")

@dataclasses.dataclass(frozen=True)
class Part:
    """One worker's file: the dask worker that holds it and its path (or URL) there."""

    host: str
    path: str

    @property
    def remote_url(self) -> bool:
        """A part written to a storage URL (root://...) is read there, not fetched from a worker."""
        return "://" in self.path and not self.path.startswith("file:")


def begin_slot(ROOT, seq: int, slot: str) -> None:
    """Give the parts of this slot a directory of their own (see TProofOutputFile::Init)."""
    ROOT.TProofOutputFile.SetPartSubdir(f"q{seq}-{slot.rsplit('|', 1)[-1]}")


def pofs(output):
    """The TProofOutputFile objects of an output list."""
    return [runtime.downcast(o) for o in output if o.InheritsFrom("TProofOutputFile")]


def _part_path(pof) -> str:
    return f"{pof.GetDir(True)}/{pof.GetFileName()}"


def _close_if_open(ROOT, path: str, selector: str) -> None:
    """Close the part if the selector left it open, writing what it holds first."""
    real = os.path.realpath(path)
    for f in list(ROOT.gROOT.GetListOfFiles()):
        name = str(f.GetName())
        if "://" in name or os.path.realpath(name) != real:
            continue
        f = runtime.downcast(f)
        if f.IsOpen():
            log.info("%s left %s open after SlaveTerminate: writing and closing it", selector, path,
                     extra={"where": "TProofOutputFile"})
            if f.IsWritable():
                f.Write("", ROOT.TObject.kOverwrite)
            f.Close()


def finish_parts(ROOT, output, address: str, selector: str) -> None:
    """After SlaveTerminate: close every part, drop the empty ones, record where the others are."""
    for pof in pofs(output):
        path = _part_path(pof)
        if Part(address, path).remote_url:
            pof.SetLocalHost(address)
            continue
        _close_if_open(ROOT, path, selector)
        why = _emptiness(ROOT, path)
        if why:
            # PROOF's selectors drop a part without entries themselves; proofshim does it for all.
            log.info("%s: part %s of %s %s: not merged", selector, path, pof.GetName(), why,
                     extra={"where": "TProofOutputFile"})
            output.Remove(pof)
            remove_part(path)
            continue
        if gproofserv_data(ROOT, path):
            # In the session's owner-only directory: owner-only as well (ROOT used the umask).
            sessiondir.protect(path)
            sessiondir.protect(os.path.dirname(path), sessiondir.DIR_MODE)
        pof.SetLocalHost(address)


def gproofserv_data(ROOT, path: str) -> bool:
    """Whether `path` lies in this worker's session directory (rather than where a selector chose)."""
    serv = ROOT.gProofServ
    if not serv:
        return False
    base = os.path.realpath(str(serv.GetSessionDir()))
    return os.path.realpath(path).startswith(base + os.sep)


def _emptiness(ROOT, path: str) -> str:
    """'' for a part worth keeping, else why it is not."""
    if not os.path.exists(path):
        return "does not exist"
    f = runtime.open_file(path)
    if f is None:
        return "cannot be opened"
    try:
        return "" if f.GetNkeys() > 0 else "holds no object"
    finally:
        f.Close()


def _trees(ROOT, directory, prefix: str = "/"):
    """(path, entries) of every tree in a directory, subdirectories included, newest cycles only."""
    seen = set()
    for key in directory.GetListOfKeys():
        name = str(key.GetName())
        if name in seen:
            continue
        seen.add(name)
        cl = ROOT.TClass.GetClass(str(key.GetClassName()))
        if not cl:
            continue
        if cl.InheritsFrom("TDirectory"):
            yield from _trees(ROOT, directory.Get(name), f"{prefix}{name}/")
        elif cl.InheritsFrom("TTree"):
            yield f"{prefix}{name}", int(directory.Get(name).GetEntries())


def describe_part(path: str) -> tuple[int, list, str]:
    """Dask task on the part's worker: (size in bytes, [(tree path, entries)], error or '')."""
    from . import slots  # noqa: PLC0415 - worker imports this module

    ROOT = runtime.import_root()
    slots.prepare()
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        return -1, [], f"part '{path}' is gone: {exc.strerror}"
    f = runtime.open_file(path)
    if f is None:
        return -1, [], f"part '{path}' cannot be opened"
    try:
        return size, list(_trees(ROOT, f)), ""
    finally:
        f.Close()


def read_chunk(path: str, offset: int, size: int) -> bytes:
    """Dask task on the part's worker: `size` bytes of the part from `offset`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(size)


def remove_part(path: str) -> None:
    """Delete a merged part, and its slot directory once empty."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    try:
        os.rmdir(os.path.dirname(path))
    except OSError:
        pass        # not empty: other parts of the slot are still there
