"""Python selectors: pyroot's TPySelector modules and Python subclasses of ROOT.TSelector.

Two legacy forms, one machinery:

- `Process("TPySelector", "mysel#ptcut=20")` (pyroot's TPySelector, gone with the old PyROOT): the
  module before `#` is imported, the one class in it deriving from TPySelector is instantiated, the
  rest of the option becomes the selector's option. Each worker makes its own object, as pyroot's
  workers did. `from ROOT import TPySelector` gives the base class after `import proofshim`.
- `Process(MySel())` with `class MySel(ROOT.TSelector)` (current PyROOT): the client's object runs
  Begin and Terminate; each worker gets a copy of it as it was after Begin (its picklable
  attributes, as PROOF streamed a selector's persistent members).

The class travels to the workers with cloudpickle (pyship.py: the user's own modules by value,
installed ones by name); the workers run it in a Python event loop (pyrunner.py). Attributes of the
client's object that referred to output objects refer to the merged ones before Terminate.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import logging
import os
import sys

from . import pyrunner
from ..plan import pyship
from ..util import runtime
from ..util.errors import ProofShimError, SelectorError

log = logging.getLogger("proofshim")

TPYSELECTOR = "TPySelector"

_tpyselector = None


def tpyselector_class():
    """pyroot's TPySelector, as a Python class deriving from ROOT.TSelector (made once)."""
    global _tpyselector
    if _tpyselector is None:
        ROOT = runtime.import_root()

        class TPySelector(ROOT.TSelector):
            """Python base class for PROOF selectors (pyroot's TPySelector).

            Override what you need: Begin(self), SlaveBegin(self, tree), Init(self, tree),
            Notify(self), Process(self, entry), SlaveTerminate(self), Terminate(self); the others
            do nothing. `self.fChain` is the tree being read (entries are tree-local), and
            `self.GetEntry(entry)` reads that entry of it.
            """
            __qualname__ = "TPySelector"
            fChain = None

            def Version(self):
                return 2

            def GetEntry(self, entry, getall=0):
                return self.fChain.GetTree().GetEntry(entry, getall) if self.fChain else 0

            def Init(self, tree):
                pass

            def Begin(self, *_tree):
                pass

            def SlaveBegin(self, tree):
                pass

            def Notify(self):
                return True

            def Process(self, entry):
                return True

            def SlaveTerminate(self):
                pass

            def Terminate(self):
                pass

        _tpyselector = TPySelector
    return _tpyselector


def __getattr__(name):
    # Workers unpickle classes deriving from TPySelector as proofshim.pyselector.TPySelector.
    if name == "TPySelector":
        return tpyselector_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---- pure logic: the option and the module's selector class

def split_module_option(option: str) -> tuple[str, str]:
    """pyroot's TPySelector option: the module up to '#', the selector's own option after it.

    >>> split_module_option("mysel#ptcut=20 tight")
    ('mysel', 'ptcut=20 tight')
    >>> split_module_option(" ana.sel ")
    ('ana.sel', '')
    >>> split_module_option("mysel.py")
    ('mysel', '')
    """
    module, _, user = (option or "").partition("#")
    module = module.strip()
    if module.endswith(".py"):
        module = module[:-3]
    return module, user


def pick_class(module, base):
    """The one class of `module` deriving from `base`: classes defined in the module itself come
    first, and of a base class and its subclass the subclass counts (pyroot took the first found).

    Raises SelectorError naming the module when there is none, or more than one.
    """
    name = getattr(module, "__name__", "?")
    where = f"'{name}'" + (f" ({module.__file__})" if getattr(module, "__file__", None) else "")
    found = [v for v in vars(module).values()
             if isinstance(v, type) and v is not base and issubclass(v, base)]
    own = [c for c in found if c.__dict__.get("__module__") == name] or found
    leaves = [c for c in own if not any(o is not c and issubclass(o, c) for o in own)]
    if not leaves:
        raise SelectorError(f"TPySelector: module {where} holds no class deriving from TPySelector; define "
                            f"one there: 'from ROOT import TPySelector' and 'class MySel(TPySelector): ...'")
    if len(leaves) > 1:
        names = ", ".join(c.__name__ for c in leaves)
        raise SelectorError(f"TPySelector: module {where} holds {len(leaves)} selector classes ({names}); "
                            "TPySelector takes the one class deriving from TPySelector: keep one per module")
    return leaves[0]


def is_python_selector(obj) -> bool:
    """Whether `obj` is an object of a Python class deriving from TSelector (not a C++ proxy)."""
    return obj is not None and any("__cpp_cross__" in c.__dict__ for c in type(obj).__mro__)


def is_tpyselector(obj) -> bool:
    return _tpyselector is not None and isinstance(obj, _tpyselector)


