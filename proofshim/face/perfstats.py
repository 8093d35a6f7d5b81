"""PROOF's performance monitoring (TPerfStats): the per-worker histograms and the performance tree.

PROOF's master filled them while the query ran, from what each packet request told it: the
histograms when PROOF_StatsHist is in the input list (gEnv Proof.StatsHist, the option fb=stats,
TProof::SetPerfTree), the tree PROOF_PerfStats with PROOF_StatsTrace (the master's events) and
PROOF_SlaveStatsTrace (the workers' own). proofshim builds them from the query's statistics (each
packet's worker, entries, start, processing and CPU time, bytes read) with PROOF's names, titles and
binning, and puts them in the output list before Terminate, as PROOF did:

- PROOF_PacketsHist, PROOF_EventsHist (TH1D): packets / entries processed, one bin per active
  worker, labelled by its ordinal;
- PROOF_ProcPcktHist (TH1I): packets being processed per worker (0 at the end; live in feedback);
- PROOF_NodeHist (TH1D): +1/-1 as workers start/stop reading the files of a file-serving node;
- PROOF_LatencyHist, PROOF_ProcTimeHist, PROOF_CpuTimeHist (TH2D): per packet, worker vs. the
  seconds waited for it, spent processing it, of CPU;
- PROOF_PerfStats (TTree, branch PerfEvents of TPerfEvent): kStart, kFile start/stop, kPacket and
  kStop events (and each worker's own kStart/kStop), times relative to the query's start.

The latency of a packet is the time its worker waited between the end of its previous packet and the
start of this one (PROOF measured the packet request's round trip). The pure functions here take plain
records; the ROOT objects are built at the end.
"""
from __future__ import annotations

import dataclasses
import logging
import socket
import time
from collections.abc import Iterable, Sequence

from ..plan import locality

log = logging.getLogger("proofshim")

TAGS = ("StatsHist", "StatsTrace", "SlaveStatsTrace")
HIST = "PROOF_StatsHist"
TRACE = "PROOF_StatsTrace"
SLAVE_TRACE = "PROOF_SlaveStatsTrace"
TREE = "PROOF_PerfStats"
HISTOGRAMS = ("PROOF_PacketsHist", "PROOF_ProcPcktHist", "PROOF_EventsHist", "PROOF_NodeHist",
              "PROOF_LatencyHist", "PROOF_ProcTimeHist", "PROOF_CpuTimeHist")
# What the option fb=stats asks for as feedback (TProof::SetFeedback).
STATS_FEEDBACK = ("PROOF_EventsHist", "PROOF_PacketsHist", "PROOF_ProcPcktHist")
# What TProof::SavePerfTree (and runProof's own SavePerfTree) write.
SAVED = (TREE, "PROOF_PacketsHist", "PROOF_EventsHist", "PROOF_NodeHist", "PROOF_LatencyHist",
         "PROOF_ProcTimeHist", "PROOF_CpuTimeHist")


@dataclasses.dataclass(frozen=True)
class Record:
    """One packet as the statistics know it."""

    ordinal: str       # the worker's "0.N"
    address: str       # the worker's address (PROOF's "slave name")
    slot: str          # the worker's selector in this query
    url: str           # the packet's file ("" for cycles)
    entries: int
    started: float     # wall-clock time the packet began on the worker
    proc_time: float   # s
    cpu: float         # s
    bytes_read: int

    @property
    def ended(self) -> float:
        return self.started + self.proc_time


def records(tallies: dict, ordinals: dict[str, str], urls: Sequence[str], files: Sequence[str] = ()) -> list[Record]:
    """Records of the packets kept in `tallies` (slot or worker -> Tally whose records are the
    workers' PacketResults); `urls`: file of each element, `files`: TPacketizerFile's file names."""
    out = []
    for tally in tallies.values():
        for res in (p for packet in tally.records for p in packet.as_proof_packets()):
            if res.started <= 0:    # answered without running (its selector had failed or aborted)
                continue
            address = res.slot.worker
            names = urls or files
            url = names[res.element] if 0 <= res.element < len(names) else ""
            out.append(Record(ordinals.get(address, "?"), address, str(res.slot), url, res.processed, res.started,
                              res.elapsed, res.cpu, res.bytes_read))
    return sorted(out, key=lambda r: (r.started, r.ordinal))


