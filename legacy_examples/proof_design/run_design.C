// Driver of the proof_design example: the sample session of PROOF's original design, as a macro.
//
//    proofshim run 'legacy_examples/proof_design/run_design.C("data", "out.root")'
//    proofshim run 'legacy_examples/proof_design/run_design.C("data", "local.root", kFALSE)'  // no PROOF
//
// gROOT->Proof() starts the session; chain->Process("ana.C") then goes to the cluster without any
// SetProof(); a TDSet of MyEvent objects is processed with myselector.C++; showenv.C runs on every
// worker. The outputs of both queries are written to `outfile`.
#include "TROOT.h"
#include "TProof.h"
#include "TDSet.h"
#include "TChain.h"
#include "TClass.h"
#include "TFile.h"
#include "TKey.h"
#include "TList.h"
#include "TSelector.h"
#include "TSystem.h"

static void keep_outputs(TList *out, TList &kept)
{
   TIter next(out);
   while (TObject *o = next())
      if (o->InheritsFrom("TH1") || TString(o->GetName()) == "n_events") kept.Add(o->Clone());
}

int run_design(const char *datadir, const char *outfile, Bool_t useProof = kTRUE)
{
   TString here = gSystem->DirName(__FILE__);
   TList kept;
   TChain *chain = new TChain("T");
   chain->Add(TString::Format("%s/tree_*.root", datadir));
   if (useProof) {
      gROOT->Proof();                                      // root[0] gROOT->Proof()
      if (!gProof) return 1;
      gProof->Load(here + "/MyEvent.C+");                  // the event class, here and on every worker
      if (chain->Process(here + "/ana.C") != 0) return 2;  // no SetProof(): the session processes it
      keep_outputs(gProof->GetOutputList(), kept);
      TDSet *objset = new TDSet("MyEvent", "*", "/events");
      for (int i = 0; i < 3; ++i) objset->Add(TString::Format("%s/events_%d.root", datadir, i));
      if (objset->Process(here + "/myselector.C++") != 0) return 3;
      keep_outputs(gProof->GetOutputList(), kept);
      if (gProof->Exec(".x " + here + "/showenv.C") != 0) return 4;
   } else {
      gROOT->ProcessLine(".L " + here + "/MyEvent.C+");
      TSelector *a = TSelector::GetSelector(here + "/ana.C+");
      chain->Process(a);
      keep_outputs(a->GetOutputList(), kept);
      // PROOF's object iteration by hand: each MyEvent of /events, SetObject, then Process(i).
      TSelector *s = TSelector::GetSelector(here + "/myselector.C+");
      s->Begin(nullptr);
      s->SlaveBegin(nullptr);
      for (int i = 0; i < 3; ++i) {
         TFile *f = TFile::Open(TString::Format("%s/events_%d.root", datadir, i));
         TDirectory *d = f ? f->GetDirectory("events") : nullptr;
         if (!d) return 5;
         TIter nextkey(d->GetListOfKeys());
         Long64_t n = 0;
         while (TKey *k = (TKey *)nextkey()) {
            TClass *c = TClass::GetClass(k->GetClassName());
            if (!c || !c->InheritsFrom("MyEvent")) continue;
            TObject *o = k->ReadObj();
            s->SetObject(o);
            s->Process(n++);
            delete o;
         }
         delete f;
      }
      s->SlaveTerminate();
      s->Terminate();
      keep_outputs(s->GetOutputList(), kept);
   }
   TFile out(outfile, "RECREATE");
   kept.Write();
   out.Close();
   return 0;
}
