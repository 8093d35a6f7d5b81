"""One query's run on the cluster: packets to worker slots, every slot finished, the outputs checked.

A QueryRun drives the packetizer against a Backend (the dask side, executor.DaskRun; a fake one in
the unit tests) from one thread, in one event loop:

- packets go to each worker's current slot (one selector per worker and query), two in flight so
  that the worker never waits for the client;
- when the packetizer has nothing more to hand out and no packet is in flight, every slot is
  finished (SlaveTerminate, its outputs come back); a worker of the query that never received a
  packet gets a slot then, so that every worker runs SlaveBegin and SlaveTerminate once, as in PROOF;
- a slot whose worker disappears is lost: everything it did goes back in the queue and is redone
  by the others, or by replacements when every worker is gone (waited for, bounded);
- every second: workers lost or joined, and for workers that have not shown progress for a while
  a probe of what they do (hang detection: which worker, which packet, at which entry);
- StopProcess/Ctrl-C: a soft stop reaches the running packets at their next entry, then the slots
  are finished; an abort ends the packets at their next entry, restarts workers stuck in user code,
  and drops the query's selectors;
- at the end, the invariant: the entries the committed slots' selectors processed equal the
  query's processed total, so a query never reports entries its merged outputs do not hold.

Pure Python: no ROOT, no dask (tests/test_queryrun.py drives it with a fake backend and clock).
"""
from __future__ import annotations

import dataclasses
import logging
import sys
from typing import Protocol

from ..plan import filecheck
from ..worker import slots
from ..util.errors import QueryAborted, QueryError
from ..plan.packetizer import AdaptivePacketizer, Packet
from ..worker.slots import Slot

log = logging.getLogger("proofshim")

IN_FLIGHT_PER_SLOT = 2
MAX_WORKER_LOSSES_PER_PACKET = 2   # a packet in flight at this many worker deaths fails the query
POLL = 0.25                        # s between looks at the tasks (and at a stop request)
CHECK_INTERVAL = 1.0               # s between looks at the cluster's workers and at stalls
SILENT_PHASES = ("prepare", "idle")   # compiling the selector, waiting: not a stall of its own


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """The run loop's limits (proofshim settings; see docs/proofshim.yaml.example)."""

    result_timeout: float = 30.0   # s to fetch a finished task's (small) result from its worker
    finish_timeout: float = 600.0  # s for a slot's SlaveTerminate
    hang_warning: float = 10.0     # s without progress before a worker's packet is reported
    packet_timeout: float = 0.0    # s a packet may run before it fails the query (0: no limit)
    worker_wait: float = 60.0      # s to wait for replacements when every worker is gone
    abort_grace: float = 5.0       # s for running packets to end after an abort before their
    #                                workers are restarted (stuck in the selector's code)


@dataclasses.dataclass
class Tally:
    """What one slot (or one worker) did in a query."""

    entries: int = 0
    bytes_read: int = 0
    packets: int = 0
    proc_time: float = 0.0     # s spent in packets
    cpu: float = 0.0           # CPU s spent in packets
    records: list = dataclasses.field(default_factory=list)   # each packet's PacketResult (face/perfstats.py)

    def add_packet(self, res: slots.PacketResult) -> None:
        self.entries += res.processed
        self.bytes_read += res.bytes_read
        self.proc_time += res.elapsed
        self.cpu += res.cpu
        # A packet of several files is several PROOF packets to the selector (one element each,
        # kNewPacket set): the statistics count each (their records: PacketResult.as_proof_packets).
        self.packets += max(1, len(res.runs))
        self.records.append(res)

    def merge(self, other: Tally) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@dataclasses.dataclass
class QueryOutcome:
    """What the workers returned for a query."""

    outputs: list[bytes]
    processed: int
    bytes_read: int
    dropped: dict                     # file URL -> reason, for MissingFiles
    stopped: bool
    slots: list[slots.SlotResult]
    workers: dict[str, Tally] = dataclasses.field(default_factory=dict)   # address -> its work kept
    counts: dict = dataclasses.field(default_factory=dict)   # element -> entries, of the files counted
    #                                                          by their first packet (-1: unreadable)


