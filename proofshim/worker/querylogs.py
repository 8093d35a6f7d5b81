"""The workers' logs of a session, kept on the client: pure Python, no ROOT, no dask.

Every query leaves one `LogEntry` with one `WorkerLog` per worker that took part (what the worker
process wrote to its stdout and stderr while it ran the query's tasks, the selector's printf
included); `TProof::Exec` leaves one with each worker's output. `SessionLog` keeps them in order
and knows which were shown already, which is what PROOF's `ShowLog`/`GetLastLog` work from:

>>> s = SessionLog()
>>> s.start_query()
>>> s.add(LogEntry("query", 1, "tag:q1", "selector Sel.C+",
...                [WorkerLog("0.1", "tcp://h:2", "/s/worker-0.1/query-1.log", "b\\n"),
...                 WorkerLog("0.0", "tcp://h:1", "/s/worker-0.0/query-1.log", "a\\n")]))
>>> print("\\n".join(s.render(s.unread())))
+++ query 1 (tag:q1) selector Sel.C+: logs of 2 workers +++
--- worker 0.0 (tcp://h:1) /s/worker-0.0/query-1.log ---
a
--- worker 0.1 (tcp://h:2) /s/worker-0.1/query-1.log ---
b
>>> s.mark_read(); s.unread()
[]
"""
from __future__ import annotations

import dataclasses
import re

TAIL_LINES = 20


@dataclasses.dataclass(frozen=True)
class WorkerLog:
    """One worker's part of a log entry; `text` is None when the log could not be read (`note` says why)."""

    ordinal: str
    where: str          # the worker's dask address
    path: str           # its log file, on the worker's host
    text: str | None
    note: str = ""

    def header(self) -> str:
        """PROOF-style header line naming the worker."""
        where = f" ({self.where})" if self.where else ""
        path = f" {self.path}" if self.path else ""
        return f"--- worker {self.ordinal}{where}{path} ---"

    def lines(self) -> list[str]:
        """The log's lines (without a header); a note when it is unavailable."""
        if self.text is None:
            return [f"(log unavailable: {self.note or 'unknown reason'})"]
        return split_lines(self.text)


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """The logs of one query (`kind` "query", `seq` its number) or of one Exec (`kind` "exec")."""

    kind: str
    seq: int
    ref: str            # the query's reference "<session tag>:q<seq>", or the Exec'd line
    title: str          # e.g. "selector Sel.C+"
    workers: list[WorkerLog]

    def header(self) -> str:
        if self.kind == "exec":
            return f"+++ Exec({self.ref!r}) +++"
        n = len(self.workers)
        return f"+++ query {self.seq} ({self.ref}) {self.title}: logs of {n} worker{'s' if n != 1 else ''} +++"

    def lines(self) -> list[str]:
        """The entry as text lines: its header, then each worker's header and lines, by ordinal."""
        out = [self.header()]
        for w in sorted(self.workers, key=lambda w: ordinal_key(w.ordinal)):
            out.append(w.header())
            out.extend(w.lines())
        return out


def ordinal_key(ordinal: str) -> tuple:
    """Sort key of PROOF ordinals: "0.2" before "0.10".

    >>> sorted(["0.10", "0.2", "0.1"], key=ordinal_key)
    ['0.1', '0.2', '0.10']
    """
    return tuple(int(p) if p.isdigit() else p for p in ordinal.split("."))


def split_lines(text: str) -> list[str]:
    """Lines of a log; a final newline adds no empty line, carriage-return progress lines keep
    their last state.

    >>> split_lines("a\\nb\\n")
    ['a', 'b']
    >>> split_lines("10%\\r20%\\rdone\\nx")
    ['done', 'x']
    """
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [ln.rsplit("\r", 1)[-1] if "\r" in ln.rstrip("\r") else ln.rstrip("\r") for ln in lines]


def tail(text: str | None, n: int = TAIL_LINES) -> list[str]:
    """The last `n` lines of a log.

    >>> tail("1\\n2\\n3\\n", 2)
    ['2', '3']
    """
    return split_lines(text or "")[-n:] if n > 0 else []


