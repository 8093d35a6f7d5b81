// A slow cycle-driven selector (1 ms per entry) for stopping queries while they run.
#include "TSelector.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TProof.h"
#include "TSystem.h"

class SlowSel : public TSelector {
public:
   TParameter<Long64_t> *fN = nullptr;
   TH1D *fIdx = nullptr;   // with SlowSel_N: how often each index was processed
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override
   {
      fN = new TParameter<Long64_t>("n_processed", 0);
      fOutput->Add(fN);
      Long64_t n = 0;
      if (TProof::GetParameter(fInput, "SlowSel_N", n) == 0 && n > 0) {
         fIdx = new TH1D("hidx", "processings per index", n, -0.5, n - 0.5);
         fOutput->Add(fIdx);
      }
   }
   Bool_t Process(Long64_t i) override
   {
      gSystem->Sleep(1);
      if (fIdx) fIdx->Fill(i);
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
