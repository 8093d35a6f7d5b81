// A slow cycle-driven selector (1 ms per entry) for stopping queries while they run.
#include "TSelector.h"
#include "TParameter.h"
#include "TSystem.h"

class SlowSel : public TSelector {
public:
   TParameter<Long64_t> *fN = nullptr;
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override
   {
      fN = new TParameter<Long64_t>("n_processed", 0);
      fOutput->Add(fN);
   }
   Bool_t Process(Long64_t) override
   {
      gSystem->Sleep(1);
      fN->SetVal(fN->GetVal() + 1);
      return kTRUE;
   }
   void   Terminate() override
   {
      auto *n = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("n_processed"));
      printf("SlowSel::Terminate n_processed=%lld\n", n ? n->GetVal() : -1LL);
      fflush(stdout);
   }
   ClassDefOverride(SlowSel, 0);
};
