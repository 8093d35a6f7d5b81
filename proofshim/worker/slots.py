"""What runs inside each dask worker process: ROOT and the shim library loaded once, the selector
compiled once per host, one selector per query and worker slot driven by the C++ event loop.

Functions here are dask tasks, run in the worker's executor thread (one thread: workers with more
are refused at Open; a lock keeps one ROOT task at a time regardless). Several queries, of one
client or of many, may share a worker: every piece of per-query state below is keyed by its slot
or its query, never process-wide. `request_stop` and `activity` run in the worker's event-loop
thread (Client.run) while a packet runs in C++ without the GIL; they only read the slots' state
and set a runner's stop flag.

Reclaiming: a slot ends with finish_slot, or with forget_query when its client aborts. A client
that dies (or loses its connection) leaves its slots behind; they are dropped when another query
begins on the worker, once they are idle and the scheduler no longer knows their query's spec
(the "lease": the scheduler forgets it when its client goes). A live query whose slot was dropped
anyway sees it as lost at its end and redoes its work, so reclaiming never costs exactness.
"""
from __future__ import annotations

import array
import ctypes
import dataclasses
import getpass
import hashlib
import logging
import os
import pickle
import threading
import time

from ..plan import feedback, filecheck, inputdata, selector
from ..util import messages, runtime, sandbox, sessiondir
from . import outputfile, packages, pyselector, logcapture
from ..util.errors import PackageError

log = logging.getLogger("proofshim.worker")

# Runner status codes, as in ProofShim::Runner::EResult. ERROR: the selector failed;
# DATA_ERROR: the packet's file or tree could not be opened.
OK, ABORTED_PROCESS, ABORTED_FILE, STOPPED, ERROR, DATA_ERROR = range(6)

# finish_slot's answer for a slot this worker does not hold (restarted worker, reclaimed slot).
UNKNOWN_SLOT = "unknown slot"
                             # (proofshim.reclaim-idle in the workers' configuration)
STOP_MEMORY = 3600.0         # s a stop request is kept for a query that has no slot here


@dataclasses.dataclass(frozen=True, order=True)
class Slot:
    """A worker slot: one selector on one worker within one query. A worker may hold several slots
    of one query one after another (lost work redone after its first slot finished), and slots of
    many queries at once. Travels to the workers as it is; str() is its stable text form."""

    query_id: str
    worker: str       # dask address of its worker
    n: int            # numbered within the query

    def __str__(self) -> str:
        return f"{self.query_id}|{self.worker}|{self.n}"


@dataclasses.dataclass
class _SlotState:
    query_id: str
    runner: object = None        # ProofShim::Runner, once SlaveBegin ran
    failed: str = ""             # the error that ended its selector (no packet may reuse it)
    closed: bool = False         # the selector asked to end processing (kAbortProcess)
    feedback_sent: float | None = None
    busy: tuple | None = None    # (phase, packet id, since) of the task running it now
    last_used: float = dataclasses.field(default_factory=time.monotonic)
    piece: int = 0               # the piece (file) of the running packet being processed
    skip: dict = dataclasses.field(default_factory=dict)   # element -> entry from which the client
    #                              dropped it (kAbortFile, unreadable): later pieces stop there


@dataclasses.dataclass
class _QueryState:
    lease: str = ""              # scheduler key of the query's spec
    stop: int = 0                # StopProcess level asked for this query (1 stop, 2 abort)
    arrays: dict = dataclasses.field(default_factory=dict)   # (field, element) -> int64 array
    # element -> ("file\tdir\ttree\t", "\tqueryfirst\tqueryend" or ""): its RunTreePieces lines
    lines: dict = dataclasses.field(default_factory=dict)
    since: float = dataclasses.field(default_factory=time.monotonic)
    input_digest: str = ""       # digest of its input data file (inputdata.InputDataFile)


_PIECE_FIELDS = 8                # per piece in RunTreePieces' output (ProofShim::Runner::kPieceFields)
_slots: dict[Slot, _SlotState] = {}
_queries: dict[str, _QueryState] = {}
_context = ""                    # the query whose process-wide settings (env, gProofServ) are set
_task_lock = threading.RLock()   # one ROOT task at a time in this process
_prepared = False


