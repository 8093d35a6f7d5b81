// A driver macro whose process exit goes wrong (see ExitCrashSel.C): it opens a session, runs a
// cycle-driven query with `option`, and returns `status`, or ends the process itself with
// gSystem->Exit(status) when `selfexit` is set.
#include "TProof.h"
#include "TH1.h"
#include "TSystem.h"

int exit_driver(const char *selector, const char *option, int status, int selfexit = 0)
{
   TProof *p = TProof::Open("workers=1");
   if (!p || !p->IsValid()) return 90;
   if (p->Process(selector, 10, option) != 0) return 91;
   TH1 *h = dynamic_cast<TH1 *>(p->GetOutputList()->FindObject("hcycles"));
   if (!h || h->GetEntries() != 10) return 92;
   printf("exit_driver: query done\n");
   fflush(stdout);
   if (selfexit) gSystem->Exit(status);
   return status;
}
