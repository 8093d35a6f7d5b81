"""What runs inside each dask worker process: ROOT and the shim library loaded once, the selector
compiled once per host, one selector per query and worker slot driven by the C++ event loop.

Functions here are dask tasks. Every task of a query runs in the worker's single executor thread,
so the per-process state below is only touched from that thread.
"""
from __future__ import annotations

import array
import ctypes
import dataclasses
import getpass
import logging
import os
import pickle
import time

from . import feedback, filecheck, logsetup, outputfile, packages, pyselector, runtime, selector, workerlog
from .errors import PackageError

log = logging.getLogger("proofshim.worker")

# Runner status codes, as in ProofShim::Runner::EResult. ERROR: the selector failed;
# DATA_ERROR: the packet's file or tree could not be opened.
OK, ABORTED_PROCESS, ABORTED_FILE, STOPPED, ERROR, DATA_ERROR = range(6)

_runners: dict[str, object] = {}   # slot -> ProofShim::Runner for the running query
_feedback_sent: dict[str, float] = {}   # slot -> when it last sent feedback
_failed: dict[str, str] = {}       # slot -> the error that ended its selector (no packet may reuse it)
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


@dataclasses.dataclass(frozen=True)
class PacketResult:
    slot: str
    packet_id: int
    processed: int
    status: int
    elapsed: float
    bytes_read: int
    last_entry: int
    error: str
    cpu: float = 0.0             # CPU seconds of the packet's thread
    feedback: bytes = b""        # copies of the feedback objects, at most every feedback_period


@dataclasses.dataclass(frozen=True)
class SlotResult:
    slot: str
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
        for name in ("Begin", "RunTreePacket", "RunListPacket", "RunCyclePacket", "RunObjectPacket", "End"):
            getattr(ROOT.ProofShim.Runner, name).__release_gil__ = True
        _prepared = True
    return f"{os.uname().nodename}:{os.getpid()}"


def _worker_address() -> str:
    from distributed import get_worker  # noqa: PLC0415

    return get_worker().address


def _set_proofserv(ROOT, spec: QuerySpec, ordinal: str) -> None:
    base = os.path.join(runtime.cache_dir(), "sessions", spec.session_tag)
    workdir = os.path.join(base, f"worker-{ordinal}")
    datadir = os.path.join(base, "data", ordinal)
    for d in (workdir, datadir):
        os.makedirs(d, exist_ok=True)
    if not ROOT.gProofServ:
        serv = ROOT.TProofServ()
        ROOT.SetOwnership(serv, False)
        ROOT.gProofServ = serv
    ROOT.gProofServ.SetInfo(ordinal, workdir, base, datadir, spec.session_tag, getpass.getuser(),
                            "default", spec.seq)


def request_stop(level: int) -> None:
    """StopProcess on this worker: 1 ends the running packet at its next entry, 2 aborts it.

    Runs in the worker's event-loop thread (Client.run) while a packet runs in its executor."""
    runtime.load_library().ProofShim.Runner.RequestStop(int(level))


def _begin(spec: QuerySpec, slot: str):
    ROOT = runtime.load_library()
    prepare()
    ROOT.ProofShim.Runner.RequestStop(0)   # a stop request of an earlier query ends here
    logsetup.set_proof_level(spec.log_level)
    os.environ.update(dict(spec.env))
    input_list = pickle.loads(spec.input_list)
    ROOT.SetOwnership(input_list, False)
    # Packages first (a worker that joined after EnablePackage sets them up now; others skip
    # them), then TProof::Load's code, which may include a package's headers.
    for enabled in spec.packages:
        packages.enable_here(enabled.package, packages.options_list(enabled, input_list))
    for code in spec.loads:
        selector.load(code, require_selector=False)
    class_name = selector.load(spec.selector)
    # A new query replaces whatever an earlier, abandoned query left behind.
    _drop_slots(lambda slot: not slot.startswith(spec.query_id + "|"))
    ordinal = _ordinal(spec)
    _set_proofserv(ROOT, spec, ordinal)
    outputfile.begin_slot(ROOT, spec.seq, slot)
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
    runner.SetTreeCache(spec.tree_cache, spec.cache_size)
    _runners[slot] = runner
    rc = runner.Begin()
    return runner, rc


def _ordinal(spec: QuerySpec) -> str:
    return spec.ordinals.get(_worker_address(), f"0.{len(spec.ordinals)}")


def _query_log(spec: QuerySpec):
    """The worker's stdout and stderr go to its log of the query while a task of it runs."""
    return workerlog.captured_to(workerlog.log_path(spec.session_tag, _ordinal(spec), spec.seq))


def run_packet(spec: QuerySpec, slot: str, packet) -> PacketResult:
    """Process one packet in this worker's selector for `slot` (created, with SlaveBegin, on first use)."""
    with _query_log(spec):
        return _run_packet(spec, slot, packet)


