"""Unit tests for proofshim.packetizer (pure Python; an event-driven fake cluster drives it)."""
import heapq
import itertools
import math
import random
from collections import defaultdict

import pytest
from hypothesis import given, settings, strategies as st

from proofshim.plan.packetizer import AdaptivePacketizer, Element, Packet, select_range


# ---------------------------------------------------------------- helpers
class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def make_elements(sizes, firsts=None, hosts=None):
    firsts = firsts or [0] * len(sizes)
    hosts = hosts or [None] * len(sizes)
    return [Element(i, f, n, h) for i, (n, f, h) in enumerate(zip(sizes, firsts, hosts))]


def assert_exact_cover(elements, ranges):
    """ranges: iterable of (element, first, num). Their entries must equal the elements' entries
    exactly: every entry once, no gaps, no overlaps, nothing outside."""
    by_elem = defaultdict(list)
    for e, first, num in ranges:
        assert num > 0, (e, first, num)
        by_elem[e].append((first, first + num))
    assert set(by_elem) == {el.index for el in elements}
    for el in elements:
        pos = el.first
        for a, b in sorted(by_elem[el.index]):
            assert a == pos, f"element {el.index}: {'gap' if a > pos else 'overlap'} at {pos}"
            pos = b
        assert pos == el.first + el.num, f"element {el.index}: ends at {pos}"


def check_invariant(pk):
    assert pk.total_entries == pk.remaining_entries + pk.assigned_entries + pk.dropped_entries
    assert pk.remaining_entries >= 0 and pk.assigned_entries >= 0


class Sim:
    """Each slot is a worker running its packets one after another at `speeds[slot]` entries/s,
    with up to `depth` packets outstanding (like the executor). Records every hand-out and the
    tail-balance cap in force when it was made."""

    def __init__(self, pk, clock, speeds, depth=2, hosts=None, true_sizes=None, min_entries=100):
        self.pk, self.clock, self.speeds, self.depth = pk, clock, speeds, depth
        self.min_entries = min_entries   # the packetizer's min_packet_entries
        self.hosts = hosts or {}
        self.true_sizes = true_sizes or {}   # entries of the files the packetizer does not know
        self.live = set()
        self.lost = set()
        self.inflight = defaultdict(int)
        self.busy_until = defaultdict(float)
        self.heap, self.seq = [], itertools.count()
        self.handed = []          # (slot, packet, cap, requeued)
        self.uncommitted = defaultdict(list)
        self.final = []           # packets whose results are final (committed)
        self.requeued = []        # ranges given back by slot_lost, in order

    def feed(self, slot):
        pk = self.pk
        self.live.add(slot)
        cap = math.ceil(pk.remaining_entries / len(self.live)) if pk.remaining_entries else 0
        # Below the least packet (its entries, and what the slot does in a quarter of the least
        # packet time, PROOF_MinPacketTime 0.2 s by default) the tail is not cut any finer.
        cap = max(cap, self.min_entries, int((pk.rate(slot) or 0) * 0.2 / 4))
        requeued = [p.pieces for p in self.requeued]
        p = pk.next_packet(slot, self.hosts.get(slot))
        check_invariant(pk)
        if p is None:
            return False
        key = p.pieces
        was_requeued = key in requeued
        if was_requeued:
            self.requeued.pop(requeued.index(key))
        self.handed.append((slot, p, cap, was_requeued))
        start = max(self.clock.t, self.busy_until[slot])
        run = sum(n for _, _, n in self.ranges(p)) / self.speeds[slot]
        self.busy_until[slot] = start + run
        self.inflight[slot] += 1
        heapq.heappush(self.heap, (start + run, next(self.seq), slot, p, run))
        return True

    def ranges(self, p):
        """The entries a worker processes for `p`: a probe piece gets what its file holds."""
        return [(e, f, min(n, max(0, self.true_sizes[e] - f)) if e in p.probe else n) for e, f, n in p.pieces]

    def top_up(self):
        for slot in sorted(self.speeds):
            if slot in self.lost:
                continue
            while self.inflight[slot] < self.depth and self.feed(slot):
                pass

    def lose(self, slot):
        back = self.pk.slot_lost(slot)
        check_invariant(self.pk)
        self.lost.add(slot)
        self.live.discard(slot)
        self.requeued.extend(back)
        self.uncommitted.pop(slot, None)
        return back

    def commit(self, slot):
        self.pk.slot_committed(slot)
        self.final.extend(self.uncommitted.pop(slot, []))

    def processed(self, packets):
        return [r for p in packets for r in self.ranges(p) if r[2] > 0]

    def run(self, on_done=None):
        self.top_up()
        while self.heap:
            t, _, slot, p, run = heapq.heappop(self.heap)
            if slot in self.lost:
                continue
            self.clock.t = t
            self.inflight[slot] -= 1
            self.pk.packet_done(slot, p, elapsed=run, counts={e: self.true_sizes[e] for e in p.probe})
            check_invariant(self.pk)
            self.uncommitted[slot].append(p)
            if on_done:
                on_done(self, slot, p)
            self.top_up()
        for slot in list(self.uncommitted):
            self.commit(slot)
        assert self.pk.finished
        return self

    def entries_of(self, slot):
        return sum(p.entries for s, p, _, _ in self.handed if s == slot)


