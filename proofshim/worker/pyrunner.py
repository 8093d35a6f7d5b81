"""The event loop of Python selectors (TPySelector modules, Python subclasses of ROOT.TSelector).

It offers what ProofShim::Runner (the C++ loop of compiled selectors) offers, method for method,
so that slots.py drives either. The loop is Python on purpose: the selector's methods are plain
Python calls (no C++-to-Python dispatch per entry, Python exceptions and tracebacks intact), and it
checks the worker's stop flag between two Process calls, so that a soft stop or an abort ends even
a slow Python Process within one entry. Files, trees, friends, the tree cache and
PROOF_CurrentElement are handled as the C++ Runner does.

Also used on the client for the local (no PROOF) form `chain.Process("TPySelector", "module")`.
"""
from __future__ import annotations

import ctypes
import json
import traceback
import weakref

from ..util import runtime

# Status codes, as ProofShim::Runner::EResult (slots.py compares with its own copies).
OK, ABORTED_PROCESS, ABORTED_FILE, STOPPED, ERROR, DATA_ERROR = range(6)

MEMBER_MAP = "PROOFSHIM_MemberMap"   # the C++ Runner's name for its member map (query.MEMBER_MAP)


def stop_flag():
    """The stop flag a Python runner reads between two Process calls (1 soft stop, 2 abort): the
    C++ runners' process-wide flag where there is one (a ctypes view of it costs a few tens of ns
    per entry, a call into C++ ten times more), else the runner's own, set by its RequestStop."""
    ROOT = runtime.load_library()
    shared = getattr(ROOT.ProofShim.Runner, "fgStop", None)
    if shared is not None:
        return ctypes.c_int.from_address(ROOT.addressof(shared))
    return ctypes.c_int(0)


def python_traceback(exc: BaseException, skip: int = 1) -> str:
    """The traceback of `exc` from the selector's frame on (`skip` frames of proofshim left out)."""
    tb = exc.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def failure_text(exc: BaseException, where: str, skip: int = 1) -> str:
    """'ValueError in MySel.Process(17): message' and the Python traceback below it."""
    return f"Python exception in {where}: {type(exc).__name__}: {exc}\n{python_traceback(exc, skip)}"


def _watch_abort(sel, flag: list) -> None:
    """Let the loop learn of self.Abort(...) without asking C++ after every entry."""
    original = type(sel).Abort   # the class's own override, or TSelector::Abort
    ref = weakref.ref(sel)       # no reference cycle: the selector goes when its runner does

    def Abort(*args, **kwargs):
        flag[0] = 1
        return original(ref(), *args, **kwargs)
    sel.Abort = Abort


def _is_root_object(value) -> bool:
    return hasattr(value, "IsA") and hasattr(value, "GetName") and not isinstance(value, type)


def attribute_paths(sel) -> list[tuple[list, object]]:
    """(path, ROOT object) for the selector's attributes that hold ROOT objects: directly, or as
    elements of a list/tuple or values of a dict (one level). A path is [name], or
    [name, index or key, container kind, container size] (so the client can make the container)."""
    out = []
    for name, value in list(vars(sel).items()):
        if name.startswith("__") or name == "Abort":
            continue
        if _is_root_object(value):
            out.append(([name], value))
        elif isinstance(value, (list, tuple)):
            kind = type(value).__name__ if type(value) in (list, tuple) else "list"
            out += [([name, i, kind, len(value)], v) for i, v in enumerate(value) if _is_root_object(v)]
        elif isinstance(value, dict):
            out += [([name, k, "dict", len(value)], v) for k, v in value.items()
                    if isinstance(k, (str, int)) and _is_root_object(v)]
    return out


def member_map(ROOT, sel, output):
    """A TList of TNamed(path as JSON, output object name) for the attributes that refer to
    objects of the output list (what PROOF did for pointer members); None if there is none."""
    if not output:
        return None
    by_address = {ROOT.addressof(o): str(o.GetName()) for o in output}
    lst = None
    for path, value in attribute_paths(sel):
        try:
            address = ROOT.addressof(value)
        except TypeError:
            continue
        if address in by_address:
            if lst is None:
                lst = ROOT.TList()
                lst.SetName(MEMBER_MAP)
                lst.SetOwner(True)
            entry = ROOT.TNamed(json.dumps(path), by_address[address])
            ROOT.SetOwnership(entry, False)
            lst.Add(entry)
    return lst


