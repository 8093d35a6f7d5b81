// Driver of the ntuple_outputfile example (PROOF-Lite, 2012 style), run unmodified:
//
//    proofshim run 'legacy_examples/ntuple_outputfile/run_ntuple.C("work", 50000)'
//    proofshim run 'legacy_examples/ntuple_outputfile/run_ntuple.C("work", 50000, kFALSE)'  // no PROOF
//
// Generates n events into an ntuple written through TProofOutputFile, first merged into one file,
// then as a data set of the workers' parts which a second selector reads back. Summary histograms
// go to <workdir>/summary.root.
#include "TProof.h"
#include "TChain.h"
#include "TFile.h"
#include "TH1.h"
#include "TList.h"
#include "TNtuple.h"
#include "TParameter.h"
#include "TSelector.h"
#include "TSystem.h"

int run_ntuple(const char *workdir, Long64_t n, Bool_t useProof = kTRUE)
{
   TString here = gSystem->DirName(__FILE__);
   gSystem->mkdir(workdir, kTRUE);
   TString merged = TString::Format("%s/ntuple_merged.root", workdir);
   TH1 *hread = 0;
   if (useProof) {
      TProof *proof = TProof::Open("");
      if (!proof) return 1;
      proof->SetParameter("NtupleGen_Seed", 1234);
      proof->SetParameter("NtupleGen_OutFile", merged.Data());
      if (proof->Process(here + "/NtupleGen.C+", n) != 0) return 2;
      proof->DeleteParameters("NtupleGen_OutFile");
      proof->SetParameter("NtupleGen_DataSet", "ntuple_parts");
      if (proof->Process(here + "/NtupleGen.C+", n) != 0) return 3;
      if (!proof->ExistsDataSet("ntuple_parts")) return 4;
      if (proof->Process("ntuple_parts", here + "/NtupleRead.C+") != 0) return 5;
      hread = (TH1 *)proof->GetOutputList()->FindObject("hpt_read")->Clone();
   } else {
      TSelector *gen = TSelector::GetSelector(here + "/NtupleGen.C+");
      TList *input = new TList;
      input->Add(new TParameter<Int_t>("NtupleGen_Seed", 1234));
      gen->SetInputList(input);
      gen->SlaveBegin(0);
      for (Long64_t i = 0; i < n; ++i) gen->Process(i);
      gen->SlaveTerminate();
      gSystem->Rename("NtupleGen.root", merged);
      TChain chain("ntuple");
      chain.Add(merged);
      TSelector *read = TSelector::GetSelector(here + "/NtupleRead.C+");
      chain.Process(read);
      hread = (TH1 *)read->GetOutputList()->FindObject("hpt_read")->Clone();
   }
   TFile in(merged);
   TNtuple *nt = dynamic_cast<TNtuple *>(in.Get("ntuple"));
   TH1 *hpz = dynamic_cast<TH1 *>(in.Get("control/hpz"));
   if (!nt || !hpz) return 6;
   printf("ntuple: %lld particles, control/hpz: %.0f entries\n", nt->GetEntries(), hpz->GetEntries());
   TFile out(TString::Format("%s/summary.root", workdir), "RECREATE");
   hpz->Write("hpz");
   hread->Write("hpt_read");
   TParameter<Long64_t>("ntuple_entries", nt->GetEntries()).Write();
   TH1F hsum("hpx_ntuple", "px from the merged ntuple", 50, -10, 10);
   nt->Project("hpx_ntuple", "px");
   hsum.Write();
   out.Close();
   return 0;
}