def _run_packet(spec: QuerySpec, slot: str, packet) -> PacketResult:
    t0 = time.perf_counter()
    if slot in _failed:
        # The selector threw in an earlier packet (or in SlaveBegin): its state is unknown, and a
        # packet already queued behind that one must not run it (e.g. on members never created).
        return PacketResult(slot, packet.id, 0, ERROR, 0.0, 0, -1, _failed[slot])
    runner = _runners.get(slot)
    if runner is None:
        runner, rc = _begin(spec, slot)
        if rc != OK:
            if rc == ERROR:
                _failed[slot] = str(runner.GetError())
            return PacketResult(slot, packet.id, 0, rc, time.perf_counter() - t0, 0, -1,
                                str(runner.GetError()))
    before, bytes_before = runner.GetProcessed(), runner.GetBytesRead()
    t1, cpu0 = time.perf_counter(), time.thread_time()
    if spec.cycles:
        rc = runner.RunCyclePacket(packet.first, packet.num)
    elif spec.objects:
        url, _, directory = spec.elements[packet.element]
        rc = runner.RunObjectPacket(url, directory, _int64s(spec, "objects", packet.element), packet.first,
                                    packet.num)
    else:
        url, tree, directory = spec.elements[packet.element]
        runner.SetFriends(spec.friends[packet.element] if spec.friends else "")
        if spec.entry_lists:
            entries = _int64s(spec, "entry_lists", packet.element)
            rc = runner.RunListPacket(url, directory, tree, entries, packet.first, packet.num)
        else:
            rc = runner.RunTreePacket(url, directory, tree, packet.first, packet.num)
    elapsed, cpu = time.perf_counter() - t1, time.thread_time() - cpu0
    error = str(runner.GetError())
    if rc == ERROR:
        _failed[slot] = error
    elif rc == DATA_ERROR and error.startswith("cannot open file"):
        error = filecheck.unopenable_reason(url)   # say why, as seen from this worker's host
    return PacketResult(slot, packet.id, runner.GetProcessed() - before, rc, elapsed,
                        runner.GetBytesRead() - bytes_before, runner.GetLastEntry(), error, cpu,
                        _feedback_due(spec, slot, runner))


def _feedback_due(spec: QuerySpec, slot: str, runner) -> bytes:
    """Copies of the feedback objects if the slot has not sent any for a feedback period."""
    if not spec.feedback:
        return b""
    now = time.monotonic()
    last = _feedback_sent.setdefault(slot, now)
    if now - last < spec.feedback_period:
        return b""
    _feedback_sent[slot] = now
    return feedback.worker_snapshot(runtime.import_root(), runner.GetOutputList(), spec.feedback)


_int64_arrays: dict = {}   # (query id, field, element) -> int64 array, for the running query


def _int64s(spec: QuerySpec, field: str, element: int):
    """Element `element` of the spec's per-element int64 arrays (entry lists, object key positions),
    decoded once per query; the C++ loop reads the array in place."""
    key = (spec.query_id, field, element)
    if key not in _int64_arrays:
        if _int64_arrays and next(iter(_int64_arrays))[0] != spec.query_id:
            _int64_arrays.clear()
        values = array.array("q")    # "q" is long long, i.e. Long64_t, as the C++ loop takes it
        values.frombytes(getattr(spec, field)[element])
        _int64_arrays[key] = values
    return _int64_arrays[key]


def finish_slot(spec: QuerySpec, slot: str) -> SlotResult:
    """SlaveTerminate the slot's selector and return its output list, serialised."""
    with _query_log(spec):
        return _finish_slot(spec, slot)


def _finish_slot(spec: QuerySpec, slot: str) -> SlotResult:
    runner = _runners.pop(slot, None)
    _feedback_sent.pop(slot, None)
    if runner is None:
        return SlotResult(slot, b"", 0, 0, f"worker {_worker_address()} has no selector for {slot} "
                          "(the worker was restarted?)")
    rc = runner.End()
    outputfile.finish_parts(runtime.import_root(), runner.GetOutputList(), _worker_address(),
                            spec.selector.label)
    output = pickle.dumps(runner.GetOutputList(), protocol=pickle.HIGHEST_PROTOCOL)
    result = SlotResult(slot, output, runner.GetProcessed(), runner.GetInitCalls(),
                        str(runner.GetError()) if rc != OK else "")
    del runner
    return result


def _drop_slots(doomed) -> int:
    """Forget every slot for which doomed(slot) holds, in all per-slot state; return how many
    selectors went with them."""
    dropped = 0
    for state in (_runners, _feedback_sent, _failed):
        for slot in [k for k in state if doomed(k)]:
            del state[slot]
            dropped += state is _runners
    return dropped


def forget_query(query_id: str) -> int:
    """Drop the selectors an aborted query left in this worker."""
    return _drop_slots(lambda slot: slot.startswith(query_id + "|"))


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
    from .errors import ProofShimError  # noqa: PLC0415

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


def count_entries(url: str, tree: str, directory: str) -> tuple[int, str]:
    """Entries of one tree, or -1 and the reason it cannot be read."""
    prepare()
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
