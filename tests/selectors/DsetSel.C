// Writes a data set the way ROOT's tutorials did (ProofStdVect, ProofNtuple in "dataset" mode):
// TProofOutputFile(file, TProofOutputFile::kDataset, kRegister | kOverwrite | kVerify, dsname),
// one tree per worker filled from the cycle index, registered when the query ends.
// Inputs: DsetSel_Name (TNamed, the data set's name).
#include "TFile.h"
#include "TNamed.h"
#include "TProofOutputFile.h"
#include "TSelector.h"
#include "TTree.h"

class DsetSel : public TSelector {
public:
   TProofOutputFile *fProofFile = nullptr;
   TFile *fFile = nullptr;
   TTree *fTree = nullptr;
   Long64_t fCycle = 0;

   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      TString name = "dsetsel";
      if (TObject *o = fInput->FindObject("DsetSel_Name")) name = o->GetTitle();
      UInt_t opt = TProofOutputFile::kRegister | TProofOutputFile::kOverwrite | TProofOutputFile::kVerify;
      fProofFile = new TProofOutputFile("DsetSel.root", TProofOutputFile::kDataset, opt, name);
      TDirectory *savedir = gDirectory;
      fFile = fProofFile->OpenFile("RECREATE");
      if (!fFile || fFile->IsZombie()) {
         Abort("cannot open the TProofOutputFile", kAbortProcess);
         return;
      }
      fTree = new TTree("cycles", "one entry per cycle");
      fTree->Branch("cycle", &fCycle);
      fTree->SetDirectory(fFile);
      savedir->cd();
   }
   Bool_t Process(Long64_t entry) override
   {
      fCycle = entry;
      if (fTree) fTree->Fill();
      return kTRUE;
   }
   void SlaveTerminate() override
   {
      if (!fFile) return;
      TDirectory *savedir = gDirectory;
      fFile->cd();
      fTree->Write();
      fTree->SetDirectory(nullptr);
      fFile->Close();
      savedir->cd();
      if (fTree->GetEntries() > 0) fOutput->Add(fProofFile);
   }
   ClassDefOverride(DsetSel, 0)
};
