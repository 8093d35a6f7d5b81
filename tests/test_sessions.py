"""TProof.Open's forms against real clusters: reuse/replace of lite sessions, an existing scheduler,
legacy master names through dask's configuration, and clear failures."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import selector_path


def _address(proof):
    from proofshim.face import session

    return session.get(proof).executor.client.scheduler.address


def test_scheduler_url_and_mapped_master_share_an_existing_cluster(ROOT, proof, chain):
    import dask

    address = _address(proof)
    try:
        for url, config in ((address, {}),
                            ("proof://master.example:1093",
                             {"proofshim.masters": {"master.example:1093": address}})):
            with dask.config.set(config):
                other = ROOT.TProof.Open(url)
            assert other and other.IsValid() and not other.IsLite()
            assert ROOT.gProof == other and other != proof
            assert _address(other) == address
            c = chain()
            c.SetProof()
            assert c.Process(selector_path("V0Sel.C") + "+", "", 200) == 0
            assert other.GetOutput("n_ProcessCut").GetVal() == 200
            other.Close()
            assert not other.IsValid()
        # Closing a session on somebody else's scheduler leaves that cluster running.
        assert proof.IsValid() and len(__import__("proofshim").session.get(proof).executor.workers()) == 2
    finally:
        ROOT.gProof = proof


def test_unmapped_master_fails_with_the_setting_to_add(ROOT, proof, capfd):
    try:
        assert not ROOT.TProof.Open("proof://nowhere.example:1093")
        err = capfd.readouterr().err
        assert "proofshim.masters" in err and "nowhere.example" in err
        assert not ROOT.TProof.Open("workers=zero")
        assert "workers" in capfd.readouterr().err
    finally:
        ROOT.gProof = proof


def test_unreachable_scheduler_fails_within_the_timeout(ROOT, proof, capfd):
    import dask

    try:
        with dask.config.set({"proofshim.connect-timeout": 3}):
            assert not ROOT.TProof.Open("tcp://127.0.0.1:9")
        assert "127.0.0.1:9" in capfd.readouterr().err
    finally:
        ROOT.gProof = proof


_REUSE = textwrap.dedent('''
    import warnings; warnings.filterwarnings("ignore")
    import ROOT, proofshim
    a = ROOT.TProof.Open("workers=1")
    b = ROOT.TProof.Open("lite:///?workers=1")
    assert a == b and a.IsValid(), "same worker count: the running session is reused"
    c = ROOT.TProof.Open("workers=2")
    assert c != a and not a.IsValid() and c.IsValid() and c.GetParallel() == 2
    assert list(ROOT.gROOT.GetListOfProofs()) == [c]
    c.Close()
    assert not ROOT.gProof
    print("REUSE-OK")
''')


def test_lite_open_reuses_or_replaces_like_proof_lite():
    res = subprocess.run([sys.executable, "-c", _REUSE], capture_output=True, text=True, timeout=300)
    assert "REUSE-OK" in res.stdout, res.stdout + res.stderr


def test_tcp_address_of_a_tls_scheduler_hints_at_tls(ROOT, proof, capfd):
    """The embedded cluster speaks TLS only: tcp:// to it fails at once and says to use tls://."""
    import time

    import dask

    address = _address(proof)
    assert address.startswith("tls://")
    try:
        t0 = time.monotonic()
        with dask.config.set({"proofshim.connect-timeout": 20}):
            assert not ROOT.TProof.Open(address.replace("tls://", "tcp://"))
        assert time.monotonic() - t0 < 15, "refused at once, not after the timeout"
        err = capfd.readouterr().err
        assert f"open it as {address} with a client certificate" in err, err
    finally:
        ROOT.gProof = proof
