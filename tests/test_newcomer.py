"""What a newcomer meets first: installing proofshim where it is not on PyPI (a wheel built from the
checkout), one version everywhere, the licence, the declared dependencies, `proofshim --version`,
the test suite on a machine without sshd or xrootd, the first import and first query saying
what they spend their time on instead of staying silent, a README that is a short front page whose
links and install instructions are true, and a test run that leaves nothing in /tmp or ~/.proof."""
from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest
import servers
from conftest import selector_path

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.join(ROOT_DIR, "proofshim")


def _package_version() -> str:
    """proofshim.__version__ as the source states it (read, not imported: the same way setuptools'
    dynamic version and the workers' installation check read it)."""
    with open(os.path.join(PACKAGE_DIR, "__init__.py")) as fh:
        return re.search(r'^__version__\s*=\s*"([^"]+)"', fh.read(), re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel the docs tell users to build for worker hosts (`pip wheel . -w dist/`), built from
    a copy of the checkout (so that the build leaves nothing in it) without network access: the
    build backend is the installed setuptools, dependencies are not fetched."""
    top = tmp_path_factory.mktemp("wheel")
    src = top / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(os.path.join(ROOT_DIR, name), src / name)
    shutil.copytree(PACKAGE_DIR, src / "proofshim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = top / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--disable-pip-version-check", "-q", "-w", str(dist), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(dist.glob("proofshim-*.whl"))
    assert len(wheels) == 1, os.listdir(dist)
    return str(wheels[0])


def _metadata(wheel_path: str) -> email.message.Message:
    with zipfile.ZipFile(wheel_path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_string(zf.read(name).decode())


def test_wheel_built_from_the_checkout_holds_the_whole_package(wheel):
    """Every file of the package (its Python modules, the PROOF headers and the C++ sources the
    workers compile the shim library from) is in the wheel, with the licence; its version is
    proofshim.__version__."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    expected = set()
    for dirpath, dirnames, filenames in os.walk(PACKAGE_DIR):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for f in filenames:
            if not f.endswith((".pyc", ".so", ".d", ".pcm")):
                expected.add(os.path.relpath(os.path.join(dirpath, f), ROOT_DIR).replace(os.sep, "/"))
    assert any(n.startswith("proofshim/include/") and n.endswith(".h") for n in expected)
    assert any(n.startswith("proofshim/cxx/") and n.endswith(".cxx") for n in expected)
    assert expected - names == set(), "files of the package missing from the wheel"
    assert any(n.endswith(".dist-info/LICENSE") or "/licenses/LICENSE" in n for n in names), sorted(names)
    assert os.path.basename(wheel).startswith(f"proofshim-{_package_version()}-")
    assert _metadata(wheel)["Version"] == _package_version()


def test_one_version_everywhere(wheel):
    """pyproject takes the version from the package (no second literal to forget); the installed
    distribution, proofshim.__version__ and `proofshim --version` agree."""
    with open(os.path.join(ROOT_DIR, "pyproject.toml")) as fh:
        pyproject = fh.read()
    project = pyproject.split("\n[project]\n")[1].split("\n[")[0]
    assert not re.search(r'^version\s*=', project, re.MULTILINE), "the version is dynamic"
    assert re.search(r'^dynamic\s*=\s*\[\s*"version"\s*\]', project, re.MULTILINE)
    assert 'version = { attr = "proofshim.__version__" }' in pyproject
    from importlib.metadata import PackageNotFoundError, version
    try:   # the installed distribution (pip install -e), when there is one
        assert version("proofshim") == _package_version()
    except PackageNotFoundError:
        pass
    literals = [name for name in os.listdir(PACKAGE_DIR) if name.endswith(".py") and name != "__init__.py"
                and re.search(r'^\s*(__version__|VERSION|version)\s*=\s*"\d', _read(os.path.join(PACKAGE_DIR, name)), re.M)]
    assert not literals, f"a second version literal in {literals}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (ROOT_DIR, os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, "-m", "proofshim", "--version"], capture_output=True,
                          text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(rf"proofshim {re.escape(_package_version())} \(ROOT 6\.\S+, dask \S+, "
                        rf"distributed \S+, Python 3\.\d+\.\d+\)\n", proc.stdout), proc.stdout


def test_licence_file_is_the_declared_licence(wheel):
    with open(os.path.join(ROOT_DIR, "LICENSE")) as fh:
        text = fh.read()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 2.1, February 1999" in text
    assert "or (at your option) any later version" in text
    assert _metadata(wheel)["License"] == "LGPL-2.1-or-later"


# Each declared distribution -> the module proofshim (or the tests, for the test extra) imports,
# or a use that is not an import statement.
_USED_AS = {
    "root": r"^\s*import ROOT\b",
    "dask": r"^\s*(import|from) dask\b",
    "distributed": r"^\s*(import|from) distributed\b",
    "wrapt": r"^\s*import wrapt\b",
    "cloudpickle": r"^\s*import cloudpickle\b",
    "cryptography": r"= Security\.temporary\(\)",   # distributed's temporary TLS credentials need it
    "tqdm": r"^\s*from tqdm\b",
    "numpy": r"^\s*import numpy\b",
    # The tests import the optional extras through pytest.importorskip.
    "asyncssh": r"^\s*import asyncssh\b|importorskip\(\"asyncssh\"",
    "dask-jobqueue": r"^\s*import dask_jobqueue\b|importorskip\(\"dask_jobqueue\"",
    "pytest": r"^\s*import pytest\b",
    "ruff": r"^\[tool\.ruff\]",         # the lint rules, run by .ci/run
    "pytest-timeout": r"^timeout = \d+",   # pyproject's [tool.pytest.ini_options]: a bound per test
    "pytest-xdist": r"^addopts = .*-n \d",   # pyproject's addopts: two workers
    "hypothesis": r"^\s*from hypothesis\b",
    "pyyaml": r"^\s*import yaml\b",
    # The wheel fixture above builds with the installed backend: pip wheel --no-build-isolation.
    "setuptools": r"^\s*proc = .*\"--no-build-isolation\"",
    "wheel": r"^\s*proc = .*\"--no-build-isolation\"",
}


def _sources(*dirs: str) -> str:
    text = []
    for d in dirs:
        for dirpath, _, filenames in os.walk(os.path.join(ROOT_DIR, d)):
            text += [open(os.path.join(dirpath, f)).read() for f in filenames if f.endswith(".py")]
    return "\n".join(text)


def test_every_declared_dependency_is_used(wheel):
    """No dependency (or extra) that nothing uses: each Requires-Dist of the wheel is imported by the
    package (the runtime ones and the ssh/jobqueue extras) or by the tests (the test extra)."""
    package, tests = _sources("proofshim"), _sources("tests")
    tests += "\n" + _read(os.path.join(ROOT_DIR, "pyproject.toml"))   # pytest plugins are configured there
    unused = []
    for req in _metadata(wheel).get_all("Requires-Dist"):
        name = re.match(r"[A-Za-z0-9_.-]+", req).group(0).lower()
        extra = re.search(r'extra == "([^"]+)"', req)
        assert name in _USED_AS, f"{req}: a new dependency: say in _USED_AS how proofshim uses it"
        where = tests if extra and extra.group(1) == "test" else package
        if not re.search(_USED_AS[name], where, re.MULTILINE):
            unused.append(req)
    assert not unused, f"declared but never used: {unused}"


def test_missing_server_skips_unless_ci_requires_it(monkeypatch):
    """A fresh machine without sshd/xrootd skips the tests that start them, saying what to install;
    PROOFSHIM_TESTS_REQUIRE_SERVERS=1 (set by .ci/run) turns that into a failure."""
    monkeypatch.delenv(servers.REQUIRE_SERVERS, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no-such-sshd is not installed \(apt-get install -y pkg"):
        servers.require("no-such-sshd", "pkg")
    monkeypatch.setenv(servers.REQUIRE_SERVERS, "1")
    with pytest.raises(pytest.fail.Exception, match="PROOFSHIM_TESTS_REQUIRE_SERVERS=1 makes the tests"):
        servers.require("no-such-sshd", "pkg")
    assert servers.require("sh", "dash").endswith("/sh")
    with open(os.path.join(ROOT_DIR, ".ci", "run")) as fh:
        assert "export PROOFSHIM_TESTS_REQUIRE_SERVERS=1" in fh.read()


_FIRST_QUERY = textwrap.dedent("""
    import ROOT, proofshim
    proof = ROOT.TProof.Open("workers=1")
    proof.SetParameter("CycleSel_N", 7)
    rc = proof.Process({sel!r}, 7)
    print("RC", rc, proof.GetOutputList().FindObject("hcycle").GetEntries(), flush=True)
    proof.Close()
""")


def test_first_compile_is_announced_once(tmp_path):
    """The first query of a selector says it compiles it, one Info line; a second run on the same
    cache says nothing about it. (The library build's own line, on a cold cache, is checked by
    test_tutorial_forms.py::test_library_build_records_neither_the_callers_directory_nor_proofshims_location,
    which builds one anyway.)"""
    sel = str(tmp_path / "CycleSel.C")
    with open(selector_path("CycleSel.C")) as fh:
        # Code of its own (a comment naming this run), so that no earlier test compiled it.
        code = f"// {tmp_path}\n" + fh.read()
    with open(sel, "w") as fh:
        fh.write(code)
    script = tmp_path / "first.py"
    script.write_text(_FIRST_QUERY.format(sel=sel + "+"))
    env = dict(os.environ, PROOFSHIM_PROGRESS="0",
               PYTHONPATH=os.pathsep.join(p for p in (ROOT_DIR, os.environ.get("PYTHONPATH")) if p))

    def run():
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=900, env=env, cwd=str(tmp_path))
        assert proc.returncode == 0 and "RC 0 7.0" in proc.stdout, proc.stdout + proc.stderr
        return proc.stderr

    cold = run()
    compiling = [ln for ln in cold.splitlines() if "compiling" in ln]
    assert compiling == ["Info in <TProof::Process>: compiling CycleSel.C+ (once per host and "
                         "version of its code)"], cold
    warm = run()
    assert "compiling" not in warm, warm


README = os.path.join(ROOT_DIR, "README.md")
DOCS = os.path.join(ROOT_DIR, "docs")
_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def _doc_files() -> list[str]:
    return [README, os.path.join(ROOT_DIR, "legacy_examples", "README.md")] + sorted(
        os.path.join(DOCS, f) for f in os.listdir(DOCS) if f.endswith(".md"))


def test_readme_is_a_short_front_page_starting_with_the_ci_commands():
    """README.md stays a front page (at most ~200 lines); its first commands are the install and
    test commands .ci/run runs, word for word; every page of docs/ is linked from it."""
    readme = _read(README)
    assert len(readme.splitlines()) <= 200, "README.md is the front page: move detail into docs/"
    ci = [ln.strip() for ln in _read(os.path.join(ROOT_DIR, ".ci", "run")).splitlines()
          if ln.strip() and not ln.lstrip().startswith("#")]
    assert "python -m pytest" in ci, "the README's test command, as .ci/run runs it"
    assert any(ln.endswith(" -e '.[test]'") and "pip install" in ln for ln in ci)
    first = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert [ln.split("#")[0].strip() for ln in first.splitlines()] == \
        ["pip install -e '.[test]'", "python -m pytest"]
    linked = {os.path.normpath(os.path.join(ROOT_DIR, t)) for t in _LINK.findall(readme)}
    unlinked = sorted(f for f in os.listdir(DOCS) if os.path.join(DOCS, f) not in linked)
    assert not unlinked, f"docs pages not linked from README.md: {unlinked}"


def test_doc_links_resolve_and_no_text_installs_proofshim_from_pypi():
    """Every relative link of README.md, the gallery and docs/*.md names an existing file; no doc
    and no message of the package tells users to `pip install proofshim` (it is not on PyPI)."""
    pypi = re.compile(r"pip install (proofshim(?![-\w/.])|'proofshim\[)")
    problems = []
    for path in _doc_files():
        text = _read(path)
        for target in _LINK.findall(re.sub(r"`[^`\n]*`", "", text)):   # not in code spans
            if "://" not in target and not os.path.exists(os.path.join(os.path.dirname(path), target)):
                problems.append(f"{os.path.relpath(path, ROOT_DIR)}: broken link {target}")
        text = text.replace("`pip install proofshim` finds nothing", "")  # DEPLOYMENT.md says so
        problems += [f"{os.path.relpath(path, ROOT_DIR)}: {m.group(0)}" for m in pypi.finditer(text)]
    for name in sorted(os.listdir(PACKAGE_DIR)):
        if name.endswith(".py"):
            problems += [f"proofshim/{name}: {m.group(0)}"
                         for m in pypi.finditer(_read(os.path.join(PACKAGE_DIR, name)))]
    assert not problems, "\n".join(problems)


def test_the_run_works_in_a_temporary_directory_of_its_own(ROOT):
    """Every process of the test run (this one, ROOT, subprocesses) takes the run's own TMPDIR,
    so that what the run leaves behind can be told from other programs' files in /tmp."""
    import conftest

    assert os.environ["TMPDIR"] == conftest.RUN_TMP == __import__("tempfile").gettempdir()
    assert ROOT.gSystem.TempDirectory() == conftest.RUN_TMP
    child = subprocess.run([sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
                           capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == conftest.RUN_TMP


def test_what_a_run_leaves_in_tmp_or_dot_proof_is_found(tmp_path):
    """The end-of-run check (conftest's pytest_sessionfinish) names a file left in the run's TMPDIR
    and anything made, changed or removed under ~/.proof; pytest's and dask's own scratch
    directories do not count."""
    from conftest import leftovers, tree_state

    run_tmp, proof_dir = tmp_path / "run", tmp_path / ".proof"
    (run_tmp / "pytest-of-someone").mkdir(parents=True)
    (run_tmp / "dask-scratch-space").mkdir()
    (proof_dir / "datasets" / "old").mkdir(parents=True)
    (proof_dir / "datasets" / "old" / "a.root").write_text("x")
    start = tree_state(str(proof_dir))
    assert leftovers(str(run_tmp), str(proof_dir), start) == []
    (run_tmp / "proofshim-xrootd-1").mkdir()
    assert leftovers(str(run_tmp), str(proof_dir), start) == [str(run_tmp / "proofshim-xrootd-1")]
    (run_tmp / "proofshim-xrootd-1").rmdir()
    (proof_dir / "datasets" / "old" / "a.root").unlink()
    left = leftovers(str(run_tmp), str(proof_dir), start)
    assert any(p.startswith(str(proof_dir / "datasets" / "old" / "a.root") + " (removed") for p in left), left
    assert any(p.startswith(str(proof_dir / "datasets" / "old") + " (in") for p in left), left


def test_architecture_lists_every_module():
    """docs/ARCHITECTURE.md's layout table names every module of the package (a new module, or a
    renamed one, has to say there what it owns)."""
    text = _read(os.path.join(DOCS, "ARCHITECTURE.md"))
    named = set(re.findall(r"`(?:proofshim/)?([\w/]+\.py)`", text))
    modules = {os.path.relpath(os.path.join(d, f), PACKAGE_DIR)
               for d, _, fs in os.walk(PACKAGE_DIR) for f in fs if f.endswith(".py")}
    assert not modules - named, f"modules missing from docs/ARCHITECTURE.md: {sorted(modules - named)}"
    assert not named - modules, f"docs/ARCHITECTURE.md names modules that do not exist: {sorted(named - modules)}"
