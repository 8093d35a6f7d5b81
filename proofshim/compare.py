"""Migration checker: run one selector query twice, once in this process with plain ROOT
(`TChain::Process(selector object)`, no PROOF) and once through the shim, and compare every output
object. `proofshim compare ...` (cli.py) prints the table; `compare_query` is the Python function.

The comparison itself (`compare_outputs`) needs only two output lists, so it is usable (and
tested) on hand-built objects without any cluster. The rules:

- objects are matched by name (a second object of one name is matched with the second of the other
  list); a missing or extra object is a difference;
- histograms (TH1/TH2/TH3, profiles): class, title, axes, every bin's content and error (under-
  and overflow included), profile bin entries, entries and the statistics sums;
- trees: branch names and types, entry count and an order-independent checksum of the entries
  (the shim merges worker trees in whatever order the workers finish);
- TParameter by value and type, TNamed by title, TObjString by string, lists element by element;
- anything else by its JSON form (TBufferJSON) without TObject's bookkeeping fields, or reported
  "not compared" when it has none;
- numbers: two integer values must be equal; otherwise they may differ by `tolerance` relative to
  the larger of the two or to the largest value of the same kind in the object (float sums depend
  on the order of additions, which differs once the work is split between workers).

Files written through TProofOutputFile are not compared (only what the output list holds).
"""
from __future__ import annotations

import dataclasses
import fnmatch
import glob
import json
import logging
import math
import os
import time

from .util.errors import CompareError, DatasetError, QueryError
from .plan.options import split_options

log = logging.getLogger("proofshim")

DEFAULT_TOLERANCE = 1e-9
MAX_DETAILS = 3                 # differences listed per object

EQUAL = "equal"
DIFFERENT = "DIFFERENT"
MISSING = "MISSING in shim"
EXTRA = "EXTRA in shim"
NOT_COMPARED = "not compared"
IGNORED = "ignored"
FAILING = (DIFFERENT, MISSING, EXTRA)


# ---------------------------------------------------------------------------------------------
# Pure part: numbers, matching, input parameters, the table. No ROOT here.

@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the comparison table."""

    name: str           # object path in the output list, e.g. "sublist/hntrk"
    cls: str            # class name(s): "TH1F", or "TH1F / TH1D" when they differ
    status: str         # EQUAL, DIFFERENT, MISSING, EXTRA, NOT_COMPARED, IGNORED
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status in FAILING


def values_close(a: float, b: float, rel: float, scale: float = 0.0) -> bool:
    """Whether two numbers agree: integers exactly, other values within `rel` relative to the
    larger of the two or to `scale` (the largest magnitude of that kind of value in the object).

    >>> values_close(3.0, 3.0, 1e-9), values_close(1e12, 1e12 + 1, 1e-9)
    (True, False)
    >>> values_close(0.1 + 0.2, 0.3, 1e-9), values_close(0.1 + 0.2, 0.3, 0.0)
    (True, False)
    >>> values_close(1e-17, 0.0, 1e-9, scale=12.5)
    True
    """
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return False
    if float(a).is_integer() and float(b).is_integer():
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b), abs(scale))


def number(x: float) -> str:
    """A number as the table shows it: integers plainly, others with 12 significant digits."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.12g}"


def differing(local, shim, rel: float, what: str, label=lambda i: str(i)) -> list[str]:
    """Describe (at most MAX_DETAILS, plus a count) the positions where two equally long
    sequences of numbers differ; `label(i)` names position i (e.g. a histogram bin)."""
    scale = max((abs(v) for v in list(local) + list(shim) if not math.isnan(v) and not math.isinf(v)),
                default=0.0)
    bad = [i for i, (a, b) in enumerate(zip(local, shim)) if not values_close(a, b, rel, scale)]
    out = [f"{what} {label(i)}: {number(local[i])} (local) != {number(shim[i])} (shim)"
           for i in bad[:MAX_DETAILS]]
    if len(bad) > MAX_DETAILS:
        out.append(f"{len(bad) - MAX_DETAILS} more {what}s differ")
    return out


def pair_by_name(local_names: list[str], shim_names: list[str]):
    """Pair two lists of names: the k-th object of a name with the k-th of that name on the other
    side; unmatched ones get None. Order: the local list's, then the shim's extras.

    >>> pair_by_name(["a", "b", "a"], ["b", "c", "a"])
    [(0, 2), (1, 0), (2, None), (None, 1)]
    """
    taken: dict[str, list[int]] = {}
    for j, n in enumerate(shim_names):
        taken.setdefault(n, []).append(j)
    pairs, used = [], set()
    for i, n in enumerate(local_names):
        js = taken.get(n)
        j = js.pop(0) if js else None
        if j is not None:
            used.add(j)
        pairs.append((i, j))
    pairs += [(None, j) for j in range(len(shim_names)) if j not in used]
    return pairs


