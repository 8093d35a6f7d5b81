"""TProofOutputFile: files written on the workers, merged into one file or listed as a data set.

Worker side (`begin_slot`, `finish_parts`, and the dask tasks `describe_part`, `read_chunk`,
`remove_part`): each slot writes its part under gProofServ->GetDataDir() in a subdirectory of its
own, so that no two slots (or queries) of one worker share a file. After SlaveTerminate the part is
closed if the selector left it open; an empty part (missing, or holding no key) is dropped from the
output list as if the selector had not added it, which is what PROOF's tutorials do themselves.

Client side (`finalize`): the output lists' TProofOutputFile objects of one name were merged by
TProofOutputFile::Merge, which only collects the parts. Merge mode fetches every part through dask
in chunks into a local temporary file, merges them with TFileMerger into the destination (the
client's working directory unless SetOutputFileName gave one) and deletes the parts on the
workers. Dataset mode keeps the parts where they are and replaces the object in the output list by
a TFileCollection named after the data set, registered when the options ask for it.
"""
from __future__ import annotations

import collections
import dataclasses
import logging
import os
import shutil
import tempfile

from . import runtime, sessiondir, settings
from .errors import DatasetError, QueryError

log = logging.getLogger("proofshim")

CHUNKS_IN_FLIGHT = 2          # chunks requested ahead while the previous one is written


@dataclasses.dataclass(frozen=True)
class Part:
    """One worker's file: the dask worker that holds it and its path (or URL) there."""

    host: str
    path: str

    @property
    def remote_url(self) -> bool:
        """A part written to a storage URL (root://...) is read there, not fetched from a worker."""
        return "://" in self.path and not self.path.startswith("file:")


# ---------------------------------------------------------------------------- worker side

def begin_slot(ROOT, seq: int, slot: str) -> None:
    """Give the parts of this slot a directory of their own (see TProofOutputFile::Init)."""
    ROOT.TProofOutputFile.SetPartSubdir(f"q{seq}-{slot.rsplit('|', 1)[-1]}")


def _pofs(output):
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
    for pof in _pofs(output):
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
    from . import worker  # noqa: PLC0415 - worker imports this module

    ROOT = runtime.import_root()
    worker.prepare()
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


# ---------------------------------------------------------------------------- client side

def _parts(pof) -> list[Part]:
    parts = [Part(str(pof.GetLocalHost()), f"{pof.GetDir()}/{pof.GetFileName()}")]
    for p in pof.GetParts() or []:
        parts.append(Part(str(p.GetName()), str(p.GetTitle())))
    return parts


def finalize(ROOT, merged, executor) -> None:
    """Turn the merged output list's TProofOutputFile objects into files or data sets."""
    for pof in _pofs(merged):
        parts = _parts(pof)
        if pof.IsMerge():
            merge_parts(ROOT, pof, parts, executor)
        else:
            fc = file_collection(ROOT, pof, parts, executor)
            merged.Remove(pof)
            merged.Add(fc)
            if pof.IsRegister():
                _register(pof, fc, executor)


def _check_worker(executor, part: Part) -> None:
    if part.host not in executor.workers():
        raise QueryError(f"the part '{part.path}' was written on worker {part.host}, which has left "
                         "the cluster: it cannot be merged")


def _on_worker(executor, part: Part, fn, *args, check: bool = True):
    """Submit fn(*args) to the worker holding `part` (and only there: the file is on its disk)."""
    if check:
        _check_worker(executor, part)
    return executor.client.submit(fn, *args, workers=[part.host], allow_other_workers=False, pure=False)


def _describe(executor, parts: list[Part]) -> list[tuple[int, list, str]]:
    futures = [_on_worker(executor, p, describe_part, p.path) for p in parts]
    return executor.client.gather(futures)


def destination(pof) -> str:
    """Where the merged file goes: SetOutputFileName's path or URL, else the client's working
    directory; relative paths are taken from the client's working directory."""
    name = str(pof.GetOutputFileName()) or str(pof.GetFileName())
    for prefix in ("client:", "master:"):      # PROOF's location prefixes: here both are the client
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith("file:"):
        name = name[len("file:"):]
        if name.startswith("//"):
            name = name[2:]
    if "://" in name:
        return name
    return os.path.abspath(os.path.expanduser(name))


def fetch(executor, part: Part, size: int, local: str) -> None:
    """Copy a part to `local` in chunks through dask, never holding the whole file in memory."""
    chunk = max(1, int(float(settings.get("output-chunk-mb")) * (1 << 20)))
    offsets = iter(range(0, size, chunk))
    pending: collections.deque = collections.deque()

    def request() -> None:
        off = next(offsets, None)
        if off is not None:
            pending.append(_on_worker(executor, part, read_chunk, part.path, off, chunk, check=False))

    _check_worker(executor, part)
    for _ in range(CHUNKS_IN_FLIGHT):
        request()
    written = 0
    with open(local, "wb") as out:
        while pending:
            fut = pending.popleft()
            request()
            try:
                data = fut.result()
            except Exception as exc:
                raise QueryError(f"fetching the part '{part.path}' from worker {part.host} failed at "
                                 f"byte {written}: {exc}") from exc
            out.write(data)
            written += len(data)
            fut.release()
            del data
    if written != size:
        raise QueryError(f"the part '{part.path}' on worker {part.host} has {written} bytes, "
                         f"{size} were expected: was it changed while being fetched?")


