"""Legacy C++ macros that call `chain->SetProof()` or `gROOT->Proof()`.

ROOT 6.40's TChain has no SetProof member and its TROOT no Proof member, so such a macro no longer
compiles. Before ROOT sees it, each `X->SetProof(...)` / `X.SetProof(...)` is rewritten to
`ProofShim::Chain(X).SetProof(...)` (ProofShimCore.h), which ties the chain to gProof as PROOF's
TChain::SetProof did, and each `gROOT->Proof(...)` (or `ROOT::GetROOT()->Proof(...)`) to
`ProofShim::RootProof(...)`, which opens the session as TROOT::Proof did. The rewritten
copy keeps the macro's file name (ACLiC and `.x` name the function after it) and lives in the
cache, with a `#line` directive naming the original file (so `__FILE__` and compiler messages
point there); the macro's own directory is put on the include path, so relative #includes work.
Macros with neither call are run untouched.
"""
from __future__ import annotations

import hashlib
import os
import re

# A receiver expression: names joined by '.', '->' or '::', optional [index] and one trailing ().
_RECEIVER = r"[A-Za-z_][\w]*(?:::[A-Za-z_]\w*)*(?:\[[^\]\n]*\])?(?:(?:\.|->)[A-Za-z_]\w*(?:\[[^\]\n]*\])?)*(?:\(\s*\))?"
_CALL = re.compile(rf"({_RECEIVER})\s*(->|\.)\s*SetProof\s*\(")
_MACRO = re.compile(r"^\s*(?P<path>[^()]+?)(?P<aclic>\+{1,2}[gO]?)?\s*(?P<args>\(.*\))?\s*$", re.S)
_ROOT_PROOF = re.compile(r"(?<![\w.>:])(?:gROOT|ROOT::GetROOT\(\s*\))\s*->\s*Proof\s*\(")
INCLUDE = ('#include "ProofShimCore.h"  // added by proofshim: ProofShim::Chain(...).SetProof(), '
           'ProofShim::RootProof()\n')
_LINE = re.compile(r"^\s*\.(?P<cmd>[xXL])\s+(?P<rest>\S.*?)\s*$", re.S)


def rewrite_source(text: str) -> str:
    """The macro source with every chain SetProof call routed through ProofShim::Chain and every
    gROOT->Proof call through ProofShim::RootProof.

    >>> print(rewrite_source('void f() { gROOT->Proof("lite://"); }').splitlines()[1])
    void f() { ProofShim::RootProof("lite://"); }
    """
    def repl(m: re.Match) -> str:
        receiver, arrow = m.group(1), m.group(2)
        target = receiver if arrow == "->" else f"&{receiver}"
        return f"ProofShim::Chain({target}).SetProof("
    new = _CALL.sub(repl, text)
    new = _ROOT_PROOF.sub("ProofShim::RootProof(", new)
    if new == text:
        return text
    return INCLUDE + new


def split_macro(arg: str) -> tuple[str, str, str]:
    """'dir/run.C+("x", 3)' -> ('dir/run.C', '+', '("x", 3)')."""
    m = _MACRO.match(arg)
    if not m:
        return arg, "", ""
    return m.group("path").strip(), m.group("aclic") or "", m.group("args") or ""


def prepare(arg: str, cache_dir: str) -> tuple[str, str | None]:
    """The macro argument to hand ROOT, and the directory to add to the include path (or None)."""
    path, aclic, args = split_macro(arg)
    if not os.path.isfile(path):
        return arg, None
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        text = fh.read()
    new = rewrite_source(text)
    if new == text:
        return arg, None
    # The copy says where it comes from: __FILE__ (macros often find their selectors with
    # gSystem->DirName(__FILE__)) and compiler messages name the user's file and line.
    origin = os.path.abspath(path).replace("\\", "\\\\").replace('"', '\\"')
    new = INCLUDE + f'#line 1 "{origin}"\n' + new[len(INCLUDE):]
    digest = hashlib.sha256(new.encode("utf-8", errors="surrogateescape")).hexdigest()[:16]
    dest_dir = os.path.join(cache_dir, "macros", digest)
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, os.path.basename(path))
    if not os.path.exists(dest):
        with open(dest + ".tmp", "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(new)
        os.replace(dest + ".tmp", dest)
    return f"{dest}{aclic}{args}", os.path.dirname(os.path.abspath(path))


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


def prepare_line(line: str, cache_dir: str) -> tuple[str, str | None]:
    """The same for a ROOT prompt line: '.x run.C(3)', '.L run.C+' are prepared, others kept."""
    m = _LINE.match(line)
    if not m:
        return line, None
    arg, incdir = prepare(m.group("rest"), cache_dir)
    return (f".{m.group('cmd')} {arg}", incdir) if incdir else (line, None)
