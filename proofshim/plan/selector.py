"""Selectors: what a query names ("MySel.C+", "MySel.cxx++", "MySel"), the code shipped for it, and
the compile-once cache that turns that code into a loaded class on the client and on every worker.

Nothing here assumes a shared filesystem: the client reads the source and the headers it includes
from its own directory into a `SelectorCode` (bytes), which travels to the workers; each host writes
it into a content-addressed directory of its cache and compiles it there once, under a file lock.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import re
import sys

from ..util import runtime
from ..util.errors import SelectorError

log = logging.getLogger("proofshim")

_ACLIC_SUFFIX = re.compile(r"^(?P<path>.+?\.(?:C|cxx|cpp|cc|c\+\+|h|hh|hpp|hxx))(?P<mode>\+{1,2}[gO]?|)$",
                           re.IGNORECASE)
_INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)', re.MULTILINE)
_INCLUDE_FLAG = re.compile(r'-I\s*(?:"([^"]*)"|(\S+))')
# Headers found through the client's include path travel under this directory of the code; the
# workers put its numbered subdirectories on their include path before compiling.
SHIPPED_INCLUDE_DIR = ".proofshim-include"

# Selectors loaded in this process: digest -> class name. Worker processes stay warm across queries.
_loaded: dict[str, str] = {}
_loaded_sources: dict[tuple[str, bytes], str] = {}   # (main file name, its bytes) -> class, loaded here
# Selector classes this process compiled from shipped code: class name -> that code, so that a
# later Process("MySel") ships exactly the code the client loaded.
_loaded_code: dict[str, "SelectorCode"] = {}


@dataclasses.dataclass(frozen=True)
class SelectorCode:
    """A selector's source files as bytes, ready to travel to the workers."""

    class_name: str
    main: str                                  # relative path of the main source file
    files: tuple[tuple[str, bytes], ...]       # (relative path, content), the main file first
    mode: str                                  # ACLiC mode: "+", "++", "+g", "+O"
    digest: str
    include_dirs: tuple[str, ...] = ()         # relative dirs to put on the include path first

    @property
    def label(self) -> str:
        return f"{self.main}{self.mode}"


@dataclasses.dataclass(frozen=True)
class SelectorSpec:
    """What the user asked for: a source file with an ACLiC mode, or a class name already loaded."""

    path: str | None
    mode: str
    class_name: str


def parse(selector: str) -> SelectorSpec:
    """Split a PROOF selector argument into source path, ACLiC mode and class name.

    >>> parse("MySel.C+")
    SelectorSpec(path='MySel.C', mode='+', class_name='MySel')
    >>> parse("/a/b/Ana.cxx++")
    SelectorSpec(path='/a/b/Ana.cxx', mode='++', class_name='Ana')
    >>> parse("MySel")
    SelectorSpec(path=None, mode='', class_name='MySel')
    """
    text = (selector or "").strip()
    if not text:
        raise SelectorError("no selector given: pass a source file such as 'MySel.C+' or a class name")
    m = _ACLIC_SUFFIX.match(text)
    if not m:
        return SelectorSpec(path=None, mode="", class_name=text)
    path = m.group("path")
    base = os.path.basename(path)
    return SelectorSpec(path=path, mode=m.group("mode") or "+", class_name=os.path.splitext(base)[0])


