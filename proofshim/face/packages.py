"""PROOF packages (PAR files) as TProof's methods see them: UploadPackage, EnablePackage,
ClearPackage(s), ShowPackages, ShowEnabledPackages, GetListOfPackages, DownloadPackage.

The session records what was uploaded and enabled; every query carries the enabled packages so
that workers joining later enable them too. The PAR itself, and what each host and process does
with it, is proofshim.worker.packages.
"""
from __future__ import annotations

import logging
import os
import pickle
import socket
import sys

from ..util import runtime
from ..util.errors import PackageError
from ..worker import slots
from ..worker.packages import EnabledPackage, Package, enable_here, read_par

log = logging.getLogger("proofshim")

def _print_worker_output(results: dict) -> None:
    for i, (_, (_, output)) in enumerate(sorted(results.items())):
        for line in output.splitlines():
            print(f"[0.{i}] {line}")


def upload(sess, par: str, option: int = 0) -> int:
    """TProof::UploadPackage: read the PAR (or pack a directory), unpack it on every worker host."""
    pkg = read_par(par)
    old = sess.packages.get(pkg.name)
    if old is not None and old.digest != pkg.digest:
        log.info("package %s replaced by a new version from %s", pkg.name, pkg.source,
                 extra={"where": "TProof::UploadPackage"})
        sess.enabled_packages = [e for e in sess.enabled_packages if e.package.name != pkg.name]
    if not sess.executor.all_succeed("TProof::UploadPackage", slots.unpack_package, pkg):
        return -1
    sess.packages[pkg.name] = pkg
    return 0


def _lookup(sess, name: str, method: str) -> Package:
    key = os.path.basename(name.rstrip("/"))
    key = key.removesuffix(".par")
    pkg = sess.packages.get(key)
    if pkg is None and (name.endswith(".par") or os.path.sep in name or os.path.isdir(name)):
        # A path: upload it first (PROOF accepted a PAR path here too).
        if upload(sess, name) != 0:
            raise PackageError(f"{method}('{name}'): uploading the package failed")
        pkg = sess.packages.get(key)
    if pkg is None:
        known = ", ".join(sorted(sess.packages)) or "none"
        raise PackageError(f"{method}('{name}'): no package '{key}' was uploaded in this session "
                           f"(uploaded: {known}); call UploadPackage(\"{key}.par\") first")
    return pkg


def enable(sess, name: str, not_on_client: bool, options) -> int:
    """TProof::EnablePackage: build and set up here (unless not_on_client) and on every worker."""
    pkg = _lookup(sess, name, "EnablePackage")
    opts = pickle.dumps(options, protocol=pickle.HIGHEST_PROTOCOL) if options else b""
    entry = EnabledPackage(pkg, opts, on_client=not not_on_client)
    if not not_on_client:
        out = enable_here(pkg, options if options else sess.proof.GetInputList(),
                          {"ROOTPROOFCLIENT": "1"})
        if out:
            sys.stdout.write(out if out.endswith("\n") else out + "\n")
            sys.stdout.flush()
    worker_opts = opts or pickle.dumps(sess.proof.GetInputList(), protocol=pickle.HIGHEST_PROTOCOL)
    results = sess.executor.on_every_worker(slots.enable_package, pkg, worker_opts, slots.env_vars())
    _print_worker_output({w: r for w, r in results.items() if r[0] == 0})
    rc = 0
    for i, (w, (status, output)) in enumerate(sorted(results.items())):
        if status != 0:
            log.error("on worker 0.%d (%s): %s", i, w, output, extra={"where": "TProof::EnablePackage"})
            rc = -1
    if rc == 0:
        # Enabling again keeps the package's place: queries enable packages in this order.
        names = [e.package.name for e in sess.enabled_packages]
        if pkg.name in names:
            sess.enabled_packages[names.index(pkg.name)] = entry
        else:
            sess.enabled_packages.append(entry)
    return rc


def clear(sess, name: str | None) -> int:
    """TProof::ClearPackage(s): forget the package(s) in the session: not listed, not enabled on
    later queries or workers, EnablePackage needs a new UploadPackage."""
    if name:
        key = name.removesuffix(".par")
        if key not in sess.packages:
            raise PackageError(f"ClearPackage('{name}'): no package '{key}' was uploaded in this session")
        doomed = [sess.packages[key]]
    else:
        doomed = list(sess.packages.values())
    for pkg in doomed:
        sess.packages.pop(pkg.name, None)
        sess.enabled_packages = [e for e in sess.enabled_packages if e.package.name != pkg.name]
        # The hosts' built copies stay in the content-addressed cache: the session's worker
        # processes (and this one) may have its libraries loaded and its headers parsed lazily.
        # Uploading the same PAR again reuses them without building again.
    return 0


def show(sess, all_hosts: bool = False) -> None:
    """TProof::ShowPackages: the packages uploaded in this session (the same on every worker host)."""
    print(f"*** Package cache client:{socket.gethostname()}:{os.path.join(runtime.cache_dir(), 'packages')} ***")
    for pkg in sorted(sess.packages.values(), key=lambda p: p.name):
        print(f"{pkg.name:<24} {pkg.digest}  from {pkg.source}")
    print(f"*** Package cache on the workers ({len(sess.executor.workers())} workers) ***")
    for pkg in sorted(sess.packages.values(), key=lambda p: p.name):
        print(pkg.name)


def show_enabled(sess, all_hosts: bool = False) -> None:
    """TProof::ShowEnabledPackages: what is enabled here and on the workers."""
    print(f"*** Enabled packages on client on {socket.gethostname()}")
    for e in sess.enabled_packages:
        if e.on_client:
            print(e.package.name)
    print("*** Enabled packages on the workers ***")
    for e in sess.enabled_packages:
        print(e.package.name)


def fill_names(sess, enabled: bool) -> None:
    """TProof::GetListOfPackages / GetListOfEnabledPackages."""
    names = [e.package.name for e in sess.enabled_packages] if enabled else sorted(sess.packages)
    for n in names:
        sess.proof.AddPackageName(n)


# ---- proofshim compat

def download(sess, arg: str) -> int:
    """TProof::DownloadPackage("name[.par]", dstdir): write the uploaded PAR to dstdir (default:
    the current directory) as name.par."""
    name, _, dstdir = arg.partition("\n")
    key = os.path.basename(name.rstrip("/")).removesuffix(".par")
    pkg = sess.packages.get(key)
    if pkg is None:
        known = ", ".join(sorted(sess.packages)) or "none"
        raise PackageError(f"DownloadPackage('{name}'): no package '{key}' was uploaded in this session "
                           f"(uploaded: {known})")
    dest_dir = dstdir or os.getcwd()
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, f"{key}.par")
    with open(dest + ".tmp", "wb") as fh:
        fh.write(pkg.data)
    os.replace(dest + ".tmp", dest)
    log.info("package %s written to %s", key, dest, extra={"where": "TProof::DownloadPackage"})
    return 0
