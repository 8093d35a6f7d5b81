"""One PROOF query on the client, as TProofPlayerRemote ran it: selector on the client (Begin),
packets on the workers, outputs merged, merged objects in the output list, Terminate once."""
from __future__ import annotations

import dataclasses
import logging
import pickle
import time
import uuid

from . import dataset, datasets, logs, outputfile, runtime, selector, settings, workerlog
from .errors import DatasetError, QueryAborted, QueryError, SelectorError
from .options import split_options
from .packetizer import AdaptivePacketizer, Element, select_range
from .progress import Progress
from . import worker

log = logging.getLogger("proofshim")

MEMBER_MAP = "PROOFSHIM_MemberMap"
ALL_ENTRIES = -1


def _normalise_range(nentries: int, first: int) -> tuple[int, int]:
    ROOT = runtime.import_root()
    if nentries is None or nentries >= ROOT.TTree.kMaxEntries or nentries == ALL_ENTRIES:
        nentries = ALL_ENTRIES
    if nentries < ALL_ENTRIES:
        raise DatasetError(f"nentries={nentries}: give -1 for all entries or a positive number")
    if first < 0:
        raise DatasetError(f"firstentry={first} is negative")
    return nentries, first


def _selector_code(sel_arg: str) -> selector.SelectorCode:
    spec = selector.parse(sel_arg)
    if spec.path is None:
        src = selector.source_of_loaded_class(spec.class_name)
        if src is None:
            raise SelectorError(
                f"selector '{spec.class_name}': no such source file, and no loaded class of that name "
                "whose source could be shipped to the workers; pass the source, e.g. "
                f"'{spec.class_name}.C+'")
        spec = dataclasses.replace(spec, path=src, mode="+")
    return selector.collect(spec)


def _elements_with_entries(session, elements: list[dataset.FileElement], counts: list):
    """Fill in entry counts; skip unreadable files as PROOF did (MissingFiles), or fail if strict."""
    unknown = [i for i, e in enumerate(elements) if e.entries is None]
    by_index = dict(zip(unknown, session.executor.gather_counts(counts)))
    missing: dict[str, str] = {}
    kept = []
    for i, e in enumerate(elements):
        n, err = by_index.get(i, (e.entries, ""))
        if n < 0:
            if settings.get("strict", False):
                raise DatasetError(f"{err} (strict mode: no file may be skipped)")
            log.warning("%s: file skipped, listed in MissingFiles", err)
            missing[e.url] = err
            continue
        kept.append(dataclasses.replace(e, entries=n))
    return kept, missing


def _check_friends(session, elements, refs, futures) -> None:
    """A friend must have at least the entries of the tree it is read with."""
    if not refs:
        return
    counts = dict(zip(refs, session.executor.gather_counts(futures)))
    for e in elements:
        for alias, url, tree, directory in e.friends:
            n, err = counts[(url, tree, directory)]
            if n < 0:
                raise DatasetError(f"friend '{alias}' of {e.url}: {err}")
            if n < e.entries:
                raise DatasetError(f"friend '{alias}' in {url} has {n} entries, fewer than the "
                                   f"{e.entries} of tree '{e.tree}' in {e.url} it is read with")


def elements_of(kind: str, data) -> list[dataset.FileElement]:
    """The file elements a query of `kind` runs over ("tree", "dset", "fc", "dsname")."""
    if kind == "tree":
        return dataset.from_chain(data)
    if kind == "dset":
        return dataset.from_tdset(data)
    if kind == "fc":
        return dataset.from_file_collection(data)
    if kind == "dsname":
        return datasets.elements(str(data.GetName()))
    raise DatasetError(f"processing a {kind!r} is not supported yet")


def _plan(session, kind: str, data, code_loader, nentries: int, first: int, entry_list=None):
    """Elements, packet ranges and MissingFiles of a query; compiles the selector meanwhile."""
    if kind == "cycle":
        if nentries <= 0:
            raise DatasetError(f"a cycle-driven query needs a positive number of cycles, got {nentries}")
        return [], [(0, 0, nentries)], {}, code_loader(), []
    elements = elements_of(kind, data)
    # The workers count entries while the client compiles the selector.
    counts = session.executor.submit_counts([e.ref for e in elements if e.entries is None])
    friend_refs = [(f[1], f[2], f[3]) for e in elements for f in e.friends]
    friend_counts = session.executor.submit_counts(friend_refs)
    class_name = code_loader()
    elements, missing = _elements_with_entries(session, elements, counts)
    _check_friends(session, elements, friend_refs, friend_counts)
    elist = entry_list or (runtime.downcast(data.GetEntryList()) if hasattr(data, "GetEntryList") else None)
    if elist and not elist.InheritsFrom("TEntryList"):
        raise DatasetError(f"the entry list given for '{data.GetName()}' is a {elist.ClassName()}; "
                           "proofshim takes a TEntryList here (TEventList::... -> TEntryList)")
    if elist:
        # With an entry list, packets are ranges of positions in each file's list of entries.
        lists = dataset.entry_list_entries(elist, elements)
        available, starts = [len(a) for a in lists], [0] * len(lists)
    else:
        lists = []
        available = [max(0, (e.entries - e.first) if e.num < 0 else min(e.num, e.entries - e.first))
                     for e in elements]
        starts = [e.first for e in elements]
    ranges = select_range(available, nentries, first, element_first=starts)
    if not ranges:
        raise DatasetError(f"nothing to process: firstentry={first} with nentries={nentries} selects no "
                           f"entry of the {sum(available)} in {len(elements)} file(s) of "
                           f"'{data.GetName()}'")
    return elements, ranges, missing, class_name, lists


