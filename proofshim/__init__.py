"""proofshim: ROOT's removed PROOF, on dask.distributed.

`import proofshim` before a legacy pyroot script installs TProof (and gProof), TChain.SetProof and
the TChain::Process diversion; `proofshim.uninstall()` undoes all of it.
"""
from . import logsetup as _logsetup
from .patches import install, is_installed, uninstall

__all__ = ["install", "uninstall", "is_installed"]
__version__ = "0.1.0"

_logsetup.setup()
install()
