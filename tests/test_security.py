"""The embedded cluster under sharing: only the session's owner gets in (TLS with credentials made
for the session), its dask directories are private, and the session's directories (worker logs,
data parts) are owner-only and removed when the session ends, on Close and when the client dies,
except data a data set points to, or when the user asks to keep them."""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import HERE, selector_path

NOBODY = 65534

# Run as root by the test, it tries every way in without the session's credentials, first as
# root and then, after dropping to another account, as that account. It imports everything it
# needs as root: the interpreter's files need not be readable by the other account.
_INTRUDER = textwrap.dedent('''
    import faulthandler, json, os, signal, sys, ssl, warnings
    warnings.filterwarnings("ignore")
    from distributed import Client
    from distributed.core import rpc
    from distributed.protocol.pickle import dumps
    from distributed.security import Security
    from distributed.utils import sync
    from tornado.ioloop import IOLoop

    targets, uid = json.loads(sys.argv[1]), int(sys.argv[2])
    own = Security.temporary()             # credentials of the intruder's own making

    def security(kind, address):
        if kind == "none":
            return None
        if kind == "own":
            return own
        # Trust the server's certificate (anyone can fetch it), present the intruder's own.
        host, port = address.split("://")[1].rsplit(":", 1)
        return Security(tls_ca_file=ssl.get_server_certificate((host, int(port))),
                        tls_client_cert=own.tls_client_cert, tls_client_key=own.tls_client_key,
                        require_encryption=True)

    def attack(path):
        with open(path, "w") as fh:
            fh.write(str(os.getuid()))
        return os.getuid()

    class Hung(Exception):
        pass

    def hung(signum, frame):
        raise Hung("no answer within 30 s")

    signal.signal(signal.SIGALRM, hung)

    def attempt(suffix):
        out = {}
        for name, role, address, kind, marker in targets:
            marker += suffix
            # Each try is bounded: a connection that neither answers nor refuses is recorded as
            # "hung" (never as "ran"), with the stack where it waited going to stderr.
            faulthandler.dump_traceback_later(28, exit=False)
            signal.alarm(30)
            try:
                sec = security(kind, address)
                if role == "scheduler":
                    with Client(address, timeout="5s", set_as_default=False, security=sec) as c:
                        out[name] = ["ran", c.submit(attack, marker, pure=False).result(timeout=20)]
                else:   # a worker's or nanny's own port: its "run" handler runs any function
                    async def run():
                        args = sec.get_connection_args("client") if sec else {}
                        async with rpc(address, connection_args=args, timeout=5) as r:
                            return await r.run(function=dumps(attack), args=dumps((marker,)))
                    loop = IOLoop()
                    try:
                        out[name] = ["ran", repr(loop.run_sync(run, timeout=20))]
                    finally:
                        loop.close()
            except Hung as exc:
                out[name] = ["hung", str(exc)]
            except BaseException as exc:
                out[name] = ["refused", f"{type(exc).__name__}: {exc}"[:300]]
            finally:
                signal.alarm(0)
                faulthandler.cancel_dump_traceback_later()
        return out

    print("SAME-UID " + json.dumps(attempt(".same")), flush=True)
    if uid:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        print("OTHER-UID " + json.dumps(attempt(".other")), flush=True)
''')


def _session(proof):
    from proofshim.face import session

    return session.get(proof)


def _targets(client, tmp_path, prefix):
    """Every listening address of a cluster: its scheduler, each worker's and each nanny's."""
    info = client.scheduler_info(n_workers=-1)
    out = [(f"{prefix}scheduler", "scheduler", client.scheduler.address)]
    for i, (addr, w) in enumerate(sorted(info["workers"].items())):
        out.append((f"{prefix}worker{i}", "worker", addr))
        if w.get("nanny"):
            out.append((f"{prefix}nanny{i}", "nanny", w["nanny"]))
    return [[name, role, addr, kind, str(tmp_path / f"{name}-{kind}")]
            for name, role, addr in out for kind in ("none", "own", "server-ca")
            if kind == "none" or addr.startswith("tls://")]


