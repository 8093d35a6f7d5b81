#define EventSel_cxx
// The class definition in EventSel.h has been generated automatically
// by the ROOT utility TTree::MakeSelector(). This class is derived
// from the ROOT class TSelector.

// The following methods are defined in this file:
//    Begin():        called every time a loop on the tree starts,
//                    a convenient place to create your histograms.
//    SlaveBegin():   called after Begin(), when on PROOF called only on the
//                    slave servers.
//    Process():      called for each event, in this function you decide what
//                    to read and fill your histograms.
//    SlaveTerminate: called at the end of the loop on the tree, when on PROOF
//                    called only on the slave servers.
//    Terminate():    called at the end of the loop on the tree,
//                    a convenient place to draw/fit your histograms.
//
// To use this file, try the following session on your Tree T:
//
// Root > T->Process("EventSel.C")
// Root > T->Process("EventSel.C","some options")
// Root > T->Process("EventSel.C+")
//
// or with PROOF:
//
// Root > TProof::Open("")
// Root > chain->SetProof()
// Root > chain->Process("EventSel.C+")

#include "EventSel.h"
#include <TH1F.h>
#include <TH2F.h>
#include <TMath.h>
#include <TParameter.h>


void EventSel::Begin(TTree * /*tree*/)
{
   // The Begin() function is called at the start of the query.
   // When running with PROOF Begin() is only called on the client.
   // The tree argument is deprecated (on PROOF 0 is passed).

   TString option = GetOption();
   Info("Begin", "starting EventSel with option '%s'", option.Data());
}

void EventSel::SlaveBegin(TTree * /*tree*/)
{
   // The SlaveBegin() function is called after the Begin() function.
   // When running with PROOF SlaveBegin() is called on each slave server.
   // The tree argument is deprecated (on PROOF 0 is passed).

   TString option = GetOption();

   fHistPt   = new TH1F("h_pt", "p_{T} of selected tracks;p_{T} [GeV];tracks", 100, 0., 20.);
   fHistE    = new TH1F("h_e", "energy of selected tracks;E [GeV];tracks", 100, 0., 100.);
   fHistNhit = new TH1F("h_nhit", "hits per track (all tracks);n_{hit};tracks", 30, -0.5, 29.5);
   fHistPxPy = new TH2F("h_pxpy", "p_{y} vs p_{x} of selected tracks;p_{x} [GeV];p_{y} [GeV]",
                        50, -10., 10., 50, -10., 10.);

   fOutput->Add(fHistPt);
   fOutput->Add(fHistE);
   fOutput->Add(fHistNhit);
   fOutput->Add(fHistPxPy);

   fNSelected = 0;
}

Bool_t EventSel::Process(Long64_t entry)
{
   // The Process() function is called for each entry in the tree (or possibly
   // keyed object in the case of PROOF) to be processed. The entry argument
   // specifies which entry in the currently loaded tree is to be processed.
   // It can be passed to either EventSel::GetEntry() or TBranch::GetEntry()
   // to read either all or the required parts of the data. When processing
   // keyed objects with PROOF, the object is already loaded and is available
   // via the fObject pointer.
   //
   // This function should contain the "body" of the analysis. It can contain
   // simple or elaborate selection criteria, run algorithms on the data
   // of the event and typically fill histograms.
   //
   // The processing can be stopped by calling Abort().
   //
   // Use fStatus to set the return value of TTree::Process().
   //
   // The return value is currently not used.

   // Read only what the cuts need first ...
   b_nhit->GetEntry(entry);
   b_charge->GetEntry(entry);

   fHistNhit->Fill(nhit);

   if (nhit < 5) return kFALSE;
   if (charge == 0) return kFALSE;

   // ... then the rest of the entry.
   GetEntry(entry);   // == fChain->GetTree()->GetEntry(entry)

   Float_t pt = TMath::Sqrt(px*px + py*py);
   if (pt < 1.) return kFALSE;

   fHistPt->Fill(pt);
   fHistE->Fill(e);
   fHistPxPy->Fill(px, py);
   fNSelected++;

   return kTRUE;
}

void EventSel::SlaveTerminate()
{
   // The SlaveTerminate() function is called after all entries or objects
   // have been processed. When running with PROOF SlaveTerminate() is called
   // on each slave server.

   // Ship the counter: PROOF adds up the TParameter<Long64_t> of all workers.
   fOutput->Add(new TParameter<Long64_t>("nselected", fNSelected));
}

void EventSel::Terminate()
{
   // The Terminate() function is the last function to be called during
   // a query. It always runs on the client, it can be used to present
   // the results graphically or save the results to file.

   TH1F *hpt   = dynamic_cast<TH1F *>(fOutput->FindObject("h_pt"));
   TH1F *he    = dynamic_cast<TH1F *>(fOutput->FindObject("h_e"));
   TH1F *hnhit = dynamic_cast<TH1F *>(fOutput->FindObject("h_nhit"));
   TH2F *hpxpy = dynamic_cast<TH2F *>(fOutput->FindObject("h_pxpy"));
   TParameter<Long64_t> *nsel =
      dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nselected"));

   if (!hpt || !he || !hnhit || !hpxpy || !nsel) {
      Error("Terminate", "output objects missing from the output list");
      fOutput->ls();
      return;
   }

   Printf("EventSel: %-7s entries = %8.0f  mean = %.4f", "h_nhit", hnhit->GetEntries(), hnhit->GetMean());
   Printf("EventSel: %-7s entries = %8.0f  mean = %.4f", "h_pt", hpt->GetEntries(), hpt->GetMean());
   Printf("EventSel: %-7s entries = %8.0f  mean = %.4f", "h_e", he->GetEntries(), he->GetMean());
   Printf("EventSel: %-7s entries = %8.0f  mean x = %.4f  mean y = %.4f", "h_pxpy",
          hpxpy->GetEntries(), hpxpy->GetMean(1), hpxpy->GetMean(2));
   Printf("EventSel: nselected = %lld", nsel->GetVal());
}
