#!/usr/bin/env python
"""Create the input files of the cxx_driver example: four files with a TTree "tracks"
(pt, eta, phi as Float_t; nhits as Int_t), one track per entry.

    python legacy_examples/cxx_driver/make_data.py [DIR]

DIR defaults to $PROOFSHIM_EXAMPLE_DATA, else data/ next to this script. Existing files are kept.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRIES = (15000, 4000, 22000, 9000)

_WRITER = r"""
#include "TFile.h"
#include "TTree.h"
#include "TRandom3.h"
#include "TMath.h"
void cxx_driver_write(const char *path, Long64_t n, UInt_t seed)
{
   TFile f(path, "RECREATE");
   TTree t("tracks", "one track per entry");
   Float_t pt, eta, phi; Int_t nhits;
   t.Branch("pt", &pt, "pt/F"); t.Branch("eta", &eta, "eta/F");
   t.Branch("phi", &phi, "phi/F"); t.Branch("nhits", &nhits, "nhits/I");
   TRandom3 r(seed);
   for (Long64_t i = 0; i < n; ++i) {
      pt = r.Exp(2.5); eta = r.Uniform(-2.5, 2.5); phi = r.Uniform(-TMath::Pi(), TMath::Pi());
      nhits = 5 + r.Poisson(8);
      t.Fill();
   }
   t.Write();
}
"""


def make_files(directory=None):
    d = os.path.abspath(directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data"))
    os.makedirs(d, exist_ok=True)
    ROOT.gInterpreter.Declare(_WRITER)
    paths = []
    for i, n in enumerate(ENTRIES):
        path = os.path.join(d, "cxx_driver_%d.root" % i)
        if not os.path.exists(path):
            ROOT.cxx_driver_write(path + ".tmp", n, 9000 + i)
            os.replace(path + ".tmp", path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    print("\n".join(make_files(sys.argv[1] if len(sys.argv) > 1 else None)))
