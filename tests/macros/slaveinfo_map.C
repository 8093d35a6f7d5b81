// The way ROOT's runProof.C ("friends") addressed workers: a map host -> list of file names built
// from GetListOfSlaveInfos(), keyed by TSlaveInfo::GetName(). Only TProof.h is included: PROOF's
// TProof.h brought TSlaveInfo, TMap, TObjString and THashList.
#include "TProof.h"

int slaveinfo_map(int nworkers)
{
   TList *wrks = gProof->GetListOfSlaveInfos();
   if (!wrks || wrks->GetSize() != nworkers) return 1;
   TMap *files = new TMap;
   files->SetName("PROOF_FilesToProcess");
   TIter nxwi(wrks);
   TSlaveInfo *wi = 0;
   while ((wi = (TSlaveInfo *) nxwi())) {
      TString fntree = TString::Format("tree_%s.root", wi->GetOrdinal());
      THashList *wrklist = (THashList *) files->GetValue(wi->GetName());
      if (!wrklist) {
         wrklist = new THashList;
         wrklist->SetName(wi->GetName());
         files->Add(new TObjString(wi->GetName()), wrklist);
      }
      wrklist->Add(new TObjString(fntree));
      printf("slaveinfo_map: %s on %s, data in %s\n", wi->GetOrdinal(), wi->GetName(), wi->GetDataDir());
      if (strcmp(wi->GetName(), gSystem->HostName())) return 2;     // local workers: this host
      if (!wi->GetDataDir() || !*wi->GetDataDir() || gSystem->AccessPathName(wi->GetDataDir())) return 3;
   }
   // One host: one key, listing a file per worker.
   THashList *l = (THashList *) files->GetValue(gSystem->HostName());
   int rc = (files->GetSize() == 1 && l && l->GetSize() == nworkers) ? 0 : 4;
   files->DeleteAll();
   delete files;
   if (!rc) printf("slaveinfo_map: one key per host, one file per worker\n");
   return rc;
}
