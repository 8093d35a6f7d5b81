"""The one progress facility of a query: the live display on stderr (tqdm; on when stderr is a
terminal, or with PROOFSHIM_PROGRESS=1), PROOF's Progress signals and Python progress callbacks
about every half second, feedback objects every PROOF_FeedbackPeriod, and PROOF's closing lines."""
from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

log = logging.getLogger("proofshim")

# PROOF's three Progress signals take the first 2, 7 or all 10 of these values.
PROGRESS_FIELDS = ("total", "processed", "bytesread", "initTime", "procTime", "evtrti", "mbrti",
                   "actw", "tses", "eses")
PROGRESS_ARITIES = (2, 7, 10)


def progress_arity(signal: str) -> int:
    """How many values a Progress signal spelled `signal` carries ("Progress(Long64_t,Long64_t)": 2)."""
    inside = signal.partition("(")[2].rpartition(")")[0]
    n = len([a for a in inside.split(",") if a.strip()])
    if n not in PROGRESS_ARITIES:
        raise ValueError(f"{signal!r} is not one of PROOF's Progress signals (2, 7 or 10 arguments)")
    return n


def display_enabled(stream) -> bool:
    """The live display: PROOFSHIM_PROGRESS=1 forces it on, =0 off; otherwise on for a terminal."""
    env = os.environ.get("PROOFSHIM_PROGRESS")
    if env in ("0", "1"):
        return env == "1"
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Progress of one query: `update` as packets finish, `close` at the end.

    `signal(values)` receives PROOF's ten progress values (the TProof's Progress signals);
    `callbacks` are (callable, arity) pairs called with the first `arity` values."""

    def __init__(self, total: int, *, stream=None, enabled: bool | None = None,
                 min_interval: float = 0.5, callbacks: list[tuple[Callable, int]] | None = None,
                 signal: Callable | None = None, init_time: float = 0.0, feedback=None):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = display_enabled(self.stream) if enabled is None else enabled
        self.min_interval = min_interval
        self.callbacks = list(callbacks or [])
        self.signal = signal
        self.init_time = init_time
        self.feedback = feedback
        self.start = time.monotonic()
        self._last = 0.0
        self.processed = 0
        self.bytes_read = 0
        self.workers = 0
        self._bar = None
        if self.enabled:
            from tqdm import tqdm  # noqa: PLC0415

            self._bar = tqdm(total=max(total, 0), file=self.stream, unit=" evts",
                             mininterval=min_interval, dynamic_ncols=True, leave=False,
                             bar_format="[TProof::Progress] {n_fmt}/{total_fmt} events |{bar:20}| "
                                        "{percentage:6.2f} % [{rate_fmt}{postfix}, elapsed {elapsed}, "
                                        "time left {remaining}]")

    def set_total(self, total: int) -> None:
        """A better estimate of the query's entries (files counted as they are processed)."""
        if total == self.total:
            return
        self.total = total
        if self._bar is not None:
            self._bar.total = max(total, 0)

    def values(self) -> tuple:
        """PROOF's ten progress values now."""
        elapsed = max(time.monotonic() - self.start, 1e-9)
        return (self.total, self.processed, self.bytes_read, self.init_time, elapsed,
                self.processed / elapsed, self.bytes_read / elapsed / 1e6, self.workers, 1, 1.0)

    def update(self, processed: int, bytes_read: int, workers: int, *, force: bool = False) -> None:
        """New totals (entries processed and bytes read by the work kept so far, active workers)."""
        self.processed, self.bytes_read, self.workers = processed, bytes_read, workers
        if self.feedback is not None:
            self.feedback.deliver()
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        values = self.values()
        if self.signal is not None:
            self.signal(values)
        for fn, arity in self.callbacks:
            fn(*values[:arity])
        if self._bar is not None:
            self._bar.n = min(processed, self._bar.total) if self._bar.total else processed
            self._bar.set_postfix_str(f"{values[6]:.1f} MB/s, {workers} workers", refresh=False)
            self._bar.refresh()

    def discard(self) -> None:
        """The query failed: take the live display down, print no summary."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def close(self, processed: int, *, status: str = "done") -> float:
        """Finish the display and print PROOF's closing lines. Returns the processing time."""
        elapsed = time.monotonic() - self.start
        self.update(processed, self.bytes_read, 0, force=True)
        if self.feedback is not None:
            self.feedback.deliver(force=True)
        if self._bar is not None:
            self._bar.close()
        frac = processed / self.total if self.total > 0 else 1.0
        rate = processed / elapsed if elapsed > 0 else 0.0
        mbs = self.bytes_read / elapsed / 1e6 if elapsed > 0 else 0.0
        bar = "=" * int(round(20 * min(frac, 1.0)))
        note = "" if status == "done" else f", {status}"
        self.stream.write(f"[TProof::Progress] Total {self.total} events |{bar:<20}| {100 * frac:.2f} % "
                          f"[{rate:.1f} evts/s, {mbs:.1f} MB/s, time left: 0.0 s{note}]\n"
                          f"Query processing time: {elapsed:.1f} s\n")
        self.stream.flush()
        return elapsed