def test_only_the_owner_can_use_the_embedded_cluster(ROOT, proof, chain, tmp_path, total_entries):
    """A second local account (and this one, without the session's credentials) can neither
    connect to the embedded scheduler, nor to a worker or nanny, nor run anything there; an
    unauthenticated dask cluster (the control, as the embedded one was) lets the same program in."""
    from distributed import Client, LocalCluster

    sess = _session(proof)
    address = sess.executor.client.scheduler.address
    assert address.startswith("tls://127.0.0.1:"), address
    targets = _targets(sess.executor.client, tmp_path, "")
    # Plain tcp:// to each TLS port as well (dask would otherwise refuse a tcp:// client locally).
    targets += [[n + "-tcp", r, a.replace("tls://", "tcp://"), "none", m + "-tcp"]
                for n, r, a, k, m in targets if k == "none"]
    other_uid = NOBODY if os.geteuid() == 0 else 0
    os.chmod(tmp_path, 0o777)   # the markers' directory: not what stops the other account
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=":0",
                      protocol="tcp://", host="127.0.0.1") as control, \
            Client(control, set_as_default=False) as control_client:
        targets += _targets(control_client, tmp_path, "control-")
        res = subprocess.run([sys.executable, "-c", _INTRUDER, json.dumps(targets), str(other_uid)],
                             capture_output=True, text=True, timeout=300)
    phases = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1])
              for line in res.stdout.splitlines() if line.endswith("}")}
    assert "SAME-UID" in phases, res.stdout + res.stderr
    if other_uid:
        assert "OTHER-UID" in phases, res.stdout + res.stderr
    for phase, results in phases.items():
        for name, role, addr, kind, marker in targets:
            verdict, detail = results[name]
            suffix = ".same" if phase == "SAME-UID" else ".other"
            if name.startswith("control-"):
                # The test's own check: the program does get into an unauthenticated cluster.
                assert verdict == "ran", f"{phase} {name}: the control was refused: {detail}\n{res.stderr}"
                assert os.path.exists(marker + suffix)
            else:
                assert verdict in ("refused", "hung"), f"{phase}: {name} ({kind} credentials) got in: {detail}"
                assert not os.path.exists(marker + suffix), f"{phase}: {name} ran code"
    # The session itself is unaffected.
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("V0Sel.C") + "+") == 0
    assert proof.GetOutput("n_ProcessCut").GetVal() == total_entries


def test_a_second_session_of_this_process_reaches_the_embedded_cluster(ROOT, proof, chain):
    """The process that started the embedded cluster holds its credentials: TProof.Open of its
    tls:// address from the same process needs no configuration."""
    address = _session(proof).executor.client.scheduler.address
    try:
        other = ROOT.TProof.Open(address)
        assert other and other.IsValid() and ROOT.addressof(other) != ROOT.addressof(proof)
        c = chain()
        c.SetProof()
        assert c.Process(selector_path("V0Sel.C") + "+", "", 100) == 0
        assert other.GetOutput("n_ProcessCut").GetVal() == 100
        other.Close()
    finally:
        ROOT.gProof = proof
    assert proof.IsValid() and len(_session(proof).executor.workers()) == 2


def test_embedded_cluster_credentials_never_reach_a_file_or_command_line(proof):
    """No key is written by proofshim, and the cluster host's command line and environment, which
    other accounts may read, carry none."""
    sess = _session(proof)
    creds = sess.executor.cluster.credentials
    key_body = creds["key"].splitlines()[1]
    pid = sess.executor.cluster.proc.pid
    for what in ("cmdline", "environ"):
        with open(f"/proc/{pid}/{what}", "rb") as fh:
            assert key_body.encode() not in fh.read(), what
    from proofshim.util import runtime

    for top, _dirs, files in os.walk(runtime.cache_dir()):
        for name in files:
            path = os.path.join(top, name)
            try:
                if os.path.getsize(path) < 1 << 20:
                    with open(path, "rb") as fh:
                        assert key_body.encode() not in fh.read(), path
            except OSError:
                continue


def test_dask_directories_are_private_to_the_session(ROOT, proof, chain):
    """Scheduler and workers work in <session dir>/dask (mode 0700), not $TMPDIR/dask-scratch-space."""
    sess = _session(proof)
    sdir = sess.executor.session_dir()
    client = sess.executor.client
    dirs = list(client.run(lambda dask_worker: dask_worker.local_directory).values())
    dirs.append(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.local_directory))
    assert len(dirs) == 3
    for d in dirs:
        assert d.startswith(os.path.join(sdir, "dask") + os.sep), d
    for d in (sdir, os.path.join(sdir, "dask")):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, d
    # The http endpoints dask starts anyway serve nothing.
    import urllib.error
    import urllib.request

    port = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.http_server.port)
    for page in ("info/main/workers.html", "json/identity.json", "metrics"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}", timeout=10)


