// A script run on every worker with gProof->Exec(".x showenv.C"): PROOF's parallel script execution.
#include "TROOT.h"
#include "TSystem.h"
#include <cstdio>

void showenv()
{
   printf("showenv: host %s pid %d ROOT %s\n", gSystem->HostName(), gSystem->GetPid(), gROOT->GetVersion());
}
