"""Which names the C++ classes send to Python, read from their sources as text (no ROOT): every
`ProofShim::CallHook(p, "Name", ...)`, `ProofShim::ObjectHook(p, "Name", ...)` and
`ProofShim::Note(p, "NoEffect"|"Refused", "TProof::Name")` of proofshim/cxx/*.cxx and
proofshim/include/*.h, with the C++ function it is in. Used by tests/test_methods.py and
tests/test_api_coverage.py to hold the registry (proofshim/face/methods.py) to the C++ side."""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass

from proofshim.util import cxxtext

PACKAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "proofshim")

_CALL = re.compile(r"(?<![\w.>])(?:ProofShim::)?(CallHook|ObjectHook|Note)\s*\(")
# A function definition starting at column 0: "Int_t TProof::Ping()\n{", "static void Note(...) {".
_DEFINITION = re.compile(r"^(?![#}\s]|namespace\b|class\b|struct\b|return\b)[^;{}()\n]*?\b((?:\w+::)*~?\w+)\s*"
                         r"\([^;{}]*\)[^;{}]*\{", re.M)
_LITERAL = re.compile(r'"((?:\\.|[^"\\])*)"')
# A parameter declaration ("TProof *p"): the call is the function's own declaration or definition.
_PARAMETER = re.compile(r"^(?:const\s+)?\w[\w:<>]*\s*[\*&]\s*\w+$")


@dataclass(frozen=True)
class HookCall:
    """One call into Python: `names` the method names it may send (two for `a ? "X" : "Y"`),
    `kind` Note's "NoEffect"/"Refused" (else ""), `function` the C++ function it is in."""

    hook: str
    names: tuple[str, ...]
    kind: str
    function: str
    where: str   # file:line, for messages

    @property
    def method(self) -> str:
        """'Class::Method' of the function the call is in ('' for a free helper function)."""
        return self.function if "::" in self.function else ""


def _masked(text: str) -> tuple[str, str]:
    """Two copies of `text`, character for character aligned: comments blanked in both (a comment
    quoting a hook call is not one); string and character literals kept in the first, their
    contents masked in the second, where calls and commas are looked for."""
    kept, masked = [], []
    for code, piece in cxxtext.code_parts(text):
        if code:
            kept.append(piece)
            masked.append(piece)
        elif piece[0] in "\"'":
            kept.append(piece)
            masked.append(piece[0] + "_" * (len(piece) - 2) + piece[-1])
        else:
            blank = re.sub(r"[^\n]", " ", piece)
            kept.append(blank)
            masked.append(blank)
    return "".join(kept), "".join(masked)


def _arguments(masked: str, start: int) -> list[tuple[int, int]]:
    """The spans of the top-level arguments of the call whose '(' ends just before `start`."""
    spans, depth, begin = [], 0, start
    for i in range(start, len(masked)):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                spans.append((begin, i))
                return spans
            depth -= 1
        elif c == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    raise ValueError("unbalanced call")


def scan(text: str, filename: str = "<text>") -> tuple[list[HookCall], list[str]]:
    """The hook calls in C++ source `text`, and the calls whose method name cannot be read (a name
    that is not a string literal, except in Note, which forwards its own `kind`)."""
    kept, masked = _masked(text)
    definitions = [(m.start(), m.group(1)) for m in _DEFINITION.finditer(masked)]
    calls, unreadable = [], []
    for m in _CALL.finditer(masked):
        args = [kept[a:b].strip() for a, b in _arguments(masked, m.end())]
        if args and _PARAMETER.match(args[0]):
            continue
        hook = m.group(1)
        function = next((name for pos, name in reversed(definitions) if pos < m.start()), "")
        where = f"{filename}:{masked.count(chr(10), 0, m.start()) + 1}"
        names = tuple(_LITERAL.findall(args[2 if hook == "Note" else 1])) if len(args) > 2 else ()
        kind = "".join(_LITERAL.findall(args[1])) if hook == "Note" else ""
        if function.rpartition("::")[2] == "Note" and hook == "CallHook" and not names:
            continue   # Note's own call: the kind and the name are its arguments
        if not names or (hook == "Note" and not kind):
            unreadable.append(f"{where}: {kept[m.start():m.end()]}{', '.join(args)})")
            continue
        calls.append(HookCall(hook, names, kind, function, where))
    return calls, unreadable


def sources() -> list[str]:
    """The C++ files of the shim: proofshim/cxx/*.cxx and proofshim/include/*.h."""
    files = sorted(glob.glob(os.path.join(PACKAGE_DIR, "cxx", "*.cxx")) +
                   glob.glob(os.path.join(PACKAGE_DIR, "include", "*.h")))
    assert files, f"no C++ sources under {PACKAGE_DIR}"
    return files


def scan_sources() -> tuple[list[HookCall], list[str]]:
    """scan() over every C++ file of the shim."""
    calls, unreadable = [], []
    for path in sources():
        with open(path) as fh:
            c, u = scan(fh.read(), os.path.relpath(path, os.path.dirname(PACKAGE_DIR)))
        calls += c
        unreadable += u
    return calls, unreadable


def sent() -> dict[tuple[str, str], list[HookCall]]:
    """(hook, name) -> the calls sending it; a Note's hook is "Note" and its name "Class::Method"."""
    out: dict[tuple[str, str], list[HookCall]] = {}
    for call in scan_sources()[0]:
        for name in call.names:
            out.setdefault((call.hook, name), []).append(call)
    return out