@dataclasses.dataclass(frozen=True)
class QuerySpec:
    """Everything a worker needs to run its part of a query; sent once to every worker."""

    query_id: str
    seq: int
    session_tag: str
    selector: selector.SelectorCode
    input_list: bytes                             # pickled TList: the client's input list
    option: str
    elements: tuple[tuple[str, str, str], ...]     # (file URL, tree name, directory)
    ordinals: dict                                 # worker address -> "0.N"
    tree_cache: bool = True
    cache_size: int = -1
    cycles: bool = False
    friends: tuple = ()                            # per element: friend lines for Runner::SetFriends
    entry_lists: tuple = ()                        # per element: int64 entries (bytes) of an entry list
    env: tuple = ()                                # TProof::AddEnvVar's (name, value) pairs
    loads: tuple = ()                              # SelectorCode of TProof::Load, in order
    packages: tuple = ()                           # packages.EnabledPackage, in the order enabled
    selector_object: bytes = b""                   # a streamed TSelector object, if one was given
    feedback: tuple = ()                           # names of the output objects sent as feedback
    feedback_period: float = 2.0                   # s between a slot's feedback copies
    log_level: int = 0                             # TProof::SetLogLevel
    strict: bool = False                           # a file unreadable while processing fails the query
    objects: tuple = ()                            # object data sets: per element, int64 key positions (bytes)
    input_data: object = None                      # inputdata.InputDataFile: AddInputData/SetInputDataFile
    files: tuple = ()                              # TPacketizerFile: per element, the file name of a cycle
    # (element, first, end) of each file whose entries the query processes are known: its tree
    # cache reads no further than `end` (-1: to the file's end).
    cache_ranges: tuple = ()


@dataclasses.dataclass(frozen=True)
class PacketResult:
    slot: Slot
    packet_id: int
    processed: int
    status: int
    elapsed: float
    bytes_read: int
    last_entry: int
    error: str
    cpu: float = 0.0             # CPU seconds of the packet's thread
    feedback: bytes = b""        # copies of the feedback objects, at most every feedback_period
    started: float = 0.0         # wall-clock time (time.time()) the packet's loop began
    element: int = -1            # the packet's element (file) index (of the piece it ended in)
    piece: int = 0               # the piece of the packet it ended in (status, last_entry, error)
    counts: tuple = ()           # (element, tree entries or -1, error) of the packet's probe pieces
    files: tuple = ()            # (element, status, entry, error): pieces whose file ended early
    #                              (DATA_ERROR: unreadable from `entry` on; ABORTED_FILE: kAbortFile
    #                              after entry `entry`); the packet went on with its next pieces
    runs: tuple = ()             # a packet of several files: (element, entries, started, elapsed, cpu,
    #                              bytes) of each piece that processed entries, a PROOF packet each

    def as_proof_packets(self) -> list[PacketResult]:
        """The packet as PROOF's packets: one per file of a packet of several (their time between
        the pieces, opening the next file, shared out in proportion, so that they add up to the
        packet's totals), else itself. Made when asked (the performance records), not per packet.

        >>> r = PacketResult(Slot("q", "w", 1), 7, 30, 0, 3.0, 9, 29, "", cpu=1.5,
        ...                  runs=((0, 10, 5.0, 1.0, 0.5, 4), (1, 20, 6.0, 0.5, 0.25, 5)))
        >>> [(p.element, p.processed, p.elapsed, p.cpu, p.bytes_read) for p in r.as_proof_packets()]
        [(0, 10, 2.0, 1.0, 4), (1, 20, 1.0, 0.5, 5)]
        """
        if len(self.runs) <= 1:
            return [self]
        scale_t = _share(self.elapsed, [r[3] for r in self.runs])
        scale_c = _share(self.cpu, [r[4] for r in self.runs])
        return [dataclasses.replace(self, element=e, processed=n, started=t, elapsed=dt * scale_t, cpu=c * scale_c,
                                    bytes_read=b, runs=())
                for e, n, t, dt, c, b in self.runs]


def _share(total: float, parts: list[float]) -> float:
    """The factor that makes `parts` add up to `total` (1 when they are all zero).

    >>> _share(3.0, [1.0, 0.5]), _share(1.0, [0.0, 0.0])
    (2.0, 1.0)
    """
    covered = sum(parts)
    return total / covered if covered > 0 else 1.0


@dataclasses.dataclass(frozen=True)
class SlotResult:
    slot: Slot
    output: bytes          # pickled TList: the selector's output list after SlaveTerminate
    processed: int
    init_calls: int
    error: str


def prepare() -> str:
    """Load ROOT and the shim library in this worker process (once); return the process id."""
    global _prepared
    ROOT = runtime.load_library()
    if not _prepared:
        ROOT.gROOT.SetBatch(True)
        # PyROOT routes ROOT's messages into Python's warnings, which needs the GIL; the event loop
        # runs without it. Workers print ROOT's messages the way ROOT itself does.
        ROOT.gInterpreter.ProcessLine("SetErrorHandler(DefaultErrorHandler);")
        # A selector that crashes must take its worker process down, so that dask replaces it and
        # the client hears of it; ROOT's handlers would print a stack trace and leave it hanging.
        for sig in ("kSigSegmentationViolation", "kSigBus", "kSigIllegalInstruction",
                    "kSigFloatingException"):
            ROOT.gSystem.ResetSignal(getattr(ROOT, sig), True)
        # The event loop runs in C++ without the GIL, so the worker's own threads (heartbeats,
        # the stop request of StopProcess) keep running during long packets.
        for name in ("Begin", "RunTreePacket", "RunTreePieces", "RunListPacket", "RunCyclePacket",
                     "RunObjectPacket", "End"):
            getattr(ROOT.ProofShim.Runner, name).__release_gil__ = True
        _prepared = True
    return f"{os.uname().nodename}:{os.getpid()}"


