#include "CountSel.h"
#include "TH1D.h"
#include "TH1F.h"
#include "TH2F.h"
#include "TProfile.h"
#include "TParameter.h"
#include "TList.h"
#include "TTree.h"
#include "TProof.h"

Long64_t CounterObj::Merge(TCollection *others)
{
   TIter next(others);
   while (TObject *o = next()) {
      if (auto *c = dynamic_cast<CounterObj *>(o)) fCount += c->fCount;
   }
   ++fMerges;
   return fCount;
}

static void Bump(TList *out, const char *name, Long64_t by = 1)
{
   auto *p = dynamic_cast<TParameter<Long64_t> *>(out->FindObject(name));
   if (!p) {
      p = new TParameter<Long64_t>(name, 0);
      out->Add(p);
   }
   p->SetVal(p->GetVal() + by);
}

void CountSel::Begin(TTree *)
{
   ++fBeginCalls;
}

void CountSel::SlaveBegin(TTree *)
{
   Long64_t ntotal = 100;
   TProof::GetParameter(fInput, "CountSel_NTotal", ntotal);
   TProof::GetParameter(fInput, "CountSel_AbortFileAt", fAbortFileAt);
   TProof::GetParameter(fInput, "CountSel_AbortProcessAt", fAbortProcessAt);
   fHgid = new TH1D("hgid", "entries by global id", ntotal, -0.5, ntotal - 0.5);
   fHpx = new TH1F("hpx", "px", 64, -4, 4);
   fHpxpy = new TH2F("hpxpy", "py vs px", 30, -3, 3, 30, -3, 3);
   fProf = new TProfile("prof", "trkpt vs ntrk", 20, 0, 20);
   fCounter = new CounterObj("counter");
   fSkim = new TTree("skim", "every 100th entry");
   fSkim->SetDirectory(nullptr);
   fSkim->Branch("gid", &fSkimGid);
   TList *sub = new TList;
   sub->SetName("sublist");
   sub->Add(new TH1F("hntrk", "ntrk", 25, 0, 25));
   sub->Add(new TH1F("htrkpt", "trkpt", 50, 0, 10));
   for (TObject *o : {(TObject *)fHgid, (TObject *)fHpx, (TObject *)fHpxpy, (TObject *)fProf,
                      (TObject *)fCounter, (TObject *)fSkim, (TObject *)sub})
      fOutput->Add(o);
   Bump(fOutput, "n_SlaveBegin");
   fNProcess = new TParameter<Long64_t>("n_Process", 0);
   fNInit = new TParameter<Long64_t>("n_Init", 0);
   fNNotify = new TParameter<Long64_t>("n_Notify", 0);
   fOutput->Add(fNProcess);
   fOutput->Add(fNInit);
   fOutput->Add(fNNotify);
   // What the worker saw: PROOF's own inputs and the user's typed parameters.
   TString ord, tag, s;
   Int_t seq = -1, i = -1;
   Long_t l = -1;
   Long64_t ll = -1;
   Double_t d = -1;
   Bool_t proofInputs = TProof::GetParameter(fInput, "PROOF_Ordinal", ord) == 0 &&
                        TProof::GetParameter(fInput, "PROOF_QueryTag", tag) == 0 &&
                        TProof::GetParameter(fInput, "PROOF_QuerySeqNum", seq) == 0;
   if (proofInputs) Bump(fOutput, "n_has_proof_inputs");
   if (proofInputs) fOutput->Add(new TNamed(TString::Format("ordinal_%s", ord.Data()).Data(), ord.Data()));
   TString params = TString::Format("S=%s I=%d L=%ld LL=%lld D=%g",
      TProof::GetParameter(fInput, "CountSel_S", s) == 0 ? s.Data() : "-",
      TProof::GetParameter(fInput, "CountSel_I", i) == 0 ? i : -999,
      TProof::GetParameter(fInput, "CountSel_L", l) == 0 ? l : -999L,
      TProof::GetParameter(fInput, "CountSel_LL", ll) == 0 ? ll : -999LL,
      TProof::GetParameter(fInput, "CountSel_D", d) == 0 ? d : -999.);
   fOutput->Add(new TNamed(TString::Format("params %s", params.Data()).Data(), params.Data()));
   fOutput->Add(new TNamed(TString::Format("option %s", GetOption()).Data(), GetOption()));
   fOutput->Add(new Unmergeable("unmergeable", 1));
}

void CountSel::Init(TTree *tree)
{
   fReader.SetTree(tree);
   if (fNInit) fNInit->SetVal(fNInit->GetVal() + 1);
}

Bool_t CountSel::Notify()
{
   if (fNNotify) fNNotify->SetVal(fNNotify->GetVal() + 1);
   return kTRUE;
}

Bool_t CountSel::Process(Long64_t entry)
{
   fReader.SetLocalEntry(entry);
   Long64_t gid = *fGid;
   if (gid == fAbortProcessAt) {
      Abort("test: abort processing", kAbortProcess);
      return kFALSE;
   }
   fNProcess->SetVal(fNProcess->GetVal() + 1);
   fHgid->Fill(gid);
   fHpx->Fill(*fPx);
   fHpxpy->Fill(*fPx, *fPy);
   fCounter->fCount++;
   TList *sub = (TList *)fOutput->FindObject("sublist");
   ((TH1F *)sub->At(0))->Fill(*fNtrk);
   for (auto pt : fTrkpt) {
      ((TH1F *)sub->At(1))->Fill(pt);
      fProf->Fill(*fNtrk, pt);
   }
   if (gid % 100 == 0) {
      fSkimGid = gid;
      fSkim->Fill();
   }
   if (gid == fAbortFileAt) Abort("test: skip the rest of this file", kAbortFile);
   return kTRUE;
}

void CountSel::SlaveTerminate()
{
   Bump(fOutput, "n_SlaveTerminate");
}

void CountSel::Terminate()
{
   ++fTerminateCalls;
   fOutput->Add(new TParameter<Int_t>("client_Begin", fBeginCalls));
   fOutput->Add(new TParameter<Int_t>("client_Terminate", fTerminateCalls));
   // PROOF re-points pointer members at the merged objects before Terminate.
   fOutput->Add(new TParameter<Int_t>("member_repointed",
                                      fHpx && fHpx == fOutput->FindObject("hpx") ? 1 : 0));
}
