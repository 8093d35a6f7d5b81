// proofshim: the worker-side PROOF server object. gProofServ is null on the client and set on
// every dask worker while a query runs, describing that worker.
//
// Like PROOF's TProofServ.h this brings in TApplication.h, TString.h, TSysEvtHandler.h, TStopwatch.h,
// TTimer.h and TQueryResult.h (hence TMacro.h, TDatime.h), and declares TProofLockPath and
// TProofLockPathGuard; TObjString and TMap (which PROOF's selectors reach through it) too.
#ifndef ROOT_TProofServ
#define ROOT_TProofServ

#include "TApplication.h"
#include "TNamed.h"
#include "TString.h"
#include "TSysEvtHandler.h"
#include "TStopwatch.h"
#include "TTimer.h"
#include "TQueryResult.h"
#include "TObjString.h"
#include "TMap.h"

class TDSet;
class TDSetElement;
class TFileCollection;
class THashList;
class TList;
class TProof;
class TProofServ;
R__EXTERN TProofServ *gProofServ;

class TProofServ : public TNamed {
public:
   enum EStatusBits { kHighMemory = BIT(16) };
   enum EQueryAction { kQueryOK, kQueryModify, kQueryStop, kQueryEnqueued };

private:
   TString fOrdinal;
   TString fWorkDir;
   TString fSessionDir;
   TString fDataDir;
   TString fSessionTag;
   TString fUser;
   TString fGroup;
   Int_t   fQuerySeqNum = 0;

public:
   TProofServ() : TNamed("proofserv", "proofshim worker") {}
   virtual ~TProofServ() {}

   const char *GetOrdinal() const { return fOrdinal; }
   const char *GetWorkDir() const { return fWorkDir; }
   const char *GetSessionDir() const { return fSessionDir; }
   const char *GetDataDir() const { return fDataDir; }
   const char *GetSessionTag() const { return fSessionTag; }
   const char *GetUser() const { return fUser; }
   const char *GetGroup() const { return fGroup; }
   Int_t       GetQuerySeqNum() const { return fQuerySeqNum; }
   Bool_t      IsMaster() const { return kFALSE; }
   Bool_t      IsParallel() const { return kFALSE; }
   void        SendAsynMessage(const char *msg, Bool_t lf = kTRUE);

   // ---- proofshim compat: the rest of PROOF's worker-side API (docs/API.md)
   TProof     *GetProof() const { return nullptr; }           // workers have no TProof
   const char *GetService() const { return "proofslave"; }
   const char *GetConfDir() const { return ""; }
   const char *GetConfFile() const { return ""; }
   const char *GetImage() const { return ""; }
   const char *GetTopSessionTag() const { return fSessionTag; }
   const char *GetDataDirOpts() const { return ""; }
   const char *GetPrefix() const { return "Wrk"; }
   Int_t       GetProtocol() const { return 36; }              // PROOF 6's protocol
   Int_t       GetTotSessions() const { return 1; }
   Int_t       GetActSessions() const { return 1; }
   Float_t     GetEffSessions() const { return 1.f; }
   Bool_t      IsEndMaster() const { return kFALSE; }
   Bool_t      IsTopMaster() const { return kFALSE; }
   static Bool_t      IsActive() { return gProofServ != nullptr; }
   static TProofServ *This() { return gProofServ; }

   // Filled by proofshim on the worker before each query.
   void SetInfo(const char *ordinal, const char *workdir, const char *sessiondir, const char *datadir,
                const char *sessiontag, const char *user, const char *group, Int_t seqnum)
   {
      fOrdinal = ordinal; fWorkDir = workdir; fSessionDir = sessiondir; fDataDir = datadir;
      fSessionTag = sessiontag; fUser = user; fGroup = group; fQuerySeqNum = seqnum;
   }

   ClassDefOverride(TProofServ, 0) // PROOF worker server (proofshim)
};

R__EXTERN TProofServ *gProofServ;

// An exclusive lock on a path (a lock file), as PROOF's servers took on their directories.
class TProofLockPath : public TNamed {
private:
   Int_t fLockId = -1;   // file descriptor of the lock file, -1 when not locked

public:
   TProofLockPath(const char *path) : TNamed(path, path) {}
   ~TProofLockPath() override { if (IsLocked()) Unlock(); }

   Int_t  Lock();     // 0 on success (blocks until the lock is free), -1 on error
   Int_t  Unlock();   // 0 on success, -1 on error
   Bool_t IsLocked() const { return fLockId > -1; }

   ClassDefOverride(TProofLockPath, 0) // Lock on a path (proofshim)
};

class TProofLockPathGuard {
private:
   TProofLockPath *fLocker;

public:
   TProofLockPathGuard(TProofLockPath *l) : fLocker(l) { if (fLocker) fLocker->Lock(); }
   ~TProofLockPathGuard() { if (fLocker) fLocker->Unlock(); }
};

#endif
