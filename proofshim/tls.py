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
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from .errors import OpenError

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


def security_for(address: str):
    """dask's Security for the client of a session on `address` (None: dask's defaults)."""
    import dask

    kwargs = resolve(address, dask.config.get(SETTING, None), dask.config.get("distributed.comm.tls", None))
    if kwargs is None:
        return None
    from distributed.security import Security

    return Security(**kwargs)
