"""Packetizer: split a dataset into packets (entry ranges within one file) for workers.

Mirrors ROOT PROOF's TPacketizerAdaptive, tuned for short packets: packet sizes follow the
measured rate of each worker slot so that all slots finish at about the same time.
Pure standard library, not thread-safe: one executor thread drives it through next_packet /
packet_done / slot_committed / slot_lost.

Accounting invariant (always true):
    total_entries == remaining_entries + assigned_entries + dropped_entries
"""
from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

__all__ = ["Element", "Packet", "select_range", "AdaptivePacketizer", "FilePacketizer"]


@dataclass(frozen=True)
class Element:
    """One file/tree of the dataset after range selection.

    >>> Element(index=1, first=100, num=50, host="node3")   # entries 100..149 of file 1
    Element(index=1, first=100, num=50, host='node3')
    """
    index: int        # position in the dataset (stable id)
    first: int        # first tree-local entry to process
    num: int          # number of entries to process (>0)
    host: str | None = None   # host holding the file, if known (locality hint)


@dataclass(frozen=True)
class Packet:
    """Entries [first, first+num) of element `element`; never spans two elements."""
    id: int           # unique within the packetizer, increasing
    element: int      # Element.index
    first: int        # tree-local first entry
    num: int


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
    """A packet handed out; `keep` is the prefix of it not dropped by drop_rest_of_element."""
    packet: Packet
    keep: int
    started: float


