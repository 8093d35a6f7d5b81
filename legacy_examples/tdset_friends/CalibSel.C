#define CalibSel_cxx
// The class definition in CalibSel.h has been generated automatically
// by the ROOT utility TTree::MakeSelector(). This class is derived
// from the ROOT class TSelector.
//
// CalibSel applies the per-event calibration constants of the friend
// tree "calib" to the raw cluster energies of the "events" tree:
//
//    E = calib.scale * eraw - calib.offset
//
// The friend must be attached with alias "calib", entry for entry:
//
// Root > TProof::Open("")
// Root > TDSet *dset = new TDSet("TTree", "events");
// Root > dset->Add("raw_run4711.root");  ...
// Root > TDSet *cal = new TDSet("TTree", "calibration");
// Root > cal->Add("calib_run4711.root"); ...
// Root > dset->AddFriend(cal, "calib");
// Root > dset->Process("CalibSel.C+");
//
// Option "emin=X": threshold on the calibrated energy (default 5 GeV).

#include "CalibSel.h"
#include <TH1F.h>
#include <TH2F.h>
#include <TMath.h>
#include <TParameter.h>
#include <TString.h>

void CalibSel::Begin(TTree * /*tree*/)
{
   // The Begin() function is called at the start of the query.
   // When running with PROOF Begin() is only called on the client.
   // The tree argument is deprecated (on PROOF 0 is passed).

   ReadOption();
   Info("Begin", "CalibSel starting, option '%s': threshold %g GeV", GetOption(), fEMin);
}

void CalibSel::ReadOption()
{
   // "emin=X" in the option string sets the energy threshold.
   TString option = GetOption();
   Ssiz_t at = option.Index("emin=");
   if (at != kNPOS) {
      TString val = option(at + 5, option.Length());
      fEMin = val.Atof();
   }
}

void CalibSel::SlaveBegin(TTree * /*tree*/)
{
   // The SlaveBegin() function is called after the Begin() function.
   // When running with PROOF SlaveBegin() is called on each slave server.
   // The tree argument is deprecated (on PROOF 0 is passed).

   ReadOption();

   fHistERaw     = new TH1F("h_eraw", "raw cluster energy;E_{raw} [GeV];clusters", 100, 0., 100.);
   fHistECal     = new TH1F("h_ecal", "calibrated cluster energy;E [GeV];clusters", 100, 0., 100.);
   fHistScale    = new TH1F("h_scale", "calibration scale;calib.scale;clusters", 80, 0.85, 1.15);
   fHistECalPeak = new TH1F("h_ecal_peak", "calibrated energy near 45 GeV;E [GeV];clusters",
                            60, 39., 51.);
   fHistECalEta  = new TH2F("h_ecal_eta", "calibrated energy vs #eta;#eta;E [GeV]",
                            25, -2.5, 2.5, 40, 0., 100.);

   fOutput->Add(fHistERaw);
   fOutput->Add(fHistECal);
   fOutput->Add(fHistScale);
   fOutput->Add(fHistECalPeak);
   fOutput->Add(fHistECalEta);

   fNEvents = 0;
   fNAbove = 0;
   fNMismatch = 0;
}

Bool_t CalibSel::Process(Long64_t entry)
{
   // The Process() function is called for each entry in the tree (or possibly
   // keyed object in the case of PROOF) to be processed. The entry argument
   // specifies which entry in the currently loaded tree is to be processed.
   //
   // Use fStatus to set the return value of TTree::Process().

   fReader.SetLocalEntry(entry);
   fNEvents++;

   // the friend must be aligned with the main tree
   if (*calib_evt != *evt) {
      if (fNMismatch++ < 5)
         Warning("Process", "run %d: friend entry has evt %d, main tree evt %d",
                 *run, *calib_evt, *evt);
      return kFALSE;
   }

   Double_t e = (*calib_scale) * (*eraw) - (*calib_offset);

   fHistERaw->Fill(*eraw);
   fHistECal->Fill(e);
   fHistScale->Fill(*calib_scale);
   fHistECalPeak->Fill(e);

   if (e < fEMin) return kFALSE;
   fHistECalEta->Fill(*eta, e);
   fNAbove++;

   return kTRUE;
}

void CalibSel::SlaveTerminate()
{
   // The SlaveTerminate() function is called after all entries or objects
   // have been processed. When running with PROOF SlaveTerminate() is called
   // on each slave server.

   // counters: PROOF adds up the TParameter<Long64_t> of all workers
   fOutput->Add(new TParameter<Long64_t>("nevents", fNEvents));
   fOutput->Add(new TParameter<Long64_t>("nabove", fNAbove));
   fOutput->Add(new TParameter<Long64_t>("nmismatch", fNMismatch));
}

void CalibSel::Terminate()
{
   // The Terminate() function is the last function to be called during
   // a query. It always runs on the client, it can be used to present
   // the results graphically or save the results to file.

   TH1F *hraw  = dynamic_cast<TH1F *>(fOutput->FindObject("h_eraw"));
   TH1F *hcal  = dynamic_cast<TH1F *>(fOutput->FindObject("h_ecal"));
   TH1F *hpeak = dynamic_cast<TH1F *>(fOutput->FindObject("h_ecal_peak"));
   TParameter<Long64_t> *nev = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nevents"));
   TParameter<Long64_t> *nab = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nabove"));
   TParameter<Long64_t> *nmis = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nmismatch"));

   if (!hraw || !hcal || !hpeak || !nev || !nab || !nmis) {
      Error("Terminate", "output objects missing from the output list");
      fOutput->ls();
      return;
   }
   if (nmis->GetVal() > 0)
      Error("Terminate", "%lld entries had a misaligned calibration friend", nmis->GetVal());

   Printf("CalibSel: %lld clusters, %lld above %g GeV, %lld friend mismatches",
          nev->GetVal(), nab->GetVal(), fEMin, nmis->GetVal());
   Printf("CalibSel: raw mean = %.4f GeV, calibrated mean = %.4f GeV", hraw->GetMean(), hcal->GetMean());
   Printf("CalibSel: Z electron peak after calibration: mean = %.3f GeV, rms = %.3f GeV",
          hpeak->GetMean(), hpeak->GetRMS());
}