def multiset_difference(local: list[int], shim: list[int]) -> tuple[int, int]:
    """How many items of `local` have no counterpart in `shim` and vice versa (as multisets).

    >>> multiset_difference([1, 2, 2, 3], [3, 2, 1, 4])
    (1, 1)
    """
    from collections import Counter

    a, b = Counter(local), Counter(shim)
    return sum((a - b).values()), sum((b - a).values())


PARAMETER_TYPES = ("Int_t", "Long_t", "Long64_t", "Double_t", "string")
_INT_MIN, _INT_MAX = -(2 ** 31), 2 ** 31 - 1


@dataclasses.dataclass(frozen=True)
class InputParameter:
    """One `--input name[:type]=value`: what TProof::SetParameter stores in the input list."""

    name: str
    type: str           # one of PARAMETER_TYPES
    value: int | float | str


def parse_input(text: str) -> InputParameter:
    """Parse `name=value` or `name:type=value` as PyROOT's `proof.SetParameter(name, value)`
    would type it: an integer in Int_t's range -> Int_t, a larger one -> Long64_t, a decimal
    number -> Double_t, anything else -> a string (TNamed). `:Long_t` etc. force a type.

    >>> parse_input("nbins=50"), parse_input("cut=2.5").type, parse_input("big=10000000000").type
    (InputParameter(name='nbins', type='Int_t', value=50), 'Double_t', 'Long64_t')
    >>> parse_input("n:Long_t=7"), parse_input("tag=v1.2").type, parse_input("s:string=5").value
    (InputParameter(name='n', type='Long_t', value=7), 'string', '5')
    """
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise CompareError(f"--input '{text}': expected name=value or name:type=value "
                           f"(type one of {', '.join(PARAMETER_TYPES)}), e.g. MySel_PtCut=25.0")
    name, _, typ = name.strip().partition(":")
    if not typ:
        try:
            number_ = int(value)
            typ = "Int_t" if _INT_MIN <= number_ <= _INT_MAX else "Long64_t"
        except ValueError:
            try:
                float(value)
                typ = "Double_t" if value.strip().lower() not in ("nan", "inf", "-inf", "infinity") \
                    else "string"
            except ValueError:
                typ = "string"
    if typ not in PARAMETER_TYPES:
        raise CompareError(f"--input '{text}': unknown type '{typ}'; use one of {', '.join(PARAMETER_TYPES)}")
    try:
        if typ == "Double_t":
            return InputParameter(name, typ, float(value))
        if typ == "string":
            return InputParameter(name, typ, value)
        return InputParameter(name, typ, int(value))
    except ValueError:
        raise CompareError(f"--input '{text}': '{value}' is not a valid {typ}") from None


def format_table(rows: list[Row]) -> str:
    """The comparison table, one line per object (details of a difference on following lines)."""
    heads = ("object", "class", "status")
    w = [max([len(h)] + [len(getattr(r, f)) for r in rows]) for h, f in zip(heads, ("name", "cls", "status"))]
    w = [min(x, 48) for x in w]
    lines = ["  ".join(h.ljust(n) for h, n in zip(heads + ("detail",), w + [0])).rstrip(),
             "  ".join("-" * n for n in w + [30])]
    for r in rows:
        details = r.detail.split("\n") if r.detail else [""]
        lines.append("  ".join([r.name.ljust(w[0]), r.cls.ljust(w[1]), r.status.ljust(w[2]),
                                details[0]]).rstrip())
        indent = " " * (sum(w) + 6)
        lines += [indent + d for d in details[1:]]
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """One line: how many objects were equal, different, not compared."""
    counts = {s: sum(r.status == s for r in rows) for s in (EQUAL, DIFFERENT, MISSING, EXTRA,
                                                            NOT_COMPARED, IGNORED)}
    bad = counts[DIFFERENT] + counts[MISSING] + counts[EXTRA]
    parts = [f"{counts[EQUAL]} equal", f"{counts[DIFFERENT]} different"]
    if counts[MISSING] or counts[EXTRA]:
        parts.append(f"{counts[MISSING]} missing and {counts[EXTRA]} extra in the shim's output")
    if counts[NOT_COMPARED]:
        parts.append(f"{counts[NOT_COMPARED]} not compared")
    if counts[IGNORED]:
        parts.append(f"{counts[IGNORED]} ignored")
    verdict = "DIFFERENCES FOUND" if bad else "outputs agree"
    return f"{verdict}: {', '.join(parts)}"


