"""Command line: `proofshim run 'macro.C(args)'` runs a legacy ROOT macro with the shim installed,
like `root -b -q` would."""
from __future__ import annotations

import argparse
import ctypes
import sys


def _run(args) -> int:
    from . import runtime  # noqa: PLC0415
    import proofshim  # noqa: F401, PLC0415 - installs the shim

    ROOT = runtime.import_root()
    ROOT.gROOT.SetBatch(True)
    for macro in args.macros:
        err = ctypes.c_int(0)
        rc = ROOT.gROOT.Macro(macro, err)
        if err.value != 0:
            print(f"proofshim run: {macro} failed (interpreter error {err.value})", file=sys.stderr)
            return 1
        if args.check_return and int(rc) < 0:
            print(f"proofshim run: {macro} returned {int(rc)}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `proofshim` command."""
    parser = argparse.ArgumentParser(prog="proofshim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run ROOT macros (e.g. 'run.C(\"x\", 3)') with the shim installed")
    run.add_argument("macros", nargs="+")
    run.add_argument("--check-return", action="store_true",
                     help="fail when a macro returns a negative number")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
