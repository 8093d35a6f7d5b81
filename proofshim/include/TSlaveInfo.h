// proofshim: what TProof::GetListOfSlaveInfos() lists, one per worker.
#ifndef ROOT_TSlaveInfo
#define ROOT_TSlaveInfo

#include "TObject.h"
#include "TString.h"

class TSlaveInfo : public TObject {
public:
   enum ESlaveStatus { kActive, kNotActive, kBad };

   TString      fOrdinal;    // "0.N"
   TString      fHostName;   // the dask worker's address
   TString      fMsd;
   TString      fDataDir;
   Int_t        fPerfIndex = 100;
   ESlaveStatus fStatus = kActive;

   TSlaveInfo(const char *ordinal = "", const char *host = "", Int_t perfidx = 100, const char *msd = "",
              const char *datadir = "")
      : fOrdinal(ordinal), fHostName(host), fMsd(msd), fDataDir(datadir), fPerfIndex(perfidx)
   {
   }
   const char  *GetName() const override { return fOrdinal; }
   const char  *GetOrdinal() const { return fOrdinal; }
   const char  *GetDataDir() const { return fDataDir; }
   const char  *GetMsd() const { return fMsd; }
   ESlaveStatus GetStatus() const { return fStatus; }
   void         SetStatus(ESlaveStatus st) { fStatus = st; }
   Bool_t       IsSortable() const override { return kTRUE; }
   Int_t        Compare(const TObject *obj) const override;
   void         Print(Option_t *option = "") const override;

   ClassDefOverride(TSlaveInfo, 4) // Information about a PROOF worker (proofshim)
};

#endif
