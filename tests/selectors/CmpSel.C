// Test selector of `proofshim compare`: fills outputs whose merged result equals a one-process run
// (histograms, a profile, float-weighted sums, a tree, a list, a counter), shaped by typed
// parameters. With CmpSel_Skew=1 it also fills "hworker" with the worker it runs on (from
// PROOF_Ordinal; -1 without PROOF), a result that can never agree with the local run.
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TTreeReaderArray.h"
#include "TH1D.h"
#include "TH1F.h"
#include "TH2F.h"
#include "TProfile.h"
#include "TParameter.h"
#include "TNamed.h"
#include "TList.h"
#include "TTree.h"
#include "TProof.h"
#include <vector>

class CmpSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Long64_t> fGid{fReader, "gid"};
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TTreeReaderValue<Int_t> fNtrk{fReader, "ntrk"};
   TTreeReaderArray<Float_t> fTrkpt{fReader, "trkpt"};

   TH1F *fHpx = nullptr;
   TH1D *fHwpt = nullptr;
   TH2F *fHpxpy = nullptr;
   TProfile *fProf = nullptr;
   TH1F *fHntrk = nullptr;
   TH1D *fHworker = nullptr;
   TTree *fSkim = nullptr;
   TParameter<Long64_t> *fNsel = nullptr;
   Double_t fPtCut = 0;
   Int_t fWorker = -1;
   Long64_t fSkimGid = 0;
   Float_t fSkimPx = 0;
   std::vector<float> fSkimPt;

   Int_t Version() const override { return 2; }
   void Init(TTree *tree) override { fReader.SetTree(tree); }
   Bool_t Notify() override { return kTRUE; }

   void SlaveBegin(TTree *) override
   {
      Int_t nbins = 40, skew = 0;
      TString label = "none";
      Long_t every = 50;
      TProof::GetParameter(fInput, "CmpSel_NBins", nbins);
      TProof::GetParameter(fInput, "CmpSel_PtCut", fPtCut);
      TProof::GetParameter(fInput, "CmpSel_Label", label);
      TProof::GetParameter(fInput, "CmpSel_Every", every);
      TProof::GetParameter(fInput, "CmpSel_Skew", skew);
      TString ord;
      if (TProof::GetParameter(fInput, "PROOF_Ordinal", ord) == 0)
         fWorker = TString(ord(ord.Last('.') + 1, ord.Length())).Atoi();
      fHpx = new TH1F("hpx", TString::Format("px (%s)", label.Data()), nbins, -4, 4);
      fHwpt = new TH1D("hwpt", "trkpt weighted by px", 50, 0, 10);
      fHwpt->Sumw2();
      fHpxpy = new TH2F("hpxpy", "py vs px", 20, -3, 3, 20, -3, 3);
      fProf = new TProfile("prof", "trkpt vs ntrk", 15, 0, 15);
      fHntrk = new TH1F("hntrk", "ntrk", 20, 0, 20);
      fSkim = new TTree("skim", "selected entries");
      fSkim->SetDirectory(nullptr);
      fSkim->Branch("gid", &fSkimGid);
      fSkim->Branch("px", &fSkimPx);
      fSkim->Branch("trkpt", &fSkimPt);
      fNsel = new TParameter<Long64_t>("nsel", 0);
      auto *sub = new TList;
      sub->SetName("tracks");
      sub->Add(fHntrk);
      sub->Add(fProf);
      for (TObject *o : {(TObject *)fHpx, (TObject *)fHwpt, (TObject *)fHpxpy, (TObject *)sub,
                         (TObject *)fSkim, (TObject *)fNsel})
         fOutput->Add(o);
      if (skew) {
         fHworker = new TH1D("hworker", "entries by worker ordinal", 10, -1.5, 8.5);
         fOutput->Add(fHworker);
      }
      fEvery = every;
   }

   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      fHpx->Fill(*fPx);
      fHpxpy->Fill(*fPx, *fPy);
      fHntrk->Fill(*fNtrk);
      for (auto pt : fTrkpt) {
         fProf->Fill(*fNtrk, pt);
         if (pt > fPtCut) fHwpt->Fill(pt, *fPx);
      }
      if (fHworker) fHworker->Fill(fWorker);
      if (*fGid % fEvery == 0) {
         fSkimGid = *fGid;
         fSkimPx = *fPx;
         fSkimPt.assign(fTrkpt.begin(), fTrkpt.end());
         fSkim->Fill();
         fNsel->SetVal(fNsel->GetVal() + 1);
      }
      return kTRUE;
   }

   // On the client: a TNamed has no Merge, so one made on the workers would come back once per worker.
   void Terminate() override
   {
      Int_t nbins = -1;
      TString label = "none";
      Long_t every = -1;
      Double_t cut = -1;
      TProof::GetParameter(fInput, "CmpSel_NBins", nbins);
      TProof::GetParameter(fInput, "CmpSel_PtCut", cut);
      TProof::GetParameter(fInput, "CmpSel_Label", label);
      TProof::GetParameter(fInput, "CmpSel_Every", every);
      fOutput->Add(new TNamed("params", TString::Format("nbins=%d cut=%g label=%s every=%ld option=%s", nbins,
                                                       cut, label.Data(), every, GetOption()).Data()));
   }

   Long_t fEvery = 50;

   ClassDefOverride(CmpSel, 0)
};
