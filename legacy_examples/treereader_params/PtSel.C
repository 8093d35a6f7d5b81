#define PtSel_cxx
// The class definition in PtSel.h has been generated automatically
// by the ROOT utility TTree::MakeSelector(). This class is derived
// from the ROOT class TSelector.
//
// The selector is configured through the input list, filled on the
// client with TProof::SetParameter():
//
//    PtSel_Mode     TNamed                "loose" | "tight"
//    PtSel_NBins    TParameter<Int_t>     bins of h_pt
//    PtSel_PtCut    TParameter<Double_t>  minimum pt [GeV]
//    PtSel_Verbose  TParameter<Long_t>    > 0: print the configuration
//
// A missing parameter is replaced by its default (with a warning).
// Option "leading": h_jpt gets the leading jet only instead of all jets.
//
// Root > TProof *p = TProof::Open("workers=2");
// Root > p->SetParameter("PtSel_Mode", "tight");
// Root > p->SetParameter("PtSel_NBins", (Int_t)40);
// Root > chain->SetProof();
// Root > chain->Process("PtSel.C+", "leading");

#include "PtSel.h"
#include <TH1D.h>
#include <TH1F.h>
#include <TList.h>
#include <TMath.h>
#include <TNamed.h>
#include <TParameter.h>
#include <TProfile.h>

void PtSel::Begin(TTree * /*tree*/)
{
   // The Begin() function is called at the start of the query.
   // When running with PROOF Begin() is only called on the client.
   // The tree argument is deprecated (on PROOF 0 is passed).

   TString option = GetOption();
   Info("Begin", "PtSel starting, option '%s'", option.Data());
}

void PtSel::SlaveBegin(TTree * /*tree*/)
{
   // The SlaveBegin() function is called after the Begin() function.
   // When running with PROOF SlaveBegin() is called on each slave server.
   // The tree argument is deprecated (on PROOF 0 is passed).

   TString option = GetOption();
   fLeadingOnly = option.Contains("leading", TString::kIgnoreCase);

   // --- configuration from the input list ---------------------------------
   TObject *obj = 0;

   obj = fInput ? fInput->FindObject("PROOF_Ordinal") : 0;
   if (TNamed *ord = dynamic_cast<TNamed *>(obj))
      Info("SlaveBegin", "running on worker %s", ord->GetTitle());

   obj = fInput ? fInput->FindObject("PtSel_Mode") : 0;
   if (TNamed *p = dynamic_cast<TNamed *>(obj)) {
      fMode = p->GetTitle();
   } else {
      Warning("SlaveBegin", "no TNamed PtSel_Mode in the input list: using '%s'", fMode.Data());
   }

   obj = fInput ? fInput->FindObject("PtSel_NBins") : 0;
   if (TParameter<Int_t> *p = dynamic_cast<TParameter<Int_t> *>(obj)) {
      fNBins = p->GetVal();
   } else {
      Warning("SlaveBegin", "no TParameter<Int_t> PtSel_NBins in the input list: using %d", fNBins);
   }

   obj = fInput ? fInput->FindObject("PtSel_PtCut") : 0;
   if (TParameter<Double_t> *p = dynamic_cast<TParameter<Double_t> *>(obj)) {
      fPtCut = p->GetVal();
   } else {
      Warning("SlaveBegin", "no TParameter<Double_t> PtSel_PtCut in the input list: using %g", fPtCut);
   }

   obj = fInput ? fInput->FindObject("PtSel_Verbose") : 0;
   if (TParameter<Long_t> *p = dynamic_cast<TParameter<Long_t> *>(obj)) {
      fVerbose = p->GetVal();
   } else {
      Warning("SlaveBegin", "no TParameter<Long_t> PtSel_Verbose in the input list: using %ld", fVerbose);
   }

   if (fMode == "tight") {
      fMaxEta = 1.5;
      fMinJets = 2;
   } else {
      if (fMode != "loose")
         Warning("SlaveBegin", "unknown mode '%s': using 'loose'", fMode.Data());
      fMode = "loose";
      fMaxEta = 2.5;
      fMinJets = 0;
   }
   if (fNBins <= 0) {
      Warning("SlaveBegin", "PtSel_NBins = %d makes no sense: using 50", fNBins);
      fNBins = 50;
   }

   if (fVerbose > 0)
      Info("SlaveBegin", "mode %s (|eta| < %g, nj >= %d), pt > %g GeV, %d bins, %s jets in h_jpt",
           fMode.Data(), fMaxEta, fMinJets, fPtCut, fNBins, fLeadingOnly ? "leading" : "all");

   // --- output objects ---------------------------------------------------
   fHistPt = new TH1D("h_pt", Form("candidate p_{T} (%s);p_{T} [GeV];candidates", fMode.Data()),
                      fNBins, 0., 200.);
   fProfNj = new TProfile("p_nj_eta", "mean number of jets vs #eta;#eta;<n_{jet}>", 20, -2.5, 2.5);

   fHistEta = new TH1F("h_eta", "candidate #eta;#eta;candidates", 50, -2.5, 2.5);
   fHistJpt = new TH1F("h_jpt", "jet p_{T};p_{T}^{jet} [GeV];jets", 60, 0., 300.);
   fExtras = new TList;
   fExtras->SetName("extras");
   fExtras->SetOwner();
   fExtras->Add(fHistEta);
   fExtras->Add(fHistJpt);

   fOutput->Add(fHistPt);
   fOutput->Add(fProfNj);
   fOutput->Add(fExtras);
}