def latencies(recs: Iterable[Record]) -> dict[Record, float]:
    """Per packet, the time its worker's selector waited since the end of its previous packet.

    >>> a = Record("0.0", "w", "s", "", 10, 100.0, 1.0, 0.9, 0)
    >>> b = Record("0.0", "w", "s", "", 10, 101.25, 1.0, 0.9, 0)
    >>> sorted(latencies([b, a]).values())
    [0.0, 0.25]
    """
    out, last = {}, {}
    for r in sorted(recs, key=lambda r: r.started):
        prev = last.get(r.slot)
        out[r] = max(0.0, r.started - prev) if prev is not None else 0.0
        last[r.slot] = r.ended
    return out


def file_visits(recs: Iterable[Record]) -> list[tuple[Record, Record]]:
    """(first, last) packet of each run of consecutive packets of one worker's selector on one file.

    >>> p = lambda url, t: Record("0.0", "w", "s", url, 1, t, 0.5, 0.4, 0)
    >>> [(a.url, a.started, b.ended) for a, b in file_visits([p("f1", 0), p("f1", 1), p("f2", 2), p("f1", 3)])]
    [('f1', 0, 1.5), ('f2', 2, 2.5), ('f1', 3, 3.5)]
    """
    visits, current = [], {}
    for r in sorted(recs, key=lambda r: r.started):
        if not r.url:
            continue
        cur = current.get(r.slot)
        if cur and cur[0].url == r.url:
            current[r.slot] = (cur[0], r)
            continue
        if cur:
            visits.append(cur)
        current[r.slot] = (r, r)
    visits.extend(current.values())
    return sorted(visits, key=lambda v: v[0].started)


