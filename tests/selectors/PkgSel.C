// Uses classes from PROOF packages: Calib ("calib", built by BUILD.sh + SETUP) and the scale
// factor of "calibscale" (set by SETUP(TList *)). Compiles only once both packages are enabled.
#include "Calib.h"
#include "TH1D.h"
#include "TSelector.h"
#include "TTree.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"

Double_t CalibScale();

class PkgSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   Calib fCalib{3.0};
   TH1D *fHcal = nullptr;
   TH1D *fHscaled = nullptr;

   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      fHcal = new TH1D("hcal", "calibrated px", 80, -15, 15);
      fHscaled = new TH1D("hscaled", "scaled px", 80, -15, 15);
      fOutput->Add(fHcal);
      fOutput->Add(fHscaled);
   }
   void Init(TTree *tree) override { fReader.SetTree(tree); }
   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      fHcal->Fill(fCalib.Apply(*fPx));
      fHscaled->Fill(*fPx * CalibScale());
      return kTRUE;
   }
   ClassDefOverride(PkgSel, 0)
};
