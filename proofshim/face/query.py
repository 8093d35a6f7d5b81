"""One PROOF query on the client, as TProofPlayerRemote ran it: selector on the client (Begin),
packets on the workers, outputs merged, merged objects in the output list, Terminate once."""
from __future__ import annotations

import dataclasses
import logging
import pickle
import time
import uuid

from ..plan import entrycache, filecheck, filepackets, inputdata, locality, named_datasets, objects, parameters, selector
from ..plan.elements import FileElement, entry_list_entries, from_chain, from_file_collection, from_tdset
from ..worker import logcapture, pyselector, querylogs, slots
from . import outputfile, perfstats
from ..util import runtime, settings
from ..util.errors import DatasetError, QueryAborted, QueryError, SelectorError
from ..plan.options import split_options
from ..plan.packetizer import AdaptivePacketizer, Element, FilePacketizer, select_range
from ..plan.feedback import DEFAULT_PERIOD_MS, FeedbackCollector
from ..util.messages import VERBOSE
from .progress import Progress

log = logging.getLogger("proofshim")

MEMBER_MAP = "PROOFSHIM_MemberMap"
ALL_ENTRIES = -1
# With more files than this whose entries are not known, they are not counted before the query: each
# is counted by the first packet that reads it (one open instead of two; measured on 2,000 files of
# 500 entries, a counting pass costs about a fifth of the processing). Fewer files are counted first,
# which costs little, and then the query's total is exact from its start.
LAZY_MIN_FILES = 32


def measured_rate(summary: dict) -> float | None:
    """A slot's typical rate in a query (entries/s, the median of its slots'), from
    AdaptivePacketizer.summary(); None when no slot measured one.

    >>> measured_rate({"slots": {"a": {"rate": 1e5}, "b": {"rate": None}, "c": {"rate": 3e5}}})
    200000.0
    """
    rates = sorted(s["rate"] for s in summary.get("slots", {}).values() if s.get("rate"))
    if not rates:
        return None
    mid = len(rates) // 2
    return float(rates[mid]) if len(rates) % 2 else (rates[mid - 1] + rates[mid]) / 2


