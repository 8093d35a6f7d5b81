#!/usr/bin/env python
"""Create the input files of the draw_proof example: three files with a TTree "ntp" of
dimuon candidates (mass, pt, y as Double_t; ncand as Int_t).

    python legacy_examples/draw_proof/make_data.py [DIR]

The directory defaults to $PROOFSHIM_EXAMPLE_DATA, else data/ next to this script.
Existing files are kept.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*This distribution of ROOT is in alpha",
                        category=UserWarning)

import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRIES = (20000, 8000, 30000)


def make_files(directory=None):
    d = os.path.abspath(directory or os.environ.get("PROOFSHIM_EXAMPLE_DATA") or os.path.join(HERE, "data"))
    os.makedirs(d, exist_ok=True)
    paths = []
    for i, n in enumerate(ENTRIES):
        path = os.path.join(d, "draw_proof_%d.root" % i)
        paths.append(path)
        if os.path.exists(path):
            continue
        rng = ROOT.TRandom3(4242 + i)
        f = ROOT.TFile(path + ".tmp", "RECREATE")
        t = ROOT.TTree("ntp", "dimuon candidates")
        import array
        mass, pt, y = array.array("d", [0]), array.array("d", [0]), array.array("d", [0])
        ncand = array.array("i", [0])
        t.Branch("mass", mass, "mass/D")
        t.Branch("pt", pt, "pt/D")
        t.Branch("y", y, "y/D")
        t.Branch("ncand", ncand, "ncand/I")
        for _ in range(n):
            # a J/psi-like peak on an exponential background
            mass[0] = rng.Gaus(3.097, 0.04) if rng.Rndm() < 0.3 else 2.5 + rng.Exp(0.8)
            pt[0] = rng.Exp(3.0)
            y[0] = rng.Uniform(-2.4, 2.4)
            ncand[0] = 1 + rng.Poisson(0.5)
            t.Fill()
        t.Write()
        f.Close()
        os.replace(path + ".tmp", path)
    return paths


if __name__ == "__main__":
    print("\n".join(make_files(sys.argv[1] if len(sys.argv) > 1 else None)))
