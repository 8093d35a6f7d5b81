"""TPySelector test module: raises in the method named by the option ('pyfail#Process:1234' raises
in Process at entry 1234; 'pyfail#SlaveBegin', '#Init', '#SlaveTerminate', '#Begin', '#Terminate')."""
import ROOT
from ROOT import TPySelector


def where(option):
    method, _, entry = option.partition(":")
    return method, int(entry) if entry else -1


class PyFail(TPySelector):
    def _maybe(self, method, entry=-1):
        m, e = where(self.GetOption())
        if m == method and (e < 0 or e == entry):
            raise ValueError(f"planted failure in {method}")

    def Begin(self):
        self._maybe("Begin")

    def SlaveBegin(self, tree):
        self.h = ROOT.TH1D("hfail", "", 10, 0, 10)
        self.GetOutputList().Add(self.h)
        self._maybe("SlaveBegin")

    def Init(self, tree):
        self._maybe("Init")

    def Process(self, entry):
        self._maybe("Process", entry)
        self.h.Fill(1)
        return True

    def SlaveTerminate(self):
        self._maybe("SlaveTerminate")

    def Terminate(self):
        self._maybe("Terminate")