Bool_t PtSel::Process(Long64_t entry)
{
   // The Process() function is called for each entry in the tree (or possibly
   // keyed object in the case of PROOF) to be processed. The entry argument
   // specifies which entry in the currently loaded tree is to be processed.
   // When processing keyed objects with PROOF, the object is already loaded
   // and is available via the fObject pointer.
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

   fReader.SetLocalEntry(entry);

   if (*pt < fPtCut) return kFALSE;
   if (TMath::Abs(*eta) >= fMaxEta) return kFALSE;
   if (*nj < fMinJets) return kFALSE;

   fHistPt->Fill(*pt);
   fProfNj->Fill(*eta, *nj);
   fHistEta->Fill(*eta);
   for (size_t i = 0; i < jpt.GetSize(); ++i) {
      fHistJpt->Fill(jpt[i]);
      if (fLeadingOnly) break;
   }

   return kTRUE;
}

void PtSel::SlaveTerminate()
{
   // The SlaveTerminate() function is called after all entries or objects
   // have been processed. When running with PROOF SlaveTerminate() is called
   // on each slave server.

   if (fVerbose > 0 && fHistPt)
      Info("SlaveTerminate", "%.0f candidates selected here", fHistPt->GetEntries());
}

void PtSel::Terminate()
{
   // The Terminate() function is the last function to be called during
   // a query. It always runs on the client, it can be used to present
   // the results graphically or save the results to file.

   TH1D *hpt = dynamic_cast<TH1D *>(fOutput->FindObject("h_pt"));
   TProfile *prof = dynamic_cast<TProfile *>(fOutput->FindObject("p_nj_eta"));
   TList *extras = dynamic_cast<TList *>(fOutput->FindObject("extras"));
   TH1F *heta = extras ? dynamic_cast<TH1F *>(extras->FindObject("h_eta")) : 0;
   TH1F *hjpt = extras ? dynamic_cast<TH1F *>(extras->FindObject("h_jpt")) : 0;

   if (!hpt || !prof || !heta || !hjpt) {
      Error("Terminate", "output objects missing from the output list");
      fOutput->ls();
      return;
   }

   Printf("PtSel: h_pt       %d bins  entries = %8.0f  mean = %.4f",
          hpt->GetNbinsX(), hpt->GetEntries(), hpt->GetMean());
   Printf("PtSel: p_nj_eta   entries = %8.0f  mean nj = %.4f", prof->GetEntries(), prof->GetMean(2));
   Printf("PtSel: extras/h_eta entries = %8.0f  mean = %.4f", heta->GetEntries(), heta->GetMean());
   Printf("PtSel: extras/h_jpt entries = %8.0f  mean = %.4f", hjpt->GetEntries(), hjpt->GetMean());
}
