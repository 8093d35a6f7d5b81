"""TPySelector twin of SlowSel.C for the Ctrl-C tests: 1 ms of Python per cycle, n_processed
counted, Terminate prints it."""
import time

import ROOT
from ROOT import TPySelector


class PySlowSel(TPySelector):
    def SlaveBegin(self, tree):
        self.n = ROOT.TParameter["Long64_t"]("n_processed", 0)
        self.GetOutputList().Add(self.n)

    def Process(self, entry):
        end = time.monotonic() + 0.001
        while time.monotonic() < end:    # Python busy in Process, not in a C++ call
            pass
        self.n.SetVal(self.n.GetVal() + 1)
        return True

    def Terminate(self):
        n = self.GetOutputList().FindObject("n_processed")
        print("PySlowSel::Terminate n_processed=%d" % (n.GetVal() if n else -1), flush=True)
