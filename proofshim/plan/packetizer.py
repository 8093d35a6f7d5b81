"""Packetizer: split a dataset into packets (entry ranges of its files) for worker slots.

Mirrors ROOT PROOF's TPacketizerAdaptive, tuned for short packets: packet sizes follow the
measured rate of each worker slot so that all slots finish at about the same time; a slot reads
one file sequentially until it is done, then takes a file no other slot reads (its host's first),
and shares the biggest file left only at the end. Pure standard library, not thread-safe: one
executor thread drives it through next_packet / packet_done / slot_committed / slot_lost.

Two things PROOF's packetizer did not need, for many small files:
- a packet may span several files: when a file's rest is smaller than the packet a slot should
  get, the packet goes on with the next files (the worker switches files inside the packet, with
  Init and Notify for each), so 2,000 small files need tens of packets, not thousands;
- an element may come with its entries not yet counted (num -1): its first packet asks for at
  most some entries from it and the worker reports how many the file holds (one file open for
  both, instead of a counting pass that opens every file twice); the rest of the file, if any,
  becomes ordinary work. Until then its size is estimated from the files counted so far.

Every operation is O(log n) or O(pieces) in the number of files and slots: a query over 20,000
files or a client feeding 1,000 slots does no per-file or per-slot scan per packet.

Accounting invariant over the counted entries (always true):
    total_entries == remaining_entries + assigned_entries + dropped_entries
"""
from __future__ import annotations

import heapq
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

__all__ = ["Element", "Packet", "select_range", "AdaptivePacketizer", "FilePacketizer"]

UNKNOWN = -1          # Element.num of a file whose entries are counted by its first packet
MAX_PIECES = 4096     # files in one packet at most


@dataclass(frozen=True)
class Element:
    """One file/tree of the dataset after range selection.

    >>> Element(index=1, first=100, num=50, host="node3")   # entries 100..149 of file 1
    Element(index=1, first=100, num=50, host='node3')
    >>> Element(index=2, first=0, num=-1)                    # all of file 2, not counted yet
    Element(index=2, first=0, num=-1, host=None)
    """
    index: int        # position in the dataset (stable id)
    first: int        # first tree-local entry to process
    num: int          # number of entries to process (>0), or -1: to the end, not counted yet
    host: str | None = None   # host holding the file, if known (locality hint)


@dataclass(frozen=True)
class Packet:
    """Entries [first, first+num) of element `element`, then the pieces of `more` in order, each
    (element, first, num). An element of `probe` has not been counted: its piece asks for at most
    `num` entries, the worker processes what the file holds of them and reports its entries.

    >>> p = Packet(7, 3, 400, 100, more=((4, 0, 500), (5, 0, 500)), probe=(5,))
    >>> p.pieces, p.entries
    (((3, 400, 100), (4, 0, 500), (5, 0, 500)), 1100)
    """
    id: int           # unique within the packetizer, increasing
    element: int      # Element.index of the first piece
    first: int        # tree-local first entry of the first piece
    num: int          # entries of the first piece
    more: tuple = ()  # further pieces: (element, first, num), in the order they are processed
    probe: tuple = () # elements whose entries the worker reports (not counted before)

    @property
    def pieces(self) -> tuple:
        return ((self.element, self.first, self.num),) + self.more

    @property
    def entries(self) -> int:
        """Entries asked for (an upper bound for probe pieces)."""
        return self.num + sum(n for _, _, n in self.more)


