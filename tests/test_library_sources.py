"""The C++ library's sources (pure, no ROOT): cxx/ProofShim.cxx is a unity build of the per-class
files beside it; the library's digest and its build directory cover every file of cxx/ and include/."""
from __future__ import annotations

import os
import re
import shutil

import pytest

from proofshim.util import runtime

PACKAGE_DIR = runtime.PACKAGE_DIR
UNITY = "ProofShim.cxx"


def _files(sub: str, package_dir: str = PACKAGE_DIR) -> list[str]:
    return sorted(os.path.join(sub, n) for n in os.listdir(os.path.join(package_dir, sub)))


def _unity_parts(package_dir: str = PACKAGE_DIR) -> list[str]:
    with open(os.path.join(package_dir, "cxx", UNITY)) as fh:
        return re.findall(r'^#include "([^"]+\.cxx)"', fh.read(), re.MULTILINE)


@pytest.fixture
def package(tmp_path):
    """A copy of the package's C++ sources, to change without touching the checkout."""
    for sub in ("cxx", "include"):
        shutil.copytree(os.path.join(PACKAGE_DIR, sub), tmp_path / sub)
    return str(tmp_path)


def test_unity_build_includes_every_part_once():
    """Every .cxx of cxx/ but ProofShim.cxx is one part of its unity build, included exactly once
    (a part left out would leave its symbols undefined; one included twice, defined twice)."""
    parts = _unity_parts()
    assert len(parts) > 10, "ProofShim.cxx is a unity build of the per-class files"
    assert len(parts) == len(set(parts)), sorted(p for p in parts if parts.count(p) > 1)
    on_disk = {os.path.basename(p) for p in _files("cxx") if p.endswith(".cxx")} - {UNITY}
    assert set(parts) == on_disk


def test_library_sources_are_every_file_of_cxx_and_include():
    sources = runtime.library_sources()
    assert sources == sorted(_files("cxx") + _files("include"))
    assert os.path.join("cxx", "TProof.cxx") in sources and os.path.join("include", "TProof.h") in sources


def test_digest_changes_when_any_source_changes(package):
    """A change to any per-class file, header or the unity file itself rebuilds the library (a file
    left out of the digest would leave every host running the old library)."""
    base = runtime.sources_digest(package, b"tag")
    assert runtime.sources_digest(package, b"tag") == base
    assert runtime.sources_digest(package, b"other tag") != base
    sources = runtime.library_sources(package)
    assert {os.path.join("cxx", p) for p in _unity_parts(package)} <= set(sources)
    for rel in sources:
        path = os.path.join(package, rel)
        with open(path, "rb") as fh:
            text = fh.read()
        with open(path, "ab") as fh:
            fh.write(b"\n// changed\n")
        assert runtime.sources_digest(package, b"tag") != base, f"{rel} is not covered by the digest"
        with open(path, "wb") as fh:
            fh.write(text)
    assert runtime.sources_digest(package, b"tag") == base
    with open(os.path.join(package, "cxx", "TNewPart.cxx"), "w") as fh:
        fh.write("// a new part\n")
    assert runtime.sources_digest(package, b"tag") != base


def test_build_directory_gets_every_source(package, tmp_path_factory):
    """The build directory holds ProofShim.cxx with every part it includes beside it, and a copy of
    every header; a part left from an older build is removed, an older header copy replaced."""
    build = tmp_path_factory.mktemp("build")
    headers = build / "include"
    headers.mkdir()
    (headers / "Stale.h").write_text("// from an older build\n")
    (build / "TStalePart.cxx").write_text("// from an older build\n")
    (build / "digest").write_text("old\n")
    runtime._copy_sources(str(build), str(headers), package)
    assert sorted(os.listdir(headers)) == sorted(os.listdir(os.path.join(package, "include")))
    cxx = sorted(n for n in os.listdir(build) if n.endswith(".cxx"))
    assert cxx == sorted(os.listdir(os.path.join(package, "cxx")))
    assert set(_unity_parts(package)) | {UNITY} == set(cxx)
    assert (build / "digest").exists()
    for rel in runtime.library_sources(package):
        sub, name = os.path.split(rel)
        copy = build / name if sub == "cxx" else headers / name
        with open(os.path.join(package, rel), "rb") as fh:
            assert copy.read_bytes() == fh.read(), rel


def test_architecture_names_every_file_of_the_library():
    """docs/ARCHITECTURE.md's table of the C++ library names every file of cxx/ (a new part has to
    say there what it owns) and no file that does not exist."""
    with open(os.path.join(PACKAGE_DIR, os.pardir, "docs", "ARCHITECTURE.md")) as fh:
        text = fh.read()
    named = set(re.findall(r"`(?:proofshim/cxx/|cxx/)?(\w+\.cxx)`", text))
    on_disk = {os.path.basename(p) for p in _files("cxx")}
    assert on_disk - named == set(), "files of cxx/ missing from docs/ARCHITECTURE.md"
    assert named - on_disk == set(), "docs/ARCHITECTURE.md names files of cxx/ that do not exist"
