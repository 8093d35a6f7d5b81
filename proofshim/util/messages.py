"""Messages in ROOT's style ("Error in <TProof::Process>: ..."), through `logging`."""
from __future__ import annotations

import logging
import sys

VERBOSE = 15   # between INFO and DEBUG: per-query statistics (TProof::SetLogLevel(1))
logging.addLevelName(VERBOSE, "VERBOSE")

_LEVELS = {logging.DEBUG: "Debug", VERBOSE: "Info", logging.INFO: "Info", logging.WARNING: "Warning",
           logging.ERROR: "Error", logging.CRITICAL: "Fatal"}


class RootStyleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = getattr(record, "where", None) or "TProof"
        text = f"{_LEVELS.get(record.levelno, record.levelname)} in <{where}>: {record.getMessage()}"
        if record.exc_info:   # an unexpected failure: the traceback is what a bug report needs
            text += "\n" + self.formatException(record.exc_info)
        return text


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


def level_for(proof_level: int) -> int:
    """The `logging` level of TProof::SetLogLevel(proof_level): 0 (PROOF's default) INFO,
    1 adds each query's statistics, 2 and above every packet (DEBUG)."""
    if proof_level <= 0:
        return logging.INFO
    return VERBOSE if proof_level == 1 else logging.DEBUG


def set_proof_level(proof_level: int) -> None:
    """Apply TProof::SetLogLevel (or Open's loglevel) to proofshim's logger in this process."""
    logging.getLogger("proofshim").setLevel(level_for(proof_level))