def node_of(url: str, local_host: str) -> str:
    """The file-serving node of a file as PROOF's packetizers named it ("protocol://host").

    >>> node_of("/data/f.root", "box.example"), node_of("root://eos.example//f.root", "box")
    ('root://box.example', 'root://eos.example')
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else "file"
    if scheme == "file":
        return f"root://{local_host}"
    host = locality.file_host(url)
    return f"{scheme}://{host}" if host and scheme in ("root", "xroot", "rfio") else f"{scheme}://no-host"


def worker_labels(active: Sequence[str], recs: Iterable[Record]) -> list[str]:
    """One bin per active worker, in ordinal order, plus any other worker that processed packets.

    >>> worker_labels(["0.0", "0.1"], [Record("0.2", "w", "s", "", 1, 0, 0, 0, 0)])
    ['0.0', '0.1', '0.2']
    """
    def number(ordinal: str):
        try:
            return tuple(int(x) for x in ordinal.split("."))
        except ValueError:
            return (1 << 30,)
    seen = list(dict.fromkeys(active))
    seen += sorted({r.ordinal for r in recs} - set(seen), key=number)
    return seen


# ---- ROOT objects

def setup(ROOT, proof) -> None:
    """TPerfStats::Setup: gEnv's Proof.StatsHist, Proof.StatsTrace, Proof.SlaveStatsTrace put
    PROOF_StatsHist, ... in the input list (where PROOF left them too)."""
    for tag in TAGS:
        name = f"PROOF_{tag}"
        if not proof.GetInputList().FindObject(name) and ROOT.gEnv.GetValue(f"Proof.{tag}", 0):
            proof.SetParameter(name, "")


def wanted(proof) -> tuple[bool, bool, bool]:
    """(histograms, master trace, worker trace) the input list asks for."""
    inputs = proof.GetInputList()
    return tuple(bool(inputs.FindObject(name)) for name in (HIST, TRACE, SLAVE_TRACE))


def _histograms(ROOT, labels: Sequence[str], names: Iterable[str] = HISTOGRAMS) -> dict:
    n = max(1, len(labels))
    wanted_names = set(names)
    makers = {
        "PROOF_PacketsHist": lambda: ROOT.TH1D("PROOF_PacketsHist", "Packets processed per Worker", n, 0, n),
        "PROOF_ProcPcktHist": lambda: ROOT.TH1I("PROOF_ProcPcktHist", "Packets being processed per Worker",
                                                n, 0, n),
        "PROOF_EventsHist": lambda: ROOT.TH1D("PROOF_EventsHist", "Events processed per Worker", n, 0, n),
        "PROOF_NodeHist": lambda: ROOT.TH1D("PROOF_NodeHist", "Slaves per Fileserving Node", n, 0, n),
        # 1000 bins of 1 us: the time axes grow (kAllAxes) to hold every value, as PROOF's did.
        "PROOF_LatencyHist": lambda: ROOT.TH2D("PROOF_LatencyHist", "GetPacket Latency per Worker",
                                               n, 0, n, 1000, 0, 1e-3),
        "PROOF_ProcTimeHist": lambda: ROOT.TH2D("PROOF_ProcTimeHist", "Packet Processing Time per Worker",
                                                n, 0, n, 1000, 0, 1e-3),
        "PROOF_CpuTimeHist": lambda: ROOT.TH2D("PROOF_CpuTimeHist", "Packet CPU Time per Worker",
                                               n, 0, n, 1000, 0, 1e-3),
    }
    # Made in memory, not in whatever file the user has open (PROOF cleared gDirectory of these names).
    ctx = ROOT.TDirectory.TContext(ROOT.gROOT)
    try:
        made = {name: make() for name, make in makers.items() if name in wanted_names}
    finally:
        del ctx
    colors = {"PROOF_PacketsHist": ROOT.kCyan, "PROOF_ProcPcktHist": ROOT.kRed, "PROOF_EventsHist": ROOT.kGreen}
    for name, h in made.items():
        ROOT.SetOwnership(h, False)
        h.SetDirectory(ROOT.nullptr)
        if name in colors:
            h.SetFillColor(colors[name])
        if h.GetDimension() == 1:
            h.SetMinimum(0)
        else:
            h.SetMarkerStyle(4)
        if name in ("PROOF_NodeHist", "PROOF_LatencyHist", "PROOF_ProcTimeHist", "PROOF_CpuTimeHist"):
            h.SetCanExtend(ROOT.TH1.kAllAxes)
        for i, label in enumerate(labels):
            h.GetXaxis().SetBinLabel(i + 1, label)
    return made


def fill_histograms(ROOT, labels: Sequence[str], recs: Sequence[Record], in_flight: Iterable[str] = (),
                    *, final: bool = True, names: Iterable[str] = HISTOGRAMS) -> dict:
    """The named histograms (all seven by default) of these packets (`in_flight`: the ordinals of the
    packets being processed); `final`: as at the end of the query."""
    h = _histograms(ROOT, labels, names)

    def fill(name, *args):
        if name in h:
            h[name].Fill(*args)

    lat = latencies(recs)
    for r in recs:
        fill("PROOF_PacketsHist", r.ordinal, 1)
        fill("PROOF_EventsHist", r.ordinal, r.entries)
        fill("PROOF_LatencyHist", r.ordinal, lat[r], 1)
        fill("PROOF_ProcTimeHist", r.ordinal, r.proc_time, 1)
        fill("PROOF_CpuTimeHist", r.ordinal, r.cpu, 1)
    for ordinal in in_flight:
        fill("PROOF_ProcPcktHist", ordinal, 1)
    if "PROOF_NodeHist" in h:
        local = socket.getfqdn()
        visits = file_visits(recs)
        marks = sorted([(a.started, node_of(a.url, local), 1) for a, _ in visits]
                       + [(b.ended, node_of(b.url, local), -1) for _, b in visits])
        for _, node, step in marks:
            fill("PROOF_NodeHist", node, step)
    if final and "PROOF_PacketsHist" in h:   # TPerfStats::SimpleEvent(kStop)
        h["PROOF_PacketsHist"].LabelsDeflate("X")
        h["PROOF_PacketsHist"].LabelsOption("auv", "X")
    return h


def _stamp(ROOT, seconds: float):
    ts = ROOT.TTimeStamp()
    seconds = max(0.0, seconds)
    ts.SetSec(int(seconds))
    ts.SetNanoSec(int(round((seconds - int(seconds)) * 1e9)) % 1_000_000_000)
    return ts


def perf_tree(ROOT, recs: Sequence[Record], t0: float, t_end: float, master: bool, workers: bool):
    """The PROOF_PerfStats tree: the master's events (`master`) and the workers' own (`workers`),
    in time order, times relative to `t0`."""
    P = ROOT.TVirtualPerfStats
    events = []   # (time, fields)
    if master:
        local = socket.getfqdn()
        events.append((t0, {"fType": P.kStart}))
        for first, last in file_visits(recs):
            common = {"fType": P.kFile, "fSlave": first.ordinal, "fSlaveName": first.address,
                      "fNodeName": node_of(first.url, local), "fFileName": first.url}
            events.append((first.started, {**common, "fIsStart": True}))
            events.append((last.ended, {**common, "fIsStart": False}))
        lat = latencies(recs)
        for r in recs:
            events.append((r.ended, {"fType": P.kPacket, "fSlave": r.ordinal, "fSlaveName": r.address,
                                     "fFileName": r.url, "fEventsProcessed": r.entries, "fBytesRead": r.bytes_read,
                                     "fLatency": lat[r], "fProcTime": r.proc_time, "fCpuTime": r.cpu}))
        events.append((t_end, {"fType": P.kStop}))
    if workers:
        by_worker: dict[str, list[Record]] = {}
        for r in recs:
            by_worker.setdefault(r.ordinal, []).append(r)
        for ordinal, mine in by_worker.items():
            events.append((min(r.started for r in mine), {"fType": P.kStart, "fEvtNode": ordinal}))
            events.append((max(r.ended for r in mine), {"fType": P.kStop, "fEvtNode": ordinal}))
    ctx = ROOT.TDirectory.TContext(ROOT.gROOT)
    try:
        tree = ROOT.TTree(TREE, "PROOF Statistics")
    finally:
        del ctx
    ROOT.SetOwnership(tree, False)
    tree.SetDirectory(ROOT.nullptr)
    ev = ROOT.TPerfEvent()
    tree.Branch("PerfEvents", ev, 64000, 0)
    defaults = {"fEvtNode": "0", "fSlaveName": "", "fNodeName": "", "fFileName": "", "fFileClass": "",
                "fSlave": "", "fEventsProcessed": 0, "fBytesRead": 0, "fLen": 0, "fLatency": 0.0,
                "fProcTime": 0.0, "fCpuTime": 0.0, "fIsStart": False, "fIsOk": False}
    for when, fields in sorted(events, key=lambda e: e[0]):
        for name, default in defaults.items():
            setattr(ev, name, fields.get(name, default))
        ev.fType = fields["fType"]
        ev.fTimeStamp = _stamp(ROOT, when - t0)
        tree.Fill()
    tree.ResetBranchAddresses()
    return tree


# ---- one query's monitoring, and TProof::SetPerfTree / SavePerfTree

class Monitoring:
    """What a query asks of PROOF's performance monitoring, the objects it gets, and the fb=stats
    settings undone afterwards (TProof::SetFeedback did the same)."""

    def __init__(self, ROOT, session, feedback_option: Sequence[str]):
        self.ROOT, self.session = ROOT, session
        proof = session.proof
        setup(ROOT, proof)
        self.stats_feedback = "stats" in feedback_option
        if self.stats_feedback:
            proof.SetParameter(HIST, "")
        self.hist, self.trace, self.slave_trace = wanted(proof)
        self.t0 = time.time()

    def split_feedback(self, names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(names the workers send, performance histograms made here) of the query's feedback."""
        expanded = []
        for name in names:
            expanded.extend(STATS_FEEDBACK if name == "stats" else (name,))
        expanded = list(dict.fromkeys(expanded))
        local = tuple(n for n in expanded if n in HISTOGRAMS and self.hist)
        return tuple(n for n in expanded if n not in HISTOGRAMS), local

    def live_objects(self, executor, spec, labels: Sequence[str], names: Sequence[str]) -> list:
        """The requested performance histograms of the packets done so far (feedback)."""
        live = executor.running()
        if live is None:
            return []
        recs = records(live.tally, spec.ordinals, [e[0] for e in spec.elements], spec.files)
        flying = [spec.ordinals.get(slot.worker, "?") for slot in live.in_flight()]
        made = fill_histograms(self.ROOT, worker_labels(labels, recs), recs, flying, final=False, names=names)
        return list(made.values())

    def outputs(self, spec, workers: dict, labels: Sequence[str]) -> list:
        """The histograms and the tree for the output list, from the work kept (worker -> Tally)."""
        if not (self.hist or self.trace or self.slave_trace):
            return []
        recs = records(workers, spec.ordinals, [e[0] for e in spec.elements], spec.files)
        out = []
        if self.hist:
            out.extend(fill_histograms(self.ROOT, worker_labels(labels, recs), recs).values())
        if self.trace or self.slave_trace:
            out.append(perf_tree(self.ROOT, recs, self.t0, time.time(), self.trace, self.slave_trace))
        return out

    def end(self) -> None:
        """After the query: fb=stats' parameter goes; a SetPerfTree file is written (then disabled)."""
        if self.stats_feedback:
            self.session.proof.DeleteParameters(HIST)
        if self.session.perf_tree:
            save_perf_tree(self.ROOT, self.session)
            set_perf_tree(self.session, "", False)


