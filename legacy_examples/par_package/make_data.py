#!/usr/bin/env python
"""Create the input files of the par_package example: three files with a TTree "mumu" of muon
pairs (pt1, eta1, phi1, pt2, eta2, phi2 as Float_t).

    python legacy_examples/par_package/make_data.py [DIR]

DIR defaults to $PROOFSHIM_EXAMPLE_DATA, else data/ next to this script. Existing files are kept.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRIES = (12000, 3000, 9000)

_WRITER = r"""
#include "TFile.h"
#include "TTree.h"
#include "TRandom3.h"
#include "TMath.h"
void par_package_write(const char *path, Long64_t n, UInt_t seed)
{
   TFile f(path, "RECREATE");
   TTree t("mumu", "muon pairs");
   Float_t v[6];
   const char *names[6] = {"pt1", "eta1", "phi1", "pt2", "eta2", "phi2"};
   for (int k = 0; k < 6; ++k) t.Branch(names[k], &v[k], TString::Format("%s/F", names[k]));
   TRandom3 r(seed);
   for (Long64_t i = 0; i < n; ++i) {
      for (int m = 0; m < 2; ++m) {
         v[3 * m] = 2 + r.Exp(4); v[3 * m + 1] = r.Uniform(-2.4, 2.4);
         v[3 * m + 2] = r.Uniform(-TMath::Pi(), TMath::Pi());
      }
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
        path = os.path.join(d, "par_package_%d.root" % i)
        if not os.path.exists(path):
            ROOT.par_package_write(path + ".tmp", n, 777 + i)
            os.replace(path + ".tmp", path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    print("\n".join(make_files(sys.argv[1] if len(sys.argv) > 1 else None)))
