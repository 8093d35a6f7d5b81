"""TProofOutputFile on the client: the output lists' TProofOutputFile objects of one name were
merged by TProofOutputFile::Merge, which only collects the parts. Merge mode fetches every part
through dask in chunks into a local temporary file, merges them with TFileMerger into the
destination (the client's working directory unless SetOutputFileName gave one) and deletes the
parts on the workers. Dataset mode keeps the parts where they are and replaces the object in the
output list by a TFileCollection named after the data set, registered when the options ask for it.
The parts are written on the workers: proofshim.worker.outputfile.
"""
from __future__ import annotations

import collections
import logging
import os
import shutil
import tempfile

from ..plan import named_datasets
from ..util import settings
from ..util.errors import DatasetError, QueryError
from ..worker.outputfile import Part, describe_part, pofs, read_chunk, remove_part

log = logging.getLogger("proofshim")

CHUNKS_IN_FLIGHT = 2          # chunks requested ahead while the previous one is written

def _parts(pof) -> list[Part]:
    parts = [Part(str(pof.GetLocalHost()), f"{pof.GetDir()}/{pof.GetFileName()}")]
    for p in pof.GetParts() or []:
        parts.append(Part(str(p.GetName()), str(p.GetTitle())))
    return parts


def finalize(ROOT, merged, executor) -> None:
    """Turn the merged output list's TProofOutputFile objects into files or data sets."""
    for pof in pofs(merged):
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

    opts = ""
    if pof.GetTypeOpt() & pof.kOverwrite:
        opts += "O"
    if pof.GetTypeOpt() & pof.kVerify:
        opts += "V"
    name = str(pof.GetTitle())
    try:
        named_datasets.register(name, fc, opts, executor)
    except DatasetError as exc:
        # PROOF reported a failed registration but kept the query's results.
        log.error("data set '%s' of %s not registered: %s", name, pof.GetName(), exc,
                  extra={"where": "TProofOutputFile"})
    else:
        log.info("data set '%s' registered (%d file(s))", name, fc.GetNFiles(),
                 extra={"where": "TProofOutputFile"})
