// proofshim: the PROOF manager of a cluster. Create(url) / CreateSession() open a session exactly
// as TProof::Open(url) does.
//
// As PROOF's TProofMgr.h, this header brings TList, TNamed, TUrl, TString and TSystem, declares
// TProofMgr (EServType) and TProofDesc (EStatus), and only forward-declares TProof: include
// TProof.h (which includes this header) to call a session's methods.
#ifndef ROOT_TProofMgr
#define ROOT_TProofMgr

#include "TList.h"
#include "TNamed.h"
#include "TUrl.h"
#include "TString.h"
#include "TSystem.h"

class TFileCollection;
class TObjString;
class TProof;
class TProofDesc;
class TProofLog;
class TProofMgr;
class TSignalHandler;

typedef TProofMgr *(*TProofMgr_t)(const char *, Int_t, const char *);

class TProofMgr : public TNamed {
public:
   enum EServType { kProofd = 0, kXProofd = 1, kProofLite = 2 };

private:
   TString fUrl;
   TProof *fSession = nullptr;
   TString fMssUrl;   // data pool (mass storage) URL, stored only

public:
   explicit TProofMgr(const char *url = "", Int_t = -1, const char *alias = "")
      : TNamed(alias && *alias ? alias : (url ? url : ""), "PROOF manager (proofshim)"), fUrl(url ? url : "") {}
   ~TProofMgr() override {}

   static TProofMgr *Create(const char *url = "", Int_t loglevel = -1, const char *alias = nullptr,
                            Bool_t = kTRUE)
   {
      return new TProofMgr(url, loglevel, alias ? alias : "");
   }
   TProof     *CreateSession(const char * = nullptr, const char * = nullptr, Int_t loglevel = -1);
   Bool_t      IsValid() const { return kTRUE; }
   Bool_t      IsLite() const { return fUrl.IsNull() || fUrl.BeginsWith("lite"); }
   const char *GetUrl() { return fUrl; }
   TProof     *GetSession() const { return fSession; }
   // ---- proofshim compat: the rest of PROOF's TProofMgr API (docs/API.md)
   Bool_t      IsProofd() const { return kFALSE; }
   void        SetInvalid() {}
   void        Close() { SetInvalid(); }
   // A dask session cannot be left running to be reattached: detaching ends it (PROOF's "S").
   void        DetachSession(TProof *p, Option_t *opt = "");
   void        ShutdownSession(TProof *p);
   const char *GetMssUrl(Bool_t = kFALSE) { return fMssUrl.Data(); }
   void        SetMssUrl(const char *mss) { fMssUrl = mss ? mss : ""; }
   Int_t       GetRemoteProtocol() const { return 36; } // PROOF 6's protocol
   Bool_t      MatchUrl(const char *url) { return fUrl == (url ? url : ""); }
   void        SetAlias(const char *alias = "") { SetTitle(alias ? alias : ""); }
   // TProof::GetManager() ties the manager to the session it describes (proofshim internal).
   void        SetSession(TProof *session) { fSession = session; }
   // The logs of every worker of the session (isess and stag are accepted; the session is this
   // manager's, else gProof). The caller deletes the TProofLog.
   TProofLog  *GetSessionLogs(Int_t isess = 0, const char *stag = nullptr,
                              const char *pattern = "-v | SvcMsg", Bool_t rescan = kFALSE);

   ClassDefOverride(TProofMgr, 0) // PROOF manager (proofshim)
};

// What PROOF's session listings (TProofMgr::QuerySessions) described a session with.
class TProofDesc : public TNamed {
public:
   enum EStatus { kUnknown = -1, kIdle = 0, kRunning = 1, kShutdown = 2 };

private:
   Int_t   fLocalId = -1;   // ID in the local list
   Int_t   fStatus = 0;     // session status (see EStatus)
   TProof *fProof = nullptr;
   Int_t   fRemoteId = -1;
   TString fUrl;

   TProofDesc(const TProofDesc &) = delete;
   TProofDesc &operator=(const TProofDesc &) = delete;

public:
   TProofDesc(const char *tag = nullptr, const char *alias = nullptr, const char *url = nullptr, Int_t id = -1,
              Int_t remid = -1, Int_t status = kIdle, TProof *p = nullptr)
      : TNamed(tag, alias), fLocalId(id), fProof(p), fRemoteId(remid), fUrl(url)
   {
      SetStatus(status);
   }
   ~TProofDesc() override {}

   Int_t       GetLocalId() const { return fLocalId; }
   TProof     *GetProof() const { return fProof; }
   Int_t       GetRemoteId() const { return fRemoteId; }
   Int_t       GetStatus() const { return fStatus; }
   const char *GetUrl() const { return fUrl; }
   Bool_t      IsIdle() const { return fStatus == kIdle; }
   Bool_t      IsRunning() const { return fStatus == kRunning; }
   Bool_t      IsShuttingDown() const { return fStatus == kShutdown; }
   Bool_t      MatchId(Int_t id) const { return fLocalId == id; }
   void        Print(Option_t *opt = "") const override;
   void        SetStatus(Int_t st) { fStatus = (st < kIdle || st > kShutdown) ? -1 : st; }
   void        SetProof(TProof *p) { fProof = p; }
   void        SetRemoteId(Int_t id) { fRemoteId = id; }

   ClassDefOverride(TProofDesc, 1) // A PROOF session, as PROOF's managers listed it (proofshim)
};

#endif
