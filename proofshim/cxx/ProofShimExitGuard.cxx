// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// ProofShim::ExitGuard, declared for cling too (TROOT::CloseFiles calls its Close() through the
// interpreter); Python uses the free functions ProofShim::ExitGuard* of ProofShimCore.h.

// Guarded: cling may include this file on its own (the class's autoload names it) and again
// through ProofShim.cxx, the dictionary's payload.
#ifndef PROOFSHIM_EXITGUARD_CXX
#define PROOFSHIM_EXITGUARD_CXX

// =====================================================================================
// process exit

#include "TClass.h"
#include "TInterpreter.h"
#include "TROOT.h"
#include "TSystem.h"
#include <unistd.h>

namespace ProofShim {

// An object in gROOT's list of sockets: TROOT::EndOfProcessCleanups closes those first, before
// interpreted globals are destroyed and, on gSystem->Exit(), before exit() runs the libraries'
// destructors. After a session was opened (Arm), Close() gives crash signals their default action
// back: ROOT's crash handler prints a stack trace through malloc, which deadlocks after a heap
// corruption in a process that has run threads (dask's), so the process would never end.
// Under `proofshim run`, Close() also tells the supervising process that exit has begun.
class ExitGuard : public TObject {
   static ExitGuard *&Instance()
   {
      static ExitGuard *guard = nullptr;
      return guard;
   }
   Bool_t fArmed = kFALSE;
   Int_t fNoticeFd = -1;
   TString fNotice;

public:
   static ExitGuard *Get()
   {
      if (!Instance()) Instance() = new ExitGuard;
      return Instance();
   }
   static void Install()
   {
      // TROOT::CloseFiles looks TSocket up in the interpreter before it closes anything in this
      // list, and crashes when that information is missing; it cannot be loaded at exit.
      gSystem->Load("libNet");
      if (TClass *socket = TClass::GetClass("TSocket")) socket->GetClassInfo();
      // The same for this class: at exit, cling no longer finds a class it was not asked about.
      // Python declared this file to cling already (proofshim/util/runtime.py): without the
      // autoparse, which would parse every PROOF header (0.15 s of each `import proofshim`).
      {
         TInterpreter::SuspendAutoParsing noAutoParse(gInterpreter);
         ExitGuard::Class()->GetClassInfo();
      }
      if (!gROOT->GetListOfSockets()->FindObject(Get())) gROOT->GetListOfSockets()->Add(Get());
   }
   static void Uninstall()
   {
      if (Instance()) gROOT->GetListOfSockets()->Remove(Instance());
   }
   const char *GetName() const override { return "proofshim exit guard"; }
   static void Arm() { Get()->fArmed = kTRUE; }
   static void DefaultCrashSignals()
   {
      for (ESignals sig : {kSigSegmentationViolation, kSigBus, kSigIllegalInstruction, kSigAbort,
                           kSigFloatingException})
         gSystem->ResetSignal(sig, kTRUE);
   }
   static void SetNotice(Int_t fd, const char *text)
   {
      Get()->fNoticeFd = fd;
      Get()->fNotice = text ? text : "";
   }
   void Close()
   {
      if (fArmed) DefaultCrashSignals();
      if (fNoticeFd >= 0 && fNotice.Length()) {
         ssize_t n = ::write(fNoticeFd, fNotice.Data(), fNotice.Length());
         (void)n;
      }
      if (Instance() == this) Instance() = nullptr;   // ROOT deletes closed sockets
   }
   ClassDefOverride(ExitGuard, 0)
};

#ifndef __CLING__
void ExitGuardInstall() { ExitGuard::Install(); }
void ExitGuardUninstall() { ExitGuard::Uninstall(); }
void ExitGuardArm() { ExitGuard::Arm(); }
void ExitGuardDefaultCrashSignals() { ExitGuard::DefaultCrashSignals(); }
void ExitGuardSetNotice(Int_t fd, const char *text) { ExitGuard::SetNotice(fd, text); }
#endif

} // namespace ProofShim

#endif // PROOFSHIM_EXITGUARD_CXX
