// A selector processed as an object: persistent members travel to the workers, //! ones do not.
#include "TSelector.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TTree.h"

class ObjSel : public TSelector {
public:
   Double_t fScale = 1;           // persistent: streamed to the workers
   Int_t fTransient = 0;          //! not streamed
   TH1D *fHist = nullptr;         //! points at the output histogram
   Int_t fBeginCalls = 0;         //!
   Int_t fTerminateCalls = 0;     //!
   Int_t Version() const override { return 2; }
   void Begin(TTree *) override { ++fBeginCalls; }
   void SlaveBegin(TTree *) override
   {
      fHist = new TH1D("hobj", "entries", 4, 0, 4);
      fOutput->Add(fHist);
      fOutput->Add(new TParameter<Double_t>("seen_scale", fScale));
      fOutput->Add(new TParameter<Int_t>("seen_transient", fTransient));
   }
   Bool_t Process(Long64_t) override
   {
      fHist->Fill(1, fScale);
      return kTRUE;
   }
   void Terminate() override { ++fTerminateCalls; }
   ClassDefOverride(ObjSel, 1)
};
