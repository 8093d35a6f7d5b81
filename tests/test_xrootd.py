"""Remote data: files given as root:// URLs, served by a real xrootd on loopback, are read by the
workers through ROOT's XRootD client (TNetXNGFile); the outputs equal a local run over the files."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from conftest import assert_hist_equal, local_run, outputs_by_name, selector_path
from servers import XRootDServer

COUNT_SEL = selector_path("CountSel.C")
SIZES = [3000, 1, 4500, 800]


@pytest.fixture(scope="module")
def xrootd(make_files):
    # Not under pytest's owner-only temporary directory: xrootd runs as its own user when we are root.
    top = tempfile.mkdtemp(prefix="proofshim-xrootd-")
    os.chmod(top, 0o755)
    data = os.path.join(top, "data")
    files = make_files(data, SIZES)
    server = XRootDServer(data, os.path.join(top, "run"))
    yield server, files
    server.stop()
    shutil.rmtree(top, ignore_errors=True)
    # xrootd's default pid path is /tmp/<instance name>, outside the run's TMPDIR.
    assert not os.path.exists(f"/tmp/proofshim{server.port}"), "xrootd left its pid directory in /tmp"


def test_root_wheel_reads_root_urls(ROOT, xrootd):
    server, files = xrootd
    url = server.url(os.path.basename(files[0]))
    assert not os.path.exists("/" + os.path.basename(files[0])), "the URL's path must not be a local file"
    f = ROOT.TFile.Open(url)
    assert f and not f.IsZombie(), f"ROOT cannot open {url}: see {server.log}"
    assert f.ClassName() == "TNetXNGFile"   # read through the server, not as a local file
    assert f.Get("T").GetEntries() == SIZES[0]
    f.Close()


def test_chain_of_root_urls_equals_local_run(ROOT, fresh_proof, xrootd):
    server, files = xrootd
    total = sum(SIZES)
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total)
    c = ROOT.TChain("T")
    for f in files:
        c.Add(server.url(os.path.basename(f)))
    c.SetProof()
    assert c.Process(COUNT_SEL + "+") == 0
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert "MissingFiles" not in out, [str(f.GetCurrentUrl().GetUrl()) for f in out["MissingFiles"]]
    hgid = out["hgid"]
    assert hgid.GetEntries() == total
    assert all(hgid.GetBinContent(b) == 1 for b in range(1, total + 1)), "an entry not processed exactly once"
    inputs = [ROOT.TParameter["Long64_t"]("CountSel_NTotal", total)]
    sel, _, _ = local_run(ROOT, files, COUNT_SEL + "+", inputs)
    local = outputs_by_name(sel.GetOutputList())
    for name in ("hgid", "hpx", "hpxpy", "prof"):
        assert_hist_equal(out[name], local[name], name)
    c.SetProof(False)


def test_missing_root_url_is_reported_like_a_missing_file(ROOT, fresh_proof, xrootd):
    server, files = xrootd
    total = sum(SIZES)
    fresh_proof.SetParameter.__overload__("const char*, Long64_t")("CountSel_NTotal", total)
    c = ROOT.TChain("T")
    c.Add(server.url(os.path.basename(files[0])))
    c.Add(server.url("no-such-file.root"))
    c.SetProof()
    fresh_proof.Process(ROOT.TDSet(c), COUNT_SEL + "+")
    out = outputs_by_name(fresh_proof.GetOutputList())
    assert out["hgid"].GetEntries() == SIZES[0]
    missing = [str(f.GetCurrentUrl().GetUrl()) for f in out["MissingFiles"]]
    assert any("no-such-file.root" in m for m in missing), missing
    c.SetProof(False)
