"""ROOT in this process: a quiet import, and proofshim's C++ library built once per host and loaded.

Used on the client and on every worker. The library (cxx/ProofShim.cxx, a unity build of the other
files of cxx/, with the PROOF headers of include/) is compiled by ACLiC into a content-addressed
directory of the cache, under a file lock so that the processes of one host do not race, and reused
by every later process on that host.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sys
import tempfile
import warnings

log = logging.getLogger("proofshim")

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE_DIR = os.path.join(PACKAGE_DIR, "include")

_library_loaded = False
_library_file = ""


def cache_dir() -> str:
    """Where compiled libraries live on this host: $PROOFSHIM_CACHE_DIR or ~/.cache/proofshim."""
    path = os.environ.get("PROOFSHIM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "proofshim")
    os.makedirs(path, exist_ok=True)
    return path


@contextlib.contextmanager
def file_lock(path: str):
    """Hold an exclusive lock on `path` (created if needed) for the duration of the block."""
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def import_root():
    """Import ROOT without the wheel's pre-release warning."""
    warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                            category=UserWarning)
    import ROOT  # noqa: PLC0415 - ROOT is heavy: imported on first use
    return ROOT


@contextlib.contextmanager
def captured_output():
    """Collect what C++ code writes to stdout/stderr (e.g. the compiler) into a string list.

    File descriptors are redirected, not sys.stdout, because the compiler is a child process.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    sink = tempfile.TemporaryFile(mode="w+b")
    text: list[str] = []
    try:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        yield text
    finally:
        with contextlib.suppress(Exception):
            import ROOT  # noqa: PLC0415
            ROOT.gSystem.Sleep(0)
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        sink.seek(0)
        text.append(sink.read().decode(errors="replace"))
        sink.close()


def downcast(obj):
    """A ROOT object proxy of its actual class (C++ hands Python base-class pointers)."""
    ROOT = import_root()
    # Not `if not obj`: a TTree proxy's truth value looks for a branch named __bool__/__len__,
    # which makes a TChain load its trees (one "Cannot find tree" error per file for a wrong name).
    if obj is None or obj is ROOT.nullptr or not ROOT.addressof(obj):
        return None
    return ROOT.BindObject(ROOT.addressof(obj), obj.IsA().GetName())


@contextlib.contextmanager
def root_messages_off():
    """ROOT's own messages below fatal off for the block (this thread's work only: ROOT's level
    is process-wide), where proofshim reports the failure itself in clearer words."""
    ROOT = import_root()
    before = ROOT.gErrorIgnoreLevel
    ROOT.gErrorIgnoreLevel = ROOT.kFatal
    try:
        yield
    finally:
        ROOT.gErrorIgnoreLevel = before


def open_file(url: str):
    """TFile.Open(url) for reading, leaving gDirectory alone; None when it cannot be opened."""
    ROOT = import_root()
    ctx = ROOT.TDirectory.TContext()
    try:
        f = ROOT.TFile.Open(url, "READ")
    except OSError:      # PyROOT raises where C++ returns a null or zombie file
        return None
    finally:
        del ctx
    if not f or f.IsZombie():
        return None
    return f


def add_include_path(path: str) -> None:
    """Put `path` on the include path of cling and of ACLiC, once."""
    ROOT = import_root()
    flag = f'-I"{path}"'
    if flag not in ROOT.gSystem.GetIncludePath():
        ROOT.gSystem.AddIncludePath(flag)
        ROOT.gInterpreter.AddIncludePath(path)


# Bumped when the way the library is built changes, so that existing builds are redone.
_BUILD_LAYOUT = b"layout 3: built in its directory from a copy of cxx/ and of the headers"


def library_sources(package_dir: str = PACKAGE_DIR) -> list[str]:
    """Every file the C++ library is built from, relative to `package_dir`, sorted: all of cxx/
    (ProofShim.cxx and the per-class files it includes) and all of include/."""
    return sorted(os.path.join(sub, name) for sub in ("cxx", "include")
                  for name in os.listdir(os.path.join(package_dir, sub))
                  if os.path.isfile(os.path.join(package_dir, sub, name)))


def sources_digest(package_dir: str, *tags: bytes) -> str:
    """Digest of `tags` and of the names and contents of every file of library_sources(package_dir)."""
    h = hashlib.sha256()
    for tag in tags:
        h.update(tag)
    for rel in library_sources(package_dir):
        h.update(rel.encode() + b"\0")
        with open(os.path.join(package_dir, rel), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def _library_digest(ROOT) -> str:
    return sources_digest(PACKAGE_DIR, ROOT.gROOT.GetVersion().encode(), sys.version.encode(), _BUILD_LAYOUT)


def library_digest() -> str:
    """Digest of the shim library's sources for this ROOT and Python."""
    return _library_digest(import_root())


