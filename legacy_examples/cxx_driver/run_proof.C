// Driver macro of the cxx_driver example, written for PROOF-Lite in 2011 and run unmodified:
//
//    proofshim run 'legacy_examples/cxx_driver/run_proof.C("data", "out.root")'
//    proofshim run 'legacy_examples/cxx_driver/run_proof.C("data", "out.root", kFALSE)'   // no PROOF
//
// It opens PROOF, sets the cuts as parameters, builds a TDSet of the files and processes TrackSel;
// the histograms of the output list are written to `outfile`.
#include "TProof.h"
#include "TDSet.h"
#include "TChain.h"
#include "TFile.h"
#include "TH1.h"
#include "TList.h"
#include "TParameter.h"
#include "TSelector.h"
#include "TSystem.h"

int run_proof(const char *datadir, const char *outfile, Bool_t useProof = kTRUE)
{
   TString sel = TString(gSystem->DirName(__FILE__)) + "/TrackSel.C+";
   TString pattern = TString::Format("%s/cxx_driver_*.root", datadir);
   TList *output = 0;
   if (useProof) {
      TProof *proof = TProof::Open("");
      if (!proof) return 1;
      proof->SetParameter("TrackSel_PtCut", 1.0);
      proof->SetParameter("TrackSel_MinHits", 9);
      TDSet *dset = new TDSet("TTree", "tracks");
      for (int i = 0; i < 4; ++i) dset->Add(TString::Format("%s/cxx_driver_%d.root", datadir, i));
      if (dset->Process(sel) != 0) return 2;
      output = proof->GetOutputList();
      TIter next(output);
      Int_t workers = 0, ok = 0;
      while (TObject *o = next()) {
         if (!TString(o->GetName()).BeginsWith("worker_")) continue;
         ++workers;
         if (TString(o->GetTitle()) == "data dir ok") ++ok;
      }
      printf("workers seen: %d, data dirs ok: %d\n", workers, ok);
   } else {
      TChain chain("tracks");
      chain.Add(pattern);
      TSelector *s = TSelector::GetSelector(sel);
      TList *input = new TList;
      input->Add(new TParameter<Double_t>("TrackSel_PtCut", 1.0));
      input->Add(new TParameter<Int_t>("TrackSel_MinHits", 9));
      s->SetInputList(input);
      chain.Process(s);
      output = s->GetOutputList();
   }
   TFile f(outfile, "RECREATE");
   TIter next(output);
   while (TObject *o = next()) {
      if (o->InheritsFrom(TH1::Class()) || TString(o->GetName()) == "tracks_seen") o->Write();
   }
   f.Close();
   return 0;
}
