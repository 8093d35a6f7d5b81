"""The one progress facility: a rate-limited line on stderr while a query runs (when stderr is a
terminal, or PROOFSHIM_PROGRESS=1), callbacks for scripts, and PROOF's closing summary line."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    """Progress of one query: `update` as packets finish, `close` at the end."""

    def __init__(self, total: int, *, stream=None, enabled: bool | None = None,
                 min_interval: float = 0.5, callbacks: list[Callable] | None = None):
        self.total = total
        self.stream = stream or sys.stderr
        if enabled is None:
            env = os.environ.get("PROOFSHIM_PROGRESS")
            enabled = env == "1" if env in ("0", "1") else self.stream.isatty()
        self.enabled = enabled
        self.min_interval = min_interval
        self.callbacks = list(callbacks or [])
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False
        self.processed = 0
        self.bytes_read = 0

    def update(self, processed: int, bytes_read: int, workers: int, *, force: bool = False) -> None:
        self.processed, self.bytes_read = processed, bytes_read
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        elapsed = now - self.start
        for cb in self.callbacks:
            cb(self.total, processed, bytes_read, elapsed)
        if not self.enabled:
            return
        frac = processed / self.total if self.total > 0 else 1.0
        rate = processed / elapsed if elapsed > 0 else 0.0
        mbs = bytes_read / elapsed / 1e6 if elapsed > 0 else 0.0
        left = (self.total - processed) / rate if rate > 0 else 0.0
        bar = "=" * int(20 * frac)
        self.stream.write(f"\r[proofshim] |{bar:<20}| {100 * frac:6.2f} % {processed}/{self.total} "
                          f"[{rate:,.0f} evt/s, {mbs:.1f} MB/s, {workers} workers, "
                          f"elapsed {_fmt_time(elapsed)}, left {_fmt_time(left)}]")
        self.stream.flush()
        self._drawn = True

    def close(self, processed: int, *, status: str = "done") -> float:
        """Finish the display; print PROOF's summary line. Returns the elapsed time."""
        elapsed = time.monotonic() - self.start
        self.update(processed, self.bytes_read, 0, force=True)
        if self._drawn:
            self.stream.write("\n")
        if self.enabled or status != "done":
            self.stream.write(f"Query {status}: {processed} events processed in {elapsed:.2f} s\n")
            self.stream.flush()
        return elapsed