def _json_differences(a, b, rel: float, path: str = "") -> list[str]:
    """Where two parsed JSON documents differ (numbers by `values_close`)."""
    both_numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
    if not both_numbers and type(a) is not type(b):
        return [f"{path or 'value'}: {json.dumps(a)[:60]} (local) != {json.dumps(b)[:60]} (shim)"]
    if isinstance(a, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in the {'local' if k in a else 'shim'} object")
            else:
                out += _json_differences(a[k], b[k], rel, f"{path}.{k}" if path else k)
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} elements (local) != {len(b)} (shim)"]
        if a and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in a + b):
            return differing(a, b, rel, path or "element", label=lambda i: f"[{i}]")
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += _json_differences(x, y, rel, f"{path}[{i}]")
        return out
    if isinstance(a, (int, float)):
        return [] if values_close(float(a), float(b), rel) else \
            [f"{path or 'value'}: {number(a)} (local) != {number(b)} (shim)"]
    return [] if a == b else [f"{path or 'value'}: {json.dumps(a)[:60]} (local) != {json.dumps(b)[:60]} (shim)"]


def _strip_bookkeeping(doc):
    """Drop TObject's fUniqueID/fBits and TBufferJSON's typeinfo keys: they say nothing about content."""
    if isinstance(doc, dict):
        return {k: _strip_bookkeeping(v) for k, v in doc.items() if k not in ("fUniqueID", "fBits")}
    if isinstance(doc, list):
        return [_strip_bookkeeping(v) for v in doc]
    return doc


# ---------------------------------------------------------------------------------------------
# ROOT part: comparing output objects.

_HELPERS = r"""
#include "TTree.h"
#include "TBranch.h"
#include "TBranchElement.h"
#include "TLeaf.h"
#include "TLeafC.h"
#include "TBufferFile.h"
#include "TClass.h"
#include "TH1.h"
#include "TProfile.h"
#include "TProfile2D.h"
#include "TProfile3D.h"
#include "THnBase.h"
#include <string>
#include <vector>
#include <cstring>
namespace ProofShimCompare {
inline void Mix(ULong64_t &h, const void *p, size_t n)
{
   const unsigned char *c = (const unsigned char *)p;
   for (size_t i = 0; i < n; ++i) { h ^= c[i]; h *= 1099511628211ULL; }   // FNV-1a
}
// One 64-bit hash of every entry of `t` over all its top-level branches (names and values; objects
// and STL collections by their streamed bytes). Returns "" or why the tree cannot be hashed.
// The tree's branch addresses are reset: its own buffers are read, never the user's variables.
inline std::string EntryHashes(TTree *t, std::vector<ULong64_t> &out)
{
   t->ResetBranchAddresses();
   TObjArray *branches = t->GetListOfBranches();
   Long64_t n = t->GetEntries();
   out.assign(n, 0);
   TBufferFile buf(TBuffer::kWrite);
   for (TObject *o : *branches) {
      TBranch *b = (TBranch *)o;
      if (!dynamic_cast<TBranchElement *>(b) && b->IsA() != TBranch::Class())
         return std::string("branch '") + b->GetName() + "' is a " + b->ClassName() + ", which is not compared";
   }
   for (Long64_t e = 0; e < n; ++e) {
      if (branches->GetEntriesFast() && t->GetEntry(e) <= 0)
         return "entry " + std::to_string(e) + " cannot be read";
      ULong64_t h = 14695981039346656037ULL;
      for (TObject *o : *branches) {
         TBranch *b = (TBranch *)o;
         Mix(h, b->GetName(), strlen(b->GetName()) + 1);
         if (auto *be = dynamic_cast<TBranchElement *>(b)) {
            TClass *cl = TClass::GetClass(be->GetClassName());
            void *obj = be->GetObject();
            if (!cl || !obj)
               return std::string("branch '") + b->GetName() + "' (" + be->GetClassName() + ") cannot be read back";
            buf.Reset();
            cl->Streamer(obj, buf);
            Mix(h, buf.Buffer(), buf.Length());
         } else {
            for (TObject *lo : *b->GetListOfLeaves()) {
               TLeaf *l = (TLeaf *)lo;
               const char *p = (const char *)l->GetValuePointer();
               if (!p) continue;
               if (dynamic_cast<TLeafC *>(l)) Mix(h, p, strlen(p) + 1);
               else Mix(h, p, (size_t)l->GetLenType() * l->GetLen());
            }
         }
      }
      out[e] = h;
   }
   return "";
}
// THn/THnSparse: the coordinates (ndim per bin, flow bins included) of every bin with content or
// error, with its content and squared error. Sparse bins come in fill order, hence coordinates.
inline void NdimBins(THnBase *h, std::vector<Int_t> &coords, std::vector<double> &content,
                     std::vector<double> &error2)
{
   Int_t ndim = h->GetNdimensions();
   std::vector<Int_t> c(ndim);
   coords.clear(); content.clear(); error2.clear();
   for (Long64_t i = 0; i < h->GetNbins(); ++i) {
      double v = h->GetBinContent(i, c.data());
      double e2 = h->GetBinError2(i);
      if (v == 0 && e2 == 0) continue;
      coords.insert(coords.end(), c.begin(), c.end());
      content.push_back(v);
      error2.push_back(e2);
   }
}
// Contents, errors and (profiles) bin entries of every cell, flow bins included; statistics sums.
inline void HistValues(TH1 *h, std::vector<double> &content, std::vector<double> &error,
                       std::vector<double> &entries, std::vector<double> &stats)
{
   if (h->GetBuffer()) h->BufferEmpty();
   Int_t n = h->GetNcells();
   content.resize(n); error.resize(n); entries.clear();
   for (Int_t i = 0; i < n; ++i) { content[i] = h->GetBinContent(i); error[i] = h->GetBinError(i); }
   auto *p1 = dynamic_cast<TProfile *>(h);
   auto *p2 = dynamic_cast<TProfile2D *>(h);
   auto *p3 = dynamic_cast<TProfile3D *>(h);
   if (p1 || p2 || p3) {
      entries.resize(n);
      for (Int_t i = 0; i < n; ++i) {
         entries[i] = p1 ? p1->GetBinEntries(i) : p2 ? p2->GetBinEntries(i) : p3->GetBinEntries(i);
      }
   }
   stats.assign(16, 0.);
   h->GetStats(stats.data());
}
}
"""
_helpers_declared = False


