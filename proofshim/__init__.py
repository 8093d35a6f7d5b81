"""proofshim: ROOT's removed PROOF, on dask.distributed.

`import proofshim` before a legacy pyroot script installs TProof (and gProof), TChain.SetProof and
the TChain::Process diversion; `proofshim.uninstall()` undoes all of it.
"""
from .face import session  # proofshim.session.get(proof): the Python session behind a TProof
from .face.patches import install, is_installed, uninstall
from .util import messages as _messages

__all__ = ["install", "uninstall", "is_installed", "session"]
__version__ = "0.1.0"

_messages.setup()
install()
