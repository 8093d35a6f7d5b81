// Test selector for TProofOutputFile, written the way PROOF's ProofSimpleFile/ProofNtuple tutorials
// were: SlaveBegin opens the file through the TProofOutputFile, histograms (one in a subdirectory)
// and an ntuple live in it, SlaveTerminate writes and closes it and adds the object to fOutput;
// Terminate opens the merged file by GetOutputFileName().
// Inputs (TNamed): PofSel_Mode (constructor option, default "M"), PofSel_DataSet (data set name),
// PofSel_Output (SetOutputFileName), PofSel_SkipOrdinal (that worker writes nothing),
// PofSel_NoClose (SlaveTerminate neither writes nor closes the file: proofshim has to).
// Tree-driven over the test tree "T", or cycle-driven (no Init: values made from the cycle index).
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TFile.h"
#include "TH1D.h"
#include "TNtuple.h"
#include "TNamed.h"
#include "TParameter.h"
#include "TProofOutputFile.h"
#include "TProofServ.h"
#include <cmath>
#include <cstring>

class PofSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Long64_t> fGid{fReader, "gid"};
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TTreeReaderValue<Int_t> fNtrk{fReader, "ntrk"};
   Bool_t fHaveTree = kFALSE;
   Bool_t fSkip = kFALSE;
   Bool_t fNoClose = kFALSE;

   TProofOutputFile *fProofFile = nullptr;
   TFile *fFile = nullptr;
   TDirectory *fSub = nullptr;
   TH1D *fHpx = nullptr;
   TH1D *fHntrk = nullptr;
   TNtuple *fNtp = nullptr;
   TParameter<Long64_t> *fWritten = nullptr;

   Int_t Version() const override { return 2; }

   void SlaveBegin(TTree *) override
   {
      TString mode = "M", dsname;
      if (TObject *o = fInput->FindObject("PofSel_Mode")) mode = o->GetTitle();
      if (TObject *o = fInput->FindObject("PofSel_DataSet")) dsname = o->GetTitle();
      if (TObject *o = fInput->FindObject("PofSel_SkipOrdinal"))
         fSkip = gProofServ && !strcmp(gProofServ->GetOrdinal(), o->GetTitle());
      fNoClose = fInput->FindObject("PofSel_NoClose") != nullptr;
      fProofFile = new TProofOutputFile("PofSel.root", mode, dsname.IsNull() ? nullptr : dsname.Data());
      if (TObject *o = fInput->FindObject("PofSel_Output")) fProofFile->SetOutputFileName(o->GetTitle());
      fWritten = new TParameter<Long64_t>("PofSel_Written", 0);
      fOutput->Add(fWritten);

      TDirectory *savedir = gDirectory;
      fFile = fProofFile->OpenFile("RECREATE");
      if (!fFile || fFile->IsZombie()) {
         Abort("cannot open the TProofOutputFile", kAbortProcess);
         return;
      }
      fHpx = new TH1D("hpx", "px", 40, -4, 4);
      fHpx->SetDirectory(fFile);
      fSub = fFile->mkdir("sub");
      fHntrk = new TH1D("hntrk", "ntrk", 20, -0.5, 19.5);
      fHntrk->SetDirectory(fSub);
      fNtp = new TNtuple("ntuple", "proofshim test ntuple", "gid:px:py:ntrk");
      fNtp->SetDirectory(fFile);
      savedir->cd();
   }

   void Init(TTree *tree) override
   {
      fReader.SetTree(tree);
      fHaveTree = kTRUE;
   }

   Bool_t Process(Long64_t entry) override
   {
      if (fSkip || !fNtp) return kTRUE;
      Double_t gid, px, py, ntrk;
      if (fHaveTree) {
         fReader.SetLocalEntry(entry);
         gid = *fGid; px = *fPx; py = *fPy; ntrk = *fNtrk;
      } else {
         gid = entry; px = 2 * std::sin(0.37 * entry); py = std::cos(0.11 * entry); ntrk = entry % 7;
      }
      fHpx->Fill(px);
      fHntrk->Fill(ntrk);
      fNtp->Fill(gid, px, py, ntrk);
      fWritten->SetVal(fWritten->GetVal() + 1);
      return kTRUE;
   }

   void SlaveTerminate() override
   {
      if (!fFile) return;
      if (fNoClose) {
         fOutput->Add(fProofFile);
         return;
      }
      TDirectory *savedir = gDirectory;
      if (!fSkip) {
         fFile->cd();
         fHpx->Write();
         fNtp->Write();
         fSub->cd();
         fHntrk->Write();
      }
      savedir->cd();
      fFile->Close();
      fOutput->Add(fProofFile);
   }

   void Terminate() override
   {
      auto *pof = dynamic_cast<TProofOutputFile *>(fOutput->FindObject("PofSel.root"));
      if (!pof) return;
      Long64_t n = -1;
      if (TFile *f = TFile::Open(pof->GetOutputFileName())) {
         auto *t = dynamic_cast<TTree *>(f->Get("ntuple"));
         n = t ? t->GetEntries() : 0;
         f->Close();
         delete f;
      }
      fOutput->Add(new TParameter<Long64_t>("PofSel_TerminateEntries", n));
      fOutput->Add(new TNamed("PofSel_TerminateFile", pof->GetOutputFileName()));
   }

   ClassDefOverride(PofSel, 0)
};
