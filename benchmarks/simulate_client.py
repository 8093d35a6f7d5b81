#!/usr/bin/env python
"""The client's capacity, simulated: proofshim's real query loop and packetizer against fake workers.

proofshim's client runs one loop per query (proofshim/queryrun.py's QueryRun, driving the
AdaptivePacketizer of proofshim/packetizer.py) that hands out packets and takes their results.
How many packets per second can it handle, i.e. how many workers can one client feed? This drives
that loop, unchanged, against a fake cluster (no ROOT event loop, no dask): N fake workers, each
running its queue of packets one after the other at its own speed (entries/s), plus a fixed cost
per packet.

Time is a *hybrid* clock: the real time the client spends (in QueryRun, the packetizer, progress
reporting) counts in full, and the time the client would spend waiting for the next packet to end
is skipped. So a 1,000-worker run with half-second packets takes seconds, yet a client too slow
for its workers shows exactly as it would on a real cluster: packets finish while the client is
still busy, their workers wait for new ones, and the wall time grows. Per run it reports

- packets/s: packets (as the workers run them) over the query's wall time (hybrid clock);
- demand: what the workers would do with a client of infinite speed (packets / the ideal time);
- client capacity: packets over the real time the client spent (its cost per packet, inverted),
  and over the CPU time it spent (what it would do with a core of its own: on a loaded machine the
  wall-time figure only says what share of a core the client got);
- wall / ideal: the query's wall time over the ideal one (total entries / sum of worker speeds).

What it leaves out: dask's own client-side cost per task (submit, the scheduler round trip, wait
over the futures, fetching the result), which depends on dask and the network, not on proofshim.

    python benchmarks/simulate_client.py                       # the curve, stragglers
    python benchmarks/simulate_client.py --workers 2 10 100 1000 --packet-time 0.5
    python benchmarks/simulate_client.py --profile 1000        # cProfile of the loop, 1000 workers

Exit status 0 (the figures are printed; a missed goal is reported, not an error).
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import random
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*alpha stage", category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.dirname(HERE) not in sys.path:
    sys.path.insert(0, os.path.dirname(HERE))

from proofshim.cluster.queryrun import QueryRun, RunSettings
from proofshim.face.progress import Progress
from proofshim.plan.packetizer import AdaptivePacketizer, Element
from proofshim.worker import slots as worker

GOAL_PACKETS_PER_S = 2000     # issue 15: 1,000 workers at half-second packets
GOAL_STRAGGLER = 1.15         # wall time at most 1.15x the ideal


class Handle:
    """A task handed to a fake worker: done at `end` on the hybrid clock."""

    __slots__ = ("kind", "slot", "packet", "create", "end", "result", "cancelled")

    def __init__(self, kind, slot, packet=None, create=False):
        self.kind, self.slot, self.packet, self.create = kind, slot, packet, create
        self.end, self.result, self.cancelled = 0.0, None, False


class FakeWorker:
    __slots__ = ("addr", "rate", "free_at", "entries")

    def __init__(self, addr, rate):
        self.addr, self.rate, self.free_at, self.entries = addr, rate, 0.0, {}


class SimCluster:
    """queryrun.Backend over fake workers, event driven (a heap of task ends), on the hybrid clock.

    Every worker runs its tasks in the order they were submitted, one at a time: a packet of n
    entries takes n / rate + `overhead` seconds (the file open, the round trip), SlaveTerminate
    `finish_time`. Nothing fails: lost workers, stops and hangs are tests/test_queryrun.py's."""

    def __init__(self, rates, sizes, overhead=0.002, finish_time=0.01):
        self.sizes = sizes        # entries of each file
        self.workers_ = {f"tcp://sim{i}:1": FakeWorker(f"tcp://sim{i}:1", r) for i, r in enumerate(rates)}
        self._sorted = sorted(self.workers_)
        self.overhead, self.finish_time = overhead, finish_time
        self.skipped = 0.0        # idle time jumped over
        self.events = []          # (end, seq, handle)
        self.seq = itertools.count()
        self.packets = 0
        self.t0 = time.perf_counter()

    # ---- the clock: real time spent, idle time skipped
    def clock(self):
        return time.perf_counter() - self.t0 + self.skipped

    def sleep(self, seconds):
        self.skipped += seconds

    # ---- workers
    def workers(self):
        return list(self._sorted)

    def active(self, current):
        return current

    def host_of(self, addr):
        return None

    def _queue(self, handle, duration):
        w = self.workers_[handle.slot.worker]
        start = max(self.clock(), w.free_at)
        handle.end = w.free_at = start + duration
        heapq.heappush(self.events, (handle.end, next(self.seq), handle))
        return handle

    def submit_packet(self, slot, packet):
        w = self.workers_[slot.worker]
        h = Handle("packet", slot, packet)
        # A piece probing a file not counted yet processes what the file holds of what it asked for.
        n = sum(min(num, self.sizes[e] - first) if e in packet.probe else num for e, first, num in packet.pieces)
        elapsed = n / w.rate + self.overhead
        counts = tuple((e, self.sizes[e], "") for e, first, num in packet.pieces if e in packet.probe)
        w.entries[slot] = w.entries.get(slot, 0) + n
        last = packet.pieces[-1]
        h.result = worker.PacketResult(slot, packet.id, n, worker.OK, elapsed, 0, last[1] + last[2] - 1, "",
                                       cpu=elapsed, counts=counts)
        self.packets += 1
        return self._queue(h, elapsed)

    def submit_finish(self, slot, create, after=()):
        w = self.workers_[slot.worker]
        h = Handle("finish", slot, create=create)
        h.result = worker.SlotResult(slot, b"out", w.entries.pop(slot, 0), 1, "")
        return self._queue(h, self.finish_time)

    def wait(self, handles, timeout):
        """The tasks ended by now; if none, jump to the next end (at most `timeout` ahead)."""
        ev = self.events
        while ev and ev[0][2].cancelled:
            heapq.heappop(ev)
        now = self.clock()
        if not ev or ev[0][0] > now:
            if not ev or ev[0][0] > now + timeout:
                self.skipped += timeout
                return set()
            self.skipped += ev[0][0] - now
            now = ev[0][0]
        done = set()
        while ev and ev[0][0] <= now:
            h = heapq.heappop(ev)[2]
            if not h.cancelled:
                done.add(h)
        return done

    def outcome(self, handle, addr):
        return "ok", handle.result

    def cancel(self, handles):
        for h in handles:
            h.cancelled = True

    def stop(self, addrs, level):
        pass

    def probe(self, addrs):
        return {a: None for a in addrs}

    def restart(self, addrs):
        return {a: "" for a in addrs}

    def lost_cause(self, addr):
        return ""

    def forget(self):
        pass


