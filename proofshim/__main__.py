"""`python -m proofshim ...`: the same as the `proofshim` command."""
import sys

from .cli import main

sys.exit(main())
