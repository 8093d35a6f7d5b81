"""TLS for sessions on a `tls://` dask scheduler: which CA, certificate and key the client uses.

Two places may hold them, in this order:
- proofshim's own settings `proofshim.tls.ca-file`, `proofshim.tls.cert`, `proofshim.tls.key`;
- dask's own `distributed.comm.tls.ca-file`, `distributed.comm.tls.client.cert` and `.key`, which
  dask's Client reads by itself (so a site whose dask configuration already has them needs nothing).

A dask scheduler always asks the client for a certificate signed by its CA, so a tls:// address
without one is refused here at once, with the settings to add, instead of failing the handshake.

Values are file paths, or PEM text itself (dask accepts both). Neither is ever put in a message or
a log record: a path is named only when it does not exist, PEM text never.

`resolve` is pure (no dask import); `security_for` builds dask's Security object from it.

The embedded local cluster is TLS too, with credentials made for it alone (`embedded_credentials`:
a fresh key and self-signed certificate, held in memory, never written by proofshim): its
scheduler, nannies and workers accept only connections that present that certificate, so no other
local account can use the cluster to run code as the session's owner. The client process keeps
them (`remember`), so a second session of the same process on that address finds them too.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from ..util.errors import OpenError

SETTING = "proofshim.tls"
_EXAMPLE = ("  proofshim:\n    tls:\n      ca-file: /path/to/ca.pem       # the CA that signed the "
            "scheduler's certificate\n      cert: /path/to/client.pem      # this client's certificate, "
            "signed by a CA the scheduler trusts\n      key: /path/to/client.key")


def _is_pem(value: str) -> bool:
    return "-----BEGIN" in value


def _check(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OpenError(f"{SETTING}.{name} must be the path of a PEM file")
    value = value.strip()
    if not _is_pem(value) and not os.path.isfile(os.path.expanduser(value)):
        raise OpenError(f"{SETTING}.{name}: no such file '{value}'; fix the path in dask's configuration")
    return value if _is_pem(value) else os.path.expanduser(value)


def resolve(address: str, ours: Mapping | None, dask_tls: Mapping | None) -> dict | None:
    """Keyword arguments for distributed.Security to reach `address`, or None to let dask's Client
    use its own configuration (a non-TLS address, or dask's `distributed.comm.tls` set up).

    >>> resolve("tcp://h:8786", None, None) is None
    True
    >>> resolve("tls://h:8786", None, {"ca-file": "ca.pem", "client": {"cert": "c.pem"}}) is None
    True
    """
    if not address.lower().startswith("tls://"):
        return None
    # DASK_PROOFSHIM__TLS__CA_FILE arrives as "ca_file": dask only maps it onto keys it knows.
    ours = {str(k).replace("_", "-"): v for k, v in (ours or {}).items() if v not in (None, "")}
    if ours:
        missing = [k for k in ("ca-file", "cert") if k not in ours]
        if missing:
            raise OpenError(f"{address} is a TLS address and {SETTING} is set, but without "
                            f"{' and '.join(SETTING + '.' + k for k in missing)}; e.g.\n{_EXAMPLE}")
        kwargs = {"tls_ca_file": _check("ca-file", ours["ca-file"]),
                  "tls_client_cert": _check("cert", ours["cert"]),
                  "require_encryption": True}
        if "key" in ours:     # without it, the key is expected in the certificate file
            kwargs["tls_client_key"] = _check("key", ours["key"])
        return kwargs
    dask_tls = dask_tls or {}
    if dask_tls.get("ca-file") and (dask_tls.get("client") or {}).get("cert"):
        return None
    raise OpenError(f"{address} is a TLS address, but no client certificate is configured (a dask "
                    f"scheduler accepts TLS clients with a certificate signed by its CA only). Set, in "
                    f"dask's configuration (~/.config/dask/proofshim.yaml):\n{_EXAMPLE}\n"
                    "or dask's own distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
                    "distributed.comm.tls.client.key.")


_embedded: dict[str, dict] = {}   # tls:// address of an embedded cluster of this process -> its credentials


def embedded_credentials() -> dict:
    """A new key and self-signed certificate (PEM text) for one embedded cluster: every role (client,
    scheduler, worker) presents the certificate, and trusts nothing else. Needs `cryptography`."""
    from distributed.security import Security

    try:
        sec = Security.temporary()
    except ImportError as exc:
        raise OpenError("the embedded cluster is secured with TLS, which needs the 'cryptography' "
                        "package: pip install cryptography") from exc
    return {"ca": sec.tls_ca_file, "cert": sec.tls_client_cert, "key": sec.tls_client_key}


def embedded_security(creds: dict):
    """dask's Security of an embedded cluster's processes (and its client) from its credentials."""
    from distributed.security import Security

    pem = {"tls_ca_file": creds["ca"], "require_encryption": True}
    for role in ("client", "scheduler", "worker"):
        pem[f"tls_{role}_cert"] = creds["cert"]
        pem[f"tls_{role}_key"] = creds["key"]
    return Security(**pem)


def remember(address: str, creds: dict | None) -> None:
    """Keep (or, with None, forget) the credentials of this process's embedded cluster at `address`."""
    if creds is None:
        _embedded.pop(address, None)
    else:
        _embedded[address] = creds


def security_for(address: str):
    """dask's Security for the client of a session on `address` (None: dask's defaults)."""
    import dask

    if address in _embedded:
        return embedded_security(_embedded[address])
    kwargs = resolve(address, dask.config.get(SETTING, None), dask.config.get("distributed.comm.tls", None))
    if kwargs is None:
        return None
    from distributed.security import Security

    return Security(**kwargs)
