"""proofshim's settings: the `proofshim` section of dask's configuration (YAML files in
~/.config/dask/, or DASK_PROOFSHIM__* environment variables)."""
from __future__ import annotations


def get(key: str, default=None):
    """The setting `proofshim.<key>`, or `default`."""
    import dask  # noqa: PLC0415 - dask is heavy; settings are read at Open and query time

    return dask.config.get(f"proofshim.{key}", default)