def simulate(sizes, speeds, depth=2, **kw):
    clock = FakeClock()
    elements = make_elements(sizes)
    pk = AdaptivePacketizer(elements, clock=clock, **kw)
    return elements, pk, Sim(pk, clock, speeds, depth, min_entries=kw.get("min_packet_entries", 100)).run()


# ---------------------------------------------------------------- select_range
def test_select_range_all_entries():
    assert select_range([100, 200, 50]) == [(0, 0, 100), (1, 0, 200), (2, 0, 50)]


def test_select_range_firstentry_inside_second_file():
    assert select_range([100, 200, 50], firstentry=120) == [(1, 20, 180), (2, 0, 50)]


def test_select_range_nentries_spanning_files():
    assert select_range([100, 200, 50], nentries=250, firstentry=90) == \
        [(0, 90, 10), (1, 0, 200), (2, 0, 40)]


def test_select_range_nentries_larger_than_total():
    assert select_range([10, 20], nentries=1000, firstentry=5) == [(0, 5, 5), (1, 0, 20)]


def test_select_range_firstentry_at_or_beyond_total_is_empty():
    assert select_range([10, 20], firstentry=30) == []
    assert select_range([10, 20], firstentry=10_000) == []


def test_select_range_skips_empty_elements_and_zero_nentries():
    assert select_range([0, 5, 0, 5], firstentry=3) == [(1, 3, 2), (3, 0, 5)]
    assert select_range([10, 20], nentries=0) == []


def test_select_range_boundary_is_exclusive():
    assert select_range([10, 20], nentries=10) == [(0, 0, 10)]
    assert select_range([10, 20], firstentry=10, nentries=1) == [(1, 0, 1)]


def test_select_range_element_first_offsets():
    # element 0 is entries 1000..1009 of its tree, element 1 is entries 50..69 of its tree
    assert select_range([10, 20], firstentry=5, nentries=10, element_first=[1000, 50]) == \
        [(0, 1005, 5), (1, 50, 5)]


@pytest.mark.parametrize("kw, msg", [
    (dict(firstentry=-1), "firstentry"),
    (dict(nentries=-2), "nentries"),
    (dict(element_first=[0]), "element_first"),
])
def test_select_range_errors(kw, msg):
    with pytest.raises(ValueError, match=msg):
        select_range([10, 20], **kw)


def test_select_range_negative_count_is_an_error():
    with pytest.raises(ValueError, match="negative"):
        select_range([10, -1])


@given(st.lists(st.integers(0, 50), max_size=8), st.integers(0, 300), st.integers(-1, 300))
def test_select_range_matches_flat_slice(sizes, first, n):
    flat = [(i, j) for i, s in enumerate(sizes) for j in range(s)]
    want = flat[first:] if n == -1 else flat[first:first + n]
    got = [(i, j) for i, f, k in select_range(sizes, n, first) for j in range(f, f + k)]
    assert got == want


# ---------------------------------------------------------------- exactly-once coverage
@settings(max_examples=150, deadline=None)
@given(sizes=st.lists(st.one_of(st.integers(1, 3), st.integers(1, 5000)), min_size=1, max_size=40),
       speeds=st.lists(st.floats(50, 5000), min_size=1, max_size=8),
       depth=st.integers(1, 3),
       min_entries=st.integers(1, 200),
       first=st.one_of(st.none(), st.integers(1, 3000)))
def test_every_entry_handed_out_exactly_once(sizes, speeds, depth, min_entries, first):
    speeds = {f"w{i}": v for i, v in enumerate(speeds)}
    elements, pk, sim = simulate(sizes, speeds, depth, min_packet_entries=min_entries,
                                 first_packet_entries=first, min_packet_time=0.01)
    assert_exact_cover(elements, [r for _, p, _, _ in sim.handed for r in p.pieces])
    assert pk.done_entries == pk.committed_entries == pk.total_entries == sum(sizes)
    assert pk.remaining_entries == 0 and pk.in_flight == 0 and pk.dropped_entries == 0
    ids = [p.id for _, p, _, _ in sim.handed]
    assert ids == sorted(set(ids))


def test_coverage_many_elements_seeded():
    rnd = random.Random(1234)
    for trial in range(30):
        sizes = [rnd.choice([1, 2, rnd.randint(1, 100), rnd.randint(1, 100_000)])
                 for _ in range(rnd.randint(1, 200))]
        firsts = [rnd.randint(0, 10**6) for _ in sizes]
        speeds = {i: rnd.uniform(100, 100_000) for i in range(rnd.randint(1, 8))}
        clock = FakeClock()
        elements = make_elements(sizes, firsts)
        pk = AdaptivePacketizer(elements, clock=clock, min_packet_entries=rnd.randint(1, 500))
        sim = Sim(pk, clock, speeds, depth=rnd.randint(1, 3)).run()
        assert_exact_cover(elements, [r for _, p, _, _ in sim.handed for r in p.pieces])
        assert pk.done_entries == pk.total_entries


