"""`proofshim run`'s supervisor: the macros run in a child process whose exit is bounded.

Whatever a macro leaves for process exit (a global destructor that corrupts the heap, a thread
that never ends), `proofshim run` must return, with a status that says what happened. The
process forks before the macros run (it is single-threaded then, with ROOT and the shim already
loaded, so the child starts at once). The child runs the macros, closes its sessions and writes
`status S` on a pipe before it starts to exit; the C++ exit guard (ProofShim::ExitGuard) writes
`exiting` when exit begins, also when a macro calls gSystem->Exit() itself. From then on the
parent waits at most `proofshim.exit-timeout` seconds (30) for the child to be gone. Statuses:

- the child exits: its exit status (the last macro's value, as `root -b -q` gives it);
- the child dies of a signal (a crash, while exiting or before): 128 + the signal number, as a
  shell reports it, with a line saying whether the macros had returned;
- the child is still there after the bound: it is killed; if a thread of it was inside a crash
  signal's handler (a crash that hung), 128 + that signal, else the macros' status (1 if they had
  not returned), with a line either way.

A Ctrl-C typed in the terminal reaches the child directly (same process group) and stops its
queries as in a pyroot script; the parent ignores it. SIGTERM and SIGHUP are passed on.
"""
from __future__ import annotations

import ctypes
import dataclasses
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable

from .util import settings

# Signals whose handler, when one runs in a thread, means that the process is crashing.
CRASH_SIGNALS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGABRT, signal.SIGFPE)
EXITING = "exiting\n"


def status_line(status: int) -> str:
    """What the child writes once the macros are done and its sessions closed.

    >>> status_line(3)
    'status 3\\n'
    """
    return f"status {status}\n"


@dataclasses.dataclass
class Report:
    """What the child said on its pipe so far."""

    status: int | None = None   # the macros' status ("status S")
    exiting: bool = False       # process exit has begun ("exiting")

    @property
    def done(self) -> bool:
        """Whether the child's exit is bounded from now on."""
        return self.status is not None or self.exiting


def parse_report(text: str) -> Report:
    """The child's report from what it wrote (complete lines only).

    >>> parse_report("status 3\\nexiting\\n")
    Report(status=3, exiting=True)
    >>> parse_report("exiting\\n").done, parse_report("stat").done
    (True, False)
    """
    report = Report()
    for line in text.split("\n")[:-1]:
        key, _, value = line.strip().partition(" ")
        if key == "status" and value.lstrip("-").isdigit():
            report.status = int(value)
        elif key == "exiting":
            report.exiting = True
    return report


def blocked_crash_signal(status_files: list[str]) -> int | None:
    """The crash signal some thread is handling, from the `SigBlk:` lines of the
    /proc/PID/task/*/status texts: a signal is blocked while its handler runs (ROOT's handlers
    are installed without SA_NODEFER).

    >>> blocked_crash_signal(["Name:\\tpython\\nSigBlk:\\t0000000000000020\\n"])   # bit 6: SIGABRT
    6
    >>> blocked_crash_signal(["SigBlk:\\t0000000000000000\\n"]) is None
    True
    """
    for text in status_files:
        for line in text.splitlines():
            if line.startswith("SigBlk:"):
                mask = int(line.split(":", 1)[1].strip(), 16)
                for sig in CRASH_SIGNALS:
                    if mask & (1 << (int(sig) - 1)):
                        return int(sig)
    return None


def _thread_status_files(pid: int) -> list[str]:
    texts = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return texts
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as fh:
                texts.append(fh.read())
        except OSError:
            continue
    return texts


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _say(text: str) -> None:
    print(f"proofshim run: {text}", file=sys.stderr, flush=True)


def single_threaded() -> bool:
    """Whether this process has one thread (forking is safe)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def supervise(run_macros: Callable[[int], int], exit_timeout: Callable[[], float]) -> int:
    """Fork; the child runs run_macros(status_fd), which returns the macros' status after writing
    it, and then exits through the interpreter's normal exit. Return the status to exit with.
    `exit_timeout()` gives the bound (read here while the child works)."""
    sys.stdout.flush()
    sys.stderr.flush()
    ctypes.CDLL(None).fflush(None)   # nothing buffered may be written twice
    read_fd, write_fd = os.pipe()    # both close on exec: grandchildren never hold the pipe
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            code = run_macros(write_fd)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - the child must end through the exit below
            traceback.print_exc()
            code = 1
        # The interpreter's normal exit (atexit handlers, ROOT's clean-up) is what the parent bounds.
        raise SystemExit(code)
    os.close(write_fd)

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    old = {sig: signal.signal(sig, handler) for sig, handler in (
        (signal.SIGINT, lambda *_: None), (signal.SIGTERM, forward), (signal.SIGHUP, forward))}
    try:
        try:
            timeout = float(exit_timeout())
        except Exception:  # noqa: BLE001 - a bad setting must not leave the child unwatched
            timeout = float(settings.defaults()["exit-timeout"])
        return _wait(pid, read_fd, timeout)
    finally:
        os.close(read_fd)
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _poll(pid: int) -> int | None:
    """The child's exit status as subprocess reports it (negative: killed by that signal)."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 1
    if done == 0:
        return None
    return os.waitstatus_to_exitcode(status)


def _read_available(read_fd: int, wait: float) -> bytes | None:
    """What the pipe holds within `wait` seconds: b"" if nothing yet, None at end of file."""
    if not select.select([read_fd], [], [], wait)[0]:
        return b""
    return os.read(read_fd, 4096) or None


def _wait(pid: int, read_fd: int, timeout: float) -> int:
    received, pipe_open, deadline = b"", True, None
    report = Report()
    rc = _poll(pid)
    while rc is None:
        if pipe_open:
            chunk = _read_available(read_fd, 0.5)
            if chunk is None:
                pipe_open = False
            elif chunk:
                received += chunk
                report = parse_report(received.decode(errors="replace"))
        else:
            time.sleep(0.2)
        if deadline is None and (report.done or not pipe_open):
            deadline = time.monotonic() + timeout
        rc = _poll(pid)
        if rc is None and deadline is not None and time.monotonic() > deadline:
            return _kill_hung(pid, report, timeout)
    while pipe_open:   # what the child wrote just before it ended
        chunk = _read_available(read_fd, 0)
        if not chunk:
            break
        received += chunk
    report = parse_report(received.decode(errors="replace"))
    status = report.status
    if rc < 0:
        if status is not None:
            when = f"while exiting, after the macros returned {status}"
        elif report.exiting:
            when = "while exiting, which a macro started (gSystem->Exit() or exit())"
        else:
            when = "before the macros returned"
        _say(f"the process was killed by {_signal_name(-rc)} {when}")
        return 128 - rc
    if status is not None and rc != status:
        _say(f"the macros returned {status} but the process exited with status {rc}")
        return rc or status
    return rc


def _kill_hung(pid: int, report: Report, timeout: float) -> int:
    crash = blocked_crash_signal(_thread_status_files(pid))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    status = report.status
    done = f"after the macros returned {status}" if status is not None else "while exiting"
    if crash is not None:
        _say(f"the process crashed ({_signal_name(crash)}) {done} and hung in the crash handler: "
             f"killed after {timeout:.0f} s")
        return 128 + crash
    _say(f"the process did not exit within {timeout:.0f} s {done}: killed "
         "(the proofshim.exit-timeout setting gives it longer)")
    return 1 if status is None else status