def _worker_address() -> str:
    from distributed import get_worker  # noqa: PLC0415

    return get_worker().address


def _set_proofserv(ROOT, spec: QuerySpec, ordinal: str) -> None:
    base, workdir, datadir = sandbox.this_worker_dirs(spec.session_tag, ordinal)
    for d in (workdir, datadir):
        if sessiondir.inside(d, base):
            sessiondir.make_private(d, base)   # owner-only: logs and data of the session
        else:   # in the sandbox the script chose (Proof.Sandbox, ProofServ.DataDir): PROOF's place
            os.makedirs(d, mode=sessiondir.DIR_MODE, exist_ok=True)
    if not ROOT.gProofServ:
        serv = ROOT.TProofServ()
        ROOT.SetOwnership(serv, False)
        ROOT.gProofServ = serv
    ROOT.gProofServ.SetInfo(ordinal, workdir, base, datadir, spec.session_tag, getpass.getuser(),
                            "default", spec.seq)


def request_stop(query_id: str, level: int) -> int:
    """StopProcess of one query on this worker: 1 ends its running packet at the next entry, 2
    aborts it; its packets queued behind end at once. Other queries on the worker go on.

    Runs in the worker's event-loop thread (Client.run) while a packet runs in its executor
    thread; returns how many of the query's selectors were running here."""
    q = _queries.setdefault(query_id, _QueryState())
    q.stop = max(q.stop, int(level))
    q.since = time.monotonic()
    told = 0
    for slot, st in list(_slots.items()):
        if slot.query_id == query_id and st.runner is not None:
            st.runner.RequestStop(q.stop)
            told += 1
    return told


def activity(query_id: str) -> dict:
    """What this worker does for a query, for the client's hang detection: per slot the phase
    ("prepare", "begin", "packet", "finish" or "idle"), the packet id, seconds in that phase, entries
    processed so far, the entry being processed and the packet's piece (file) it is in; and for how
    long another query's task has been running here ("others"). Runs in the event-loop thread
    (Client.run)."""
    now = time.monotonic()
    slots, others = {}, 0.0
    for slot, st in list(_slots.items()):
        if slot.query_id != query_id:
            if st.busy is not None:   # another query's task runs: ours wait behind it
                others = max(others, now - st.busy[2])
            continue
        phase, packet_id, since = st.busy or ("idle", -1, st.last_used)
        runner = st.runner
        slots[slot] = (phase, packet_id, now - since,
                       int(runner.GetProcessed()) if runner is not None else 0,
                       int(runner.GetLastEntry()) if runner is not None else -1, st.piece)
    return {"pid": os.getpid(), "slots": slots, "others": others}


def held_queries() -> dict[str, int]:
    """Query id -> the number of its slots this worker holds (a diagnostic, used by the tests)."""
    held: dict[str, int] = {}
    for slot in list(_slots):
        held[slot.query_id] = held.get(slot.query_id, 0) + 1
    return held


def _enter(spec: QuerySpec) -> None:
    """Apply the query's process-wide settings when the worker turns to another query's task
    (queries of several clients interleave on one worker)."""
    global _context
    if _context == spec.query_id:
        return
    ROOT = runtime.load_library()
    messages.set_proof_level(spec.log_level)
    os.environ.update(dict(spec.env))
    _set_proofserv(ROOT, spec, _ordinal(spec))
    _context = spec.query_id


def reclaim_abandoned(current: str = "") -> int:
    """Drop the slots of queries whose client is gone (see the module's docstring), other than
    query `current`'s; return how many selectors went. Runs when a slot begins; also a task."""
    from ..util import settings  # noqa: PLC0415

    idle_limit = float(settings.get("reclaim-idle"))
    now = time.monotonic()
    idle: dict[str, list] = {}
    for slot, st in list(_slots.items()):
        if slot.query_id != current:
            idle.setdefault(slot.query_id, []).append(st.busy is None and now - st.last_used > idle_limit)
    candidates = [q for q, flags in idle.items() if all(flags) and _queries.get(q, _QueryState()).lease]
    for q, st in list(_queries.items()):   # stop requests of queries that never came here
        if q not in idle and q != current and now - st.since > STOP_MEMORY:
            del _queries[q]
    if not candidates:
        return 0
    alive = _leases_known([_queries[q].lease for q in candidates])
    dropped = 0
    for q in candidates:
        if alive.get(_queries[q].lease, True):
            continue
        n = forget_query(q)
        dropped += n
        log.info("dropped %d selector(s) of query %s: its client is gone", n, q)
    return dropped