def test_a_slot_reads_its_files_in_order_and_spans_them_only_at_a_files_end():
    elements, pk, sim = simulate([10_000, 10_000], {"a": 1000.0}, depth=2, min_packet_entries=10)
    ranges = [r for _, p, _, _ in sim.handed for r in p.pieces]
    # one slot reads one file to the end before opening the next, sequentially
    assert ranges == sorted(ranges)
    for (e1, f1, n1), (e2, f2, _) in zip(ranges, ranges[1:]):
        assert (e2, f2) == ((e1, f1 + n1) if e1 == e2 else (e2, 0))
    for _, p, _, _ in sim.handed:   # a packet goes on into the next file only from a file's end
        for (e1, f1, n1), (e2, f2, _) in zip(p.pieces, p.pieces[1:]):
            assert f1 + n1 == 10_000 and f2 == 0 and e2 == e1 + 1


def test_many_small_files_go_in_few_packets():
    elements, pk, sim = simulate([500] * 2000, {"a": 1_000_000.0, "b": 1_000_000.0},
                                 min_packet_entries=100, min_packet_time=0.05)
    assert_exact_cover(elements, [r for _, p, _, _ in sim.handed for r in p.pieces])
    assert len(sim.handed) < 60, len(sim.handed)      # not one packet per file
    assert max(len(p.pieces) for _, p, _, _ in sim.handed) > 20


def test_without_span_files_packets_stay_in_one_file():
    clock = FakeClock()
    elements = make_elements([500] * 50)
    pk = AdaptivePacketizer(elements, clock=clock, span_files=False, first_packet_entries=2000)
    sim = Sim(pk, clock, {"a": 1000.0}).run()
    assert all(len(p.pieces) == 1 for _, p, _, _ in sim.handed)
    assert_exact_cover(elements, [r for _, p, _, _ in sim.handed for r in p.pieces])


# ---------------------------------------------------------------- sizing / adaptivity
def test_first_packet_size_rules():
    pk = AdaptivePacketizer(make_elements([100_000]), n_workers_hint=2, min_packet_entries=100)
    assert pk.next_packet("a").num == 100_000 // 80
    pk = AdaptivePacketizer(make_elements([1000]), n_workers_hint=2, min_packet_entries=100)
    assert pk.next_packet("a").num == 100          # floor at min_packet_entries
    pk = AdaptivePacketizer(make_elements([1000, 5]), first_packet_entries=300)
    assert pk.next_packet("a").num == 300
    pk = AdaptivePacketizer(make_elements([50]), first_packet_entries=300)
    assert pk.next_packet("a").num == 50           # capped by what remains


def test_fold_the_remainder():
    # 700 would leave 300 < 350 behind: take the whole element
    pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=700)
    assert pk.next_packet("a").num == 1000
    # 600 leaves 400 >= 300: no fold
    pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=600)
    assert pk.next_packet("a").num == 600


def test_later_packet_size_follows_rate_and_target_time():
    clock = FakeClock()
    pk = AdaptivePacketizer(make_elements([1_000_000]), first_packet_entries=1000,
                            packet_fraction=4.0, min_packet_time=0.2, max_packet_time=20.0,
                            min_packet_entries=10, clock=clock)
    p = pk.next_packet("a")
    pk.packet_done("a", p, elapsed=1.0)                     # 1000 entries/s
    assert pk.rate("a") == pytest.approx(1000.0)
    # remaining 999000 / 1000 per s / 4 = 249 s -> clamped to 20 s -> 20000 entries
    assert pk.next_packet("a").num == 20_000


def test_rate_uses_each_packets_own_elapsed_not_wall_time():
    clock = FakeClock()
    pk = AdaptivePacketizer(make_elements([10_000]), first_packet_entries=100, clock=clock)
    assert pk.rate("a") is None
    p, q = pk.next_packet("a"), pk.next_packet("a")        # both in flight at once
    clock.t = 10.0
    pk.packet_done("a", p, elapsed=0.25)
    pk.packet_done("a", q, elapsed=0.25, processed=50)     # processed overrides for the rate
    assert pk.rate("a") == pytest.approx(150 / 0.5)
    assert pk.done_entries == 200


def test_twice_as_fast_slot_gets_about_twice_the_entries():
    elements, pk, sim = simulate([200_000] * 5, {"fast": 2000.0, "slow": 1000.0},
                                 min_packet_entries=10)
    ratio = sim.entries_of("fast") / sim.entries_of("slow")
    assert 1.7 < ratio < 2.3, ratio
    assert pk.rate("fast") == pytest.approx(2000.0)
    assert pk.rate("slow") == pytest.approx(1000.0)
    # both finish close together: the tail was balanced
    assert abs(sim.busy_until["fast"] - sim.busy_until["slow"]) < 0.05 * sim.busy_until["fast"]