def test_session_files_are_owner_only(ROOT, fresh_proof, chain, tmp_path, monkeypatch):
    """Worker logs and TProofOutputFile parts: directories 0700, files 0600. (What a selector
    writes into gProofServ->GetDataDir() itself keeps ROOT's mode, inside the 0700 directories.)"""
    monkeypatch.chdir(tmp_path)
    for key, value in (("Mode", "D"), ("DataSet", "privds")):
        obj = ROOT.TNamed(f"PofSel_{key}", value)
        ROOT.SetOwnership(obj, False)
        fresh_proof.AddInput(obj)
    c = chain()
    c.SetProof()
    assert c.Process(selector_path("PofSel.C") + "+") == 0
    sdir = _session(fresh_proof).executor.session_dir()
    seen = {"log": 0, "part": 0}
    for top, dirs, files in os.walk(sdir):
        if os.path.relpath(top, sdir).split(os.sep)[0] == "dask":
            continue    # dask's own tree, inside the owner-only <session>/dask
        assert stat.S_IMODE(os.stat(top).st_mode) == 0o700, top
        for name in files:
            kind = "log" if name.endswith(".log") else "part" if name == "PofSel.root" else ""
            if not kind:
                continue
            mode = stat.S_IMODE(os.stat(os.path.join(top, name)).st_mode)
            assert mode == 0o600, (os.path.join(top, name), oct(mode))
            seen[kind] += 1
    assert seen["log"] >= 2 and seen["part"] >= 1, seen
    # Data-set parts outlive the session; these are the test's own: remove them.
    for info in fresh_proof.GetOutputList().FindObject("privds").GetList():
        os.remove(str(info.GetCurrentUrl().GetFile()))


def test_session_directory_rules(tmp_path):
    """Pure rules of proofshim.sessiondir: owner-only levels, and a directory that is not this
    account's own (a symbolic link, another owner) is refused rather than used."""
    from proofshim.util import sessiondir

    s = sessiondir.create(sessiondir.path(str(tmp_path), "tag"))
    deep = sessiondir.make_private(os.path.join(s, "data", "0.1", "q1-1"), s)
    for d in (os.path.dirname(s), s, os.path.join(s, "data"), os.path.join(s, "data", "0.1"), deep):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, d
    with pytest.raises(ValueError):
        sessiondir.make_private(str(tmp_path / "elsewhere"), s)
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    os.symlink(elsewhere, sessiondir.path(str(tmp_path), "linked"))
    with pytest.raises(sessiondir.UnsafeDirectory):
        sessiondir.create(sessiondir.path(str(tmp_path), "linked"))
    os.chmod(s, 0o755)
    sessiondir.create(s)
    assert stat.S_IMODE(os.stat(s).st_mode) == 0o700, "an existing session directory is made private"
    if os.geteuid() == 0:
        other = sessiondir.path(str(tmp_path), "theirs")
        os.mkdir(other, 0o777)
        os.chown(other, NOBODY, NOBODY)
        with pytest.raises(sessiondir.UnsafeDirectory, match="belongs to another account"):
            sessiondir.create(other)


# ---- the session directory's lifetime: drivers in their own processes

_DRIVER = textwrap.dedent('''
    import json, os, sys, time, warnings
    warnings.filterwarnings("ignore")
    import dask, ROOT
    import proofshim
    from proofshim.face import session

    files, store, mode, sel_dir = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4]

    def walk(d):
        out = {}
        for top, dirs, fs in os.walk(d):
            for n in dirs + fs:
                p = os.path.join(top, n)
                out[os.path.relpath(p, d)] = oct(os.lstat(p).st_mode & 0o777)
        return out

    dask.config.set({"proofshim.dataset-dir": store})
    p = ROOT.TProof.Open("workers=2")
    sdir = session.get(p).executor.session_dir()
    for k, v in (("Mode", "DR"), ("DataSet", "keptds")):
        obj = ROOT.TNamed("PofSel_" + k, v)
        ROOT.SetOwnership(obj, False)
        p.AddInput(obj)
    c = ROOT.TChain("T")
    for f in files:
        c.Add(f)
    c.SetProof()
    rc = c.Process(os.path.join(sel_dir, "PofSel.C+"))
    fc = p.GetOutputList().FindObject("keptds")
    parts = [str(i.GetCurrentUrl().GetFile()) for i in fc.GetList()]
    print("INFO " + json.dumps({"rc": rc, "dir": sdir, "parts": parts, "tree": walk(sdir),
                               "pid": session.get(p).executor.cluster.proc.pid}), flush=True)
    if mode == "die":
        print("READY", flush=True)
        time.sleep(600)
    p.Close()
    print("CLOSED " + json.dumps({"exists": os.path.exists(sdir), "tree": walk(sdir) if os.path.exists(sdir) else {}}), flush=True)
    # The registered data set's files survived the session: a new session processes them.
    with dask.config.set({"proofshim.keep-session-dirs": True}):
        q = ROOT.TProof.Open("workers=1")
        qdir = session.get(q).executor.session_dir()
        q.ClearInput()
        rc2 = q.Process("keptds", os.path.join(sel_dir, "NtpSel.C+"))
        n = q.GetOutput("NtpSel_N").GetVal()
        q.Close()
    print("SECOND " + json.dumps({"rc": rc2, "n": n, "dir": qdir, "tree": walk(qdir)}), flush=True)
''')


