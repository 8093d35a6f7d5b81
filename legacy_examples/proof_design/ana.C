// The tree selector of the proof_design example, processed with chain->Process("ana.C").
#include "TSelector.h"
#include "TTree.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TH1F.h"
#include "TMath.h"

class ana : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TTreeReaderValue<Float_t> fPz{fReader, "pz"};
   TH1F *fPt = nullptr;
   TH1F *fPz_ = nullptr;

   Int_t Version() const override { return 2; }
   void Init(TTree *tree) override { fReader.SetTree(tree); }
   void SlaveBegin(TTree *) override
   {
      fPt = new TH1F("h_pt", "transverse momentum;p_{T};entries", 100, 0, 5);
      fPz_ = new TH1F("h_pz", "longitudinal momentum;p_{z};entries", 100, -10, 10);
      fOutput->Add(fPt);
      fOutput->Add(fPz_);
   }
   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      fPt->Fill(TMath::Sqrt(*fPx * *fPx + *fPy * *fPy));
      fPz_->Fill(*fPz);
      return kTRUE;
   }
   void Terminate() override
   {
      if (auto *h = (TH1F *)fOutput->FindObject("h_pt")) printf("ana: %.0f tracks\n", h->GetEntries());
   }
   ClassDefOverride(ana, 0)
};
