"""Legacy C++ macros that call `chain->SetProof()` or `gROOT->Proof()`.

ROOT 6.40's TChain has no SetProof member and its TROOT no Proof member, so such a macro no longer
compiles. Before ROOT sees it, each `X->SetProof(...)` / `X.SetProof(...)` is rewritten to
`ProofShim::Chain(X).SetProof(...)` (ProofShimCore.h), which ties the chain to gProof as PROOF's
TChain::SetProof did, and each `gROOT->Proof(...)` (or `ROOT::GetROOT()->Proof(...)`) to
`ProofShim::RootProof(...)`, which opens the session as TROOT::Proof did.

In such macros each `X->Process(...)` / `X.Process(...)` is also routed through
`ProofShim::Tree(X)` / `ProofShim::TreeObj(X)` (ProofShimMacros.h): for a tree tied to a session
the call goes to the session at once, as PROOF's TChain::Process did (ROOT 6.40's TChain::Process
first opens the chain's first file on the client and silently returns 0 when it cannot); for any
other receiver (a TProof, a TDSet, ...) the call is left exactly as written.

Macros pulled in with `#include "..."` by a macro being rewritten are rewritten too (recursively),
and the including copy names them by absolute path. Rewritten copies keep the macro's file name
(ACLiC and `.x` name the function after it) and live in the cache, with a `#line` directive naming
the original file (so `__FILE__` and compiler messages point there); the macro's own directory is
put on the include path. Only code is rewritten, never comments or string literals. Macros whose
include tree has neither SetProof nor gROOT->Proof are run untouched.
"""
from __future__ import annotations

import hashlib
import os
import re

from ..util.cxxtext import code_parts, in_code

# A receiver expression: names joined by '.', '->' or '::', optional [index] and one trailing ().
_RECEIVER = r"[A-Za-z_][\w]*(?:::[A-Za-z_]\w*)*(?:\[[^\]\n]*\])?(?:(?:\.|->)[A-Za-z_]\w*(?:\[[^\]\n]*\])?)*(?:\(\s*\))?"
_CALL = re.compile(rf"(?<![\w.>:])({_RECEIVER})\s*(->|\.)\s*SetProof\s*\(")
_PROCESS = re.compile(rf"(?<![\w.>:])({_RECEIVER})\s*(->|\.)\s*Process\s*\(")
_MACRO = re.compile(r"^\s*(?P<path>[^()]+?)(?P<aclic>\+{1,2}[gO]?)?\s*(?P<args>\(.*\))?\s*$", re.S)
_ROOT_PROOF = re.compile(r"(?<![\w.>:])(?:gROOT|ROOT::GetROOT\(\s*\))\s*->\s*Proof\s*\(")
_QUOTED_INCLUDE = re.compile(r'^(?P<head>[ \t]*#[ \t]*include[ \t]*)"(?P<name>[^"\n]+)"', re.M)
INCLUDE = ('#include "ProofShimMacros.h"  // added by proofshim: ProofShim::Chain(...).SetProof(), '
           'ProofShim::RootProof(), ProofShim::Tree(...)->Process()\n')
_LINE = re.compile(r"^\s*\.(?P<cmd>[xXL])\s+(?P<rest>\S.*?)\s*$", re.S)
def needs_rewriting(text: str) -> bool:
    """Whether the code of `text` calls SetProof on something or gROOT->Proof.

    >>> needs_rewriting('c->SetProof();'), needs_rewriting('// c->SetProof();'), needs_rewriting('c->Process("s")')
    (True, False, False)
    """
    return any(code and (_CALL.search(piece) or _ROOT_PROOF.search(piece)) for code, piece in code_parts(text))


def _rewrite_code(code: str) -> str:
    def setproof(m: re.Match) -> str:
        receiver, arrow = m.group(1), m.group(2)
        target = receiver if arrow == "->" else f"&{receiver}"
        return f"ProofShim::Chain({target}).SetProof("

    def process(m: re.Match) -> str:
        receiver, arrow = m.group(1), m.group(2)
        if receiver == "this":
            return m.group(0)
        wrap = "Tree" if arrow == "->" else "TreeObj"
        return f"ProofShim::{wrap}({receiver}){arrow}Process("

    code = _CALL.sub(setproof, code)
    code = _PROCESS.sub(process, code)
    return _ROOT_PROOF.sub("ProofShim::RootProof(", code)


