"""Real servers for the tests, started on loopback by the tests themselves: OpenSSH's sshd (for
dask's SSHCluster) and XRootD's xrootd (for root:// data). Both are Debian packages that `.ci/run`
installs; a machine without them fails these tests with a message saying so, unless
PROOFSHIM_TESTS_NO_SERVERS=1 says that it cannot have them (then the tests are skipped)."""
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

NO_SERVERS = "PROOFSHIM_TESTS_NO_SERVERS"


def require(binary: str, package: str) -> str:
    """The path of `binary`, or fail (skip only when the machine says it cannot have it)."""
    path = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
                                         if os.path.exists(p)), None)
    if path:
        return path
    if os.environ.get(NO_SERVERS) == "1":
        pytest.skip(f"{binary} is not installed and {NO_SERVERS}=1")
    pytest.fail(f"{binary} is not installed: `.ci/run` installs it (apt-get install -y {package}); "
                f"run that, or set {NO_SERVERS}=1 on a machine that cannot have it")


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
            f.write(f"oss.localroot {directory}\nall.export /\nxrd.allow host 127.0.0.1\n")
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