class Runner:
    """One Python selector's life on a worker (or in a local run): SlaveBegin, packets, SlaveTerminate.

    `pyroot` selects TPySelector's conventions: Begin() and SlaveBegin(None) without a tree, fChain
    set to the current tree before Init. `proof` adds PROOF's bookkeeping (PROOF_CurrentElement in
    the input list, PROOF_SelectorStatus and the member map in the output list).
    """

    def __init__(self, sel, input_list, option: str, *, class_name: str, pyroot: bool, proof: bool = True,
                 stop=None, error: str = ""):
        self._ROOT = runtime.load_library()
        self._sel = sel
        self._input = input_list
        self._option = option
        self._class = class_name
        self._pyroot = pyroot
        self._proof = proof
        self._stop = stop if stop is not None else ctypes.c_int(0)
        self._error = error            # set when the selector could not even be created
        self._processed = 0
        self._last = -1
        self._tree_entries = -1
        self._bytes = 0
        self._init_calls = 0
        self._v0 = False
        self._process = None
        self._aborted = [0]
        self._use_cache, self._cache_size = True, -1
        self._friends = ""
        self._file = self._tree = self._objdir = self._object = None
        self._opened = None             # (url, directory, tree, friends) of the open tree
        self._friend_files: list = []
        self._keys: list = []
        self._element = None            # (key, TDSetElement) of PROOF_CurrentElement
        if input_list is not None:
            input_list.SetOwner(True)
            self._ROOT.SetOwnership(input_list, True)

    # ---- what slots.py asks of every runner

    def GetSelector(self):
        return self._sel

    def GetOutputList(self):
        return self._sel.GetOutputList() if self._sel is not None else None

    def GetProcessed(self) -> int:
        return self._processed

    def GetLastEntry(self) -> int:
        return self._last

    def GetBytesRead(self) -> int:
        return self._bytes

    def GetError(self) -> str:
        return self._error

    def GetInitCalls(self) -> int:
        return self._init_calls

    def RequestStop(self, level: int) -> None:
        """StopProcess: 1 ends the running packet at its next entry, 2 aborts it (any thread)."""
        self._stop.value = int(level)

    def GetStopLevel(self) -> int:
        return int(self._stop.value)

    def SetTreeCache(self, use: bool, size: int) -> None:
        self._use_cache, self._cache_size = bool(use), int(size)

    def SetFriends(self, spec: str) -> None:
        self._friends = spec or ""

    def Begin(self, tree=None) -> int:
        """SetInputList, SetOption, then SlaveBegin (Begin for a Version 0 selector)."""
        if self._sel is None:
            return ERROR
        sel = self._sel
        method = "SlaveBegin"
        try:
            method = "SetInputList/SetOption"
            if self._input is not None:
                sel.SetInputList(self._input)
            sel.SetOption(self._option)
            method = "Version"
            self._v0 = int(sel.Version()) == 0
            if self._v0:
                cut, fill = sel.ProcessCut, sel.ProcessFill

                def process(entry):
                    if cut(entry):
                        fill(entry)
                self._process = process
            else:
                self._process = sel.Process
            _watch_abort(sel, self._aborted)
            if self._v0:
                method = "Begin"
                sel.Begin() if self._pyroot else sel.Begin(self._null_tree(tree))
            else:
                method = "SlaveBegin"
                sel.SlaveBegin(None if self._pyroot and tree is None else self._null_tree(tree))
        except Exception as exc:  # noqa: BLE001 - the selector's own code
            self._error = failure_text(exc, f"{self._class}.{method}")
            return ERROR
        return ABORTED_PROCESS if self._abort_status() == ABORTED_PROCESS else OK

    def _null_tree(self, tree):
        return tree if tree is not None else self._ROOT.bind_object(0, "TTree")

    def RunTreePacket(self, url: str, directory: str, tree: str, first: int, num: int, upToEnd: bool = False) -> int:
        """Entries [first, first+num) of the tree; `upToEnd`: those of them the tree has (a file not
        counted before; GetTreeEntries then says how many it holds)."""
        self._error, self._last, self._tree_entries = "", -1, -1
        fresh = not (self._tree is not None and self._opened == (url, directory, tree, self._friends))
        rc = self._open_tree(url, directory, tree, init=False)
        if rc != OK:
            self._set_current_element(url, tree, directory, first, num)
            return rc
        self._tree_entries = int(self._tree.GetEntries())
        if upToEnd:
            num = max(0, min(num, self._tree_entries - first))
            if num == 0 and fresh:   # nothing of it to process: PROOF never showed it to the selector
                self.CloseFile()
                return OK
        self._set_current_element(url, tree, directory, first, num)
        if fresh:
            rc = self._init_tree(url, tree)
            if rc != OK:
                return rc
        return self._loop(range(first, first + num))

    def GetTreeEntries(self) -> int:
        """Entries of the tree the last tree packet opened (-1 when it could not be opened)."""
        return self._tree_entries

    def RunListPacket(self, url: str, directory: str, tree: str, entries, first: int, num: int) -> int:
        """Entries [first, first+num) of `entries` (tree-local numbers of an entry list)."""
        self._error, self._last = "", -1
        self._set_current_element(url, tree, directory, entries[first] if num > 0 else 0, num)
        rc = self._open_tree(url, directory, tree)
        return rc if rc != OK else self._loop(list(entries[first:first + num]))

    def RunCyclePacket(self, first: int, num: int, file: str = "") -> int:
        """Cycles [first, first+num); `file`: the one file TPacketizerFile hands this cycle."""
        self._error = ""
        self._set_current_element(file or "", "", "", first, num)
        if self._element is not None:   # PROOF's cycle packets were kEmpty elements
            self._element[1].SetBit(self._ROOT.TDSetElement.kEmpty)
        return self._loop(range(first, first + num))

    def RunObjectPacket(self, url: str, directory: str, keypos, first: int, num: int) -> int:
        """Objects [first, first+num) of a file; object i is the key at position keypos[i]."""
        self._error, self._last = "", -1
        self._set_current_element(url, "", directory, first, num)
        if self._open_object_dir(url, directory) != OK:
            return DATA_ERROR
        return self._loop(range(first, first + num), keypos)

    def End(self) -> int:
        """SlaveTerminate (Terminate for a Version 0 selector); the status and member map join
        the output list."""
        self._error = ""
        if self._sel is None:
            return ERROR
        sel, rc = self._sel, OK
        method = "Terminate" if self._v0 else "SlaveTerminate"
        try:
            sel.Terminate() if self._v0 else sel.SlaveTerminate()
        except Exception as exc:  # noqa: BLE001
            self._error = failure_text(exc, f"{self._class}.{method}")
            rc = ERROR
        self.CloseFile()
        if self._proof:
            out = sel.GetOutputList()
            members = member_map(self._ROOT, sel, out)
            status = self._ROOT.TParameter["Long64_t"]("PROOF_SelectorStatus", int(sel.GetStatus()))
            self._ROOT.SetOwnership(status, False)
            out.Add(status)
            if members is not None:
                self._ROOT.SetOwnership(members, False)
                out.Add(members)
        return rc

    def CloseFile(self) -> None:
        if self._object is not None:
            self._sel.SetObject(self._ROOT.nullptr)
            self._object = None          # owned by Python: deleted here, before its file
        self._keys = []
        self._objdir = self._tree = None
        for f in self._friend_files:
            f.Close()
        self._friend_files = []
        if self._file is not None:
            self._file.Close()
            self._file = None
        self._opened = None

    # ---- the loop

    def _abort_status(self) -> int:
        self._aborted[0] = 0
        what = self._sel.GetAbort()
        if what == self._ROOT.TSelector.kAbortProcess:
            return ABORTED_PROCESS
        if what == self._ROOT.TSelector.kAbortFile:
            self._sel.ResetAbort()
            return ABORTED_FILE
        return OK

    def _loop(self, entries, keypos=None) -> int:
        # The progress counters are attributes, updated at every entry: the worker's other thread
        # may read them while the loop runs (as it reads the C++ Runner's atomics).
        process, stop, aborted = self._process, self._stop, self._aborted
        bytes0 = self._ROOT.TFile.GetFileBytesRead()
        rc = OK
        try:
            for entry in entries:
                if stop.value:
                    rc = STOPPED
                    break
                self._last = entry
                if keypos is not None:
                    self._read_object(keypos, entry)
                process(entry)
                self._processed += 1
                if aborted[0]:
                    rc = self._abort_status()
                    if rc != OK:
                        break
            if rc == OK:
                rc = self._abort_status()   # an Abort made from C++ code
        except Exception as exc:  # noqa: BLE001 - the selector's own code
            method = "ProcessCut/ProcessFill" if self._v0 else "Process"
            self._error = failure_text(exc, f"{self._class}.{method}({self._last})")
            rc = ERROR
        finally:
            self._bytes += self._ROOT.TFile.GetFileBytesRead() - bytes0
        return rc

    # ---- files, trees, objects

    def _set_current_element(self, url, objname, directory, first, num) -> None:
        """PROOF_CurrentElement in the input list: a TPair whose value is the packet's TDSetElement."""
        if not self._proof or self._input is None:
            return
        ROOT = self._ROOT
        elem = ROOT.TDSetElement(url, objname, directory, first, num)
        elem.SetBit(ROOT.TDSetElement.kNewPacket)
        if self._element is None:
            key = ROOT.TObjString("PROOF_CurrentElement")
            pair = ROOT.TPair(key, elem)
            ROOT.SetOwnership(pair, False)     # the input list deletes the pair; we the key/value
            self._input.Add(pair)
            self._element = [key, elem, pair]
        else:
            self._element[2].SetValue(elem)
            self._element[1] = elem            # the previous element goes with its proxy

    def _open_dir(self, url: str, directory: str):
        """Close the current file, open `url` and return its `directory` (None, with the error set)."""
        self.CloseFile()
        f = runtime.open_file(url)
        if f is None:
            self._error = f"cannot open file '{url}'"
            return None
        self._file = f
        d = f if not directory or directory == "/" else f.GetDirectory(directory)
        if not d:
            self._error = f"directory '{directory}' not found in file '{url}'"
            self.CloseFile()
            return None
        return d

    def _open_tree(self, url: str, directory: str, tree: str, init: bool = True) -> int:
        """Open the tree (if not open already) and, `init`, run Init and Notify on a newly opened one."""
        if self._tree is not None and self._opened == (url, directory, tree, self._friends):
            return OK
        d = self._open_dir(url, directory)
        if d is None:
            return DATA_ERROR
        t = d.Get(tree)
        if not t or not t.InheritsFrom("TTree"):
            self._error = f"tree '{tree}' not found in file '{url}'"
            self.CloseFile()
            return DATA_ERROR
        self._tree = t
        if self._attach_friends() != OK:
            self.CloseFile()
            return DATA_ERROR
        self._opened = (url, directory, tree, self._friends)
        if not self._use_cache:
            t.SetCacheSize(0)
        elif self._cache_size >= 0:
            t.SetCacheSize(self._cache_size)
        return self._init_tree(url, tree) if init else OK

    def _init_tree(self, url: str, tree: str) -> int:
        t, sel = self._tree, self._sel
        try:
            if self._pyroot:
                sel.fChain = t        # TPySelector: fChain is the tree before Init runs
            sel.Init(t)
            sel.Notify()
        except Exception as exc:  # noqa: BLE001
            self._error = failure_text(exc, f"{self._class}.Init/Notify for tree '{tree}' of '{url}'")
            self.CloseFile()        # the next packet of this file must not skip Init
            return ERROR
        self._init_calls += 1
        return OK

    def _attach_friends(self) -> int:
        for line in self._friends.splitlines():
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            alias, url, tname = parts[:3]
            ff = runtime.open_file(url)
            ft = ff.Get(tname) if ff is not None else None
            if not ft or not ft.InheritsFrom("TTree"):
                self._error = f"friend tree '{tname}' not found in file '{url}'"
                if ff is not None:
                    ff.Close()
                return DATA_ERROR
            self._friend_files.append(ff)
            self._tree.AddFriend(ft, alias)
        return OK

    def _open_object_dir(self, url: str, directory: str) -> int:
        if self._objdir is not None and self._opened == (url, directory, None, ""):
            return OK
        d = self._open_dir(url, directory)
        if d is None:
            return DATA_ERROR
        self._keys = list(d.GetListOfKeys())
        self._objdir = d
        self._opened = (url, directory, None, "")
        return OK

    def _read_object(self, keypos, pos: int) -> None:
        ROOT = self._ROOT
        if self._object is not None:
            self._sel.SetObject(ROOT.nullptr)
            self._object = None
        k = keypos[pos]
        if not 0 <= k < len(self._keys):
            raise IndexError(f"object {pos}: key position {k} is outside the {len(self._keys)} keys of "
                             f"'{self._opened[0]}'")
        ctx = ROOT.TDirectory.TContext(self._objdir)   # histograms attach to their own directory
        try:
            obj = self._keys[k].ReadObj()
        finally:
            del ctx
        if not obj:
            raise OSError(f"cannot read object '{self._keys[k].GetName()}' (key {k}) of '{self._opened[0]}'")
        obj = runtime.downcast(obj)
        ROOT.SetOwnership(obj, True)
        self._object = obj
        self._sel.SetObject(obj)
