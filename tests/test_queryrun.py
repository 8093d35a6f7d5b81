"""Unit tests for proofshim.queryrun: the run loop against a fake cluster with a fake clock.

FakeCluster plays dask and the workers: each worker runs its queue of tasks one at a time (one
thread), a packet at `rate` entries per second, with one selector per slot counting the entries it
processed (what SlotResult.processed reports). Events at given times kill, stop (SIGSTOP) or hang
workers. Nothing here is ROOT or dask; the end-to-end behaviour is tested with real workers in
test_stop.py, test_lost_workers.py, test_hangs.py and test_concurrent_clients.py.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from types import SimpleNamespace

import pytest

from proofshim.worker import slots
from proofshim.util.errors import QueryAborted, QueryError
from proofshim.plan.packetizer import AdaptivePacketizer, Element
from proofshim.cluster.queryrun import QueryRun, RunSettings
from proofshim.worker.slots import Slot

pytestmark = pytest.mark.smoke

STEP = 0.05


@dataclasses.dataclass(eq=False)
class Task:
    kind: str                  # "packet" or "finish"
    slot: Slot
    packet: object = None
    create: bool = False
    status: str = "pending"    # pending, finished, died, lost, error, cancelled
    result: object = None
    done_entries: int = 0
    since: float = 0.0         # when it started running
    started: bool = False
    fetched: bool = False      # its result taken by the run (outcome)


@dataclasses.dataclass
class FakeWorker:
    addr: str
    rate: float = 1000.0          # entries per second
    alive: bool = True
    sigstopped: bool = False
    hang_at: tuple | None = None  # (packet element, entry): Process never returns there
    queue: list = dataclasses.field(default_factory=list)
    selectors: dict = dataclasses.field(default_factory=dict)   # slot -> entries processed
    begins: int = 0
    stop: dict = dataclasses.field(default_factory=dict)        # query id -> level


class FakeCluster:
    """queryrun.Backend over simulated workers and time."""

    def __init__(self, n_workers=2, rate=1000.0, replace_after=0.5, nanny=True):
        self.t = 0.0
        self.seq = itertools.count()
        self.workers_ = {}
        for _ in range(n_workers):
            self._add(rate)
        self.rate = rate
        self.replace_after, self.nanny = replace_after, nanny
        self.events = []          # (time, fn)
        self.pending_joins = []   # (time, rate)
        self.memory_killed = set()
        self.forgotten = 0
        self.restarted = []
        self.stops = []
        self.probes = 0
        self.slots_begun = []
        # (element, entry): a worker's Process() crashes there, every time; or fn(worker, task) called
        # as each packet starts, until it names that (element, entry)
        self.crash_at = None
        self.crashes = []         # the packets (first, num) of the element that crashed a worker
        self.done = {}            # addr -> its finished tasks (their results live on the worker)

    def _add(self, rate):
        addr = f"tcp://w{next(self.seq)}:1"
        self.workers_[addr] = FakeWorker(addr, rate)
        return addr

    def at(self, t, fn):
        self.events.append((t, fn))

    # ---- faults
    def kill(self, addr, memory=False):
        w = self.workers_.pop(addr)
        w.alive = False
        for task in w.queue:
            task.status = "died" if task.started else "died"
        w.queue.clear()
        for task in self.done.pop(addr, []):
            if not task.fetched:
                task.status = "lost"   # the result lived on the worker
        if memory:
            self.memory_killed.add(addr)
        if self.nanny:
            self.pending_joins.append((self.t + self.replace_after, w.rate))

    def kill_all(self):
        for addr in list(self.workers_):
            self.kill(addr)

    # ---- simulation
    def _advance(self, dt):
        end = self.t + dt
        while self.t < end - 1e-12:
            self.t = round(self.t + STEP, 6)
            for t, fn in [e for e in self.events if e[0] <= self.t]:
                self.events.remove((t, fn))
                fn()
            for t, rate in [j for j in self.pending_joins if j[0] <= self.t]:
                self.pending_joins.remove((t, rate))
                self._add(rate)
            for w in list(self.workers_.values()):
                self._run(w, STEP)

    def _run(self, w, dt):
        if w.sigstopped:
            return
        budget = w.rate * dt
        while w.queue and budget > 0:
            task = w.queue[0]
            if task.status != "pending":
                w.queue.pop(0)
                continue
            if not task.started:
                task.started, task.since = True, self.t
                if callable(self.crash_at) and task.kind == "packet":
                    chosen = self.crash_at(w, task)    # the crash entry, chosen at this start
                    if chosen is not None:
                        self.crash_at = chosen
            qid = task.slot.query_id
            level = w.stop.get(qid, 0)
            if task.kind == "finish":
                if getattr(task, "reclaim", False):
                    w.selectors.pop(task.slot, None)   # dropped just before SlaveTerminate runs
                if task.slot not in w.selectors:
                    if not task.create:
                        task.result = slots.SlotResult(task.slot, b"", 0, 0, slots.UNKNOWN_SLOT)
                        task.status = "finished"
                        w.queue.pop(0)
                        continue
                    w.selectors[task.slot] = 0
                    w.begins += 1
                    self.slots_begun.append(task.slot)
                n = w.selectors.pop(task.slot)
                task.result = slots.SlotResult(task.slot, f"out-{task.slot}".encode(), n, 1, "")
                task.status = "finished"
                w.queue.pop(0)
                continue
            p = task.packet
            if (task.started and w.hang_at and w.hang_at[0] == p.element
                    and task.done_entries == w.hang_at[1] - p.first):
                return   # stuck in Process(hang entry): deaf to stop flags, as user code is
            if level >= 2:
                task.result = slots.PacketResult(task.slot, task.packet.id, 0, slots.STOPPED, 0, 0, -1, "")
                task.status = "finished"
                w.queue.pop(0)
                continue
            if task.slot not in w.selectors:
                w.selectors[task.slot] = 0
                w.begins += 1
                self.slots_begun.append(task.slot)
            p = task.packet
            if level == 1:
                self._finish_packet(w, task, slots.STOPPED)
                continue
            if w.hang_at and w.hang_at[0] == p.element and p.first <= w.hang_at[1] < p.first + p.num:
                reach = w.hang_at[1] - p.first
                step = min(budget, reach - task.done_entries)
                task.done_entries += int(step)
                w.selectors[task.slot] += int(step)
                return   # stuck in Process(hang entry)
            step = int(min(budget, p.num - task.done_entries))
            if isinstance(self.crash_at, tuple) and self.crash_at[0] == p.element \
                    and p.first + task.done_entries <= self.crash_at[1] < p.first + task.done_entries + step:
                self.crashes.append((p.first, p.num))
                self.kill(w.addr)      # a segmentation violation in Process()
                return
            task.done_entries += step
            w.selectors[task.slot] += step
            budget -= step
            if task.done_entries >= p.num:
                self._finish_packet(w, task, slots.OK)
            else:
                break

    def _finish_packet(self, w, task, status):
        task.result = slots.PacketResult(task.slot, task.packet.id, task.done_entries, status,
                                          task.done_entries / w.rate + 1e-3, 0,
                                          task.packet.first + task.done_entries - 1, "")
        task.status = "finished"
        w.queue.pop(0)
        self.done.setdefault(w.addr, []).append(task)

    # ---- Backend
    def clock(self):
        return self.t

    def sleep(self, seconds):
        self._advance(seconds)

    def workers(self):
        return sorted(a for a, w in self.workers_.items() if w.alive)

    def active(self, current):
        return current

    def host_of(self, addr):
        return None

    def _submit(self, task):
        w = self.workers_.get(task.slot.worker)
        if w is None:
            task.status = "died"
        else:
            w.queue.append(task)
        return task

    def submit_packet(self, slot, packet):
        return self._submit(Task("packet", slot, packet))

    def submit_finish(self, slot, create, after=()):
        return self._submit(Task("finish", slot, create=create))

    def wait(self, handles, timeout):
        end = self.t + timeout
        while True:
            # A lost result is not done: dask clears its future's event (and recomputes it).
            done = {h for h in handles if h.status not in ("pending", "lost")}
            if done or self.t >= end - 1e-9:
                return done
            self._advance(STEP)

    def outcome(self, handle, addr):
        handle.fetched = True
        if handle.status == "finished":
            return "ok", handle.result
        return handle.status if handle.status in ("died", "lost") else "died", None

    def ran(self, handle, slot, packet_id):
        return handle.status in ("finished", "lost")

    def cancel(self, handles):
        for h in handles:
            if h.status == "pending" and not h.started:
                h.status = "cancelled"

    def stop(self, addrs, level):
        self.stops.append((self.t, level))
        for a in addrs:
            w = self.workers_.get(a)
            if w is not None and not w.sigstopped:
                for task in w.queue:
                    w.stop[task.slot.query_id] = level
                w.stop.update({q: level for q in {s.query_id for s in w.selectors}})

    def probe(self, addrs):
        self.probes += 1
        out = {}
        for a in addrs:
            w = self.workers_.get(a)
            if w is None or w.sigstopped:
                out[a] = None
                continue
            slots = {}
            for slot, n in w.selectors.items():
                head = w.queue[0] if w.queue else None
                if head is not None and head.slot == slot and head.started:
                    slots[slot] = ("packet" if head.kind == "packet" else "finish",
                                   head.packet.id if head.packet else -1, self.t - head.since, n,
                                   (head.packet.first + head.done_entries) if head.packet else -1)
                else:
                    slots[slot] = ("idle", -1, 0.0, n, -1)
            out[a] = {"pid": 1, "slots": slots, "others": 0.0}
        return out

    def restart(self, addrs):
        self.restarted.extend(addrs)
        failed = {}
        for a in addrs:
            if self.nanny and a in self.workers_:
                self.kill(a)
                failed[a] = ""
            else:
                failed[a] = "no nanny"
        return failed

    def lost_cause(self, addr):
        return "it went over its memory limit" if addr in self.memory_killed else ""

    def forget(self):
        self.forgotten += 1


class FakeProgress:
    feedback = None

    def __init__(self):
        self.updates = 0

    def update(self, *args, **kwargs):
        self.updates += 1


def make_spec(cluster, sizes, cycles=False):
    return slots.QuerySpec(
        query_id="q1", seq=1, session_tag="tag", selector=SimpleNamespace(label="Sel.C+"), input_list=b"",
        option="", elements=tuple((f"f{i}.root", "T", "") for i in range(len(sizes))),
        ordinals={a: f"0.{i}" for i, a in enumerate(cluster.workers())}, cycles=cycles)


def make_run(cluster, sizes=(20000, 20000), settings=None, **pk):
    spec = make_spec(cluster, sizes)
    packetizer = AdaptivePacketizer([Element(i, 0, n) for i, n in enumerate(sizes)],
                                    n_workers_hint=len(cluster.workers()), clock=cluster.clock,
                                    **({"first_packet_entries": 500} | pk))
    return QueryRun(spec, packetizer, FakeProgress(), cluster, settings or RunSettings())


def processed_everything(outcome, sizes):
    return outcome.processed == sum(sizes) and not outcome.stopped


# ---------------------------------------------------------------- tests
def test_every_packet_completes_and_every_slot_is_finished_once():
    cluster = FakeCluster()
    run = make_run(cluster)
    out = run.run()
    assert processed_everything(out, (20000, 20000))
    assert sum(r.processed for r in out.slots) == 40000
    assert {r.slot.worker for r in out.slots} == set(cluster.workers())
    assert len(cluster.slots_begun) == 2, "one selector per worker"
    assert sum(t.entries for t in out.workers.values()) == 40000


def test_a_worker_with_no_packet_still_runs_slavebegin_and_slaveterminate():
    cluster = FakeCluster(n_workers=3)
    out = make_run(cluster, sizes=(100,), first_packet_entries=1000).run()
    assert out.processed == 100
    assert sorted(s.worker for s in cluster.slots_begun) == cluster.workers(), "every worker began once"
    assert len(out.slots) == 3 and sorted(r.processed for r in out.slots) == [0, 0, 100]


def test_lost_worker_is_requeued_and_nothing_counts_twice():
    cluster = FakeCluster()
    victim = cluster.workers()[0]
    cluster.at(5.0, lambda: cluster.kill(victim))
    out = make_run(cluster).run()
    assert processed_everything(out, (20000, 20000))
    assert sum(r.processed for r in out.slots) == 40000
    assert victim not in {r.slot.worker for r in out.slots}


def test_all_workers_lost_waits_for_replacements_and_stays_exact(capfd):
    cluster = FakeCluster(replace_after=3.0)
    cluster.at(4.0, cluster.kill_all)
    out = make_run(cluster).run()
    assert processed_everything(out, (20000, 20000))
    assert sum(r.processed for r in out.slots) == 40000
    err = capfd.readouterr().err
    assert "every worker of the cluster is gone" in err and "back after" in err
    assert "took down" not in err


def test_all_workers_lost_for_good_fails_after_the_wait():
    cluster = FakeCluster(nanny=False)
    cluster.at(2.0, cluster.kill_all)
    run = make_run(cluster, settings=RunSettings(worker_wait=5.0))
    with pytest.raises(QueryError, match="no dask worker is left.*within 5 s"):
        run.run()
    assert cluster.t < 12.0


def test_memory_limit_deaths_are_named(capfd):
    cluster = FakeCluster()
    victim = cluster.workers()[1]
    cluster.at(3.0, lambda: cluster.kill(victim, memory=True))
    out = make_run(cluster).run()
    assert out.processed == 40000
    assert f"worker 0.1 ({victim}) was lost (it went over its memory limit)" in capfd.readouterr().err


def test_soft_stop_reaches_running_packets_and_finishes_the_slots():
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(200000, 200000))
    cluster.at(3.0, lambda: run.request_stop(False))
    out = run.run()
    assert out.stopped
    assert 0 < out.processed < 10000, "stopped at the next entry, not at the end of the packets"
    assert sum(r.processed for r in out.slots) == out.processed
    assert len(out.slots) == 2 and cluster.stops and cluster.stops[0][1] == 1


def test_abort_drops_everything_and_restarts_workers_stuck_in_user_code():
    cluster = FakeCluster()
    stuck = cluster.workers()[0]
    cluster.workers_[stuck].hang_at = (0, 1200)
    run = make_run(cluster, settings=RunSettings(abort_grace=2.0, hang_warning=0))
    cluster.at(6.0, lambda: run.request_stop(True))
    cluster.workers_[stuck].rate = 1000.0
    with pytest.raises(QueryAborted):
        run.run()
    assert cluster.restarted == [stuck], "only the stuck worker is restarted"
    assert cluster.forgotten == 1
    assert cluster.t < 6.0 + 2.0 + 1.0


def test_hung_selector_is_reported_with_worker_and_entry_sparingly(capfd):
    cluster = FakeCluster()
    stuck = cluster.workers()[1]
    cluster.workers_[stuck].hang_at = (1, 700)
    run = make_run(cluster, settings=RunSettings(hang_warning=4.0, abort_grace=1.0))
    cluster.at(40.0, lambda: run.request_stop(True))
    with pytest.raises(QueryAborted):
        run.run()
    warnings = [ln for ln in capfd.readouterr().err.splitlines() if "has processed no entry" in ln]
    assert warnings and f"worker 0.1 ({stuck})" in warnings[0]
    assert "file 'f1.root' tree 'T' entries 500..1000 (at entry 700)" in warnings[0] or \
        "(at entry 700)" in warnings[0], warnings[0]
    # about 4, 8, 16, 32 s: doubling, not one line a second
    assert 2 <= len(warnings) <= 5, warnings


def test_stopped_worker_is_reported_as_not_answering(capfd):
    cluster = FakeCluster()
    frozen = cluster.workers()[0]
    cluster.at(2.0, lambda: setattr(cluster.workers_[frozen], "sigstopped", True))
    cluster.at(12.0, lambda: setattr(cluster.workers_[frozen], "sigstopped", False))
    out = make_run(cluster, settings=RunSettings(hang_warning=4.0)).run()
    assert out.processed == 40000, "the worker went on after SIGCONT"
    lines = [ln for ln in capfd.readouterr().err.splitlines() if "has not answered" in ln]
    assert lines and f"worker 0.0 ({frozen})" in lines[0] and "SIGSTOP" in lines[0]


def test_packet_timeout_fails_the_query_naming_the_range_and_restarts_the_worker():
    cluster = FakeCluster()
    stuck = cluster.workers()[0]
    cluster.workers_[stuck].hang_at = (0, 100)
    run = make_run(cluster, settings=RunSettings(packet_timeout=6.0, hang_warning=0))
    with pytest.raises(QueryError, match=r"file 'f0.root' tree 'T' entries 0..500 \(at entry 100\) did not "
                                         r"end within the packet time limit of 6 s") as err:
        run.run()
    assert stuck in err.value.workers and cluster.restarted == [stuck]
    assert cluster.t < 20


def test_packet_timeout_off_by_default_lets_slow_packets_run():
    cluster = FakeCluster(rate=20.0)   # 25 s for the first packets
    out = make_run(cluster, sizes=(1000, 1000), settings=RunSettings(hang_warning=0)).run()
    assert out.processed == 2000


def test_entries_invariant_fails_a_query_whose_outputs_do_not_match_its_count():
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(5000,))
    finish = cluster.submit_finish

    def finish_with_extra(slot, create, after=()):
        # a selector that ran entries the client never counted (a packet run twice)
        w = cluster.workers_.get(slot.worker)
        if w is not None and slot in w.selectors:
            w.selectors[slot] += 7
        return finish(slot, create, after)

    cluster.submit_finish = finish_with_extra
    with pytest.raises(QueryError, match="counted 5000 entries but the selectors whose outputs are "
                                         "merged processed 5014"):
        run.run()


def test_a_slot_the_worker_no_longer_holds_is_redone():
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(8000,))
    finish = cluster.submit_finish
    forgot = []

    def finish_after_reclaim(slot, create, after=()):
        task = finish(slot, create, after)
        if not forgot and not create:
            # Reclaimed (or the worker was restarted) when SlaveTerminate comes to run, which may
            # be queued behind the slot's last packets.
            forgot.append(slot)
            task.reclaim = True
        return task

    cluster.submit_finish = finish_after_reclaim
    out = run.run()
    assert forgot and out.processed == 8000
    assert sum(r.processed for r in out.slots) == 8000
    assert forgot[0] not in {r.slot for r in out.slots}


def test_kabortprocess_on_every_worker_ends_the_query_without_error():
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(20000,))
    submit = cluster.submit_packet

    def aborting(slot, packet):
        task = submit(slot, packet)
        task.status, task.result = "finished", slots.PacketResult(
            slot, packet.id, 3, slots.ABORTED_PROCESS, 0.01, 0, packet.first + 2, "")
        w = cluster.workers_[slot.worker]
        w.selectors[slot] = w.selectors.get(slot, 0) + 3
        w.queue.remove(task)
        return task

    cluster.submit_packet = aborting
    out = run.run()
    assert out.processed == sum(r.processed for r in out.slots) == 12   # 2 packets in flight per slot
    assert not out.stopped


def test_slot_text_form_is_stable():
    slot = Slot("abc", "tcp://1.2.3.4:5", 7)
    assert str(slot) == "abc|tcp://1.2.3.4:5|7"
    assert slot == Slot("abc", "tcp://1.2.3.4:5", 7) and hash(slot) == hash(Slot("abc", "tcp://1.2.3.4:5", 7))


def test_slaveterminate_goes_out_behind_the_last_packets_not_a_round_trip_after_them():
    """Once nothing is left to hand out, each slot's finish is sent with its packets still running
    (they are its dependencies), and the outputs still hold every entry once."""
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(20000,))
    finish, sent = cluster.submit_finish, []

    def watched(slot, create, after=()):
        sent.append((slot, [h for h in after if h.status == "pending"]))
        return finish(slot, create, after)

    cluster.submit_finish = watched
    out = run.run()
    assert processed_everything(out, (20000,))
    assert sum(r.processed for r in out.slots) == 20000
    assert len(sent) == len(cluster.workers()) and all(pending for _, pending in sent), sent


def test_a_finish_seen_done_before_its_packets_is_taken_after_them():
    """The client may see a slot's finish done in a wait that does not show its packets yet (a
    finish sent behind them): the query stays exact (the finish is taken after the packets)."""
    cluster = FakeCluster()
    run = make_run(cluster, sizes=(20000,))
    wait, held_back = cluster.wait, []

    def finishes_first(handles, timeout):
        done = wait(handles, timeout)
        finished = {h for h in done if h.kind == "finish"}
        if finished and any(h.kind == "packet" for h in done):
            held_back.append(len(done - finished))
            return finished          # the packets done with them show in the next wait
        return done

    cluster.wait = finishes_first
    out = run.run()
    assert held_back, "the case did not occur"
    assert processed_everything(out, (20000,))
    assert sum(r.processed for r in out.slots) == 20000


def test_a_selector_crashing_on_one_entry_is_named_by_the_packet_that_holds_it():
    """Each worker that reaches the crash entry dies there. The entry is the second of a packet
    that a worker starts in the step where it ended the one before: that one's result dies with the
    worker (dask's "lost" future) before the run has fetched it. The query fails after exactly two
    losses naming the packet holding the entry, never the one before it (which ran to its end)."""
    cluster = FakeCluster()
    ended = {}    # worker -> the packet it ended last, while the crash entry is not chosen

    def choose(w, task):
        before = next((t for t in reversed(cluster.done.get(w.addr, [])) if t.kind == "packet"), None)
        if task.packet.element == 1 and task.packet.first > 5000 and before is not None \
                and before.packet.element == 1 and not before.fetched:
            ended["previous"], ended["crashing"] = before.packet, task.packet
            return (1, task.packet.first + 1)
        return None

    cluster.crash_at = choose
    with pytest.raises(QueryError, match="took down 2 worker processes on the same data") as info:
        make_run(cluster).run()
    assert isinstance(cluster.crash_at, tuple), "no packet started right behind another"
    entry = cluster.crash_at[1]
    assert len(cluster.crashes) == 2, "the right packet was suspected from the first loss on"
    named = [(int(a), int(b)) for a, b in re.findall(r"entries (\d+)\.\.(\d+)", str(info.value))]
    assert named and all(a <= entry < b for a, b in named), (str(info.value), entry, cluster.crashes)
    previous = ended["previous"]
    assert f"entries {previous.first}..{previous.first + previous.num}" not in str(info.value)


def test_a_packet_ended_before_its_worker_died_in_the_next_is_known_from_the_slots_note(tmp_path, monkeypatch):
    """A selector that crashes its worker a few entries into a packet: the worker's 'finished' for
    the packet before may never leave the process, so its future still looks unfinished. The
    slot's note of the packet it started last (written before running it) tells the client that
    the earlier packet ended: only the later one is suspected."""
    import types

    from proofshim.cluster.executor import DaskRun
    from proofshim.worker import slots

    monkeypatch.setenv("PROOFSHIM_CACHE_DIR", str(tmp_path))
    spec = types.SimpleNamespace(session_tag="vm-1-2-3")
    slot = slots.Slot("q1", "tcp://127.0.0.1:1", 0)
    run = object.__new__(DaskRun)
    run.spec = spec
    pending = types.SimpleNamespace(status="pending")
    assert not run.ran(pending, slot, 7), "no note (a remote worker's host): not known to have ended"
    slots._note_started(spec, slot, 7)
    assert not run.ran(pending, slot, 7), "the packet it was in when it died"
    slots._note_started(spec, slot, 9)
    assert run.ran(pending, slot, 7), "it had started a later packet: this one ended"
    assert not run.ran(pending, slots.Slot("q1", "tcp://127.0.0.1:2", 0), 7), "another slot's note"
    assert run.ran(types.SimpleNamespace(status="lost"), slot, 11)