def first_packet_size(rate: float | None, elements, n_workers: int, fraction: float,
                      min_time: float, least: int = 100) -> int | None:
    """The first packets' size when the session ran this selector before (`rate`: a slot's
    entries/s then): what a slot does in a fraction of the least packet time, as the packetizer
    sizes packets once it measured a rate, but no more than a share of the query that keeps two
    packets per worker (the run loop keeps two packets in flight per worker: with one packet per
    worker, the first to ask would take them all). Without a rate, None: the packetizer starts
    small and measures. A small query on a warm session then takes one round of packets, not five
    of 100 entries (each packet is a round trip to the scheduler).

    >>> from proofshim.plan.packetizer import Element
    >>> first_packet_size(1e6, [Element(index=0, first=0, num=1000)], 2, 4.0, 0.2)
    250
    >>> first_packet_size(1e6, [Element(index=0, first=0, num=10**8)], 2, 4.0, 0.2)
    50000
    >>> first_packet_size(None, [Element(index=0, first=0, num=1000)], 2, 4.0, 0.2) is None
    True
    """
    if not rate or any(e.num < 0 for e in elements):
        return None
    total = sum(e.num for e in elements)
    share = -(-total // (2 * max(1, n_workers)))
    return max(least, min(int(rate * min_time / fraction), share))


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
        code = selector.loaded_code(spec.class_name)
        if code is not None:
            return code
        src = selector.source_of_loaded_class(spec.class_name)
        if src is None:
            raise SelectorError(
                f"selector '{spec.class_name}': no such source file, and no loaded class of that name "
                "whose source could be shipped to the workers; pass the source, e.g. "
                f"'{spec.class_name}.C+'")
        spec = dataclasses.replace(spec, path=src, mode="+")
    return selector.collect(spec)


def strict_mode(session) -> bool:
    """Whether a file that cannot be processed fails the query: the input parameter
    PROOFSHIM_Strict when set (SetParameter("PROOFSHIM_Strict", 1)), else `proofshim.strict`."""
    value = session.parameter(filecheck.STRICT_PARAMETER, None)
    if value is None:
        return bool(settings.get("strict"))
    return filecheck.is_true(value)


def _needs_count(e: FileElement) -> bool:
    # A chain that was asked for its entries knows 0 for a file it could not open too: counting
    # again on the workers costs little and says why.
    return not e.entries


def _remembered(e: FileElement) -> FileElement:
    """The element with its entries from an earlier query's count, when its file is unchanged."""
    if not _needs_count(e):
        return e
    n = entrycache.cache.get(e.url, e.tree, e.directory)
    return e if n is None else dataclasses.replace(e, entries=n)


def _skip_file(url: str, why: str, strict: bool, missing: dict) -> None:
    """A file the query cannot process: listed in MissingFiles with a warning, as PROOF did, or the
    query's error in strict mode."""
    if strict:
        raise DatasetError(f"{why} (strict mode: no file may be skipped; leave it out of the "
                           f"data, or unset {filecheck.STRICT_PARAMETER} / proofshim.strict)")
    log.warning("%s: file skipped, listed in MissingFiles", why)
    missing[url] = why

def _elements_with_entries(session, elements: list[FileElement], counts, strict: bool):
    """Fill in entry counts; skip unreadable and empty files as PROOF did (warned, listed in
    MissingFiles), or fail if strict. Elements counted by neither stay unknown (None)."""
    unknown = [i for i, e in enumerate(elements) if _needs_count(e)] if counts is not None else []
    by_index = dict(zip(unknown, session.executor.gather_counts(counts))) if counts is not None else {}
    for i, (n, _) in by_index.items():
        entrycache.cache.put(elements[i].url, elements[i].tree, elements[i].directory, n)
    missing: dict[str, str] = {}
    kept = []
    for i, e in enumerate(elements):
        if counts is None and _needs_count(e):
            kept.append(e)            # counted by its first packet
            continue
        n, err = by_index.get(i, (e.entries, ""))
        why = filecheck.skip_reason(e.url, e.tree, n, err, e.first)
        if why:
            _skip_file(e.url, why, strict, missing)
            continue
        kept.append(e if n == e.entries else dataclasses.replace(e, entries=n))
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


def elements_of(kind: str, data) -> list[FileElement]:
    """The file elements a query of `kind` runs over ("tree", "dset", "fc", "dsname")."""
    if kind == "tree":
        return from_chain(data)
    if kind == "dset":
        return from_tdset(data)
    if kind == "fc":
        return from_file_collection(data)
    if kind == "dsname":
        return named_datasets.elements(str(data.GetName()))
    raise DatasetError(f"processing a {kind!r} is not supported yet")


def _files_to_process(ROOT, session, kind: str, draw: bool):
    """TPacketizerFile's files when the input list asks for it (None otherwise)."""
    if draw or not filepackets.requested(session):
        return None      # PROOF's DrawSelect kept only the drawing parameters in the input list
    if kind != "cycle":
        raise DatasetError(f"PROOF_Packetizer is '{filepackets.PACKETIZER}', which hands files to "
                           "cycle-driven queries (Process(selector, n)); PROOF could not process data "
                           "with it either: remove it first (DeleteParameters(\"PROOF_Packetizer\"))")
    def canonical(host_name: str) -> str:
        """A host of the map written as the packetizer is told the workers' hosts."""
        return filepackets.loopback_as_one(locality.resolve(locality.address_host(host_name) or host_name))

    hosts = {filepackets.loopback_as_one(h) for h in session.executor.worker_hosts()}
    return filepackets.files_to_process(ROOT, session, hosts, canonical)


def _plan(session, kind: str, data, code_loader, nentries: int, first: int, entry_list=None,
          strict: bool = False, files=None):
    """Elements, packet ranges and MissingFiles of a query; compiles the selector meanwhile."""
    if files is not None:
        # One cycle per file, whatever number of cycles was asked for (as TPacketizerFile did).
        return [], [(i, 0, 1) for i in range(len(files))], {}, code_loader(), []
    if kind == "cycle":
        if nentries <= 0:
            raise DatasetError(f"a cycle-driven query needs a positive number of cycles, got {nentries}")
        return [], [(0, 0, nentries)], {}, code_loader(), []
    elements = elements_of(kind, data)
    if elements and elements[0].object_type:
        return _plan_objects(session, data, elements, code_loader, nentries, first, strict)
    elements = [_remembered(e) for e in elements]
    elist = entry_list or (runtime.downcast(data.GetEntryList()) if hasattr(data, "GetEntryList") else None)
    unknown = [e for e in elements if _needs_count(e)]
    lazy = (len(unknown) > LAZY_MIN_FILES and nentries == ALL_ENTRIES and first == 0 and not elist
            and all(e.num < 0 for e in unknown) and not any(e.friends for e in elements))
    # The workers count entries while the client compiles the selector; while the session's
    # workers are still starting, the client compiles it first (counting would wait for them).
    loaded_first = session.executor.starting()
    class_name = code_loader() if loaded_first else None
    counts = None if lazy else session.executor.submit_counts([e.ref for e in unknown])
    friend_refs = [(f[1], f[2], f[3]) for e in elements for f in e.friends]
    friend_counts = session.executor.submit_counts(friend_refs)
    if not loaded_first:
        class_name = code_loader()
    elements, missing = _elements_with_entries(session, elements, counts, strict)
    if not elements:
        raise DatasetError(f"no file of '{data.GetName()}' can be processed, all {len(missing)} were "
                           "skipped: " + "; ".join(missing.values()))
    _check_friends(session, elements, friend_refs, friend_counts)
    if elist and not elist.InheritsFrom("TEntryList"):
        raise DatasetError(f"the entry list given for '{data.GetName()}' is a {elist.ClassName()}; "
                           "proofshim takes a TEntryList here (TEventList::... -> TEntryList)")
    if lazy:
        # Counted files as usual; the others whole (-1), counted by their first packet.
        ranges = []
        for i, e in enumerate(elements):
            if e.entries is None:
                ranges.append((i, e.first, -1))
            elif e.entries - e.first > 0:
                ranges.append((i, e.first, e.entries - e.first))
        return elements, ranges, missing, class_name, []
    if elist:
        # With an entry list, packets are ranges of positions in each file's list of entries.
        lists = entry_list_entries(elist, elements)
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


def _class_filter(type_name: str):
    """Whether a key's class (by name) inherits from `type_name`, as this process knows the classes."""
    ROOT = runtime.import_root()
    known: dict[str, bool] = {}

    def inherits(cls: str) -> bool:
        if cls not in known:
            c = ROOT.TClass.GetClass(cls, True, True) if cls != type_name else True
            known[cls] = c is True or bool(c and c.InheritsFrom(type_name))
        return known[cls]
    return inherits


def _plan_objects(session, data, elements, code_loader, nentries: int, first: int, strict: bool):
    """An object TDSet's plan: the workers list each file's keys while the selector compiles; the
    keys of the data set's class (and name filter) become the objects, packetized like entries."""
    import numpy as np  # noqa: PLC0415 - numpy comes with ROOT

    if data.GetEntryList():
        # TEventIterObj refused them too: entry lists select tree entries.
        raise DatasetError(f"TDSet '{data.GetName()}' of '{elements[0].object_type}' objects has an entry "
                           "list: entry lists select tree entries; use nentries/firstentry or the object name")
    futures = [session.executor.client.submit(slots.list_keys, e.url, e.directory, pure=False)
               for e in elements]
    class_name = code_loader()
    type_name = elements[0].object_type
    inherits = _class_filter(type_name)
    kept, positions, missing = [], [], {}
    for e, (keys, err) in zip(elements, session.executor.gather_counts(futures)):
        if err:
            _skip_file(e.url, err, strict, missing)
            continue
        pos = np.array(objects.select_keys(keys, inherits, e.tree), dtype=np.int64)
        kept.append(dataclasses.replace(e, entries=len(pos)))
        positions.append(pos)
    available = [max(0, (len(p) - e.first) if e.num < 0 else min(e.num, len(p) - e.first))
                 for e, p in zip(kept, positions)]
    ranges = select_range(available, nentries, first, element_first=[e.first for e in kept])
    if not ranges:
        where = f"directory '{elements[0].directory or '/'}'" if elements[0].directory else "the top directory"
        raise DatasetError(
            f"nothing to process: no object of class '{type_name}' named '{elements[0].tree}' in {where} "
            f"of the {len(kept)} readable file(s) of TDSet '{data.GetName()}' selects an entry "
            f"(firstentry={first}, nentries={nentries}); check the class, object name and directory "
            "given to the TDSet")
    return kept, ranges, missing, class_name, positions


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


def _parameter_value(obj):
    """The value of a parameter object as SetParameter makes them (TNamed title, TParameter value)."""
    if obj.IsA().GetName() == "TNamed":
        return str(obj.GetTitle())
    get = getattr(obj, "GetVal", None)
    return get() if callable(get) else None


def _announce_ignored_parameters(ROOT, session) -> None:
    """One Info line per session for each of PROOF's own parameters proofshim does not carry out,
    where the call that set it is named; input objects the selector reads are not PROOF's."""
    for obj in session.proof.GetInputList():
        name = str(obj.GetName())
        if name in session.announced or not parameters.is_proof_parameter(name):
            continue
        if parameters.unhonoured(name, _parameter_value(obj)) is None:
            continue
        session.announced.add(name)
        call = "SetParameter" if ROOT.ProofShim.MadeBySetParameter(obj) else "AddInput"
        log.info("%s", parameters.message(name), extra={"where": f"TProof::{call}"})


def _worker_inputs(ROOT, proof, extra=()) -> bytes:
    """The workers' input list: the session's inputs (the input data travel as a file, plan/inputdata.py)."""
    lst = ROOT.TList()   # borrows the objects only to serialise them
    for obj in list(proof.GetInputList()) + list(extra):
        lst.Add(obj)
    try:
        return pickle.dumps(lst, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        lst.Clear("nodelete")


def run(session, kind: str, data, sel_arg: str, sel_obj, option: str, nentries: int, first: int,
        extra, *, code: selector.SelectorCode | None = None, inputs=()) -> int:
    """Run one query; return PROOF's value (selector status, -1 on error or abort).

    `extra` is the entry list of Process(dataset name, ...); `code` a selector already collected
    (proofshim's own, for Draw) and `inputs` objects the workers get on top of the input list (Draw's).
    """
    ROOT = runtime.load_library()
    # PROOF's DrawSelect kept only the drawing parameters: no performance monitoring for Draw.
    monitoring = None if inputs else perfstats.Monitoring(ROOT, session,
                                                          split_options(option)[1].get("feedback", []))
    try:
        return _run(ROOT, session, kind, data, sel_arg, sel_obj, option, nentries, first, extra, code, inputs,
                    monitoring)
    finally:
        if monitoring is not None:
            monitoring.end()


def _run(ROOT, session, kind: str, data, sel_arg: str, sel_obj, option: str, nentries: int, first: int,
         extra, code, inputs, monitoring) -> int:
    proof = session.proof
    t0 = time.monotonic()
    session.release_client_selector()
    proof.ArchiveOutput()
    user_option, proof_options = split_options(option)
    for token in ("outfile", "dataset", "savetofile"):
        if token in proof_options:
            # PROOF saved the output list to a file (or a data set) for these; say that it is not.
            log.warning("option '%s' is removed from the selector's option as PROOF did, but not acted "
                        "on: the outputs stay in the output list (write them with TFile, or use a "
                        "TProofOutputFile in the selector)", token, extra={"where": "TProof::Process"})
    nentries, first = _normalise_range(nentries, first)

    # Python selectors (worker/pyselector.py): TPySelector modules, Python subclasses of TSelector.
    py = pyselector.resolve(sel_arg, sel_obj, user_option) if code is None else None
    if py:
        code, sel_obj, user_option = py
    # A selector object: its class's source goes to the workers, the object itself is streamed
    # after Begin (persistent members travel, //! members do not) and gets Terminate here.
    if code is None:
        code = _selector_code(sel_obj.IsA().GetName() if sel_obj else sel_arg)
    enl = runtime.downcast(extra) if kind == "dsname" and extra else None
    strict = strict_mode(session)
    files = _files_to_process(ROOT, session, kind, draw=bool(inputs))
    elements, ranges, missing, class_name, entry_lists = _plan(
        session, kind, data, lambda: selector.load(code), nentries, first, enl, strict, files)
    is_objects = bool(elements) and bool(elements[0].object_type)   # entry_lists: key positions

    sel = sel_obj if sel_obj else selector.instantiate(class_name)
    session.client_selector = sel
    sel.SetInputList(proof.GetInputList())
    sel.SetOption(user_option)
    try:
        pyselector.begin(sel) if py else sel.Begin(ROOT.nullptr)
    except Exception as exc:  # noqa: BLE001 - C++ exceptions arrive as many Python types
        raise SelectorError(_where_first(
            f"selector {code.label}: {_exception_text(exc, class_name, 'Begin', py)}",
            " (on the client, before any entry was processed; nothing was sent to the workers)")) from None

    _announce_ignored_parameters(ROOT, session)
    fb_names = tuple(dict.fromkeys([str(o.GetName()) for o in proof.GetFeedbackList()]
                                   + proof_options.get("feedback", [])))
    # PROOF's performance histograms are made here, the other feedback objects by the workers.
    fb_names, fb_local = monitoring.split_feedback(fb_names) if monitoring else \
        (tuple(n for n in fb_names if n != "stats"), ())
    fb_period = max(0.05, float(session.parameter("PROOF_FeedbackPeriod", DEFAULT_PERIOD_MS)) / 1000)
    session.seq += 1
    spec = slots.QuerySpec(
        query_id=uuid.uuid4().hex[:12], seq=session.seq, session_tag=session.tag, selector=code,
        selector_object=pyselector.state_for_workers(sel, code) if py else
        pickle.dumps(sel, protocol=pickle.HIGHEST_PROTOCOL) if sel_obj else b"",
        input_list=_worker_inputs(ROOT, proof, inputs), input_data=inputdata.prepare(ROOT, proof),
        env=slots.env_vars(), loads=tuple(session.loaded),
        packages=tuple(session.enabled_packages),
        option=user_option, elements=tuple(e.ref for e in elements),
        friends=tuple(e.friend_spec for e in elements),
        entry_lists=() if is_objects else tuple(a.tobytes() for a in entry_lists),
        objects=tuple(a.tobytes() for a in entry_lists) if is_objects else (), cycles=kind == "cycle",
        files=tuple(f.name for f in files or ()),
        strict=strict,
        ordinals=_ordinals(session.executor),
        tree_cache=bool(session.parameter("PROOF_UseTreeCache", 1)),
        cache_size=int(session.parameter("PROOF_CacheSize", -1)),
        cache_ranges=() if is_objects or entry_lists else tuple((i, f, f + n if n >= 0 else -1) for i, f, n in ranges),
        feedback=fb_names, feedback_period=fb_period, log_level=session.log_level)
    # Locality: packets of a file go preferably to workers on the host that holds it.
    if files:
        hosts = [f.host for f in files]
    elif elements:
        hosts = session.executor.element_hosts([elements[i].url for i, _, _ in ranges])
    else:
        hosts = [None] * len(ranges)
    packet_elements = [Element(index=i, first=f, num=n, host=h) for (i, f, n), h in zip(ranges, hosts)]
    if files:
        packetizer = FilePacketizer(packet_elements, host_key=filepackets.loopback_as_one)
    else:
        n_hint = max(1, proof.GetParallel())
        packet_fraction = float(session.parameter("PROOF_PacketAsAFraction", 4))
        min_packet_time = float(session.parameter("PROOF_MinPacketTime", 0.2))
        first_size = first_packet_size(session.rates.get(code.digest), packet_elements, n_hint,
                                       packet_fraction, min_packet_time)
        packetizer = AdaptivePacketizer(
            packet_elements, n_workers_hint=n_hint, packet_fraction=packet_fraction,
            min_packet_time=min_packet_time,
            first_packet_entries=first_size, sized_start=first_size is not None,
            max_packet_time=float(session.parameter("PROOF_MaxPacketTime", 20)),
            # Files with friends, entry lists or objects go one per packet (one runner call each).
            span_files=not (spec.friends and any(spec.friends)) and not spec.entry_lists and not spec.objects)
    total = packetizer.estimated_total()   # files counted by their first packet: estimated until then
    labels = [spec.ordinals[a] for a in session.executor.active_workers() if a in spec.ordinals]
    local = (lambda: monitoring.live_objects(session.executor, spec, labels, fb_local)) if fb_local else None
    session.last_feedback = FeedbackCollector(
        ROOT, fb_names, fb_period, merge=lambda blobs: _merge(ROOT, blobs), signal=proof.Feedback,
        callbacks=session.feedback_callbacks, local=local) if fb_names or fb_local else None
    progress = Progress(total, callbacks=session.progress_callbacks, init_time=time.monotonic() - t0,
                        signal=lambda v: proof.EmitProgress(*v[:8]), feedback=session.last_feedback)
    session.logs.start_query()
    try:
        outcome = session.executor.run(spec, packetizer, progress)
    except QueryAborted:
        progress.close(progress.processed, status="aborted")
        entry, _ = _keep_log(session, spec)
        _record(ROOT, session, code, option, nentries, first, progress.processed, progress.bytes_read, -1,
                time.monotonic() - t0, ROOT.TQueryResult.kAborted, entry)
        return -1
    except QueryError as exc:
        progress.discard()
        # The error says where it failed; the failing workers' last lines usually say why.
        _, by_ordinal = _keep_log(session, spec, exc.workers)
        failing = [by_ordinal[o] for o in dict.fromkeys(_ordinal(spec, a) for a in exc.workers)
                   if o in by_ordinal]
        note = querylogs.failure_note(failing)
        if note:
            raise QueryError(f"{exc}\n{note}", workers=exc.workers) from exc
        raise
    for i, n in outcome.counts.items():
        entrycache.cache.put(elements[i].url, elements[i].tree, elements[i].directory, n)
    if isinstance(packetizer, AdaptivePacketizer):
        rate = measured_rate(packetizer.summary())
        if rate:
            session.rates[code.digest] = rate
    if outcome.counts and not outcome.processed and not outcome.stopped:
        skipped = {**missing, **outcome.dropped}
        if all(e.url in skipped for e in elements):
            progress.discard()
            raise DatasetError(f"no file of '{data.GetName()}' can be processed, all {len(skipped)} were "
                               "skipped: " + "; ".join(skipped.values()))
    proc_time = progress.close(outcome.processed, status="stopped" if outcome.stopped else "done")
    entry, _ = _keep_log(session, spec)
    if outcome.stopped:
        print(f"Info in <TProof::Process>: processing was stopped - {outcome.processed} events processed")

    merged = _merge(ROOT, outcome.outputs)
    if monitoring is not None:
        for obj in monitoring.outputs(spec, outcome.workers, labels):
            merged.Add(obj)
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
        if py:
            pyselector.set_attributes_from_output(sel, member_map, sel_out)
    failure = ""
    try:
        sel.Terminate()
    except Exception as exc:  # noqa: BLE001 - C++ exceptions arrive as many Python types
        failure = _exception_text(exc, class_name, "Terminate", py)
    # What Terminate added to its output list is part of the query's output too, as in PROOF;
    # after a failing Terminate too, so that whatever it made can be inspected.
    known = {ROOT.addressof(o) for o in out}
    for obj in list(sel_out):
        if ROOT.addressof(obj) not in known:
            out.Add(obj)
    status = int(sel.GetStatus())
    sst = out.FindObject("PROOF_SelectorStatus")
    if sst:
        status = int(sst.GetVal())
    if failure:
        status = -1
        log.error("%s", _where_first(f"selector {code.label}: {failure}", (
                  f" (on the client, after merging: the merged outputs of the {outcome.processed} "
                  "entries processed are in the output list)")), extra={"where": "TProof::Process"})
    qr = _record(ROOT, session, code, option, nentries, first, outcome.processed, outcome.bytes_read,
                 status, time.monotonic() - t0,
                 ROOT.TQueryResult.kStopped if outcome.stopped else ROOT.TQueryResult.kCompleted, entry)
    _record_statistics(qr, spec, outcome, progress.init_time, proc_time)
    return status


def _exception_text(exc: BaseException, class_name: str, method: str, py=None) -> str:
    """A C++ (or Python) exception from a selector method, worded like the workers' messages."""
    if py:   # a Python selector: the message and the traceback of its own code
        return pyselector.exception_text(exc, py[0], method)
    what = getattr(exc, "what", None)
    if callable(what):   # a std::exception, translated by cppyy
        return f"C++ exception in {class_name}::{method}: {what()}"
    if type(exc) is Exception and "unknown C++ exception" in str(exc):
        return f"unknown C++ exception in {class_name}::{method}"
    return f"{type(exc).__name__} in {class_name}::{method}: {exc}"


def _where_first(text: str, where: str) -> str:
    """`where` after the first line of `text` (a Python selector's traceback follows it)."""
    first, nl, rest = text.partition("\n")
    return first + where + nl + rest


def _ordinals(executor) -> dict[str, str]:
    """PROOF ordinals "0.N" of the workers, once workers lost in an earlier query are replaced
    (a worker joining during the query gets the next free one)."""
    executor.ensure_workers()
    return {w: f"0.{i}" for i, w in enumerate(executor.recent_workers())}


def _ordinal(spec: slots.QuerySpec, address: str) -> str:
    """A worker's ordinal in the query, as the worker itself works it out (slots._ordinal)."""
    return spec.ordinals.get(address, f"0.{len(spec.ordinals)}")


def _keep_log(session, spec: slots.QuerySpec, failing=()):
    """Collect the workers' logs of the query into the session's log; return the entry and the
    logs by ordinal. Logs are a diagnostic: failing to read them never fails the query."""
    try:
        by_ordinal = logcapture.collect(session.executor, spec.session_tag, spec.seq, spec.ordinals,
                                       failing)
    except Exception as exc:  # noqa: BLE001
        log.warning("the workers' logs of query %d could not be collected: %s", spec.seq, exc)
        by_ordinal = {}
    entry = querylogs.LogEntry("query", spec.seq, f"{spec.session_tag}:q{spec.seq}",
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
    return qr


def _record_statistics(qr, spec, outcome, init_time: float, proc_time: float) -> None:
    """Times, packets and per-worker figures of a finished query, on its TQueryResult."""
    workers = sorted(outcome.workers.items(), key=lambda kv: spec.ordinals.get(kv[0], kv[0]))
    qr.SetTimes(init_time, proc_time, sum(t.cpu for _, t in workers), sum(t.packets for _, t in workers))
    for addr, t in workers:
        qr.AddWorkerStats(f"{spec.ordinals.get(addr, '?')} {addr}", t.entries, t.packets, t.proc_time)
        log.log(VERBOSE, "worker %s (%s): %d entries in %d packets, %.1f evts/s", spec.ordinals.get(addr, "?"),
                addr, t.entries, t.packets, t.entries / t.proc_time if t.proc_time > 0 else 0.0,
                extra={"where": "TProof::Process"})


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