def _leases_known(keys: list[str]) -> dict[str, bool]:
    """Whether the scheduler still knows each key (a client holds it); all True when it cannot tell."""
    from distributed import get_worker  # noqa: PLC0415
    from distributed.utils import sync  # noqa: PLC0415

    try:
        w = get_worker()
        who = sync(w.loop, w.scheduler.who_has, keys=list(keys), callback_timeout=10)
        return {k: bool(who.get(k)) for k in keys}
    except Exception as exc:  # noqa: BLE001 - never drop a slot on doubt
        log.debug("cannot ask the scheduler about leases: %s", exc)
        return {k: True for k in keys}


def _begin(spec: QuerySpec, slot: Slot, st: _SlotState):
    ROOT = runtime.load_library()
    prepare()
    reclaim_abandoned(spec.query_id)
    _enter(spec)
    input_list = pickle.loads(spec.input_list)
    ROOT.SetOwnership(input_list, False)
    # Packages first (a worker that joined after EnablePackage sets them up now; others skip
    # them), then TProof::Load's code, which may include a package's headers.
    for enabled in spec.packages:
        packages.enable_here(enabled.package, packages.options_list(enabled, input_list))
    for code in spec.loads:
        selector.load(code, require_selector=False)
    class_name = selector.load(spec.selector)
    _add_input_data(ROOT, spec, input_list)
    ordinal = _ordinal(spec)
    outputfile.begin_slot(ROOT, spec.seq, str(slot))
    for obj in input_list:
        ROOT.SetOwnership(obj, False)   # the Runner's input list owns them from here on
    for obj in (ROOT.TNamed("PROOF_Ordinal", ordinal),
                ROOT.TNamed("PROOF_QueryTag", f"{spec.session_tag}:q{spec.seq}"),
                ROOT.TParameter["Int_t"]("PROOF_QuerySeqNum", spec.seq)):
        ROOT.SetOwnership(obj, False)
        input_list.Add(obj)
    if pyselector.is_python_code(spec.selector):
        # --- Python selectors: their own event loop, with the C++ Runner's methods (pyrunner.py)
        runner = pyselector.worker_runner(spec.selector, spec.selector_object, input_list, spec.option)
    else:
        sel = pickle.loads(spec.selector_object) if spec.selector_object else selector.instantiate(class_name)
        ROOT.SetOwnership(sel, False)
        runner = ROOT.ProofShim.Runner(sel, input_list, spec.option)
        # cppyy has cling compile a method's call wrapper at its first call, and cling breaks when
        # two threads enter it at once (seen: "expected unqualified-id" in a wrapper, the query
        # failed). activity() and request_stop() call these from the event-loop thread while this
        # thread compiles and runs the selector, so their first calls are made here, before the
        # runner is visible to them (RequestStop(0): no stop; one requested already is applied below).
        runner.GetProcessed(), runner.GetLastEntry(), runner.RequestStop(0)
    runner.SetTreeCache(spec.tree_cache, spec.cache_size)
    st.runner = runner
    # After the runner is visible to request_stop: a stop that came before is applied here.
    stop = _queries.get(spec.query_id, _QueryState()).stop
    if stop:
        runner.RequestStop(stop)
    st.busy = ("begin", -1, time.monotonic())
    rc = runner.Begin()
    return runner, rc


def _add_input_data(ROOT, spec: QuerySpec, input_list) -> None:
    """The objects of the query's input data file join the input list. Input data files that no
    selector of a query still held here can use are closed (trees read from a file go with it;
    selectors of other clients' queries may still be alive on this worker)."""
    data = spec.input_data
    _queries.setdefault(spec.query_id, _QueryState()).input_digest = data.digest if data else ""
    in_use = {_queries[s.query_id].input_digest for s, st in _slots.items()
              if st.runner is not None and s.query_id in _queries}
    inputdata.release_unused(in_use | {data.digest if data else ""})
    if data:
        for obj in inputdata.objects(ROOT, data):
            input_list.Add(obj)


def _ordinal(spec: QuerySpec) -> str:
    return spec.ordinals.get(_worker_address(), f"0.{len(spec.ordinals)}")