def _root():
    global _helpers_declared
    from .util import runtime

    ROOT = runtime.import_root()
    if not _helpers_declared:
        if not ROOT.gInterpreter.Declare(_HELPERS):
            raise CompareError("the comparison helpers failed to compile in cling (see the messages above)")
        _helpers_declared = True
    return ROOT


def _cls(a, b) -> str:
    ca, cb = a.ClassName() if a else "", b.ClassName() if b else ""
    return ca if ca == cb or not cb else cb if not ca else f"{ca} / {cb}"


def _axis_description(ax) -> tuple:
    n = ax.GetNbins()
    edges = tuple(ax.GetBinLowEdge(i) for i in range(1, n + 2))
    # An axis label's TObjString carries its bin number as unique ID.
    labels = tuple(sorted((int(lab.GetUniqueID()), str(lab.GetName())) for lab in ax.GetLabels())) \
        if ax.GetLabels() else ()
    return n, edges, labels


def label_permutation(nbins: int, local: tuple, shim: tuple) -> list[int] | None:
    """For two 1-D axes with the same labels on other bins (labelled histograms merged in another
    order): the shim's cell for each local cell (flow bins and unlabelled bins in order); None
    when the labels differ as a set.

    >>> label_permutation(3, ((1, "a"), (2, "b")), ((1, "b"), (3, "a")))
    [0, 3, 1, 2, 4]
    """
    if sorted(name for _, name in local) != sorted(name for _, name in shim):
        return None
    where = {name: b for b, name in shim}
    perm = list(range(nbins + 2))
    for b, name in local:
        perm[b] = where[name]
    rest_local = [b for b in range(1, nbins + 1) if b not in {x for x, _ in local}]
    rest_shim = [b for b in range(1, nbins + 1) if b not in {x for x, _ in shim}]
    for b, c in zip(rest_local, rest_shim):
        perm[b] = c
    return perm


