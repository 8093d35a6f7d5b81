// A selector that crashes its process (segmentation violation) on one cycle index.
#include "TSelector.h"
#include "TParameter.h"
#include "TProof.h"

class CrashSel : public TSelector {
public:
   Long64_t fCrashAt = -1;
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override { TProof::GetParameter(fInput, "CrashSel_At", fCrashAt); }
   Bool_t Process(Long64_t i) override
   {
      if (i == fCrashAt) {
         volatile int *p = nullptr;
         *p = 42;
      }
      return kTRUE;
   }
   ClassDefOverride(CrashSel, 0);
};
