// Everything a remote cluster must receive through dask: a header in a subdirectory, a header
// from the client's include path, a parameter, an input-data object, a PAR package's function
// (RemoteGain, package "remotegain") and a helper loaded with TProof::Load (HelperScale).
#include "inc/RemoteCuts.h"
#include "RemoteUnits.h"
#include "RemoteGain.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TSelector.h"
#include "TTree.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"

double HelperScale(double x);

class RemoteSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   Double_t fCut = -1;
   TH1 *fWeights = nullptr;
   TH1D *fHpt = nullptr;
   TH1D *fHw = nullptr;
   TParameter<Long64_t> *fPass = nullptr;

   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      if (auto *p = dynamic_cast<TParameter<Double_t> *>(fInput->FindObject("Remote_PtCut"))) fCut = p->GetVal();
      fWeights = dynamic_cast<TH1 *>(fInput->FindObject("remote_weights"));
      if (fCut < 0 || !fWeights) Abort("Remote_PtCut or remote_weights missing from the input list");
      fHpt = new TH1D("remote_pt", "pt times the package's gain", 60, 0, 30 * REMOTE_UNIT);
      fHw = new TH1D("remote_wpx", "weighted px", 50, -5, 5);
      fPass = new TParameter<Long64_t>("remote_pass", 0);
      fOutput->Add(fHpt);
      fOutput->Add(fHw);
      fOutput->Add(fPass);
   }
   void Init(TTree *tree) override { fReader.SetTree(tree); }
   Bool_t Process(Long64_t entry) override
   {
      if (!fWeights) {
         Abort("no remote_weights in the input list");
         return kFALSE;
      }
      fReader.SetLocalEntry(entry);
      double pt = RemotePt(*fPx, *fPy);
      if (!RemotePass(pt, fCut)) return kTRUE;
      fHpt->Fill(RemoteGain() * pt * REMOTE_UNIT);
      fHw->Fill(*fPx, fWeights->GetBinContent(fWeights->FindFixBin(*fPx)) * HelperScale(1.0));
      fPass->SetVal(fPass->GetVal() + 1);
      return kTRUE;
   }
   ClassDefOverride(RemoteSel, 0)
};