def rewrite_source(text: str, force: bool = False) -> str:
    """The macro source with every chain SetProof call routed through ProofShim::Chain, every
    gROOT->Proof call through ProofShim::RootProof and every Process call through ProofShim::Tree;
    `text` itself when it has neither SetProof nor gROOT->Proof (unless `force`: a file included
    by a macro that has them).

    >>> print(rewrite_source('void f() { gROOT->Proof("lite://"); }').splitlines()[1])
    void f() { ProofShim::RootProof("lite://"); }
    >>> print(rewrite_source('c->SetProof(); c->Process("S.C+"); p.Process("S.C+");').splitlines()[1])
    ProofShim::Chain(c).SetProof(); ProofShim::Tree(c)->Process("S.C+"); ProofShim::TreeObj(p).Process("S.C+");
    """
    if not force and not needs_rewriting(text):
        return text
    new = in_code(text, _rewrite_code)
    if new == text and not force:
        return text
    return INCLUDE + new


def split_macro(arg: str) -> tuple[str, str, str]:
    """'dir/run.C+("x", 3)' -> ('dir/run.C', '+', '("x", 3)')."""
    m = _MACRO.match(arg)
    if not m:
        return arg, "", ""
    return m.group("path").strip(), m.group("aclic") or "", m.group("args") or ""


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        return fh.read()


def _quoted_includes(path: str, text: str) -> dict[str, str]:
    """The files named by `#include "..."` in the code of `text` that exist beside `path`:
    {name as written: absolute path}."""
    found = {}
    base = os.path.dirname(os.path.abspath(path))
    for m in _QUOTED_INCLUDE.finditer(text):
        name = m.group("name")
        cand = name if os.path.isabs(name) else os.path.join(base, name)
        if os.path.isfile(cand):
            found[name] = os.path.normpath(cand)
    return found


def _include_tree(path: str, seen: dict[str, str]) -> None:
    """Every file reachable from `path` through quoted includes: {absolute path: its text}."""
    path = os.path.normpath(os.path.abspath(path))
    if path in seen:
        return
    seen[path] = _read(path)
    for dep in _quoted_includes(path, seen[path]).values():
        _include_tree(dep, seen)


def _changes(path: str, tree: dict[str, str], memo: dict[str, bool], stack: tuple[str, ...] = ()) -> bool:
    """Whether `path` needs a rewritten copy: its code changes, or a file it includes needs one."""
    if path not in memo:
        if path in stack:
            return False
        text = tree[path]
        own = rewrite_source(text, force=True)[len(INCLUDE):] != text
        memo[path] = own or any(_changes(dep, tree, memo, stack + (path,))
                                for dep in _quoted_includes(path, text).values() if dep in tree)
    return memo[path]


