"""Command line.

`proofshim run 'macro.C(args)'` runs a legacy ROOT macro with the shim installed, like `root -b -q`
would: the exit status is 1 when a macro fails to compile or run, else the value the last macro
returned (as root's), 0 for a void macro. The macros run in a child process whose exit is bounded
(proofshim.exit-timeout, 30 s): a crash while exiting gives 128 + the signal (see proofshim/runner.py).

`proofshim compare SELECTOR --files ...` runs a selector once locally and once through the shim
and compares the outputs: exit status 0 when they agree, 1 on any difference, 2 when the command
is misused or a run fails."""
from __future__ import annotations

import argparse
import ctypes
import os
import sys


def _run_macros(macros: list[str]) -> int:
    """Run the macros one after the other as `root -b -q` does; the status to exit with."""
    from .util import runtime  # noqa: PLC0415

    ROOT = runtime.import_root()
    ROOT.gROOT.SetBatch(True)
    status = 0
    for macro in macros:
        err = ctypes.c_int(0)
        rc = int(ROOT.gROOT.Macro(macro, err))
        if err.value != 0:
            print(f"proofshim run: {macro} failed (interpreter error {err.value})", file=sys.stderr)
            return 1
        status = rc & 0xFF if rc & 0xFF or rc == 0 else 1
    return status


def _run_child(macros: list[str], status_fd: int) -> int:
    """The supervised child: run the macros, close the sessions, report the status, and have the
    exit guard report when process exit begins (also through a macro's gSystem->Exit())."""
    from .face import patches  # noqa: PLC0415
    from . import runner  # noqa: PLC0415
    from .util import runtime  # noqa: PLC0415

    ROOT = runtime.import_root()
    ROOT.ProofShim.ExitGuardSetNotice(status_fd, runner.EXITING)
    status = _run_macros(macros)
    sys.stdout.flush()
    sys.stderr.flush()
    ctypes.CDLL(None).fflush(None)
    patches.at_exit()   # sessions closed, crash signals back to their default action
    os.write(status_fd, runner.status_line(status).encode())
    return status


def _run(args) -> int:
    import proofshim  # noqa: F401, PLC0415 - installs the shim (before the fork: the child starts at once)

    from . import runner  # noqa: PLC0415
    from .util import settings  # noqa: PLC0415

    if not runner.single_threaded():   # forking a threaded process is unsafe: run here, unbounded
        return _run_macros(args.macros)
    return runner.supervise(lambda fd: _run_child(args.macros, fd),
                            lambda: settings.get("exit-timeout"))


_COMPARE_EPILOG = """\
Objects are matched by name. Histograms: axes, every bin's content and error (flow bins too),
entries, statistics; trees: branches, entry count and an order-independent checksum of the
entries; TParameter by value, TNamed/TObjString by text, lists element by element; other
classes by their JSON form. Integer values must be equal, other numbers may differ by the
relative --tolerance (float sums depend on the order of additions). Files written through
TProofOutputFile are not compared.

exit status: 0 outputs agree, 1 differences found, 2 usage error or a failed run.
example: proofshim compare MySel.C+ --files data/*.root --tree Events --input MySel_PtCut=25.0
"""


def _compare(args) -> int:
    import json

    from . import compare
    from .util.errors import ProofShimError

    try:
        params = [compare.parse_input(text) for text in args.input]
        if args.workers is not None and args.workers < 1:
            raise compare.CompareError(f"--workers {args.workers}: give a positive number of workers")
        result = compare.compare_query(
            args.selector, args.files, tree=args.tree, nentries=args.nentries, first=args.firstentry,
            option=args.option, inputs=params, url=args.url, workers=args.workers,
            tolerance=args.tolerance, ignore=args.ignore)
    except ProofShimError as exc:
        print(f"proofshim compare: error: {exc}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - a failed run must not look like "differences found" (1)
        import traceback

        traceback.print_exc()
        print("proofshim compare: error: a run failed unexpectedly (traceback above)", file=sys.stderr)
        return 2
    print(result.report(), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result.as_dict(), fh, indent=1)
    return 0 if result.ok else 1


def version_text() -> str:
    """`proofshim --version`: proofshim's version and those of what it runs on (importing the
    command has loaded ROOT already)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__
    from .util import runtime

    def dist(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (f"proofshim {__version__} (ROOT {runtime.import_root().gROOT.GetVersion()}, "
            f"dask {dist('dask')}, distributed {dist('distributed')}, Python {platform.python_version()})")


class _Version(argparse.Action):
    """Print version_text() unwrapped (argparse's own version action wraps it) and exit."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `proofshim` command."""
    parser = argparse.ArgumentParser(prog="proofshim", description=__doc__)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the versions and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run ROOT macros (e.g. 'run.C(\"x\", 3)') with the shim installed")
    run.add_argument("macros", nargs="+")
    cmp = sub.add_parser(
        "compare", help="run a selector locally and through the shim and compare the outputs",
        description="Run a TSelector query once in this process with plain ROOT (TChain::Process, "
                    "no PROOF) and once through proofshim, and compare every output object.",
        epilog=_COMPARE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    cmp.add_argument("selector", help="selector source with an ACLiC suffix, e.g. MySel.C+")
    cmp.add_argument("--files", nargs="+", required=True, metavar="FILE", help="input ROOT files (or URLs)")
    cmp.add_argument("--tree", default="T", help="tree name in the files (default: T)")
    cmp.add_argument("--nentries", type=int, default=-1, help="entries to process (default: all)")
    cmp.add_argument("--firstentry", type=int, default=0, help="first entry to process (default: 0)")
    cmp.add_argument("--option", default="", help="the option string given to Process")
    cmp.add_argument("--input", action="append", default=[], metavar="NAME[:TYPE]=VALUE",
                     help="a parameter for both runs, as TProof::SetParameter: an integer becomes "
                          "TParameter<Int_t> (Long64_t beyond Int_t's range), a decimal number "
                          "TParameter<Double_t>, anything else a TNamed; TYPE (Int_t, Long_t, "
                          "Long64_t, Double_t, string) forces one; repeatable")
    cmp.add_argument("--url", default=None,
                     help="TProof.Open URL of the shim run (default: an embedded local cluster)")
    cmp.add_argument("--workers", type=int, default=None,
                     help="workers of the shim run (with --url: SetParallel(N))")
    cmp.add_argument("--tolerance", type=float, default=None, metavar="REL",
                     help="relative tolerance for non-integer numbers (default: 1e-9)")
    cmp.add_argument("--ignore", action="append", default=[], metavar="GLOB",
                     help="output objects not to compare, e.g. 'n_SlaveBegin' or 'debug/*'; repeatable")
    cmp.add_argument("--json", metavar="FILE", help="also write the result as JSON to FILE")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "compare":
        if args.tolerance is None:
            from .compare import DEFAULT_TOLERANCE
            args.tolerance = DEFAULT_TOLERANCE
        return _compare(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
