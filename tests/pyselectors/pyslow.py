"""TPySelector test module for stopping: every Process call takes 20 ms of Python time."""
import time

import ROOT
from ROOT import TPySelector


class PySlow(TPySelector):
    def SlaveBegin(self, tree):
        self.n = ROOT.TParameter["Long64_t"]("n_slow", 0)
        self.GetOutputList().Add(self.n)

    def Process(self, entry):
        end = time.monotonic() + 0.02
        while time.monotonic() < end:
            pass
        self.n.SetVal(self.n.GetVal() + 1)
        return True

    def Terminate(self):
        print(f"PySlow::Terminate n_slow={self.n.GetVal()}", flush=True)
