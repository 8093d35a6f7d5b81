// proofshim: the worker-side PROOF server object. gProofServ is null on the client and set on
// every dask worker while a query runs, describing that worker.
#ifndef ROOT_TProofServ
#define ROOT_TProofServ

#include "TNamed.h"
#include "TString.h"

class TProofServ : public TNamed {
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

#endif
