"""Real servers for the tests, started on loopback by the tests themselves: OpenSSH's sshd (for
dask's SSHCluster) and XRootD's xrootd (for root:// data). Both are Debian packages that `.ci/run`
installs. A machine without them skips these tests, saying which server is missing and how to get it
(`pip install -e '.[test]' && python -m pytest` passes on a fresh machine); with
PROOFSHIM_TESTS_REQUIRE_SERVERS=1, which `.ci/run` sets, a missing server fails them instead, so
that CI cannot pass without running them."""
from __future__ import annotations

import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

import pytest

REQUIRE_SERVERS = "PROOFSHIM_TESTS_REQUIRE_SERVERS"


def require(binary: str, package: str) -> str:
    """The path of `binary`; when it is missing, skip the test (fail with PROOFSHIM_TESTS_REQUIRE_SERVERS=1)."""
    path = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
                                         if os.path.exists(p)), None)
    if path:
        return path
    how = f"apt-get install -y {package}, as `.ci/run` does"
    if os.environ.get(REQUIRE_SERVERS) == "1":
        pytest.fail(f"{binary} is not installed and {REQUIRE_SERVERS}=1 makes the tests that start it "
                    f"mandatory: {how}")
    pytest.skip(f"{binary} is not installed ({how}; {REQUIRE_SERVERS}=1 makes this a failure)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    stop(proc)
    with open(log) as f:
        pytest.fail(f"the server did not listen on 127.0.0.1:{port} within {timeout:.0f} s:\n{f.read()}")


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate a server started here (its own process group), then kill it; bounded."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


class SSHServer:
    """sshd on 127.0.0.1:port accepting one generated key for the current user."""

    def __init__(self, directory: str):
        sshd = require("sshd", "openssh-server")
        keygen = require("ssh-keygen", "openssh-client")
        self.dir = directory
        self.port = free_port()
        self.user = getpass.getuser()
        self.host_key = os.path.join(directory, "host_key")
        self.client_key = os.path.join(directory, "client_key")
        for key in (self.host_key, self.client_key):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", key], check=True, timeout=30)
        config = os.path.join(directory, "sshd_config")
        with open(config, "w") as f:
            f.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
                    f"AuthorizedKeysFile {self.client_key}.pub\nPubkeyAuthentication yes\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                    # CI runs as root; the test's key is the only way in, on loopback only.
                    "PermitRootLogin prohibit-password\nUsePAM no\n"
                    # pytest's temporary directories are not the owner-only paths sshd insists on.
                    "StrictModes no\nPidFile none\nLogLevel VERBOSE\n")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # sshd's privilege separation dir
        self.log = os.path.join(directory, "sshd.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", config], stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.proc, self.log)

    def connect_options(self) -> dict:
        return {"port": self.port, "username": self.user, "client-keys": [self.client_key],
                "known-hosts": None}

    def log_text(self) -> str:
        with open(self.log) as f:
            return f.read()

    def accepted_logins(self) -> int:
        return self.log_text().count("Accepted publickey")

    def stop(self) -> None:
        stop(self.proc)


class XRootDServer:
    """xrootd on 127.0.0.1:port serving `directory` (below world-traversable directories) as its root: root://127.0.0.1:port//name
    is directory/name. The URL's path does not exist locally, so ROOT cannot open the file
    as a local one behind the server's back (it does so for readable localhost paths)."""

    def __init__(self, directory: str, rundir: str):
        xrootd = require("xrootd", "xrootd-server")
        self.dir = directory
        self.port = free_port()
        os.makedirs(rundir, exist_ok=True)
        config = os.path.join(rundir, "xrootd.cfg")
        with open(config, "w") as f:
            # all.pidpath: by default xrootd leaves /tmp/<instance name>/xrootd.pid behind.
            f.write(f"oss.localroot {directory}\nall.export /\nxrd.allow host 127.0.0.1\n"
                    f"all.pidpath {rundir}\n")
        cmd = [xrootd, "-p", str(self.port), "-c", config, "-n", f"proofshim{self.port}",
               "-a", os.path.join(rundir, "admin"), "-s", os.path.join(rundir, "xrootd.pid")]
        if os.geteuid() == 0:
            # xrootd refuses to run as root: it switches to its package's user, which must be
            # able to read the data and write its run directory.
            user = "xrootd" if _user_exists("xrootd") else "nobody"
            cmd += ["-R", user]
            pw = pwd.getpwnam(user)
            os.chown(rundir, pw.pw_uid, pw.pw_gid)
            os.chmod(directory, 0o755)   # callers put it where that user can reach it
        self.log = os.path.join(rundir, "xrootd.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         cwd=rundir)
        wait_for_port(self.port, self.proc, self.log)

    def url(self, name: str) -> str:
        return f"root://127.0.0.1:{self.port}//{name}"

    def stop(self) -> None:
        stop(self.proc)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False