def failure_note(logs: list[WorkerLog], n: int = TAIL_LINES) -> str:
    """Text to append to a query's error message: the last `n` lines of each failing worker's log.

    >>> print(failure_note([WorkerLog("0.1", "tcp://h:2", "/l", "x\\nboom\\n")]))
    Last lines of the log of worker 0.1 (tcp://h:2), /l:
      | x
      | boom
    >>> print(failure_note([WorkerLog("0.1", "tcp://h:2", "/l", None, "its host is gone")]))
    The log of worker 0.1 (tcp://h:2) is unavailable: its host is gone
    >>> print(failure_note([WorkerLog("0.2", "", "/l", "x\\n")]))    # no address known: no "()"
    Last lines of the log of worker 0.2, /l:
      | x
    """
    parts = []
    for w in logs:
        who = f"worker {w.ordinal}" + (f" ({w.where})" if w.where else "")
        if w.text is None:
            parts.append(f"The log of {who} is unavailable: {w.note}")
            continue
        lines = tail(w.text, n)
        if not lines:
            parts.append(f"The log of {who}, {w.path}, is empty")
            continue
        parts.append(f"Last lines of the log of {who}, {w.path}:")
        parts.extend(f"  | {ln}" for ln in lines)
    return "\n".join(parts)


class SessionLog:
    """The log entries of a session, in order, and which were shown already (ShowLog/GetLastLog).

    >>> s = SessionLog()
    >>> s.start_query(); s.add(LogEntry("query", 1, "t:q1", "", []))
    >>> s.add(LogEntry("exec", 0, "x", "", []), read=True)    # printed at once: already shown
    >>> [e.seq for e in s.unread()]
    [1]
    """

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self._read: list[bool] = []   # per entry: shown already (ShowLog(-1)) or not
        self._fetched = 0             # lines of the whole log handed out by GetLog(-1)

    def start_query(self) -> None:
        """A query starts: what came before counts as read, so that afterwards the unread part
        (GetLastLog, ShowLog()) is this query's log."""
        self.mark_read()

    def add(self, entry: LogEntry, read: bool = False) -> None:
        """Keep an entry; `read` marks it as already shown (Exec printed its output at once)."""
        self.entries.append(entry)
        self._read.append(read)

    def unread(self) -> list[LogEntry]:
        return [e for e, r in zip(self.entries, self._read) if not r]

    def mark_read(self) -> None:
        self._read = [True] * len(self.entries)

    def query(self, seq: int) -> LogEntry | None:
        """The log of query number `seq`; -2 (or any negative) the last query's."""
        queries = [e for e in self.entries if e.kind == "query"]
        if seq < 0:
            return queries[-1] if queries else None
        return next((e for e in queries if e.seq == seq), None)

    def query_by_ref(self, ref: str) -> LogEntry | None:
        """The query of a reference as PROOF wrote them: "q3", "3", "<tag>:q3" or "<tag>:3"."""
        m = re.search(r"(?:^|:)q?(\d+)$", ref.strip())
        if not m:
            return None
        entry = self.query(int(m[1]))
        if entry is not None and ":" in ref and not entry.ref.startswith(ref.rsplit(":", 1)[0] + ":"):
            return None
        return entry

    @staticmethod
    def render(entries: list[LogEntry]) -> list[str]:
        return [ln for e in entries for ln in e.lines()]

    def all_lines(self) -> list[str]:
        return self.render(self.entries)

    def fetch(self, start: int = -1, end: int = -1) -> list[str]:
        """TProof::GetLog: lines [start, end] of the whole log (end -1: to the last line);
        start -1: the lines no earlier fetch(-1) returned.

        >>> s = SessionLog()
        >>> s.add(LogEntry("exec", 0, "gSystem->Exit(0)", "", [WorkerLog("0.0", "", "", "x\\n")]))
        >>> s.fetch()
        ["+++ Exec('gSystem->Exit(0)') +++", '--- worker 0.0 ---', 'x']
        >>> s.fetch(), s.fetch(1, 1)
        ([], ['--- worker 0.0 ---'])
        """
        lines = self.all_lines()
        if start < 0:
            out = lines[self._fetched:]
            self._fetched = len(lines)
            return out
        stop = len(lines) if end < 0 else end + 1
        return lines[start:stop]
