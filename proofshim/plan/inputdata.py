"""Input data (TProof::AddInputData, SetInputDataFile): objects that join every worker's input list.

PROOF did not stream these objects with the query: it shipped a ROOT file holding them
(TProof::PrepareInputDataFile / SendInputDataFile) and each worker read the objects back from its
copy of the file. That matters for objects whose data live in a file: a TTree streamed on its own
is a header whose baskets stay behind, and a worker reading it gets garbage. proofshim does the same:
the client makes one file (SetInputDataFile's file as it is, or a copy of it with the AddInputData
objects written in, trees copied entry by entry), the file travels with the query, each worker host
writes it once into its cache and each worker process reads the objects from it; the file stays open
while selectors may use them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile

from ..util import runtime
from ..util.errors import DatasetError

log = logging.getLogger("proofshim")

PARAMETER = "PROOF_InputDataFile"   # PROOF's name for the file, in the workers' input list


@dataclasses.dataclass(frozen=True)
class InputDataFile:
    """The input data file of a query: its name (for messages), content and digest."""

    name: str
    content: bytes
    digest: str


# ---- client side

def prepare(ROOT, proof) -> InputDataFile | None:
    """The input data file of `proof`'s next query, or None when it has no input data."""
    objects = list(proof.GetInputData())
    path = str(proof.GetInputDataFile() or "")
    if not objects and not path:
        return None
    if path and "://" not in path:
        path = os.path.abspath(path)
    if path and not objects and os.path.isfile(path):
        if runtime.open_file(path) is None:
            raise DatasetError(f"the input data file '{path}' (SetInputDataFile) cannot be opened as a "
                               "ROOT file")
        with open(path, "rb") as fh:
            content = fh.read()
        return InputDataFile(os.path.basename(path), content, hashlib.sha256(content).hexdigest()[:20])
    with tempfile.TemporaryDirectory(prefix="proofshim-inputdata-") as tmp:
        made = os.path.join(tmp, "inputdata.root")
        if path:
            # A copy of the file (local or remote), to which the AddInputData objects are added.
            if not ROOT.TFile.Cp(path, made, False):
                raise DatasetError(f"the input data file '{path}' (SetInputDataFile) cannot be read")
        _write_objects(ROOT, made, objects, "UPDATE" if path else "RECREATE", path)
        with open(made, "rb") as fh:
            content = fh.read()
    name = os.path.basename(path) if path else "inputdata.root"
    return InputDataFile(name, content, hashlib.sha256(content).hexdigest()[:20])


def _write_objects(ROOT, filename: str, objects, mode: str, source: str) -> None:
    ctx = ROOT.TDirectory.TContext()
    f = ROOT.TFile.Open(filename, mode)
    if not f or f.IsZombie():
        del ctx
        where = f"a copy of '{source}'" if source else "a temporary file"
        raise DatasetError(f"cannot write the input data (AddInputData) into {where}")
    try:
        for obj in objects:
            f.cd()
            if obj.InheritsFrom("TTree"):
                # The entries are copied: the tree's baskets must travel with it.
                copy = obj.CloneTree(-1)
                copy.Write(obj.GetName())   # closing the file deletes the copy
            else:
                obj.Write(obj.GetName(), ROOT.TObject.kSingleKey)
    finally:
        f.Close()
        del ctx


# ---- worker side

_open: dict[str, object] = {}   # digest -> the open TFile the input objects of this process come from


def _local_copy(data: InputDataFile) -> str:
    """The file in this host's cache, written once per host."""
    directory = os.path.join(runtime.cache_dir(), "inputdata")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{data.digest}.root")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data.content)
        os.replace(tmp, path)
    return path


def release_unused(in_use: set[str]) -> None:
    """Close the input data files whose digests are not `in_use`: no selector of this process may
    still read their objects (the trees read from a file go with it)."""
    for key in [k for k in _open if k not in in_use]:
        f = _open.pop(key)
        try:
            f.Close()
        except Exception as exc:  # noqa: BLE001 - closing is cleanup only
            log.debug("closing input data file %s: %s", key, exc)


def objects(ROOT, data: InputDataFile) -> list:
    """New copies of the objects of the input data file for one selector's input list (the caller
    owns them), read from this process's open copy of the file; trees stay attached to it."""
    f = _open.get(data.digest)
    if f is None:
        path = _local_copy(data)
        f = runtime.open_file(path)
        if f is None:
            raise DatasetError(f"the input data file '{data.name}' cannot be opened on this worker "
                               f"(its copy {path})")
        _open[data.digest] = f
    out, seen = [], set()
    for key in f.GetListOfKeys():
        name = str(key.GetName())
        if name in seen:        # other cycles of the same object: the newest counts, as f->Get does
            continue
        seen.add(name)
        obj = f.Get(name)
        if not obj:
            continue
        if not obj.InheritsFrom("TTree") and hasattr(obj, "SetDirectory"):
            obj.SetDirectory(ROOT.nullptr)      # histograms and lists: the input list owns them
        ROOT.SetOwnership(obj, False)
        out.append(obj)
    named = ROOT.TNamed(PARAMETER, data.name)
    ROOT.SetOwnership(named, False)
    out.append(named)
    return out
