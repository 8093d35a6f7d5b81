"""Data locality: which host holds each file, so that packets go preferably to workers on that
host (PROOF's packetizers did the same). Pure standard library; resolving names is injected.

>>> file_host("root://Eos.Example:1094//store/run1.root")
'eos.example'
>>> file_host("/data/run1.root", client_host="10.0.0.5"), file_host("/data/run1.root")
('10.0.0.5', None)
>>> address_host("tcp://10.0.0.7:40123"), address_host("tls://[::1]:8786")
('10.0.0.7', '::1')
>>> element_hosts(["root://n1//a.root", "root://n2//b.root"], ["tcp://n1:1", "tcp://n1:2"])
[None, None]
>>> element_hosts(["root://n1//a.root", "/x/b.root"], ["tcp://n1:1", "tcp://n2:2"], client_host="n2")
['n1', 'n2']
"""
from __future__ import annotations

import functools
import re
import socket
from collections.abc import Callable, Sequence

# Schemes whose URL names the host that serves the file.
REMOTE_SCHEMES = ("root", "roots", "xroot", "xroots", "http", "https", "dcap", "dcaps", "gsidcap", "rfio")

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<netloc>[^/?#]*)")


def _strip_host(netloc: str) -> str | None:
    host = netloc.rpartition("@")[2]
    if host.startswith("["):                       # [ipv6]:port
        host = host[1:host.find("]")] if "]" in host else host[1:]
    else:
        host = host.partition(":")[0]
    return host.lower() or None


def file_host(url: str, client_host: str | None = None) -> str | None:
    """The host holding `url`: the server of a root:// (or http, dcap, ...) URL; `client_host`
    for a local path or file:// URL (the client's disk, or a shared one); None if unknown."""
    m = _URL.match(url.strip())
    if not m:
        return client_host          # a plain local path
    scheme = m.group("scheme").lower()
    if scheme == "file":
        return client_host
    if scheme in REMOTE_SCHEMES:
        return _strip_host(m.group("netloc"))
    return None


def address_host(address: str) -> str | None:
    """The host of a dask address such as 'tcp://10.0.0.7:40123'."""
    m = _URL.match(address)
    return _strip_host(m.group("netloc")) if m else _strip_host(address)


def element_hosts(urls: Sequence[str], workers: Sequence[str], client_host: str | None = None,
                  canonical: Callable[[str], str] = lambda h: h) -> list[str | None]:
    """Per file URL, the host that holds it, written as the workers' hosts are (after
    `canonical`, e.g. resolving names to addresses) so that the packetizer can compare them.
    All None when the workers are on fewer than two hosts: there is no choice to make."""
    worker_hosts = {canonical(h) for h in map(address_host, workers) if h}
    if len(worker_hosts) < 2:
        return [None] * len(urls)
    out = []
    for u in urls:
        h = file_host(u, client_host)
        out.append(canonical(h) if h else None)
    return out


@functools.lru_cache(maxsize=1024)
def resolve(host: str) -> str:
    """`host` as an IPv4 address when it resolves (dask workers advertise addresses), else as is."""
    try:
        return socket.gethostbyname(host)
    except OSError:
        return host


def local_address_towards(host: str, port: int = 9) -> str | None:
    """This machine's address on the route to `host` (what its workers there would advertise)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, port))        # UDP: no packet is sent
            return s.getsockname()[0]
    except OSError:
        return None
