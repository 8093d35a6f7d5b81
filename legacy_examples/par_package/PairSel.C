// Selector needing the DiMuon package's helper class on every worker.
#include "TSelector.h"
#include "TTree.h"
#include "TH1F.h"
#include "DiMuonKin.h"

class PairSel : public TSelector {
public:
   TTree    *fChain = 0;
   Float_t   v[6];
   DiMuonKin fKin;
   TH1F     *fHmass = 0;
   TH1F     *fHpt = 0;

   Int_t  Version() const override { return 2; }
   void   Init(TTree *tree) override
   {
      fChain = tree;
      const char *names[6] = {"pt1", "eta1", "phi1", "pt2", "eta2", "phi2"};
      for (int k = 0; k < 6; ++k) fChain->SetBranchAddress(names[k], &v[k]);
   }
   Bool_t Notify() override { return kTRUE; }
   void   SlaveBegin(TTree *) override
   {
      fHmass = new TH1F("hmass", "di-muon mass;m [GeV];pairs", 100, 0, 50);
      fHpt = new TH1F("hpairpt", "pair p_{T};p_{T} [GeV];pairs", 80, 0, 40);
      fOutput->Add(fHmass);
      fOutput->Add(fHpt);
   }
   Bool_t Process(Long64_t entry) override
   {
      fChain->GetTree()->GetEntry(entry);
      fHmass->Fill(fKin.Mass(v[0], v[1], v[2], v[3], v[4], v[5]));
      fHpt->Fill(fKin.PairPt(v[0], v[2], v[3], v[5]));
      return kTRUE;
   }
   ClassDefOverride(PairSel, 0);
};
