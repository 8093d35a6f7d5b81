// Cycle-driven selector whose library misbehaves when the *client* process exits, as some
// physicists' selectors do: a global object's destructor frees a block twice (a heap corruption
// glibc aborts on while holding its malloc lock), or first hands SIGABRT back to ROOT's crash
// handler (whose stack trace then waits for that lock for ever), or never returns. Armed in Begin()
// (which only the client runs) by the option: "free-twice-at-exit", "hang-in-crash-handler",
// "hang-at-exit". The workers exit cleanly.
#include "TSelector.h"
#include "TH1D.h"
#include "TString.h"
#include "TSystem.h"
#include <cstdlib>
#include <unistd.h>

namespace {
struct ExitTrap {
   char *fBlock = static_cast<char *>(malloc(4096));   // beyond glibc's tcache: freed under its lock
   int fMode = 0;
   ~ExitTrap()
   {
      if (fMode == 3)
         for (;;) ::sleep(1);
      if (fMode == 2) gSystem->ResetSignal(kSigAbort, kFALSE);
      if (fMode) {
         free(fBlock);
         free(fBlock);
      }
   }
};
ExitTrap gExitTrap;
} // namespace

class ExitCrashSel : public TSelector {
public:
   TH1D *fH = nullptr;
   Int_t Version() const override { return 2; }
   void Begin(TTree *) override
   {
      TString opt = GetOption();
      if (opt.Contains("free-twice-at-exit")) gExitTrap.fMode = 1;
      if (opt.Contains("hang-in-crash-handler")) gExitTrap.fMode = 2;
      if (opt.Contains("hang-at-exit")) gExitTrap.fMode = 3;
   }
   void SlaveBegin(TTree *) override
   {
      fH = new TH1D("hcycles", "cycles", 10, -0.5, 9.5);
      fOutput->Add(fH);
   }
   Bool_t Process(Long64_t i) override
   {
      fH->Fill(i);
      return kTRUE;
   }
   ClassDefOverride(ExitCrashSel, 0)
};
