// A slow tree selector (1 ms per entry) for stopping queries over many files: counts how often each
// global id (branch gid) was processed, in a histogram of SlowTreeSel_NTotal bins.
#include "TSelector.h"
#include "TTree.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TProof.h"
#include "TSystem.h"

class SlowTreeSel : public TSelector {
public:
   TTree *fChain = nullptr;
   Long64_t fGid = 0;
   TParameter<Long64_t> *fN = nullptr;
   TH1D *fHgid = nullptr;
   Int_t  Version() const override { return 2; }
   void   Init(TTree *t) override
   {
      fChain = t;
      fChain->SetBranchAddress("gid", &fGid);
   }
   void   SlaveBegin(TTree *) override
   {
      Long64_t n = 100;
      TProof::GetParameter(fInput, "SlowTreeSel_NTotal", n);
      fHgid = new TH1D("hgid", "processings per global id", n, -0.5, n - 0.5);
      fN = new TParameter<Long64_t>("n_processed", 0);
      fOutput->Add(fHgid);
      fOutput->Add(fN);
   }
   Bool_t Process(Long64_t entry) override
   {
      fChain->GetEntry(entry);
      gSystem->Sleep(1);
      fHgid->Fill(fGid);
      fN->SetVal(fN->GetVal() + 1);
      return kTRUE;
   }
   ClassDefOverride(SlowTreeSel, 0);
};
