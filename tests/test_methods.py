"""The registry of the methods the C++ classes hand to Python (proofshim/face/methods.py) and the C++
sources agree, read as text (no ROOT objects): every name a C++ method sends through CallHook,
ObjectHook or Note has exactly one row, no row is dead, and a Note's kind is its row's status."""
from __future__ import annotations

import re

import cxxhooks
import pytest

from proofshim.face import methods

SNIPPET = r'''
// ProofShim::CallHook(this, "InAComment", "", 0);
namespace ProofShim {
Long64_t CallHook(TProof *p, const char *method, const char *sarg = "", Long64_t iarg = 0);
static void Note(TProof *p, const char *kind, const char *where)
{
   CallHook(p, kind, where, 0);
}
}
Int_t TProof::SetParallel(Int_t nodes, Bool_t random)
{
   printf("ProofShim::CallHook(this, \"InALiteral\")");
   return (Int_t)ProofShim::CallHook(this, random ? "SetParallelRandom" : "SetParallel", "", nodes);
}
TProof::TProof(const char *url) : fUrl(url)
{
   ProofShim::Note(this, "NoEffect", "TProof::Touch");
}
static Int_t Helper(TProof *p, const char *name)
{
   TObject *v = ProofShim::ObjectHook(p, "GetRC", TString::Format("%s\n%s", name, "0"));
   return ProofShim::CallHook(p, name, "", 0);
}
'''


def test_scanner_reads_names_kinds_and_functions():
    calls, unreadable = cxxhooks.scan(SNIPPET, "snippet.cxx")
    assert [(c.hook, c.names, c.kind, c.function) for c in calls] == [
        ("CallHook", ("SetParallelRandom", "SetParallel"), "", "TProof::SetParallel"),
        ("Note", ("TProof::Touch",), "NoEffect", "TProof::TProof"),
        ("ObjectHook", ("GetRC",), "", "Helper"),
    ], "comments, literals, declarations and Note's own forwarding call are not hook calls"
    assert calls[2].method == "" and calls[0].method == "TProof::SetParallel"
    assert len(unreadable) == 1 and unreadable[0].startswith("snippet.cxx:22: ") and "name" in unreadable[0]


@pytest.fixture(scope="module")
def sent():
    return cxxhooks.sent()


def test_every_hook_call_names_its_method_literally():
    calls, unreadable = cxxhooks.scan_sources()
    assert not unreadable, "hook calls whose method name is not a string literal (the registry cannot be " \
                           "checked against them):\n" + "\n".join(unreadable)
    assert len(calls) > 50, f"only {len(calls)} hook calls found in {cxxhooks.sources()}: is the scanner broken?"


def test_every_name_sent_has_exactly_one_row(sent):
    missing = sorted(f"{hook} {name!r} ({calls[0].where})" for (hook, name), calls in sent.items()
                     if (hook, name) not in methods.METHODS)
    assert not missing, "names the C++ sends without a row in proofshim/face/methods.py:\n" + "\n".join(missing)
    for hook, name in sent:
        assert [m for m in methods.rows(hook) if m.name == name] == [methods.find(hook, name)]


def test_no_row_is_dead(sent):
    dead = sorted(f"{m.hook} {m.name!r}" for m in methods.rows() if (m.hook, m.name) not in sent)
    assert not dead, "rows of proofshim/face/methods.py that no C++ method sends:\n" + "\n".join(dead)


def test_note_kind_is_the_rows_status_and_names_its_own_method(sent):
    problems = []
    for (hook, name), calls in sent.items():
        if hook != methods.NOTE:
            continue
        for call in calls:
            if methods.NOTE_KINDS.get(call.kind) != methods.find(hook, name).status:
                problems.append(f"{call.where}: Note(..., {call.kind!r}, {name!r}) but its row says "
                                f"{methods.find(hook, name).status!r}")
            if call.method != name:
                problems.append(f"{call.where}: {call.function} notes {name!r}, not itself")
    assert not problems, "\n".join(problems)


def test_rows_are_well_formed():
    for m in methods.rows():
        assert m.hook in (methods.CALL, methods.OBJECT, methods.NOTE), m
        if m.hook == methods.NOTE:
            assert m.status in (methods.NO_EFFECT, methods.REFUSED) and m.handler is None, m
            assert re.fullmatch(r"T\w+::\w+", m.name) and m.reason and not m.reason.endswith("."), m.name
        else:
            assert m.status == methods.SUPPORTED and callable(m.handler) and not m.reason, m.name
            assert re.fullmatch(r"\w+", m.name), m.name
    with pytest.raises(ValueError, match="declared twice"):
        methods._index([methods.no_effect("TProof::X", "why"), methods.no_effect("TProof::X", "other")])
    with pytest.raises(ValueError, match="supported"):
        methods.find(methods.CALL, "Print").message()