def make_spec(addrs, nfiles):
    from types import SimpleNamespace

    return worker.QuerySpec(
        query_id="sim", seq=1, session_tag="sim", selector=SimpleNamespace(label="Sim.C+"), input_list=b"",
        option="", elements=tuple((f"f{i}.root", "T", "") for i in range(nfiles)),
        ordinals={a: f"0.{i}" for i, a in enumerate(addrs)})


def simulate(rates, files, *, packet_time=None, overhead=0.002, finish_time=0.01, uncounted=False,
             profile=None):
    """One query over `files` (entries per file) on workers of the given `rates` (entries/s).

    packet_time: fix the packets' time (PROOF_MinPacketTime = PROOF_MaxPacketTime); None: the
    packetizer's defaults (0.2..20 s, a quarter of the time left). uncounted: the files' entries
    are counted by their first packet (as proofshim does for chains of many files).
    Returns the figures as a dict."""
    cluster = SimCluster(rates, files, overhead=overhead, finish_time=finish_time)
    addrs = cluster.workers()
    kw = {} if packet_time is None else {"min_packet_time": packet_time, "max_packet_time": packet_time}
    elements = [Element(i, 0, -1 if uncounted else n) for i, n in enumerate(files)]
    packetizer = AdaptivePacketizer(elements, n_workers_hint=len(addrs), clock=cluster.clock, **kw)
    progress = Progress(sum(files), enabled=False)
    run = QueryRun(make_spec(addrs, len(files)), packetizer, progress, cluster,
                   RunSettings(hang_warning=0.0))
    if profile is not None:
        profile.enable()
    cpu0, real0 = time.process_time(), time.perf_counter()
    cluster.t0, cluster.skipped = real0, 0.0
    outcome = run.run()
    real, cpu = time.perf_counter() - real0, time.process_time() - cpu0
    if profile is not None:
        profile.disable()
    wall = cluster.clock()
    if outcome.processed != sum(files):
        raise RuntimeError(f"simulation processed {outcome.processed} entries of {sum(files)}")
    ideal = sum(files) / sum(rates)
    n = cluster.packets
    return {"workers": len(rates), "packets": n, "entries": sum(files), "wall_s": wall, "real_s": real,
            "ideal_s": ideal, "wall_over_ideal": wall / ideal, "packets_per_s": n / wall,
            "capacity_per_s": n / real, "capacity_per_cpu_s": n / cpu if cpu > 0 else float("inf"),
            "client_busy": real / wall,
            "demand_per_s": n / ideal}