def runs_locally_here(selector) -> bool:
    """Whether a local (no PROOF) Process of `selector` is pyroot's TPySelector run, which ROOT
    6.40 cannot do itself: the 'TPySelector' name, or an object of a TPySelector class."""
    if isinstance(selector, str):
        return selector.strip() == TPYSELECTOR
    return is_tpyselector(selector)


# C++ hands a selector object back to Python as a plain TSelector proxy: the Python objects given
# to a Process call made from Python are kept here by address for the length of the call.
_passed: dict[int, object] = {}


@contextlib.contextmanager
def passing(args):
    """Remember the Python selector objects among `args` while a Process call runs."""
    ROOT = runtime.import_root()
    mine = {ROOT.addressof(a): a for a in args if is_python_selector(a)}
    mine = {k: v for k, v in mine.items() if k not in _passed}
    _passed.update(mine)
    try:
        yield
    finally:
        for k in mine:
            _passed.pop(k, None)


def passed_object(proxy):
    """The Python selector object behind a TSelector proxy from C++, if one was passed."""
    if not _passed:
        return None
    return _passed.get(runtime.import_root().addressof(proxy))


# ---- what travels to the workers

@dataclasses.dataclass(frozen=True)
class PySelectorCode:
    """A Python selector class, ready to travel (the counterpart of selector.SelectorCode)."""

    class_name: str        # the class's qualified name
    module: str            # where it was defined ("__main__" for a driver's class)
    payload: bytes         # the class, cloudpickled
    pyroot: bool           # TPySelector's conventions (Begin() without a tree, fChain set before Init)
    fresh: bool            # each worker makes its own object (the 'TPySelector' form), else a copy
    digest: str
    files: tuple = ()      # nothing to compile: selector.load() returns the class name
    mode: str = ""
    include_dirs: tuple = ()

    @property
    def short_name(self) -> str:
        """The class's own name, as messages say it (MySel.Process)."""
        return self.class_name.rpartition(".")[2]

    @property
    def label(self) -> str:
        return f"{self.module}.{self.class_name}" if self.module != "__main__" else self.class_name


def is_python_code(code) -> bool:
    return isinstance(code, PySelectorCode)


def _code_for(cls, pyroot: bool, fresh: bool) -> PySelectorCode:
    try:
        payload = pyship.dumps(cls)
    except Exception as exc:  # noqa: BLE001 - whatever the class's code holds
        raise SelectorError(f"selector {cls.__qualname__}: its code cannot be sent to the workers: "
                            f"{type(exc).__name__}: {exc}") from None
    module = cls.__dict__.get("__module__") or "__main__"
    return PySelectorCode(class_name=cls.__qualname__, module=module, payload=payload, pyroot=pyroot,
                          fresh=fresh, digest=hashlib.sha256(payload).hexdigest()[:20])


def _import_module(name: str, option: str):
    """Import the TPySelector module as pyroot did; the current directory is tried last."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name.split(".")[0] or os.getcwd() in sys.path:
            raise SelectorError(_import_failure(name, option, exc)) from None
    sys.path.append(os.getcwd())
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001
        raise SelectorError(_import_failure(name, option, exc)) from None
    finally:
        sys.path.remove(os.getcwd())


def _import_failure(name: str, option: str, exc: BaseException) -> str:
    text = (f"TPySelector: cannot import the selector module '{name}' (option '{option}'): "
            f"{type(exc).__name__}: {exc}")
    if isinstance(exc, ModuleNotFoundError) and exc.name == name.split(".")[0]:
        return text + ("; the module must be importable on the client (the script's directory, the "
                       "current directory or sys.path): the option is 'module#option', the module "
                       "without '.py'")
    return text + "\n" + pyrunner.python_traceback(exc, skip=0)


def from_module_option(option: str):
    """The TPySelector form: (class, the client's object, the selector's option)."""
    name, user_option = split_module_option(option)
    if not name:
        raise SelectorError("TPySelector: the option names no module; give it as "
                            "Process('TPySelector', 'mymodule') or 'mymodule#selector option'")
    module = _import_module(name, option)
    cls = pick_class(module, tpyselector_class())
    try:
        sel = cls()
    except Exception as exc:  # noqa: BLE001
        raise SelectorError(f"TPySelector: cannot create {cls.__qualname__} of module '{name}': "
                            f"{pyrunner.failure_text(exc, cls.__qualname__ + '.__init__')}") from None
    return cls, sel, user_option


def resolve(sel_arg: str, sel_obj, option: str):
    """A Python selector query's (code, client selector, selector option), or None for C++ ones.

    `option` is the option after PROOF's own tokens were taken out; for the TPySelector form it is
    'module#selector option'.
    """
    if sel_obj is not None and is_python_selector(sel_obj):
        cls = type(sel_obj)
        _check_version(cls)
        return _code_for(cls, pyroot=is_tpyselector(sel_obj), fresh=False), sel_obj, option
    if sel_obj is None and (sel_arg or "").strip() == TPYSELECTOR:
        cls, sel, user_option = from_module_option(option)
        return _code_for(cls, pyroot=True, fresh=True), sel, user_option
    return None


def _check_version(cls) -> None:
    """A Python TSelector without Version() is a Version 0 selector, for ROOT as for the shim."""
    if "Process" in _python_attributes(cls) and "Version" not in _python_attributes(cls) \
            and not {"ProcessCut", "ProcessFill"} & _python_attributes(cls):
        log.warning("%s defines Process() but not Version(): ROOT (locally too) then calls "
                    "ProcessCut()/ProcessFill() instead, so Process() never runs; add "
                    "'def Version(self): return 2' to the class", cls.__qualname__,
                    extra={"where": "TProof::Process"})


def _python_attributes(cls) -> set[str]:
    """What the Python classes of `cls`'s hierarchy define (TPySelector's Version included)."""
    return {k for c in cls.__mro__ if "__cpp_cross__" in c.__dict__ for k in c.__dict__}


# ---- the client's side of the protocol

def begin(sel) -> None:
    """Begin on the client: pyroot's Begin(self) takes no tree, TSelector's Begin(tree) a null one."""
    ROOT = runtime.import_root()
    if is_tpyselector(sel):
        sel.Begin()
    else:
        sel.Begin(ROOT.bind_object(0, "TTree"))


def exception_text(exc: BaseException, code: PySelectorCode, method: str) -> str:
    """A Python exception of the client's Begin or Terminate, with its traceback."""
    return pyrunner.failure_text(exc, f"{code.short_name}.{method}")


