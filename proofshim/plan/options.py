"""Query options: PROOF removed its own tokens from the option string before the selector saw it.
Pure logic, no ROOT, no dask.

>>> split_options("fb=hpx,hpy stats myopt")
('myopt', {'feedback': ['hpx', 'hpy'], 'stats': True})
>>> split_options("ASYN tight")
('ASYN tight', {'asyn': True})
>>> split_options("plain")
('plain', {})
"""
from __future__ import annotations

import re

_TOKENS = [
    ("feedback", re.compile(r"^(?:fb|feedback)=(?P<v>\S*)$", re.IGNORECASE)),
    ("stats", re.compile(r"^stats$", re.IGNORECASE)),
    ("outfile", re.compile(r"^(?:of|outfile)=(?P<v>\S*)$", re.IGNORECASE)),
    ("dataset", re.compile(r"^(?:ds|dataset)(?:=(?P<v>\S*))?$", re.IGNORECASE)),
    ("savetofile", re.compile(r"^(?:stf|savetofile)(?:=(?P<v>\S*))?$", re.IGNORECASE)),
]


def split_options(option: str | None) -> tuple[str, dict]:
    """Return (the option the selector sees, the PROOF settings found in it)."""
    text = option or ""
    found: dict = {}
    kept = []
    for tok in text.split():
        for name, rx in _TOKENS:
            m = rx.match(tok)
            if m:
                value = m.groupdict().get("v")
                if name == "feedback":
                    found[name] = [v for v in (value or "").split(",") if v]
                else:
                    found[name] = value if value else True
                break
        else:
            kept.append(tok)
            if tok.upper() == "ASYN":
                found["asyn"] = True
    if len(kept) == len(text.split()):
        return text, found
    return " ".join(kept), found
