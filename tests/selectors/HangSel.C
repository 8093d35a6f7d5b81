// A cycle-driven selector that counts its protocol calls and, with HangSel_At, gets stuck in
// Process at that cycle (an endless loop in C++: only killing its worker ends it).
#include "TSelector.h"
#include "TParameter.h"
#include "TProof.h"
#include "TSystem.h"

class HangSel : public TSelector {
public:
   TParameter<Long64_t> *fN = nullptr;
   Long64_t fHangAt = -1;
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override
   {
      fN = new TParameter<Long64_t>("n_processed", 0);
      fOutput->Add(fN);
      fOutput->Add(new TParameter<Long64_t>("n_SlaveBegin", 1));   // summed over the workers
      TProof::GetParameter(fInput, "HangSel_At", fHangAt);
   }
   Bool_t Process(Long64_t i) override
   {
      if (i == fHangAt) {
         volatile bool forever = true;
         while (forever) gSystem->Sleep(50);
      }
      gSystem->Sleep(1);
      fN->SetVal(fN->GetVal() + 1);
      return kTRUE;
   }
   void   SlaveTerminate() override { fOutput->Add(new TParameter<Long64_t>("n_SlaveTerminate", 1)); }
   ClassDefOverride(HangSel, 0);
};