def _missing_files_list(ROOT, missing: dict[str, str]):
    lst = ROOT.TList()
    lst.SetName("MissingFiles")
    for url, why in missing.items():
        info = ROOT.TFileInfo(url)
        info.SetTitle(why)
        ROOT.SetOwnership(info, False)
        lst.Add(info)
    ROOT.SetOwnership(lst, False)
    return lst


# PROOF_* parameters proofshim acts on; every other one is accepted and announced once.
HONOURED_PARAMETERS = {"PROOF_UseTreeCache", "PROOF_CacheSize", "PROOF_PacketAsAFraction",
                       "PROOF_MinPacketTime", "PROOF_MaxPacketTime"}


def _announce_ignored_parameters(session) -> None:
    for obj in session.proof.GetInputList():
        name = str(obj.GetName())
        if name.startswith("PROOF_") and name not in HONOURED_PARAMETERS and name not in session.announced:
            session.announced.add(name)
            log.info("%s is accepted but has no effect with proofshim (dask schedules the workers; "
                     "packets are always adaptive)", name, extra={"where": "TProof::SetParameter"})


def _worker_inputs(ROOT, proof, extra=()) -> bytes:
    """The workers' input list: the session's inputs, AddInputData objects, the input data file's."""
    lst = ROOT.TList()   # borrows the objects only to serialise them
    keep = []
    for obj in list(proof.GetInputList()) + list(proof.GetInputData()) + list(extra):
        lst.Add(obj)
    path = str(proof.GetInputDataFile())
    f = None
    try:
        if path:
            f = runtime.open_file(path)
            if f is None:
                raise DatasetError(f"the input data file '{path}' (SetInputDataFile) cannot be opened")
            for key in f.GetListOfKeys():
                obj = key.ReadObj()
                keep.append(obj)
                lst.Add(obj)
        return pickle.dumps(lst, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        lst.Clear("nodelete")
        if f:
            f.Close()


def run(session, kind: str, data, sel_arg: str, sel_obj, option: str, nentries: int, first: int,
        extra, *, code: selector.SelectorCode | None = None, inputs=()) -> int:
    """Run one query; return PROOF's value (selector status, -1 on error or abort).

    `extra` is the entry list of Process(dataset name, ...); `code` a selector already collected
    (proofshim's own, for Draw) and `inputs` objects the workers get on top of the input list.
    """
    ROOT = runtime.load_library()
    proof = session.proof
    t0 = time.monotonic()
    session.release_client_selector()
    proof.ArchiveOutput()
    user_option, proof_options = split_options(option)
    nentries, first = _normalise_range(nentries, first)

    # A selector object: its class's source goes to the workers, the object itself is streamed
    # after Begin (persistent members travel, //! members do not) and gets Terminate here.
    if code is None:
        code = _selector_code(sel_obj.IsA().GetName() if sel_obj else sel_arg)
    enl = runtime.downcast(extra) if kind == "dsname" and extra else None
    elements, ranges, missing, class_name, entry_lists = _plan(
        session, kind, data, lambda: selector.load(code), nentries, first, enl)
    total = sum(r[2] for r in ranges)

    sel = sel_obj if sel_obj else selector.instantiate(class_name)
    session.client_selector = sel
    sel.SetInputList(proof.GetInputList())
    sel.SetOption(user_option)
    sel.Begin(ROOT.nullptr)

    _announce_ignored_parameters(session)
    session.seq += 1
    spec = worker.QuerySpec(
        query_id=uuid.uuid4().hex[:12], seq=session.seq, session_tag=session.tag, selector=code,
        selector_object=pickle.dumps(sel, protocol=pickle.HIGHEST_PROTOCOL) if sel_obj else b"",
        input_list=_worker_inputs(ROOT, proof, inputs), env=worker.env_vars(), loads=tuple(session.loaded),
        packages=tuple(session.enabled_packages),
        option=user_option, elements=tuple(e.ref for e in elements),
        friends=tuple(e.friend_spec for e in elements),
        entry_lists=tuple(a.tobytes() for a in entry_lists), cycles=kind == "cycle",
        ordinals={w: f"0.{i}" for i, w in enumerate(session.executor.workers())},
        tree_cache=bool(session.parameter("PROOF_UseTreeCache", 1)),
        cache_size=int(session.parameter("PROOF_CacheSize", -1)))
    packetizer = AdaptivePacketizer(
        [Element(index=i, first=f, num=n) for i, f, n in ranges],
        n_workers_hint=max(1, proof.GetParallel()),
        packet_fraction=float(session.parameter("PROOF_PacketAsAFraction", 4)),
        min_packet_time=float(session.parameter("PROOF_MinPacketTime", 0.2)),
        max_packet_time=float(session.parameter("PROOF_MaxPacketTime", 20)))
    progress = Progress(total, callbacks=session.progress_callbacks)
    session.logs.start_query()
    try:
        outcome = session.executor.run(spec, packetizer, progress)
    except QueryAborted:
        progress.close(progress.processed, status="aborted")
        entry, _ = _keep_log(session, spec)
        _record(ROOT, session, code, option, nentries, first, progress.processed, 0, -1,
                time.monotonic() - t0, ROOT.TQueryResult.kAborted, entry)
        return -1
    except QueryError as exc:
        # The error says where it failed; the failing workers' last lines usually say why.
        _, by_ordinal = _keep_log(session, spec, exc.workers)
        failing = [by_ordinal[o] for o in dict.fromkeys(_ordinal(spec, a) for a in exc.workers)
                   if o in by_ordinal]
        note = logs.failure_note(failing)
        if note:
            raise QueryError(f"{exc}\n{note}", workers=exc.workers) from exc
        raise
    wall = progress.close(outcome.processed, status="stopped" if outcome.stopped else "done")
    entry, _ = _keep_log(session, spec)
    if outcome.stopped:
        print(f"Info in <TProof::Process>: processing was stopped - {outcome.processed} events processed")

    merged = _merge(ROOT, outcome.outputs)
    # TProofOutputFile parts: merged into one file, or listed as a data set, before Terminate.
    outputfile.finalize(ROOT, merged, session.executor)
    member_map = merged.FindObject(MEMBER_MAP)
    if member_map:
        merged.Remove(member_map)
    missing.update(outcome.dropped)
    if missing:
        merged.Add(_missing_files_list(ROOT, missing))
    out = proof.GetOutputList()
    sel_out = sel.GetOutputList()
    sel_out.SetOwner(False)
    # Same-named objects the client's Begin created are placeholders: the merged ones replace them.
    merged_names = {o.GetName() for o in merged}
    for obj in list(sel_out):
        if obj.GetName() in merged_names:
            sel_out.Remove(obj)
    for obj in list(merged):
        out.Add(obj)
        # TSelectorList refuses a second object of one name (kept side by side in the output list).
        if not sel_out.FindObject(obj.GetName()):
            sel_out.Add(obj)
    merged.Clear("nodelete")
    if member_map:
        ROOT.ProofShim.SetMembersFromOutput(sel, member_map, sel_out)
    sel.Terminate()
    # What Terminate added to its output list is part of the query's output too, as in PROOF.
    known = {ROOT.addressof(o) for o in out}
    for obj in list(sel_out):
        if ROOT.addressof(obj) not in known:
            out.Add(obj)
    status = int(sel.GetStatus())
    sst = out.FindObject("PROOF_SelectorStatus")
    if sst:
        status = int(sst.GetVal())
    _record(ROOT, session, code, option, nentries, first, outcome.processed, outcome.bytes_read, status,
            wall, ROOT.TQueryResult.kStopped if outcome.stopped else ROOT.TQueryResult.kCompleted, entry)
    return status


def _ordinal(spec: worker.QuerySpec, address: str) -> str:
    """A worker's ordinal in the query, as the worker itself works it out (worker._ordinal)."""
    return spec.ordinals.get(address, f"0.{len(spec.ordinals)}")


def _keep_log(session, spec: worker.QuerySpec, failing=()):
    """Collect the workers' logs of the query into the session's log; return the entry and the
    logs by ordinal. Logs are a diagnostic: failing to read them never fails the query."""
    try:
        by_ordinal = workerlog.collect(session.executor, spec.session_tag, spec.seq, spec.ordinals,
                                       failing)
    except Exception as exc:  # noqa: BLE001
        log.warning("the workers' logs of query %d could not be collected: %s", spec.seq, exc)
        by_ordinal = {}
    entry = logs.LogEntry("query", spec.seq, f"{spec.session_tag}:q{spec.seq}",
                          f"selector {spec.selector.label}", list(by_ordinal.values()))
    session.logs.add(entry)
    return entry, by_ordinal


def _record(ROOT, session, code, option, nentries, first, processed, nbytes, result, wall, state,
            entry=None):
    """Keep the query in the session's query results (TProof::GetQueryResult), with its log."""
    qr = ROOT.TQueryResult(session.seq, session.tag, code.label, option, nentries, first)
    ROOT.SetOwnership(qr, False)
    qr.SetDone(processed, nbytes, result, wall, int(state))
    if entry is not None:
        qr.SetLogText("\n".join(entry.lines()))
    session.proof.AddQueryResult(qr)


def _merge(ROOT, outputs: list[bytes]):
    parts = ROOT.TList()
    for blob in outputs:
        part = pickle.loads(blob)
        ROOT.SetOwnership(part, False)
        parts.Add(part)
    merged = ROOT.TList()
    ROOT.ProofShim.MergeOutputLists(merged, parts)
    for part in list(parts):
        part.Clear("nodelete")
    parts.Delete()
    return merged
