"""TPySelector test module: fills px (with a cut from the option, 'pycount#cut=0.5') and the
global entry id of every entry, and counts the calls of every method. Begin and Terminate on the
client are recorded in CLIENT_CALLS, with what Terminate sees."""
import ROOT
from ROOT import TPySelector

import pycuts

CLIENT_CALLS = []
NGID = 30000
METHODS = ("SlaveBegin", "Init", "Notify", "Process", "SlaveTerminate")


def option_cut(option):
    for tok in option.split():
        if tok.startswith("cut="):
            return float(tok[4:])
    return pycuts.PX_MIN_DEFAULT


class PyCount(TPySelector):
    def Begin(self):
        CLIENT_CALLS.append(("Begin", self.GetOption()))

    def SlaveBegin(self, tree):
        self.cut = option_cut(self.GetOption())
        self.hpx = ROOT.TH1D("hpx", "px", 50, -4, 4)
        self.hgid = ROOT.TH1D("hgid", "global entry id", NGID, 0, NGID)
        self.calls = {m: ROOT.TParameter["Long64_t"]("calls_" + m, 0) for m in METHODS}
        self.counts = dict.fromkeys(METHODS, 0)
        self.counts["SlaveBegin"] = 1
        self.opt = ROOT.TNamed("opt", self.GetOption())
        for obj in [self.hpx, self.hgid, self.opt, *self.calls.values()]:
            self.GetOutputList().Add(obj)

    def Init(self, tree):
        self.counts["Init"] += 1
        assert self.fChain is tree and not tree.InheritsFrom("TChain"), "fChain is the file's tree"
        self.lgid, self.lpx = tree.GetLeaf("gid"), tree.GetLeaf("px")

    def Notify(self):
        self.counts["Notify"] += 1
        return True

    def Process(self, entry):
        if self.fChain.GetEntry(entry) <= 0:
            return False
        self.counts["Process"] += 1
        px = self.lpx.GetValue()
        if pycuts.keep(px, self.cut):
            self.hpx.Fill(px)
        self.hgid.Fill(self.lgid.GetValueLong64())
        return True

    def SlaveTerminate(self):
        self.counts["SlaveTerminate"] += 1
        for m in METHODS:
            self.calls[m].SetVal(self.counts[m])

    def Terminate(self):
        CLIENT_CALLS.append(("Terminate", self.hpx.GetEntries(), self.calls["Process"].GetVal()))