def _query_log(spec: QuerySpec):
    """The worker's stdout and stderr go to its log of the query while a task of it runs."""
    return logcapture.captured_to(logcapture.log_path(spec.session_tag, _ordinal(spec), spec.seq))


def _slot_state(spec: QuerySpec, slot: Slot, lease: str) -> _SlotState:
    q = _queries.setdefault(spec.query_id, _QueryState())
    if lease:
        q.lease = lease   # a new copy of the spec (the first went down with lost workers)
    st = _slots.get(slot)
    if st is None:
        st = _slots[slot] = _SlotState(spec.query_id)
    return st


def started_marker(session_tag: str, slot: Slot) -> str:
    """Where `slot` notes the id of each packet it starts, before running it, on its host.

    When a selector crashes its worker, the packet it was in leaves no other trace: the worker's
    'task finished' for the packet before may never have left the process either. The client, on
    the same host as the workers of an embedded cluster, reads the note to blame the right one."""
    name = hashlib.sha256(str(slot).encode()).hexdigest()[:20]
    return os.path.join(logcapture.session_dir(session_tag), "started", name)


def _note_started(spec: QuerySpec, slot: Slot, packet_id: int) -> None:
    path = started_marker(spec.session_tag, slot)
    try:
        # Unbuffered: written when this returns, whatever the process does next.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"%d\n" % packet_id)
    finally:
        os.close(fd)


def last_started(session_tag: str, slot: Slot) -> int | None:
    """The id of the last packet `slot` started, if its note is readable on this host."""
    try:
        with open(started_marker(session_tag, slot), "rb") as fh:
            return int(fh.read().strip() or b"-1")
    except (OSError, ValueError):
        return None


def run_packet(spec: QuerySpec, slot: Slot, packet, lease: str = "") -> PacketResult:
    """Process one packet in this worker's selector for `slot` (created, with SlaveBegin, on first
    use). `lease` is the scheduler key of `spec`: while the scheduler knows it, the query lives."""
    with _task_lock, _query_log(spec):
        try:
            _note_started(spec, slot, packet.id)
        except OSError as exc:   # the note only sharpens the blame of a crash
            log.debug("cannot note the start of packet %s: %s", packet.id, exc)
        st = _slot_state(spec, slot, lease)
        st.busy = ("prepare", packet.id, time.monotonic())
        try:
            return _run_packet(spec, slot, packet, st)
        finally:
            st.busy, st.last_used = None, time.monotonic()


def _run_packet(spec: QuerySpec, slot: Slot, packet, st: _SlotState) -> PacketResult:
    t0 = time.perf_counter()
    if st.failed:
        # The selector threw in an earlier packet (or in SlaveBegin): its state is unknown, and a
        # packet already queued behind that one must not run it (e.g. on members never created).
        return PacketResult(slot, packet.id, 0, ERROR, 0.0, 0, -1, st.failed)
    if _queries[spec.query_id].stop >= 2:   # aborted: not even SlaveBegin
        return PacketResult(slot, packet.id, 0, STOPPED, 0.0, 0, -1, "")
    if st.closed:   # kAbortProcess in an earlier packet: packets queued behind it are not run
        return PacketResult(slot, packet.id, 0, ABORTED_PROCESS, 0.0, 0, -1, "")
    runner = st.runner
    if runner is None:
        runner, rc = _begin(spec, slot, st)
        if rc != OK:
            if rc == ERROR:
                st.failed = str(runner.GetError())
            return PacketResult(slot, packet.id, 0, rc, time.perf_counter() - t0, 0, -1,
                                str(runner.GetError()))
    _enter(spec)
    # Process-wide, and queries interleave here: set for each task (TProofOutputFile reads it).
    outputfile.begin_slot(runtime.import_root(), spec.seq, str(slot))
    st.busy = ("packet", packet.id, time.monotonic())
    before, bytes_before = runner.GetProcessed(), runner.GetBytesRead()
    t1, cpu0, started = time.perf_counter(), time.thread_time(), time.time()
    # A Python selector's runner (pyrunner.Runner) has no compiled loop over pieces: one call each.
    if spec.cycles or spec.objects or any(spec.friends) or spec.entry_lists or not hasattr(runner, "RunTreePieces"):
        rc, error, piece, element, counts, files, runs = _run_pieces_one_by_one(spec, packet, runner, st)
    else:
        rc, error, piece, element, counts, files, runs = _run_tree_pieces(spec, packet, runner, st)
    elapsed, cpu = time.perf_counter() - t1, time.thread_time() - cpu0
    if rc == ERROR:
        st.failed = error
    elif rc == ABORTED_PROCESS:
        st.closed = True
    return PacketResult(slot, packet.id, runner.GetProcessed() - before, rc, elapsed,
                        runner.GetBytesRead() - bytes_before, runner.GetLastEntry(), error if rc != OK else "",
                        cpu, _feedback_due(spec, st), started=started, element=element, piece=piece,
                        counts=tuple(counts), files=tuple(files), runs=tuple(runs))