def select_range(entries_per_element: Sequence[int], nentries: int = -1, firstentry: int = 0,
                 element_first: Sequence[int] | None = None) -> list[tuple[int, int, int]]:
    """Apply a chain-global firstentry/nentries (nentries=-1: all) over elements with the given
    entry counts; returns (element_index, tree_local_first, num) for each element with num>0.
    element_first gives each element's own starting offset (default 0) when an element already is
    a sub-range of its tree (entries_per_element are then the element's own counts).
    Raises ValueError with a clear message for negative firstentry, nentries < -1.
    firstentry beyond the total yields [] (callers report it).

    >>> select_range([100, 200, 50], nentries=150, firstentry=120)   # starts inside file 1
    [(1, 20, 150)]
    >>> select_range([100, 200, 50], nentries=250, firstentry=90)    # spans three files
    [(0, 90, 10), (1, 0, 200), (2, 0, 40)]
    >>> select_range([10, 10], firstentry=5, element_first=[1000, 0])
    [(0, 1005, 5), (1, 0, 10)]
    >>> select_range([10], firstentry=10)
    []
    """
    if firstentry < 0:
        raise ValueError(f"firstentry must be >= 0, got {firstentry}")
    if nentries < -1:
        raise ValueError(f"nentries must be >= 0 or -1 (all), got {nentries}")
    if element_first is None:
        element_first = [0] * len(entries_per_element)
    if len(element_first) != len(entries_per_element):
        raise ValueError(f"element_first has {len(element_first)} values for "
                         f"{len(entries_per_element)} elements")
    lo = firstentry
    hi = math.inf if nentries == -1 else firstentry + nentries
    out, g = [], 0   # g: chain-global index of the element's first entry
    for i, (n, off) in enumerate(zip(entries_per_element, element_first)):
        if n < 0:
            raise ValueError(f"element {i} has a negative entry count ({n})")
        a, b = max(lo, g), min(hi, g + n)
        if b > a:
            out.append((i, off + (a - g), int(b - a)))
        g += n
    return out


@dataclass
class _Out:
    """A packet handed out: per piece, the prefix kept (not dropped by drop_rest_of_element)."""
    packet: Packet
    keep: list
    started: float
    done_as: Packet | None = None    # once done: the packet with its probe pieces resolved


@dataclass(eq=False)
class _Slot:
    host: str | None = None
    inflight: dict = field(default_factory=dict)   # packet id -> _Out
    done: dict = field(default_factory=dict)       # done, not yet committed: packet id -> _Out
    packets: int = 0          # packets completed
    processed: int = 0        # entries completed (as reported), for the rate
    busy: float = 0.0         # sum of per-packet elapsed times
    cur: int | None = None    # element the slot is reading (keeps its file open)
    cursor: int | None = None  # entry right after its last packet in `cur`


