#define NtupleGen_cxx
#include "NtupleGen.h"
#include "TFile.h"
#include "TFileCollection.h"
#include "TH1F.h"
#include "TMath.h"
#include "TNtuple.h"
#include "TProof.h"
#include "TProofOutputFile.h"
#include "TRandom3.h"

void NtupleGen::SlaveBegin(TTree *)
{
   TProof::GetParameter(fInput, "NtupleGen_Seed", fSeed);
   TNamed *ds = dynamic_cast<TNamed *>(fInput->FindObject("NtupleGen_DataSet"));
   if (ds) {
      fProofFile = new TProofOutputFile("NtupleGen.root", "DRO", ds->GetTitle());
   } else {
      fProofFile = new TProofOutputFile("NtupleGen.root", "M");
      TNamed *out = dynamic_cast<TNamed *>(fInput->FindObject("NtupleGen_OutFile"));
      if (out) fProofFile->SetOutputFileName(out->GetTitle());
   }
   fFile = fProofFile->OpenFile("RECREATE");
   if (!fFile || fFile->IsZombie()) {
      Abort("cannot open the output file");
      return;
   }
   fNtp = new TNtuple("ntuple", "generated particles", "px:py:pz:e");
   fNtp->SetDirectory(fFile);
   fFile->mkdir("control")->cd();
   fHpz = new TH1F("hpz", "p_{z};p_{z};particles", 80, -20, 20);
   fFile->cd();
}

Bool_t NtupleGen::Process(Long64_t entry)
{
   TRandom3 r(fSeed + entry);   // one seed per event: the same events however entries are split
   Float_t px = r.Gaus(0, 2), py = r.Gaus(0, 2), pz = r.Gaus(0, 5);
   Float_t e = TMath::Sqrt(px * px + py * py + pz * pz + 0.0195);
   fNtp->Fill(px, py, pz, e);
   fHpz->Fill(pz);
   return kTRUE;
}

void NtupleGen::SlaveTerminate()
{
   if (!fFile) return;
   fFile->cd();
   fNtp->Write();
   fFile->cd("control");
   fHpz->Write();
   fNtp->SetDirectory(0);
   fHpz->SetDirectory(0);
   fFile->Close();
   fOutput->Add(fProofFile);
}

void NtupleGen::Terminate()
{
   TIter next(fOutput);
   while (TObject *o = next()) {
      if (TProofOutputFile *pof = dynamic_cast<TProofOutputFile *>(o)) {
         TFile *f = TFile::Open(pof->GetOutputFileName());
         TNtuple *nt = f ? dynamic_cast<TNtuple *>(f->Get("ntuple")) : 0;
         if (nt) Info("Terminate", "merged file %s: %lld particles", pof->GetOutputFileName(), nt->GetEntries());
         delete f;
      } else if (TFileCollection *fc = dynamic_cast<TFileCollection *>(o)) {
         Info("Terminate", "data set %s: %lld files", fc->GetName(), (Long64_t)fc->GetNFiles());
      }
   }
}
