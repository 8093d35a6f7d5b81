// A cycle-driven selector that, at cycle MemSel_At, takes MemSel_MB megabytes of memory and keeps
// them (as a leaking analysis would): its worker goes over the memory limit.
#include "TSelector.h"
#include "TParameter.h"
#include "TProof.h"
#include "TSystem.h"
#include <cstring>

class MemSel : public TSelector {
public:
   TParameter<Long64_t> *fN = nullptr;
   Long64_t fAt = -1, fMB = 0;
   char *fBlock = nullptr;   // kept: the memory stays taken
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override
   {
      fN = new TParameter<Long64_t>("n_processed", 0);
      fOutput->Add(fN);
      TProof::GetParameter(fInput, "MemSel_At", fAt);
      TProof::GetParameter(fInput, "MemSel_MB", fMB);
   }
   Bool_t Process(Long64_t i) override
   {
      if (i == fAt) {
         fBlock = new char[fMB << 20];
         std::memset(fBlock, 1, fMB << 20);   // touched: resident, not just reserved
         for (Long64_t k = 0; k < (fMB << 20); k += 4096) ((volatile char *)fBlock)[k] = (char)k;
         // Stay in this packet while the nanny notices (it checks every 100 ms; a loaded machine
         // is slower): the death is then attributed to the packet that took the memory.
         gSystem->Sleep(3000);
      }
      gSystem->Sleep(1);
      fN->SetVal(fN->GetVal() + 1);
      return kTRUE;
   }
   ClassDefOverride(MemSel, 0);
};
