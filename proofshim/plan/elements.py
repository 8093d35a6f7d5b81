"""Datasets: chains (and later TDSets, file collections, named datasets) turned into the list of
(file, tree, directory, range) elements a query runs over."""
from __future__ import annotations

import dataclasses
import os

from ..util import runtime
from ..util.errors import DatasetError


@dataclasses.dataclass(frozen=True)
class FileElement:
    """One tree in one file; `first`/`num` restrict it (num -1: to the end)."""

    url: str
    tree: str
    directory: str = ""
    first: int = 0
    num: int = -1
    entries: int | None = None        # entries in the tree, when already known
    friends: tuple = ()               # (alias, url, tree, directory) read alongside, entry for entry
    object_type: str = ""             # object data sets: the class of the objects (tree: the name filter)

    @property
    def ref(self) -> tuple[str, str, str]:
        return (self.url, self.tree, self.directory)

    @property
    def friend_spec(self) -> str:
        """The friends as the worker's event loop takes them: "alias\tfile\ttree" lines."""
        return "".join(f"{a}\t{u}\t{(d + '/' if d else '') + t}\n" for a, u, t, d in self.friends)


def local_url(name: str) -> str:
    """Make a relative local path absolute so workers with another cwd find it; URLs stay as they are."""
    if "://" in name or os.path.isabs(name):
        return name
    path = os.path.abspath(name)
    return path if os.path.exists(path) else name


def from_chain(chain) -> list[FileElement]:
    """The elements of a TChain (a plain TTree: its file), in chain order."""
    ROOT = runtime.import_root()
    elements = []
    if chain.InheritsFrom("TChain"):
        unknown = ROOT.TTree.kMaxEntries
        for el in chain.GetListOfFiles():
            entries = int(el.GetEntries())
            elements.append(FileElement(url=local_url(str(el.GetTitle())), tree=str(el.GetName()),
                                        entries=entries if 0 <= entries < unknown else None))
    else:
        f = chain.GetCurrentFile()
        if not f:
            raise DatasetError(f"tree '{chain.GetName()}' is not attached to a file: "
                               "PROOF processes trees read from files (use a TChain)")
        elements.append(FileElement(url=local_url(str(f.GetName())), tree=str(chain.GetName()),
                                    entries=int(chain.GetEntries())))
    if not elements:
        raise DatasetError(f"chain '{chain.GetName()}' has no files: add some with chain.Add(...)")
    return _with_friends(chain, elements)


def _friend_files(ftree) -> list[tuple[str, str]]:
    if ftree.InheritsFrom("TChain"):
        return [(local_url(str(el.GetTitle())), str(el.GetName())) for el in ftree.GetListOfFiles()]
    f = ftree.GetCurrentFile()
    return [(local_url(str(f.GetName())), str(ftree.GetName()))] if f else []


def _with_friends(chain, elements: list[FileElement]) -> list[FileElement]:
    """Attach the chain's friends: friend file i is read with file i of the chain, entry by entry."""
    friends = chain.GetListOfFriends()
    if not friends or friends.GetSize() == 0:
        return elements
    per_element: list[list] = [[] for _ in elements]
    for fe in friends:
        ftree = fe.GetTree()
        alias = str(fe.GetName())
        if not ftree:
            raise DatasetError(f"friend '{alias}' of chain '{chain.GetName()}' cannot be read")
        files = _friend_files(ftree)
        if len(files) != len(elements):
            raise DatasetError(
                f"friend '{alias}' of chain '{chain.GetName()}' has {len(files)} file(s) for the chain's "
                f"{len(elements)}: proofshim reads friend file i with chain file i, so split the friend "
                "like the chain")
        for i, (url, tree) in enumerate(files):
            per_element[i].append((alias, url, tree, ""))
    return [dataclasses.replace(e, friends=tuple(f)) for e, f in zip(elements, per_element)]


