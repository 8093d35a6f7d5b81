"""proofshim's settings: the `proofshim` section of dask's configuration (YAML files in
~/.config/dask/, or DASK_PROOFSHIM__* environment variables), over the defaults packaged in
proofshim/proofshim.yaml (the one place a default is written)."""
from __future__ import annotations

import os

DEFAULTS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "proofshim.yaml")
_loaded = False


def _load_defaults() -> None:
    global _loaded
    if _loaded:
        return
    import dask  # noqa: PLC0415 - dask is heavy; settings are read at Open and query time
    import yaml  # noqa: PLC0415 - a dependency of dask

    with open(DEFAULTS_FILE) as fh:
        dask.config.update_defaults(yaml.safe_load(fh))
    _loaded = True


def get(key: str):
    """The setting `proofshim.<key>`: the user's value, else the packaged default."""
    import dask  # noqa: PLC0415

    _load_defaults()
    return dask.config.get(f"proofshim.{key}")


def defaults() -> dict:
    """The packaged defaults, as proofshim.yaml gives them."""
    import yaml  # noqa: PLC0415

    with open(DEFAULTS_FILE) as fh:
        return yaml.safe_load(fh)["proofshim"]
