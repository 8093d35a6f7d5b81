"""Named data sets: PROOF's dataset manager as a local store of TFileCollections that outlives the
session (`proofshim.dataset-dir`, else the sandbox's datasets/: gEnv Proof.Sandbox, default ~/.proof,
PROOF-Lite's place), and the names
queries accept: "name", "/group/user/name", "name#tree", "name#dir/tree", "a|b", "a,b"."""
from __future__ import annotations

import getpass
import logging
import os
import re

from .elements import FileElement, from_file_collection
from ..util import runtime, sandbox
from ..util.errors import DatasetError

log = logging.getLogger("proofshim")

_VALID = re.compile(r"^[A-Za-z0-9_.\-]+$")


def store_dir() -> str:
    """Where registered data sets are kept: the session's sandbox's datasets/ (proofshim/util/sandbox.py)."""
    path = sandbox.dataset_dir()
    os.makedirs(path, exist_ok=True)
    return path


def _path(name: str) -> str:
    """The file of a data set: /group/user/name or name (group 'default', this user)."""
    parts = [p for p in name.strip().split("/") if p]
    if len(parts) == 1:
        parts = ["default", getpass.getuser(), parts[0]]
    if len(parts) != 3 or not all(_VALID.match(p) for p in parts):
        raise DatasetError(f"data set name {name!r}: use 'name' or '/group/user/name' "
                           "(letters, digits, '_', '-', '.')")
    return os.path.join(store_dir(), *parts[:2], parts[2] + ".root")


def exists(name: str) -> bool:
    return os.path.exists(_path(name))


def register(name: str, fc, options: str = "", executor=None) -> bool:
    """Store `fc` under `name`, with PROOF's options: "O" overwrites an existing data set, "U" adds
    the files to it, "V" verifies every file on the workers first (entries recorded, unreadable
    files marked corrupted)."""
    ROOT = runtime.import_root()
    path = _path(name)
    opts = options.upper()
    if os.path.exists(path) and "U" in opts:
        old = get(name)
        old.Add(fc)
        old.Update()
        fc = old
    elif os.path.exists(path) and "O" not in opts:
        raise DatasetError(f"data set '{name}' exists already: register it with option 'O' to overwrite "
                           "or 'U' to add files")
    if "V" in opts:
        if executor is None:
            raise DatasetError(f"RegisterDataSet('{name}', ..., \"V\"): verifying needs a running session")
        verify(executor, fc)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + f".tmp{os.getpid()}"
    f = ROOT.TFile(tmp, "RECREATE")
    copy = fc.Clone(os.path.basename(path)[:-5])
    copy.Write("dataset")
    f.Close()
    os.replace(tmp, path)
    return True


def _tree_key(tree: str) -> str:
    """The tree metadata key of a default tree name: PROOF keys trees as '/dir/name'."""
    return "/" + tree.lstrip("/") if tree else ""


def verify(executor, fc) -> tuple[int, int]:
    """Open every file of `fc` on the workers: record its entries as tree metadata and mark it
    staged, or mark it corrupted. Returns (files verified, files corrupted)."""
    ROOT = runtime.import_root()
    elements = from_file_collection(fc)
    counts = executor.gather_counts(executor.submit_counts([e.ref for e in elements]))
    # Without an explicit default, a collection's default tree is its first tree metadata, so
    # the order of the files' metadata must not change here (it once flipped to the last tree).
    default = str(fc.GetDefaultTreeName())
    tree = _tree_key(default)
    bad = 0
    for info, (n, err) in zip(fc.GetList(), counts):
        info = runtime.downcast(info)
        if n < 0:
            bad += 1
            info.SetBit(ROOT.TFileInfo.kCorrupted)
            info.ResetBit(ROOT.TFileInfo.kStaged)
            log.warning("%s", err, extra={"where": "TProof::VerifyDataSet"})
            continue
        info.ResetBit(ROOT.TFileInfo.kCorrupted)
        info.SetBit(ROOT.TFileInfo.kStaged)
        meta = info.GetMetaData(tree)
        if meta:
            meta.SetEntries(n)      # in place: the other trees keep their order
        else:
            meta = ROOT.TFileInfoMeta(tree, "TTree", n)
            ROOT.SetOwnership(meta, False)
            info.AddMetaData(meta)
    fc.Update()
    if str(fc.GetDefaultTreeName()) != default:
        fc.SetDefaultTreeName(default)
    log.info("%d file(s) verified, %d corrupted, %d entries in '%s'", len(counts), bad,
             fc.GetTotalEntries(tree), fc.GetName(), extra={"where": "TProof::VerifyDataSet"})
    return len(counts), bad