def test_packet_sizes_shrink_towards_the_end():
    elements, pk, sim = simulate([1_000_000], {"a": 1000.0, "b": 1000.0}, min_packet_entries=10,
                                 max_packet_time=1000.0)
    sizes = [p.num for s, p, _, _ in sim.handed if s == "a"]
    assert len(sizes) > 6
    assert max(sizes[-3:]) < max(sizes) / 4
    assert sizes[-1] < sizes[len(sizes) // 2]


@pytest.mark.parametrize("n_slots", [1, 2, 3, 5, 8])
def test_no_packet_exceeds_the_tail_balance_cap(n_slots):
    speeds = {i: 500.0 * (1 + i % 3) for i in range(n_slots)}
    elements, pk, sim = simulate([30_000, 7, 12_345, 1, 50_000], speeds, min_packet_entries=50,
                                 first_packet_entries=40_000)
    for slot, p, cap, requeued in sim.handed:
        assert p.entries <= cap, (slot, p, cap)


def test_the_tail_is_not_cut_into_packets_of_a_few_entries():
    # Halving what remains between the slots for ever ended every query with a dozen packets
    # of 75, 38, 19, ..., 1 entries, each a whole round trip to a worker.
    elements, pk, sim = simulate([1000], {"a": 1e6, "b": 1e6})
    assert sum(p.entries for _, p, _, _ in sim.handed) == 1000
    assert len(sim.handed) <= 6, [p.entries for _, p, _, _ in sim.handed]
    elements, pk, sim = simulate([1_000_000], {"a": 1e6, "b": 1e6})
    sizes = [p.entries for _, p, _, _ in sim.handed]
    # After the first (small) packets: at least a quarter of PROOF_MinPacketTime's worth, but for
    # the last one, whatever is left.
    assert min(sizes[4:-1]) >= 1e6 * 0.2 / 4, sizes
    assert abs(sim.busy_until["a"] - sim.busy_until["b"]) < 0.06, "the tail is still balanced"


def test_min_packet_entries_floor_for_fast_rates():
    clock = FakeClock()
    pk = AdaptivePacketizer(make_elements([100_000]), first_packet_entries=10,
                            min_packet_entries=500, clock=clock)
    p = pk.next_packet("a")
    pk.packet_done("a", p, elapsed=10.0)                    # 1 entry/s: target would be tiny
    assert pk.next_packet("a").num == 500


# ---------------------------------------------------------------- element choice
def test_slots_start_on_different_elements_biggest_first():
    pk = AdaptivePacketizer(make_elements([100, 5000, 3000, 4000]), first_packet_entries=10,
                            min_packet_entries=1)
    assert [pk.next_packet(s).element for s in "abc"] == [1, 3, 2]


def test_host_locality_preferred():
    pk = AdaptivePacketizer(make_elements([5000, 100, 200], hosts=["n1", "n2", "n2"]),
                            first_packet_entries=10, min_packet_entries=1)
    assert pk.next_packet("a", host="n2").element == 2
    assert pk.next_packet("b", host="n1").element == 0
    assert pk.next_packet("c", host="elsewhere").element == 1   # the one nobody is on
    assert pk.next_packet("d").element == 0                     # all taken: share the biggest


def test_shared_element_split_into_disjoint_sequential_ranges():
    pk = AdaptivePacketizer(make_elements([10_000]), first_packet_entries=100,
                            min_packet_entries=1)
    a1, b1 = pk.next_packet("a"), pk.next_packet("b")
    a2, b2 = pk.next_packet("a"), pk.next_packet("b")
    assert (a1.first, a2.first) == (0, 100)                  # a keeps reading from the start
    # b took the back half of what was unassigned ([100, 10000) -> from 5050)
    assert b1.first == 5050 and b2.first == 5150
    assert len({p.id for p in (a1, b1, a2, b2)}) == 4


# ---------------------------------------------------------------- slot_lost / commit
def test_slot_lost_requeues_uncommitted_and_in_flight_exactly_once():
    clock = FakeClock()
    pk = AdaptivePacketizer(make_elements([1000, 1000]), first_packet_entries=100,
                            min_packet_entries=100, clock=clock)
    p1, p2 = pk.next_packet("a"), pk.next_packet("a")
    pk.packet_done("a", p1, 1.0)
    pk.slot_committed("a")                                   # p1 is final
    p3, p4 = pk.next_packet("a"), pk.next_packet("a")
    pk.packet_done("a", p2, 1.0)
    pk.packet_done("a", p3, 1.0)                             # done but not committed
    back = pk.slot_lost("a")
    assert back == [p2, p3, p4]
    assert pk.committed_entries == 100 and pk.done_entries == 100
    check_invariant(pk)
    # served first, unsplit, to any slot; fresh work after
    again = [pk.next_packet("b") for _ in range(4)]
    assert [(p.element, p.first, p.num) for p in again[:3]] == \
        [(p.element, p.first, p.num) for p in (p2, p3, p4)]
    assert again[3].first not in (p2.first, p3.first, p4.first) or again[3].element != p2.element
    assert all(p.id > p4.id for p in again)
    # the lost slot is gone: its late reports are rejected
    with pytest.raises(ValueError):
        pk.packet_done("a", p4, 1.0)


def test_lost_and_committed_slots_in_a_run_still_cover_exactly():
    rnd = random.Random(7)
    for trial in range(25):
        sizes = [rnd.randint(1, 20_000) for _ in range(rnd.randint(1, 30))]
        speeds = {i: rnd.uniform(500, 5000) for i in range(rnd.randint(2, 6))}
        clock = FakeClock()
        elements = make_elements(sizes)
        pk = AdaptivePacketizer(elements, clock=clock, min_packet_entries=50)
        sim = Sim(pk, clock, speeds, depth=2)
        victims = rnd.sample(sorted(speeds), k=len(speeds) - 1)

        def on_done(sim, slot, p):
            if rnd.random() < 0.2:
                sim.commit(slot)
            if victims and rnd.random() < 0.05 and slot == victims[0]:
                victim = victims.pop(0)
                final_before = list(sim.final)
                uncommitted = list(sim.uncommitted[victim])
                in_flight = [q for _, _, s, q, _ in sim.heap if s == victim]
                back = sim.lose(victim)
                # exactly its uncommitted + in-flight packets come back, nothing committed
                assert sorted(back, key=lambda q: q.id) == sorted(uncommitted + in_flight,
                                                                   key=lambda q: q.id)
                assert not set(q.id for q in back) & set(q.id for q in final_before)

        sim.run(on_done)
        assert not sim.requeued, "requeued packets were not all served again"
        # final results (committed by surviving or pre-loss commits) cover exactly once
        assert_exact_cover(elements, [r for p in sim.final for r in p.pieces])
        assert pk.committed_entries == pk.done_entries == pk.total_entries


def test_lost_slot_name_can_rejoin_afresh():
    pk = AdaptivePacketizer(make_elements([10_000]), first_packet_entries=100)
    p = pk.next_packet("a")
    pk.packet_done("a", p, 1.0)
    pk.slot_lost("a")
    assert pk.rate("a") is None and pk.done_entries == 0
    q = pk.next_packet("a")                                  # restarted worker, same name
    assert (q.first, q.num) == (p.first, p.num) and q.id != p.id


def test_stop_with_requeued_work_pending():
    pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=100)
    pk.next_packet("a")
    pk.slot_lost("a")
    assert pk.remaining_entries == 1000
    pk.stop()
    assert pk.next_packet("b") is None and pk.finished


