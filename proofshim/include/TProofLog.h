// proofshim: the logs of a PROOF session, one element per worker, as
// TProofMgr::GetSessionLogs() (or gProof->GetManager()->GetSessionLogs()) returned them.
//
// Each TProofLogElem is named by the worker's ordinal ("0.1") and titled with the path of its log
// file on the worker's host; its TMacro holds the lines the worker wrote (its stdout and stderr,
// the selector's printf included) during the session's queries. proofshim collects them after
// every query, so Retrieve() has nothing left to fetch and only saves to a file if asked.
#ifndef ROOT_TProofLog
#define ROOT_TProofLog

#include "TNamed.h"
#include "TQObject.h"
#include "TList.h"
#include "TString.h"

class TMacro;
class TProofMgr;
class TProofLogElem;

class TProofLog : public TNamed, public TQObject {
   friend class TProofLogElem;

   TProofMgr *fMgr = nullptr;   // the manager that made this object (not owned)
   void      *fFILE = nullptr;  // FILE* that Prt writes to while Save runs
   TList     *fElem = nullptr;  // TProofLogElem, one per worker (owned)

public:
   enum ELogLocationBit { kLogToBox = BIT(16) };
   enum ERetrieveOpt { kLeading = 0x1, kTrailing = 0x2, kAll = 0x3, kGrep = 0x4 };

   TProofLog() : TProofLog("", "", nullptr) {}
   TProofLog(const char *stag, const char *url, TProofMgr *mgr);
   ~TProofLog() override;

   // Lines `from`..`to` (1-based, inclusive) of worker `ord` ("*": every worker); a negative
   // `from` shows the last -from lines.
   void   Display(const char *ord = "*", Int_t from = -10, Int_t to = -1);
   TList *GetListOfLogs() const { return fElem; }
   // Print, per worker, the numbers of the lines (from line `from`) that contain `txt`.
   Int_t  Grep(const char *txt, Int_t from = 0);
   void   Print(Option_t *opt = "") const override;
   void   Prt(const char *what);
   Int_t  Retrieve(const char *ord = "*", TProofLog::ERetrieveOpt opt = TProofLog::kTrailing,
                   const char *fname = nullptr, const char *pattern = nullptr);
   // Write the logs of worker `ord` ("*": all) to `fname` ("a" in `opt`: append).
   Int_t  Save(const char *ord = "*", const char *fname = nullptr, Option_t *opt = "w");

   void   SetLogToBox(Bool_t lgbox = kFALSE) { SetBit(kLogToBox, lgbox); }
   Bool_t LogToBox() { return TestBit(kLogToBox) ? kTRUE : kFALSE; }
   static void SetMaxTransferSize(Long64_t maxsz);

   // proofshim: add the element of worker `ord` whose log file is `path`; `text` its content.
   TProofLogElem *AddElem(const char *ord, const char *path, const char *text);

   ClassDefOverride(TProofLog, 0) // PROOF session logs (proofshim)
};

class TProofLogElem : public TNamed {
   TProofLog *fLogger = nullptr;  // parent (not owned)
   TMacro    *fMacro = nullptr;   // the log lines (owned)
   static Long64_t fgMaxTransferSize;

public:
   TProofLogElem() {}
   TProofLogElem(const char *ord, const char *url, TProofLog *logger);
   ~TProofLogElem() override;

   void    Display(Int_t from = 0, Int_t to = -1);
   TMacro *GetMacro() const { return fMacro; }
   Int_t   Grep(const char *txt, TString &res, Int_t from = 0);
   void    Print(Option_t *opt = "") const override;
   void    Prt(const char *what);
   Int_t   Retrieve(TProofLog::ERetrieveOpt opt = TProofLog::kTrailing, const char *pattern = nullptr);

   static Long64_t GetMaxTransferSize() { return fgMaxTransferSize; }
   static void     SetMaxTransferSize(Long64_t maxsz) { fgMaxTransferSize = maxsz; }

   ClassDefOverride(TProofLogElem, 0) // The log of one PROOF worker (proofshim)
};

namespace ProofShim {
// Append the lines of `text` (split at '\n'; a final newline adds no empty line) to `macro`.
void AddLines(TMacro *macro, const char *text);
}

#endif
