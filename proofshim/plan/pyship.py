"""Shipping Python code to the workers with cloudpickle: a selector's class, and the user's own
modules it uses, travel by value; installed packages (site-packages, the standard library, ROOT,
proofshim) are imported on the workers by name. No ROOT import here: classes deriving from C++
classes are recognised by the mark cppyy leaves on them.

A module is the user's own when its file is outside every installation directory of this Python:

>>> import json
>>> is_own_module(json)
False
>>> import types
>>> m = types.ModuleType("mycuts"); m.__file__ = "/home/alice/ana/mycuts.py"
>>> is_own_module(m)
True
"""
from __future__ import annotations

import functools
import importlib
import io
import logging
import os
import pickle
import site
import sys
import sysconfig
import types

import cloudpickle

log = logging.getLogger("proofshim")

# Never shipped by value, wherever they are installed: the workers have their own.
_ALWAYS_BY_NAME = ("proofshim", "ROOT", "cppyy", "cppyy_backend", "libcppyy", "libROOTPythonizations",
                   "cloudpickle", "dask", "distributed")


@functools.lru_cache(maxsize=1)
def _installed_dirs() -> tuple[str, ...]:
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(name)
        if path:
            dirs.add(path)
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:   # some virtualenvs' site module lacks it
        pass
    user = getattr(site, "getusersitepackages", lambda: "")()
    if user:
        dirs.add(user)
    return tuple(sorted({os.path.realpath(d) for d in dirs if d}))


def is_own_module(module: types.ModuleType) -> bool:
    """Whether `module` is the user's own code (shipped by value), not an installed package."""
    name = getattr(module, "__name__", "") or ""
    if name == "__main__":
        return True
    if name.split(".")[0] in _ALWAYS_BY_NAME:
        return False
    path = getattr(module, "__file__", None)
    if not path:
        return False   # built-in or namespace module: importable by name or not at all
    path = os.path.realpath(path)
    return not any(os.path.commonpath([path, d]) == d for d in _installed_dirs())


def own_modules() -> list[types.ModuleType]:
    """The user's own modules imported in this process (top-level names; packages cover their
    submodules)."""
    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or name == "__main__" or not isinstance(module, types.ModuleType):
            continue
        top = name.split(".")[0]
        if top in out:
            continue
        root = sys.modules.get(top)
        if isinstance(root, types.ModuleType) and is_own_module(root):
            out[top] = root
        elif "." not in name and is_own_module(module):
            out[top] = module
    return list(out.values())


def _is_cpp_derived(cls) -> bool:
    """A Python class deriving from a C++ class: cppyy marks those with `__cpp_cross__`."""
    return isinstance(cls, type) and "__cpp_cross__" in cls.__dict__


def _class_module(cls) -> str:
    # cppyy's metaclass answers `cls.__module__` with its own internal namespace; the module the
    # class statement ran in is in the class's own dictionary.
    return cls.__dict__.get("__module__") or cls.__module__


def _lookup(module: str, qualname: str):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _importable_as(cls) -> bool:
    module = _class_module(cls)
    if module == "__main__" or "<locals>" in cls.__qualname__:
        return False
    try:
        return _lookup(module, cls.__qualname__) is cls
    except Exception:  # noqa: BLE001 - not importable by name: ship it by value
        return False


def _none():
    return None


def _make_class(name: str, qualname: str, module: str, bases: tuple):
    """A class deriving from C++ classes, rebuilt on the receiving side; its methods follow (state)."""
    return type(bases[0])(name, bases, {"__module__": module, "__qualname__": qualname})


def _set_class_state(cls, state: dict):
    for key, value in state.items():
        setattr(cls, key, value)
    return cls


_SKIPPED_CLASS_KEYS = ("__module__", "__qualname__", "__dict__", "__weakref__", "__cpp_cross__")


class _Pickler(cloudpickle.Pickler):
    """cloudpickle, plus classes deriving from C++ (ROOT) classes: cloudpickle cannot take those
    apart (their metaclass and dictionary hold cppyy objects), so they are rebuilt from their
    bases and the Python attributes the class statement defined."""

    def reducer_override(self, obj):
        if isinstance(obj, types.CodeType):
            return self._code(obj)
        if not isinstance(obj, type) and any(_is_cpp_derived(c) for c in type(obj).__mro__):
            # An object of such a class met on the way (e.g. a module-level variable holding the
            # last selector): its C++ part cannot be streamed. The workers see None there.
            self.dropped.append(type(obj).__qualname__)
            return _none, ()
        if _is_cpp_derived(obj):
            module = _class_module(obj)
            if module not in self.by_value and _importable_as(obj):
                return _lookup, (module, obj.__qualname__)
            state = {k: v for k, v in obj.__dict__.items() if k not in _SKIPPED_CLASS_KEYS}
            # The state is pickled after the class exists, so methods may refer to their class.
            return (_make_class, (obj.__name__, obj.__qualname__, module, obj.__bases__), state, None, None,
                    _set_class_state)
        return super().reducer_override(obj)


    def _code(self, code):
        """cloudpickle's reduction of a function's code, keeping its file name (cloudpickle writes
        '<dynamic-code>'), so that tracebacks on the workers point at the user's file and line."""
        reduce = getattr(cloudpickle.cloudpickle, "_code_reduce", None)
        if reduce is None:
            return NotImplemented
        ctor, args = reduce(code)
        self.files.add(code.co_filename)
        return ctor, tuple(code.co_filename if a == "<dynamic-code>" else a for a in args)


def _sources(files) -> dict[str, str]:
    """The text of the source files code was shipped from, for tracebacks on the workers."""
    out = {}
    for path in files:
        if path and not path.startswith("<") and os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    out[path] = fh.read()
            except (OSError, UnicodeDecodeError):
                continue
    return out


def _register_sources(sources: dict[str, str]) -> None:
    """Let linecache (and so tracebacks) show the shipped source lines where the files are absent."""
    import linecache  # noqa: PLC0415

    for path, text in sources.items():
        if not os.path.isfile(path):
            # An mtime of None marks an entry linecache.checkcache() keeps (not read from disk).
            linecache.cache[path] = (len(text), None, text.splitlines(True), path)


def dumps(obj) -> bytes:
    """Pickle `obj` with cloudpickle, the user's own modules (and `__main__`) by value."""
    own = own_modules()
    registered = []
    try:
        for module in own:
            try:
                cloudpickle.register_pickle_by_value(module)
                registered.append(module)
            except ValueError:   # already registered, or not in sys.modules under its name
                pass
        buf = io.BytesIO()
        pickler = _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.by_value = {"__main__"} | {m.__name__ for m in own}
        pickler.by_value |= {n for n in sys.modules if n.split(".")[0] in pickler.by_value}
        pickler.files, pickler.dropped = set(), []
        pickler.dump(obj)
        if pickler.dropped:
            log.debug("objects of %s referred to by the shipped code are None on the workers",
                      ", ".join(sorted(set(pickler.dropped))))
        return pickle.dumps((buf.getvalue(), _sources(pickler.files)), protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for module in registered:
            cloudpickle.unregister_pickle_by_value(module)


def loads(data: bytes):
    """The inverse of dumps (plain pickle: cloudpickle's output needs nothing more)."""
    payload, sources = pickle.loads(data)
    _register_sources(sources)
    return pickle.loads(payload)