# ---------------------------------------------------------------- drop_rest_of_element
def test_drop_rest_of_element_single_slot():
    pk = AdaptivePacketizer(make_elements([1000, 500]), first_packet_entries=300,
                            min_packet_entries=1)
    p = pk.next_packet("a")
    assert p.element == 0
    assert pk.drop_rest_of_element("a", p, 200) == 800       # 100 of p + 700 never handed out
    assert pk.dropped_entries == 800
    check_invariant(pk)
    pk.packet_done("a", p, 1.0)
    assert pk.done_entries == 200
    rest = []
    while (q := pk.next_packet("a")) is not None:
        rest.append(q)
        pk.packet_done("a", q, 1.0)
    assert all(q.element == 1 for q in rest) and sum(q.num for q in rest) == 500
    assert pk.finished and pk.done_entries == 700


def test_drop_leaves_other_slots_alone_and_cuts_own_in_flight():
    pk = AdaptivePacketizer(make_elements([10_000]), first_packet_entries=100,
                            min_packet_entries=1)
    a1, b1, a2 = pk.next_packet("a"), pk.next_packet("b"), pk.next_packet("a")
    assert (a1.first, b1.first, a2.first) == (0, 5050, 100)
    # a aborts the file at entry 50: a1's tail and a2 (a's own, not started) are dropped,
    # b's packet at 5050 is left alone, unassigned ranges >= 50 are dropped.
    n = pk.drop_rest_of_element("a", a1, 50)
    assert n == 10_000 - 50 - b1.num
    check_invariant(pk)
    for slot, p in (("a", a1), ("a", a2), ("b", b1)):
        pk.packet_done(slot, p, 0.1)
    assert pk.done_entries == 50 + b1.num
    assert pk.next_packet("a") is None and pk.next_packet("b") is None and pk.finished


def test_drop_trims_requeued_ranges_too():
    pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=100, min_packet_entries=1)
    pk.next_packet("a"), pk.next_packet("a")
    pk.slot_lost("a")                                        # [0,100) and [100,200) requeued
    q = pk.next_packet("b")
    assert (q.first, q.num) == (0, 100)
    # b aborts at 50: 50 of q, the requeued [100,200) and the unassigned [200,1000) go
    assert pk.drop_rest_of_element("b", q, 50) == 950
    check_invariant(pk)
    assert pk.next_packet("b") is None
    pk.packet_done("b", q, 1.0)
    assert pk.finished and pk.done_entries == 50 and pk.dropped_entries == 950


def test_drop_after_done_counts_the_same():
    def run(order):
        pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=300)
        p = pk.next_packet("a")
        for step in order:
            pk.packet_done("a", p, 1.0) if step == "done" else pk.drop_rest_of_element("a", p, 120)
        return pk.done_entries, pk.dropped_entries, pk.remaining_entries
    assert run(["done", "drop"]) == run(["drop", "done"]) == (120, 880, 0)


