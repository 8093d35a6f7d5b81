"""Feedback objects while a query runs (TProof::AddFeedback, the `fb=` option): workers send
copies of the named output objects with their packet results at most every PROOF_FeedbackPeriod;
the client keeps each slot's newest copies, merges them across slots and delivers the merged list
through the TProof's Feedback(TList*) signal and Python callbacks."""
from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable

log = logging.getLogger("proofshim")

DEFAULT_PERIOD_MS = 2000


class FeedbackCollector:
    """The newest feedback of every slot of one query, merged and delivered every `period` s."""

    def __init__(self, ROOT, names: tuple[str, ...], period: float, *, merge: Callable,
                 signal: Callable | None = None, callbacks: list[Callable] | None = None,
                 local: Callable[[], list] | None = None):
        self.ROOT = ROOT
        self.names = names
        self.period = period
        self.merge = merge                  # list of serialised TLists -> merged TList
        self.local = local                  # -> fresh objects made here (PROOF's performance histograms)
        self.signal = signal
        self.callbacks = list(callbacks or [])
        self.latest: dict[str, bytes] = {}  # slot -> its newest serialised feedback list
        self._fresh = False
        self._last = time.monotonic()
        self.delivered: list = []           # every merged list delivered, kept alive for the
                                            # callbacks' references until the session's next query

    def add(self, slot: str, blob: bytes) -> None:
        """A slot's newest copies of the feedback objects."""
        if blob:
            self.latest[slot] = blob
            self._fresh = True

    def drop(self, slot: str) -> None:
        """The slot was lost: its work is redone elsewhere, so its objects no longer count."""
        if self.latest.pop(slot, None) is not None:
            self._fresh = True

    def deliver(self, force: bool = False) -> None:
        """Merge and deliver, if the period has passed (or `force`) and something new arrived."""
        now = time.monotonic()
        # Objects made here change with every packet: they are delivered every period.
        if not (self._fresh or self.local) or (not force and now - self._last < self.period):
            return
        self._last = now
        self._fresh = False
        merged = self.merge(list(self.latest.values()))
        merged.SetName("FeedbackList")
        merged.SetOwner(True)
        for obj in self.local() if self.local else ():
            merged.Add(obj)
        if merged.GetSize() == 0:
            return
        self.delivered.append(merged)
        if self.signal is not None:
            self.signal(merged)
        for fn in self.callbacks:
            fn(merged)


def worker_snapshot(ROOT, output_list, names: tuple[str, ...]) -> bytes:
    """Serialised copies of the named objects of a worker's output list ('' when none exist yet)."""
    lst = ROOT.TList()      # borrows the objects only to serialise them
    try:
        for name in names:
            obj = output_list.FindObject(name)
            if obj:
                lst.Add(obj)
        return pickle.dumps(lst, protocol=pickle.HIGHEST_PROTOCOL) if lst.GetSize() else b""
    finally:
        lst.Clear("nodelete")
