"""TTree::Draw on a SetProof'd chain, TDSet::Draw and TProof::DrawSelect, run on the workers.

The client runs ROOT's own TSelectorDraw (ProofShim::DrawEngine) up to Begin, so the object is
created, named, titled and placed exactly as a local Draw would. When the binning is automatic, a
first query on the workers finds the extreme values and the engine derives the axes from them as
TSelectorDraw does; a second query fills copies of the (empty) object on the workers, and the
merged result is added to the client's object.
"""
from __future__ import annotations

import array
import contextlib
import logging

from . import query
from ..util import runtime
from ..plan import selector
from ..util.errors import DatasetError, ProofShimError

log = logging.getLogger("proofshim")

DRAW_SELECTOR = "ProofShim::DrawSelector"
# TSelectorDraw's actions whose object is a histogram or profile filled from the values.
HISTOGRAM_ACTIONS = {1: "1-D histogram", 2: "2-D histogram", 3: "3-D histogram", 4: "profile",
                     23: "2-D profile", 33: "2-D histogram with colours"}
ROWS = "PROOFSHIM_DrawRows"
# TSelectorDraw's actions that keep every point (or list) rather than fill a histogram.
REFUSED_ACTIONS = {6: "parallel coordinates", 7: "a candle plot"}


def split_varexp(varexp: str) -> str:
    """The expression part of a Draw varexp: everything before the last '>>'."""
    at = varexp.rfind(">>")
    return varexp if at < 0 else varexp[:at]


def run(session, kind: str, data, varexp: str, option: str, nentries: int, first: int, extra) -> int:
    """One parallel Draw; return the number of selected rows as TTree::Draw does, -1 on error."""
    ROOT = runtime.load_library()
    items = [runtime.downcast(o) for o in runtime.downcast(extra)] if extra else []
    selection = str(items[0].GetName()) if items else ""
    enl = items[1] if len(items) > 1 else None
    data_kind = kind.split(":", 1)[1]
    with _client_tree(ROOT, data_kind, data) as tree:
        engine = ROOT.ProofShim.DrawEngine()
        if engine.Start(tree, varexp, selection, option) != 0 or engine.GetAbort():
            # An expression that does not compile: TTreeFormula has said why, as in a local Draw,
            # and TSelectorDraw aborted before choosing an action; a local Draw returns -1 too.
            return -1
        action = abs(int(engine.GetActionCode()))
        if action in (12, 13):
            # A scatter plot needs every point on the client; the histogram of the points is drawn.
            engine.ScatterAsHistogram()
            action, dim, how = (2, "2-D", "scat") if action == 12 else (3, "3-D", "box")
            log.info("'%s': the %s scatter plot is drawn as a histogram of the points (option \"%s\") "
                     "when processed with proofshim", varexp, dim, how, extra={"where": "TProof::DrawSelect"})
        if action not in HISTOGRAM_ACTIONS:
            kind_name = REFUSED_ACTIONS.get(action, "event or entry lists, parallel coordinates, candle "
                                                    "plots, 4-D")
            raise ProofShimError(
                f"Draw(\"{varexp}\", \"{selection}\", \"{option}\"): this kind of Draw (TSelectorDraw "
                f"action {action}: {kind_name}) is not run in parallel by proofshim; draw it locally "
                "(chain.SetProof(False)) instead")
        obj = engine.GetObject()
        expr = split_varexp(varexp)
        inputs = [ROOT.TNamed("varexp", expr), ROOT.TNamed("selection", selection)]

        def workers(mode: str, extra_inputs=()):
            tag = ROOT.TNamed("PROOFSHIM_Draw", mode)
            rc = query.run(session, data_kind, data, "", None, option, nentries, first, enl,
                           code=selector.builtin(DRAW_SELECTOR), inputs=[tag, *inputs, *extra_inputs])
            return rc, session.proof.GetOutputList()

        if engine.NeedsLimits():
            rc, out = workers("limits")
            if rc < 0:
                return -1
            rows = _rows(out)
            if rows == 0:
                _drop_internal(out)
                _finish(ROOT, kind, data, engine, obj, 0, option, session.proof)
                return 0
            dim = int(engine.GetDimension())
            lo = [out.FindObject(f"PROOFSHIM_DrawMin{i}").GetVal() for i in range(dim)]
            hi = [out.FindObject(f"PROOFSHIM_DrawMax{i}").GetVal() for i in range(dim)]
            engine.Estimate(_doubles(lo), _doubles(hi))
        target = ROOT.TList()
        target.SetName("PROOFSHIM_DrawTarget")
        empty = obj.Clone()
        empty.Reset()
        if empty.InheritsFrom("TH1"):
            empty.SetDirectory(ROOT.nullptr)
            # The axes already span every value; left extendable, TSelectorDraw would re-derive them
            # from each worker's own values.
            empty.SetCanExtend(ROOT.TH1.kNoAxis)
        target.Add(empty)
        target.SetOwner(True)
        rc, out = workers("fill", [target])
        if rc < 0:
            return -1
        rows = _rows(out)
        merged = out.FindObject(obj.GetName())
        if merged and rows:
            obj.Add(merged)
        _drop_internal(out)
        _finish(ROOT, kind, data, engine, obj, rows, option, session.proof)
        return rows