def state_for_workers(sel, code: PySelectorCode) -> bytes:
    """What the workers build their selector from besides the class: nothing for the TPySelector
    form (each worker makes its own object), the client's object after Begin otherwise."""
    return b"" if code.fresh else state_of(sel)


def state_of(sel) -> bytes:
    """The client's selector after Begin, as the workers get it: its picklable attributes.

    Trees and files stay on the client (they belong to the data being read; the workers have
    their own), and so does whatever cannot be pickled (as PROOF's transient '//!' members did),
    which is announced once per query."""
    ROOT = runtime.import_root()
    state = {k: v for k, v in vars(sel).items() if k != "Abort" and not k.startswith("__")
             and not isinstance(v, (ROOT.TTree, ROOT.TDirectory))}
    try:
        return pyship.dumps(state)
    except Exception:  # noqa: BLE001 - find the culprits one by one
        pass
    left: dict[str, str] = {}
    kept = {}
    for k, v in state.items():
        try:
            pyship.dumps(v)
            kept[k] = v
        except Exception as exc:  # noqa: BLE001
            left[k] = f"{type(v).__name__}: {type(exc).__name__}: {exc}"
    if left:
        log.info("%s: attribute(s) %s stay on the client (they cannot be sent to the workers, as "
                 "PROOF's '//!' members were not); create them in SlaveBegin or Init",
                 type(sel).__qualname__, ", ".join(f"{k} ({why})" for k, why in left.items()),
                 extra={"where": "TProof::Process"})
    return pyship.dumps(kept)


def set_attributes_from_output(sel, member_map, output) -> int:
    """Point the client's attributes that referred to output objects on the workers at the merged
    objects of `output` (the C++ member map's counterpart); returns how many were set. An attribute
    the workers made (in SlaveBegin) is made here too; a list, tuple or dict of them as well, with
    None where the workers' container held something else."""
    n = 0
    tuples = set()
    for entry in member_map:
        path = json.loads(str(entry.GetName()))
        obj = output.FindObject(str(entry.GetTitle()))
        if not obj or not isinstance(path, list) or not path:
            continue
        obj = runtime.downcast(obj)
        try:
            if len(path) == 1:
                setattr(sel, path[0], obj)
            else:
                name, key, kind, size = path[:4]
                holder = getattr(sel, name, None)
                if holder is None or (kind != "dict" and len(holder) != size):
                    holder = {} if kind == "dict" else [None] * size
                elif isinstance(holder, tuple):
                    holder = list(holder)
                if kind == "tuple":
                    tuples.add(name)
                holder[key] = obj
                setattr(sel, name, holder)
            n += 1
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            continue   # an attribute the client's object cannot take (a property, a fixed container)
    for name in tuples:
        setattr(sel, name, tuple(getattr(sel, name)))
    return n


# ---- the workers' side

_classes: dict = {}   # payload digest -> class, unpickled once per process