class Backend(Protocol):
    """What a QueryRun needs from the cluster. Handles are opaque (dask futures in DaskRun)."""

    def clock(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def workers(self) -> list[str]: ...                      # every usable worker now, sorted
    def active(self, current: list[str]) -> list[str]: ...   # those the query uses (SetParallel)
    def host_of(self, addr: str) -> str | None: ...
    def submit_packet(self, slot: Slot, packet: Packet): ...
    def submit_finish(self, slot: Slot, create: bool, after: list = ()): ...   # after `after` (its packets)
    # The done ones among `handles`, waiting at most `timeout` s (Ctrl-C: KeyboardInterrupt).
    def wait(self, handles: list, timeout: float) -> set: ...
    # ("ok", result), ("died", exc) its worker died running it, ("lost", None) the result went
    # with its worker, ("error", exc) the task raised.
    def outcome(self, handle, addr: str) -> tuple[str, object]: ...
    # Whether the task (packet `packet_id` of `slot`) ran to its end on its worker (its result
    # may since be lost with it).
    def ran(self, handle, slot: Slot, packet_id: int) -> bool: ...
    def cancel(self, handles: list) -> None: ...
    def stop(self, addrs: list[str], level: int) -> None: ...
    # slots.activity's answer per worker, None for a worker that did not answer in time.
    def probe(self, addrs: list[str]) -> dict[str, dict | None]: ...
    def restart(self, addrs: list[str]) -> dict[str, str]: ...   # addr -> "" or why it failed
    def lost_cause(self, addr: str) -> str: ...                  # why a worker went, if known
    def forget(self) -> None: ...                                # drop the query's selectors


@dataclasses.dataclass
class _Task:
    slot: Slot
    packet: Packet | None      # None: finishing the slot
    sent: float


@dataclasses.dataclass
class _Watch:
    """Hang detection for one worker: when it last showed progress, what it showed."""

    since: float               # last evidence of progress
    probed: float = -1e9
    signature: tuple = ()
    next_warning: float = 0.0  # stall length at which the next warning is due
    answered: float = 0.0      # last probe answer
    missed: int = 0            # probes unanswered in a row


class QueryRun:
    """Runs one query's packets on a Backend; `run()` returns its QueryOutcome."""

    def __init__(self, spec: slots.QuerySpec, packetizer: AdaptivePacketizer, progress,
                 backend: Backend, settings: RunSettings = RunSettings()):
        self.spec, self.packetizer, self.progress, self.backend = spec, packetizer, progress, backend
        self.settings = settings
        self.stop_request: str | None = None      # None, "stop" or "abort": set from any thread
        self._stop_sent = 0
        self.tasks: dict = {}                     # handle -> _Task
        self.slots: dict[Slot, int] = {}          # live, uncommitted slots -> packets sent
        self.active: dict[str, Slot] = {}         # worker -> its slot taking packets
        self.results: dict[Slot, slots.SlotResult] = {}   # committed slots
        self.tally: dict[Slot, Tally] = {}        # slot -> its work (a lost slot's is dropped)
        self._entries = self._bytes = 0           # the tallies' sums (kept up to date, not summed)
        self.counts: dict[int, int] = {}          # files counted by their first packet -> entries
        self._flying: dict[Slot, int] = {}        # slot -> its packets in flight
        self.finishing: set[Slot] = set()         # slots whose SlaveTerminate was sent
        self._early: dict[Slot, object] = {}      # slot -> its finish, done before its packets were seen
        self.began: set[str] = set()              # workers that had a slot in this query
        self.closed: set[str] = set()             # workers whose selector asked to end (kAbortProcess)
        self.dropped: dict[str, str] = {}
        self.known: list[str] = []                # the query's workers at the last check
        self._n = 0
        self._suspects: dict[tuple, list[str]] = {}   # packet range -> workers lost with it in flight
        self._watch: dict[str, _Watch] = {}
        self._last_check = -1e9
        self._no_workers_since: float | None = None
        # After a loss nothing is handed out until the next look at the cluster: when workers die
        # together (killed at once, a host going down), the others may not be known dead yet, and
        # the lost work sent to them would be lost again, and wrongly suspected of the crashes.
        self._feed_after = -1e9

    # ---- public
    def in_flight(self) -> list[Slot]:
        """The slots of the packets sent and not yet answered (one entry per packet)."""
        return [t.slot for t in self.tasks.values() if t.packet is not None]

    def request_stop(self, abort: bool) -> None:
        """Soft stop (no new packets, running ones end at their next entry) or abort; from any
        thread. The loop passes it on to the workers within a poll."""
        self.stop_request = "abort" if abort else (self.stop_request or "stop")

    def run(self) -> QueryOutcome:
        """Run every packet, finish every slot, check the outputs; raise QueryError/QueryAborted."""
        try:
            self.known = self.backend.active(self.backend.workers())
            for addr in self.known:
                self._feed(addr)
            for addr in self.known:     # the first fed may have had work left then
                self._finish_early(addr)
            while True:
                self._handle_stop()
                if self.tasks:
                    deferred = set(self._early.values())
                    # A slot's finish seen done before its packets waits in _early (_task_done).
                    for handle in self._wait([h for h in self.tasks if h not in deferred], POLL):
                        if handle in self.tasks:   # not given up with a lost slot meanwhile
                            self._task_done(handle)
                elif not self._next_step():
                    break
                else:
                    self._sleep_if_idle()
                self._periodic()
        except BaseException:   # errors, aborts, Ctrl-C: nothing of this query may keep running
            self.backend.cancel(list(self.tasks))
            self.tasks.clear()
            self.backend.forget()
            raise
        return self._outcome()

    # ---- feeding packets
    def _new_slot(self, addr: str) -> Slot:
        self._n += 1
        return Slot(self.spec.query_id, addr, self._n)

    def _feed(self, addr: str) -> None:
        """Keep IN_FLIGHT_PER_SLOT packets queued on the worker's current slot."""
        if self.stop_request or addr in self.closed or self.backend.clock() < self._feed_after:
            return
        slot = self.active.get(addr)
        fresh = slot is None
        if fresh:
            slot = self._new_slot(addr)
        n = self._flying.get(slot, 0)
        while n < IN_FLIGHT_PER_SLOT:
            packet = self.packetizer.next_packet(slot, self.backend.host_of(addr))
            if packet is None:
                break
            if fresh:
                self.active[addr] = slot
                self.slots[slot] = 0
                self.tally[slot] = Tally()
                self.began.add(addr)
                fresh = False
            self.tasks[self.backend.submit_packet(slot, packet)] = _Task(slot, packet, self.backend.clock())
            self.slots[slot] += 1
            n += 1
            self._flying[slot] = n
        if fresh:   # nothing to hand out: no slot made (an empty one may come at the finish)
            self._packetizer_call("slot_lost", slot)
        else:
            self._finish_early(addr)

    def _finish_early(self, addr: str) -> None:
        """Nothing is left for any slot: the worker's SlaveTerminate goes out now, queued on it
        behind its slot's packets (a single-threaded worker runs them in the order sent), not a
        round trip after them. Work lost later with another worker starts a new slot."""
        slot = self.active.get(addr)
        if slot is not None and self._flying.get(slot, 0) and slot not in self.finishing \
                and self._all_handed_out():
            self._finish(slot, create=False)
            self.active.pop(addr, None)

    def _all_handed_out(self) -> bool:
        """Whether the packetizer has nothing more to hand out, now or later: every file counted,
        no lost work queued again, no stop (a stopped query finishes its slots as they are)."""
        pk = self.packetizer
        return not self.stop_request and not pk.has_work and not getattr(pk, "unsized_elements", 0)

    def _finish(self, slot: Slot, create: bool) -> None:
        self.finishing.add(slot)
        after = [h for h, t in self.tasks.items() if t.slot == slot and t.packet is not None]
        self.tasks[self.backend.submit_finish(slot, create, after)] = _Task(slot, None, self.backend.clock())

    def _packetizer_call(self, method: str, slot: Slot):
        """slot_lost/slot_committed for a slot the packetizer may never have seen (an empty one)."""
        try:
            return getattr(self.packetizer, method)(slot)
        except ValueError:
            return []

    def _next_step(self) -> bool:
        """Nothing is running: hand out what is left, else finish the slots; False when done."""
        work_left = not self.stop_request and not self.packetizer.finished
        if work_left:
            if self.known and all(a in self.closed for a in self.known):
                log.info("the selector ended processing (kAbortProcess) on every worker: %d entries "
                         "are not processed", self.packetizer.remaining_entries)
                self.packetizer.stop()
            else:
                for addr in self.known:
                    self._feed(addr)
                if self.tasks or not self.known or self.backend.clock() < self._feed_after:
                    return True   # packets out, or waiting for workers (see _periodic)
        # Every packet is back: SlaveTerminate on every slot; workers that never had a slot in
        # this query run SlaveBegin and SlaveTerminate on an empty one (as every PROOF worker did).
        pending = [(s, False) for s in self.slots if s not in self.results and s not in self.finishing]
        for addr in self.known:
            if addr not in self.began:
                slot = self._new_slot(addr)
                self.slots[slot] = 0
                self.began.add(addr)
                pending.append((slot, True))
        self.active.clear()   # finished slots take no more packets: new ones would start
        for slot, create in pending:
            self._finish(slot, create)
        return bool(pending)

    def _sleep_if_idle(self) -> None:
        if not self.tasks:   # waiting for workers to come back
            try:
                self.backend.sleep(POLL)
            except KeyboardInterrupt:
                self.interrupted()

    # ---- results
    def _task_done(self, handle) -> None:
        task = self.tasks[handle]
        slot = task.slot
        if task.packet is None and self._flying.get(slot, 0) > 0:
            # A finish sent behind the slot's packets, seen done before them: taken once they are.
            self._early[slot] = handle
            return
        del self.tasks[handle]
        if task.packet is not None:
            self._flying[slot] = self._flying.get(slot, 1) - 1
            if self._flying[slot] == 0:
                for t in self.tasks.values():
                    if t.slot == slot and t.packet is None:
                        t.sent = self.backend.clock()   # its time limit counts from now
        try:
            self._task_result(handle, task)
        finally:
            early = self._early.get(slot)
            if early is not None and self._flying.get(slot, 0) == 0 and early in self.tasks \
                    and slot in self.slots:
                del self._early[slot]
                self._task_done(early)

    def _task_result(self, handle, task) -> None:
        slot = task.slot
        kind, value = self.backend.outcome(handle, slot.worker)
        self._progressed(slot.worker)
        if kind in ("died", "lost"):
            if slot in self.slots and slot not in self.results:
                self._lose_slot(slot, also=[task.packet] if kind == "died" and task.packet else [])
            return
        if kind == "error":
            if task.packet is None:
                raise QueryError(f"finishing the selector on {self._worker(slot.worker)} failed: {value}",
                                 workers=[slot.worker])
            raise QueryError(f"packet {task.packet.first}..{task.packet.first + task.packet.num} of "
                             f"{self._where(task.packet)} failed on {self._worker(slot.worker)}: {value}",
                             workers=[slot.worker])
        if task.packet is None:
            self._slot_finished(slot, value)
        else:
            self._packet_finished(slot, task.packet, value)

    def _slot_finished(self, slot: Slot, res: slots.SlotResult) -> None:
        if res.error == slots.UNKNOWN_SLOT:
            # The worker no longer holds the selector (restarted, or its slot reclaimed): the work
            # it did is redone, as for a lost worker.
            log.warning("%s no longer holds the selector of this query (restarted?): its work is redone",
                        self._worker(slot.worker))
            self._lose_slot(slot)
            return
        self.results[slot] = res
        self._packetizer_call("slot_committed", slot)

    def _packet_finished(self, slot: Slot, packet: Packet, res: slots.PacketResult) -> None:
        spec = self.spec
        counts = {e: max(0, n) for e, n, _ in res.counts}
        self.packetizer.packet_done(slot, packet, res.elapsed, res.processed, counts)
        self._counted(packet, res)
        self.tally[slot].add_packet(res)
        self._entries += res.processed
        self._bytes += res.bytes_read
        log.debug("packet %d (%s) on %s: %d entries in %.3f s", packet.id, self._where(packet),
                  slot.worker, res.processed, res.elapsed)
        if res.feedback and self.progress.feedback is not None:
            self.progress.feedback.add(str(slot), res.feedback)
        if res.status == slots.ERROR:
            raise QueryError(f"selector {spec.selector.label} failed on {self._where(packet, res)}: "
                             f"{res.error}", workers=[slot.worker])
        for element, status, entry, error in res.files:
            if status == slots.DATA_ERROR:
                # Counted before, unreadable now: PROOF's TPacketizerAdaptive dropped the rest of
                # such a file into MissingFiles; strict mode fails instead.
                url = spec.elements[element][0]
                if spec.strict:
                    raise QueryError(f"{error}, while processing {self._where(packet, piece=element)} "
                                     "(strict mode: no file may be skipped)")
                n = self.packetizer.drop_rest_of_element(slot, packet, entry, element=element)
                if url not in self.dropped:
                    self.dropped[url] = f"{error} (while processing)"
                    log.warning("%s while processing: %d entries of it from entry %d on are skipped, the "
                                "file is listed in MissingFiles", error, n, entry)
            elif status == slots.ABORTED_FILE:
                url = spec.elements[element][0] if not spec.cycles else "cycles"
                n = self.packetizer.drop_rest_of_element(slot, packet, entry + 1, element=element)
                self.dropped.setdefault(url, "the selector skipped the rest of the file (kAbortFile)")
                log.info("kAbortFile: %d entries of %s skipped", n, url)
        if res.status == slots.ABORTED_PROCESS:
            log.info("selector asked to abort processing on %s (kAbortProcess)", slot.worker)
            self.closed.add(slot.worker)
        elif res.status == slots.STOPPED:
            self.closed.add(slot.worker)
        if counts:
            self.progress.set_total(self.packetizer.estimated_total())
        self.progress.update(self._entries, self._bytes, len(self.active))
        if slot in self.slots and self.active.get(slot.worker) == slot:
            self._feed(slot.worker)

    def _counted(self, packet: Packet, res: slots.PacketResult) -> None:
        """Files counted by this packet (not counted before the query): those that cannot be
        processed are skipped and listed in MissingFiles as if they had been counted first, or
        fail the query in strict mode."""
        first = {e: f for e, f, _ in packet.pieces}
        for element, entries, error in res.counts:
            self.counts[element] = entries
            url, tree, _ = self.spec.elements[element]
            why = filecheck.skip_reason(url, tree, entries, error, first.get(element, 0))
            if not why:
                continue
            if self.spec.strict:
                raise QueryError(f"{why} (strict mode: no file may be skipped; leave it out of the data, "
                                 f"or unset {filecheck.STRICT_PARAMETER} / proofshim.strict)")
            if url not in self.dropped:
                log.warning("%s: file skipped, listed in MissingFiles", why)
                self.dropped[url] = why

    # ---- lost workers
    def _lose_slot(self, slot: Slot, also=()) -> None:
        """The slot's selector is gone: everything it did goes back in the queue. Of its packets
        in flight (`also`: ones already taken off the tasks) that had not run to their end, the
        oldest is the one its worker was running: the suspect of the loss (the others waited
        behind it). A packet that ended but whose result went with its worker is not suspected:
        the worker died in the one after it."""
        packets = list(also)
        for handle, task in list(self.tasks.items()):
            if task.slot == slot:
                del self.tasks[handle]
                if task.packet is not None and not self.backend.ran(handle, slot, task.packet.id):
                    packets.append(task.packet)
                self.backend.cancel([handle])
        culprits = []
        for packet in sorted(packets, key=lambda p: p.id)[:1]:
            # Requeued work comes back under a new packet id, with the same range.
            key = packet.pieces
            self._suspects.setdefault(key, []).append(slot.worker)
            if len(self._suspects[key]) >= MAX_WORKER_LOSSES_PER_PACKET:
                culprits.append(packet)
        cause = self.backend.lost_cause(slot.worker)
        if culprits:
            crashed = [a for p in culprits for a in self._suspects[p.pieces]]
            why = f"({cause})" if cause else ("(a crash, e.g. a segmentation violation, or the memory "
                                              "limit)")
            raise QueryError(
                f"selector {self.spec.selector.label} took down {MAX_WORKER_LOSSES_PER_PACKET} worker "
                f"processes on the same data {why}: " + "; ".join(self._where(p) for p in culprits)
                + " (the selector's Process() is the first suspect).", workers=list(dict.fromkeys(crashed)))
        requeued = self._packetizer_call("slot_lost", slot)
        lost = self.tally.pop(slot, None)
        if lost is not None:
            self._entries -= lost.entries
            self._bytes -= lost.bytes_read
        self._flying.pop(slot, None)
        self.finishing.discard(slot)
        self._early.pop(slot, None)
        self.slots.pop(slot, None)
        if self.progress.feedback is not None:
            self.progress.feedback.drop(str(slot))
        log.warning("%s was lost%s: %d packet(s) of its work go back in the queue",
                    self._worker(slot.worker), f" ({cause})" if cause else "", len(requeued))
        now = self.backend.clock()
        self._feed_after = now + CHECK_INTERVAL
        self._last_check = min(self._last_check, now)   # look at the cluster once the hold ends
        if self.active.get(slot.worker) == slot:
            self.active.pop(slot.worker)
        if not any(s.worker == slot.worker for s in self.slots):
            self.began.discard(slot.worker)

    def _periodic(self) -> None:
        now = self.backend.clock()
        if now - self._last_check < CHECK_INTERVAL and not self._last_check < self._feed_after <= now:
            return
        self._last_check = now
        current = self.backend.workers()
        gone = {s.worker for s in self.slots if s not in self.results} - set(current)
        for slot in [s for s in self.slots if s.worker in gone and s not in self.results]:
            if slot in self.slots:
                self._lose_slot(slot)
        for addr in gone:
            self._watch.pop(addr, None)
        self.known = self.backend.active(current)
        self._wait_for_workers(now, current)
        if self.packetizer.has_work:   # workers joined, or lost work to redo
            for addr in self.known:
                self._feed(addr)
        late = [t for t in self.tasks.values()
                if t.packet is None and now - t.sent > self.settings.finish_timeout]
        if late:
            raise QueryError(f"SlaveTerminate did not finish on {len(late)} worker(s) within "
                             f"{self.settings.finish_timeout:.0f} s (proofshim.finish-timeout): "
                             + ", ".join(self._worker(t.slot.worker) for t in late),
                             workers=[t.slot.worker for t in late])
        self._check_stalls(now)

    def _wait_for_workers(self, now: float, current: list[str]) -> None:
        """Every worker gone (killed, crashed, the memory limit): wait, bounded, for replacements."""
        if current:
            if self._no_workers_since is not None:
                log.warning("%d worker(s) back after %.0f s: the lost work is redone", len(current),
                            now - self._no_workers_since)
                self._no_workers_since = None
            return
        if self._no_workers_since is None:
            self._no_workers_since = now
            log.warning("every worker of the cluster is gone: waiting up to %.0f s for replacements "
                        "(proofshim.worker-wait)", self.settings.worker_wait)
        elif now - self._no_workers_since > self.settings.worker_wait:
            raise QueryError(f"no dask worker is left in the cluster: none came back within "
                             f"{self.settings.worker_wait:.0f} s (proofshim.worker-wait); "
                             f"{self.packetizer.remaining_entries} entries were not processed")

    # ---- hung selectors, stopped workers
    def _progressed(self, addr: str) -> None:
        w = self._watch.get(addr)
        if w is not None:
            w.since = self.backend.clock()
            w.next_warning = 0.0

    def _check_stalls(self, now: float) -> None:
        s = self.settings
        limit = min(x for x in (s.hang_warning, s.packet_timeout) if x > 0) if (s.hang_warning > 0 or
                                                                            s.packet_timeout > 0) else 0
        if limit <= 0:
            return
        busy = {t.slot.worker for t in self.tasks.values()}
        for addr in list(self._watch):
            if addr not in busy:
                del self._watch[addr]
        due = []
        for addr in busy:
            w = self._watch.setdefault(addr, _Watch(since=now, answered=now))
            if now - w.since >= limit / 2 and now - w.probed >= limit / 2:
                w.probed = now
                due.append(addr)
        if not due:
            return
        try:
            answers = self.backend.probe(due)
        except KeyboardInterrupt:
            self.interrupted()
            return
        for addr in due:
            self._judge(addr, answers.get(addr), now)

    def _judge(self, addr: str, answer: dict | None, now: float) -> None:
        """Warn about (or, past the packet time limit, fail) a worker whose work does not move."""
        w = self._watch[addr]
        limit = self.settings.packet_timeout
        tasks = [t for t in self.tasks.values() if t.slot.worker == addr]
        if answer is None:
            w.missed += 1
            packet = next((t.packet for t in tasks if t.packet is not None), None)
            where = self._where(packet) if packet else "SlaveTerminate"
            silent = now - w.answered
            # One slow answer on a loaded machine is not silence: two probes in a row unanswered.
            if limit > 0 and silent > limit and w.missed >= 2:
                self._packet_timed_out(addr, where, f"has not answered for {silent:.0f} s")
            self._warn(w, addr, silent, f"has not answered for {silent:.0f} s (stopped, e.g. by SIGSTOP, "
                                        f"or overloaded?): its {where} is not progressing")
            return
        w.answered, w.missed = now, 0
        running = sorted((slot, a) for slot, a in answer.get("slots", {}).items()
                         if slot.worker == addr and a[0] not in SILENT_PHASES)
        if not running:   # compiling the selector, or waiting behind another query's task
            w.since, w.signature = now, ()
            other = answer.get("others", 0.0)
            self._warn(w, addr, other, f"has been running another query's task for {other:.0f} s: this "
                                       "query's packets wait behind it")
            return
        slot, (phase, packet_id, age, _processed, last_entry, *more) = running[0]
        packet = next((t.packet for t in tasks if t.packet is not None and t.packet.id == packet_id), None)
        piece = more[0] if more and packet is not None and more[0] < len(packet.pieces) else 0
        where = self._where(packet, last_entry=last_entry, piece=packet.pieces[piece][0] if packet else None) \
            if packet else \
            {"begin": "SlaveBegin", "finish": "SlaveTerminate"}.get(phase, phase)
        if phase == "packet" and limit > 0 and age > limit:
            self._packet_timed_out(addr, where, f"has run it for {age:.0f} s")
        signature = tuple((str(s), a[0], a[1], a[3]) for s, a in running)
        if signature != w.signature:   # an entry processed, or another phase: progress
            w.signature, w.since, w.next_warning = signature, now, 0.0
            return
        stalled = now - w.since
        self._warn(w, addr, stalled, f"has processed no entry for {stalled:.0f} s, in {where} (the "
                                     "selector is stuck in its code?)")

    def _warn(self, w: _Watch, addr: str, length: float, text: str) -> None:
        """A warning at hang_warning seconds of stall, then each time the stall doubles."""
        if self.settings.hang_warning <= 0 or length < self.settings.hang_warning:
            return
        if length >= w.next_warning:
            log.warning("%s %s", self._worker(addr), text)
            w.next_warning = max(length, self.settings.hang_warning) * 2

    def _packet_timed_out(self, addr: str, where: str, what: str) -> None:
        restarted = self._restart([addr], f"its packet ran over {self.settings.packet_timeout:.0f} s "
                                          "(proofshim.packet-timeout)")
        raise QueryError(f"{where} did not end within the packet time limit of "
                         f"{self.settings.packet_timeout:.0f} s (proofshim.packet-timeout): "
                         f"{self._worker(addr)} {what}. {restarted}", workers=[addr])

    def _restart(self, addrs: list[str], why: str) -> str:
        """Restart workers stuck in user code; a sentence saying what happened."""
        if not addrs:
            return ""
        try:
            failed = self.backend.restart(addrs)
        except Exception as exc:  # noqa: BLE001
            failed = {a: str(exc) for a in addrs}
        said = []
        for addr in addrs:
            if failed.get(addr):
                said.append(f"{self._worker(addr)} could not be restarted ({failed[addr]}): it stays "
                            f"busy until its packet ends; restart it by hand if it does not")
                log.warning("%s (%s) could not be restarted: %s", self._worker(addr), why, failed[addr])
            else:
                said.append(f"{self._worker(addr)} was restarted")
                log.warning("%s was restarted: %s", self._worker(addr), why)
        return "; ".join(said) + "."

    # ---- stopping
    def _wait(self, handles: list, timeout: float) -> set:
        try:
            return self.backend.wait(handles, timeout)
        except KeyboardInterrupt:
            self.interrupted()
            return set()

    def interrupted(self) -> None:
        """Ctrl-C: a soft stop the first time, an abort the second (from a signal handler too)."""
        first = self.stop_request is None
        self.request_stop(abort=not first)
        if first:
            print("Info in <TProof::StopProcess>: Ctrl-C: stopping the query (running packets end at "
                  "their next entry); press Ctrl-C again to abort it", file=sys.stderr)

    def _handle_stop(self) -> None:
        level = {"stop": 1, "abort": 2}.get(self.stop_request or "", 0)
        if level <= self._stop_sent:
            return
        self._stop_sent = level
        self.packetizer.stop()
        addrs = sorted({s.worker for s in self.slots} | {t.slot.worker for t in self.tasks.values()})
        try:
            self.backend.stop(addrs, level)
        except KeyboardInterrupt:
            self.request_stop(abort=True)
        except Exception as exc:  # noqa: BLE001 - the abort below restarts workers that did not hear
            log.warning("could not pass the stop request to the workers: %s", exc)
        if level == 2:
            self._abort()

    def _abort(self) -> None:
        """Give the running packets abort_grace seconds to end at their next entry; restart the
        workers still running one (stuck in the selector's code); drop the query's selectors."""
        deadline = self.backend.clock() + self.settings.abort_grace
        try:
            while self.tasks and self.backend.clock() < deadline:
                for handle in self.backend.wait(list(self.tasks), POLL):
                    self.tasks.pop(handle, None)
        except KeyboardInterrupt:
            pass
        stuck = sorted({t.slot.worker for t in self.tasks.values()} & set(self.backend.workers()))
        self.backend.cancel(list(self.tasks))
        self.tasks.clear()
        if stuck:
            self._restart(stuck, f"its packet did not end within {self.settings.abort_grace:.0f} s of the "
                                 "abort (the selector is stuck in its code?)")
        raise QueryAborted("query aborted")

    # ---- the end
    def _outcome(self) -> QueryOutcome:
        stopped = bool(self.stop_request)
        if not stopped and (self.packetizer.has_work or self.packetizer.in_flight
                            or any(s not in self.results for s in self.slots)) \
                and not (self.known and all(a in self.closed for a in self.known)):
            # Never hand back a partial result as if it were whole.
            raise QueryError(f"the query ended with work unaccounted for ({self.packetizer.remaining_entries} "
                             "entries not processed, or a worker's outputs missing); failing it rather "
                             "than returning incomplete results")
        results = [self.results[s] for s in sorted(self.results)]
        errors = [r for r in results if r.error]
        if errors:
            raise QueryError(f"selector {self.spec.selector.label} failed at the end of the query: "
                             + "; ".join(f"on {self._worker(r.slot.worker)}: {r.error}" for r in errors)
                             + " (the outputs are not merged)", workers=[r.slot.worker for r in errors])
        counted = sum(self.tally[s].entries for s in self.results if s in self.tally)
        held = sum(r.processed for r in results)
        if counted != held:
            raise QueryError(f"the query counted {counted} entries but the selectors whose outputs are "
                             f"merged processed {held}: failing it rather than returning outputs that do "
                             "not match its count (a lost result or a packet run twice)",
                             workers=[r.slot.worker for r in results])
        per_worker: dict[str, Tally] = {}
        for slot in self.results:
            if slot in self.tally:
                per_worker.setdefault(slot.worker, Tally()).merge(self.tally[slot])
        return QueryOutcome(outputs=[r.output for r in results if r.output], processed=counted,
                            bytes_read=sum(self.tally[s].bytes_read for s in self.results if s in self.tally),
                            dropped=self.dropped, stopped=stopped, slots=results, workers=per_worker,
                            counts=self.counts)

    # ---- words
    def _worker(self, addr: str) -> str:
        ordinal = self.spec.ordinals.get(addr)
        if ordinal is None:   # not there when the query began: a replacement of a lost worker
            return f"the worker at {addr} (joined during the query)"
        return f"worker {ordinal} ({addr})"

    def _where(self, packet: Packet, res=None, last_entry: int = -1, piece: int | None = None) -> str:
        """The packet's data as users know it: file, tree and entries, or cycles (of its piece in
        `piece`, an element, or where it ended)."""
        if res is not None:
            last_entry, piece = res.last_entry, res.element if res.element >= 0 else None
        return where(self.spec, packet, last_entry, piece)


def where(spec: slots.QuerySpec, packet: Packet, last_entry: int = -1, element: int | None = None) -> str:
    """A packet's data: "file 'f' tree 'T' entries a..b (at entry n)", objects, or cycles; for a
    packet spanning several files, the piece of `element` (default: its first), and how many more."""
    pieces = packet.pieces
    e, first, num = next((p for p in pieces if p[0] == element), pieces[0])
    if spec.cycles and spec.files:
        text = f"file '{spec.files[e]}' (one cycle of TPacketizerFile)"
    elif spec.cycles:
        text = f"cycles {first}..{first + num}"
    else:
        url, tree, _ = spec.elements[e]
        if spec.objects:
            text = f"file '{url}' objects {first}..{first + num}"
        else:
            text = f"file '{url}' tree '{tree}' entries {first}..{first + num}"
    if last_entry >= 0 and not spec.objects:
        text += f" (at entry {last_entry})"
    if len(pieces) > 1:
        text += f" (a packet of {len(pieces)} files)"
    return text
