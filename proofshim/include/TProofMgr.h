// proofshim: the PROOF manager of a cluster. Create(url) / CreateSession() open a session exactly
// as TProof::Open(url) does.
#ifndef ROOT_TProofMgr
#define ROOT_TProofMgr

#include "TNamed.h"
#include "TProof.h"
#include "TString.h"

class TProofLog;

class TProofMgr : public TNamed {
   TString fUrl;
   TProof *fSession = nullptr;

public:
   explicit TProofMgr(const char *url = "", Int_t = -1, const char *alias = "")
      : TNamed(alias && *alias ? alias : (url ? url : ""), "PROOF manager (proofshim)"), fUrl(url ? url : "") {}
   ~TProofMgr() override {}

   static TProofMgr *Create(const char *url = "", Int_t loglevel = -1, const char *alias = nullptr,
                            Bool_t = kTRUE)
   {
      return new TProofMgr(url, loglevel, alias ? alias : "");
   }
   TProof *CreateSession(const char * = nullptr, const char * = nullptr, Int_t loglevel = -1)
   {
      fSession = TProof::Open(fUrl, nullptr, nullptr, loglevel);
      return fSession;
   }
   Bool_t      IsValid() const { return kTRUE; }
   Bool_t      IsLite() const { return fUrl.IsNull() || fUrl.BeginsWith("lite"); }
   const char *GetUrl() { return fUrl; }
   TProof     *GetSession() const { return fSession; }
   void        SetSession(TProof *p) { fSession = p; }
   // The logs of every worker of the session (isess and stag are accepted; the session is this
   // manager's, else gProof). The caller deletes the TProofLog.
   TProofLog  *GetSessionLogs(Int_t isess = 0, const char *stag = nullptr,
                              const char *pattern = "-v | SvcMsg", Bool_t rescan = kFALSE);

   ClassDefOverride(TProofMgr, 0) // PROOF manager (proofshim)
};

#endif
