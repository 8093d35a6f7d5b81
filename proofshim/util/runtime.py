"""ROOT in this process: a quiet import, and proofshim's C++ library built once per host and loaded.

Used on the client and on every worker. The library (cxx/ProofShim.cxx, a unity build of the other
files of cxx/, with the PROOF headers of include/) is built with rootcling and the compiler ACLiC
uses into a directory of the cache, under a file lock so that the processes of one host do not
race, and reused by every later process on that host.
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
_headers_parsed = False


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
_BUILD_LAYOUT = b"layout 4: rootcling and the compiler, in its directory, from a copy of cxx/ and of the headers"
# The ROOT libraries the library's code calls directly (the rest come with these).
_LINKED_ROOT_LIBS = ("Core", "RIO", "Net", "Hist", "Tree", "TreePlayer", "MathCore", "Thread")
_BUILD_TIMEOUT_S = 1200


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


def _compile_library(ROOT, build: str, headers: str, library: str) -> tuple[bool, str]:
    """Build the library in `build`: its dictionary with rootcling, then one compile and link with
    ACLiC's own command line (gSystem.GetMakeSharedLib: ROOT's compiler and flags). Returns whether
    it worked and what the tools printed.

    Not ACLiC itself: ROOT parses an ACLiC dictionary's headers whenever the library is loaded, but
    defers a rootcling dictionary's until one of its classes is used (header parsing on demand).
    Every `import proofshim` loads the library; most never touch half its classes (0.15 s)."""
    import shlex  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    with open(os.path.join(build, "ProofShimLinkDef.h"), "w") as fh:
        fh.write("// The selection is the #pragma link block at the end of ProofShim.cxx.\n")
    tmp = library + ".tmp"
    rootcling = [os.path.join(str(ROOT.gROOT.GetBinDir()), "rootcling"), "-f", "G__ProofShim.cxx",
                 "-s", library, f"-I{headers}", f"-I{build}", "ProofShim.cxx", "ProofShimLinkDef.h"]
    libdir = str(ROOT.gROOT.GetLibDir())
    fill = {
        "$BuildDir": shlex.quote(build), "$Opt": str(ROOT.gSystem.GetFlagsOpt()),
        "$IncludePath": f"{ROOT.gSystem.GetIncludePath()} -I{shlex.quote(headers)} -I{shlex.quote(build)}",
        "$SourceFiles": "G__ProofShim.cxx", "$ObjectFiles": "G__ProofShim.o",
        "$RPath": f"-Wl,-rpath,{shlex.quote(libdir)}",
        "$LinkedLibs": f"-L{shlex.quote(libdir)} " + " ".join(f"-l{n}" for n in _LINKED_ROOT_LIBS),
        "$SharedLib": shlex.quote(tmp),
    }
    make = str(ROOT.gSystem.GetMakeSharedLib())
    for key in sorted(fill, key=len, reverse=True):   # $ObjectFiles before a shorter $Object...
        make = make.replace(key, fill[key])
    out = []
    try:
        for cmd, shell in ((rootcling, False), (make, True)):
            res = subprocess.run(cmd, shell=shell, cwd=build, capture_output=True, text=True,
                                 timeout=_BUILD_TIMEOUT_S)
            out.append(res.stdout + res.stderr)
            if res.returncode != 0 or (shell and not os.path.exists(tmp)):
                return False, "".join(out)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, "".join(out) + str(exc)
    os.replace(tmp, library)
    return True, "".join(out)


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
    stamp = os.path.join(build, "digest")
    library = os.path.join(build, "ProofShim_cxx.so")
    with file_lock(os.path.join(build, ".lock")):
        current = open(stamp).read().strip() if os.path.exists(stamp) else ""
        if current != digest or not os.path.isdir(headers):
            for name in os.listdir(build):
                if name.startswith(("ProofShim", "G__ProofShim")) or name == "digest":
                    os.unlink(os.path.join(build, name))
            _copy_sources(build, headers)
        # The library's dictionary records the include path of its build, and every process that
        # loads it adds it to the include path of its later ACLiC compiles: build in the
        # library's own directory, from its own copy of the headers, so that neither the first
        # caller's directory nor this proofshim's location is recorded.
        add_include_path(headers)
        ok, out = False, ""
        if current == digest and os.path.exists(library):
            with captured_output() as text:
                ok = ROOT.gSystem.Load(library) >= 0
            out = text[0]
        if not ok:
            # The first import on a host is silent for a long time otherwise.
            log.info("building proofshim's C++ library for ROOT %s in %s (once per host and version "
                     "of proofshim, ~20 s)", ROOT.gROOT.GetVersion(), build, extra={"where": "proofshim"})
            ok, out = _compile_library(ROOT, build, headers, library)
            if ok:
                with captured_output() as text:
                    ok = ROOT.gSystem.Load(library) >= 0
                out += text[0]
            if ok:
                with open(stamp, "w") as fh:
                    fh.write(digest)
    add_include_path(INCLUDE_DIR)
    # The classes' headers are parsed when first used. Declared now: the ProofShim namespace's
    # functions (what Python calls; no class, so never parsed on demand) and the exit guard
    # (TROOT::CloseFiles needs its class at exit, when ROOT parses nothing on demand any more).
    # 0.05 s; all the headers ~0.15 s more.
    if not ok or not ROOT.gInterpreter.Declare('#include "ProofShimCore.h"\n#include "ProofShimExitGuard.cxx"'):
        raise RuntimeError(
            f"proofshim could not build or load its C++ library in {build}:\n{out}\n"
            "Check that g++ works and that ROOT's headers are installed (pip install root).")
    _library_loaded = True
    _library_file = library
    return ROOT


def parse_proof_headers() -> None:
    """Have cling parse the PROOF classes' headers now (0.15 s, once), before a macro file runs.

    The library defers them to their first use (load_library). A macro file that is the first
    to name a PROOF class would get them parsed inside its own transaction, which cling unloads
    when the macro runs again (`.x m.C` twice, `proofshim run m.C m.C`): the declarations would
    vanish from under the library's classes (a crash)."""
    global _headers_parsed
    if not _headers_parsed:
        load_library().TClass.GetClass("TProof").GetClassInfo()
        _headers_parsed = True


def library_file() -> str:
    """The path of the C++ library this process loaded ("" before load_library)."""
    return _library_file