def _copy(path: str, tree: dict[str, str], cache_dir: str, copies: dict[str, str], memo: dict[str, bool],
          stack: tuple[str, ...]) -> str:
    """Write the rewritten copy of `path` (and of the files it includes that change) into the
    cache; return the copy's path. In a copy, every file included by a relative name is named by
    its absolute path (its copy's, if it has one): the copy lives elsewhere. Includes of files on
    `stack` (an include cycle) keep naming the original."""
    if path in copies:
        return copies[path]
    text = tree[path]
    deps = _quoted_includes(path, text)
    new = rewrite_source(text, force=True)[len(INCLUDE):]

    def include(m: re.Match) -> str:
        name = m.group("name")
        dep = deps.get(name)
        if dep is None:
            return m.group(0)
        changed = dep not in stack and dep != path and _changes(dep, tree, memo)
        target = _copy(dep, tree, cache_dir, copies, memo, stack + (path,)) if changed else dep
        return f'{m.group("head")}"{target}"'

    new = _QUOTED_INCLUDE.sub(include, new)
    # The copy says where it comes from: __FILE__ (macros often find their selectors with
    # gSystem->DirName(__FILE__)) and compiler messages name the user's file and line.
    origin = path.replace("\\", "\\\\").replace('"', '\\"')
    new = INCLUDE + f'#line 1 "{origin}"\n' + new
    digest = hashlib.sha256(new.encode("utf-8", errors="surrogateescape")).hexdigest()[:16]
    dest_dir = os.path.join(cache_dir, "macros", digest)
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, os.path.basename(path))
    if not os.path.exists(dest):
        with open(dest + ".tmp", "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(new)
        os.replace(dest + ".tmp", dest)
    copies[path] = dest
    return dest


def prepare(arg: str, cache_dir: str) -> tuple[str, str | None]:
    """The macro argument to hand ROOT, and the directory to add to the include path (or None)."""
    path, aclic, args = split_macro(arg)
    if not os.path.isfile(path):
        return arg, None
    tree: dict[str, str] = {}
    try:
        _include_tree(path, tree)
    except OSError:
        return arg, None
    if not any(needs_rewriting(text) for text in tree.values()):
        return arg, None
    top = os.path.normpath(os.path.abspath(path))
    dest = _copy(top, tree, cache_dir, {}, {}, ())
    return f"{dest}{aclic}{args}", os.path.dirname(top)


_LINKED_SHIM = re.compile(rb"[\x21-\x7e]*ProofShim_cxx\.so")


def aclic_library(path: str, build_dir: str = "") -> str:
    """Where ACLiC puts the library of macro `path`: beside it, or under ROOT's build directory.

    >>> aclic_library("/a/b/run.C")
    '/a/b/run_C.so'
    >>> aclic_library("/a/b/run.cxx", "/build")
    '/build/a/b/run_cxx.so'
    """
    path = os.path.abspath(path)
    if build_dir:
        path = os.path.join(build_dir, path.lstrip(os.sep))
    stem, ext = os.path.splitext(path)
    return f"{stem}_{ext[1:]}.so"


def linked_shim(library: str) -> str | None:
    """The path of proofshim's C++ library that the compiled macro `library` links to, if any."""
    try:
        with open(library, "rb") as fh:
            m = _LINKED_SHIM.search(fh.read())
    except OSError:
        return None
    return m.group(0).decode() if m else None


def force_rebuild_if_stale(arg: str, shim: str, build_dir: str = "") -> tuple[str, str | None]:
    """`arg` (a gROOT.Macro argument) with ACLiC's '+' made '++' when the macro's existing library
    links to proofshim's library at another path than `shim`, and that library's path (or None).

    ACLiC decides from the macro's sources alone that such a build is up to date; loading it would
    load a second copy of proofshim's library beside this process's one (a build made with another
    proofshim cache), whose PROOF classes are not the active ones.
    """
    path, aclic, args = split_macro(arg)
    if not aclic or aclic.startswith("++") or not os.path.isfile(path):
        return arg, None
    linked = linked_shim(aclic_library(path, build_dir))
    if linked is None or os.path.realpath(linked) == os.path.realpath(shim):
        return arg, None
    return f"{path}+{aclic}{args}", linked


def _on_line(line: str, fn) -> tuple[str, str | None]:
    """fn (a gROOT.Macro argument -> (new argument, note or None)) applied to the macro of a ROOT
    prompt line ('.x run.C+(3)', '.L run.C+'); other lines, and lines fn leaves alone, are kept."""
    m = _LINE.match(line)
    if not m:
        return line, None
    arg, note = fn(m.group("rest"))
    return (f".{m.group('cmd')} {arg}", note) if note else (line, None)


def force_rebuild_line_if_stale(line: str, shim: str, build_dir: str = "") -> tuple[str, str | None]:
    """The same for a ROOT prompt line ('.x run.C+(3)', '.L run.C+')."""
    return _on_line(line, lambda arg: force_rebuild_if_stale(arg, shim, build_dir))


def script_line(line: str) -> tuple[str, str, str, str] | None:
    """A '.x'/'.X'/'.L' prompt line split into (command letter, path, ACLiC mode, arguments), or
    None for any other line. TProof::Exec ships such a script to the workers.

    >>> script_line('.x ana.C+(3, "a")')
    ('x', 'ana.C', '+', '(3, "a")')
    >>> script_line('gSystem->Load("x")') is None
    True
    """
    m = _LINE.match(line)
    if not m:
        return None
    path, aclic, args = split_macro(m.group("rest"))
    return m.group("cmd"), path, aclic, args


def macro_path(text: str, line: bool = False) -> str | None:
    """The file a gROOT.Macro argument (or, with `line`, a '.x'/'.L' prompt line) runs, if it
    exists; None otherwise.

    >>> macro_path('.L /nonexistent/x.C+', line=True) is None
    True
    """
    if line:
        parts = script_line(text)
        if parts is None:
            return None
        path = parts[1]
    else:
        path = split_macro(text)[0]
    return os.path.abspath(path) if os.path.isfile(path) else None


def prepare_line(line: str, cache_dir: str) -> tuple[str, str | None]:
    """The same for a ROOT prompt line: '.x run.C(3)', '.L run.C+' are prepared, others kept."""
    return _on_line(line, lambda arg: prepare(arg, cache_dir))
