// Driver of the par_package example (PROOF-Lite, 2010 style), run unmodified:
//
//    proofshim run 'legacy_examples/par_package/run_par.C("data", "out.root")'
//    proofshim run 'legacy_examples/par_package/run_par.C("data", "local.root", kFALSE)'  // no PROOF
//
// Uploads and enables the DiMuon package (helper class DiMuonKin, set up by PROOF-INF/SETUP.C on
// every worker and on the client), then processes the data with PairSel, which uses the class.
#include "TProof.h"
#include "TDSet.h"
#include "TChain.h"
#include "TFile.h"
#include "TH1.h"
#include "TList.h"
#include "TSelector.h"
#include "TSystem.h"
#include "TROOT.h"

int run_par(const char *datadir, const char *outfile, Bool_t useProof = kTRUE)
{
   TString here = gSystem->DirName(__FILE__);
   TString pkg = here + "/DiMuon";
   TList *output = 0;
   if (useProof) {
      TProof *proof = TProof::Open("");
      if (!proof) return 1;
      if (proof->UploadPackage(pkg) != 0) return 2;
      if (proof->EnablePackage("DiMuon") != 0) return 3;
      proof->ShowEnabledPackages();
      TDSet *dset = new TDSet("TTree", "mumu");
      for (int i = 0; i < 3; ++i) dset->Add(TString::Format("%s/par_package_%d.root", datadir, i));
      if (dset->Process(here + "/PairSel.C+") != 0) return 4;
      output = proof->GetOutputList();
   } else {
      // Without PROOF: set the package up by hand, as its SETUP.C does.
      TString cwd = gSystem->WorkingDirectory();
      gSystem->ChangeDirectory(pkg);
      gSystem->AddIncludePath("-I" + pkg);
      if (gSystem->CompileMacro("DiMuonKin.C", "k") != 1) return 5;
      gSystem->ChangeDirectory(cwd);
      TChain chain("mumu");
      chain.Add(TString::Format("%s/par_package_*.root", datadir));
      TSelector *s = TSelector::GetSelector(here + "/PairSel.C+");
      if (!s) return 6;
      chain.Process(s);
      output = s->GetOutputList();
   }
   TFile f(outfile, "RECREATE");
   TIter next(output);
   while (TObject *o = next())
      if (o->InheritsFrom(TH1::Class())) o->Write();
   f.Close();
   return 0;
}