def get(name: str):
    """The TFileCollection registered as `name` (owned by the caller)."""
    ROOT = runtime.import_root()
    path = _path(name)
    if not os.path.exists(path):
        raise DatasetError(f"data set '{name}' is not registered (looked for {path}); "
                           "register it with proof.RegisterDataSet(name, fileCollection)")
    f = runtime.open_file(path)
    fc = f.Get("dataset") if f else None
    if not fc:
        raise DatasetError(f"data set file {path} holds no file collection")
    fc = fc.Clone()
    ROOT.SetOwnership(fc, False)
    f.Close()
    return fc


def remove(name: str) -> int:
    path = _path(name)
    if not os.path.exists(path):
        raise DatasetError(f"data set '{name}' is not registered")
    os.unlink(path)
    return 0


def show(uri: str = "") -> None:
    """Print the registered data sets like PROOF's ShowDataSets."""
    ROOT = runtime.import_root()
    print("Dataset repository: " + store_dir())
    print("Dataset URI                               | # Files | Default tree | # Events")
    for name in _stored_names():
        if uri and not ROOT.TString(name).Contains(ROOT.TRegexp(uri, True)):
            continue
        fc = get(name)
        tree = str(fc.GetDefaultTreeName() or "")
        print(f"{name:<42}| {fc.GetNFiles():>7} | {tree:<12} | {fc.GetTotalEntries(_tree_key(tree)):>8}")


def _stored_names():
    """Every data set of the store, as /group/user/name, sorted."""
    root = store_dir()
    for group in sorted(os.listdir(root)):
        for user in sorted(os.listdir(os.path.join(root, group))):
            for fn in sorted(os.listdir(os.path.join(root, group, user))):
                if fn.endswith(".root"):
                    yield f"/{group}/{user}/{fn[:-5]}"


def elements(spec: str) -> list[FileElement]:
    """The file elements of a data set expression ("a|b", "a,b", "name#[dir/]tree")."""
    out: list[FileElement] = []
    for part in re.split(r"[|,]", spec):
        part = part.strip()
        if not part:
            continue
        name, _, obj = part.partition("#")
        fc = get(name)
        if obj:
            fc.SetDefaultTreeName(obj if obj.startswith("/") else "/" + obj)
        out.extend(from_file_collection(fc))
    if not out:
        raise DatasetError(f"data set expression {spec!r} names no files")
    return out


# ---- proofshim compat: the rest of PROOF's data set methods

def names(pattern: str = "") -> list[str]:
    """Names (/group/user/name) of the registered data sets matching the wildcard `pattern`
    (a plain name matches its own /group/user/name too)."""
    import fnmatch  # noqa: PLC0415

    pat = pattern.strip()
    return [name for name in _stored_names()
            if not pat or fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(name.rsplit("/", 1)[1], pat.strip("/"))
            or fnmatch.fnmatch(name, pat + "*")]


def show_one(name: str, option: str = "") -> None:
    """TProof::ShowDataSet: the data set's summary and its files."""
    fc = get(name)
    print(f"Dataset {name}: {fc.GetNFiles()} file(s), default tree '{fc.GetDefaultTreeName() or ''}'")
    fc.Print("F")


def verify_registered(name: str, executor) -> int:
    """TProof::VerifyDataSet: open every file of the data set on the workers, store what was found
    (entries, corrupted files); return the number of files that could not be opened."""
    fc = get(name)
    _n, bad = verify(executor, fc)
    register(name, fc, "O")
    return bad


def set_tree_name(name: str, tree: str) -> int:
    """TProof::SetDataSetTreeName: the tree queries of the data set read by default."""
    if not tree:
        raise DatasetError(f"SetDataSetTreeName('{name}', ...): give the tree's name, e.g. 'T' or 'dir/T'")
    fc = get(name)
    fc.SetDefaultTreeName(tree if tree.startswith("/") else "/" + tree)
    register(name, fc, "O")
    return 0
