"""Open URLs: PROOF's forms mapped onto dask clusters. Pure logic, no ROOT, no dask.

>>> parse_open_url("", ncpu=4)
ClusterSpec(kind='local', workers=4, address=None, url='lite://', cluster=None)
>>> parse_open_url("workers=3", ncpu=4).workers
3
>>> parse_open_url("lite:///?workers=2", ncpu=8).workers
2
>>> parse_open_url("dask://sched:8786", ncpu=2).address
'tcp://sched:8786'
>>> parse_open_url("proof://master:1093", ncpu=2, masters={"master:1093": "tcp://10.0.0.1:8786"}).address
'tcp://10.0.0.1:8786'
"""
from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping

from . import clusters
from ..util.errors import OpenError

DEFAULT_PROOF_PORT = 1093
MASTERS_SETTING = "proofshim.masters"
DEFAULT_SETTING = "proofshim.default"


@dataclasses.dataclass(frozen=True)
class ClusterSpec:
    """Where a session runs: an embedded local cluster of `workers` processes, a scheduler, or a
    cluster started from a specification (SSH, batch system) of `workers` expected workers."""

    kind: str                 # "local", "scheduler" or "cluster" (started from `cluster`)
    workers: int | None
    address: str | None
    url: str                  # the URL as PROOF would report it
    cluster: object = None    # clusters.SSHSpec / JobqueueSpec for kind "cluster"


def _query_workers(query: str) -> int | None:
    for part in re.split(r"[&;,]", query):
        key, _, value = part.partition("=")
        if key.strip().lower() == "workers" and value.strip():
            try:
                n = int(value)
            except ValueError:
                raise OpenError(f"workers={value!r} in the Open URL is not a whole number") from None
            if n < 1:
                raise OpenError(f"workers={n} in the Open URL: at least one worker is needed")
            return n
    return None


@dataclasses.dataclass(frozen=True)
class OpenConfig:
    """TProof::Open's second argument, PROOF's "configuration field": comma-separated tokens of
    which `workers=N` (N workers; on a cluster at most N) and `workers=Nx` (at most N per host)
    mattered to a session. `notes` are the (logging level, message) lines to log about the rest."""

    workers: int | None = None
    per_host: bool = False
    notes: tuple[tuple[int, str], ...] = ()


_CONFIG_NO_EFFECT = ("has no effect with proofshim: PROOF's wrappers of its worker processes (valgrind, "
                     "igprof, CPU pinning) do not exist; the workers are dask worker processes")


def parse_config_field(conffile: str | None) -> OpenConfig:
    """Read TProof::Open's second argument as PROOF did (TProof::ParseConfigField and PROOF-Lite's
    worker count): `workers=N` gives the worker count, `workers=Nx` N per host; a non-positive or
    non-numeric count falls back to the default with a warning, as PROOF's did. Anything else (a
    PROOF configuration file name, valgrind, igprof, cpupin) is noted as having no effect.

    >>> parse_config_field("workers=8")
    OpenConfig(workers=8, per_host=False, notes=())
    >>> parse_config_field("workers=2x").per_host
    True
    >>> parse_config_field("workers=0").workers is None
    True
    >>> parse_config_field("proof.conf").notes[0][1].split(" has ")[0]
    "TProof::Open's second argument 'proof.conf'"
    """
    workers, per_host, notes = None, False, []
    for token in (t.strip() for t in (conffile or "").split(",")):
        if not token:
            continue
        if token.lower().startswith("workers="):
            value = token[len("workers="):].strip()
            per_host = value.lower().endswith("x")
            digits = value[:-1] if per_host else value
            if digits.isdigit() and int(digits) > 0:
                workers = int(digits)
            else:
                per_host = False
                notes.append((logging.WARNING, f"'{token}' in TProof::Open's second argument is not a positive "
                                               "number of workers: using the default number"))
        elif token.lower().startswith(("valgrind", "igprof", "cpupin")):
            notes.append((logging.INFO, f"TProof::Open's second argument '{token}' {_CONFIG_NO_EFFECT}"))
        else:
            notes.append((logging.INFO, f"TProof::Open's second argument '{token}' has no effect with "
                                        "proofshim: there is no PROOF configuration file; the cluster comes "
                                        "from the URL and dask's configuration (proofshim.masters, "
                                        "proofshim.workers), the worker count from 'workers=N'"))
    return OpenConfig(workers, per_host, tuple(notes))


def _master_keys(url: str) -> list[str]:
    """The names under which a legacy master URL may be listed in the masters setting."""
    m = re.match(r"^(?:(?P<scheme>[a-z]+)://)?(?:(?P<user>[^@/]+)@)?(?P<host>[^:/?]+)"
                 r"(?::(?P<port>\d+))?(?P<rest>[/?].*)?$", url)
    if not m:
        return [url]
    host, port, user = m.group("host"), m.group("port"), m.group("user")
    keys = [url]
    if user:
        keys += [f"{user}@{host}:{port or DEFAULT_PROOF_PORT}", f"{user}@{host}"]
    keys += [f"{host}:{port or DEFAULT_PROOF_PORT}", host]
    if m.group("scheme"):
        keys.append(f"{m.group('scheme')}://{host}:{port or DEFAULT_PROOF_PORT}")
    return list(dict.fromkeys(keys))


def cluster_spec(value: Mapping, setting: str, url: str) -> ClusterSpec:
    """A cluster specification (a mapping such as {"ssh": {...}}) read from `setting`."""
    spec = clusters.parse(value, setting)
    return ClusterSpec("cluster", spec.expected_workers, None, url or spec.describe(), cluster=spec)