class AdaptivePacketizer:
    """Hands out packets sized by each slot's measured rate.

    >>> pk = AdaptivePacketizer([Element(0, 0, 1000), Element(1, 0, 10)], first_packet_entries=400)
    >>> p = pk.next_packet("w0"); (p.element, p.first, p.num)
    (0, 0, 400)
    >>> pk.packet_done("w0", p, elapsed=1.0)       # w0 now runs at 400 entries/s
    >>> pk.rate("w0")
    400.0
    >>> pk.remaining_entries, pk.done_entries
    (610, 400)

    Small files, counted by their first packet (span_files: one packet goes through several):

    >>> pk = AdaptivePacketizer([Element(i, 0, -1) for i in range(6)], min_packet_entries=10)
    >>> p = pk.next_packet("w0"); p.pieces, p.probe     # nothing known: one file, at most 10 entries
    (((0, 0, 10),), (0,))
    >>> pk.packet_done("w0", p, elapsed=0.01, counts={0: 100})
    >>> pk.total_entries, pk.remaining_entries, pk.unsized_elements   # 90 entries of file 0 left
    (100, 90, 5)
    >>> q = pk.next_packet("w0"); q.pieces, q.probe     # its rest, then a file of about 100 entries
    (((0, 10, 90), (1, 0, 150)), (1,))
    """

    def __init__(self, elements: Sequence[Element], *, n_workers_hint: int = 2,
                 packet_fraction: float = 4.0, min_packet_time: float = 0.2,
                 max_packet_time: float = 20.0, first_packet_entries: int | None = None,
                 min_packet_entries: int = 100, clock: Callable[[], float] = time.monotonic,
                 span_files: bool = True, sized_start: bool = False):
        if n_workers_hint < 1 or packet_fraction <= 0 or min_packet_entries < 1:
            raise ValueError("n_workers_hint and min_packet_entries must be >= 1, "
                             "packet_fraction > 0")
        if not 0 <= min_packet_time <= max_packet_time:
            raise ValueError("need 0 <= min_packet_time <= max_packet_time")
        if first_packet_entries is not None and first_packet_entries < 1:
            raise ValueError("first_packet_entries must be >= 1")
        self._free: dict[int, list[list[int]]] = {}   # element -> unassigned [start, end) ranges
        self._nfree: dict[int, int] = {}
        self._host: dict[int, str | None] = {}
        self._unsized_first: dict[int, int] = {}      # element not counted yet -> its first entry
        for e in elements:
            if e.first < 0 or not (e.num > 0 or e.num == UNKNOWN):
                raise ValueError(f"element {e.index}: need first >= 0 and num > 0 (or -1: not "
                                 f"counted yet), got {e}")
            if e.index in self._host:
                raise ValueError(f"duplicate element index {e.index}")
            self._host[e.index] = e.host
            if e.num == UNKNOWN:
                self._unsized_first[e.index] = e.first
            else:
                self._free[e.index] = [[e.first, e.first + e.num]]
                self._nfree[e.index] = e.num
        # Files no slot has touched, per host: counted ones biggest first (ties: lowest index, so
        # runs are reproducible), then those not counted yet in dataset order.
        order = sorted(self._host, key=lambda i: (i in self._unsized_first, -self._nfree.get(i, 0), i))
        self._unalloc: dict[str | None, deque[int]] = {}
        for i in order:
            self._unalloc.setdefault(self._host[i], deque()).append(i)
        self._active: dict[str | None, list] = {}     # host -> heap (-nfree, element), lazily updated
        self._orphans: deque[int] = deque()           # touched elements with work and no reader
        self._readers: dict[int, set] = {}            # element -> slots whose `cur` it is
        self._probing: dict[int, int] = {}            # element not counted, in flight -> packet id
        self._counted: list[int] = [0, 0]             # entries and number of the probed elements
        self._requeue: deque[Packet] = deque()
        self._slots: dict[Hashable, _Slot] = {}
        self._measured: dict[Hashable, float] = {}    # slot -> its rate, for slots that have one
        self._rate_sum = 0.0
        self._inflight = 0
        self._hint, self._fraction = n_workers_hint, packet_fraction
        self._tmin, self._tmax = min_packet_time, max_packet_time
        self._first_entries, self._min_entries = first_packet_entries, min_packet_entries
        self._span = span_files
        # first_packet_entries was sized by the caller for this query (from an earlier query's
        # rate, at most a share of it): slots not measured yet take it whole, not tail-capped.
        self._sized_start = sized_start and first_packet_entries is not None
        self._clock = clock
        self._next_id = 0
        self._stopped = False
        self._total = self._remaining = sum(self._nfree.values())
        self._assigned = self._done = self._committed = self._dropped = 0

    # ---- read-only state -------------------------------------------------------------
    total_entries = property(lambda self: self._total, doc="counted entries of the elements")
    assigned_entries = property(lambda self: self._assigned, doc="handed out, net of requeues/drops")
    done_entries = property(lambda self: self._done, doc="in packets done by slots not lost")
    committed_entries = property(lambda self: self._committed)
    dropped_entries = property(lambda self: self._dropped)
    remaining_entries = property(lambda self: self._remaining,
                                 doc="counted, not handed out, incl. requeued")
    unsized_elements = property(lambda self: len(self._unsized_first),
                                doc="elements whose entries are not counted yet")
    in_flight = property(lambda self: self._inflight, doc="packets handed out and not done")

    @property
    def has_work(self) -> bool:
        """Whether anything is left to hand out (counted entries, or files not counted yet)."""
        if self._stopped:
            return False
        return self._remaining > 0 or bool(self._requeue) or len(self._unsized_first) > len(self._probing)

    @property
    def finished(self) -> bool:
        return not self.has_work and self._inflight == 0

    def estimated_total(self) -> int:
        """Entries of the query: the counted ones, plus an estimate for files not counted yet."""
        return self._total + round(len(self._unsized_first) * (self._per_file() or 0))

    def rate(self, slot) -> float | None:
        """Entries/s of `slot` over its own busy time (None until it has finished a timed packet)."""
        s = self._slots.get(slot)
        return None if s is None else self._rate(s)

    @staticmethod
    def _rate(s: _Slot) -> float | None:
        # A slot's packets overlap in flight, so wall time would undercount; the sum of each
        # packet's own reported run time is the slot's busy time.
        return s.processed / s.busy if s.busy > 0 else None

    def summary(self) -> dict:
        """{'slots': {slot: {packets, entries, rate, busy, in_flight, oldest_in_flight_s}},
        'totals': {total, assigned, done, committed, dropped, remaining}}."""
        now = self._clock()
        slots = {k: {"packets": s.packets, "entries": s.processed, "rate": self._rate(s),
                     "busy": s.busy, "in_flight": len(s.inflight),
                     "oldest_in_flight_s": max((now - o.started for o in s.inflight.values()),
                                               default=None)}
                 for k, s in self._slots.items()}
        totals = {"total": self._total, "assigned": self._assigned, "done": self._done,
                  "committed": self._committed, "dropped": self._dropped,
                  "remaining": self._remaining}
        return {"slots": slots, "totals": totals}

    # ---- handing out -----------------------------------------------------------------
    def next_packet(self, slot: Hashable, host: str | None = None) -> Packet | None:
        """Next packet for `slot` (None when stopped or nothing is left to hand out).
        May be called while the slot still has packets in flight."""
        if self._stopped:
            return None
        s = self._slots.get(slot)
        if s is None:
            s = self._slots[slot] = _Slot()
        if host is not None:
            s.host = host
        if self._requeue:   # work lost with a dead slot comes first, as it was
            p = self._take_requeued(s.host)
            self._remaining -= sum(n for e, _, n in p.pieces if e not in p.probe)
            return self._hand_out(s, list(p.pieces), p.probe)
        target = self._target_size(s)
        pieces, probe, planned = [], [], 0
        est = self._per_file()
        left = self._remaining_estimate()
        # Keep the tail balanced, but never below a packet's least (entries, and what the slot
        # does in a fraction of the least packet time): halving the rest for ever ended every
        # query with a dozen packets of a few entries, each costing a whole round trip.
        rate = self._rate(s) or 0.0
        floor = max(self._min_entries, int(rate * self._tmin / self._fraction))
        cap = target if left is None or (self._sized_start and not rate) else \
            max(floor, -(-left // max(1, len(self._slots))))
        while len(pieces) < MAX_PIECES:
            want = max(1, min(target, cap) - planned)
            if pieces and est and self._unsized_first and want < est / 2 and not self._orphans:
                break      # topping up with a file of about twice what is missing: not worth it
            e = self._choose_element(s, filling=bool(pieces))
            if e is None:
                break
            if e in self._unsized_first:
                # Its size is a guess: ask for the file's likely entries with room to spare, and
                # never fewer than a packet's least (the rest of a bigger file becomes work).
                guess = math.ceil(est) if est else 0
                want = max(want, self._min_entries, math.ceil(1.5 * guess))
                first = self._unsized_first[e]
                pieces.append((e, first, want))
                probe.append(e)
                planned += guess if est else want
                self._move(s, e, first + want)
            else:
                rng, start = self._choose_start(s, e, want if self._sized_start and not rate else None)
                avail = rng[1] - start
                size = min(want, avail)
                rest = avail - size
                if 0 < 2 * rest < size + planned and avail <= cap - planned:
                    size = avail   # a sliver left behind would cost a whole extra packet round trip
                self._carve(e, rng, start, size)
                self._move(s, e, start + size)
                pieces.append((e, start, size))
                planned += size
            if planned >= min(target, cap) or not self._span:
                break
            if s.cur in self._nfree and self._nfree[s.cur] > 0:
                break      # the file goes on: the next packet continues it
        if not pieces:
            return None
        return self._hand_out(s, pieces, tuple(probe))

    def _take_requeued(self, host: str | None) -> Packet:
        """The oldest requeued packet starting in a file on `host`, else the oldest one."""
        if host is not None:
            for i, p in enumerate(self._requeue):
                if self._host[p.element] == host:
                    del self._requeue[i]
                    return p
        return self._requeue.popleft()

    def _per_file(self) -> float | None:
        """Entries of a file not counted yet, as estimated from those counted by their first packet
        (else from the counted elements)."""
        n, k = self._counted
        if k:
            return n / k
        sized = len(self._host) - len(self._unsized_first)
        return self._total / sized if sized else None

    def _remaining_estimate(self) -> int | None:
        """Entries left to hand out, with an estimate for files not counted yet (None while there
        is nothing to estimate them from)."""
        left = len(self._unsized_first) - len(self._probing)
        if not left:
            return self._remaining
        per_file = self._per_file()
        return None if per_file is None else self._remaining + round(left * per_file)

    def _target_size(self, s: _Slot) -> int:
        rate = self._rate(s)
        if not rate:   # not measured yet, or nothing processed (e.g. its file vanished): as a new slot
            if self._first_entries is not None:
                return self._first_entries
            return max(self._min_entries, self.estimated_total() // (self._hint * 40))
        n_known = len(self._measured)
        # Slots not measured yet are assumed as fast as the average measured one: otherwise the
        # first slot to report would see the whole remainder as its own and take a huge packet.
        total_rate = self._rate_sum / n_known * max(len(self._slots), self._hint, n_known)
        t = ((self._remaining_estimate() or 0) / total_rate) / self._fraction
        t = min(max(t, self._tmin), self._tmax)
        return max(self._min_entries, int(rate * t))

    # ---- which file a slot reads next
    def _valid_active(self, e: int) -> bool:
        return self._nfree.get(e, 0) > 0

    def _choose_element(self, s: _Slot, filling: bool = False) -> int | None:
        """The slot's own file while it lasts; then, on the slot's host, a file nobody reads (left
        by a lost slot, then one never touched), else (unless it is only topping up a packet,
        `filling`) a share of the biggest file others read there; only when its host has no work
        left, the same from any host (never touched files biggest first)."""
        if s.cur is not None and self._valid_active(s.cur):
            return s.cur
        if s.host is not None:
            e = self._take_orphan(s.host, only_host=True)
            if e is None:
                e = self._take_unalloc(s.host, only_host=True)
            if e is not None:
                return e
            shared = self._biggest_active(s.host)
            if shared is not None:   # local work left: no remote file, not even to top up
                return None if filling else shared
        e = self._take_orphan(None)
        if e is None:
            e = self._take_unalloc(None)
        if e is not None or filling:
            return e
        best = None
        for h in self._active:
            c = self._biggest_active(h)
            if c is not None and (best is None or (self._nfree[c], -c) > (self._nfree[best], -best)):
                best = c
        return best

    def _take_orphan(self, host: str | None, only_host: bool = False) -> int | None:
        """A file with work left that no slot reads (its slot was lost): one of `host` (only those,
        `only_host`), else the oldest."""
        while self._orphans and not self._valid_active(self._orphans[0]):
            self._orphans.popleft()
        pick = None
        for i, e in enumerate(self._orphans):
            if self._valid_active(e) and not self._readers.get(e):
                if host is None or self._host[e] == host:
                    pick = i
                    break
                if pick is None and not only_host:
                    pick = i
        if pick is None:
            return None
        e = self._orphans[pick]
        del self._orphans[pick]
        return e

    def _take_unalloc(self, host: str | None, only_host: bool = False) -> int | None:
        """A file no slot has touched: `host`'s first (only those, `only_host`), else the biggest
        counted one of any host, then those not counted yet in dataset order."""
        if host is not None and self._unalloc.get(host):
            return self._unalloc[host].popleft()
        if only_host:
            return None
        best, best_key = None, None
        for dq in self._unalloc.values():
            if dq:
                e = dq[0]
                key = (e in self._unsized_first, -self._nfree.get(e, 0), e)
                if best_key is None or key < best_key:
                    best, best_key = dq, key
        return None if best is None else best.popleft()

    def _biggest_active(self, host) -> int | None:
        heap = self._active.get(host)
        while heap:
            neg, e = heap[0]
            if self._nfree.get(e, 0) == -neg and -neg > 0:
                return e
            heapq.heappop(heap)   # stale: carved since, or done
        return None

    def _touch(self, e: int) -> None:
        """Element `e` changed: re-enter it in its host's heap of files with work left."""
        n = self._nfree.get(e, 0)
        if n > 0:
            heapq.heappush(self._active.setdefault(self._host[e], []), (-n, e))

    def _move(self, s: _Slot, e: int, cursor: int) -> None:
        if s.cur != e:
            if s.cur is not None:
                self._readers.get(s.cur, set()).discard(s)
            self._readers.setdefault(e, set()).add(s)
        s.cur, s.cursor = e, cursor

    def _choose_start(self, s: _Slot, e: int, back: int | None = None) -> tuple[list[int], int]:
        ranges = self._free[e]
        if s.cur == e:
            for r in ranges:
                if r[0] == s.cursor:   # continue sequentially: warm cache, no seek
                    return r, r[0]
        r = max(ranges, key=lambda r: (r[1] - r[0], -r[0]))
        others = {o.cursor for o in self._readers.get(e, ()) if o is not s}
        if r[0] in others and r[1] - r[0] >= 2 * self._min_entries:
            # another slot reads this range from its start: take the back half so both
            # keep reading sequentially without colliding (`back`: the last `back` entries, for
            # packets sized for the query, which would otherwise leave a sliver behind)
            return r, r[0] + (r[1] - r[0]) // 2 if back is None else max(r[0], r[1] - back)
        return r, r[0]

    def _carve(self, e: int, rng: list[int], start: int, size: int) -> None:
        ranges = self._free[e]
        i = ranges.index(rng)
        pieces = [p for p in ([rng[0], start], [start + size, rng[1]]) if p[1] > p[0]]
        ranges[i:i + 1] = pieces
        self._nfree[e] -= size
        self._remaining -= size
        self._touch(e)

    def _hand_out(self, s: _Slot, pieces: list, probe: tuple = ()) -> Packet:
        (e, first, num), more = pieces[0], tuple(pieces[1:])
        p = Packet(self._next_id, e, first, num, more, tuple(probe))
        self._next_id += 1
        for pe in probe:
            self._probing[pe] = p.id
        s.inflight[p.id] = _Out(p, [n for _, _, n in p.pieces], self._clock())
        self._inflight += 1
        self._assigned += sum(n for pe, _, n in p.pieces if pe not in probe)
        return p

    # ---- feedback from the executor -----------------------------------------------------
    def _slot(self, slot) -> _Slot:
        s = self._slots.get(slot)
        if s is None:
            raise ValueError(f"unknown (or lost) slot {slot!r}")
        return s

    def packet_done(self, slot, packet: Packet, elapsed: float, processed: int | None = None,
                    counts: dict | None = None) -> None:
        """`slot` finished `packet` in `elapsed` seconds of its own run time; `processed`
        (default: the packet's entries) feeds the rate only; `counts` gives the entries of the
        packet's probe elements the worker reached (element -> entries of its tree, 0 when the
        file could not be read). A probe element it did not reach (the packet ended early)
        waits for another slot. A second completion of the same packet raises ValueError: it
        would double-count."""
        s = self._slot(slot)
        o = s.inflight.get(packet.id)
        if o is None or o.packet != packet:
            raise ValueError(f"packet {packet} is not in flight on slot {slot!r}")
        if elapsed < 0:
            raise ValueError(f"negative elapsed time {elapsed}")
        del s.inflight[packet.id]
        self._inflight -= 1
        if packet.probe:
            o.done_as = self._resolve(s, o, counts or {})
        s.done[packet.id] = o
        s.packets += 1
        s.processed += sum(o.keep) if processed is None else processed
        s.busy += elapsed
        self._done += sum(o.keep)
        old = self._measured.pop(slot, None)
        if old is not None:
            self._rate_sum -= old
        rate = self._rate(s)
        if rate:
            self._measured[slot] = rate
            self._rate_sum += rate

    def _resolve(self, s: _Slot, o: _Out, counts: dict) -> Packet:
        """The probe pieces of a finished packet become counted pieces (or go back to wait)."""
        pieces = []
        for k, (e, first, num) in enumerate(o.packet.pieces):
            if e not in o.packet.probe:
                pieces.append((e, first, num))
                continue
            self._probing.pop(e, None)
            if e not in counts:       # not reached: another slot counts it later
                o.keep[k] = 0
                self._unalloc.setdefault(self._host[e], deque()).appendleft(e)
                self._readers.pop(e, None)
                if s.cur == e:
                    s.cur = s.cursor = None
                continue
            entries = max(0, int(counts[e]) - first)
            del self._unsized_first[e]
            self._counted[0] += entries
            self._counted[1] += 1
            took = min(num, entries)
            o.keep[k] = took
            self._total += entries
            self._assigned += took
            if took:
                pieces.append((e, first, took))
            if entries > took:        # the rest of the file is ordinary work now
                self._free[e] = [[first + took, first + entries]]
                self._nfree[e] = entries - took
                self._remaining += entries - took
                self._touch(e)
                if s.cur == e:
                    s.cursor = first + took   # the slot goes on reading the file it opened
                else:
                    self._readers.get(e, set()).discard(s)
                    self._orphans.append(e)
            else:
                self._free[e], self._nfree[e] = [], 0
                self._readers.pop(e, None)
                if s.cur == e:
                    s.cur = s.cursor = None
        keep = [k for k, (e, _, _) in enumerate(o.packet.pieces) if e not in o.packet.probe or o.keep[k]]
        o.keep = [o.keep[k] for k in keep] or [0]
        if not pieces:
            return Packet(o.packet.id, o.packet.element, o.packet.first, 0)
        (e, first, num), more = pieces[0], tuple(pieces[1:])
        return Packet(o.packet.id, e, first, num, more)

    def drop_rest_of_element(self, slot, packet: Packet, from_entry: int, element: int | None = None) -> int:
        """The selector asked to skip the rest of a file (kAbortFile), or the file became unreadable,
        while in `packet` (`element`: which of its files; default its first). Drops entries
        [from_entry, end of element) that are not yet processed: the tail of the packet's piece,
        the slot's own later in-flight packets' pieces of that element (its worker skips them;
        report them done as usual), and unassigned or requeued ranges. Packets of the element
        held by other slots are left alone. Returns the number of entries dropped.

        >>> pk = AdaptivePacketizer([Element(0, 0, 1000)], first_packet_entries=300)
        >>> p = pk.next_packet("w0")
        >>> pk.drop_rest_of_element("w0", p, from_entry=200)   # 100 of p + 700 unassigned
        800
        >>> pk.next_packet("w0") is None
        True
        """
        s = self._slot(slot)
        o = s.inflight.get(packet.id) or s.done.get(packet.id)
        if o is None or o.packet != packet:
            raise ValueError(f"packet {packet} was not handed to slot {slot!r}")
        e = packet.element if element is None else element
        mine = o.done_as or o.packet
        here = [(k, f, n) for k, (pe, f, n) in enumerate(mine.pieces) if pe == e]
        if not here:
            raise ValueError(f"packet {packet} has no piece of element {e}")
        k0, f0, n0 = here[0]
        if n0 and not f0 <= from_entry <= f0 + n0:
            raise ValueError(f"from_entry {from_entry} is outside packet {packet}")
        out_cut, queue_cut = 0, 0
        targets = [o] + [x for x in s.inflight.values() if x is not o and x.packet.id > packet.id]
        for x in targets:
            px = x.done_as or x.packet
            for k, (pe, f, n) in enumerate(px.pieces):
                if pe != e or pe in px.probe:
                    continue
                if x is not o and f < f0:
                    continue
                keep = min(x.keep[k], max(0, from_entry - f))   # a prefix always survives
                cut, x.keep[k] = x.keep[k] - keep, keep
                out_cut += cut
                if x.packet.id in s.done:   # its completion already counted the whole piece
                    self._done -= cut
        kept = []
        for a, b in self._free.get(e, []):
            queue_cut += max(0, b - max(a, from_entry))
            if a < from_entry:
                kept.append([a, min(b, from_entry)])
        self._free[e] = kept
        self._nfree[e] = sum(b - a for a, b in kept)
        self._touch(e)
        requeue = deque()
        for p in self._requeue:
            pieces = []
            for pe, f, n in p.pieces:
                keep = n if pe != e or pe in p.probe else max(0, min(n, from_entry - f))
                queue_cut += n - keep if pe not in p.probe else 0
                if keep:
                    pieces.append((pe, f, keep))
            if pieces:
                (pe, f, n), more = pieces[0], tuple(pieces[1:])
                requeue.append(p if list(p.pieces) == pieces else
                               Packet(p.id, pe, f, n, more, tuple(x for x in p.probe if any(
                                   y[0] == x for y in pieces))))
        self._requeue = requeue
        self._assigned -= out_cut
        self._remaining -= queue_cut
        self._dropped += out_cut + queue_cut
        if s.cur == e:
            self._readers.get(e, set()).discard(s)
            s.cur = s.cursor = None
        return out_cut + queue_cut

    def slot_committed(self, slot) -> None:
        """The slot's outputs reached the client: the packets it has finished are final and
        will not be requeued if it dies later."""
        s = self._slot(slot)
        self._committed += sum(sum(o.keep) for o in s.done.values())
        s.done.clear()

    def slot_lost(self, slot) -> list[Packet]:
        """Slot died: every packet it finished but did not commit, and every packet it holds
        in flight, goes back into the queue (served before fresh work, unsplit). Returns those
        packets in id order (trimmed if part was dropped). The slot is forgotten; a new slot
        under the same name starts afresh.

        >>> pk = AdaptivePacketizer([Element(0, 0, 1000)], first_packet_entries=300)
        >>> p = pk.next_packet("w0")
        >>> pk.slot_lost("w0") == [p], pk.next_packet("w1").first
        (True, 0)
        """
        s = self._slot(slot)
        outs = sorted((*s.done.values(), *s.inflight.values()), key=lambda o: o.packet.id)
        back = []
        for o in outs:
            p = o.done_as or o.packet
            pieces = [(e, f, k if e not in p.probe else n)
                      for (e, f, n), k in zip(p.pieces, o.keep) if k > 0 or e in p.probe]
            if not pieces:
                continue
            if pieces == list(p.pieces):
                back.append(p)
            else:
                (e, f, n), more = pieces[0], tuple(pieces[1:])
                back.append(Packet(p.id, e, f, n, more, p.probe))
        self._done -= sum(sum(o.keep) for o in s.done.values())
        n = sum(num for p in back for e, _, num in p.pieces if e not in p.probe)
        self._assigned -= n
        self._remaining += n
        self._inflight -= len(s.inflight)
        self._requeue.extend(back)
        if s.cur is not None:
            self._readers.get(s.cur, set()).discard(s)
            if self._valid_active(s.cur) and not self._readers.get(s.cur):
                self._orphans.append(s.cur)
        old = self._measured.pop(slot, None)
        if old is not None:
            self._rate_sum -= old
        del self._slots[slot]
        return back

    def stop(self) -> None:
        """No new packets from now on; in-flight packets may still be reported done."""
        self._stopped = True


class FilePacketizer(AdaptivePacketizer):
    """PROOF's TPacketizerFile: one packet per file for a cycle-driven selector (PROOF_FilesToProcess).

    Each element is one file (num=1). A file listed for a host goes only to a worker slot on that
    host, in the order of the host's list; files of hosts without workers (host None) go to any slot
    once its own host's files are handed out. When every slot of a host has been lost, the files left
    for that host go to any slot rather than waiting for a worker that may not come back.

    >>> pk = FilePacketizer([Element(0, 0, 1, "hostA"), Element(1, 0, 1, "hostB"), Element(2, 0, 1, None)])
    >>> [pk.next_packet("a1", "hostA").element, pk.next_packet("a1", "hostA").element]
    [0, 2]
    >>> pk.next_packet("a1", "hostA") is None, pk.next_packet("b1", "hostB").element
    (True, 1)
    """

    def __init__(self, elements: Sequence[Element], *, host_key: Callable[[str], str] = lambda h: h,
                 **kwargs):
        for e in elements:
            if e.num != 1:
                raise ValueError(f"element {e.index}: a file is one packet (num=1), got {e}")
        super().__init__(elements, **kwargs)
        self._host_key = host_key      # a slot's host as the elements name hosts
        self._hosts_seen: set[str] = set()

    def _eligible(self, element: int, host: str | None) -> bool:
        want = self._host[element]
        if want is None or want == host:
            return True
        # A host whose every slot was lost: its files are anybody's now.
        return want in self._hosts_seen and not any(s.host == want for s in self._slots.values())

    def next_packet(self, slot: Hashable, host: str | None = None) -> Packet | None:
        if self._stopped:
            return None
        s = self._slots.setdefault(slot, _Slot())
        if host is not None:
            s.host = self._host_key(host)
            self._hosts_seen.add(s.host)
        for i, p in enumerate(self._requeue):
            if self._eligible(p.element, s.host):
                del self._requeue[i]
                self._remaining -= p.num
                return self._hand_out(s, [(p.element, p.first, p.num)])
        free = [e for e, n in self._nfree.items() if n > 0 and self._eligible(e, s.host)]
        if not free:
            return None
        # The host's own files first, in their order, then those no host holds.
        e = min(free, key=lambda e: (self._host[e] is None or self._host[e] != s.host, e))
        rng = self._free[e][0]
        self._carve(e, rng, rng[0], 1)
        return self._hand_out(s, [(e, rng[0], 1)])