def _pieces_left(packet, st: _SlotState):
    """The packet's pieces (index, element, first, num), cut where the client dropped a file."""
    for i, (element, first, num) in enumerate(packet.pieces):
        stop_at = st.skip.get(element)
        if stop_at is not None:     # the client dropped the rest of this file: only what comes before
            num = min(num, stop_at - first)
            if num <= 0:
                continue
        yield i, element, first, num


def _run_tree_pieces(spec: QuerySpec, packet, runner, st: _SlotState):
    """A tree packet of one or many files, looped over in compiled code (RunTreePieces)."""
    lines = _queries[spec.query_id].lines
    todo = list(_pieces_left(packet, st))
    text = []
    if not lines and spec.cache_ranges:
        lines.update((e, ("", f"\t{f}\t{end}")) for e, f, end in spec.cache_ranges if end >= 0)
    for _, element, first, num in todo:
        prefix, suffix = lines.get(element) or ("", "")
        if not prefix:
            url, tree, directory = spec.elements[element]
            prefix = f"{url}\t{directory or '.'}\t{tree}\t"
            lines[element] = (prefix, suffix)
        text.append(f"{prefix}{first}\t{num}\t{1 if element in packet.probe else 0}{suffix}")
    out = array.array("q", bytes(8 * _PIECE_FIELDS * max(1, len(todo))))
    st.piece = todo[0][0] if todo else 0
    rc = int(runner.RunTreePieces("\n".join(text), out)) if todo else OK
    ran = int(runner.GetPiecesRun()) if todo else 0
    errors = dict(line.split("\t", 1) for line in str(runner.GetPieceErrors()).splitlines() if "\t" in line)
    counts, files, runs = [], [], []
    piece, element = (todo[0][0], todo[0][1]) if todo else (0, packet.element)
    for k in range(ran):
        piece, element, first, _ = todo[k]
        status, processed, last, t_start, wall, cpu, nbytes, entries = out[k * _PIECE_FIELDS:(k + 1) * _PIECE_FIELDS]
        error = errors.get(str(k), "")
        if status == DATA_ERROR and error.startswith("cannot open file"):
            error = filecheck.unopenable_reason(spec.elements[element][0])   # why, as seen from here
        if element in packet.probe:
            counts.append((element, entries, error if entries < 0 else ""))
        if processed:
            runs.append((element, processed, t_start / 1e6, wall / 1e9, cpu / 1e9, nbytes))
        if status == DATA_ERROR and element not in packet.probe:
            files.append((element, DATA_ERROR, first, error))   # readable when counted, not now
            st.skip[element] = first
        elif status == ABORTED_FILE:
            files.append((element, ABORTED_FILE, last, ""))
            st.skip[element] = last + 1
    error = str(runner.GetError()) if rc != OK else ""
    return rc, error, piece, element, counts, files, runs


def _run_pieces_one_by_one(spec: QuerySpec, packet, runner, st: _SlotState):
    """Cycles, objects, trees with friends or entry lists: one runner call per piece."""
    rc, error, piece, element = OK, "", 0, packet.element
    counts, files, runs = [], [], []
    for piece, element, first, num in _pieces_left(packet, st):
        st.piece = piece
        probe = element in packet.probe
        before, bytes_before = runner.GetProcessed(), runner.GetBytesRead()
        t0, cpu0, started = time.perf_counter(), time.thread_time(), time.time()
        rc = _run_piece(spec, runner, element, first, num, probe)
        processed = runner.GetProcessed() - before
        if processed:   # each piece is a PROOF packet to the selector: its own statistics record
            runs.append((element, processed, started, time.perf_counter() - t0, time.thread_time() - cpu0,
                         runner.GetBytesRead() - bytes_before))
        error = str(runner.GetError())
        if rc == DATA_ERROR and error.startswith("cannot open file"):
            error = filecheck.unopenable_reason(spec.elements[element][0])   # why, as seen from here
        if probe:
            entries = int(runner.GetTreeEntries())
            counts.append((element, entries, error if entries < 0 else ""))
            if rc == DATA_ERROR:    # not readable at all: the client skips the file as uncounted
                rc = OK
                continue
        if rc == DATA_ERROR:        # readable when counted, not now: the rest of it is dropped
            files.append((element, DATA_ERROR, first, error))
            st.skip[element] = first
            rc = OK
        elif rc == ABORTED_FILE:    # kAbortFile: on with the packet's next file
            last = int(runner.GetLastEntry())
            files.append((element, ABORTED_FILE, last, ""))
            st.skip[element] = last + 1
            rc = OK
        elif rc != OK:
            break
    return rc, error, piece, element, counts, files, runs