def _target(value: object, setting: str) -> str | Mapping:
    """A setting's value that names where to run: a URL string, or a cluster specification."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, Mapping):
        return value
    raise OpenError(f"{setting} must be a dask scheduler address such as 'tcp://scheduler-host:8786', "
                    f"a local cluster such as 'lite:///?workers=4' or a cluster specification such as "
                    f"{{ssh: {{hosts: [...]}}}}, got {value!r}; fix it in dask's configuration "
                    "(~/.config/dask/*.yaml or DASK_PROOFSHIM__... variables)")


def parse_open_url(url: str | Mapping | None, *, ncpu: int, default_workers: int | None = None,
                   masters: Mapping[str, object] | None = None, default: object = None) -> ClusterSpec:
    """Map a TProof::Open URL onto a ClusterSpec.

    "" / "lite://": the `proofshim.default` setting (`default`) if set, else an embedded local
    cluster of `default_workers` (the `proofshim.workers` setting) or `ncpu` workers.
    "workers=N" / "lite:///?workers=N": an embedded local cluster of N workers.
    "tcp://h:p", "tls://h:p", "dask://h:p": an existing dask scheduler.
    Anything else is a legacy PROOF master, looked up in the `proofshim.masters` setting, whose
    values are such URLs or cluster specifications (see proofshim.clusters).

    >>> parse_open_url("", ncpu=2, default="tcp://sched:8786").address
    'tcp://sched:8786'
    >>> parse_open_url("lite://", ncpu=2, default="lite:///?workers=6").workers
    6
    """
    if isinstance(url, Mapping):
        return cluster_spec(url, "the cluster specification", "")
    text = (url or "").strip()
    if text == "" or text.lower() in ("lite", "lite://", "lite:///"):
        if default is not None and default != "":
            target = _target(default, DEFAULT_SETTING)
            if isinstance(target, Mapping):
                return cluster_spec(target, DEFAULT_SETTING, "")
            # The default may itself be "lite://" or a legacy master name; it is not looked up again.
            return parse_open_url(target, ncpu=ncpu, default_workers=default_workers, masters=masters)
        return ClusterSpec("local", default_workers or max(1, ncpu), None, "lite://")
    m = re.fullmatch(r"workers\s*=\s*(\S+)", text, re.IGNORECASE)
    if m:
        return ClusterSpec("local", _query_workers(f"workers={m.group(1)}"), None, "lite://")
    m = re.fullmatch(r"lite://[^?]*(?:\?(?P<q>.*))?", text, re.IGNORECASE)
    if m:
        n = _query_workers(m.group("q") or "") or default_workers or max(1, ncpu)
        return ClusterSpec("local", n, None, "lite://")
    m = re.fullmatch(r"(?P<scheme>tcp|tls|dask|ucx|inproc)://(?P<addr>[^/?]+)/?", text, re.IGNORECASE)
    if m:
        scheme = m.group("scheme").lower()
        scheme = "tcp" if scheme == "dask" else scheme
        return ClusterSpec("scheduler", None, f"{scheme}://{m.group('addr')}", text)
    if not re.fullmatch(r"(?:[a-z]+://)?(?:[^@/\s]+@)?[A-Za-z0-9_.\-]+(?::\d+)?(?:[/?]\S*)?", text):
        raise OpenError(f"cannot parse the PROOF URL {text!r}: expected '', 'lite://', 'workers=N', "
                        "'tcp://host:port' or a PROOF master such as 'proof://host:1093'")
    masters = masters or {}
    for key in _master_keys(text):
        if key in masters:
            target = _target(masters[key], f"{MASTERS_SETTING}[{key!r}]")
            if isinstance(target, Mapping):
                return cluster_spec(target, f"{MASTERS_SETTING}[{key!r}]", text)
            spec = parse_open_url(target, ncpu=ncpu, default_workers=default_workers)
            return dataclasses.replace(spec, url=text)
    wanted = _master_keys(text)[-1 if len(_master_keys(text)) == 1 else 1]
    raise OpenError(
        f"{text!r} is a PROOF master, and proofshim does not know which dask scheduler replaces it.\n"
        f"Map it in dask's configuration under '{MASTERS_SETTING}', e.g. in ~/.config/dask/proofshim.yaml:\n"
        f"  proofshim:\n    masters:\n      \"{wanted}\": \"tcp://scheduler-host:8786\"\n"
        f"or in the environment: DASK_PROOFSHIM__MASTERS='{{\"{wanted}\": \"tcp://scheduler-host:8786\"}}'")



_SIZE = re.compile(r"\s*(\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+)?\s*([kmgtp]i?)?b?\s*", re.IGNORECASE)


def check_memory_limit(value) -> str:
    """proofshim.memory-limit as the embedded cluster's workers take it ("auto", a number of
    bytes, a fraction of the machine's memory, 0 for none, or a size such as "4GiB"), checked here
    so that a wrong one fails TProof::Open at once rather than the cluster's start after it.

    >>> [check_memory_limit(v) for v in ("auto", "4GiB", "4 GB", 0, "1.5e9", None)]
    ['auto', '4GiB', '4 GB', '0', '1.5e9', 'auto']
    >>> check_memory_limit("lots")
    Traceback (most recent call last):
    ...
    proofshim.util.errors.OpenError: proofshim.memory-limit is 'lots': give "auto", 0 (no limit), a number of bytes or a size such as "4GiB"
    """
    text = "auto" if value is None else str(value)
    if text.strip().lower() == "auto":
        return text
    m = _SIZE.fullmatch(text)
    if not m or not (m.group(1) or m.group(4)):
        raise OpenError(f"proofshim.memory-limit is {text!r}: give \"auto\", 0 (no limit), a number of "
                        "bytes or a size such as \"4GiB\"")
    return text