def test_dropped_entries_never_handed_out_in_a_run():
    rnd = random.Random(99)
    for trial in range(20):
        sizes = [rnd.randint(1, 30_000) for _ in range(rnd.randint(1, 20))]
        speeds = {i: rnd.uniform(500, 5000) for i in range(rnd.randint(1, 5))}
        clock = FakeClock()
        elements = make_elements(sizes)
        pk = AdaptivePacketizer(elements, clock=clock, min_packet_entries=20)
        sim = Sim(pk, clock, speeds)
        aborted = {}   # element -> (from_entry, number of hand-outs made before the drop)

        def on_done(sim, slot, p):
            if p.element not in aborted and rnd.random() < 0.1:
                frm = rnd.randint(p.first, p.first + p.num)
                aborted[p.element] = (frm, len(sim.handed))
                before = pk.dropped_entries
                assert pk.drop_rest_of_element(slot, p, frm) == pk.dropped_entries - before

        sim.run(on_done)
        for k, (slot, p, _, _) in enumerate(sim.handed):
            for e, f, n in p.pieces:
                if e in aborted and k >= aborted[e][1]:
                    assert f + n <= aborted[e][0], "dropped range handed out"
        by_elem = defaultdict(list)
        for _, p, _, _ in sim.handed:
            for e, f, n in p.pieces:
                by_elem[e].append((f, f + n))
        for spans in by_elem.values():
            spans.sort()
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "overlapping hand-outs"
        assert pk.dropped_entries > 0 or not aborted
        assert pk.done_entries + pk.dropped_entries == pk.total_entries
        assert pk.remaining_entries == 0 and pk.finished


# ---------------------------------------------------------------- stop / errors
def test_stop_then_finished_after_in_flight_done():
    pk = AdaptivePacketizer(make_elements([10_000]), first_packet_entries=100)
    p, q = pk.next_packet("a"), pk.next_packet("a")
    pk.stop()
    assert pk.next_packet("a") is None and pk.next_packet("new") is None
    assert not pk.finished and pk.in_flight == 2
    pk.packet_done("a", p, 0.5)
    assert not pk.finished
    pk.packet_done("a", q, 0.5)
    assert pk.finished and pk.remaining_entries > 0


def test_finished_only_when_all_done():
    pk = AdaptivePacketizer(make_elements([100]), first_packet_entries=100)
    assert not pk.finished
    p = pk.next_packet("a")
    assert pk.remaining_entries == 0 and not pk.finished and pk.next_packet("b") is None
    pk.packet_done("a", p, 1.0)
    assert pk.finished


def test_unknown_slot_or_packet_and_double_completion_raise():
    pk = AdaptivePacketizer(make_elements([1000]), first_packet_entries=100)
    p = pk.next_packet("a")
    for call in (lambda: pk.packet_done("zz", p, 1.0), lambda: pk.slot_lost("zz"),
                 lambda: pk.slot_committed("zz"), lambda: pk.drop_rest_of_element("zz", p, 0)):
        with pytest.raises(ValueError, match="slot"):
            call()
    with pytest.raises(ValueError):
        pk.packet_done("a", Packet(p.id, p.element, p.first, p.num + 1), 1.0)   # forged
    pk.next_packet("b")
    with pytest.raises(ValueError):
        pk.packet_done("b", p, 1.0)                         # belongs to another slot
    pk.packet_done("a", p, 1.0)
    with pytest.raises(ValueError, match="not in flight"):
        pk.packet_done("a", p, 1.0)                         # double completion
    assert pk.done_entries == 100
    with pytest.raises(ValueError, match="outside"):
        pk.drop_rest_of_element("a", p, p.first + p.num + 1)


def test_bad_construction_raises():
    with pytest.raises(ValueError, match="num > 0"):
        AdaptivePacketizer([Element(0, 0, 0)])
    with pytest.raises(ValueError, match="duplicate"):
        AdaptivePacketizer([Element(0, 0, 5), Element(0, 10, 5)])
    with pytest.raises(ValueError):
        AdaptivePacketizer([], min_packet_time=5, max_packet_time=1)


def test_empty_dataset_is_finished_immediately():
    pk = AdaptivePacketizer([])
    assert pk.total_entries == 0 and pk.next_packet("a") is None and pk.finished


def test_summary_reports_per_slot():
    elements, pk, sim = simulate([50_000], {"a": 1000.0, "b": 3000.0}, min_packet_entries=10)
    s = pk.summary()
    assert set(s["slots"]) == {"a", "b"}
    assert s["slots"]["a"]["entries"] + s["slots"]["b"]["entries"] == 50_000
    assert s["slots"]["b"]["rate"] == pytest.approx(3000.0)
    assert s["slots"]["a"]["packets"] == sum(1 for x, *_ in sim.handed if x == "a")
    assert s["totals"]["committed"] == 50_000


def test_slot_that_processed_nothing_gets_a_first_sized_packet():
    """A packet that read nothing (its file vanished) leaves the slot's rate at 0: the next packet
    is sized like a first one (it once divided by zero)."""
    clock = FakeClock()
    pk = AdaptivePacketizer(make_elements([500, 10_000]), first_packet_entries=100, clock=clock)
    p = pk.next_packet("a")
    pk.packet_done("a", p, elapsed=0.5, processed=0)
    assert pk.rate("a") == 0
    assert pk.next_packet("a").num == 100