def _bin_label(h):
    nx, ny = h.GetNbinsX() + 2, h.GetNbinsY() + 2
    dim = h.GetDimension()

    def label(i):
        ix, iy, iz = i % nx, (i // nx) % ny, i // (nx * ny)
        return f"{ix}" if dim == 1 else f"({ix},{iy})" if dim == 2 else f"({ix},{iy},{iz})"
    return label


_STAT_NAMES = {1: ["sumw", "sumw2", "sumwx", "sumwx2"],
               2: ["sumw", "sumw2", "sumwx", "sumwx2", "sumwy", "sumwy2", "sumwxy"],
               3: ["sumw", "sumw2", "sumwx", "sumwx2", "sumwy", "sumwy2", "sumwxy", "sumwz", "sumwz2",
                   "sumwxz", "sumwyz"]}


def compare_histograms(a, b, rel: float, notes: list[str] | None = None) -> list[str]:
    """Differences between two histograms (any dimension, profiles): axes, bins, entries, stats.

    1-D histograms with the same labels on other bins are compared label by label (merging
    labelled histograms orders the labels as the parts came in); `notes` then says so.
    """
    ROOT = _root()
    out = []
    perm = None
    if a.GetDimension() != b.GetDimension():
        return [f"dimension {a.GetDimension()} (local) != {b.GetDimension()} (shim)"]
    if str(a.GetTitle()) != str(b.GetTitle()):
        out.append(f"title '{a.GetTitle()}' (local) != '{b.GetTitle()}' (shim)")
    vecs = [[ROOT.std.vector["double"]() for _ in range(4)] for _ in range(2)]
    for h, v in zip((a, b), vecs):
        ROOT.ProofShimCompare.HistValues(h, *v)
    for axis, (ax, bx) in zip("xyz", ((a.GetXaxis(), b.GetXaxis()), (a.GetYaxis(), b.GetYaxis()),
                                      (a.GetZaxis(), b.GetZaxis()))[:a.GetDimension()]):
        (na, ea, la), (nb, eb, lb) = _axis_description(ax), _axis_description(bx)
        if na != nb:
            out.append(f"{axis} axis: {na} bins (local) != {nb} (shim)")
        elif ea != eb:
            i = next(k for k in range(len(ea)) if ea[k] != eb[k])
            out.append(f"{axis} axis: bin edge {i}: {number(ea[i])} (local) != {number(eb[i])} (shim)")
        elif la != lb:
            perm = label_permutation(na, la, lb) if a.GetDimension() == 1 else None
            if perm is None:
                out.append(f"{axis} axis: labels {[n for _, n in la][:5]} (local) != "
                           f"{[n for _, n in lb][:5]} (shim)")
            elif notes is not None:
                notes.append("labels in another bin order (merge order), compared label by label")
    if out and any("axis" in d for d in out):
        return out
    label = _bin_label(a)
    (ca, ea, na, sa), (cb, eb, nb, sb) = [[list(x) for x in v] for v in vecs]
    if perm is not None:
        cb, eb, nb = ([x[p] for p in perm] if x else x for x in (cb, eb, nb))
    out += differing(ca, cb, rel, "bin", label=lambda i: f"{label(i)} content")
    out += differing(ea, eb, rel, "bin", label=lambda i: f"{label(i)} error")
    if na or nb:
        out += differing(na, nb, rel, "bin", label=lambda i: f"{label(i)} entries")
    if not values_close(a.GetEntries(), b.GetEntries(), rel):
        out.append(f"entries {number(a.GetEntries())} (local) != {number(b.GetEntries())} (shim)")
    names = _STAT_NAMES[a.GetDimension()]
    if perm is not None:
        names = names[:2]       # sums of w*x depend on which bin (x) a label got
    elif a.InheritsFrom("TProfile") or a.InheritsFrom("TProfile2D") or a.InheritsFrom("TProfile3D"):
        names = names + {1: ["sumwy", "sumwy2"], 2: ["sumwz", "sumwz2"], 3: ["sumwt", "sumwt2"]}[a.GetDimension()]
    for i, name in enumerate(names):
        if not values_close(sa[i], sb[i], rel, max(abs(x) for x in sa[:len(names)] + sb[:len(names)])):
            out.append(f"statistics {name}: {number(sa[i])} (local) != {number(sb[i])} (shim)")
    return out


def compare_ndim(a, b, rel: float) -> list[str]:
    """Differences between two THn/THnSparse: axes, then every non-empty bin by its coordinates."""
    ROOT = _root()
    if a.GetNdimensions() != b.GetNdimensions():
        return [f"{a.GetNdimensions()} dimensions (local) != {b.GetNdimensions()} (shim)"]
    out = []
    for d in range(a.GetNdimensions()):
        if _axis_description(a.GetAxis(d)) != _axis_description(b.GetAxis(d)):
            out.append(f"axis {d} ({a.GetAxis(d).GetName()}) differs: bins or edges or labels")
    if out:
        return out
    nd = a.GetNdimensions()
    bins = []
    for h in (a, b):
        coords, content, err2 = ROOT.std.vector["Int_t"](), ROOT.std.vector["double"](), ROOT.std.vector["double"]()
        ROOT.ProofShimCompare.NdimBins(h, coords, content, err2)
        flat = list(coords)
        bins.append({tuple(flat[k * nd:(k + 1) * nd]): (content[k], err2[k]) for k in range(len(content))})
    keys = sorted(set(bins[0]) | set(bins[1]))
    zero = (0.0, 0.0)
    la = [bins[0].get(k, zero) for k in keys]
    lb = [bins[1].get(k, zero) for k in keys]

    def label(i):
        return str(keys[i]).replace(" ", "")
    out += differing([x[0] for x in la], [x[0] for x in lb], rel, "bin", label=lambda i: f"{label(i)} content")
    out += differing([x[1] for x in la], [x[1] for x in lb], rel, "bin", label=lambda i: f"{label(i)} error^2")
    if not values_close(a.GetEntries(), b.GetEntries(), rel):
        out.append(f"entries {number(a.GetEntries())} (local) != {number(b.GetEntries())} (shim)")
    return out


def tree_hashes(tree) -> tuple[list[int], str]:
    """(per-entry hashes, "") of an output tree, or ([], why it cannot be compared)."""
    ROOT = _root()
    v = ROOT.std.vector["ULong64_t"]()
    err = str(ROOT.ProofShimCompare.EntryHashes(tree, v))
    return (list(v), "") if not err else ([], err)


def _branch_types(tree) -> list[tuple[str, str]]:
    out = []
    for b in tree.GetListOfBranches():
        if b.IsA().GetName() == "TBranch":
            out.append((str(b.GetName()), str(b.GetTitle())))
        else:
            out.append((str(b.GetName()), str(b.GetClassName())))
    return out


def compare_trees(a, b) -> tuple[list[str], str]:
    """(differences, "") between two trees by branches, entry count and entry checksums; or
    ([], reason) when they cannot be compared."""
    ba, bb = _branch_types(a), _branch_types(b)
    if ba != bb:
        only_a = [f"{n} ({t})" for n, t in ba if (n, t) not in bb]
        only_b = [f"{n} ({t})" for n, t in bb if (n, t) not in ba]
        return [f"branches differ: local only {only_a or '-'}, shim only {only_b or '-'}"], ""
    na, nb = int(a.GetEntries()), int(b.GetEntries())
    if na != nb:
        return [f"{na} entries (local) != {nb} (shim)"], ""
    ha, why = tree_hashes(a)
    if why:
        return [], why
    hb, why = tree_hashes(b)
    if why:
        return [], why
    la, lb = multiset_difference(ha, hb)
    if la or lb:
        return [(f"{na} entries each, but {la} entries of the local tree have no identical entry in "
                 f"the shim's ({lb} the other way round)")], ""
    return [], ""


def _json_of(ROOT, obj):
    text = str(ROOT.TBufferJSON.ConvertToJSON(obj))
    if not text:
        return None
    try:
        return _strip_bookkeeping(json.loads(text))
    except ValueError:
        return None


def _tree_summary(tree) -> str:
    return f"{int(tree.GetEntries())} entries"


def compare_objects(a, b, rel: float, name: str) -> list[Row]:
    """Rows for one pair of same-named objects (lists give one row per element, "list/elem")."""
    ROOT = _root()
    cls = _cls(a, b)
    if a.ClassName() != b.ClassName():
        return [Row(name, cls, DIFFERENT, f"class {a.ClassName()} (local) != {b.ClassName()} (shim)")]
    if a.InheritsFrom("TCollection") and not a.InheritsFrom("TMap"):
        inner = compare_outputs(a, b, rel, prefix=name + "/")
        bad = sum(r.failed for r in inner)
        return [Row(name, cls, DIFFERENT if bad else EQUAL,
                    f"{bad} of its elements differ (below)" if bad else
                    f"{a.GetSize()} elements")] + inner
    if a.InheritsFrom("TH1"):
        notes: list[str] = []
        diffs = _capped(compare_histograms(a, b, rel, notes))
        return [Row(name, cls, DIFFERENT if diffs else EQUAL,
                    "\n".join(diffs) if diffs else "; ".join([f"{number(a.GetEntries())} entries"] + notes))]
    if a.InheritsFrom("THnBase"):
        diffs = _capped(compare_ndim(a, b, rel))
        return [Row(name, cls, DIFFERENT if diffs else EQUAL,
                    "\n".join(diffs) if diffs else f"{number(a.GetEntries())} entries")]
    if a.InheritsFrom("TTree"):
        diffs, why = compare_trees(a, b)
        if why:
            return [Row(name, cls, NOT_COMPARED, f"{_tree_summary(a)} each; content not compared: {why}")]
        return [Row(name, cls, DIFFERENT if diffs else EQUAL, "\n".join(diffs) if diffs else
                    f"{_tree_summary(a)}, same content")]
    if cls.startswith("TParameter<"):
        va, vb = a.GetVal(), b.GetVal()
        ok = (va == vb) if isinstance(va, int) else values_close(float(va), float(vb), rel)
        return [Row(name, cls, EQUAL if ok else DIFFERENT,
                    f"{number(va)}" if ok else f"value {number(va)} (local) != {number(vb)} (shim)")]
    if cls == "TObjString":
        sa, sb = str(a.GetString()), str(b.GetString())
        return [Row(name, cls, EQUAL if sa == sb else DIFFERENT, "" if sa == sb else
                    f"'{sa[:60]}' (local) != '{sb[:60]}' (shim)")]
    if cls == "TNamed":
        sa, sb = str(a.GetTitle()), str(b.GetTitle())
        return [Row(name, cls, EQUAL if sa == sb else DIFFERENT, f"'{sa[:60]}'" if sa == sb else
                    f"title '{sa[:60]}' (local) != '{sb[:60]}' (shim)")]
    ja, jb = _json_of(ROOT, a), _json_of(ROOT, b)
    if ja is None or jb is None:
        return [Row(name, cls, NOT_COMPARED, "no JSON form (TBufferJSON) to compare")]
    diffs = _capped(_json_differences(ja, jb, rel))
    return [Row(name, cls, DIFFERENT if diffs else EQUAL,
                "\n".join(diffs) if diffs else "same JSON form (TBufferJSON)")]


def _capped(details: list[str], limit: int = MAX_DETAILS + 2) -> list[str]:
    """The first `limit` lines of an object's differences, and how many more there are."""
    if len(details) <= limit:
        return details
    return details[:limit] + [f"... and {len(details) - limit} more"]


def compare_outputs(local, shim, rel: float = DEFAULT_TOLERANCE, *, ignore=(), prefix: str = "") -> list[Row]:
    """Compare two output lists (or any two ROOT collections) object by object; see the module
    docstring for the rules. `ignore` holds glob patterns of object paths (e.g. "n_SlaveBegin",
    "debug/*") reported as ignored instead of compared."""
    a_objs, b_objs = list(local), list(shim)
    rows = []
    matched = set()
    for i, j in pair_by_name([str(o.GetName()) for o in a_objs], [str(o.GetName()) for o in b_objs]):
        a = a_objs[i] if i is not None else None
        b = b_objs[j] if j is not None else None
        name = prefix + str((a or b).GetName())
        if any(fnmatch.fnmatchcase(name, pat) for pat in ignore):
            rows.append(Row(name, _cls(a, b), IGNORED))
        elif b is None:
            rows.append(Row(name, _cls(a, b), MISSING, "the local run has it, the shim's output list not"))
        elif a is None:
            rows.append(_extra_row(name, b, twin=name in matched))
        else:
            matched.add(name)
            rows += compare_objects(a, b, rel, name)
    return rows


def _extra_row(name: str, obj, twin: bool) -> Row:
    if name == "MissingFiles":
        files = [f"{o.GetCurrentUrl().GetUrl() if o.InheritsFrom('TFileInfo') else o.GetName()}: "
                 f"{o.GetTitle()}" for o in obj]
        return Row(name, obj.ClassName(), EXTRA, "the shim skipped unreadable files:\n" + "\n".join(files))
    if name == "PROOF_SelectorStatus":
        return Row(name, obj.ClassName(), NOT_COMPARED, "PROOF bookkeeping (see Process return value)")
    if twin and not obj.IsA().GetMethodAllAny("Merge"):
        return Row(name, obj.ClassName(), EXTRA,
                   f"a second '{name}': {obj.ClassName()} has no Merge method, so each worker's copy is "
                   "kept (PROOF's rule); create it in Begin/Terminate or use a mergeable class")
    return Row(name, obj.ClassName(), EXTRA, "only the shim's output list has it")


# ---------------------------------------------------------------------------------------------
# Running the query twice.

def make_parameter(ROOT, p: InputParameter):
    """The object TProof::SetParameter stores for `p` (TParameter<T> of the exact type, or TNamed)."""
    if p.type == "string":
        return ROOT.TNamed(p.name, str(p.value))
    ctype = {"Int_t": "Int_t", "Long_t": "Long_t", "Long64_t": "Long64_t", "Double_t": "Double_t"}[p.type]
    return ROOT.TParameter[ctype](p.name, p.value)


def set_parameter(proof, p: InputParameter) -> None:
    """proof.SetParameter(name, value) with the overload of `p.type` (types exactly as local)."""
    sig = "const char*, const char*" if p.type == "string" else f"const char*, {p.type}"
    proof.SetParameter.__overload__(sig)(p.name, str(p.value) if p.type == "string" else p.value)


@dataclasses.dataclass
class Comparison:
    """The result of `compare_query`: the table rows and how each run went."""

    rows: list[Row]
    local_status: int
    shim_status: int
    shim_entries: int
    local_seconds: float
    shim_seconds: float
    tolerance: float
    header: list[str]

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.rows)

    def report(self) -> str:
        """Header, table and summary as `proofshim compare` prints them."""
        return "\n".join(self.header + ["", format_table(self.rows), "", summary(self.rows)])

    def as_dict(self) -> dict:
        return {"ok": self.ok, "tolerance": self.tolerance, "local_status": self.local_status,
                "shim_status": self.shim_status, "shim_entries": self.shim_entries,
                "rows": [dataclasses.asdict(r) | {"failed": r.failed} for r in self.rows]}