def set_perf_tree(session, pf: str, with_workers: bool) -> None:
    """TProof::SetPerfTree: save the performance tree and histograms of the next query to `pf`
    ("" disables it); PROOF_StatsHist, PROOF_StatsTrace (and PROOF_SlaveStatsTrace) are set."""
    proof = session.proof
    if pf:
        session.perf_tree = pf
        proof.SetParameter(HIST, "")
        proof.SetParameter(TRACE, "")
        if with_workers:
            proof.SetParameter(SLAVE_TRACE, "")
        log.info("saving of the performance tree enabled (%s)", pf, extra={"where": "TProof::SetPerfTree"})
    else:
        session.perf_tree = ""
        for name in (HIST, TRACE, SLAVE_TRACE):
            proof.DeleteParameters(name)
        log.info("saving of the performance tree disabled", extra={"where": "TProof::SetPerfTree"})


def save_perf_tree(ROOT, session, pf: str = "", ref: str = "") -> int:
    """TProof::SavePerfTree: write the performance tree and histograms of the last query (or of query
    `ref`) to `pf` (default: SetPerfTree's file, else perftree.root). 0, or -1 with an error."""
    where = {"where": "TProof::SavePerfTree"}
    outputs, sref = session.proof.GetOutputList(), ""
    if ref:
        qr = session.proof.GetQueryResult(ref)
        if not qr:
            log.error("TQueryResult instance for query '%s' could not be retrieved", ref, extra=where)
            return -1
        outputs, sref = qr.GetOutputList(), f" for requested query '{ref}'"
    if not outputs or outputs.GetSize() <= 0:
        log.error("outputlist%s undefined or empty", sref, extra=where)
        return -1
    fn = pf or session.perf_tree or "perftree.root"
    ctx = ROOT.TDirectory.TContext()
    try:
        f = ROOT.TFile(fn, "RECREATE")
        if f.IsZombie():
            log.error("could not open file '%s' for writing", fn, extra=where)
            return -1
        f.cd()
        for obj in outputs:
            if str(obj.GetName()) in SAVED:
                obj.Write()
        f.Close()
    finally:
        del ctx
    log.info("performance information%s saved in %s ...", sref, fn, extra=where)
    return 0
