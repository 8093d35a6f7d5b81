// proofshim: one finished query, as TProof::GetQueryResult(s) report it.
#ifndef ROOT_TQueryResult
#define ROOT_TQueryResult

#include "TNamed.h"
#include "TDatime.h"
#include "TList.h"
#include "TMacro.h"
#include "TString.h"

#include <vector>

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
   Float_t      fRealTime = 0;  // from Process to its return
   Float_t      fInitTime = 0;  // before the first packet: selector compiled, files counted, Begin
   Float_t      fProcTime = 0;  // from the first packet to the last output collected
   Float_t      fUsedCPU = 0;   // CPU seconds the workers spent in packets
   Int_t        fNumPackets = 0;
   std::vector<TString>  fWrkNames;     // "0.N host:port" of each worker that processed entries
   std::vector<Long64_t> fWrkEntries;
   std::vector<Int_t>    fWrkPackets;
   std::vector<Float_t>  fWrkProcTime;  // seconds the worker spent in packets
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
   Float_t      GetInitTime() const { return fInitTime; }
   Float_t      GetProcTime() const { return fProcTime; }
   Float_t      GetUsedCPU() const { return fUsedCPU; }
   Int_t        GetNumPackets() const { return fNumPackets; }
   Int_t        GetNumWrks() const { return (Int_t)fWrkNames.size(); }
   const char  *GetWorkerName(Int_t i) const;
   Long64_t     GetWorkerEntries(Int_t i) const;
   Int_t        GetWorkerPackets(Int_t i) const;
   Float_t      GetWorkerProcTime(Int_t i) const;
   Float_t      GetWorkerRate(Int_t i) const;   // entries per second spent in packets
   EQueryStatus GetStatus() const { return fStatus; }
   Bool_t       IsDone() const { return fStatus > kRunning; }
   TList       *GetOutputList() { return fOutputList; }
   // The log of the query: every worker's output, each after a "--- worker 0.N ..." header.
   TMacro      *GetLogFile() const { return fLogFile; }
   void         Print(Option_t *option = "") const override;

   // ---- proofshim compat: queries run synchronously, so a done query is finalized, never archived
   Bool_t       IsFinalized() const { return IsDone(); }
   Bool_t       IsArchived() const { return kFALSE; }
   Bool_t       IsDraw() const { return fSelecName.Contains("DrawSelector"); }
   Bool_t       Matches(const char *ref) const
   {
      TString r(ref ? ref : "");
      return r == GetTitle() || r == GetName() || r.EndsWith(TString(":") + GetName());
   }

   // Filled by proofshim when the query ends.
   void SetDone(Long64_t processed, Long64_t bytes, Long64_t result, Float_t realtime, Int_t status);
   void SetTimes(Float_t inittime, Float_t proctime, Float_t usedcpu, Int_t packets);
   void AddWorkerStats(const char *name, Long64_t entries, Int_t packets, Float_t proctime);
   // The query's output objects; they move here (owned) when the next query starts.
   void SetOutputList(TList *out);
   void AdoptOutput(TList *out);
   // The query's log (lines separated by '\n'), replacing any earlier one.
   void SetLogText(const char *text);

   ClassDefOverride(TQueryResult, 6) // A PROOF query and its results (proofshim)
};

#endif
