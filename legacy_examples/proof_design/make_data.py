#!/usr/bin/env python
"""Create the input files of the proof_design example:

- tree_0.root .. tree_2.root: a TTree "T" with px, py, pz (Float_t), one track per entry;
- events_0.root .. events_2.root: MyEvent objects written one per key ("event;1", "event;2", ...)
  into the directory /events, plus a histogram and a note beside them that are not events.

    python legacy_examples/proof_design/make_data.py [DIR]

DIR defaults to $PROOFSHIM_EXAMPLE_DATA, else data/ next to this script. Existing files are kept.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
TRACKS = (12000, 3000, 7000)
EVENTS = (400, 35, 260)

_WRITER = r"""
#include "TFile.h"
#include "TTree.h"
#include "TH1F.h"
#include "TNamed.h"
#include "TRandom3.h"
void proof_design_trees(const char *path, Long64_t n, UInt_t seed)
{
   TFile f(path, "RECREATE");
   TTree t("T", "one track per entry");
   Float_t px, py, pz;
   t.Branch("px", &px, "px/F"); t.Branch("py", &py, "py/F"); t.Branch("pz", &pz, "pz/F");
   TRandom3 r(seed);
   for (Long64_t i = 0; i < n; ++i) {
      px = r.Gaus(0, 1.2); py = r.Gaus(0, 1.2); pz = r.Gaus(0, 3);
      t.Fill();
   }
   t.Write();
}
void proof_design_events(const char *path, Long64_t n, UInt_t seed)
{
   TFile f(path, "RECREATE");
   TH1F calib("calib", "not an event", 10, 0, 1);
   calib.Write();
   TDirectory *d = f.mkdir("events");
   d->cd();
   TRandom3 r(seed);
   MyEvent ev;
   for (Long64_t i = 0; i < n; ++i) {
      ev.fNtrack = r.Poisson(12);
      ev.fEnergy = r.Landau(40, 12);
      ev.fVertexZ = r.Gaus(0, 5);
      ev.Write("event");
   }
   TNamed("run_info", "not an event either").Write();
}
"""


def main(directory):
    os.makedirs(directory, exist_ok=True)
    # ACLiC's library goes beside the data, not into the example's directory.
    ROOT.gSystem.SetBuildDir(os.path.join(os.path.abspath(directory), ".build"), True)
    if ROOT.gSystem.CompileMacro(os.path.join(HERE, "MyEvent.C"), "k") != 1:
        sys.exit("cannot compile MyEvent.C")
    ROOT.gInterpreter.Declare(f'#include "{os.path.join(HERE, "MyEvent.h")}"\n' + _WRITER)
    for i, n in enumerate(TRACKS):
        path = os.path.join(directory, f"tree_{i}.root")
        if not os.path.exists(path):
            ROOT.proof_design_trees(path, n, 100 + i)
    for i, n in enumerate(EVENTS):
        path = os.path.join(directory, f"events_{i}.root")
        if not os.path.exists(path):
            ROOT.proof_design_events(path, n, 200 + i)
    print(f"{sum(TRACKS)} tracks, {sum(EVENTS)} events in {directory}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PROOFSHIM_EXAMPLE_DATA",
                                                             os.path.join(HERE, "data")))
