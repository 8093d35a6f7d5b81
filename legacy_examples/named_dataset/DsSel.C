#define DsSel_cxx
// The class definition in DsSel.h has been generated automatically
// by the ROOT utility TTree::MakeSelector(). This class is derived
// from the ROOT class TSelector.
//
// DsSel fills jet and missing-ET histograms, per run, for whatever the
// query runs over; here: registered PROOF data sets.
//
// Root > TProof *p = TProof::Open("");
// Root > p->RegisterDataSet("myruns", fc, "OV");
// Root > p->Process("myruns#events", "DsSel.C+");
// Root > p->Process("myruns|otherruns", "DsSel.C+");
//
// Option "ptmin=X": minimum jet pt [GeV] (default 20).

#include "DsSel.h"
#include <TH1F.h>
#include <TH2F.h>
#include <TMath.h>
#include <TParameter.h>
#include <TString.h>

static Double_t JetPtMin(const char *opt)
{
   TString option = opt;
   Ssiz_t at = option.Index("ptmin=");
   if (at == kNPOS) return 20.;
   TString val = option(at + 6, option.Length());
   return val.Atof();
}

void DsSel::Begin(TTree * /*tree*/)
{
   // The Begin() function is called at the start of the query.
   // When running with PROOF Begin() is only called on the client.
   // The tree argument is deprecated (on PROOF 0 is passed).

   Info("Begin", "DsSel starting, jets above %g GeV", JetPtMin(GetOption()));
}

void DsSel::SlaveBegin(TTree * /*tree*/)
{
   // The SlaveBegin() function is called after the Begin() function.
   // When running with PROOF SlaveBegin() is called on each slave server.
   // The tree argument is deprecated (on PROOF 0 is passed).

   fPtMin = JetPtMin(GetOption());

   fHistRun    = new TH1F("h_run", "events per run;run;events", 150, 100.5, 250.5);
   fHistNjet   = new TH1F("h_njet", "jets per event;n_{jet};events", 15, -0.5, 14.5);
   fHistJetPt  = new TH1F("h_jetpt", "jet p_{T};p_{T} [GeV];jets", 100, 0., 300.);
   fHistLeadPt = new TH1F("h_leadpt", "leading jet p_{T};p_{T} [GeV];events", 100, 0., 300.);
   fHistMet    = new TH1F("h_met", "missing E_{T};E_{T}^{miss} [GeV];events", 60, 0., 60.);
   fHistEtaPt  = new TH2F("h_jet_etapt", "jet p_{T} vs #eta;#eta;p_{T} [GeV]",
                          30, -4.5, 4.5, 30, 0., 300.);

   fOutput->Add(fHistRun);
   fOutput->Add(fHistNjet);
   fOutput->Add(fHistJetPt);
   fOutput->Add(fHistLeadPt);
   fOutput->Add(fHistMet);
   fOutput->Add(fHistEtaPt);

   fNEvents = 0;
}

Bool_t DsSel::Process(Long64_t entry)
{
   // The Process() function is called for each entry in the tree (or possibly
   // keyed object in the case of PROOF) to be processed. The entry argument
   // specifies which entry in the currently loaded tree is to be processed.
   //
   // Use fStatus to set the return value of TTree::Process().

   GetEntry(entry);
   fNEvents++;

   fHistRun->Fill(run);
   fHistMet->Fill(met);

   Int_t nsel = 0;
   Int_t n = TMath::Min(njet, kMaxjet);
   for (Int_t i = 0; i < n; ++i) {
      if (jet_pt[i] < fPtMin) continue;
      if (nsel == 0) fHistLeadPt->Fill(jet_pt[i]);   // jets are sorted in pt
      fHistJetPt->Fill(jet_pt[i]);
      fHistEtaPt->Fill(jet_eta[i], jet_pt[i]);
      nsel++;
   }
   fHistNjet->Fill(nsel);

   return kTRUE;
}

void DsSel::SlaveTerminate()
{
   // The SlaveTerminate() function is called after all entries or objects
   // have been processed. When running with PROOF SlaveTerminate() is called
   // on each slave server.

   fOutput->Add(new TParameter<Long64_t>("nevents", fNEvents));
}

void DsSel::Terminate()
{
   // The Terminate() function is the last function to be called during
   // a query. It always runs on the client, it can be used to present
   // the results graphically or save the results to file.

   TH1F *hrun = dynamic_cast<TH1F *>(fOutput->FindObject("h_run"));
   TH1F *hnjet = dynamic_cast<TH1F *>(fOutput->FindObject("h_njet"));
   TH1F *hlead = dynamic_cast<TH1F *>(fOutput->FindObject("h_leadpt"));
   TH1F *hmet = dynamic_cast<TH1F *>(fOutput->FindObject("h_met"));
   TParameter<Long64_t> *nev = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nevents"));
   if (!hrun || !hnjet || !hlead || !hmet || !nev) {
      Error("Terminate", "output objects missing from the output list");
      fOutput->ls();
      return;
   }

   TString runs;
   for (Int_t b = 1; b <= hrun->GetNbinsX(); ++b)
      if (hrun->GetBinContent(b) > 0)
         runs += TString::Format(" %.0f(%.0f)", hrun->GetBinCenter(b), hrun->GetBinContent(b));
   Printf("DsSel: %lld events, runs (events):%s", nev->GetVal(), runs.Data());
   Printf("DsSel: <njet> = %.4f, <leading jet pt> = %.3f GeV, <met> = %.3f GeV",
          hnjet->GetMean(), hlead->GetMean(), hmet->GetMean());
}
