"""The ROOT installation as legacy macros and PAR packages see it.

PyPI's `root` wheel differs from the ROOT installations PROOF-era code was written for:
- its `root-config` reports include and library directories that do not exist
  (`<ROOT>/mock_site_packages/ROOT/include`, ...): a PAR package's BUILD.sh that compiles with
  `root-config --cflags` finds no header. Packages are built with `tools_dir()` first on PATH,
  where `root-config` reports the directories that exist, and with ROOTSYS set to the real
  installation (`real_rootsys()`);
- `root.exe` is not on PATH (the wheel's `root` command is a Python entry point), and its
  tutorials no longer have `proof/`. ROOT's PROOF tutorials find their selectors beside
  `$ROOTSYS/tutorials/proof`, $ROOTSYS being the directory above the `root.exe` found on PATH
  (runProof.C: `gSystem->Which(PATH, "root.exe")`). For a macro run through proofshim
  (`proofshim run`, `gROOT.Macro`, `gROOT.ProcessLine(".x ...")`), `expose_tutorials(dir)` puts
  on PATH a `root.exe` whose `../tutorials/proof` is the macro's own directory, so runProof.C and
  its selectors run unmodified where they sit: a copy in the user's directory, or ROOT's
  `tutorials/proof` (or `tutorials/legacy/proof`) tree. That view of the installation
  (`<cache>/rootsys/view-<digest>`) links everything else (include, lib, etc, the other
  tutorials) to the real installation, and its `root-config` tells the truth as well.
"""
from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess

from . import runtime

_VIEW_PREFIX = "view-"
_BIN_LINKS = ("root.exe", "rootcling", "rootcint", "genreflex", "hadd")
_TOP_LINKS = ("include", "lib", "etc", "macros", "fonts", "icons", "cmake", "man")


def real_rootsys() -> str:
    """The installation the running ROOT comes from (TROOT::GetRootSys())."""
    return os.path.normpath(str(runtime.import_root().TROOT.GetRootSys()))


def _real_dirs() -> dict[str, str]:
    T = runtime.import_root().TROOT
    return {"--incdir": str(T.GetIncludeDir()), "--libdir": str(T.GetLibDir()),
            "--bindir": str(T.GetBinDir()), "--etcdir": str(T.GetEtcDir()),
            "--tutdir": str(T.GetTutorialDir())}


def prefix_fix(reported: dict[str, str], real: dict[str, str]) -> tuple[str, str] | None:
    """(wrong prefix, right prefix) when root-config reports directories that do not exist where
    the running ROOT has them; None when it tells the truth.

    >>> prefix_fix({"--incdir": "/r/mock/R/include", "--libdir": "/r/mock/R/lib"},
    ...            {"--incdir": "/r/include/", "--libdir": "/r/lib"})
    ('/r/mock/R', '/r')
    >>> prefix_fix({"--incdir": "/r/include"}, {"--incdir": "/r/include/"}) is None
    True
    """
    for opt, real_dir in real.items():
        said = reported.get(opt, "").rstrip("/")
        right = real_dir.rstrip("/")
        if not said or said == right:
            continue
        leaf = os.path.basename(right)
        if os.path.basename(said) == leaf:
            return os.path.dirname(said), os.path.dirname(right)
    return None


def _wrapper_text(real_config: str, fix: tuple[str, str] | None) -> str:
    head = ("#!/bin/sh\n# proofshim: ROOT's root-config, reporting the directories this installation really "
            "has\n")
    if fix is None:
        return head + f'exec {shlex.quote(real_config)} "$@"\n'
    wrong, right = (s.replace("#", r"\#") for s in fix)
    return (head + f'out=$({shlex.quote(real_config)} "$@") || exit $?\n'
            f"printf '%s\\n' \"$out\" | sed -e {shlex.quote(f's#{wrong}#{right}#g')}\n")


def _write_if_changed(path: str, text: str, mode: int = 0o755) -> None:
    if os.path.exists(path):
        with open(path) as fh:
            if fh.read() == text:
                return
    with open(path + ".tmp", "w") as fh:
        fh.write(text)
    os.chmod(path + ".tmp", mode)
    os.replace(path + ".tmp", path)


_tools: dict[str, str] = {}


