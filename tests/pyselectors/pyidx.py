"""TPySelector twin of SlowSel.C for the lost-worker tests: 1 ms per cycle, and with the parameter
SlowSel_N a histogram of how often each cycle index was processed."""
import time

import ROOT
from ROOT import TPySelector


class PyIdx(TPySelector):
    def SlaveBegin(self, tree):
        self.hidx = None
        n = self.GetInputList().FindObject("SlowSel_N")
        if n:
            self.hidx = ROOT.TH1D("hidx", "processings per index", n.GetVal(), -0.5, n.GetVal() - 0.5)
            self.GetOutputList().Add(self.hidx)

    def Process(self, entry):
        time.sleep(0.001)
        if self.hidx:
            self.hidx.Fill(entry)
        return True