def capacity_curve(workers, packet_time, packets_per_worker, rate=100_000.0):
    rows = []
    for n in workers:
        per_worker = int(rate * packet_time)
        # enough data for about `packets_per_worker` packets per worker, in files of 20 packets
        total = n * packets_per_worker * per_worker
        nfiles = max(1, total // (20 * per_worker))
        files = [total // nfiles] * nfiles
        rows.append(simulate([rate] * n, files, packet_time=packet_time))
    return rows


def stragglers(nworkers, seed=15):
    """Worker speeds 1x..4x at random (fixed seed); default packet sizes."""
    rnd = random.Random(seed)
    rates = [25_000.0 * rnd.choice((1, 1, 2, 3, 4)) for _ in range(nworkers)]
    ideal = 60.0
    total = int(ideal * sum(rates))
    nfiles = 4 * nworkers
    return simulate(rates, [total // nfiles] * nfiles)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 10, 100, 1000])
    ap.add_argument("--packet-time", type=float, default=0.5, help="s per packet (default 0.5)")
    ap.add_argument("--packets-per-worker", type=int, default=20)
    ap.add_argument("--straggler-workers", type=int, default=100, help="0 skips the straggler runs")
    ap.add_argument("--small-files", type=int, default=20000, help="files of 50 entries for the small-files row "
                    "(0 skips it)")
    ap.add_argument("--profile", type=int, metavar="N", help="cProfile the loop with N workers, then exit")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        per = int(100_000 * args.packet_time)
        total = args.profile * args.packets_per_worker * per
        nfiles = max(1, total // (20 * per))
        r = simulate([100_000.0] * args.profile, [total // nfiles] * nfiles, packet_time=args.packet_time,
                     profile=prof)
        print(json.dumps(r))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return 0

    out = {}
    print(f"client capacity: QueryRun + AdaptivePacketizer on fake workers, {args.packet_time:g} s packets "
          f"(goal >= {GOAL_PACKETS_PER_S} packets/s: 1,000 workers at half-second packets)")
    print(f"{'workers':>8} {'packets':>8} {'demand/s':>9} {'done/s':>9} {'capacity/s':>11} {'per CPU s':>10} "
          f"{'client busy':>12} {'wall/ideal':>11}")
    rows = capacity_curve(args.workers, args.packet_time, args.packets_per_worker)
    for r in rows:
        print(f"{r['workers']:>8} {r['packets']:>8} {r['demand_per_s']:>9.0f} {r['packets_per_s']:>9.0f} "
              f"{r['capacity_per_s']:>11.0f} {r['capacity_per_cpu_s']:>10.0f} {100 * r['client_busy']:>11.0f}% "
              f"{r['wall_over_ideal']:>11.2f}",
              flush=True)
    out["curve"] = rows
    big = max(rows, key=lambda r: r["workers"])
    ok = big["capacity_per_cpu_s"] >= GOAL_PACKETS_PER_S
    print(f"[{'met ' if ok else 'MISS'}] client capacity at {big['workers']} workers: "
          f"{big['capacity_per_cpu_s']:.0f} packets per CPU second, {big['capacity_per_s']:.0f} per second of "
          f"wall time on this machine now (goal >= {GOAL_PACKETS_PER_S}; load {os.getloadavg()[0]:.1f})")

    if args.small_files:
        r = simulate([20_000.0] * 100, [50] * args.small_files, uncounted=True)
        print(f"{args.small_files} files of 50 entries, counted by their first packet, 100 workers: "
              f"{r['packets']} packets, client capacity {r['capacity_per_cpu_s']:.0f} packets per CPU s "
              f"({1e6 * (r['packets'] / r['capacity_per_cpu_s']) / args.small_files:.0f} CPU us per file), "
              f"wall/ideal {r['wall_over_ideal']:.2f}", flush=True)
        out["small_files"] = r

    if args.straggler_workers:
        print(f"\nstragglers, simulated (default packet sizes): wall time over the ideal "
              f"(total entries / sum of worker speeds), goal <= {GOAL_STRAGGLER}")
        cases = [("2 workers, one 4x slower", simulate([100_000.0, 25_000.0], [2_500_000] * 4)),
                 (f"{args.straggler_workers} workers, speeds 1x-4x", stragglers(args.straggler_workers))]
        for label, r in cases:
            mark = "met " if r["wall_over_ideal"] <= GOAL_STRAGGLER else "MISS"
            print(f"  [{mark}] {label:<32} ideal {r['ideal_s']:6.2f} s, wall {r['wall_s']:6.2f} s: "
                  f"{r['wall_over_ideal']:.3f}x ({r['packets']} packets)")
        out["stragglers"] = {label: r for label, r in cases}
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
