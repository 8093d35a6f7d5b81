"""PROOF packages (PAR files): the PAR, and what every host and process does with it (the TProof
methods are proofshim.face.packages).

A PAR is a gzipped tar of one directory `name/` holding sources and, optionally,
`PROOF-INF/BUILD.sh` (run once to build, e.g. a library with make/g++) and `PROOF-INF/SETUP.C`
(run in every process that uses the package, e.g. to gSystem->Load that library).

Three levels, as in PROOF:
- client: `Package` holds the PAR's bytes; the session records what was uploaded and enabled, and
  every query carries the enabled packages so that workers joining later enable them too;
- host: the PAR is unpacked and BUILD.sh run once per host and content (directory keyed by ROOT
  version and the PAR's digest, under a file lock), so client and workers of one host share it;
- process: SETUP.C runs once per process and package; the package directory goes on the include,
  macro and library paths first, and SETUP runs with the package directory as working directory.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import logging
import os
import pickle
import re
import shutil
import socket
import subprocess
import sys
import tarfile

from ..util.cxxtext import in_code
from ..util import rootsys, runtime, settings
from ..util.errors import PackageError

log = logging.getLogger("proofshim")

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
_SETUP_CALL = re.compile(r"\bSETUP\s*\(")


@dataclasses.dataclass(frozen=True)
class Package:
    """One uploaded PAR, ready to travel to the workers."""

    name: str
    data: bytes        # the PAR: a (gzipped) tar whose top directory is `name/`
    digest: str        # of `data`: the key of the host directory it is unpacked into
    source: str        # where the client read it from, for messages


@dataclasses.dataclass(frozen=True)
class EnabledPackage:
    """A package enabled in a session, with the load options given to EnablePackage."""

    package: Package
    options: bytes = b""       # pickled TList of load options; b"": SETUP(TList*) gets the input list
    on_client: bool = True


# ---------------------------------------------------------------------------------------------
# client: reading a PAR file or a package directory

def _par_from_directory(directory: str, name: str) -> bytes:
    """A gzipped tar of `directory` with top directory `name/`, files in a stable order."""
    buf = io.BytesIO()
    # gzip's header time fixed: the same directory gives the same PAR, digest and build.
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        tar.add(directory, arcname=name, recursive=False)
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for entry in sorted(dirs) + sorted(files):
                path = os.path.join(root, entry)
                arc = os.path.join(name, os.path.relpath(path, directory))
                tar.add(path, arcname=arc, recursive=False)
    return buf.getvalue()


def _check_layout(data: bytes, name: str, source: str) -> None:
    """The PAR must unpack into `name/` and nowhere else (PROOF's rule)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            members = tar.getnames()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise PackageError(f"package '{name}': {source} is not a (gzipped) tar file: {exc}") from exc
    tops = {m.lstrip("./").split("/", 1)[0] for m in members if m.lstrip("./")}
    if tops != {name}:
        found = ", ".join(sorted(f"'{t}/'" for t in tops)) or "nothing"
        raise PackageError(f"package '{name}': {source} must unpack into one directory '{name}/' "
                           f"(found {found})")


def read_par(arg: str, cwd: str | None = None) -> Package:
    """What UploadPackage names: "x.par", "dir/x.par", a package directory "x/" or "x" (x.par or
    the directory x, relative to the current directory)."""
    text = (arg or "").strip()
    if not text:
        raise PackageError("UploadPackage: no PAR file or package directory given")
    base = cwd or os.getcwd()
    path = os.path.normpath(text if os.path.isabs(text) else os.path.join(base, text))
    candidates = [path] if path.endswith(".par") else [path, path + ".par"]
    for cand in candidates:
        if os.path.isdir(cand):
            name = os.path.basename(cand)
            _valid_name(name, arg)
            data = _par_from_directory(cand, name)
            break
        if os.path.isfile(cand):
            name = os.path.basename(cand)[:-len(".par")] if cand.endswith(".par") else os.path.basename(cand)
            _valid_name(name, arg)
            with open(cand, "rb") as fh:
                data = fh.read()
            break
    else:
        raise PackageError(f"UploadPackage('{arg}'): no PAR file or package directory found "
                           f"(looked for {' and '.join(candidates)})")
    _check_layout(data, name, cand)
    return Package(name=name, data=data, digest=hashlib.sha256(data).hexdigest()[:20], source=cand)


def _valid_name(name: str, arg: str) -> None:
    if not _NAME.match(name):
        raise PackageError(f"UploadPackage('{arg}'): '{name}' is not a usable package name "
                           "(letters, digits, '_', '.', '+', '-')")


# ---------------------------------------------------------------------------------------------
# host: unpack and build once per host and content

def _root_tag() -> str:
    return runtime.import_root().gROOT.GetVersion().replace("/", ".")


def host_dir(pkg: Package) -> str:
    """The directory this host unpacks `pkg` into; the package itself is its subdirectory `name`."""
    return os.path.join(runtime.cache_dir(), "packages", f"root-{_root_tag()}", f"{pkg.name}-{pkg.digest}")


def package_dir(pkg: Package) -> str:
    return os.path.join(host_dir(pkg), pkg.name)


def _lock_path(pkg: Package) -> str:
    # Beside the directory, not in it: ClearPackage removes the directory under this lock.
    return host_dir(pkg) + ".lock"


def _setup_function(pkg: Package) -> str:
    """SETUP renamed per package, so that the SETUPs of several packages live in one process."""
    return "SETUP_" + re.sub(r"\W", "_", pkg.name) + "_" + pkg.digest[:12]


def _build_env(extra_env: dict) -> dict:
    """BUILD.sh's environment, as PROOF gave it: ROOTINCLUDEPATH holds the -I flags of ROOT's and
    proofshim's include directories (PROOF exported gSystem's include path); a root-config that
    reports the directories this ROOT really has, and ROOT's tools, first on PATH; ROOTSYS the
    running installation; ROOTPROOFCLIENT (client) or ROOTPROOFLITE (local workers) as in PROOF."""
    ROOT = runtime.load_library()
    env = dict(os.environ)
    env.update(extra_env)
    include_path = str(ROOT.gSystem.GetIncludePath()).replace('"', "")
    env["ROOTINCLUDEPATH"] = include_path
    env = rootsys.build_env(env)
    env["PATH"] = os.pathsep.join(dict.fromkeys(
        [p for p in env["PATH"].split(os.pathsep)[:2] + [os.path.dirname(sys.executable)]
         + env["PATH"].split(os.pathsep)[2:] if p]))
    return env


def _unpack(pkg: Package, top: str) -> None:
    if os.path.isdir(top):
        shutil.rmtree(top)     # a half-finished earlier attempt
    os.makedirs(top)
    with tarfile.open(fileobj=io.BytesIO(pkg.data), mode="r:*") as tar:
        # The "data" filter refuses absolute paths, '..' and links leaving the directory.
        tar.extractall(top, filter="data")
    setup = os.path.join(top, pkg.name, "PROOF-INF", "SETUP.C")
    if os.path.isfile(setup):
        with open(setup, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        renamed = os.path.join(top, pkg.name, "PROOF-INF", _setup_function(pkg) + ".C")
        with open(renamed, "w", encoding="utf-8") as fh:
            # Code only: what SETUP prints (or says in comments) is left as written.
            fh.write(in_code(text, lambda code: _SETUP_CALL.sub(_setup_function(pkg) + "(", code)))
    with open(os.path.join(top, ".unpacked"), "w") as fh:
        fh.write(pkg.source + "\n")


def _build(pkg: Package, pdir: str, extra_env: dict) -> str:
    """Run PROOF-INF/BUILD.sh in the package directory; return its output, raise on failure."""
    script = os.path.join(pdir, "PROOF-INF", "BUILD.sh")
    if not os.path.isfile(script):
        return ""
    os.chmod(script, os.stat(script).st_mode | 0o100)   # PARs made without the executable bit
    timeout = float(settings.get("exec-timeout"))
    log.info("building package %s on %s ...", pkg.name, socket.gethostname(),
             extra={"where": "TProof::EnablePackage"})
    try:
        # Through the shell, as PROOF ran it: a BUILD.sh without "#!" still runs.
        proc = subprocess.run(["/bin/sh", "-c", "PROOF-INF/BUILD.sh"], cwd=pdir, env=_build_env(extra_env),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace")
        raise PackageError(f"package '{pkg.name}': PROOF-INF/BUILD.sh did not finish within "
                           f"{timeout:.0f} s (setting proofshim.exec-timeout); its output:\n{out.rstrip()}") from exc
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise PackageError(f"package '{pkg.name}': PROOF-INF/BUILD.sh failed (exit code {proc.returncode}) "
                           f"in {pdir}; its output:\n{out.rstrip()}")
    return out


def install(pkg: Package, extra_env: dict | None = None) -> tuple[str, str]:
    """Unpack and build `pkg` on this host unless done already; return (package dir, build output)."""
    top = host_dir(pkg)
    os.makedirs(os.path.dirname(top), exist_ok=True)
    pdir = os.path.join(top, pkg.name)
    with runtime.file_lock(_lock_path(pkg)):
        if os.path.exists(os.path.join(top, ".built")):
            return pdir, ""
        if not os.path.exists(os.path.join(top, ".unpacked")):
            _unpack(pkg, top)
        out = _build(pkg, pdir, extra_env or {})
        with open(os.path.join(top, ".built"), "w") as fh:
            fh.write(out)
    return pdir, out


def unpack_on_host(pkg: Package) -> str:
    """Unpack `pkg` on this host unless done already (UploadPackage); return the package directory."""
    top = host_dir(pkg)
    os.makedirs(os.path.dirname(top), exist_ok=True)
    with runtime.file_lock(_lock_path(pkg)):
        if not os.path.exists(os.path.join(top, ".unpacked")):
            _unpack(pkg, top)
    return os.path.join(top, pkg.name)


# ---------------------------------------------------------------------------------------------
# process: paths and SETUP once per process

_set_up: dict[str, str] = {}      # package name -> digest whose SETUP ran in this process
_kept_options: dict[str, object] = {}   # SETUP may keep the options list: keep it alive


def _add_paths(pdir: str) -> None:
    """The package's headers, macros and libraries become visible here (PROOF added -I<name>)."""
    ROOT = runtime.load_library()
    runtime.add_include_path(pdir)
    runtime.add_include_path(os.path.dirname(pdir))     # "name/Header.h" works too
    macro_path = str(ROOT.gROOT.GetMacroPath())
    if pdir not in macro_path.split(":"):
        ROOT.gROOT.SetMacroPath(f"{macro_path}:{pdir}")
    if pdir not in str(ROOT.gSystem.GetDynamicPath()).split(":"):
        ROOT.gSystem.AddDynamicPath(pdir)


def _call_setup(pkg: Package, pdir: str, options) -> None:
    """Load the renamed SETUP.C and call it with the argument its signature asks for."""
    ROOT = runtime.load_library()
    import ctypes  # noqa: PLC0415

    fname = _setup_function(pkg)
    macro = os.path.join(pdir, "PROOF-INF", fname + ".C")
    err = ctypes.c_int(0)
    ROOT.gROOT.LoadMacro(macro, err)
    if err.value != 0:
        raise PackageError(f"package '{pkg.name}': PROOF-INF/SETUP.C could not be loaded (error {err.value})")
    fn = ROOT.gROOT.GetListOfGlobalFunctions(True).FindObject(fname)
    if not fn:
        raise PackageError(f"package '{pkg.name}': PROOF-INF/SETUP.C defines no function SETUP()")
    nargs = fn.GetNargs()
    call = getattr(ROOT, fname)
    if nargs == 0:
        rc = call()
    elif nargs == 1:
        argtype = str(fn.GetListOfMethodArgs().First().GetFullTypeName()).replace(" ", "")
        if argtype.startswith("TList"):
            rc = call(options if options is not None else ROOT.nullptr)
        elif argtype.startswith(("constchar", "char")):
            first = options.First() if options is not None and options.GetSize() else None
            rc = call(str(first.GetName()) if first and first.InheritsFrom("TObjString") else ROOT.nullptr)
        else:
            raise PackageError(f"package '{pkg.name}': unsupported signature SETUP({argtype}); PROOF "
                               "accepts SETUP(), SETUP(TList *) and SETUP(const char *)")
    else:
        raise PackageError(f"package '{pkg.name}': SETUP() takes {nargs} arguments; PROOF accepts "
                           "SETUP(), SETUP(TList *) and SETUP(const char *)")
    if int(rc) < 0:
        raise PackageError(f"package '{pkg.name}': SETUP() returned {int(rc)}")


def enable_here(pkg: Package, options=None, extra_env: dict | None = None) -> str:
    """Install `pkg` on this host and enable it in this process (SETUP once); return the output of
    BUILD.sh and SETUP. `options` is the TList SETUP(TList*) gets (SETUP(const char*): its first
    TObjString). Raises PackageError with that output when a step fails."""
    ROOT = runtime.load_library()
    pdir, build_out = install(pkg, extra_env)
    _add_paths(pdir)
    done = _set_up.get(pkg.name)
    if done == pkg.digest:
        return build_out
    if done is not None:
        # A loaded library cannot be unloaded: the first version stays, as in a PROOF session.
        log.warning("package %s changed since it was set up in this process: the process keeps the "
                    "first version (open a new session to use the new one)", pkg.name,
                    extra={"where": "TProof::EnablePackage"})
        return build_out
    if not os.path.isfile(os.path.join(pdir, "PROOF-INF", "SETUP.C")):
        _set_up[pkg.name] = pkg.digest
        return build_out
    if options is not None:
        ROOT.SetOwnership(options, False)
        _kept_options[pkg.name] = options
    cwd = os.getcwd()
    failure = None
    # SETUP often compiles in the package directory (CompileMacro): one process at a time per host.
    with runtime.file_lock(_lock_path(pkg)), runtime.captured_output() as out:
        os.chdir(pdir)
        try:
            _call_setup(pkg, pdir, options)
        except PackageError as exc:
            failure = exc
        except Exception as exc:  # noqa: BLE001 - a C++ exception thrown by SETUP
            failure = PackageError(f"package '{pkg.name}': SETUP() failed: {exc}")
        finally:
            os.chdir(cwd)
    text = build_out + out[0]
    if failure is not None:
        raise PackageError(f"{failure}; output:\n{text.rstrip()}" if text.strip() else str(failure))
    _set_up[pkg.name] = pkg.digest
    return text


def options_list(enabled: EnabledPackage, input_list):
    """The list SETUP(TList*) gets: the EnablePackage options, else the session's/query's inputs."""
    return pickle.loads(enabled.options) if enabled.options else input_list