def _object_elements(dset) -> list[FileElement]:
    """The elements of an object TDSet: file, object-name filter, directory, first/num in objects."""
    from .objects import check_directory  # noqa: PLC0415

    if dset.GetListOfFriends() and dset.GetListOfFriends().GetSize():
        raise DatasetError(f"TDSet '{dset.GetName()}' of '{dset.GetType()}' objects has friends: "
                           "friends are for tree data sets")
    elements = []
    for el in dset.GetListOfElements():
        obj = str(el.GetObjName()) or str(dset.GetObjName()) or "*"
        directory = str(el.GetDirectory()) or str(dset.GetDirectory())
        why = check_directory(directory)
        if why:
            raise DatasetError(f"TDSet '{dset.GetName()}', file '{el.GetFileName()}': {why}")
        elements.append(FileElement(url=local_url(str(el.GetFileName())), tree=obj,
                                    directory="" if directory == "/" else directory.strip("/"),
                                    first=int(el.GetFirst()), num=int(el.GetNum()),
                                    object_type=str(dset.GetType())))
    if not elements:
        raise DatasetError(f"TDSet '{dset.GetName()}' has no files: add some with dset.Add(...)")
    return elements


def from_tdset(dset) -> list[FileElement]:
    """The elements of a TDSet, with each element's own first/num, object name and directory."""
    if not dset.IsTree():
        return _object_elements(dset)
    elements = []
    for el in dset.GetListOfElements():
        obj = str(el.GetObjName()) or str(dset.GetObjName())
        if obj in ("", "*"):
            obj = str(dset.GetObjName())
        if obj in ("", "*"):
            raise DatasetError(f"TDSet '{dset.GetName()}': element '{el.GetFileName()}' names no tree")
        directory = str(el.GetDirectory()) or str(dset.GetDirectory())
        elements.append(FileElement(url=local_url(str(el.GetFileName())), tree=obj,
                                    directory="" if directory == "/" else directory.strip("/"),
                                    first=int(el.GetFirst()), num=int(el.GetNum())))
    if not elements:
        raise DatasetError(f"TDSet '{dset.GetName()}' has no files: add some with dset.Add(...)")
    friends = dset.GetListOfFriends()
    if friends and friends.GetSize():
        per_element: list[list] = [[] for _ in elements]
        for fset in friends:
            fset = runtime.downcast(fset)
            alias = str(fset.GetTitle()) or str(fset.GetName())
            felems = from_tdset(fset)
            if len(felems) != len(elements):
                raise DatasetError(
                    f"friend '{alias}' of TDSet '{dset.GetName()}' has {len(felems)} file(s) for its "
                    f"{len(elements)}: friend file i is read with file i, so split them alike")
            for i, fe in enumerate(felems):
                per_element[i].append((alias, fe.url, fe.tree, fe.directory))
        elements = [dataclasses.replace(e, friends=tuple(f)) for e, f in zip(elements, per_element)]
    return elements


def from_file_collection(fc) -> list[FileElement]:
    """The elements of a TFileCollection, read with its default tree (PROOF's rule)."""
    tree = str(fc.GetDefaultTreeName() or "").lstrip("/")
    if not tree:
        raise DatasetError(f"file collection '{fc.GetName()}' has no default tree: set one with "
                           "SetDefaultTreeName('T') or add tree metadata")
    directory, _, name = tree.rpartition("/")
    elements = [FileElement(url=local_url(str(fi.GetCurrentUrl().GetUrl())), tree=name, directory=directory)
                for fi in fc.GetList()]
    if not elements:
        raise DatasetError(f"file collection '{fc.GetName()}' is empty")
    return elements


def entry_list_entries(elist, elements: list[FileElement]) -> list:
    """Per element, the tree-local entries an entry list selects (numpy int64 arrays)."""
    import numpy as np  # noqa: PLC0415 - numpy comes with ROOT

    ROOT = runtime.import_root()
    subs = list(elist.GetLists()) if elist.GetLists() else [elist]
    by_key = {}
    for sub in subs:
        key = (os.path.realpath(str(sub.GetFileName())) if "://" not in str(sub.GetFileName())
               else str(sub.GetFileName()), str(sub.GetTreeName()).lstrip("/"))
        by_key[key] = sub
    out = []
    for e in elements:
        url = os.path.realpath(e.url) if "://" not in e.url else e.url
        tree = (e.directory + "/" if e.directory else "") + e.tree
        sub = by_key.get((url, tree)) or by_key.get((url, e.tree))
        vec = ROOT.std.vector["Long64_t"]()
        if sub:
            ROOT.ProofShim.EntryListEntries(sub, vec)
        out.append(np.array(vec, dtype=np.int64))
    return out
