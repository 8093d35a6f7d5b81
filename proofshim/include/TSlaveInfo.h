// proofshim: what TProof::GetListOfSlaveInfos() lists, one per worker. PROOF declared this class in
// TProof.h (which includes this header); legacy code may include either.
#ifndef ROOT_TSlaveInfo
#define ROOT_TSlaveInfo

#include "TObject.h"
#include "TString.h"
#include "TSystem.h"

class TSlaveInfo : public TObject {
public:
   enum ESlaveStatus { kActive, kNotActive, kBad };

   TString      fOrdinal;    // "0.N"
   TString      fHostName;   // the host the worker runs on (the client's host name for local workers)
   TString      fMsd;        // mass storage domain
   TString      fDataDir;    // the worker's data directory (gProofServ->GetDataDir() there)
   Int_t        fPerfIndex;  // relative performance
   SysInfo_t    fSysInfo;    // hardware of the worker's host
   ESlaveStatus fStatus;

   TSlaveInfo(const char *ordinal = "", const char *host = "", Int_t perfidx = 0, const char *msd = "",
              const char *datadir = "")
      : fOrdinal(ordinal), fHostName(host), fMsd(msd), fDataDir(datadir), fPerfIndex(perfidx), fSysInfo(),
        fStatus(kNotActive)
   {
   }

   const char  *GetDataDir() const { return fDataDir; }
   const char  *GetMsd() const { return fMsd; }
   const char  *GetName() const override { return fHostName; }
   const char  *GetOrdinal() const { return fOrdinal; }
   SysInfo_t    GetSysInfo() const { return fSysInfo; }
   ESlaveStatus GetStatus() const { return fStatus; }
   void         SetStatus(ESlaveStatus st) { fStatus = st; }
   void         SetSysInfo(SysInfo_t si);
   void         SetOrdinal(const char *ord) { fOrdinal = ord; }

   Int_t        Compare(const TObject *obj) const override;
   Bool_t       IsSortable() const override { return kTRUE; }
   void         Print(Option_t *option = "") const override;
   Bool_t       IsEqual(const TObject *obj) const override;

   ClassDefOverride(TSlaveInfo, 4) // Information about a PROOF worker (proofshim)
};

#endif
