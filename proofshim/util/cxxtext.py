"""C++ source text: its code told apart from its comments and string and character literals, so
that rewrites (legacy macros, PAR packages' SETUP functions) never touch the latter. Pure Python."""
from __future__ import annotations

import re

# Comments, string and character literals: never rewritten.
_NOT_CODE = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def code_parts(text: str) -> list[tuple[bool, str]]:
    """`text` cut into (is_code, piece): comments and literals are the pieces that are not code.

    >>> code_parts('a->SetProof(); // b->SetProof()')
    [(True, 'a->SetProof(); '), (False, '// b->SetProof()')]
    """
    parts, pos = [], 0
    for m in _NOT_CODE.finditer(text):
        if m.start() > pos:
            parts.append((True, text[pos:m.start()]))
        parts.append((False, m.group(0)))
        pos = m.end()
    if pos < len(text):
        parts.append((True, text[pos:]))
    return parts


def in_code(text: str, fn) -> str:
    """`text` with `fn` applied to its code only (not to comments and string literals).

    >>> in_code('SETUP() { Printf("SETUP()"); }', lambda c: c.replace("SETUP", "S2"))
    'S2() { Printf("SETUP()"); }'
    """
    return "".join(fn(piece) if code else piece for code, piece in code_parts(text))
