"""Command line: `proofshim run 'macro.C(args)'` runs a legacy ROOT macro with the shim installed,
like `root -b -q` would: the exit status is 1 when a macro fails to compile or run, else the value
the last macro returned (as root's), 0 for a void macro."""
from __future__ import annotations

import argparse
import ctypes
import sys


def _run(args) -> int:
    from . import runtime  # noqa: PLC0415
    import proofshim  # noqa: F401, PLC0415 - installs the shim

    ROOT = runtime.import_root()
    ROOT.gROOT.SetBatch(True)
    status = 0
    for macro in args.macros:
        err = ctypes.c_int(0)
        rc = int(ROOT.gROOT.Macro(macro, err))
        if err.value != 0:
            print(f"proofshim run: {macro} failed (interpreter error {err.value})", file=sys.stderr)
            return 1
        status = rc & 0xFF if rc & 0xFF or rc == 0 else 1
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `proofshim` command."""
    parser = argparse.ArgumentParser(prog="proofshim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run ROOT macros (e.g. 'run.C(\"x\", 3)') with the shim installed")
    run.add_argument("macros", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