def _run_piece(spec: QuerySpec, runner, element: int, first: int, num: int, probe: bool) -> int:
    """One piece of a packet: entries (or cycles, or objects) [first, first+num) of an element."""
    if spec.cycles:
        return runner.RunCyclePacket(first, num, spec.files[element] if spec.files else "")
    url, tree, directory = spec.elements[element]
    if spec.objects:
        return runner.RunObjectPacket(url, directory, _int64s(spec, "objects", element), first, num)
    runner.SetFriends(spec.friends[element] if spec.friends else "")
    if spec.entry_lists:
        return runner.RunListPacket(url, directory, tree, _int64s(spec, "entry_lists", element), first, num)
    return runner.RunTreePacket(url, directory, tree, first, num, probe)


def _feedback_due(spec: QuerySpec, st: _SlotState) -> bytes:
    """Copies of the feedback objects if the slot has not sent any for a feedback period."""
    if not spec.feedback:
        return b""
    now = time.monotonic()
    if st.feedback_sent is None:
        st.feedback_sent = now
    if now - st.feedback_sent < spec.feedback_period:
        return b""
    st.feedback_sent = now
    return feedback.worker_snapshot(runtime.import_root(), st.runner.GetOutputList(), spec.feedback)


def _int64s(spec: QuerySpec, field: str, element: int):
    """Element `element` of the spec's per-element int64 arrays (entry lists, object key positions),
    decoded once per query; the C++ loop reads the array in place."""
    arrays = _queries[spec.query_id].arrays
    key = (field, element)
    if key not in arrays:
        values = array.array("q")    # "q" is long long, i.e. Long64_t, as the C++ loop takes it
        values.frombytes(getattr(spec, field)[element])
        arrays[key] = values
    return arrays[key]


def finish_slot(spec: QuerySpec, slot: Slot, create: bool = False, lease: str = "", *after) -> SlotResult:
    """SlaveTerminate the slot's selector and return its output list, serialised (`after`: the
    results of the slot's packets it was sent behind, unused: dask runs it once they are done). With `create`,
    a slot that never had a packet runs SlaveBegin first: every worker of a query runs SlaveBegin
    and SlaveTerminate once, as in PROOF. Without it, a slot this worker does not hold (it was
    restarted, or the slot reclaimed) answers UNKNOWN_SLOT: its work must be redone."""
    with _task_lock, _query_log(spec):
        st = _slots.get(slot)
        if st is None and create:
            st = _slot_state(spec, slot, lease)
        if st is None:
            return SlotResult(slot, b"", 0, 0, UNKNOWN_SLOT)
        st.busy = ("finish", -1, time.monotonic())
        try:
            return _finish_slot(spec, slot, st)
        finally:
            _slots.pop(slot, None)
            if not any(s.query_id == spec.query_id for s in _slots):
                q = _queries.get(spec.query_id)
                if q is not None and not q.stop:   # a stop request stays for packets still queued
                    del _queries[spec.query_id]


def _finish_slot(spec: QuerySpec, slot: Slot, st: _SlotState) -> SlotResult:
    runner = st.runner
    if runner is None:
        if st.failed:
            return SlotResult(slot, b"", 0, 0, st.failed)
        runner, rc = _begin(spec, slot, st)
        if rc == ERROR:
            return SlotResult(slot, b"", 0, 0, str(runner.GetError()))
    _enter(spec)
    outputfile.begin_slot(runtime.import_root(), spec.seq, str(slot))
    st.busy = ("finish", -1, time.monotonic())
    rc = runner.End()
    outputfile.finish_parts(runtime.import_root(), runner.GetOutputList(), _worker_address(),
                            spec.selector.label)
    output = pickle.dumps(runner.GetOutputList(), protocol=pickle.HIGHEST_PROTOCOL)
    result = SlotResult(slot, output, runner.GetProcessed(), runner.GetInitCalls(),
                        str(runner.GetError()) if rc != OK else "")
    st.runner = None
    del runner
    return result


def forget_query(query_id: str) -> int:
    """Drop the selectors an aborted (or abandoned) query left in this worker; return how many."""
    dropped = 0
    for slot in [s for s in _slots if s.query_id == query_id]:
        dropped += _slots.pop(slot).runner is not None
    _queries.pop(query_id, None)
    return dropped


def env_vars() -> tuple[tuple[str, str], ...]:
    """TProof::AddEnvVar's variables, read on the client, applied on the workers."""
    ROOT = runtime.load_library()
    return tuple((str(v.GetName()), str(v.GetTitle())) for v in ROOT.TProof.GetEnvVars())


