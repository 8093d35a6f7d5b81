"""PROOF packages (PAR files): UploadPackage, EnablePackage with the three SETUP signatures, a
BUILD.sh that builds a library SETUP needs, failures, ShowPackages, ClearPackage."""
from __future__ import annotations

import os
import tarfile

import pytest
from conftest import HERE, assert_hist_equal, local_run, outputs_by_name, selector_path

PACKAGES = os.path.join(HERE, "packages")
PKG_SEL = selector_path("PkgSel.C") + "+"


def make_par(directory, name, files: dict | None = None, source: str | None = None) -> str:
    """Write `name.par` (gzipped tar, top directory `name/`) from tests/packages/<name> or `files`."""
    src = source or os.path.join(PACKAGES, name)
    if files is not None:
        src = os.path.join(str(directory), "src", name)
        for rel, text in files.items():
            path = os.path.join(src, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(text)
            if rel.endswith(".sh"):
                os.chmod(path, 0o755)
    par = os.path.join(str(directory), f"{name}.par")
    with tarfile.open(par, "w:gz") as tar:
        tar.add(src, arcname=name)
    return par


@pytest.fixture()
def clean_packages(fresh_proof):
    """The shared session without packages before and after the test."""
    fresh_proof.ClearPackages()
    yield fresh_proof
    fresh_proof.ClearPackages()


def _session(proof):
    from proofshim.face import session

    return session.get(proof)


def test_package_built_and_set_up_everywhere_is_used_by_a_selector(ROOT, clean_packages, chain, data_files,
                                                                    total_entries, tmp_path, capfd):
    proof = clean_packages
    assert proof.UploadPackage(make_par(tmp_path, "calib")) == 0
    assert proof.UploadPackage(os.path.join(PACKAGES, "calibscale")) == 0, "a directory is packed"
    opts = ROOT.TList()
    scale = ROOT.TParameter["Double_t"]("CalibScale", 1.5)
    opts.Add(scale)     # `scale` stays referenced: the list does not own it
    capfd.readouterr()
    assert proof.EnablePackage("calib") == 0
    assert proof.EnablePackage("calibscale", opts) == 0
    out = capfd.readouterr().out
    assert out.count("calib-SETUP: Calib ready") == 3, "client and both workers ran SETUP()"
    assert out.count("calibscale-SETUP: scale 1.5") == 3, "SETUP(TList*) got the options"
    # BUILD.sh ran once for this host (client and workers share it), with ROOT's include flags.
    from proofshim.worker import packages

    pkg = _session(proof).packages["calib"]
    with open(os.path.join(packages.package_dir(pkg), "PROOF-INF", "build-runs.txt")) as fh:
        assert fh.read().split() == ["built"]
    assert ROOT.Calib(2.0).Apply(1.0) == 2.25, "enabled on the client too"

    # Enabling again is harmless and does not set up again.
    assert proof.EnablePackage("calib") == 0
    assert "calib-SETUP" not in capfd.readouterr().out

    c = chain()
    c.SetProof()
    assert c.Process(PKG_SEL) == 0
    out_list = outputs_by_name(proof.GetOutputList())
    c.SetProof(False)
    sel, _, _ = local_run(ROOT, data_files, PKG_SEL)
    local = outputs_by_name(sel.GetOutputList())
    assert out_list["hcal"].GetEntries() == total_entries
    for name in ("hcal", "hscaled"):
        assert_hist_equal(out_list[name], local[name], name)

    assert proof.Exec('printf("gain=%g\\n", Calib(4).Apply(1));') == 0
    assert capfd.readouterr().out.count("gain=4.25") == 2

    proof.ShowPackages()
    proof.ShowEnabledPackages()
    shown = capfd.readouterr().out
    assert "calib" in shown and "calibscale" in shown and "Enabled packages" in shown
    assert [str(o.GetName()) for o in proof.GetListOfPackages()] == ["calib", "calibscale"]
    assert [str(o.GetName()) for o in proof.GetListOfEnabledPackages()] == ["calib", "calibscale"]

    assert proof.ClearPackage("calib") == 0
    assert [str(o.GetName()) for o in proof.GetListOfPackages()] == ["calibscale"]
    proof.ShowPackages()
    assert "calib " not in capfd.readouterr().out
    assert proof.EnablePackage("calib") == -1
    assert "no package 'calib' was uploaded" in capfd.readouterr().err


def test_string_option_setup_and_not_on_client(ROOT, clean_packages, tmp_path, capfd):
    proof = clean_packages
    setup = ('Int_t SETUP(const char *opt)\n{\n'
             '   gSystem->Setenv("CALIBOPT", opt ? opt : "(null)");\n'
             '   return TString(opt) == "fail" ? -1 : 0;\n}\n')
    assert proof.UploadPackage(make_par(tmp_path, "calibopt", {"PROOF-INF/SETUP.C": setup})) == 0
    assert proof.EnablePackage("calibopt", "fast", True) == 0
    assert not ROOT.gSystem.Getenv("CALIBOPT"), "notOnClient: SETUP did not run here"
    capfd.readouterr()
    assert proof.Exec('printf("opt=%s\\n", gSystem->Getenv("CALIBOPT"));') == 0
    assert capfd.readouterr().out.count("opt=fast") == 2
    proof.ShowEnabledPackages()
    shown = capfd.readouterr().out
    client_part, _, worker_part = shown.partition("on the workers")
    assert "calibopt" not in client_part and "calibopt" in worker_part


def test_failing_build_or_setup_returns_minus_one_and_the_session_survives(ROOT, clean_packages, tmp_path,
                                                                           capfd):
    proof = clean_packages
    build = "#!/bin/sh\necho 'compiling broken.cxx'\necho 'broken.cxx:1: error: no such thing' >&2\nexit 2\n"
    assert proof.UploadPackage(make_par(tmp_path, "badbuild", {"PROOF-INF/BUILD.sh": build})) == 0
    capfd.readouterr()
    assert proof.EnablePackage("badbuild") == -1
    err = capfd.readouterr().err
    assert "package 'badbuild': PROOF-INF/BUILD.sh failed (exit code 2)" in err
    assert "broken.cxx:1: error: no such thing" in err

    setup = 'Int_t SETUP()\n{\n   printf("badsetup-SETUP: refusing\\n");\n   return -1;\n}\n'
    assert proof.UploadPackage(make_par(tmp_path, "badsetup", {"PROOF-INF/SETUP.C": setup})) == 0
    capfd.readouterr()
    assert proof.EnablePackage("badsetup", True) == -1, "fails on the workers"
    err = capfd.readouterr().err
    assert err.count("SETUP() returned -1") == 2 and err.count("badsetup-SETUP: refusing") == 2
    assert proof.EnablePackage("badsetup") == -1, "fails on the client"
    assert "badsetup-SETUP: refusing" in capfd.readouterr().err
    proof.ShowEnabledPackages()
    assert "bad" not in capfd.readouterr().out, "failed packages are not enabled"

    n = 500
    assert proof.Process(selector_path("CycleSel.C") + "+", n) == 0
    assert proof.GetOutput("hcycle").GetEntries() == n

    assert proof.UploadPackage(os.path.join(str(tmp_path), "nosuch.par")) == -1
    assert "no PAR file or package directory found" in capfd.readouterr().err
    wrong = make_par(tmp_path, "other", {"x.h": "// x\n"})
    os.rename(wrong, os.path.join(str(tmp_path), "renamed.par"))
    assert proof.UploadPackage(os.path.join(str(tmp_path), "renamed.par")) == -1
    assert "must unpack into one directory 'renamed/'" in capfd.readouterr().err