def _copy_sources(build: str, headers: str, package_dir: str = PACKAGE_DIR) -> None:
    """The files of cxx/ into `build` (ProofShim.cxx includes the others from its own directory),
    those of include/ into `headers`; older copies are removed first."""
    import shutil  # noqa: PLC0415

    if os.path.isdir(headers):
        shutil.rmtree(headers)
    os.makedirs(headers)
    for name in os.listdir(build):
        if name.endswith(".cxx"):
            os.unlink(os.path.join(build, name))
    for rel in library_sources(package_dir):
        sub, name = os.path.split(rel)
        shutil.copy2(os.path.join(package_dir, rel), os.path.join(build if sub == "cxx" else headers, name))


def load_library():
    """Build (once per host) and load proofshim's C++ library; return the ROOT module.

    The library keeps one path per ROOT version: ACLiC links selectors that use the PROOF classes
    against it by path, and a second copy loaded from another path would split its global state.
    A changed source is rebuilt in place (old files unlinked first, so running processes keep theirs).
    """
    global _library_loaded, _library_file
    ROOT = import_root()
    if _library_loaded:
        return ROOT
    digest = _library_digest(ROOT)
    build = os.path.join(cache_dir(), "lib", f"root-{ROOT.gROOT.GetVersion().replace('/', '.')}")
    headers = os.path.join(build, "include")
    os.makedirs(build, exist_ok=True)
    src = os.path.join(build, "ProofShim.cxx")
    stamp = os.path.join(build, "digest")
    with file_lock(os.path.join(build, ".lock")):
        current = open(stamp).read().strip() if os.path.exists(stamp) else ""
        if current != digest or not os.path.isdir(headers):
            for name in os.listdir(build):
                if name.startswith("ProofShim") or name == "digest":
                    os.unlink(os.path.join(build, name))
            _copy_sources(build, headers)
        if not any(name.startswith("ProofShim") and name.endswith(".so") for name in os.listdir(build)):
            # The first import on a host is silent for a long time otherwise.
            log.info("building proofshim's C++ library for ROOT %s in %s (once per host and version "
                     "of proofshim, ~20 s)", ROOT.gROOT.GetVersion(), build, extra={"where": "proofshim"})
        # The library's dictionary records the include path and the working directory of its
        # build, and every process that loads it adds them to the include path of its later ACLiC
        # compiles: build in the library's own directory, from its own copy of the headers, so
        # that neither the first caller's directory nor this proofshim's location is recorded.
        add_include_path(headers)
        library = os.path.join(build, "ProofShim_cxx.so")
        ok = 0
        if current == digest and os.path.exists(library):
            # Built already: load it directly. ACLiC's own up-to-date checks on every import cost
            # about half a second (measured) for nothing; it still rebuilds when the load fails.
            with captured_output() as out:
                ok = 1 if ROOT.gSystem.Load(library) >= 0 else 0
        if ok != 1:
            cwd = os.getcwd()
            os.chdir(build)
            try:
                with captured_output() as out:
                    ok = ROOT.gSystem.CompileMacro(src, "kO")
            finally:
                os.chdir(cwd)
        if ok == 1 and current != digest:
            with open(stamp, "w") as fh:
                fh.write(digest)
    add_include_path(INCLUDE_DIR)
    if ok != 1:
        raise RuntimeError(
            f"proofshim could not build its C++ library from {src}:\n{out[0]}\n"
            "Check that g++ works and that ROOT's headers are installed (pip install root).")
    _library_loaded = True
    _library_file = library
    return ROOT


def library_file() -> str:
    """The path of the C++ library this process loaded ("" before load_library)."""
    return _library_file
