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
   TProof *CreateSession(const char *cfg = nullptr, const char *cfgdir = nullptr, Int_t loglevel = -1)
   {
      fSession = TProof::Open(fUrl, cfg, cfgdir, loglevel);
      return fSession;
   }
   Bool_t      IsValid() const { return kTRUE; }
   Bool_t      IsLite() const { return fUrl.IsNull() || fUrl.BeginsWith("lite"); }
   const char *GetUrl() { return fUrl; }
   TProof     *GetSession() const { return fSession; }
   // ---- proofshim compat: the rest of PROOF's TProofMgr API (docs/API.md)
   Bool_t      IsProofd() const { return kFALSE; }
   void        SetInvalid() {}
   void        Close() { SetInvalid(); }
   // A dask session cannot be left running to be reattached: detaching ends it (PROOF's "S").
   void        DetachSession(TProof *p, Option_t *opt = "") { if (p) p->Detach(opt); }
   void        ShutdownSession(TProof *p) { if (p) p->Close(); }
   const char *GetMssUrl(Bool_t = kFALSE) { return fMssUrl.Data(); }
   void        SetMssUrl(const char *mss) { fMssUrl = mss ? mss : ""; }
   Int_t       GetRemoteProtocol() const { return 36; } // PROOF 6's protocol
   Bool_t      MatchUrl(const char *url) { return fUrl == (url ? url : ""); }
   void        SetAlias(const char *alias = "") { SetTitle(alias ? alias : ""); }
   // TProof::GetManager() ties the manager to the session it describes (proofshim internal).
   void        SetSession(TProof *session) { fSession = session; }
private:
   TString     fMssUrl;   // data pool (mass storage) URL, stored only
public:
   // The logs of every worker of the session (isess and stag are accepted; the session is this
   // manager's, else gProof). The caller deletes the TProofLog.
   TProofLog  *GetSessionLogs(Int_t isess = 0, const char *stag = nullptr,
                              const char *pattern = "-v | SvcMsg", Bool_t rescan = kFALSE);

   ClassDefOverride(TProofMgr, 0) // PROOF manager (proofshim)
};

#endif
