"""A base TPySelector class and the selector deriving from it: the derived one is the selector."""
import ROOT
from ROOT import TPySelector


class Base(TPySelector):
    def SlaveBegin(self, tree):
        self.n = ROOT.TParameter["Long64_t"]("n_derived", 0)
        self.GetOutputList().Add(self.n)


class Derived(Base):
    def Process(self, entry):
        self.n.SetVal(self.n.GetVal() + 1)
        return True
