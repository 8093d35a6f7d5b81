"""A per-entry Python selector for the benchmark: BenchSel.C's four histograms, filled from Python.

A current-PyROOT style selector (a Python subclass of ROOT.TSelector) reading its branches through
branch addresses set in Init, the quick way in pyroot. It runs unchanged in one process
(`chain.Process(BenchPySel(), "", n)`, PyROOT calling Process(entry) from TTreePlayer's C++ loop)
and through proofshim (the workers call Process(entry) from their Python loop). Python computes pT
in double precision, BenchSel.C in float: compare these histograms with the Python one-process
run, not with the compiled selector's.
"""
import math
from array import array

import ROOT

HISTS = ("hpt", "htrkpt", "hpz", "hntrk")


class BenchPySel(ROOT.TSelector):
    def Version(self):
        return 2

    def SlaveBegin(self, tree):
        self.hpt = ROOT.TH1D("hpt", "p_{T}", 100, 0., 50.)
        self.hpz = ROOT.TH1D("hpz", "p_{z}", 100, -50., 50.)
        self.hntrk = ROOT.TH1D("hntrk", "tracks per event", 21, -0.5, 20.5)
        self.htrkpt = ROOT.TH1D("htrkpt", "track p_{T}", 100, 0., 30.)
        for h in (self.hpt, self.hpz, self.hntrk, self.htrkpt):
            h.SetDirectory(ROOT.nullptr)
            self.GetOutputList().Add(h)

    def Init(self, tree):
        # A chain keeps these addresses for each of its trees; a worker gets one tree per file.
        self.tree = tree
        self.px, self.py, self.pz = array("f", [0.]), array("f", [0.]), array("f", [0.])
        self.ntrk = array("i", [0])
        self.trkpt = ROOT.std.vector["float"]()
        for name, buf in (("px", self.px), ("py", self.py), ("pz", self.pz), ("ntrk", self.ntrk),
                          ("trkpt", self.trkpt)):
            tree.SetBranchAddress(name, buf)

    def Process(self, entry):
        self.tree.GetTree().GetEntry(entry)      # entry is tree-local
        px, py = self.px[0], self.py[0]
        self.hpt.Fill(math.sqrt(px * px + py * py))
        self.hpz.Fill(self.pz[0])
        self.hntrk.Fill(self.ntrk[0])
        fill = self.htrkpt.Fill
        for pt in self.trkpt:
            fill(pt)
        return True