def _rows(out) -> int:
    p = out.FindObject(ROWS)
    return int(p.GetVal()) if p else 0


def _drop_internal(out) -> None:
    for o in list(out):
        if str(o.GetName()).startswith("PROOFSHIM_Draw"):
            out.Remove(o)


def _doubles(values):
    return array.array("d", values)


# PROOF's drawing attributes (TProof::SetParameter), applied to the drawn object as TProofDraw did.
DRAW_ATTRIBUTES = (("PROOF_LineColor", "SetLineColor"), ("PROOF_LineStyle", "SetLineStyle"),
                   ("PROOF_LineWidth", "SetLineWidth"), ("PROOF_MarkerColor", "SetMarkerColor"),
                   ("PROOF_MarkerStyle", "SetMarkerStyle"), ("PROOF_MarkerSize", "SetMarkerSize"),
                   ("PROOF_FillColor", "SetFillColor"), ("PROOF_FillStyle", "SetFillStyle"))


def _apply_draw_attributes(proof, obj) -> None:
    for name, setter in DRAW_ATTRIBUTES:
        par = proof.GetParameter(name)
        value = getattr(par, "GetVal", None) if par else None
        if callable(value) and hasattr(obj, setter):
            getattr(obj, setter)(value())


def _finish(ROOT, kind, data, engine, obj, rows: int, option: str, proof=None) -> None:
    """What TTree::Draw does after its loop: remember the result and draw it unless 'goff'."""
    if proof is not None:
        _apply_draw_attributes(proof, obj)
    engine.SetSelectedRows(rows)
    if kind == "draw:tree":
        ROOT.ProofShim.SetDrawResult(data, obj if obj.InheritsFrom("TH1") else ROOT.nullptr, rows)
    if rows and "goff" not in option.lower():
        if not ROOT.gPad:
            ROOT.gROOT.MakeDefCanvas()
        obj.Draw(option)
        ROOT.gPad.Update()


@contextlib.contextmanager
def _client_tree(ROOT, kind: str, data):
    """A tree the client's TSelectorDraw can compile the expressions against."""
    if kind == "tree":
        yield data
        return
    elements = query.elements_of(kind, data)
    if not elements:
        raise DatasetError(f"'{data.GetName()}' has no files to draw from")
    e = elements[0]
    if e.object_type:
        raise DatasetError(f"TDSet '{data.GetName()}' holds '{e.object_type}' objects, not a tree: Draw "
                           "needs a tree; process the objects with a selector instead")
    files = []
    try:
        tree = _open_tree(ROOT, e.url, e.directory, e.tree, files)
        for alias, url, ftree, fdir in e.friends:
            tree.AddFriend(_open_tree(ROOT, url, fdir, ftree, files), alias)
        yield tree
    finally:
        for f in files:
            f.Close()


def _open_tree(ROOT, url: str, directory: str, name: str, files: list):
    f = runtime.open_file(url)
    if f is None:
        raise DatasetError(f"Draw: the client cannot open '{url}' to read the structure of tree "
                           f"'{name}' (the client compiles the Draw expressions against it)")
    files.append(f)
    d = f if directory in ("", "/") else f.GetDirectory(directory)
    tree = d.Get(name) if d else None
    if not tree or not tree.InheritsFrom("TTree"):
        raise DatasetError(f"Draw: tree '{name}' not found in '{url}'")
    return tree
