// A cycle-driven selector that prints, for the log tests: a line from SlaveBegin and one from
// SlaveTerminate (stdout, with the worker's ordinal and the query's tag), one to stderr and a ROOT
// warning; with LogSel_FailAt it prints a line and throws at that cycle, with LogSel_CrashAt it
// prints a line and crashes its process. Nothing is flushed by hand: the shim must not lose it.
#include "TSelector.h"
#include "TParameter.h"
#include "TNamed.h"
#include "TError.h"
#include "TProof.h"
#include <cstdio>
#include <stdexcept>

class LogSel : public TSelector {
public:
   TString fOrd, fTag;
   Long64_t fFailAt = -1, fCrashAt = -1;
   TParameter<Long64_t> *fN = nullptr;

   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override
   {
      TProof::GetParameter(fInput, "PROOF_Ordinal", fOrd);
      TProof::GetParameter(fInput, "LogSel_Tag", fTag);
      TProof::GetParameter(fInput, "LogSel_FailAt", fFailAt);
      TProof::GetParameter(fInput, "LogSel_CrashAt", fCrashAt);
      fN = new TParameter<Long64_t>("LogSel_N", 0);
      fOutput->Add(fN);
      printf("LogSel[%s] SlaveBegin tag=%s\n", fOrd.Data(), fTag.Data());
   }
   Bool_t Process(Long64_t i) override
   {
      if (i == fFailAt) {
         printf("LogSel[%s] about to fail at cycle %lld\n", fOrd.Data(), i);
         throw std::runtime_error("LogSel failed on purpose");
      }
      if (i == fCrashAt) {
         printf("LogSel[%s] about to crash at cycle %lld\n", fOrd.Data(), i);
         volatile int *p = nullptr;
         *p = 1;
      }
      fN->SetVal(fN->GetVal() + 1);
      return kTRUE;
   }
   void   SlaveTerminate() override
   {
      printf("LogSel[%s] SlaveTerminate processed=%lld tag=%s\n", fOrd.Data(), fN->GetVal(), fTag.Data());
      fprintf(stderr, "LogSel[%s] stderr line tag=%s\n", fOrd.Data(), fTag.Data());
      ::Warning("LogSel::SlaveTerminate", "LogSel[%s] ROOT warning tag=%s", fOrd.Data(), fTag.Data());
   }
   ClassDefOverride(LogSel, 0);
};
