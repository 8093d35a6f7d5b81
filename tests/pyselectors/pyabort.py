"""TPySelector test module: self.Abort() from Python. 'pyabort#file:G' skips the rest of the file
holding global entry id G; 'pyabort#process:G' stops that worker's processing at G."""
import ROOT
from ROOT import TPySelector


class PyAbort(TPySelector):
    def SlaveBegin(self, tree):
        self.mode, _, gid = self.GetOption().partition(":")
        self.at = int(gid)
        self.hgid = ROOT.TH1D("hgid", "", 30000, 0, 30000)
        self.n = {"SlaveBegin": 1, "SlaveTerminate": 0}
        self.GetOutputList().Add(self.hgid)

    def Init(self, tree):
        self.lgid = tree.GetLeaf("gid")

    def Process(self, entry):
        self.fChain.GetEntry(entry)
        gid = self.lgid.GetValueLong64()
        if gid == self.at and self.mode == "process":
            self.Abort(f"planted abort at {gid}")          # kAbortProcess: this entry is not filled
            return True
        self.hgid.Fill(gid)
        if gid == self.at:
            self.Abort(f"planted file abort at {gid}", TPySelector.kAbortFile)
        return True

    def SlaveTerminate(self):
        self.n["SlaveTerminate"] += 1
        for k, v in self.n.items():
            p = ROOT.TParameter["Long64_t"]("n_" + k, v)
            self.GetOutputList().Add(p)