def merge_parts(ROOT, pof, parts: list[Part], executor) -> str:
    """Fetch and merge the parts into the destination file; return its path."""
    dest = destination(pof)
    name = str(pof.GetName())
    local_dest = "://" not in dest
    if local_dest:
        os.makedirs(os.path.dirname(dest), exist_ok=True)
    worker_parts = [p for p in parts if not p.remote_url]
    infos = dict(zip(worker_parts, _describe(executor, worker_parts)))
    tmp = tempfile.mkdtemp(prefix="proofshim-parts-")
    try:
        inputs = []
        for i, part in enumerate(parts):
            if part.remote_url:
                inputs.append(part.path)
                continue
            size, _, err = infos[part]
            if err:
                raise QueryError(f"{name}: {err} on worker {part.host}")
            local = os.path.join(tmp, f"part{i}-{os.path.basename(part.path)}")
            fetch(executor, part, size, local)
            inputs.append(local)
        _run_merger(ROOT, name, dest, inputs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # PROOF deleted the parts once merged.
    futures = [_on_worker(executor, p, remove_part, p.path) for p in worker_parts]
    try:
        executor.client.gather(futures)
    except Exception as exc:  # noqa: BLE001 - the merged file is complete; stale parts only cost space
        log.warning("%s: some merged parts could not be deleted on the workers: %s", name, exc,
                    extra={"where": "TProofOutputFile"})
    pof.SetOutputFileName(dest)
    pof.SetFileName(os.path.basename(dest))
    pof.SetMerged()
    log.debug("%s: %d part(s) merged into %s", name, len(parts), dest)
    return dest


def _run_merger(ROOT, name: str, dest: str, inputs: list[str]) -> None:
    ctx = ROOT.TDirectory.TContext()          # the merger must not leave gDirectory in its output
    try:
        if not inputs:
            # Every part was empty: an empty file still lets Terminate open the result.
            log.info("%s: every worker's part was empty: %s holds no object", name, dest,
                     extra={"where": "TProofOutputFile"})
            f = ROOT.TFile.Open(dest, "RECREATE")
            if not f or f.IsZombie():
                raise QueryError(f"{name}: cannot create the merged file '{dest}'")
            f.Close()
            return
        merger = ROOT.TFileMerger(False, False)   # inputs are local copies already
        merger.SetPrintLevel(0)
        if not merger.OutputFile(dest, "RECREATE"):
            raise QueryError(f"{name}: cannot create the merged file '{dest}' "
                             "(check the directory and SetOutputFileName)")
        for path in inputs:
            if not merger.AddFile(path, False):
                raise QueryError(f"{name}: the part '{path}' cannot be opened for merging")
        if not merger.Merge():
            raise QueryError(f"{name}: TFileMerger could not merge {len(inputs)} part(s) into '{dest}'")
    finally:
        del ctx


def file_collection(ROOT, pof, parts: list[Part], executor):
    """The TFileCollection of the parts, with each file's size and tree entries."""
    fc = pof.GetFileCollection()
    pof.ResetFileCollection()        # the output list owns it from here on
    ROOT.SetOwnership(fc, False)
    worker_parts = [p for p in parts if not p.remote_url]
    infos = dict(zip(worker_parts, _describe(executor, worker_parts)))
    anchor = str(pof.GetOptionsAnchor())
    first_tree = ""
    for part in parts:
        size, trees, err = infos.get(part, (-1, [], ""))
        if err:
            log.warning("%s: %s (worker %s): left out of data set '%s'", pof.GetName(), err, part.host,
                        pof.GetTitle(), extra={"where": "TProofOutputFile"})
            continue
        if not part.remote_url:
            # The data set points at it: it outlives the session directory it was written in.
            executor.keep_file(part.path)
        info = ROOT.TFileInfo(part.path + anchor, size)
        ROOT.SetOwnership(info, False)
        for tree, entries in trees:
            meta = ROOT.TFileInfoMeta(tree, "TTree", entries)
            ROOT.SetOwnership(meta, False)
            info.AddMetaData(meta)
            first_tree = first_tree or tree
        info.SetBit(ROOT.TFileInfo.kStaged)
        fc.Add(info)
    fc.Update()
    if first_tree and not str(fc.GetDefaultTreeName() or ""):
        fc.SetDefaultTreeName(first_tree)
    return fc


def _register(pof, fc, executor) -> None:
    from . import datasets  # noqa: PLC0415

    opts = ""
    if pof.GetTypeOpt() & pof.kOverwrite:
        opts += "O"
    if pof.GetTypeOpt() & pof.kVerify:
        opts += "V"
    name = str(pof.GetTitle())
    try:
        datasets.register(name, fc, opts, executor)
    except DatasetError as exc:
        # PROOF reported a failed registration but kept the query's results.
        log.error("data set '%s' of %s not registered: %s", name, pof.GetName(), exc,
                  extra={"where": "TProofOutputFile"})
    else:
        log.info("data set '%s' registered (%d file(s))", name, fc.GetNFiles(),
                 extra={"where": "TProofOutputFile"})
