// proofshim: the event class of PROOF's performance tree (PROOF_PerfStats, branch "PerfEvents").
//
// PROOF's TPerfStats filled the tree and the performance histograms while a query ran; proofshim
// builds both from the query's statistics when it ends (proofshim/perfstats.py), with PROOF's names
// and conventions. This header gives code reading such a tree the event class it used.
#ifndef ROOT_TPerfStats
#define ROOT_TPerfStats

#include "TObject.h"
#include "TString.h"
#include "TTimeStamp.h"
#include "TVirtualPerfStats.h"

class TPerfEvent : public TObject {
public:
   TString                       fEvtNode;   // node on which the event was generated ("0": the master, "0.N": a worker)
   TTimeStamp                    fTimeStamp; // time offset from the start of the query
   TVirtualPerfStats::EEventType fType;
   TString                       fSlaveName;
   TString                       fNodeName;
   TString                       fFileName;
   TString                       fFileClass;
   TString                       fSlave;
   Long64_t                      fEventsProcessed;
   Long64_t                      fBytesRead;
   Long64_t                      fLen;
   Double_t                      fLatency;
   Double_t                      fProcTime;
   Double_t                      fCpuTime;
   Bool_t                        fIsStart;
   Bool_t                        fIsOk;

   TPerfEvent(TTimeStamp *offset = nullptr);
   ~TPerfEvent() override {}

   Bool_t IsSortable() const override { return kTRUE; }
   Int_t  Compare(const TObject *obj) const override;
   void   Print(Option_t *option = "") const override;

   ClassDefOverride(TPerfEvent, 3) // Class holding TProof Event Info
};

#endif