def tools_dir() -> str:
    """A directory holding a `root-config` that reports the directories that exist (the real one
    when it already does). Put it first on PATH."""
    key = runtime.cache_dir()
    if key in _tools and os.path.exists(os.path.join(_tools[key], "root-config")):
        return _tools[key]
    real_config = os.path.join(str(runtime.import_root().TROOT.GetBinDir()), "root-config")
    reported = {}
    for opt in _real_dirs():
        try:
            out = subprocess.run([real_config, opt], capture_output=True, text=True, timeout=60, check=False)
            reported[opt] = out.stdout.strip() if out.returncode == 0 else ""
        except (OSError, subprocess.TimeoutExpired):
            reported[opt] = ""
    text = _wrapper_text(real_config, prefix_fix(reported, _real_dirs()))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = os.path.join(runtime.cache_dir(), "rootsys", f"tools-{digest}")
    os.makedirs(path, exist_ok=True)
    _write_if_changed(os.path.join(path, "root-config"), text)
    _tools[key] = path
    return path


def build_env(env: dict) -> dict:
    """`env` for building a package: the truthful root-config and ROOT's tools first on PATH,
    ROOTSYS the running installation."""
    bindir = str(runtime.import_root().TROOT.GetBinDir())
    parts = [tools_dir(), bindir] + [p for p in env.get("PATH", "").split(os.pathsep) if p]
    out = dict(env)
    out["PATH"] = os.pathsep.join(dict.fromkeys(parts))
    out["ROOTSYS"] = real_rootsys()
    return out


def _link(target: str, link: str) -> None:
    if os.path.lexists(link):
        if os.path.islink(link) and os.readlink(link) == target:
            return
        os.unlink(link)
    os.symlink(target, link)


def view_for(macro_dir: str) -> str:
    """The view of the installation whose tutorials/proof is `macro_dir` (made once)."""
    rootsys = real_rootsys()
    macro_dir = os.path.normpath(os.path.abspath(macro_dir))
    digest = hashlib.sha256(f"{rootsys}\n{macro_dir}".encode()).hexdigest()[:16]
    top = os.path.join(runtime.cache_dir(), "rootsys", _VIEW_PREFIX + digest)
    os.makedirs(os.path.dirname(top), exist_ok=True)
    with runtime.file_lock(top + ".lock"):
        bindir = os.path.join(top, "bin")
        tutdir = os.path.join(top, "tutorials")
        os.makedirs(bindir, exist_ok=True)
        os.makedirs(tutdir, exist_ok=True)
        real_bin = str(runtime.import_root().TROOT.GetBinDir())
        for name in _BIN_LINKS:
            if os.path.exists(os.path.join(real_bin, name)):
                _link(os.path.join(real_bin, name), os.path.join(bindir, name))
        _link(os.path.join(tools_dir(), "root-config"), os.path.join(bindir, "root-config"))
        for name in _TOP_LINKS:
            if os.path.exists(os.path.join(rootsys, name)):
                _link(os.path.join(rootsys, name), os.path.join(top, name))
        real_tut = str(runtime.import_root().TROOT.GetTutorialDir())
        if os.path.isdir(real_tut):
            for name in os.listdir(real_tut):
                if name != "proof":
                    _link(os.path.join(real_tut, name), os.path.join(tutdir, name))
        _link(macro_dir, os.path.join(tutdir, "proof"))
    return top


def _is_view_bin(entry: str) -> bool:
    parent = os.path.basename(os.path.dirname(os.path.normpath(entry)))
    return (os.path.basename(os.path.normpath(entry)) == "bin" and parent.startswith(_VIEW_PREFIX)
            and os.path.dirname(os.path.dirname(os.path.normpath(entry)))
            == os.path.join(runtime.cache_dir(), "rootsys"))


def expose_tutorials(macro_dir: str) -> str:
    """Put first on PATH the `bin` of the view for `macro_dir` (replacing the view put there for an
    earlier macro); return that view's directory ($ROOTSYS as the macro will see it)."""
    top = view_for(macro_dir)
    entries = [e for e in os.environ.get("PATH", "").split(os.pathsep) if e and not _is_view_bin(e)]
    os.environ["PATH"] = os.pathsep.join([os.path.join(top, "bin")] + entries)
    return top


def which_root_exe() -> str | None:
    """The root.exe a macro finds on PATH now (what runProof.C calls $ROOTSYS/bin/root.exe)."""
    return shutil.which("root.exe")