def expand_files(files) -> list[str]:
    """Local paths with wildcards expanded (sorted, as TChain::Add does); URLs kept as they are."""
    out = []
    for f in files:
        f = str(f)
        matches = sorted(glob.glob(f)) if "://" not in f and glob.has_magic(f) else []
        out += matches or [f]
    return out


def _check_files(files: list[str], tree: str) -> None:
    from .util import runtime

    if not files:
        raise CompareError("no input files: give them with --files a.root b.root ...")
    for path in files:
        f = runtime.open_file(path)
        if f is None:
            raise DatasetError(f"input file '{path}' cannot be opened; check the path (or URL)")
        try:
            t = f.Get(tree)
            if not t or not t.InheritsFrom("TTree"):
                raise DatasetError(f"input file '{path}' has no tree '{tree}'; name the tree with --tree")
        finally:
            f.Close()


def _chain(ROOT, tree: str, files: list[str]):
    c = ROOT.TChain(tree)
    for f in files:
        c.Add(f)
    return c


def compare_query(selector: str, files: list[str], *, tree: str = "T", nentries: int = -1,
                  first: int = 0, option: str = "", inputs=(), url: str | None = None,
                  workers: int | None = None, tolerance: float = DEFAULT_TOLERANCE,
                  ignore=()) -> Comparison:
    """Run `selector` ("MySel.C+") over `files` locally and through the shim; compare the outputs.

    `inputs` are InputParameter objects or "name[:type]=value" strings. The shim run opens `url`
    (default: an embedded cluster of `workers` workers, or PROOF-Lite's default) and closes it
    afterwards; with both `url` and `workers`, SetParallel(workers) is applied.
    Raises a ProofShimError when either run fails (as opposed to giving different outputs).
    """
    import proofshim  # noqa: F401 - installs the shim

    from .plan import selector as selmod

    ROOT = _root()
    ROOT.gROOT.SetBatch(True)
    params = [p if isinstance(p, InputParameter) else parse_input(p) for p in inputs]
    if tolerance < 0:
        raise CompareError(f"tolerance {tolerance} is negative: give a relative tolerance such as 1e-9")
    files = expand_files(files)
    _check_files(files, tree)
    # Compiled once into proofshim's cache (not beside the user's source); the shim run then finds
    # the class already loaded and ships the same code to the workers.
    spec = selmod.parse(selector)
    if spec.path is None:
        raise CompareError(f"selector '{selector}': give its source file with an ACLiC suffix, "
                           f"e.g. '{selector}.C+', so that it can be compiled for both runs")
    code = selmod.collect(spec)
    class_name = selmod.load(code)
    sel_arg = os.path.abspath(spec.path) + spec.mode

    # 1. Local: plain TTreePlayer in this process (the chain is not SetProof'd).
    local_inputs = ROOT.TList()
    local_inputs.SetOwner(True)
    for p in params:
        obj = make_parameter(ROOT, p)
        ROOT.SetOwnership(obj, False)
        local_inputs.Add(obj)
    sel = selmod.instantiate(class_name)
    sel.SetInputList(local_inputs)
    local_chain = _chain(ROOT, tree, files)
    t0 = time.monotonic()
    # PROOF took its own tokens (fb=, stats, of=, ...) out of the option before the selector saw it.
    local_option, _ = split_options(option)
    local_status = int(local_chain.Process(sel, local_option, nentries, first))
    local_seconds = time.monotonic() - t0

    # 2. Through the shim.
    open_url = url if url is not None else (f"workers={workers}" if workers else "")
    proof = ROOT.TProof.Open(open_url)
    if not proof or not proof.IsValid():
        raise QueryError(f"TProof.Open('{open_url}') failed for the shim run (see the messages above); "
                         "check --url")
    try:
        if workers and url is not None:
            proof.SetParallel(workers)
        proof.ClearInput()
        for p in params:
            set_parameter(proof, p)
        shim_chain = _chain(ROOT, tree, files)
        shim_chain.SetProof()
        done_before = proof.GetQueryResults().GetSize()
        t0 = time.monotonic()
        shim_status = int(shim_chain.Process(sel_arg, option, nentries, first))
        shim_seconds = time.monotonic() - t0
        if proof.GetQueryResults().GetSize() == done_before:
            raise QueryError(f"the shim run of {selector} failed (see the messages above); the local "
                             f"run returned {local_status}")
        qr = proof.GetQueryResult()
        shim_entries = int(qr.GetEntries()) if qr else -1
        rows = compare_outputs(sel.GetOutputList(), proof.GetOutputList(), tolerance, ignore=tuple(ignore))
        nworkers = int(proof.GetParallel())
        shim_url = str(proof.GetUrl()) if hasattr(proof, "GetUrl") else (url or "")
    finally:
        proof.Close()
    rows.append(Row("(Process return value)", "", EQUAL if local_status == shim_status else DIFFERENT,
                    str(local_status) if local_status == shim_status else
                    f"{local_status} (local) != {shim_status} (shim)"))
    what = "all entries" if nentries in (-1, None) else f"{nentries} entries"
    header = [
        f"proofshim compare: {selector} on {len(files)} file(s), tree '{tree}', {what}"
        + (f" from entry {first}" if first else "") + (f", option '{option}'" if option else ""),
        f"  local: TChain::Process in one process, {local_seconds:.1f} s, returned {local_status}",
        (f"  shim:  {nworkers} worker(s) ({shim_url}), {shim_entries} entries processed, "
         f"{shim_seconds:.1f} s, returned {shim_status}"),
        (f"  numbers: integer values must be equal; others may differ by {tolerance:g} relative "
         "(float sums depend on the order of additions)"),
        "  not compared: files written through TProofOutputFile",
    ]
    del sel, local_chain
    return Comparison(rows, local_status, shim_status, shim_entries, local_seconds, shim_seconds,
                      tolerance, header)


__all__ = ["DEFAULT_TOLERANCE", "Comparison", "Row", "compare_outputs", "compare_query", "parse_input",
           "values_close"]
