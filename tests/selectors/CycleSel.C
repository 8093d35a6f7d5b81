// Cycle-driven selector (no data): Process(i) gets every global cycle index once across workers.
#include "TSelector.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TProof.h"

class CycleSel : public TSelector {
public:
   TH1D *fH = nullptr;
   TParameter<Long64_t> *fInit = nullptr;
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      Long64_t n = 10;
      TProof::GetParameter(fInput, "CycleSel_N", n);
      fH = new TH1D("hcycle", "cycle index", n, -0.5, n - 0.5);
      fInit = new TParameter<Long64_t>("n_Init", 0);
      fOutput->Add(fH);
      fOutput->Add(fInit);
   }
   void Init(TTree *) override
   {
      if (fInit) fInit->SetVal(fInit->GetVal() + 1);
   }
   Bool_t Process(Long64_t i) override
   {
      fH->Fill(i);
      return kTRUE;
   }
   ClassDefOverride(CycleSel, 0)
};
