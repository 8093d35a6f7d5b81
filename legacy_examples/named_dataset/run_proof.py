#!/usr/bin/env python
# Register the runs as named PROOF data sets and process them by name:
# "myruns" (runs 101-103) and "otherruns" (runs 201-202) are registered from
# TFileCollections, listed with ShowDataSets(), then DsSel runs over
# "myruns#events" and over the union "myruns|otherruns".
#
#   python legacy_examples/named_dataset/run_proof.py            # PROOF (via proofshim)
#   python legacy_examples/named_dataset/run_proof.py --local    # plain ROOT, one process
#
# The output list of each query is printed and written to --out (default
# ./named_dataset_out.root), in one directory per query: myruns/ and union/.
import argparse
import atexit
import os
import shutil
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_data import make_files  # noqa: E402

parser = argparse.ArgumentParser(description="DsSel on registered data sets")
parser.add_argument("--local", action="store_true",
                    help="no PROOF: TChain::Process over the same files in this process")
parser.add_argument("--out", default="named_dataset_out.root",
                    help="ROOT file for the output lists (default: %(default)s)")
parser.add_argument("--data", default=None,
                    help="input directory (default: $PROOFSHIM_EXAMPLE_DATA or data/ here)")
args = parser.parse_args()

if not args.local:
    # Not part of the legacy script: keep the example's data sets out of the
    # user's store (~/.proof/datasets).  proofshim reads its dataset directory
    # from the dask setting proofshim.dataset-dir, which dask also takes from
    # this environment variable; it must be set before proofshim (and dask)
    # are imported.  The directory is removed when the script exits.
    dataset_store = tempfile.mkdtemp(prefix="proofshim-datasets-")
    atexit.register(shutil.rmtree, dataset_store, True)
    os.environ["DASK_PROOFSHIM__DATASET_DIR"] = dataset_store
    import proofshim  # noqa: F401  -- the one line added to the legacy script

ROOT.gROOT.SetBatch(True)

files = make_files(args.data)
selector = os.path.join(HERE, "DsSel.C") + "+"
OPTION = "ptmin=25"


def describe(output):
    for obj in output:
        name = obj.GetName()
        if name.startswith("PROOF_"):
            continue
        if obj.InheritsFrom("TH1"):
            print("  %-12s %-6s entries = %8d  mean = %.4f"
                  % (name, obj.ClassName(), obj.GetEntries(), obj.GetMean()))
        elif obj.ClassName().startswith("TParameter"):
            print("  %-12s %s = %s" % (name, obj.ClassName(), obj.GetVal()))


def save(fout, dirname, output):
    """Histograms and counters of one query's output list into fout:dirname/."""
    d = fout.mkdir(dirname)
    for obj in output:
        if obj.GetName().startswith("PROOF_"):
            continue
        if obj.InheritsFrom("TH1") or obj.ClassName().startswith("TParameter"):
            d.WriteTObject(obj, obj.GetName())


fout = ROOT.TFile(args.out, "RECREATE")

# ---- the PROOF-era analysis code ------------------------------------------
if not args.local:
    proof = ROOT.TProof.Open("")

    for dsname, title in (("myruns", "runs 101-103"), ("otherruns", "runs 201-202")):
        fc = ROOT.TFileCollection(dsname, title)
        for f in files[dsname]:
            fi = ROOT.TFileInfo(f)
            ROOT.SetOwnership(fi, False)   # the collection owns its TFileInfo's
            fc.Add(fi)
        fc.SetDefaultTreeName("/events")   # the tree read when a query names none
        # "O": overwrite an older version, "V": verify the files (entries become metadata)
        if not proof.RegisterDataSet(dsname, fc, "OV"):
            print("ERROR: could not register data set '%s'" % dsname)
            sys.exit(1)
    proof.ShowDataSets()
    for dsname in ("myruns", "otherruns"):
        if not proof.ExistsDataSet(dsname):
            print("ERROR: data set '%s' is not registered" % dsname)
            sys.exit(1)

    queries = (("myruns", "myruns#events"), ("union", "myruns|otherruns"))
    for label, dsname in queries:
        print("--- processing '%s'" % dsname)
        ret = proof.Process(dsname, selector, OPTION)
        if ret < 0:
            print("ERROR: processing '%s' failed (return value %d)" % (dsname, ret))
            sys.exit(1)
        output = proof.GetOutputList()
        print("Output list:")
        describe(output)
        save(fout, label, output)   # the next query clears the output list
else:
    queries = (("myruns", files["myruns"]), ("union", files["myruns"] + files["otherruns"]))
    for label, names in queries:
        chain = ROOT.TChain("events")
        for f in names:
            chain.Add(f)
        print("--- processing chain 'events' of %d files (%s)" % (len(names), label))
        sel = ROOT.TSelector.GetSelector(selector)
        ret = chain.Process(sel, OPTION)
        if ret < 0:
            print("ERROR: processing failed (return value %d)" % ret)
            sys.exit(1)
        output = sel.GetOutputList()
        print("Output list:")
        describe(output)
        save(fout, label, output)
# ---------------------------------------------------------------------------

fout.Close()
print("output written to %s" % os.path.abspath(args.out))
