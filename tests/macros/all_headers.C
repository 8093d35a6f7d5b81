// Legacy code includes PROOF's headers; they must all compile and their classes work.
#include "TProof.h"
#include "TProofMgr.h"
#include "TProofDebug.h"
#include "TProofServ.h"
#include "TDSet.h"
#include "TQueryResult.h"
#include "TSlaveInfo.h"
#include "TVirtualPacketizer.h"
#include "TPacketizer.h"
#include "TPacketizerAdaptive.h"
#include "TPacketizerUnit.h"
#include "TPacketizerFile.h"
#include "TProofLog.h"
#include "TMacro.h"

int all_headers()
{
   TProofMgr *mgr = TProofMgr::Create("workers=2");
   TProof *p = mgr->CreateSession();
   if (!p || !p->IsValid() || p != gProof) return 1;
   if (gProofServ) return 2;                 // null on the client
   int shown = 0;
   gProofDebugLevel = 1;
   PDB(kLoop, 1) shown++;
   PDB(kLoop, 2) shown += 10;
   // The log API links from compiled code; the caller owns what GetSessionLogs/GetLastLog return.
   TProofLog *logs = p->GetManager()->GetSessionLogs();
   if (!logs || !logs->GetListOfLogs()) return 4;
   delete logs;
   delete p->GetLastLog();
   delete mgr;
   return shown == 1 ? 0 : 3;
}
