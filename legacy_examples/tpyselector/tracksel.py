# A PROOF selector written in Python (pyroot's TPySelector), as in ROOT 5 and ROOT 6 up to 6.22:
#
#     dataset.Process('TPySelector', 'tracksel#ptmin=2.0 out=tracks.root')
#
# pyroot imports this module, instantiates its one TPySelector class on the client and on every
# worker, and hands it the option's part after '#'.
import math

from ROOT import TFile, TH1F, TPySelector


def parse(option):
    opts = dict(tok.split('=', 1) for tok in option.split() if '=' in tok)
    return float(opts.get('ptmin', '0')), opts.get('out', 'tracksel.root')


class TrackSel(TPySelector):
    def Begin(self):
        self.ptmin, self.outname = parse(self.GetOption())
        print('py: TrackSel beginning, pt > %.1f GeV' % self.ptmin)

    def SlaveBegin(self, tree):
        self.ptmin, _ = parse(self.GetOption())
        self.hpt = TH1F('hpt', 'track p_{T};p_{T} [GeV];tracks', 60, 0., 15.)
        self.heta = TH1F('heta', 'track #eta;#eta;tracks', 50, -5., 5.)
        self.hnhit = TH1F('hnhit', 'hits per track;hits;tracks', 31, -0.5, 30.5)
        for h in (self.hpt, self.heta, self.hnhit):
            self.GetOutputList().Add(h)

    def Process(self, entry):
        if self.fChain.GetEntry(entry) <= 0:
            return 0
        px, py, pz = self.fChain.px, self.fChain.py, self.fChain.pz
        pt = math.sqrt(px * px + py * py)
        if pt < self.ptmin:
            return 1
        self.hpt.Fill(pt)
        self.heta.Fill(math.asinh(pz / pt))
        self.hnhit.Fill(self.fChain.nhit)
        return 1

    def Terminate(self):
        hpt = self.GetOutputList().FindObject('hpt')
        print('TrackSel: %d tracks above %.1f GeV, <pt> = %.3f GeV'
              % (hpt.GetEntries(), self.ptmin, hpt.GetMean()))
        out = TFile(self.outname, 'RECREATE')
        for obj in self.GetOutputList():
            if obj.InheritsFrom('TH1'):
                obj.Write()
        out.Close()