# ---------------------------------------------------------------- files counted by their first packet
def unknown_elements(n, first=None):
    return [Element(i, (first or [0] * n)[i], -1) for i in range(n)]


@settings(max_examples=120, deadline=None)
@given(sizes=st.lists(st.one_of(st.integers(0, 3), st.integers(1, 3000)), min_size=1, max_size=60),
       known=st.lists(st.booleans(), min_size=60, max_size=60),
       speeds=st.lists(st.floats(50, 5000), min_size=1, max_size=6),
       depth=st.integers(1, 3), first=st.one_of(st.none(), st.integers(1, 500)))
def test_uncounted_files_are_processed_exactly_once(sizes, known, speeds, depth, first):
    elements = [Element(i, 0, n) if known[i] and n > 0 else Element(i, 0, -1) for i, n in enumerate(sizes)]
    clock = FakeClock()
    pk = AdaptivePacketizer(elements, clock=clock, first_packet_entries=first, min_packet_time=0.01,
                            min_packet_entries=10)
    sim = Sim(pk, clock, {f"w{i}": v for i, v in enumerate(speeds)}, depth,
              true_sizes=dict(enumerate(sizes))).run()
    expected = [Element(i, 0, n) for i, n in enumerate(sizes) if n > 0]
    assert_exact_cover(expected, sim.processed(sim.final))
    assert pk.total_entries == pk.done_entries == pk.committed_entries == sum(sizes)
    assert pk.unsized_elements == 0 and pk.estimated_total() == sum(sizes) and not pk.has_work


def test_uncounted_files_with_lost_slots_and_drops_stay_exact():
    rnd = random.Random(11)
    for trial in range(25):
        sizes = [rnd.choice([0, rnd.randint(1, 50), rnd.randint(1, 5000)]) for _ in range(rnd.randint(1, 80))]
        speeds = {i: rnd.uniform(500, 5000) for i in range(rnd.randint(2, 6))}
        clock = FakeClock()
        pk = AdaptivePacketizer(unknown_elements(len(sizes)), clock=clock, min_packet_entries=20,
                                min_packet_time=0.01)
        sim = Sim(pk, clock, speeds, depth=2, true_sizes=dict(enumerate(sizes)))
        victims = rnd.sample(sorted(speeds), k=len(speeds) - 1)
        dropped = {}

        def on_done(sim, slot, p):
            done = [r for r in sim.ranges(p) if r[2] > 0 and r[0] not in dropped]
            if done and rnd.random() < 0.05:   # as the run loop does: right after packet_done
                e, f, n = rnd.choice(done)
                dropped[e] = rnd.randint(f, f + n)
                pk.drop_rest_of_element(slot, p, dropped[e], element=e)
            if rnd.random() < 0.2:
                sim.commit(slot)
            if victims and rnd.random() < 0.05 and slot == victims[0]:
                sim.lose(victims.pop(0))

        sim.run(on_done)
        # what the kept packets processed, cut where the files were dropped, covers each entry once
        kept = defaultdict(list)
        for e, f, n in sim.processed(sim.final):
            end = min(f + n, dropped.get(e, f + n)) if e in dropped else f + n
            if end > f:
                kept[e].append((f, end))
        for e, size in enumerate(sizes):
            spans = sorted(kept[e])
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "overlap"
            covered = sum(b - a for a, b in spans)
            assert covered == (min(size, dropped[e]) if e in dropped else size) or e in dropped
        assert pk.done_entries + pk.dropped_entries == pk.total_entries == sum(sizes)
        assert pk.finished and pk.unsized_elements == 0


def test_probe_reports_its_file_and_the_rest_becomes_work():
    clock = FakeClock()
    pk = AdaptivePacketizer(unknown_elements(3), clock=clock, first_packet_entries=100, min_packet_entries=10)
    p = pk.next_packet("a")
    assert p.pieces == ((0, 0, 100),) and p.probe == (0,) and pk.total_entries == 0
    assert pk.has_work and not pk.finished
    pk.packet_done("a", p, 0.1, counts={0: 1000})
    assert pk.total_entries == 1000 and pk.remaining_entries == 900 and pk.unsized_elements == 2
    q = pk.next_packet("a")
    assert q.element == 0 and q.first == 100, "the slot goes on with the file it opened"
    assert pk.estimated_total() == 1000 + 2 * 1000


def test_probe_not_reached_goes_back_to_be_counted_by_another_slot():
    pk = AdaptivePacketizer(unknown_elements(2), first_packet_entries=10_000, min_packet_entries=10)
    pk.packet_done("a", pk.next_packet("a"), 0.1, counts={0: 50})
    p = pk.next_packet("a")
    assert p.probe == (1,)
    pk.packet_done("a", p, 0.1, counts={})               # the packet ended before file 1
    assert pk.unsized_elements == 1 and pk.has_work
    q = pk.next_packet("b")
    assert q.pieces[0][:2] == (1, 0) and q.probe == (1,)


