// proofshim: one finished query, as TProof::GetQueryResult(s) report it.
#ifndef ROOT_TQueryResult
#define ROOT_TQueryResult

#include "TNamed.h"
#include "TList.h"
#include "TString.h"

class TMacro;

class TQueryResult : public TNamed {
public:
   enum EQueryStatus { kAborted = 0, kSubmitted, kRunning, kStopped, kCompleted };

private:
   Int_t        fSeqNum = 0;
   TString      fSelecName;
   TString      fOptions;
   Long64_t     fEntries = -1;
   Long64_t     fFirst = 0;
   Long64_t     fProcessed = 0;
   Long64_t     fBytes = 0;
   Long64_t     fResult = 0;    // what Process returned
   Float_t      fRealTime = 0;
   EQueryStatus fStatus = kCompleted;
   TList       *fOutputList = nullptr;
   TMacro      *fLogFile = nullptr; // the workers' log of this query (owned)
   Bool_t       fOwnsOutput = kFALSE; //!

public:
   TQueryResult() {}
   TQueryResult(Int_t seqnum, const char *sessiontag, const char *selector, const char *options,
                Long64_t entries, Long64_t first);
   virtual ~TQueryResult();

   Int_t        GetSeqNum() const { return fSeqNum; }
   const char  *GetSelecImp() const { return fSelecName; }
   const char  *GetSelecName() const { return fSelecName; }
   const char  *GetOptions() const { return fOptions; }
   Long64_t     GetEntries() const { return fProcessed; }
   Long64_t     GetEntriesRequested() const { return fEntries; }
   Long64_t     GetFirst() const { return fFirst; }
   Long64_t     GetBytes() const { return fBytes; }
   Long64_t     GetResult() const { return fResult; }
   Float_t      GetRealTime() const { return fRealTime; }
   EQueryStatus GetStatus() const { return fStatus; }
   Bool_t       IsDone() const { return fStatus > kRunning; }
   TList       *GetOutputList() { return fOutputList; }
   // The log of the query: every worker's output, each after a "--- worker 0.N ..." header.
   TMacro      *GetLogFile() const { return fLogFile; }
   void         Print(Option_t *option = "") const override;

   // Filled by proofshim when the query ends.
   void SetDone(Long64_t processed, Long64_t bytes, Long64_t result, Float_t realtime, Int_t status);
   // The query's output objects; they move here (owned) when the next query starts.
   void SetOutputList(TList *out);
   void AdoptOutput(TList *out);
   // The query's log (lines separated by '\n'), replacing any earlier one.
   void SetLogText(const char *text);

   ClassDefOverride(TQueryResult, 6) // A PROOF query and its results (proofshim)
};

#endif