def worker_runner(code: PySelectorCode, state: bytes, input_list, option: str, stop=None):
    """The runner of a Python selector on a worker: a new object (TPySelector) or a copy of the
    client's one after Begin. A class or object that cannot be made here fails in Begin()."""
    try:
        sel = _make_selector(code, state)
    except Exception as exc:  # noqa: BLE001
        error = (f"cannot create the Python selector {code.label} on this worker: "
                 f"{pyrunner.failure_text(exc, 'unpickling', skip=0)}")
        return pyrunner.Runner(None, input_list, option, class_name=code.short_name, pyroot=code.pyroot,
                               error=error)
    return pyrunner.Runner(sel, input_list, option, class_name=code.short_name,
                           pyroot=code.pyroot, stop=stop if stop is not None else pyrunner.stop_flag())


def _make_selector(code: PySelectorCode, state: bytes):
    ROOT = runtime.load_library()
    cls = _classes.get(code.digest)
    if cls is None:
        cls = _classes[code.digest] = pyship.loads(code.payload)
    if code.fresh:
        return cls()
    sel = cls.__new__(cls)
    ROOT.TSelector.__init__(sel)   # a copy, as pickle makes them: the class's __init__ does not run
    if state:
        vars(sel).update(pyship.loads(state))
    return sel


# ---- the local form: chain.Process("TPySelector", "mysel") without PROOF

def run_local(tree, selector, option: str, nentries: int, first: int) -> int:
    """pyroot's local TPySelector run, through the workers' Python loop in this process: Begin,
    SlaveBegin(tree), Init/Notify with each file's tree, Process(tree-local entry), SlaveTerminate,
    Terminate. Returns the selector's status, -1 if it failed or aborted (said on stderr)."""
    try:
        return _run_local(tree, selector, option, nentries, first)
    except ProofShimError as exc:
        log.error("%s", exc, extra={"where": "TTree::Process"})
        return -1


def _run_local(tree, selector, option: str, nentries: int, first: int) -> int:
    from ..plan.elements import entry_list_entries, from_chain  # noqa: PLC0415
    from ..plan.packetizer import select_range  # noqa: PLC0415

    ROOT = runtime.load_library()
    if isinstance(selector, str):
        cls, sel, option = from_module_option(option)
    else:
        sel, cls = selector, type(selector)
    name = cls.__qualname__
    where = "TTree::Process"
    elements = [e if e.entries is not None else dataclasses.replace(e, entries=_count(e))
                for e in from_chain(tree)]
    elist = tree.GetEntryList()
    lists = entry_list_entries(elist, elements) if elist else []
    available = [len(a) for a in lists] if elist else [max(0, e.entries) for e in elements]
    ALL = ROOT.TTree.kMaxEntries
    ranges = select_range(available, -1 if nentries is None or nentries < 0 or nentries >= ALL else nentries,
                          first, element_first=[0] * len(elements))
    sel.SetOption(option)
    try:
        sel.Begin() if is_tpyselector(sel) else sel.Begin(tree)
    except Exception as exc:  # noqa: BLE001
        log.error("%s", pyrunner.failure_text(exc, f"{name}.Begin"), extra={"where": where})
        return -1
    runner = pyrunner.Runner(sel, None, option, class_name=name, pyroot=is_tpyselector(sel), proof=False)
    try:
        rc = runner.Begin(tree)
        for index, start, num in ranges if rc == pyrunner.OK else ():
            e = elements[index]
            runner.SetFriends(e.friend_spec)
            if elist:
                rc = runner.RunListPacket(e.url, e.directory, e.tree, lists[index], start, num)
            else:
                rc = runner.RunTreePacket(e.url, e.directory, e.tree, start, num)
            if rc == pyrunner.ABORTED_FILE:
                continue
            if rc != pyrunner.OK:
                break
        if rc in (pyrunner.ERROR, pyrunner.DATA_ERROR):
            log.error("selector %s (TPySelector, local) failed: %s", name, runner.GetError(),
                      extra={"where": where})
            return -1
        if rc == pyrunner.ABORTED_PROCESS:
            return -1
        if runner.End() != pyrunner.OK:
            log.error("selector %s (TPySelector, local) failed: %s", name, runner.GetError(),
                      extra={"where": where})
            return -1
    finally:
        runner.CloseFile()
        if "Abort" in vars(sel):
            del sel.Abort
    try:
        sel.Terminate()
    except Exception as exc:  # noqa: BLE001
        log.error("%s", pyrunner.failure_text(exc, f"{name}.Terminate"), extra={"where": where})
        return -1
    return int(sel.GetStatus())


def _count(element) -> int:
    """Entries of one file's tree, read here (-1 if it cannot be read: the loop then says why)."""
    f = runtime.open_file(element.url)
    if f is None:
        return -1
    try:
        d = f.GetDirectory(element.directory) if element.directory else f
        t = d.Get(element.tree) if d else None
        return int(t.GetEntries()) if t and t.InheritsFrom("TTree") else -1
    finally:
        f.Close()
