#define TrackSel_cxx
#include "TrackSel.h"
#include "TH1F.h"
#include "TH2F.h"
#include "TNamed.h"
#include "TParameter.h"
#include "TProof.h"
#include "TProofServ.h"
#include "TSystem.h"
#include <fstream>

void TrackSel::Begin(TTree *)
{
   Info("Begin", "track selection starting");
}

void TrackSel::SlaveBegin(TTree *)
{
   fPtCut = 0.5;
   fMinHits = 8;
   TProof::GetParameter(fInput, "TrackSel_PtCut", fPtCut);
   TProof::GetParameter(fInput, "TrackSel_MinHits", fMinHits);
   fHpt = new TH1F("hpt", "track p_{T};p_{T} [GeV];tracks", 100, 0, 20);
   fHeta = new TH1F("heta", "track #eta;#eta;tracks", 50, -2.5, 2.5);
   fHetaphi = new TH2F("hetaphi", "#eta vs #phi", 25, -2.5, 2.5, 32, -3.2, 3.2);
   fOutput->Add(fHpt);
   fOutput->Add(fHeta);
   fOutput->Add(fHetaphi);
}

void TrackSel::Init(TTree *tree)
{
   fChain = tree;
   fChain->SetBranchAddress("pt", &pt, &b_pt);
   fChain->SetBranchAddress("eta", &eta, &b_eta);
   fChain->SetBranchAddress("phi", &phi, &b_phi);
   fChain->SetBranchAddress("nhits", &nhits, &b_nhits);
}

Bool_t TrackSel::Process(Long64_t entry)
{
   fChain->GetTree()->GetEntry(entry);   // entry counts within the current tree
   ++fSeen;
   if (pt < fPtCut || nhits < fMinHits) return kTRUE;
   fHpt->Fill(pt);
   fHeta->Fill(eta);
   fHetaphi->Fill(eta, phi);
   return kTRUE;
}

void TrackSel::SlaveTerminate()
{
   fOutput->Add(new TParameter<Long64_t>("tracks_seen", fSeen));
   if (!gProofServ) return;   // not on PROOF: nothing to tell about the worker
   // Each worker keeps a note in its own data directory, as analyses kept per-worker files.
   TString note = TString::Format("%s/tracksel-%s.txt", gProofServ->GetDataDir(), gProofServ->GetOrdinal());
   {
      std::ofstream out(note.Data());
      out << fSeen << "\n";
   }
   Bool_t ok = !gSystem->AccessPathName(note);
   fOutput->Add(new TNamed(TString::Format("worker_%s", gProofServ->GetOrdinal()).Data(),
                           ok ? "data dir ok" : "data dir not writable"));
}

void TrackSel::Terminate()
{
   TH1F *h = dynamic_cast<TH1F *>(fOutput->FindObject("hpt"));
   if (h) Info("Terminate", "%.0f tracks selected", h->GetEntries());
}