def test_lost_probe_is_requeued_as_a_probe():
    pk = AdaptivePacketizer(unknown_elements(1), first_packet_entries=100, min_packet_entries=10)
    p = pk.next_packet("a")
    assert pk.slot_lost("a") == [p]
    assert pk.has_work
    q = pk.next_packet("b")
    assert q.pieces == p.pieces and q.probe == p.probe and q.id != p.id
    pk.packet_done("b", q, 0.1, counts={0: 70})
    assert pk.total_entries == 70 and pk.finished


def test_unreadable_uncounted_file_counts_zero_and_is_done():
    pk = AdaptivePacketizer(unknown_elements(2), first_packet_entries=1000, min_packet_entries=10)
    p = pk.next_packet("a")
    pk.packet_done("a", p, 0.1, counts={0: 0})
    rest = pk.next_packet("a")
    pk.packet_done("a", rest, 0.1, counts={1: 5})
    assert pk.total_entries == 5 and pk.finished


def test_twenty_thousand_files_and_a_thousand_slots_are_handled_in_linear_time():
    """Every packet costs O(log n): counting the packetizer's work per hand-out stays flat as
    files and slots grow (a per-file or per-slot scan would grow with them)."""

    def run(n_files, n_slots):
        clock = FakeClock()
        pk = AdaptivePacketizer(unknown_elements(n_files), clock=clock, min_packet_entries=10,
                                min_packet_time=0.01)
        sim = Sim(pk, clock, {i: 50_000.0 for i in range(n_slots)}, true_sizes={i: 50 for i in range(n_files)})
        sim.run()
        assert pk.total_entries == 50 * n_files and pk.finished
        return len(sim.handed)

    small, big = run(2000, 10), run(20_000, 100)
    assert big < 20 * small, (small, big)


# ---------------------------------------------------------------- TPacketizerFile
def test_file_packetizer_binds_files_to_their_hosts_and_hands_each_out_once():
    from proofshim.plan.packetizer import FilePacketizer

    hosts = ["A", "A", "B", None, "A", "B", None]
    pk = FilePacketizer(make_elements([1] * len(hosts), hosts=hosts))
    got = {}
    # Slot b1 (host B) takes B's files in order, then the unbound ones; never A's.
    for _ in range(10):
        p = pk.next_packet("b1", "B")
        if p is None:
            break
        got[p.element] = "b1"
        assert (p.first, p.num) == (0, 1)
        pk.packet_done("b1", p, 0.1)
    assert [e for e in got] == [2, 5, 3, 6]
    # A's slots take A's files only, in the list's order.
    a = [pk.next_packet("a1", "A"), pk.next_packet("a2", "A"), pk.next_packet("a1", "A")]
    assert [p.element for p in a] == [0, 1, 4]
    assert pk.next_packet("a2", "A") is None and pk.remaining_entries == 0


def test_file_packetizer_requeues_lost_files_to_the_same_host_or_anyone_when_the_host_is_gone():
    from proofshim.plan.packetizer import FilePacketizer

    pk = FilePacketizer(make_elements([1, 1, 1], hosts=["A", "A", "B"]),
                        host_key=lambda h: "A" if h.startswith("a-") else h)
    p0 = pk.next_packet("a1", "a-addr1")          # host_key maps the slot's host
    assert p0.element == 0
    b = pk.next_packet("b1", "B")
    assert b.element == 2 and pk.next_packet("b1", "B") is None
    assert pk.slot_lost("a1") == [p0]
    # Host A has no slot left: its files (the lost one first) go to whoever asks.
    got = [pk.next_packet("b1", "B").element, pk.next_packet("b1", "B").element]
    assert got == [0, 1] and pk.next_packet("b1", "B") is None
    pk2 = FilePacketizer(make_elements([1, 1], hosts=["A", "A"]))
    q = pk2.next_packet("a1", "A")
    pk2.next_packet("a2", "A")
    pk2.slot_lost("a1")
    assert pk2.next_packet("b1", "B") is None, "A still has a slot: its files wait for it"
    again = pk2.next_packet("a2", "A")
    assert (again.element, again.first, again.num) == (q.element, 0, 1), "requeued for host A"


def test_a_start_sized_for_the_query_splits_it_evenly_without_slivers():
    """first_packet_entries from an earlier query's rate (face/query.py first_packet_size: here a
    quarter of the query for 2 workers): two packets per slot cover it, each entry once, none smaller."""
    pk = AdaptivePacketizer(make_elements([1000]), n_workers_hint=2, first_packet_entries=250, sized_start=True)
    packets = [pk.next_packet(s) for s in ("a", "a", "b", "b")]
    assert [p.num for p in packets] == [250] * 4
    assert pk.next_packet("a") is None and pk.remaining_entries == 0
    covered = sorted(e for p in packets for e in range(p.first, p.first + p.num))
    assert covered == list(range(1000))
    # Without it, the slots' shares of the rest are halved: a fifth, small packet.
    pk = AdaptivePacketizer(make_elements([1000]), n_workers_hint=2, first_packet_entries=250)
    assert [pk.next_packet(s).num for s in ("a", "a", "b", "b")] == [250, 250, 250, 125]