def _within(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def _gather(path: str, source_dir: str, include_dirs: tuple[str, ...], seen: dict[str, bytes],
            via_dir: dict[str, int]) -> None:
    """Collect `path` and, recursively, the headers it includes that exist relative to the
    including file or to the selector's directory (e.g. "MySel.h", "../common/Cuts.h"), or
    else in one of `include_dirs` (the client's -I paths; `via_dir` records which one)."""
    with open(path, "rb") as fh:
        seen[path] = fh.read()
    here = os.path.dirname(path)
    for quoted, angled in _INCLUDE.findall(seen[path].decode(errors="replace")):
        # As the compiler searches: quoted includes next to the including file first, then the
        # include path; <...> only the include path (ROOT's and system headers are never there).
        bases = [(here, None), (source_dir, None)] if quoted else []
        bases += [(d, i) for i, d in enumerate(include_dirs)]
        for base, index in bases:
            cand = os.path.normpath(os.path.join(base, quoted or angled))
            if os.path.isfile(cand):
                if cand not in seen:
                    if index is None and path in via_dir and _within(cand, include_dirs[via_dir[path]]):
                        index = via_dir[path]   # a sibling of a header from the include path
                    if index is not None:
                        via_dir[cand] = index
                    _gather(cand, source_dir, include_dirs, seen, via_dir)
                break


def user_include_dirs() -> tuple[str, ...]:
    """The directories of the client's ACLiC include path (gSystem->AddIncludePath("-I...")) that
    may hold a user's headers: not ROOT's, Python's, the system's, proofshim's or its cache's."""
    ROOT = runtime.import_root()
    skip = (sys.prefix, sys.base_prefix, "/usr", runtime.INCLUDE_DIR, runtime.cache_dir(),
            os.path.dirname(str(ROOT.TROOT.GetIncludeDir())))
    candidates = _include_candidates(str(ROOT.gSystem.GetIncludePath()), skip, os.getcwd())
    return tuple(d for d in candidates if os.path.isdir(d))


@functools.lru_cache(maxsize=16)
def _include_candidates(include_path: str, skip: tuple[str, ...], cwd: str) -> tuple[str, ...]:
    """The include path's directories, resolved, outside `skip`; remembered (every query asks,
    and resolving the dozen directories of ROOT's include path costs a hundred system calls)."""
    skipped = {os.path.realpath(p) for p in skip}
    dirs: list[str] = []
    for quoted, bare in _INCLUDE_FLAG.findall(include_path):
        d = os.path.realpath(os.path.join(cwd, quoted or bare))
        if d not in dirs and not any(_within(d, s) for s in skipped):
            dirs.append(d)
    return tuple(dirs)


def collect(spec: SelectorSpec, *, cwd: str | None = None, extra: tuple[str, ...] = (),
            include_dirs: tuple[str, ...] | None = None) -> SelectorCode:
    """Read a selector's source and the headers it includes (its own directory, or relative paths
    such as "../common/Cuts.h", whose layout is kept, or the client's include path).

    `extra` names more files to ship beside it (TProof::Load's "A.C+,x.h,y.h" form).
    `include_dirs` defaults to the client's include path (`user_include_dirs()`).
    """
    if spec.path is None:
        raise SelectorError(f"selector '{spec.class_name}' has no source file to ship")
    path = spec.path if os.path.isabs(spec.path) else os.path.join(cwd or os.getcwd(), spec.path)
    path = os.path.normpath(path)
    if not os.path.isfile(path):
        raise SelectorError(f"selector source '{spec.path}' not found (looked for {path}); "
                            "give a path relative to the current directory or an absolute one")
    if include_dirs is None:
        include_dirs = user_include_dirs()
    source_dir = os.path.dirname(path)
    found: dict[str, bytes] = {}
    via_dir: dict[str, int] = {}
    _gather(path, source_dir, tuple(include_dirs), found, via_dir)
    for name in extra:
        cand = name if os.path.isabs(name) else os.path.join(source_dir, name)
        if not os.path.isfile(cand):
            cand = os.path.join(cwd or os.getcwd(), name)
        if not os.path.isfile(cand):
            raise SelectorError(f"extra file '{name}' for {spec.path} not found")
        with open(cand, "rb") as fh:
            found[os.path.join(source_dir, os.path.basename(cand))] = fh.read()
    # Keep the files' relative layout below their common directory, so relative includes still work.
    own = [p for p in found if p not in via_dir]
    root = os.path.commonpath([os.path.dirname(p) for p in own])
    main = os.path.relpath(path, root)
    files = {os.path.relpath(p, root): data for p, data in found.items() if p not in via_dir}
    shipped_dirs: dict[int, str] = {}
    for p, index in via_dir.items():
        # Numbered in include-path order, so the workers search them in the client's order.
        shipped_dirs[index] = f"{SHIPPED_INCLUDE_DIR}/{index}"
        files[f"{shipped_dirs[index]}/{os.path.relpath(p, include_dirs[index])}"] = found[p]
    ordered = ((main, files.pop(main)),) + tuple(sorted(files.items()))
    h = hashlib.sha256()
    for rel, data in ordered:
        h.update(rel.encode() + b"\0" + data + b"\0")
    # The ACLiC mode is left out on purpose: a process cannot load two builds of one class, so
    # "X.C+g" after "X.C+" reuses the first build (as ROOT itself would in one session).
    return SelectorCode(class_name=spec.class_name, main=main, files=ordered, mode=spec.mode,
                        digest=h.hexdigest()[:20],
                        include_dirs=tuple(shipped_dirs[i] for i in sorted(shipped_dirs)))


def source_of_loaded_class(class_name: str) -> str | None:
    """The source file of a selector class already loaded in this process, if ROOT knows it.

    ACLiC records the file name as it included it, often relative to the directory it compiled
    in (the source's directory, where it also puts the library MySel_C.so): a relative name is
    looked up next to that loaded library first, then in the working directory."""
    ROOT = runtime.import_root()
    cl = ROOT.TClass.GetClass(class_name)
    if not cl:
        return None
    for name in (str(cl.GetImplFileName() or ""), str(cl.GetDeclFileName() or "")):
        if not name:
            continue
        dirs = _aclic_library_dirs(ROOT, name) + [os.getcwd()]
        for cand in ([name] if os.path.isabs(name) else [os.path.join(d, name) for d in dirs]):
            if os.path.isfile(cand):
                return os.path.normpath(os.path.abspath(cand))
    return None


def _aclic_library_dirs(ROOT, source: str) -> list[str]:
    """The directories of the loaded libraries that ACLiC would have made of `source`."""
    wanted = os.path.basename(compiled_library("", source))
    return [os.path.dirname(lib) for lib in str(ROOT.gSystem.GetLibraries("", "", False) or "").split()
            if os.path.isabs(lib) and os.path.basename(lib) == wanted]


def aclic_options(mode: str) -> str:
    """gSystem.CompileMacro's options for an ACLiC mode ('+', '++', '+g', '+O')."""
    # "k": keep the library for reuse; "++" (force) is not needed: the directory is content-addressed.
    opts = "k"
    if "g" in mode:
        opts += "g"
    if "O" in mode:
        opts += "O"
    return opts


def builtin(class_name: str) -> SelectorCode:
    """A selector class compiled into proofshim's own library (present on every worker)."""
    return SelectorCode(class_name, main=class_name, files=(), mode="", digest=f"builtin:{class_name}")


@contextlib.contextmanager
def materialized(code: SelectorCode, kind: str = "selectors"):
    """Write `code`'s files into this host's content-addressed cache directory (once) and yield
    that directory while holding its lock, so that one process per host compiles it."""
    build = os.path.join(runtime.cache_dir(), kind, runtime.library_digest(), code.digest)
    os.makedirs(build, exist_ok=True)
    with runtime.file_lock(os.path.join(build, ".lock")):
        for rel, data in code.files:
            dest = os.path.join(build, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if not os.path.exists(dest):
                with open(dest + ".tmp", "wb") as fh:
                    fh.write(data)
                os.replace(dest + ".tmp", dest)
        yield build


@contextlib.contextmanager
def _include_path_first(ROOT, build: str, include_dirs):
    """Put the shipped copies of the client's include directories first on ACLiC's include path
    for one compilation: a later selector shipping another version of the same header must not
    find these. cling keeps the directories, for headers it parses lazily when the library is used."""
    if not include_dirs:
        yield
        return
    # TSystem::GetIncludePath appends cling's paths to its own: keep only its own part.
    saved, cling_part = str(ROOT.gSystem.GetIncludePath()), str(ROOT.gInterpreter.GetIncludePath())
    if cling_part and saved.endswith(cling_part):
        saved = saved[:-len(cling_part)].rstrip()
    for rel in include_dirs:
        ROOT.gInterpreter.AddIncludePath(os.path.join(build, rel))
    flags = " ".join(f'-I"{os.path.join(build, rel)}"' for rel in include_dirs)
    ROOT.gSystem.SetIncludePath(f"{flags} {saved}")
    try:
        yield
    finally:
        ROOT.gSystem.SetIncludePath(saved)


def load(code: SelectorCode, *, require_selector: bool = True) -> str:
    """Materialise `code` in this host's cache, compile it once, load it here; return the class name.

    Raises SelectorError with the compiler's output when compilation fails. Helper code loaded with
    TProof::Load (`require_selector=False`) need not define a selector class.
    """
    if code.digest in _loaded:
        return _loaded[code.digest]
    ROOT = runtime.load_library()
    if not code.files:
        return code.class_name
    if require_selector and ROOT.ProofShim.ClassIsSelector(code.class_name):
        # Already loaded in this process (e.g. ".L MySel.C+" before making a selector object): a
        # second build of the same class cannot be loaded next to it, so use the one we have.
        log.info("using the class %s already loaded in this process", code.class_name)
        _loaded[code.digest] = code.class_name
        return code.class_name
    main_source = (os.path.basename(code.main), dict(code.files).get(code.main, b""))
    if main_source in _loaded_sources:
        # The same source, shipped from elsewhere (another path, other extra files), is already
        # loaded in this process: a second library defining the same symbols cannot be loaded.
        log.info("using %s as already loaded in this process", code.label)
        _loaded[code.digest] = _loaded_sources[main_source]
        return _loaded[code.digest]
    with materialized(code) as build, _include_path_first(ROOT, build, code.include_dirs):
        if "++" in code.mode or not os.path.exists(compiled_library(build, code.main)):
            # The first query of a selector is silent for seconds otherwise (ACLiC).
            log.info("compiling %s (once per host and version of its code)", code.label,
                     extra={"where": "TProof::Process" if require_selector else "TProof::Load"})
        with runtime.captured_output() as out:
            ok = ROOT.gSystem.CompileMacro(os.path.join(build, code.main), aclic_options(code.mode))
    if ok != 1:
        raise SelectorError(f"{code.label} failed to compile:\n{out[0].rstrip()}")
    if require_selector and not ROOT.ProofShim.ClassIsSelector(code.class_name):
        raise SelectorError(
            f"selector {code.label} compiled, but it does not define a TSelector class named "
            f"'{code.class_name}': PROOF requires the class to be named after the file")
    _loaded[code.digest] = _loaded_sources[main_source] = code.class_name
    if require_selector:
        _loaded_code.setdefault(code.class_name, code)
    return code.class_name


def loaded_code(class_name: str) -> SelectorCode | None:
    """The code of a selector class that an earlier query compiled and loaded in this process."""
    return _loaded_code.get(class_name)


def compiled_library(build: str, main: str) -> str:
    """The library ACLiC makes of the source `main` in `build` (MySel.C -> MySel_C.so).

    >>> compiled_library("/c/x", "sub/MySel.cxx")
    '/c/x/sub/MySel_cxx.so'
    """
    stem, ext = os.path.splitext(os.path.join(build, main))
    return f"{stem}_{ext[1:]}.so"


def instantiate(class_name: str):
    """A new object of a loaded selector class, as a TSelector proxy owned by the caller."""
    ROOT = runtime.load_library()
    err = ROOT.TString()
    sel = ROOT.ProofShim.NewSelector(class_name, err)
    if not sel:
        raise SelectorError(f"cannot create selector '{class_name}': {err.Data()}")
    return sel


# ---- proofshim compat: TProof::ShowCache / ClearCache act on this compile cache

def cache_entries() -> list[tuple[str, str, bool]]:
    """(build directory, main source file, compiled?) of every selector or helper build in this
    host's cache, for the current shim library."""
    top = os.path.join(runtime.cache_dir(), "selectors", runtime.library_digest())
    out = []
    if not os.path.isdir(top):
        return out
    for digest in sorted(os.listdir(top)):
        build = os.path.join(top, digest)
        names = sorted(os.listdir(build)) if os.path.isdir(build) else []
        sources = [n for n in names if _ACLIC_SUFFIX.match(n + "+") and not n.endswith((".h", ".hh", ".hpp"))]
        compiled = any(n.endswith(".so") for n in names)
        out.append((build, sources[0] if sources else "?", compiled))
    return out


def show_cache() -> str:
    """The cache's contents as ShowCache prints them."""
    lines = [f"Selector cache: {os.path.join(runtime.cache_dir(), 'selectors')}"]
    for build, main, compiled in cache_entries():
        lines.append(f"   {main:<30} {'compiled' if compiled else 'source only':<12} {build}")
    return "\n".join(lines)


def clear_cache(pattern: str = "") -> int:
    """Remove the builds whose main source matches the wildcard `pattern` (all if empty) from this
    host's cache; classes already loaded in a process stay loaded there. Returns how many."""
    import fnmatch  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    n = 0
    for build, main, _compiled in cache_entries():
        if pattern and not (fnmatch.fnmatch(main, pattern) or fnmatch.fnmatch(main, os.path.basename(pattern))
                            or fnmatch.fnmatch(os.path.splitext(main)[0], pattern)):
            continue
        shutil.rmtree(build, ignore_errors=True)
        n += 1
    return n