def exec_line(cmd: str, env: tuple = (), enabled_packages: tuple = ()) -> tuple[int, str]:
    """TProof::Exec on this worker: process a ROOT line; return (error code, what it printed).
    The session's packages are enabled first (a no-op unless this worker joined later)."""
    ROOT = runtime.load_library()
    prepare()
    os.environ.update(dict(env))
    try:
        for enabled in enabled_packages:
            packages.enable_here(enabled.package, packages.options_list(enabled, None))
    except PackageError as exc:
        return -1, str(exc)
    err = ctypes.c_int(0)
    with runtime.captured_output() as out:
        ROOT.gROOT.ProcessLine(cmd, err)
    return err.value, out[0]


def exec_script(letter: str, code, args: str, env: tuple = (), enabled_packages: tuple = ()) -> tuple[int, str]:
    """TProof::Exec(".x script.C[+](args)") on this worker: the shipped script is written into this
    host's cache, compiled there once per host when an ACLiC mode is given, and run in this process."""
    ROOT = runtime.load_library()
    prepare()
    with selector.materialized(code, "scripts") as build, runtime.captured_output() as out:
        path = os.path.join(build, code.main)
        # Compile under the host's lock; the run below then finds the library up to date.
        ok = ROOT.gSystem.CompileMacro(path, selector.aclic_options(code.mode)) if code.mode else 1
    if ok != 1:
        return -1, f"{code.main}{code.mode} failed to compile:\n{out[0].rstrip()}"
    return exec_line(f".{letter} {path}{code.mode}{args}", env, enabled_packages)


def load_helper(code) -> str:
    """TProof::Load on this worker: compile (once per host) and load; '' or the error."""
    from ..util.errors import ProofShimError  # noqa: PLC0415

    try:
        selector.load(code, require_selector=False)
    except ProofShimError as exc:
        return str(exc)
    return ""


def unpack_package(pkg) -> str:
    """TProof::UploadPackage on this worker: unpack the PAR once per host; '' or the error."""
    try:
        packages.unpack_on_host(pkg)
    except (PackageError, OSError, EOFError) as exc:
        return f"package '{pkg.name}': unpacking {pkg.source} failed: {exc}"
    return ""


def enable_package(pkg, options: bytes, env: tuple = ()) -> tuple[int, str]:
    """TProof::EnablePackage on this worker: build once per host, SETUP once per process;
    return (0 or -1, the output of BUILD.sh and SETUP or the error with it)."""
    ROOT = runtime.load_library()
    prepare()
    os.environ.update(dict(env))
    opts = pickle.loads(options) if options else None
    if opts is not None:
        ROOT.SetOwnership(opts, False)
    try:
        return 0, packages.enable_here(pkg, opts)
    except PackageError as exc:
        return -1, str(exc)


def list_keys(url: str, directory: str) -> tuple[list[tuple[str, str]], str]:
    """The keys of a directory of a file as (class name, key name), in the file's order, or
    ([], the reason it cannot be read). Object data sets count their objects from this."""
    ROOT = runtime.load_library()
    prepare()
    lines, err = ROOT.TString(), ROOT.TString()
    if ROOT.ProofShim.ListKeys(url, directory, lines, err) < 0:
        return [], str(err)
    return [tuple(line.split("\t", 1)) for line in str(lines).splitlines()], ""


def count_entries_many(refs: list[tuple[str, str, str]]) -> list[tuple[int, str]]:
    """count_entries of each (url, tree, directory), in one task: counting thousands of files
    costs thousands of dask tasks otherwise."""
    ROOT = runtime.load_library()
    prepare()
    out, err = [], ROOT.TString()
    for url, tree, directory in refs:
        with runtime.root_messages_off():   # the client reports the reason, once
            n = int(ROOT.ProofShim.CountTree(url, directory, tree, err))
        if n < 0:
            why = str(err)
            out.append((-1, filecheck.unopenable_reason(url) if why.startswith("cannot open file") else why))
        else:
            out.append((n, ""))
    return out


def count_entries(url: str, tree: str, directory: str) -> tuple[int, str]:
    """Entries of one tree, or -1 and the reason it cannot be read (ROOT's own message about it
    is not printed: the client reports the reason, once)."""
    prepare()
    with runtime.root_messages_off():
        f = runtime.open_file(url)
    if f is None:
        return -1, filecheck.unopenable_reason(url)
    try:
        d = f if directory in ("", "/") else f.GetDirectory(directory)
        if not d:
            return -1, f"directory '{directory}' not found in file '{url}'"
        t = d.Get(tree)
        if not t or not t.InheritsFrom("TTree"):
            return -1, f"tree '{tree}' not found in file '{url}'"
        return int(t.GetEntries()), ""
    finally:
        f.Close()
