"""Messages in ROOT's style ("Error in <TProof::Process>: ..."), through `logging`."""
from __future__ import annotations

import logging
import sys

_LEVELS = {logging.DEBUG: "Debug", logging.INFO: "Info", logging.WARNING: "Warning",
           logging.ERROR: "Error", logging.CRITICAL: "Fatal"}


class RootStyleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = getattr(record, "where", None) or "TProof"
        return f"{_LEVELS.get(record.levelno, record.levelname)} in <{where}>: {record.getMessage()}"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the message (it may be replaced later)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def setup() -> None:
    """Give the proofshim logger a stderr handler unless the application configured one."""
    log = logging.getLogger("proofshim")
    if not log.handlers:
        handler = _StderrHandler(sys.stderr)
        handler.setFormatter(RootStyleFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