@dataclass
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
    """

    def __init__(self, elements: Sequence[Element], *, n_workers_hint: int = 2,
                 packet_fraction: float = 4.0, min_packet_time: float = 0.2,
                 max_packet_time: float = 20.0, first_packet_entries: int | None = None,
                 min_packet_entries: int = 100, clock: Callable[[], float] = time.monotonic):
        if n_workers_hint < 1 or packet_fraction <= 0 or min_packet_entries < 1:
            raise ValueError("n_workers_hint and min_packet_entries must be >= 1, "
                             "packet_fraction > 0")
        if not 0 <= min_packet_time <= max_packet_time:
            raise ValueError("need 0 <= min_packet_time <= max_packet_time")
        if first_packet_entries is not None and first_packet_entries < 1:
            raise ValueError("first_packet_entries must be >= 1")
        self._free: dict[int, list[list[int]]] = {}   # element -> unassigned [start, end) ranges
        self._host: dict[int, str | None] = {}
        for e in elements:
            if e.num <= 0 or e.first < 0:
                raise ValueError(f"element {e.index}: need first >= 0 and num > 0, got {e}")
            if e.index in self._free:
                raise ValueError(f"duplicate element index {e.index}")
            self._free[e.index] = [[e.first, e.first + e.num]]
            self._host[e.index] = e.host
        self._nfree = {i: r[0][1] - r[0][0] for i, r in self._free.items()}
        self._requeue: deque[Packet] = deque()
        self._slots: dict[Hashable, _Slot] = {}
        self._hint, self._fraction = n_workers_hint, packet_fraction
        self._tmin, self._tmax = min_packet_time, max_packet_time
        self._first_entries, self._min_entries = first_packet_entries, min_packet_entries
        self._clock = clock
        self._next_id = 0
        self._stopped = False
        self._total = self._remaining = sum(self._nfree.values())
        self._assigned = self._done = self._committed = self._dropped = 0

    # ---- read-only state -------------------------------------------------------------
    total_entries = property(lambda self: self._total)
    assigned_entries = property(lambda self: self._assigned, doc="handed out, net of requeues/drops")
    done_entries = property(lambda self: self._done, doc="in packets done by slots not lost")
    committed_entries = property(lambda self: self._committed)
    dropped_entries = property(lambda self: self._dropped)
    remaining_entries = property(lambda self: self._remaining, doc="not handed out, incl. requeued")

    @property
    def in_flight(self) -> int:
        return sum(len(s.inflight) for s in self._slots.values())

    @property
    def finished(self) -> bool:
        return (self._stopped or self._remaining == 0) and self.in_flight == 0

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
        s = self._slots.setdefault(slot, _Slot())
        if host is not None:
            s.host = host
        if self._requeue:   # work lost with a dead slot comes first, as it was
            p = self._take_requeued(s.host)
            self._remaining -= p.num
            return self._hand_out(s, p.element, p.first, p.num)
        if self._remaining == 0:
            return None
        e = self._choose_element(s)
        rng, start = self._choose_start(s, e)
        avail = rng[1] - start
        cap = -(-self._remaining // len(self._slots))   # keep the tail balanced across slots
        size = min(self._target_size(s), cap, avail)
        rest = avail - size
        if 0 < 2 * rest < size and avail <= cap:
            size = avail   # a sliver left behind would cost a whole extra packet round trip
        self._carve(e, rng, start, size)
        s.cur, s.cursor = e, start + size
        return self._hand_out(s, e, start, size)

    def _take_requeued(self, host: str | None) -> Packet:
        """The oldest requeued packet of a file on `host`, else the oldest one."""
        if host is not None:
            for i, p in enumerate(self._requeue):
                if self._host[p.element] == host:
                    del self._requeue[i]
                    return p
        return self._requeue.popleft()

    def _target_size(self, s: _Slot) -> int:
        rate = self._rate(s)
        if not rate:   # not measured yet, or nothing processed (e.g. its file vanished): as a new slot
            if self._first_entries is not None:
                return self._first_entries
            return max(self._min_entries, self._total // (self._hint * 40))
        known = [r for r in map(self._rate, self._slots.values()) if r]
        # Slots not measured yet are assumed as fast as the average measured one: otherwise the
        # first slot to report would see the whole remainder as its own and take a huge packet.
        total_rate = sum(known) / len(known) * max(len(self._slots), self._hint, len(known))
        t = (self._remaining / total_rate) / self._fraction
        t = min(max(t, self._tmin), self._tmax)
        return max(self._min_entries, int(rate * t))

    def _choose_element(self, s: _Slot) -> int:
        if s.cur is not None and self._nfree.get(s.cur, 0) > 0:
            return s.cur
        cands = [e for e, n in self._nfree.items() if n > 0]
        local = [e for e in cands if s.host is not None and self._host[e] == s.host]
        pool = local or cands
        taken = {o.cur for o in self._slots.values() if o is not s}
        free = [e for e in pool if e not in taken]
        # most unassigned first; lowest index on ties so runs are reproducible
        return max(free or pool, key=lambda e: (self._nfree[e], -e))

    def _choose_start(self, s: _Slot, e: int) -> tuple[list[int], int]:
        ranges = self._free[e]
        if s.cur == e:
            for r in ranges:
                if r[0] == s.cursor:   # continue sequentially: warm cache, no seek
                    return r, r[0]
        r = max(ranges, key=lambda r: (r[1] - r[0], -r[0]))
        others = {o.cursor for o in self._slots.values() if o is not s and o.cur == e}
        if r[0] in others and r[1] - r[0] >= 2 * self._min_entries:
            # another slot reads this range from its start: take the back half so both
            # keep reading sequentially without colliding
            return r, r[0] + (r[1] - r[0]) // 2
        return r, r[0]

    def _carve(self, e: int, rng: list[int], start: int, size: int) -> None:
        ranges = self._free[e]
        i = ranges.index(rng)
        pieces = [p for p in ([rng[0], start], [start + size, rng[1]]) if p[1] > p[0]]
        ranges[i:i + 1] = pieces
        self._nfree[e] -= size
        self._remaining -= size

    def _hand_out(self, s: _Slot, e: int, first: int, num: int) -> Packet:
        p = Packet(self._next_id, e, first, num)
        self._next_id += 1
        s.inflight[p.id] = _Out(p, num, self._clock())
        self._assigned += num
        return p

    # ---- feedback from the executor -----------------------------------------------------
    def _slot(self, slot) -> _Slot:
        s = self._slots.get(slot)
        if s is None:
            raise ValueError(f"unknown (or lost) slot {slot!r}")
        return s

    def packet_done(self, slot, packet: Packet, elapsed: float, processed: int | None = None) -> None:
        """`slot` finished `packet` in `elapsed` seconds of its own run time; `processed`
        (default: the packet's entries) feeds the rate only. A second completion of the same
        packet raises ValueError: it would double-count."""
        s = self._slot(slot)
        o = s.inflight.get(packet.id)
        if o is None or o.packet != packet:
            raise ValueError(f"packet {packet} is not in flight on slot {slot!r}")
        if elapsed < 0:
            raise ValueError(f"negative elapsed time {elapsed}")
        del s.inflight[packet.id]
        s.done[packet.id] = o
        s.packets += 1
        s.processed += o.keep if processed is None else processed
        s.busy += elapsed
        self._done += o.keep

    def drop_rest_of_element(self, slot, packet: Packet, from_entry: int) -> int:
        """The selector asked to skip the rest of this file (kAbortFile) while in `packet`.
        Drops entries [from_entry, end of element) that are not yet processed: the tail of
        `packet`, the slot's own later in-flight packets of that element (its worker skips
        them; report them done as usual), and unassigned or requeued ranges. Packets of the
        element held by other slots are left alone. Returns the number of entries dropped.

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
        if not packet.first <= from_entry <= packet.first + packet.num:
            raise ValueError(f"from_entry {from_entry} is outside packet {packet}")
        e, out_cut, queue_cut = packet.element, 0, 0
        mine = [o] + [x for x in s.inflight.values()
                      if x.packet.element == e and x.packet.first > packet.first]
        for x in mine:
            keep = min(x.keep, max(0, from_entry - x.packet.first))  # a prefix always survives
            cut, x.keep = x.keep - keep, keep
            out_cut += cut
            if x.packet.id in s.done:   # its completion already counted the whole packet
                self._done -= cut
        kept = []
        for a, b in self._free[e]:
            queue_cut += max(0, b - max(a, from_entry))
            if a < from_entry:
                kept.append([a, min(b, from_entry)])
        self._free[e] = kept
        self._nfree[e] = sum(b - a for a, b in kept)
        requeue = deque()
        for p in self._requeue:
            keep = p.num if p.element != e else max(0, min(p.num, from_entry - p.first))
            queue_cut += p.num - keep
            if keep:
                requeue.append(p if keep == p.num else Packet(p.id, e, p.first, keep))
        self._requeue = requeue
        self._assigned -= out_cut
        self._remaining -= queue_cut
        self._dropped += out_cut + queue_cut
        if s.cur == e:
            s.cur = s.cursor = None
        return out_cut + queue_cut

    def slot_committed(self, slot) -> None:
        """The slot's outputs reached the client: the packets it has finished are final and
        will not be requeued if it dies later."""
        s = self._slot(slot)
        self._committed += sum(o.keep for o in s.done.values())
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
        back = [o.packet if o.keep == o.packet.num else
                Packet(o.packet.id, o.packet.element, o.packet.first, o.keep)
                for o in outs if o.keep > 0]
        self._done -= sum(o.keep for o in s.done.values())
        n = sum(p.num for p in back)
        self._assigned -= n
        self._remaining += n
        self._requeue.extend(back)
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
                return self._hand_out(s, p.element, p.first, p.num)
        free = [e for e, n in self._nfree.items() if n > 0 and self._eligible(e, s.host)]
        if not free:
            return None
        # The host's own files first, in their order, then those no host holds.
        e = min(free, key=lambda e: (self._host[e] is None or self._host[e] != s.host, e))
        rng = self._free[e][0]
        self._carve(e, rng, rng[0], 1)
        return self._hand_out(s, e, rng[0], 1)
