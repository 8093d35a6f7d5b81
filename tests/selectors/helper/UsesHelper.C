// Uses a function of the helper library loaded with TProof::Load.
#include "TSelector.h"
#include "TParameter.h"
double HelperScale(double x);

class UsesHelper : public TSelector {
public:
   TParameter<Double_t> *fSum = nullptr;
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      fSum = new TParameter<Double_t>("scaled_sum", 0);
      fOutput->Add(fSum);
   }
   Bool_t Process(Long64_t) override
   {
      fSum->SetVal(fSum->GetVal() + HelperScale(1.0));
      return kTRUE;
   }
   ClassDefOverride(UsesHelper, 0)
};