def _info(lines, word):
    for line in lines:
        if line.startswith(word + " "):
            return json.loads(line.split(" ", 1)[1])
    raise AssertionError(f"no {word} line in: {''.join(lines)}")


def _trap_tmpdir(tmp_path):
    """A $TMPDIR whose dask-scratch-space another account made first, writable by all."""
    tmpdir = tmp_path / "tmpdir"
    trap = tmpdir / "dask-scratch-space"
    trap.mkdir(parents=True)
    os.chmod(trap, 0o777)
    if os.geteuid() == 0:
        os.chown(trap, NOBODY, NOBODY)
    return str(tmpdir), trap


def test_session_directory_is_removed_on_close_but_data_set_files_stay(ROOT, data_files, tmp_path,
                                                                       total_entries):
    tmpdir, trap = _trap_tmpdir(tmp_path)
    env = dict(os.environ, TMPDIR=tmpdir)
    res = subprocess.run([sys.executable, "-c", _DRIVER, ",".join(data_files), str(tmp_path / "store"),
                          "close", os.path.join(HERE, "selectors")],
                         capture_output=True, text=True, timeout=600, env=env)
    lines = res.stdout.splitlines(keepends=True)
    info = _info(lines, "INFO")
    assert info["rc"] == 0, res.stdout + res.stderr
    sdir, parts = info["dir"], info["parts"]
    assert parts and all(p.startswith(sdir + os.sep) for p in parts)
    tree = info["tree"]
    assert any(k.startswith("worker-0.0/query-1.log") for k in tree), tree
    assert all(tree[k] == "0o700" for k in tree if k.count(os.sep) == 0), tree
    # After Close only the data set's parts (and the directories holding them) are left.
    closed = _info(lines, "CLOSED")
    files = {k for k in closed["tree"] if closed["tree"][k] != "0o700"}
    assert closed["exists"] and files == {os.path.relpath(p, sdir) for p in parts}, closed
    assert all(closed["tree"][os.path.relpath(p, sdir)] == "0o600" for p in parts)
    second = _info(lines, "SECOND")
    assert (second["rc"], second["n"]) == (0, total_entries), res.stdout + res.stderr
    # proofshim.keep-session-dirs: that session's directory, logs included, stays.
    assert os.path.isfile(os.path.join(second["dir"], "worker-0.0", "query-1.log")), second
    # Nothing was put in $TMPDIR's dask-scratch-space, not even by the other sessions' workers.
    assert not os.listdir(trap)
    assert os.listdir(tmpdir) == ["dask-scratch-space"]
    for d in (sdir, second["dir"]):
        shutil.rmtree(d, ignore_errors=True)


def test_session_directory_is_removed_when_the_client_dies(ROOT, data_files, tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, ",".join(data_files), str(tmp_path / "store"),
                             "die", os.path.join(HERE, "selectors")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("READY"):
            break
    try:
        info = _info(lines, "INFO")
    except AssertionError:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("".join(lines) + proc.stderr.read()) from None
    sdir, parts, host_pid = info["dir"], info["parts"], info["pid"]
    assert os.path.isdir(os.path.join(sdir, "worker-0.0")) and parts
    os.killpg(proc.pid, signal.SIGKILL)     # the client dies without closing anything
    proc.wait(30)
    deadline = time.monotonic() + 90
    while os.path.exists(os.path.join(sdir, "worker-0.0")) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = sorted(os.path.join(t, f) for t, _, fs in os.walk(sdir) for f in fs)
    assert left == sorted(parts), left
    # ... and the cluster host itself is gone (the test run also checks for stray workers).
    while time.monotonic() < deadline:
        try:
            os.kill(host_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the cluster host outlived its client")
    shutil.rmtree(sdir, ignore_errors=True)
